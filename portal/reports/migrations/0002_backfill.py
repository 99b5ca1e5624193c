"""Fills the cells for facts and enterprises that existed before the reports did."""

from django.db import migrations


def backfill(apps, schema_editor):
    # Only an existing installation has rows; a fresh database skips the (current-model) rebuild.
    if apps.get_model("review", "AssessmentFact").objects.exists() or apps.get_model(
        "tenants", "Enterprise"
    ).objects.filter(status="ready").exists():
        from portal.reports import rollup

        rollup.rebuild()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("review", "0002_fact_counted_quarters"),
        ("tenants", "0001_initial"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
