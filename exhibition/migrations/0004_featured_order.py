"""Featured products get an order: the plain many-to-many table gains a position column and becomes
the explicit FeaturedProduct model (same table, same unique pair)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("exhibition", "0003_lead"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    'ALTER TABLE "exhibition_booth_featured" ADD COLUMN "position" smallint NOT NULL DEFAULT 0 '
                    'CHECK ("position" >= 0)',
                    'ALTER TABLE "exhibition_booth_featured" DROP COLUMN "position"',
                ),
            ],
            state_operations=[
                migrations.CreateModel(
                    name="FeaturedProduct",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("position", models.PositiveSmallIntegerField(default=0, verbose_name="position")),
                        (
                            "booth",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, to="exhibition.booth"
                            ),
                        ),
                        (
                            "product",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, to="exhibition.product"
                            ),
                        ),
                    ],
                    options={
                        "db_table": "exhibition_booth_featured",
                        "ordering": ["position", "pk"],
                        "unique_together": {("booth", "product")},
                    },
                ),
                migrations.AlterField(
                    model_name="booth",
                    name="featured",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="+",
                        through="exhibition.FeaturedProduct",
                        to="exhibition.product",
                        verbose_name="featured products",
                    ),
                ),
            ],
        ),
    ]
