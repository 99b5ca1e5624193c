"""The base of every task: tenant-schemas-celery's TenantTask (the sender's schema travels in a
header and the worker switches to it), which also waits for an enterprise whose schema is being
upgraded. While the background migrator has not reached it (tenants/upgrades.py), its tables may
lack what the code expects, and the database backend refuses to enter it (SchemaBeingUpgraded).
Whether the task was sent for that enterprise or enters it on its own (a publishing task given an
enterprise id), it is sent again a little later, with the schema it was sent with, instead of
running. The message that arrived is acknowledged only after the new one is sent: nothing is lost."""

import logging

from django.conf import settings
from django_tenants.utils import get_public_schema_name
from tenant_schemas_celery.app import get_schema_name_from_task
from tenant_schemas_celery.task import TenantTask

logger = logging.getLogger(__name__)
DEFERRED = "deferred: the enterprise's schema is being upgraded"
DROPPED = "dropped: the enterprise is erased"
GONE = ("erasing", "closed")


class PortalTask(TenantTask):
    abstract = True

    @classmethod
    def get_tenant_for_schema(cls, schema_name):
        """For the switch before the task: an enterprise being upgraded is not entered (the task
        then finds itself in the public schema and defers), rather than failing in the signal."""
        from django_tenants.postgresql_backend.base import FakeTenant

        from tenants.upgrades import SchemaBeingUpgraded, refuse_if_behind

        tenant = super().get_tenant_for_schema(schema_name)
        if tenant.lifecycle in GONE:  # its schema is being or has been dropped: never entered
            return FakeTenant(schema_name=get_public_schema_name())
        try:
            refuse_if_behind(tenant)
        except SchemaBeingUpgraded:
            return FakeTenant(schema_name=get_public_schema_name())
        return tenant

    def __call__(self, *args, **kwargs):
        from django.db import connection

        from tenants.upgrades import SchemaBeingUpgraded

        if self.request.called_directly:  # a plain function call: the caller chose the schema
            return super().__call__(*args, **kwargs)
        wanted = get_schema_name_from_task(self, kwargs) or get_public_schema_name()
        if wanted != connection.schema_name:
            return self._defer(args, kwargs, sent_in=wanted, waiting_for=wanted)
        try:
            return super().__call__(*args, **kwargs)
        except SchemaBeingUpgraded as exc:
            return self._defer(args, kwargs, sent_in=wanted, waiting_for=exc.enterprise.schema_name)

    def _defer(self, args, kwargs, *, sent_in: str, waiting_for: str) -> str:
        from tenants.models import Enterprise

        state = Enterprise.objects.filter(schema_name=waiting_for).values_list("lifecycle", flat=True).first()
        if state is None or state in GONE:
            # Erased (or being erased, tenants/lifecycle.py) or never there: nothing is left to do it
            # for, and sending it again would loop for ever.
            logger.info("%s dropped: the enterprise of schema %s is erased", self.name, waiting_for)
            return DROPPED
        delay = settings.UPGRADE_TASK_DELAY_SECONDS
        logger.info("%s deferred by %s s: the schema %s is being upgraded", self.name, delay, waiting_for)
        self.apply_async(args=args, kwargs=kwargs, countdown=delay, headers={"_schema_name": sent_in})
        return DEFERRED
