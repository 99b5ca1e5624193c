"""Provisioning tasks: thin, idempotent, ids in (they run in the public schema)."""

import logging

from celery import shared_task
from django.db import OperationalError
from django.utils.translation import gettext_lazy

from core.i18n import bilingual
from tenants import registration

logger = logging.getLogger(__name__)


RETRYABLE = (OSError, OperationalError)  # the database or the network, for a moment
MAX_RETRIES = 3
# A deploy's setup_platform migrates the template in seconds; wait up to ten minutes for it.
TEMPLATE_RETRIES, TEMPLATE_WAIT = 20, 30


@shared_task(
    name="tenants.provision_enterprise",
    bind=True,
    acks_late=True,
    max_retries=MAX_RETRIES,
    soft_time_limit=120,
    time_limit=180,
)
def provision_enterprise(self, enterprise_id: int) -> str:
    try:
        enterprise = registration.enterprise_provision(enterprise_id=enterprise_id)
    except registration.TemplateNotReady as exc:
        if self.request.retries < TEMPLATE_RETRIES:
            raise self.retry(exc=exc, countdown=TEMPLATE_WAIT, max_retries=TEMPLATE_RETRIES) from exc
        registration.enterprise_provision_failed(enterprise_id=enterprise_id, reason=str(exc))
        return "failed"
    except registration.ProvisioningError as exc:
        registration.enterprise_provision_failed(enterprise_id=enterprise_id, reason=str(exc))
        return "failed"
    except RETRYABLE as exc:
        if self.request.retries < MAX_RETRIES:
            raise self.retry(exc=exc, countdown=2 ** (self.request.retries + 1)) from exc
        return _failed(enterprise_id, exc)
    except Exception as exc:  # noqa: BLE001 - whatever broke, the registrant must see "failed", not wait
        return _failed(enterprise_id, exc)
    return enterprise.status


def _failed(enterprise_id: int, exc: Exception) -> str:
    # The full error is in the worker log; the registrant sees a plain statement and can retry.
    logger.exception("provisioning enterprise %s failed", enterprise_id)
    reason = bilingual(
        gettext_lazy(
            "An internal error stopped the preparation (%(error)s). It has been logged; please retry."
        ),
        error=exc.__class__.__name__,
    )
    registration.enterprise_provision_failed(enterprise_id=enterprise_id, reason=reason)
    return "failed"


@shared_task(name="tenants.delete_expired_tokens", ignore_result=True)
def delete_expired_tokens() -> int:
    """Beat, hourly: drops lapsed API tokens (they authenticate no more; this keeps the table small)."""
    from tenants.tokens import tokens_expired_delete

    return tokens_expired_delete()


@shared_task(name="tenants.erase_closed_enterprises", ignore_result=True)
def erase_closed_enterprises() -> int:
    """Beat, hourly: sends one erase per enterprise whose grace period is over (the lifecycle
    index: the cost does not grow with the other enterprises)."""
    from tenants import lifecycle

    due = lifecycle.erase_due()
    for enterprise_id in due:
        erase_enterprise.delay(enterprise_id)
    return len(due)


@shared_task(
    name="tenants.erase_enterprise",
    bind=True,
    acks_late=True,
    max_retries=MAX_RETRIES,
    soft_time_limit=540,
    time_limit=600,
)
def erase_enterprise(self, enterprise_id: int) -> bool:
    """Idempotent: an enterprise already erased (or reopened meanwhile) is left as it is."""
    from tenants import lifecycle

    try:
        return lifecycle.enterprise_erase(enterprise_id=enterprise_id)
    except RETRYABLE as exc:
        if self.request.retries < MAX_RETRIES:
            raise self.retry(exc=exc, countdown=2 ** (self.request.retries + 1)) from exc
        raise


@shared_task(name="tenants.export_data", acks_late=True, soft_time_limit=1700, time_limit=1800)
def export_data(enterprise_id: int, export_id: int) -> str:
    """Builds one enterprise's data export (tenants/data_export.py); safe to run again."""
    from tenants import data_export
    from tenants.models import Enterprise

    enterprise = Enterprise.objects.filter(pk=enterprise_id).first()
    if enterprise is None:
        return "missing"
    return data_export.export_build(enterprise=enterprise, export_id=export_id)


@shared_task(name="tenants.account_audit_rewrite", acks_late=True, soft_time_limit=600, time_limit=660)
def account_audit_rewrite(user_id: int) -> int:
    """A deleted account's public audit rows, rewritten to its pseudonym (tenants/accounts.py);
    safe to run again."""
    from tenants import accounts

    return accounts.audit_rewrite(user_id=user_id)


@shared_task(name="tenants.expire_data_exports")
def expire_data_exports() -> int:
    from tenants import data_export

    return data_export.expire()
