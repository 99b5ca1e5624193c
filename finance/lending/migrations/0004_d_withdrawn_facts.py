"""Financing facts published as "submitted" whose request is no longer live (withdrawn, or gone) take
the request's status, so that regional figures, which count live needs only, leave them out. The
publish step already republishes a fact when its request is withdrawn; this repairs facts left behind
by a lost or given-up publish. Reads each enterprise's schema once, for its submitted facts only."""

from collections import defaultdict

from django.db import migrations


def mark_withdrawn(apps, schema_editor):
    FinancingFact = apps.get_model("lending", "FinancingFact")
    Enterprise = apps.get_model("tenants", "Enterprise")
    connection = schema_editor.connection
    pending = defaultdict(list)
    for tenant_id, request_id in FinancingFact.objects.filter(status="submitted").values_list(
        "tenant_id", "request_id"
    ):
        pending[tenant_id].append(request_id)
    for tenant_id, request_ids in pending.items():
        schema = Enterprise.objects.filter(pk=tenant_id).values_list("schema_name", flat=True).first()
        if not schema:
            continue
        table = f"{connection.ops.quote_name(schema)}.finance_financingrequest"
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s)", [table])
            if cursor.fetchone()[0] is None:
                continue  # a schema never made: nothing to compare with
            cursor.execute(
                f"SELECT id, status FROM {table} WHERE id = ANY(%s)",  # noqa: S608 (quoted name)
                [request_ids],
            )
            status = dict(cursor.fetchall())
        for request_id in request_ids:
            now = status.get(request_id, "withdrawn")
            if now != "submitted":
                FinancingFact.objects.filter(tenant_id=tenant_id, request_id=request_id).update(
                    status="withdrawn"
                )


class Migration(migrations.Migration):
    dependencies = [
        ("lending", "0003_outbox_gave_up"),
        ("tenants", "0001_initial"),
    ]

    operations = [migrations.RunPython(mark_withdrawn, migrations.RunPython.noop)]
