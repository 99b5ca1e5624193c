"""Financing facts published as "submitted" whose request is no longer live (withdrawn, or gone) take
the request's status, so that regional figures, which count live needs only, leave them out. The
publish step already republishes a fact when its request is withdrawn; this repairs facts left behind
by a lost or given-up publish.

Only facts that could be stale are read: a fact whose outbox row completed was published from the
request's latest change, so it is current; the candidates are the "submitted" facts with no outbox row
(published before the outbox existed) or an open or given-up one. The schema names come in one query,
the requests' statuses in one query per batch of schemas, and the repair is one update per enterprise."""

from collections import defaultdict

from django.db import migrations
from django.db.models import Exists, OuterRef

SCHEMAS_PER_QUERY = 100


def mark_withdrawn(apps, schema_editor):
    FinancingFact = apps.get_model("lending", "FinancingFact")
    FinancingOutbox = apps.get_model("lending", "FinancingOutbox")
    Enterprise = apps.get_model("tenants", "Enterprise")
    connection = schema_editor.connection
    published = FinancingOutbox.objects.filter(
        tenant_id=OuterRef("tenant_id"), request_id=OuterRef("request_id"), completed_at__isnull=False
    )
    pending = defaultdict(list)
    candidates = FinancingFact.objects.filter(status="submitted").filter(~Exists(published))
    for tenant_id, request_id in candidates.values_list("tenant_id", "request_id"):
        pending[tenant_id].append(request_id)
    if not pending:
        return
    schemas = dict(Enterprise.objects.filter(pk__in=list(pending)).values_list("pk", "schema_name"))
    tables = {
        tenant_id: f"{connection.ops.quote_name(schema)}.finance_financingrequest"
        for tenant_id, schema in schemas.items()
        if schema
    }
    with connection.cursor() as cursor:
        # a schema never made has nothing to compare with
        cursor.execute(
            "SELECT t FROM unnest(%s::text[]) AS t WHERE to_regclass(t) IS NOT NULL", [list(tables.values())]
        )
        existing = {row[0] for row in cursor.fetchall()}
        tables = {tenant_id: table for tenant_id, table in tables.items() if table in existing}
        live = defaultdict(set)
        items = list(tables.items())
        for start in range(0, len(items), SCHEMAS_PER_QUERY):
            batch = items[start : start + SCHEMAS_PER_QUERY]
            # quoted schema names; the values are parameters
            sql = " UNION ALL ".join(
                f"SELECT %s::bigint, id FROM {table} WHERE id = ANY(%s::bigint[]) AND status = 'submitted'"
                for _tenant_id, table in batch
            )
            params = [value for tenant_id, _table in batch for value in (tenant_id, pending[tenant_id])]
            cursor.execute(sql, params)
            for tenant_id, request_id in cursor.fetchall():
                live[tenant_id].add(request_id)
    for tenant_id in tables:
        stale = [request_id for request_id in pending[tenant_id] if request_id not in live[tenant_id]]
        if stale:
            FinancingFact.objects.filter(tenant_id=tenant_id, request_id__in=stale).update(status="withdrawn")


class Migration(migrations.Migration):
    dependencies = [
        ("lending", "0003_outbox_gave_up"),
        ("tenants", "0001_initial"),
    ]

    operations = [migrations.RunPython(mark_withdrawn, migrations.RunPython.noop)]
