"""References into the public schema without foreign key constraints; a trigger checks each
instead (tenants/public_refs.py)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from tenants.public_refs import AddPublicReferenceCheck


class Migration(migrations.Migration):

    dependencies = [
        ('tenants', '0003_public_refs'),
        ('finance', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='financialstatement',
            name='updated_by',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='updated by'),
        ),
        migrations.AlterField(
            model_name='financingrequest',
            name='created_by',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by'),
        ),
        AddPublicReferenceCheck(model_name='financialstatement', name='updated_by'),
        AddPublicReferenceCheck(model_name='financingrequest', name='created_by'),
    ]
