"""In-app notices, also sent by email: `notify()` is the one way the platform tells a person."""

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from core.i18n import in_both_languages
from core.models import Notice


def notify(
    *, users, message, params: dict | None = None, url: str = "", email_extra: str = "", about=None
) -> None:
    """An in-app notice now, and an email after commit (console backend in development). `url` is
    absolute: notices are read on the public site, emails anywhere. Notices are a public table:
    whatever is private to an enterprise goes in `email_extra`, which only the email carries.
    `about` (an enterprise or its id) is the enterprise the notice is about: its notices are deleted
    when it is erased."""
    texts = in_both_languages(message, params)
    users = [u for u in users if u is not None]
    about_id = getattr(about, "pk", about)
    Notice.objects.bulk_create(
        Notice(user=u, text_zh=texts["zh"], text_en=texts["en"], url=url, about_id=about_id) for u in users
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


# --- a notice beside its subject's current state -----------------------------------------------------
#
# A notice tells of an event ("you have been assigned…"); its subject moves on (approved, cancelled).
# So that the list never contradicts the subject, the app that owns a kind of subject registers how
# to find it from a notice's link and how to say its state now; the list shows that state beside
# each notice at display time.


@dataclass(frozen=True)
class SubjectState:
    text: str  # the state now, in the active language ("Approved on 2026-12-01 10:00")
    tone: str = "muted"  # the badge's tone: ok, warn, info, danger, muted
    url: str = ""  # where the notice's link now leads, when not its own


_followers: list[tuple[re.Pattern, Callable]] = []


def follow_state_with(pattern: str, describe: Callable) -> None:
    """`pattern` finds a subject's id in a notice's link (its first group); `describe(user=, ids=)`
    returns {id: SubjectState} for the subjects `user` may see, in one query."""
    _followers.append((re.compile(pattern), describe))


def with_states(notices, *, user) -> list[Notice]:
    """`notices` with `state` set (a SubjectState, or None when the notice has no followed subject)."""
    notices = list(notices)
    for notice in notices:
        notice.state = None
    for pattern, describe in _followers:
        found = {}
        for notice in notices:
            match = pattern.search(notice.url or "")
            if match:
                found.setdefault(int(match.group(1)), []).append(notice)
        if not found:
            continue
        for subject_id, state in describe(user=user, ids=list(found)).items():
            for notice in found.get(subject_id, []):
                notice.state = state
    return notices
