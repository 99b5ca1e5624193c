"""Verified-report numbers (manufacturing/review/verification.py) and the enterprise's consent to be
named on the public verification page. Assessments approved before this migration get their number
here, in the form new approvals get (the year of their approval); none is named until it agrees."""

import secrets

from django.db import migrations, models
from django.utils import timezone

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # as verification.ALPHABET, frozen here


def number_approved_cases(apps, schema_editor):
    ReviewCase = apps.get_model("review", "ReviewCase")
    AssessmentFact = apps.get_model("review", "AssessmentFact")
    taken = set(ReviewCase.objects.exclude(report_number=None).values_list("report_number", flat=True))
    approved = {
        (tenant_id, assessment_id): approved_at
        for tenant_id, assessment_id, approved_at in AssessmentFact.objects.values_list(
            "tenant_id", "assessment_id", "approved_at"
        )
    }
    for case in ReviewCase.objects.filter(status__in=["verifying", "verified"], report_number=None):
        when = approved.get((case.tenant_id, case.assessment_id)) or case.updated_at
        city = case.city_id[:4] if case.city_id and case.city_id[:4].isdigit() else "0000"
        while True:
            number = f"JJJ-{timezone.localtime(when).year:04d}-{city}-" + "".join(secrets.choice(ALPHABET) for _ in range(8))
            if number not in taken:
                break
        taken.add(number)
        ReviewCase.objects.filter(pk=case.pk).update(report_number=number)


class Migration(migrations.Migration):
    dependencies = [("review", "0006_outbox")]

    operations = [
        migrations.AddField(
            model_name="reviewcase",
            name="publish_name",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="reviewcase",
            name="report_number",
            field=models.CharField(blank=True, max_length=32, null=True, unique=True),
        ),
        migrations.RunPython(number_approved_cases, migrations.RunPython.noop),
    ]
