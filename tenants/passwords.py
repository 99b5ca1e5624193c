"""Password rules of the platform beyond Django's own validators (AUTH_PASSWORD_VALIDATORS)."""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# A local part shorter than this ("li@", "wu@") is too common a string to refuse wherever it appears.
LOCAL_PART_MIN = 4


def _letters_and_digits(text: str) -> str:
    """Case-folded, with everything but letters and digits dropped: "Zhang.Wei" and "zhang_wei" match."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in text if ch.isalnum())


class EmailInPasswordValidator:
    """Refuses a password equal to or containing the account's email address, or the address's part
    before the @ (without a "+tag") when that part has at least 4 letters or digits. Case and
    punctuation are ignored, so "Zhang_Wei-2026" is refused for zhang.wei@example.com.

    Django's UserAttributeSimilarityValidator refuses passwords *similar* to the address as a whole;
    this one also catches a long password that merely *contains* it. Every form that validates a
    password passes the user (or an unsaved User with the email typed), so the address is known."""

    def validate(self, password: str, user=None) -> None:
        email = (getattr(user, "email", "") or "").strip()
        if not email or not password:
            return
        candidate = _letters_and_digits(password)
        local = email.rsplit("@", 1)[0].split("+", 1)[0]
        parts = [_letters_and_digits(email)]
        if len(_letters_and_digits(local)) >= LOCAL_PART_MIN:
            parts.append(_letters_and_digits(local))
        if any(part and part in candidate for part in parts):
            raise ValidationError(
                _("The password may not contain your email address or the part of it before the @."),
                code="password_contains_email",
            )

    def get_help_text(self) -> str:
        return _("Your password may not contain your email address or the part of it before the @.")


def validate_new_password(form, password: str | None, *, email: str, name: str = "") -> None:
    """Runs every password validator on a password typed for an account not saved yet (sign-up,
    registration, accepting an invitation), against an unsaved user with the typed address and name
    so that the similarity and email rules can compare; a refusal goes to the form's password field."""
    from django.contrib.auth import password_validation

    from tenants.models import User

    if not password:
        return
    try:
        password_validation.validate_password(password, User(email=email or "", name=name or ""))
    except ValidationError as exc:
        form.add_error("password", exc)
