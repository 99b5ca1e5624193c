"""Where the audit log's private values live: the enterprise's own schema (AuditDetail). Registered
with the kernel's audit log (core.audit) by ManufacturingConfig.ready."""

from django_tenants.utils import tenant_context

from manufacturing.models import AuditDetail


class TenantAuditDetails:
    def write(self, *, tenant, event_id: int, old, new, reason: str) -> None:
        with tenant_context(tenant):
            AuditDetail.objects.create(event_id=event_id, old=old, new=new, reason=reason)

    def read(self, *, tenant, event_ids: list[int]) -> dict[int, tuple]:
        with tenant_context(tenant):
            rows = AuditDetail.objects.filter(event_id__in=event_ids)
            return {d.event_id: (d.old, d.new, d.reason) for d in rows}
