"""The platform's audit log: one `audit()` for every change worth recording, written in the same
transaction as the change (tenant and public rows share one connection).

Regional admins read the public rows, so those hold no private values: for the actions in
AuditEvent.PRIVATE the values go into the enterprise's own schema, kept by the app that owns them
(manufacturing.AuditDetail, registered here by its AppConfig through `keep_private_values_with`)."""

from typing import Protocol

from core.models import AuditEvent


class PrivateValues(Protocol):
    def write(self, *, tenant, event_id: int, old, new, reason: str) -> None: ...

    def read(self, *, tenant, event_ids: list[int]) -> dict[int, tuple]: ...


_private: list[PrivateValues] = []


def keep_private_values_with(store: PrivateValues) -> None:
    """Called once, by the app whose tenant-schema table keeps the private values."""
    _private[:] = [store]


def _store() -> PrivateValues:
    if not _private:
        raise RuntimeError("no store for the audit log's private values is registered")
    return _private[0]


def audit(
    *, actor, action: str, tenant=None, assessment_id=None, subject="", old=None, new=None, reason=""
) -> AuditEvent:
    """The public audit row; for a private action (AuditEvent.PRIVATE) `old`, `new` and `reason` go
    into the enterprise's schema instead, in the same transaction."""
    private = action in AuditEvent.PRIVATE
    if private and tenant is None:
        raise ValueError(f"a {action} audit row needs its enterprise: its values are kept there")
    event = AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        tenant=tenant,
        assessment_id=assessment_id,
        action=action,
        subject=subject,
        old=None if private else old,
        new=None if private else new,
        reason="" if private else reason,
    )
    if private:
        _store().write(tenant=tenant, event_id=event.pk, old=old, new=new, reason=reason)
    return event


def audit_with_details(events, *, tenant) -> list[AuditEvent]:
    """`events` (of one enterprise) with their private values read from its schema into `old`,
    `new` and `reason`: for the enterprise's own members and the assessor assigned to the
    assessment, never for regional admins. One query in the enterprise's schema."""
    events = list(events)
    ids = [event.pk for event in events if event.action in AuditEvent.PRIVATE]
    if ids:
        details = _store().read(tenant=tenant, event_ids=ids)
        for event in events:
            if event.pk in details:
                event.old, event.new, event.reason = details[event.pk]
            event.details_read = True
    return events
