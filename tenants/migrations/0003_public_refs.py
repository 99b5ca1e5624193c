"""Integrity of references from enterprise schemas into the public schema, without foreign keys
(tenants/public_refs.py says why): the check function the tenant-side triggers call, and the guard
that refuses to delete public rows enterprises may point at."""

from django.db import migrations

from tenants.public_refs import DROP_FUNCTIONS_SQL, FUNCTIONS_SQL, guard_trigger_sql

REFERENCED = ["tenants_user", "tenants_industry", "frameworks_framework", "hall_exhibition", "hall_section"]


class Migration(migrations.Migration):
    dependencies = [
        ("tenants", "0002_institution_role"),
        ("frameworks", "0002_scoringrequest_resends"),
        ("hall", "0010_listing_indexes"),
    ]

    operations = [
        migrations.RunSQL(FUNCTIONS_SQL, DROP_FUNCTIONS_SQL),
        *(
            migrations.RunSQL(
                guard_trigger_sql(table), f'DROP TRIGGER IF EXISTS "{table}_referenced" ON public."{table}"'
            )
            for table in REFERENCED
        ),
    ]
