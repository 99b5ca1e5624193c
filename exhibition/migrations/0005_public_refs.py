"""References into the public schema without foreign key constraints; a trigger checks each
instead (tenants/public_refs.py)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from tenants.public_refs import AddPublicReferenceCheck


class Migration(migrations.Migration):

    dependencies = [
        ('tenants', '0003_public_refs'),
        ('exhibition', '0004_featured_order'),
        ('hall', '0010_listing_indexes'),
        ('tenants', '0002_institution_role'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='booth',
            name='created_by',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='booth',
            name='exhibition',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='hall.exhibition', verbose_name='exhibition'),
        ),
        migrations.AlterField(
            model_name='booth',
            name='section',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='hall.section', verbose_name='section'),
        ),
        migrations.AlterField(
            model_name='lead',
            name='replied_by',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='product',
            name='created_by',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='product',
            name='industry',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tenants.industry', verbose_name='industry division'),
        ),
        AddPublicReferenceCheck(model_name='booth', name='created_by'),
        AddPublicReferenceCheck(model_name='booth', name='exhibition'),
        AddPublicReferenceCheck(model_name='booth', name='section'),
        AddPublicReferenceCheck(model_name='lead', name='replied_by'),
        AddPublicReferenceCheck(model_name='product', name='created_by'),
        AddPublicReferenceCheck(model_name='product', name='industry'),
    ]
