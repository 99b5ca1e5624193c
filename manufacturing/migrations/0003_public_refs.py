"""References into the public schema without foreign key constraints; a trigger checks each
instead (tenants/public_refs.py)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from tenants.public_refs import AddPublicReferenceCheck


class Migration(migrations.Migration):

    dependencies = [
        ('tenants', '0003_public_refs'),
        ('frameworks', '0002_scoringrequest_resends'),
        ('manufacturing', '0002_comment_override_assessment_verified_at_and_more'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='answer',
            name='updated_by',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='assessment',
            name='created_by',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by'),
        ),
        migrations.AlterField(
            model_name='assessment',
            name='framework',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='frameworks.framework', verbose_name='framework'),
        ),
        migrations.AlterField(
            model_name='assessment',
            name='pledge_signed_by',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='pledge signed by'),
        ),
        migrations.AlterField(
            model_name='assessment',
            name='submitted_by',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='submitted by'),
        ),
        migrations.AlterField(
            model_name='comment',
            name='author',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='evidence',
            name='uploaded_by',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='override',
            name='created_by',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        AddPublicReferenceCheck(model_name='answer', name='updated_by'),
        AddPublicReferenceCheck(model_name='assessment', name='created_by'),
        AddPublicReferenceCheck(model_name='assessment', name='framework'),
        AddPublicReferenceCheck(model_name='assessment', name='pledge_signed_by'),
        AddPublicReferenceCheck(model_name='assessment', name='submitted_by'),
        AddPublicReferenceCheck(model_name='comment', name='author'),
        AddPublicReferenceCheck(model_name='evidence', name='uploaded_by'),
        AddPublicReferenceCheck(model_name='override', name='created_by'),
    ]
