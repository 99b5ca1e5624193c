"""Pages of an enterprise's workspace (tenant host)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from tenant_users.permissions.models import UserTenantPermissions

from tenants.access import current_enterprise, is_member


@login_required
def workspace_home(request):
    enterprise = current_enterprise(request)
    # TenantAccessMiddleware already turned non-members away; this keeps the view safe on its own.
    if not is_member(user=request.user, enterprise=enterprise):
        raise Http404
    members = (
        UserTenantPermissions.objects.select_related("profile")
        .order_by("-is_superuser", "profile__email")
        .all()
    )
    return render(request, "tenants/workspace_home.html", {"enterprise": enterprise, "members": members})
