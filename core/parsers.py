"""Request bodies the API accepts, checked once for what no field can hold.

Every API (and every page, through portal.middleware.UnstorableTextMiddleware) reads its input
through here, so two kinds of hostile input are refused before any view sees them:

* JSON nested deeper than the parser's recursion allows (`[` x 100,000) is a 400, not a
  RecursionError;
* text with a NUL character or a lone surrogate (`\\u0000`, `\\ud800`: valid JSON escapes, but
  nothing PostgreSQL can store or UTF-8 can encode) is a 400 naming the field it was found in.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from rest_framework import parsers

TOO_DEEP = gettext_lazy("The JSON document is nested too deeply.")
UNSTORABLE = gettext_lazy(
    "This text contains a character that cannot be stored (a NUL character or an unpaired surrogate)."
)


def _bad_text(text: str) -> bool:
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def unstorable_fields(data, *, limit: int = 20) -> list[str]:
    """The dotted paths (`name`, `answers.3.value`) of the strings in `data` holding a NUL or a lone
    surrogate, keys included (a bad key is reported as its parent's path). Iterative, so that data
    as deep as the parser allows cannot exhaust the stack here either. At most `limit` paths."""
    found: list[str] = []
    stack: list[tuple[str, object]] = [("", data)]
    while stack and len(found) < limit:
        path, value = stack.pop()
        if isinstance(value, str):
            if _bad_text(value):
                found.append(path or "non_field_errors")
        elif isinstance(value, dict):
            for key, item in value.items():
                key_text = str(key)
                if _bad_text(key_text):
                    found.append(path or "non_field_errors")
                    continue
                stack.append((f"{path}.{key_text}" if path else key_text, item))
        elif isinstance(value, list | tuple):
            stack.extend(
                (f"{path}.{index}" if path else str(index), item) for index, item in enumerate(value)
            )
    return sorted(set(found))


def refuse_unstorable(data) -> None:
    """A 400 when `data` holds unstorable text: {field: [message], ..., "detail", "messages"},
    the field errors as the API's validation gives them, the message in both languages as well.
    A QueryDict (a form body) is reported by field name, whichever of its values was bad."""
    if hasattr(data, "getlist"):
        fields = sorted({path.split(".")[0] for path in unstorable_fields(dict(data.lists()))})
    else:
        fields = unstorable_fields(data)
    if fields:
        from core.api import ApplicationError  # here: core.api imports DRF's views, which import us

        raise ApplicationError(UNSTORABLE, extra={field: [str(UNSTORABLE)] for field in fields})


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            # Imported here: core.api imports DRF's views, which import these parsers.
            from core.api import ApplicationError

            raise ApplicationError(TOO_DEEP) from exc
        refuse_unstorable(data)
        return data


class FormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        refuse_unstorable(data)
        return data


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        result = super().parse(stream, media_type, parser_context)
        refuse_unstorable(result.data)
        return result
