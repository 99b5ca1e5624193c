"""Content types, Django permissions and groups, and django-tenant-users' per-tenant permission rows
now live in the public schema only (portal/settings.py, TENANT_APPS): their copies in an enterprise
schema go. Runs in enterprise schemas only (the members app is not migrated in public), and names
each table with the schema it runs in, so nothing in public can be touched."""

from django.db import migrations

TABLES = [
    "permissions_usertenantpermissions_groups",
    "permissions_usertenantpermissions_user_permissions",
    "permissions_usertenantpermissions",
    "auth_group_permissions",
    "auth_permission",
    "auth_group",
    "django_content_type",
]

DROP = """
DO $$
DECLARE
    t text;
BEGIN
    IF current_schema() = 'public' THEN
        RAISE EXCEPTION 'members.0003 must not run in the public schema';
    END IF;
    FOREACH t IN ARRAY ARRAY[%s] LOOP
        EXECUTE format('DROP TABLE IF EXISTS %%I.%%I CASCADE', current_schema(), t);
    END LOOP;
END
$$;
""" % ", ".join(f"'{table}'" for table in TABLES)


class Migration(migrations.Migration):
    dependencies = [("members", "0002_public_refs")]

    operations = [migrations.RunSQL(DROP, migrations.RunSQL.noop)]
