"""Recommended solutions: accepted providers' active solutions that fit the enterprise, ranked by its
own verified gaps, each with why; fitting solutions without a match after; others not at all."""

import pytest

from manufacturing.interface import framework_items, verified_gaps
from programmes.models import Enrolment
from tests.programmes.conftest import make_provider, make_solution
from tests.programmes.projects_helpers import accepted, applied

pytestmark = pytest.mark.django_db


def test_solutions_improving_a_blocked_constraint_scene_come_first_and_say_why(alpha, people):
    programme, project, before = applied(alpha, people, scene_level=1)
    from django_tenants.utils import tenant_context

    with tenant_context(alpha.enterprise):
        gaps = verified_gaps(assessment_id=before.pk)
    constraint = next(g for g in gaps["scene_gaps"] if g["constraint"])
    plain = next((g for g in gaps["scene_gaps"] if not g["constraint"]), None)
    names = framework_items(framework_id=programme.framework_id)["scenes"]
    _p, _u, blocked = accepted(programme, slug="blocked", scenes=[constraint["key"]])
    _p, _u, unmatched = accepted(programme, slug="none", scenes=[])
    _p, _u, unfit = accepted(programme, slug="unfit", scenes=[constraint["key"]], sizes=["ge400m"])
    rejected, _user = make_provider("rejected")
    Enrolment.objects.create(programme=programme, provider=rejected, status=Enrolment.Status.REJECTED)
    make_solution(rejected, scenes=[constraint["key"]])
    if plain:
        _p, _u, _other = accepted(programme, slug="plain", scenes=[plain["key"]])
    response = alpha.client().get(f"/api/v1/transformation/projects/{project.pk}/")
    assert response.status_code == 200
    ranked = response.json()["recommendations"]
    ids = [s["id"] for s in ranked]
    assert ids[0] == blocked.pk and ids[-1] == unmatched.pk
    assert unfit.pk not in ids and len(ids) == (3 if plain else 2)
    reason = ranked[0]["reasons"][0]
    assert reason["kind"] == "scene" and reason["key"] == constraint["key"]
    assert names[constraint["key"]]["en"] in reason["message"]["en"]
    assert "a constraint scene of yours at level 1" in reason["message"]["en"]
    assert names[constraint["key"]]["zh"] in reason["message"]["zh"]
    assert ranked[-1]["reasons"] == []
    page = alpha.client().get(f"/transformation/projects/{project.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert reason["message"]["en"] in page.content.decode()
