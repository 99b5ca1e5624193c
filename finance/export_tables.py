"""The financial cloud's part of an enterprise's data export (core/data_export.py): statements,
financing needs, the applications to lenders and their history."""

from django.utils.translation import gettext_lazy as _

from core import data_export

AREA = "finance"


def register() -> None:
    from finance.lending.models import Application, ApplicationEvent, FinancingFact
    from finance.models import FinancialStatement, FinancingRequest

    Table = data_export.Table
    data_export.register(
        Table(AREA, "statements", FinancialStatement, _("Annual financial statements (amounts in yuan).")),
        Table(AREA, "financing_needs", FinancingRequest, _("Financing needs (amounts in yuan).")),
        Table(
            AREA,
            "applications",
            Application,
            _("Applications to loan products: what was shared and the answer."),
            rows=lambda enterprise: Application.objects.filter(tenant=enterprise),
        ),
        Table(
            AREA,
            "application_events",
            ApplicationEvent,
            _("The history of each application."),
            rows=lambda enterprise: ApplicationEvent.objects.filter(application__tenant=enterprise),
        ),
        Table(
            AREA,
            "financing_facts",
            FinancingFact,
            _("The de-identified financing facts the regional reports count."),
            rows=lambda enterprise: FinancingFact.objects.filter(tenant=enterprise),
        ),
    )
