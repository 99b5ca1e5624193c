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
