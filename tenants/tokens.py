"""API tokens (django-rest-knox): issued, revoked, swept. Apart from tenants.services so that the
user model can revoke a user's tokens when the password changes without importing the services,
which import the models."""

import logging

logger = logging.getLogger(__name__)


def token_create(*, user):
    """A new API token for `user` (one per client: every sign-in gets its own), returned with its
    plain key, which is shown once and stored only as a digest. The user's lapsed tokens go first."""
    from django.utils import timezone
    from knox.models import get_token_model
    from knox.settings import knox_settings

    tokens = get_token_model().objects
    tokens.filter(user=user, expiry__lte=timezone.now()).delete()
    return tokens.create(user=user, expiry=knox_settings.TOKEN_TTL)


def user_tokens_revoke(*, user) -> int:
    """Revokes every API token of `user` (password changed or reset, left the last enterprise,
    logout-all). Returns how many there were."""
    from knox.models import get_token_model

    deleted, _by_model = get_token_model().objects.filter(user_id=user.pk).delete()
    if deleted:
        logger.info("revoked %s API tokens of user %s", deleted, user.pk)
    return deleted


def tokens_expired_delete() -> int:
    """Beat: deletes lapsed tokens (they no longer authenticate; this only keeps the table small)."""
    from django.utils import timezone
    from knox.models import get_token_model

    deleted, _by_model = get_token_model().objects.filter(expiry__lte=timezone.now()).delete()
    return deleted
