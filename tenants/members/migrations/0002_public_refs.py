"""References into the public schema without foreign key constraints; a trigger checks each
instead (tenants/public_refs.py)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from tenants.public_refs import AddPublicReferenceCheck


class Migration(migrations.Migration):

    dependencies = [
        ('tenants', '0003_public_refs'),
        ('members', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='invitation',
            name='invited_by',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='invited by'),
        ),
        migrations.AlterField(
            model_name='membership',
            name='invited_by',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='invited by'),
        ),
        migrations.AlterField(
            model_name='membership',
            name='user',
            field=models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='user'),
        ),
        AddPublicReferenceCheck(model_name='invitation', name='invited_by'),
        AddPublicReferenceCheck(model_name='membership', name='invited_by'),
        AddPublicReferenceCheck(model_name='membership', name='user'),
    ]
