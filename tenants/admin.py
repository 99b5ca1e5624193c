"""Django admin (public site, /admin/): platform users and their roles, enterprises, reference data."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from core.api import ApplicationError
from tenants import lifecycle
from tenants.models import Domain, Enterprise, Industry, LegalConsent, LegalDocument, Region, User


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = [
        "email",
        "name",
        "platform_role",
        "scope_region",
        "is_active",
        "is_verified",
        "date_joined",
    ]
    list_filter = ["platform_role", "is_active", "is_verified"]
    search_fields = ["email", "name"]
    fields = ["email", "name", "platform_role", "scope_region", "is_active", "is_verified"]
    readonly_fields = ["email"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "scope_region":
            kwargs["queryset"] = Region.objects.filter(is_report_city=True) | Region.objects.filter(
                level="province"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_add_permission(self, request):
        return False  # users register or are invited; platform users: `manage.py platform_user`

    def has_delete_permission(self, request, obj=None):
        return False  # tenant-users deactivates instead of deleting


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0
    fields = ["domain", "is_primary"]
    readonly_fields = ["domain", "is_primary"]
    can_delete = False


def _lifecycle_action(name: str, service, label):
    """An admin action that asks for a reason (an intermediate page), then applies `service` to each
    enterprise chosen, one transaction and audit row each; refusals are listed, not raised."""

    def action(modeladmin, request, queryset):
        reason = request.POST.get("reason", "").strip()
        if "apply" in request.POST and reason:
            done = 0
            for enterprise in queryset:
                try:
                    service(enterprise=enterprise, actor=request.user, reason=reason)
                    done += 1
                except ApplicationError as exc:
                    modeladmin.message_user(request, f"{enterprise}: {exc.message}", messages.ERROR)
            if done:
                modeladmin.message_user(
                    request, _("%(n)s enterprise(s): done.") % {"n": done}, messages.SUCCESS
                )
            return None
        return TemplateResponse(
            request,
            "admin/tenants/lifecycle_reason.html",
            {
                **modeladmin.admin_site.each_context(request),
                "title": label,
                "enterprises": queryset,
                "action": name,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "opts": modeladmin.model._meta,
                "missing": "apply" in request.POST,
            },
        )

    action.__name__ = name
    action.short_description = label
    return action


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "credit_code", "city", "industry", "status", "lifecycle", "created"]
    list_filter = ["status", "lifecycle", "city", "industry", "is_demo"]
    actions = [
        _lifecycle_action("suspend", lifecycle.enterprise_suspend, _("Suspend the selected enterprises")),
        _lifecycle_action("resume", lifecycle.enterprise_resume, _("Resume the selected enterprises")),
        _lifecycle_action(
            "close", lifecycle.enterprise_close, _("Close the selected enterprises (grace period)")
        ),
        _lifecycle_action("reopen", lifecycle.enterprise_reopen, _("Reopen the selected enterprises")),
    ]
    search_fields = ["name", "name_en", "credit_code", "slug"]
    readonly_fields = [f.name for f in Enterprise._meta.fields if f.name not in {"status_reason"}]
    inlines = [DomainInline]

    def get_queryset(self, request):
        return super().get_queryset(request).exclude(schema_name="public").select_related("city", "industry")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "level", "is_report_city", "verified"]
    list_filter = ["level", "is_report_city"]

    def has_delete_permission(self, request, obj=None):
        return False  # reference data: enterprises, facts and reports point at regions


@admin.register(Industry)
class IndustryAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en"]

    def has_delete_permission(self, request, obj=None):
        return False  # enterprise schemas point at industry divisions (tenants/public_refs.py)


@admin.register(LegalDocument)
class LegalDocumentAdmin(admin.ModelAdmin):
    """The user agreement and the privacy policy. A new version is a new row (it
    is added with the next version number); a version someone has consented to can no longer be
    changed or deleted, so each consent names the exact text that was shown."""

    list_display = ["kind", "version", "title_zh", "effective_on", "created_at"]
    list_filter = ["kind"]
    fields = ["kind", "version", "effective_on", "title_zh", "title_en", "body_zh", "body_en"]

    def _consented(self, obj) -> bool:
        return obj is not None and obj.pk is not None and obj.consents.exists()

    def get_readonly_fields(self, request, obj=None):
        return self.fields if self._consented(obj) else []

    def has_delete_permission(self, request, obj=None):
        return obj is None or not self._consented(obj)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        kind = initial.get("kind") or LegalDocument.Kind.TERMS
        last = LegalDocument.objects.filter(kind=kind).order_by("-version").first()
        initial.setdefault("version", (last.version + 1) if last else 1)
        return initial


@admin.register(LegalConsent)
class LegalConsentAdmin(admin.ModelAdmin):
    """Consents are evidence: read only."""

    list_display = ["user", "document", "accepted_at", "ip", "enterprise"]
    list_filter = ["document"]
    search_fields = ["user__email"]
    readonly_fields = ["user", "document", "accepted_at", "ip", "enterprise"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.site_header = _("Jingjinji Industrial Cloud Portal administration")
admin.site.site_title = _("Portal administration")
