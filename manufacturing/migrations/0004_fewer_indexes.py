"""Indexes a workspace does not need: covered by a unique index, or on tables of a few rows."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('frameworks', '0002_scoringrequest_resends'),
        ('manufacturing', '0003_public_refs'),
    ]

    operations = [
        migrations.AlterField(
            model_name='answer',
            name='assessment',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='answers', to='manufacturing.assessment'),
        ),
        migrations.AlterField(
            model_name='assessment',
            name='framework',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='frameworks.framework', verbose_name='framework'),
        ),
        migrations.AlterField(
            model_name='override',
            name='assessment',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='overrides', to='manufacturing.assessment'),
        ),
    ]
