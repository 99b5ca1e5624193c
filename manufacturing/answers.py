"""An assessment's answers as both sides read and check them: the enterprise's wizard and API, and
the assessor's overrides. One module, so the review never reaches into the enterprise's services."""

import functools

from django.utils import translation

from core.api import ApplicationError
from manufacturing import scoring
from manufacturing.frameworks.models import Framework
from manufacturing.models import Answer, Assessment


def answers_of(assessment: Assessment) -> dict[str, dict]:
    """The enterprise's own answers, key to value (inside its tenant)."""
    return dict(Answer.objects.filter(assessment=assessment).values_list("key", "value"))


@functools.lru_cache(maxsize=32)
def framework_definition(framework_id: int) -> dict:
    """A published framework's definition, read once per process: a published version never
    changes (loader and services refuse), so the cache cannot go stale."""
    return Framework.objects.values_list("definition", flat=True).get(pk=framework_id)


def answer_error(exc: scoring.AnswerError) -> ApplicationError:
    """A refused answer as the API and the pages report it: in the request's language, with both
    languages' messages and the question's key for the form."""
    language = "zh" if (translation.get_language() or "zh").startswith("zh") else "en"
    return ApplicationError(exc.message[language], extra={"field": exc.key, "messages": exc.message})


def answer_from_form(definition: dict, key: str, data) -> dict:
    """An answer as a form posts it (the wizard's and the assessor's override form alike), in the
    API's answer format; the scoring's validation then judges it."""
    ix = scoring.index(definition)
    if key in ix.scenes:
        return {"level": _number(data.get("level"), whole=True)}
    if key in ix.requirements:
        return {"rating": _number(data.get("rating"))}
    question = ix.questions.get(key)
    if question is None:
        return {}
    if question["type"] == "single":
        return {"option": data.get("option")}
    if question["type"] == "multi":
        return {"options": data.getlist("options")}
    return {"inputs": {spec["key"]: _number(data.get(spec["key"])) for spec in question["inputs"]}}


def _number(raw, *, whole: bool = False):
    """A number typed in a form, or the text itself (which the validation then refuses clearly)."""
    try:
        value = float(str(raw).strip())
    except (TypeError, ValueError):
        return raw
    if value != value or value in (float("inf"), float("-inf")):  # NaN or infinite
        return raw
    if value.is_integer():
        return int(value)
    return raw if whole else value  # "2.7" is no level: let the validation refuse it
