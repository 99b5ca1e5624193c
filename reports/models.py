"""Rollups of the published facts that the regional reports read, kept by the publishing worker.

Each cell holds *changes* in one quarter, not a state: an enterprise verified for the first time adds
itself to the cell of its approval quarter; a later approval in another quarter moves it (minus the old
assessment, plus the new one, in the new quarter's cells). The state at the end of quarter Q is the sum
of the cells up to Q. Cells come at four grains, so that every filter combination reads about one row
per city and quarter however many enterprises there are: ALL ("*") stands for every industry division
or every size.
"""

from django.db import models

ALL = "*"


class VerifiedCell(models.Model):
    """Verified enterprises (their counted assessment) of one framework version, city, industry
    division and size, changed in one quarter. `quarter` is year * 4 + quarter - 1 (Asia/Shanghai)."""

    framework = models.ForeignKey("frameworks.Framework", on_delete=models.CASCADE, related_name="+")
    city = models.CharField(max_length=6)
    industry = models.CharField(max_length=3)  # a division code, or ALL
    size = models.CharField(max_length=10)  # a revenue band, "" when unknown, or ALL
    quarter = models.IntegerField()
    n = models.IntegerField(default=0)
    total_sum = models.FloatField(default=0)
    levels = models.JSONField(default=dict)  # {"<level>": count change}
    dimensions = models.JSONField(default=dict)  # {"<dimension key>": score sum change}

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "size", "industry", "city", "quarter"], name="verified_cell_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.framework_id}/{self.city}/{self.industry}/{self.size}/{self.quarter}: {self.n}"


OPEN = 2**31 - 1  # the `until` of a span still running


class IndustrySpan(models.Model):
    """How many enterprises of a city and industry division (per size, or ALL) count, from quarter
    `since` up to, not including, `until`: the running sum of the industry-grain cells, kept beside them
    so that the leading industries at any quarter's end are one indexed read of one row per division,
    not a sum over every quarter's cells."""

    framework = models.ForeignKey("frameworks.Framework", on_delete=models.CASCADE, related_name="+")
    city = models.CharField(max_length=6)
    industry = models.CharField(max_length=3)
    size = models.CharField(max_length=10)
    since = models.IntegerField()
    until = models.IntegerField(default=OPEN)
    n = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "size", "industry", "city", "since"], name="industry_span_unique"
            )
        ]
        indexes = [models.Index(fields=["framework", "size", "until", "city"], name="industry_span_at")]

    def __str__(self) -> str:
        return (
            f"{self.framework_id}/{self.city}/{self.industry}/{self.size} {self.since}-{self.until}: {self.n}"
        )


class RegisteredCell(models.Model):
    """Enterprises whose workspace became ready in one quarter, by city, industry division and size."""

    city = models.CharField(max_length=6)
    industry = models.CharField(max_length=3)
    size = models.CharField(max_length=10)
    quarter = models.IntegerField()
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["size", "industry", "city", "quarter"], name="registered_cell_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.city}/{self.industry}/{self.size}/{self.quarter}: {self.n}"
