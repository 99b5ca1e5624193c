"""The enterprise's own record, members, invitations and activity log, in its data export
(core/data_export.py)."""

from django.utils.translation import gettext_lazy as _

from core import data_export


def register() -> None:
    from tenants.members.models import Activity, DataExport, Invitation, Membership
    from tenants.models import Enterprise

    data_export.register(
        data_export.Table(
            "enterprise",
            "profile",
            Enterprise,
            _("The enterprise as registered on the platform: names, credit code, city, industry, size."),
            rows=lambda enterprise: Enterprise.objects.filter(pk=enterprise.pk),
            fields=(
                "id",
                "name",
                "name_en",
                "credit_code",
                "city",
                "district",
                "industry",
                "employees",
                "revenue_band",
                "contact_phone",
                "status",
                "provisioned_at",
            ),
        ),
        data_export.Table("enterprise", "members", Membership, _("The members and their roles.")),
        data_export.Table(
            "enterprise", "invitations", Invitation, _("Invitations sent to join the enterprise.")
        ),
        data_export.Table(
            "enterprise", "activity", Activity, _("The workspace's activity log: who changed what, and when.")
        ),
    )
    data_export.exclude(DataExport, _("The data exports themselves: the archive you are reading."))
