"""The next steps a workspace's home offers, computed from the enterprise's real state.

The tenants app owns the workspace home but may not import the domain apps above it (manufacturing,
finance, exhibition). So the home asks the providers registered here, at start-up, by a layer that
may read them (portal/next_steps.py, from PortalConfig.ready()); tenants itself contributes the
step it knows (inviting colleagues). A provider that fails is logged and skipped: the home page
never fails because of a suggestion."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tenants.members.models import Role

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Step:
    key: str  # stable, for tests and styling: data-step="…"
    title: str
    text: str
    url: str
    action: str
    status: str = ""  # a badge: "ok", "warn", "info" or ""
    status_label: str = ""
    method: str = "get"  # "post": the action is a form (e.g. starting an assessment)


Provider = Callable[..., list[Step]]
_providers: list[tuple[int, Provider]] = []


def register(provider: Provider, *, order: int = 50) -> None:
    """Adds a provider, called as provider(request=…, enterprise=…, role=…) -> list[Step]."""
    if all(existing is not provider for _order, existing in _providers):
        _providers.append((order, provider))
        _providers.sort(key=lambda item: item[0])


def for_workspace(*, request, enterprise, role: str) -> list[Step]:
    steps: list[Step] = []
    for _order, provider in _providers:
        try:
            steps += provider(request=request, enterprise=enterprise, role=role)
        except Exception:
            logger.exception("next-steps provider %s failed", getattr(provider, "__name__", provider))
    return steps


def members_step(*, request, enterprise, role: str, member_count: int) -> list[Step]:
    """Invite colleagues while the owner is alone (administrators and owners only)."""
    from tenants.roles import ROLE_RANK

    if member_count > 1 or ROLE_RANK.get(role, 0) < ROLE_RANK[Role.ADMIN]:
        return []
    return [
        Step(
            key="invite",
            title=str(_("Invite your colleagues")),
            text=str(
                _(
                    "You are the only member. Invite the colleagues who fill in the assessment, "
                    "the financial figures or the exhibition products."
                )
            ),
            url=reverse("members"),
            action=str(_("Invite colleagues")),
        )
    ]
