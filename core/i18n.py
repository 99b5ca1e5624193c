"""Both languages of the platform, in one place: the text for the active language, a message in
both, and a stored text readers of either language understand."""

from django.utils import translation
from django.utils.translation import get_language


def in_both_languages(message, params: dict | None = None) -> dict:
    """{"zh": ..., "en": ...} of a lazily translated message, formatted with `params`."""
    texts = {}
    for key, language in (("zh", "zh-hans"), ("en", "en")):
        with translation.override(language):
            texts[key] = str(message) % params if params else str(message)
    return texts


def bilingual(message, **params) -> str:
    """A stored message (such as a failure reason) that readers of either language understand."""
    texts = in_both_languages(message, params)
    return f"{texts['en']} / {texts['zh']}"


def in_language(zh: str, en: str) -> str:
    """The text for the active language: the Chinese one, or the English one when there is one."""
    if (get_language() or "zh-hans").startswith("zh"):
        return zh
    return en or zh


class Bilingual:
    """Objects with `name_zh` / `name_en` show the name in the active language."""

    @property
    def name(self) -> str:
        return in_language(self.name_zh, self.name_en)

    def __str__(self) -> str:
        return self.name
