"""Writes of the financial cloud inside an enterprise's schema: statements and financing requests.
The enterprise is the one of the current request's host (django-tenants has switched the schema)."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import outbox
from core.api import ApplicationError, ConflictError
from finance.forms import RequestForm, StatementForm
from finance.models import FinancialStatement, FinancingRequest


def statement_save(*, form: StatementForm, user) -> FinancialStatement:
    """Creates or updates a year's statement from a valid form. A second statement for a year gets
    409 (a database constraint, so two people saving at once behave too)."""
    statement = form.save(commit=False)
    statement.updated_by = user
    try:
        with transaction.atomic():
            statement.save()
    except IntegrityError as exc:
        raise ConflictError(
            _("There is already a statement for %(year)s: change that one instead."),
            params={"year": statement.year},
        ) from exc
    return statement


def statement_delete(*, statement: FinancialStatement) -> None:
    statement.delete()


def _locked(request_id) -> FinancingRequest:
    request = FinancingRequest.objects.select_for_update().filter(pk=request_id).first()
    if request is None:
        from django.http import Http404

        raise Http404
    return request


@transaction.atomic
def request_save(*, form: RequestForm, user) -> FinancingRequest:
    """Creates a draft, or changes one; a submitted or withdrawn request no longer changes."""
    if form.instance.pk:
        current = _locked(form.instance.pk)
        if current.status != FinancingRequest.Status.DRAFT:
            raise ConflictError(
                _("Only a draft can be changed; this request is %(status)s."),
                params={"status": FinancingRequest.Status(current.status).label},
            )
    else:
        form.instance.created_by = user
    return form.save()


def _publish_on_commit(enterprise, request_id: int) -> None:
    """Records the change in the outbox (this transaction) and sends the publishing task after commit;
    if that message is lost, the sweeper sends it again."""
    from finance.lending.services_facts import outbox_record

    outbox_record(tenant=enterprise, request_id=request_id)
    outbox.send_on_commit("financing-facts", enterprise.pk, request_id)


@transaction.atomic
def request_submit(*, request_id, enterprise) -> FinancingRequest:
    request = _locked(request_id)
    if request.status != FinancingRequest.Status.DRAFT:
        raise ConflictError(
            _("This request is already %(status)s."),
            params={"status": FinancingRequest.Status(request.status).label},
        )
    if request.wanted_by < timezone.localdate():
        raise ApplicationError(_("The date the money is needed by has passed; change it first."))
    request.status = FinancingRequest.Status.SUBMITTED
    request.submitted_at = timezone.now()
    request.save(update_fields=["status", "submitted_at", "updated_at"])
    _publish_on_commit(enterprise, request.pk)
    return request


@transaction.atomic
def request_withdraw(*, request_id, enterprise, user) -> FinancingRequest:
    """Withdraws the request and every application of it still open (each with its audit row)."""
    from finance.lending import services as lending

    request = _locked(request_id)
    if request.status == FinancingRequest.Status.WITHDRAWN:
        raise ConflictError(_("This request is already withdrawn."))
    was_submitted = request.status == FinancingRequest.Status.SUBMITTED
    request.status = FinancingRequest.Status.WITHDRAWN
    request.withdrawn_at = timezone.now()
    request.save(update_fields=["status", "withdrawn_at", "updated_at"])
    lending.applications_withdraw(enterprise=enterprise, request_id=request.pk, user=user)
    if was_submitted:
        _publish_on_commit(enterprise, request.pk)
    return request
