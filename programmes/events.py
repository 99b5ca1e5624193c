"""The audit trail of the programmes (programmes.models.Event): one function writes every row,
inside the caller's transaction, so a change and its record commit or roll back together."""

from programmes.models import Event


def record(
    *, actor, action: str, programme=None, provider=None, project=None, old="", new="", detail=None, reason=""
) -> Event:
    if project is not None and programme is None:
        programme = project.programme
    return Event.objects.create(
        actor=actor if actor is not None and getattr(actor, "is_authenticated", False) else None,
        action=action,
        programme=programme,
        provider=provider,
        project=project,
        old=old,
        new=new,
        detail=detail or {},
        reason=reason,
    )
