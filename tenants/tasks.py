"""Provisioning tasks: thin, idempotent, ids in (they run in the public schema)."""

import logging

from celery import shared_task
from django.utils.translation import gettext_lazy

from tenants import registration

logger = logging.getLogger(__name__)


@shared_task(
    name="tenants.provision_enterprise",
    bind=True,
    acks_late=True,
    autoretry_for=(OSError,),  # a database or network hiccup: try again, a few times
    retry_backoff=2,
    max_retries=3,
    soft_time_limit=120,
    time_limit=180,
)
def provision_enterprise(self, enterprise_id: int) -> str:
    try:
        enterprise = registration.enterprise_provision(enterprise_id=enterprise_id)
    except registration.ProvisioningError as exc:
        registration.enterprise_provision_failed(enterprise_id=enterprise_id, reason=str(exc))
        return "failed"
    except OSError:
        raise
    except Exception as exc:
        logger.exception("provisioning enterprise %s failed", enterprise_id)
        # The full error is in the worker log; the registrant sees a plain statement and can retry.
        reason = registration.bilingual(
            gettext_lazy(
                "An internal error stopped the preparation (%(error)s). It has been logged; please retry."
            ),
            error=exc.__class__.__name__,
        )
        registration.enterprise_provision_failed(enterprise_id=enterprise_id, reason=reason)
        return "failed"
    return enterprise.status


@shared_task(name="tenants.sweep_registrations", ignore_result=True)
def sweep_registrations() -> int:
    """Beat, every minute: re-sends provisioning for registrations stuck in pending."""
    return registration.pending_registrations_resend()
