"""The programmes' reference data: key industry segments (programmes/segments.json)."""

import json
from pathlib import Path

from programmes.models import Segment

SEGMENTS = Path(__file__).resolve().parent / "segments.json"


def segments_load() -> int:
    """Creates or updates the shipped segments (after the industry divisions); idempotent."""
    rows = json.loads(SEGMENTS.read_text(encoding="utf-8"))["segments"]
    for row in rows:
        Segment.objects.update_or_create(
            code=row["code"],
            defaults={"division_id": row["division"], "name_zh": row["name_zh"], "name_en": row["name_en"]},
        )
    return len(rows)
