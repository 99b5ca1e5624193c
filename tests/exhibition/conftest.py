"""Fixtures of the exhibition cloud's tests."""

import datetime

import pytest
from django.utils import timezone

from exhibition.hall.models import Exhibition, Section

TODAY = timezone.localdate()


@pytest.fixture
def fair():
    exhibition = Exhibition.objects.create(
        name_zh="京津冀智造博览会", name_en="Jingjinji Manufacturing Fair", status="open",
        starts_on=TODAY + datetime.timedelta(days=10), ends_on=TODAY + datetime.timedelta(days=12),
        registration_deadline=TODAY + datetime.timedelta(days=5),
    )  # fmt: skip
    equipment = Section.objects.create(exhibition=exhibition, name_zh="装备", name_en="Equipment")
    cars = Section.objects.create(exhibition=exhibition, name_zh="汽车", name_en="Automotive")
    return {"exhibition": exhibition, "equipment": equipment, "cars": cars}
