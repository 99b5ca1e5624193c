"""Reads of the lending side (public schema)."""

from finance.lending.models import Application, LoanProduct


def products_active():
    return (
        LoanProduct.objects.filter(is_active=True, institution__is_active=True)
        .select_related("institution")
        .prefetch_related("cities", "industries")
    )


def applications_of_request(*, enterprise, request_id):
    return (
        Application.objects.filter(tenant=enterprise, request_id=request_id)
        .select_related("product", "institution")
        .prefetch_related("events")
    )


def inbox(*, institution):
    return Application.objects.filter(institution=institution).select_related(
        "product", "tenant", "city", "industry"
    )
