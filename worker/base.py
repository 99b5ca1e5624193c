"""The base of every task: tenant-schemas-celery's TenantTask (the sender's schema travels in a
header and the worker switches to it), which also waits for an enterprise whose schema is being
upgraded: while the background migrator has not reached it (tenants/upgrades.py), its tables may
lack what the code expects, so the task is sent again a little later instead of running. The
message that arrived is acknowledged only after the new one is sent: nothing is lost."""

import logging

from django.conf import settings
from tenant_schemas_celery.task import TenantTask

logger = logging.getLogger(__name__)
DEFERRED = "deferred: the enterprise's schema is being upgraded"


class PortalTask(TenantTask):
    abstract = True

    def __call__(self, *args, **kwargs):
        from django.db import connection

        tenant = getattr(connection, "tenant", None)
        if getattr(tenant, "schema_version_id", False) is not False and tenant.schema_name != "public":
            from tenants import upgrades

            # The worker keeps tenants for a while (CELERY_TASK_TENANT_CACHE_SECONDS): one that looks
            # behind is read again, so a task runs as soon as its schema is done.
            if upgrades.is_behind(tenant) and upgrades.is_behind(type(tenant).objects.get(pk=tenant.pk)):
                delay = settings.UPGRADE_TASK_DELAY_SECONDS
                logger.info(
                    "%s for %s deferred by %s s: its schema is being upgraded",
                    self.name,
                    tenant.schema_name,
                    delay,
                )
                self.apply_async(args=args, kwargs=kwargs, countdown=delay)
                return DEFERRED
        return super().__call__(*args, **kwargs)
