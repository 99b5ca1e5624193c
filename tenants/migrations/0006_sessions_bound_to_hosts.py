"""Sessions are bound to the host they were made on (portal.middleware.SessionHostMiddleware). A
session from before carries no host, and the middleware would bind it to whichever host it came
with first, a copied cookie's too: those sessions end here, once, and everyone signs in again."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("tenants", "0005_drop_drf_authtoken"),
        ("sessions", "0001_initial"),
    ]

    operations = [migrations.RunSQL("DELETE FROM django_session", migrations.RunSQL.noop)]
