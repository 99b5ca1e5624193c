"""An exhibition's status changes are audited too (AuditEvent.Action.EXHIBITION)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('review', '0002_fact_counted_quarters'),
    ]

    operations = [
        migrations.AlterField(
            model_name='auditevent',
            name='action',
            field=models.CharField(choices=[('submitted', 'Submitted'), ('scored', 'Scored'), ('assigned', 'Assessor assigned'), ('unassigned', 'Assignment cancelled'), ('overridden', 'Answer overridden'), ('override_removed', 'Override removed'), ('commented', 'Comment added'), ('returned', 'Returned to the enterprise'), ('approved', 'Approved'), ('published', 'Verified result published'), ('exhibition', 'Exhibition status changed')], max_length=20, verbose_name='what'),
        ),
    ]
