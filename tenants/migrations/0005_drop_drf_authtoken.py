"""API tokens moved from DRF's authtoken (plain keys that never expired) to django-rest-knox
(hashed, expiring). The old table goes, with its keys: clients sign in again once. Its migration
records go too, so that adding the app back later would create its table again."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("tenants", "0004_schema_version")]

    operations = [
        migrations.RunSQL(
            "DROP TABLE IF EXISTS authtoken_token CASCADE; "
            "DELETE FROM django_migrations WHERE app = 'authtoken';",
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
