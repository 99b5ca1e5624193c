"""The fixtures give what the programme tests rely on: verified levels through the review's real path."""

import pytest

from manufacturing.interface import verified_fact
from tests.programmes.conftest import framework, verified

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("scene_level", [1, 3])
def test_verified_sets_the_level_the_test_asks_for(alpha, people, scene_level):
    assessment = verified(alpha, people, scene_level=scene_level)
    fact = verified_fact(tenant_id=alpha.enterprise.pk, framework_id=framework().pk)
    assert fact["assessment_id"] == assessment.pk and fact["assessor_id"] == people["assessor"].pk
    assert fact["level"] == scene_level == assessment.verified_result["level"]
