"""The workspace's activity log (who invited whom, changed whose role, removed whom, published or
withdrew a booth, answered or closed a lead), in each enterprise's schema."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from tenants.public_refs import AddPublicReferenceCheck


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0003_drop_shared_tables'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Activity',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField(auto_now_add=True, verbose_name='when')),
                ('action', models.CharField(choices=[('invited', 'Invited'), ('invitation_revoked', 'Invitation withdrawn'), ('joined', 'Joined'), ('role_changed', 'Role changed'), ('removed', 'Removed from the enterprise'), ('booth_registered', 'Booth registered'), ('booth_published', 'Booth published'), ('booth_withdrawn', 'Booth withdrawn from the hall'), ('lead_replied', 'Lead answered'), ('lead_closed', 'Lead closed')], max_length=20, verbose_name='what')),
                ('subject', models.CharField(max_length=200, verbose_name='item')),
                ('object_id', models.BigIntegerField(blank=True, null=True)),
                ('old', models.CharField(blank=True, max_length=20, verbose_name='before')),
                ('new', models.CharField(blank=True, max_length=20, verbose_name='after')),
                ('actor', models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='who')),
            ],
            options={
                'verbose_name': 'activity',
                'verbose_name_plural': 'activities',
                'ordering': ['-pk'],
            },
        ),
        AddPublicReferenceCheck(model_name='activity', name='actor'),
    ]
