from django.db.models import QuerySet
from django.utils import timezone
from django_tenants.utils import tenant_context

from tenants.members.models import Activity, Invitation, Membership


def member_list(*, enterprise) -> list[Membership]:
    with tenant_context(enterprise):
        return list(Membership.objects.select_related("user").order_by("joined_at"))


def invitation_pending_list(*, enterprise) -> list[Invitation]:
    with tenant_context(enterprise):
        qs: QuerySet[Invitation] = Invitation.objects.select_related("invited_by").filter(
            status=Invitation.Status.PENDING, expires_at__gt=timezone.now()
        )
        return list(qs)


def activity_list() -> QuerySet[Activity]:
    """The workspace's activity log, newest first, with who did it. For the enterprise's owners and
    administrators (the page and API check the role); evaluate it on the enterprise's host, where
    its schema is the current one."""
    return Activity.objects.select_related("actor")


def enterprise_admins(enterprise) -> list:
    """Owners and administrators of the enterprise (read inside its schema), active accounts only."""
    from tenants.members.models import Role
    from tenants.models import User

    with tenant_context(enterprise):
        ids = list(
            Membership.objects.filter(role__in=[Role.OWNER, Role.ADMIN]).values_list("user_id", flat=True)
        )
    return list(User.objects.filter(pk__in=ids, is_active=True))
