"""Indexes a workspace does not need: covered by a unique index, or on tables of a few rows."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('exhibition', '0005_public_refs'),
        ('hall', '0010_listing_indexes'),
        ('tenants', '0004_schema_version'),
    ]

    operations = [
        migrations.AlterField(
            model_name='booth',
            name='exhibition',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='hall.exhibition', verbose_name='exhibition'),
        ),
        migrations.AlterField(
            model_name='booth',
            name='section',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='hall.section', verbose_name='section'),
        ),
        migrations.AlterField(
            model_name='featuredproduct',
            name='booth',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, to='exhibition.booth'),
        ),
        migrations.AlterField(
            model_name='product',
            name='industry',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tenants.industry', verbose_name='industry division'),
        ),
    ]
