"""Django admin (public site, /admin/) of the programmes: reference data (segments), providers and their
users, solutions, programmes and provider applications; projects, their milestones, the audit trail and
the facts read only.

What the services keep consistent is never edited here: a programme's reserved and granted amounts
(programmes/budget.py, under a row lock), its state and a provider application's decision (audited by
the regional admins' pages), anything of a project (its enterprise, provider and admin act on it). An
edit of a programme here is audited too."""

from django.contrib import admin

from programmes import events
from programmes.models import (
    Enrolment,
    Event,
    Milestone,
    Programme,
    Project,
    ProjectFact,
    Provider,
    ProviderMember,
    Segment,
    Solution,
)


class ReadOnly(admin.ModelAdmin):
    """Shown, never added, changed or deleted here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Segment)
class SegmentAdmin(admin.ModelAdmin):
    list_display = ["code", "division", "name_zh", "name_en"]
    list_filter = ["division"]
    search_fields = ["code", "name_zh", "name_en"]

    def has_delete_permission(self, request, obj=None):
        return False  # programmes and projects point at segments


class ProviderMemberInline(admin.TabularInline):
    model = ProviderMember
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ["name_zh", "name_en", "credit_code", "city", "is_active", "created_at"]
    list_filter = ["is_active", "city"]
    search_fields = ["name_zh", "name_en", "credit_code"]
    inlines = [ProviderMemberInline]

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: solutions, applications and projects point at it


@admin.register(Solution)
class SolutionAdmin(admin.ModelAdmin):
    list_display = ["name_zh", "provider", "framework", "price_min", "price_max", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name_zh", "name_en", "provider__name_zh"]
    raw_id_fields = ["provider"]

    def has_delete_permission(self, request, obj=None):
        return False  # unpublish instead


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name_zh", "state", "budget", "reserved", "granted", "apply_from", "apply_until"]
    list_filter = ["state"]
    search_fields = ["name_zh", "name_en"]
    readonly_fields = ["state", "reserved", "granted", "created_by", "created_at", "updated_at"]
    filter_horizontal = ["cities", "divisions", "segments"]

    def get_readonly_fields(self, request, obj=None):
        """Once enterprises rely on a programme (a project not withdrawn), the operator changes
        nothing here: the rules may then only widen, which the admins' pages check
        (programmes/admin_programmes.py)."""
        if obj is not None and obj.projects.exclude(state=Project.State.WITHDRAWN).exists():
            return [f.name for f in Programme._meta.fields] + ["cities", "divisions", "segments"]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        """Audited as the pages are (the fields named; the values are in the form's history). Only
        the changed columns are written: `reserved` and `granted`, moved meanwhile by an approval
        under the programme's row lock, are never overwritten with what this form loaded."""
        if change and not form.changed_data:
            return  # nothing changed (every field read-only, or none edited): nothing to record
        if change:
            columns = [name for name in form.changed_data if name not in ("cities", "divisions", "segments")]
            if columns:
                obj.save(update_fields=[*columns, "updated_at"])
        else:
            super().save_model(request, obj, form, change)
        events.record(
            actor=request.user,
            action=Event.Action.PROGRAMME_CHANGED if change else Event.Action.PROGRAMME_CREATED,
            programme=obj,
            detail={"django_admin": sorted(form.changed_data)},
        )

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ["provider", "programme", "status", "applied_at", "decided_at"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in Enrolment._meta.fields]

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0
    fields = ["title", "due_on", "state", "reported_at", "confirmed_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Project)
class ProjectAdmin(ReadOnly):
    list_display = [
        "pk",
        "tenant",
        "programme",
        "state",
        "contract_amount",
        "subsidy_reserved",
        "subsidy_granted",
    ]
    list_filter = ["state", "programme"]
    search_fields = ["tenant__name", "tenant__credit_code"]
    inlines = [MilestoneInline]


@admin.register(Event)
class EventAdmin(ReadOnly):
    list_display = ["at", "action", "actor", "programme", "provider", "project", "old", "new"]
    list_filter = ["action"]
    date_hierarchy = "at"


@admin.register(ProjectFact)
class ProjectFactAdmin(ReadOnly):
    list_display = ["project_id", "programme", "state", "city", "provider", "subsidy_granted", "published_at"]
    list_filter = ["state", "programme"]
