"""The programmes in the data lifecycle: an erased enterprise's projects are settled (withdrawn, their
reserved budget released) and deleted with their milestones, events and contracts, while their facts
stay de-identified; the enterprise's data export holds its projects (and no one else's); its backup
copies them, with the programmes, providers and solutions they point at matched by natural key."""

import datetime
import io
import json
import time
import zipfile
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from programmes import facts
from programmes.models import Event, Milestone, Project, ProjectFact
from tenants import lifecycle
from tests.programmes.conftest import make_programme, make_provider, make_solution
from tests.programmes.test_facts import make_project
from tests.test_backup import ROLLUPS, create_database, drop_database, manage, table_sums


def _erase(world) -> None:
    lifecycle.enterprise_close(enterprise=world.enterprise, actor=None, reason="leaving")
    later = timezone.now() + datetime.timedelta(days=settings.ENTERPRISE_CLOSE_GRACE_DAYS + 1)
    assert lifecycle.enterprise_erase(enterprise_id=world.enterprise.pk, now=later) is True


@pytest.fixture
def erasable(committed):
    """A committed enterprise (inside a test's transaction its schema's fresh rows would hold pending
    trigger events that forbid dropping it); its programmes, providers and facts removed afterwards."""
    from programmes.models import Programme, Provider, ProviderMember, Solution
    from tests.conftest import build_enterprise

    stamp = time.time_ns() % 10_000_000_000
    world = build_enterprise(slug=f"perase{stamp}", city="120000")
    world.stamp = stamp
    yield world
    programmes = set(Programme.objects.filter(projects__tenant=world.enterprise))
    programmes |= set(Programme.objects.filter(facts__tenant=world.enterprise))
    Event.objects.filter(programme__in=programmes).delete()
    Project.objects.filter(programme__in=programmes).delete()
    # After the projects: a session's worker could still publish a fact of a project not yet deleted.
    ProjectFact.objects.filter(programme__in=programmes).delete()
    for programme in programmes:
        programme.delete()
    providers = list(Provider.objects.filter(name_en__endswith=str(stamp)))
    Solution.objects.filter(provider__in=providers).delete()
    ProviderMember.objects.filter(provider__in=providers).delete()
    for provider in providers:
        provider.delete()


def _granted_and_applied(world):
    provider, _user = make_provider(f"erase{getattr(world, 'stamp', '')}")
    solution = make_solution(provider)
    granted_in = make_programme(cities=(world.enterprise.city_id,), granted=Decimal("60000"))
    granted = make_project(
        world, granted_in, state=Project.State.GRANTED, provider=provider, solution=solution,
        contract_amount=Decimal("200000"), after_level=3, after_total=60.0, target_met=True,
        subsidy_granted=Decimal("60000"), publish_name=True, approved_at=timezone.now(),
        completed_at=timezone.now(),
    )  # fmt: skip
    granted.contract_file.save("c.pdf", ContentFile(b"%PDF-1.4 contract"), save=True)
    Milestone.objects.create(project=granted, title="Deployed", due_on=timezone.localdate())
    Event.objects.create(action=Event.Action.SUBSIDY_GRANTED, programme=granted_in, project=granted)
    applied_in = make_programme(cities=(world.enterprise.city_id,), name_zh="第二个试点")
    applied = make_project(world, applied_in, publish_name=True)
    for project in (granted, applied):
        facts.fact_publish(project_id=project.pk)
    return granted, applied


def test_erasing_deletes_the_projects_and_keeps_their_facts_without_the_name(erasable):
    world = erasable
    granted, applied = _granted_and_applied(world)
    contract = granted.contract_file.name
    assert default_storage.exists(contract)
    assert ProjectFact.objects.get(project_id=granted.pk).enterprise_name == world.enterprise.name

    _erase(world)

    assert not Project.objects.filter(tenant=world.enterprise).exists()
    assert not Milestone.objects.filter(project_id__in=[granted.pk, applied.pk]).exists()
    assert not Event.objects.filter(project_id__in=[granted.pk, applied.pk]).exists()
    assert not default_storage.exists(contract)
    kept = {f.project_id: f for f in ProjectFact.objects.filter(tenant=world.enterprise)}
    assert set(kept) == {granted.pk, applied.pk}
    assert {(f.enterprise_name, f.publish_name) for f in kept.values()} == {("", False)}
    # The figures stay: the grant (the programme's money spent) and the withdrawal of the live one.
    assert (kept[granted.pk].state, kept[granted.pk].subsidy_granted) == ("granted", Decimal("60000.00"))
    assert kept[applied.pk].state == "withdrawn"
    assert granted.programme.__class__.objects.get(pk=granted.programme_id).granted == Decimal("60000.00")
    # The withdrawal is on the programme's trail, naming the project's id only.
    trail = Event.objects.get(programme=applied.programme_id, action=Event.Action.PROJECT_WITHDRAWN)
    assert trail.project_id is None and trail.detail == {"project": applied.pk, "released": "0.00"}


def test_erasing_releases_the_budget_reserved_for_a_project_under_way(erasable):
    pytest.importorskip("programmes.budget", reason="programmes/budget.py is area B's (release)")
    world = erasable
    programme = make_programme(cities=(world.enterprise.city_id,), reserved=Decimal("84000"))
    project = make_project(
        world, programme, state=Project.State.APPROVED, contract_amount=Decimal("280000"),
        subsidy_reserved=Decimal("84000"), approved_at=timezone.now(),
    )  # fmt: skip
    _erase(world)
    programme.refresh_from_db()
    assert (programme.reserved, programme.granted) == (Decimal("0.00"), Decimal("0.00"))
    fact = ProjectFact.objects.get(project_id=project.pk)
    assert fact.state == "withdrawn" and fact.enterprise_name == ""
    trail = Event.objects.get(programme=programme, action=Event.Action.PROJECT_WITHDRAWN)
    assert trail.old == "approved" and trail.detail == {"project": project.pk, "released": "84000.00"}


@pytest.mark.django_db
def test_the_data_export_holds_the_enterprises_projects_and_no_one_elses(make_enterprise, alpha):
    from core import data_export

    world = make_enterprise()
    granted, applied = _granted_and_applied(world)
    other = make_project(alpha, applied.programme)
    target = io.BytesIO()
    data_export.build(enterprise=world.enterprise, target=target)
    archive = zipfile.ZipFile(target)
    projects = json.loads(archive.read("programmes/projects.json"))
    assert {row["id"] for row in projects} == {granted.pk, applied.pk}
    assert other.pk not in {row["id"] for row in projects}
    assert "fact_version" not in projects[0]  # the outbox's bookkeeping is not the enterprise's data
    assert [row["title"] for row in json.loads(archive.read("programmes/milestones.json"))] == ["Deployed"]
    assert len(json.loads(archive.read("programmes/project_events.json"))) == 1
    assert {row["project_id"] for row in json.loads(archive.read("programmes/project_facts.json"))} == {
        granted.pk, applied.pk
    }  # fmt: skip
    contract = next(row for row in projects if row["id"] == granted.pk)["contract_file"]
    assert archive.read(contract) == b"%PDF-1.4 contract"
    assert "programmes/projects.csv" in archive.namelist()


@pytest.mark.django_db
def test_the_enterprise_backup_copies_its_projects_and_names_what_they_point_at(make_enterprise):
    from portal.backup import enterprise as one

    assert one.uncovered_models() == []
    assert {
        "programmes.Project",
        "programmes.Milestone",
        "programmes.Event",
        "programmes.ProjectFact",
    } <= set(one.PUBLIC_MODELS)
    world = make_enterprise()
    granted, applied = _granted_and_applied(world)
    public, _users = one._public_rows(world.enterprise)
    assert {row["id"] for row in public["programmes.Project"]} == {granted.pk, applied.pk}
    assert len(public["programmes.Milestone"]) == 1 and len(public["programmes.Event"]) == 1
    assert len(public["programmes.ProjectFact"]) == 2
    references = one._references(public, world.enterprise.schema_name)
    assert {row["pk"] for row in references["programmes.Programme"]} == {
        granted.programme_id, applied.programme_id
    }  # fmt: skip
    assert [row["credit_code"] for row in references["programmes.Provider"]] == [granted.provider.credit_code]
    assert [row["name_zh"] for row in references["programmes.Solution"]] == [granted.solution.name_zh]
    # Matched back by natural key (here: the same installation finds the same rows).
    maps = one._reference_maps(references)
    assert maps["programmes.Solution"] == {granted.solution_id: granted.solution_id}
    assert maps["programmes.Programme"][applied.programme_id] == applied.programme_id


@pytest.fixture
def platform(tmp_path):
    """A populated platform (its demo included) in a database of its own, with its files, as
    tests/test_backup.py makes it."""
    database = create_database("bk_prog")
    media = tmp_path / "media"
    try:
        manage(database, media, "setup_platform")
        yield database, media
    finally:
        drop_database(database)


def test_an_enterprise_with_projects_is_backed_up_and_restored_over_itself(platform, tmp_path):
    """On the demo platform (setup_platform, in a database of its own): the Baoding demo enterprise,
    whose project is granted, restored over itself: every table as it was (its project, milestones,
    events and fact put back with their ids, the programme's budget untouched)."""
    source, source_media = platform
    with source.connect() as conn:
        (code,) = conn.execute(
            "SELECT credit_code FROM tenants_enterprise WHERE slug = 'bd-lianchi'"
        ).fetchone()
        (projects,) = conn.execute(
            "SELECT count(*) FROM programmes_project p JOIN tenants_enterprise e ON e.id = p.tenant_id "
            "WHERE e.slug = 'bd-lianchi'"
        ).fetchone()
    assert projects == 1
    before = table_sums(source, without_ids=ROLLUPS)
    result = manage(source, source_media, "backup", str(tmp_path / "one"), "--enterprise", code)
    archive = result.stdout.strip().splitlines()[-1]
    restored = manage(source, source_media, "restore", "--enterprise", archive)
    assert "(replaced)" in restored.stdout
    assert table_sums(source, without_ids=ROLLUPS) == before
