"""The six sweepers' beat entries give way to the one outbox sweeper (core.sweep_outboxes).

django-celery-beat copies `beat_schedule` into its tables but never deletes an entry that left it, so
an installation would keep sending the removed tasks every minute (unregistered on the worker)."""

from django.db import migrations
from django.utils import timezone

OLD_SWEEPERS = (
    "tenants.sweep_registrations",
    "manufacturing.sweep_scoring",
    "review.sweep_publishing",
    "lending.sweep_financing",
    "hall.sweep_listings",
    "hall.sweep_inquiries",
)


def forget_old_sweepers(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    if PeriodicTask.objects.filter(task__in=OLD_SWEEPERS).delete()[0]:
        # Tells a running beat to read its schedule again.
        PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forget_old_sweepers, migrations.RunPython.noop)]
