"""The private values of the review's audit rows move into the enterprise's schema.

Until now review.AuditEvent (public, read by regional admins) held the answers before and after an
override, the override's reason and the comment's and the return's text. This migration makes the
table that keeps them in each enterprise schema (manufacturing.AuditDetail) and moves that
enterprise's values from public into it, blanking them in public, in the same transaction: each
enterprise schema runs it once, when `migrate_enterprises` (or the template's `migrate`) reaches it,
so a start never repeats it and its cost is the enterprise's own rows."""

from django.db import migrations, models

# AuditEvent.PRIVATE as it was when this migration was written.
PRIVATE = ["overridden", "override_removed", "commented", "returned"]

MOVE = """
WITH mine AS (
    SELECT e.id, e.old, e.new, e.reason
    FROM public.review_auditevent e
    WHERE e.tenant_id = (SELECT t.id FROM public.tenants_enterprise t WHERE t.schema_name = %(schema)s)
      AND e.action = ANY(%(actions)s)
      AND (e.old IS NOT NULL OR e.new IS NOT NULL OR e.reason <> '')
    FOR UPDATE
), copied AS (
    INSERT INTO {table} (event_id, old, new, reason)
    SELECT id, old, new, reason FROM mine
    ON CONFLICT (event_id) DO NOTHING
)
UPDATE public.review_auditevent e SET old = NULL, new = NULL, reason = ''
FROM mine WHERE e.id = mine.id
"""


def move(connection, schema_name: str) -> int:
    """Moves the private values of `schema_name`'s enterprise from public into that schema; returns
    how many rows moved. Safe to run again (moved rows are blank in public)."""
    if schema_name == "public":
        raise RuntimeError("the audit values move into an enterprise schema, never into public")
    table = f"{connection.ops.quote_name(schema_name)}.manufacturing_auditdetail"
    with connection.cursor() as cursor:
        cursor.execute(MOVE.format(table=table), {"schema": schema_name, "actions": PRIVATE})
        return cursor.rowcount


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    move(connection, connection.schema_name)


class Migration(migrations.Migration):

    dependencies = [
        ('manufacturing', '0004_fewer_indexes'),
        ('review', '0003_audit_exhibition'),
    ]

    operations = [
        migrations.CreateModel(
            name='AuditDetail',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('event_id', models.BigIntegerField(unique=True)),
                ('old', models.JSONField(null=True, verbose_name='old value')),
                ('new', models.JSONField(null=True, verbose_name='new value')),
                ('reason', models.TextField(blank=True, verbose_name='reason')),
            ],
            options={
                'verbose_name': 'audit detail',
                'verbose_name_plural': 'audit details',
            },
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
