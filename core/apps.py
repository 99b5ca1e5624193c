from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The kernel under every app: errors and the API's edges, the bilingual helpers, audit,
    notices, platform roles and scopes, rate limits and the outbox. It imports no app of ours."""

    name = "core"
    verbose_name = _("Platform kernel")
