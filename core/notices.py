"""In-app notices, also sent by email: `notify()` is the one way the platform tells a person."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from core.i18n import in_both_languages
from core.models import Notice


def notify(*, users, message, params: dict | None = None, url: str = "", email_extra: str = "") -> None:
    """An in-app notice now, and an email after commit (console backend in development). `url` is
    absolute: notices are read on the public site, emails anywhere. Notices are a public table:
    whatever is private to an enterprise goes in `email_extra`, which only the email carries."""
    texts = in_both_languages(message, params)
    users = [u for u in users if u is not None]
    Notice.objects.bulk_create(
        Notice(user=u, text_zh=texts["zh"], text_en=texts["en"], url=url) for u in users
    )

    def send() -> None:
        for user in users:
            send_mail(
                subject=f"[京津冀工业云 Jingjinji Cloud] {' '.join(texts['zh'].split())[:60]}",
                message="\n\n".join(part for part in (texts["zh"], texts["en"], email_extra, url) if part),
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[user.email],
            )

    transaction.on_commit(send, robust=True)
