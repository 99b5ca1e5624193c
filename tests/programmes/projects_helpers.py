"""Helpers of the project tests (area C): an accepted provider, a PDF upload, a project applied to,
submitted and approved through the services (approval set on the model: the admins' decisions are
another area's)."""

import datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from programmes import projects
from programmes.models import Enrolment, Project
from tests.programmes.conftest import make_programme, make_provider, make_solution, verified

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(content: bytes = PDF, name: str = "contract.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def accepted(programme, slug: str = "acc", **solution_fields):
    provider, user = make_provider(slug)
    Enrolment.objects.create(programme=programme, provider=provider, status=Enrolment.Status.ACCEPTED)
    return provider, user, make_solution(provider, **solution_fields)


def contract(programme, solution, **changes) -> dict:
    start = programme.apply_from + datetime.timedelta(days=15)
    values = {
        "solution_id": solution.pk,
        "contract_amount": "200000.00",
        "contract_signed_on": programme.apply_from + datetime.timedelta(days=10),
        "contract_start": start,
        "contract_end": start + datetime.timedelta(days=120),
        "contract_file": pdf(),
    }
    return {**values, **changes}


def applied(world, people, *, scene_level: int = 1, programme=None, **programme_fields):
    """(programme, project, before assessment): verified, then applied through the service."""
    before = verified(world, people, scene_level=scene_level)
    programme = programme or make_programme(**programme_fields)
    project = projects.project_apply(enterprise=world.enterprise, user=world.owner, programme_id=programme.pk)
    return programme, project, before


def submitted_project(world, people, **kwargs):
    programme, project, _before = applied(world, people, **kwargs)
    _provider, provider_user, solution = accepted(programme)
    projects.project_submit(
        enterprise=world.enterprise,
        user=world.owner,
        project_id=project.pk,
        **contract(programme, solution),
    )
    project.refresh_from_db()
    return programme, project, provider_user


def approve(project: Project) -> Project:
    """What the admin's approval leaves (programmes.decisions is another area's)."""
    project.state = Project.State.APPROVED
    project.approved_at = timezone.now()
    project.subsidy_reserved = Decimal("60000.00")
    project.save()
    return project
