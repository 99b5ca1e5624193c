"""An enterprise's lifecycle (tenants/lifecycle.py): suspended by an operator (its members see the
"suspended" page, its API answers 403, the hall hides it, nothing is deleted), closed by its owner
or an operator (a grace period with a banner, undone by reopening), and erased after the grace
period by the beat's task on the real worker (schema, files and private rows gone; the published
facts stay de-identified and the reports sum the same)."""

import datetime
import io

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.models import AuditEvent
from exhibition.hall.models import BoothListing, ExhibitionFact
from exhibition.models import Product
from tenants import lifecycle
from tenants.models import Domain, Enterprise
from tenants.tokens import token_create
from tests.conftest import PASSWORD
from tests.exhibition.test_booths import exhibit
from tests.exhibition.test_hall_policy import HIDDEN, SHOWN, _doors
from tests.manufacturing.test_assessments import bilingual

pytestmark = pytest.mark.django_db


def _state(world) -> dict:
    """What suspending must not change: the workspace's rows and its public listing."""
    with tenant_context(world.enterprise):
        products = Product.objects.count()
    return {
        "products": products,
        "listings": BoothListing.objects.filter(tenant=world.enterprise).count(),
        "facts": ExhibitionFact.objects.filter(tenant=world.enterprise).count(),
        "domains": Domain.objects.filter(tenant=world.enterprise).count(),
        "members": world.enterprise.user_set.count(),
    }


def test_a_suspended_workspace_shows_its_page_refuses_its_api_hides_its_booths_and_deletes_nothing(
    make_enterprise, fair, django_capture_on_commit_callbacks
):
    world = make_enterprise()
    _booth, listing = exhibit(world, fair, name_zh="伺服电机", name_en="Servo", tags=[], image=True)
    member = world.client()
    assert member.get("/", HTTP_ACCEPT_LANGUAGE="en").status_code == 200
    assert _doors(listing, fair["exhibition"]) == SHOWN
    before = _state(world)

    with django_capture_on_commit_callbacks(execute=True):  # the host map hears of it on commit
        lifecycle.enterprise_suspend(enterprise=world.enterprise, actor=None, reason="Unpaid fees")

    for path in ("/", "/members/", "/assessments/", "/exhibition/", "/login/"):
        page = member.get(path, HTTP_ACCEPT_LANGUAGE="en")
        assert page.status_code == 403, path
        text = page.content.decode()
        assert 'id="suspended"' in text and "Unpaid fees" in text and "Sign out" in text
    zh = member.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "暂停" in zh
    anonymous = Client(HTTP_HOST=world.host).get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert anonymous.status_code == 403 and 'id="suspended"' in anonymous.content.decode()
    body = bilingual(member.get("/api/v1/workspace/"), 403)
    assert body["code"] == "enterprise_suspended"
    _token, key = token_create(user=world.owner)
    with_token = Client(HTTP_HOST=world.host, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert bilingual(with_token.get("/api/v1/workspace/"), 403)["code"] == "enterprise_suspended"
    # signing out still works (no loop back into the page)
    assert member.post("/logout/").status_code == 302
    assert member.get("/").status_code == 403
    assert _doors(listing, fair["exhibition"]) == HIDDEN
    assert _state(world) == before
    event = AuditEvent.objects.get(tenant=world.enterprise, action=lifecycle.Action.SUSPENDED)
    from django.utils import translation

    from core.audit import presented

    with translation.override("en"):
        [shown] = presented([event])
    assert shown.line.change == "Workspace: Active → Suspended, reason: Unpaid fees"
    with translation.override("zh-hans"):
        [shown] = presented([event])
    assert shown.line.change == "工作空间：正常 → 已暂停，理由：Unpaid fees", shown.line.change
    assert (event.old, event.new, event.reason) == (
        {"state": "active"},
        {"state": "suspended"},
        "Unpaid fees",
    )

    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.enterprise_resume(enterprise=world.enterprise, actor=None, reason="Paid")
    assert world.client().get("/", HTTP_ACCEPT_LANGUAGE="en").status_code == 200
    assert _doors(listing, fair["exhibition"]) == SHOWN
    assert _state(world) == before


def test_suspend_needs_a_reason_and_a_state_it_can_leave(make_enterprise):
    world = make_enterprise()
    with pytest.raises(lifecycle.ApplicationError):
        lifecycle.enterprise_suspend(enterprise=world.enterprise, actor=None, reason="  ")
    with pytest.raises(lifecycle.ConflictError):
        lifecycle.enterprise_resume(enterprise=world.enterprise, actor=None, reason="x")
    public = Enterprise.objects.get(schema_name="public")
    with pytest.raises(lifecycle.ApplicationError):
        lifecycle.enterprise_suspend(enterprise=public, actor=None, reason="x")
    assert Enterprise.objects.get(pk=world.enterprise.pk).lifecycle == "active"


def test_the_command_suspends_resumes_closes_and_reopens_by_schema_or_credit_code(make_enterprise):
    world = make_enterprise()
    enterprise = world.enterprise
    out = io.StringIO()
    call_command("enterprise", "suspend", enterprise.schema_name, "--reason", "audit", stdout=out)
    assert "Suspended" in out.getvalue()
    call_command("enterprise", "resume", enterprise.credit_code.lower(), "--reason", "ok", stdout=out)
    call_command("enterprise", "close", enterprise.schema_name, "--reason", "asked", stdout=out)
    assert Enterprise.objects.get(pk=enterprise.pk).lifecycle == "closing"
    call_command("enterprise", "reopen", enterprise.schema_name, "--reason", "mistake", stdout=out)
    assert Enterprise.objects.get(pk=enterprise.pk).lifecycle == "active"
    with pytest.raises(CommandError, match="No enterprise"):
        call_command("enterprise", "suspend", "nope", "--reason", "x")
    with pytest.raises(CommandError, match="reason"):
        call_command("enterprise", "suspend", enterprise.schema_name)
    actions = list(
        AuditEvent.objects.filter(tenant=enterprise).order_by("pk").values_list("action", flat=True)
    )
    assert actions[-4:] == ["ent_suspended", "ent_resumed", "ent_closing", "ent_reopened"]


def test_operators_suspend_from_the_admin_with_a_reason(make_enterprise):
    from tenants.models import User

    world = make_enterprise()
    operator = User.objects.create_superuser(email="lifecycle-op@example.com", password=PASSWORD)
    admin = Client(HTTP_HOST="localhost")
    admin.force_login(operator)
    url = "/admin/tenants/enterprise/"
    asked = admin.post(url, {"action": "suspend", "_selected_action": [world.enterprise.pk]})
    assert asked.status_code == 200 and 'name="reason"' in asked.content.decode()
    assert Enterprise.objects.get(pk=world.enterprise.pk).lifecycle == "active"
    done = admin.post(
        url, {"action": "suspend", "_selected_action": [world.enterprise.pk], "apply": "1", "reason": "Spam"}
    )
    assert done.status_code == 302
    enterprise = Enterprise.objects.get(pk=world.enterprise.pk)
    assert (enterprise.lifecycle, enterprise.lifecycle_reason, enterprise.lifecycle_changed_by) == (
        "suspended",
        "Spam",
        operator,
    )


# --- closing: the owner's page, the grace period, undo ---------------------------------------------------


def test_the_owner_closes_with_the_password_sees_the_date_and_reopens(
    make_enterprise, django_capture_on_commit_callbacks
):
    world = make_enterprise()
    owner = world.client()
    page = owner.get("/settings/close/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"{settings.ENTERPRISE_CLOSE_GRACE_DAYS} days" in page
    wrong = owner.post("/settings/close/", {"do": "close", "password": "wrong"}, HTTP_ACCEPT_LANGUAGE="en")
    assert wrong.status_code == 200 and "password is not correct" in wrong.content.decode()
    assert Enterprise.objects.get(pk=world.enterprise.pk).lifecycle == "active"

    with django_capture_on_commit_callbacks(execute=True):
        response = owner.post("/settings/close/", {"do": "close", "password": PASSWORD})
    assert response.status_code == 302
    enterprise = Enterprise.objects.get(pk=world.enterprise.pk)
    assert enterprise.lifecycle == "closing" and enterprise.lifecycle_changed_by == world.owner
    expected = timezone.now() + datetime.timedelta(days=settings.ENTERPRISE_CLOSE_GRACE_DAYS)
    assert abs((enterprise.erase_after - expected).total_seconds()) < 60
    home = owner.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert home.status_code == 200  # the owner still works (and exports) during the grace period
    assert 'id="closing-banner"' in home.content.decode()
    assert enterprise.erase_after.strftime("%Y-%m-%d") in home.content.decode()
    # not due yet: the erase changes nothing
    assert lifecycle.enterprise_erase(enterprise_id=enterprise.pk) is False
    assert lifecycle.erase_due() == [] or enterprise.pk not in lifecycle.erase_due()

    with django_capture_on_commit_callbacks(execute=True):
        response = owner.post("/settings/close/", {"do": "reopen", "password": PASSWORD})
    enterprise = Enterprise.objects.get(pk=world.enterprise.pk)
    assert (enterprise.lifecycle, enterprise.erase_after) == ("active", None)
    assert 'id="closing-banner"' not in owner.get("/").content.decode()
    # late: the grace period is over, but the reopened enterprise is not erased
    assert (
        lifecycle.enterprise_erase(enterprise_id=enterprise.pk, now=expected + datetime.timedelta(days=1))
        is False
    )


def test_a_suspended_enterprise_closed_by_an_operator_reopens_into_suspended(make_enterprise):
    world = make_enterprise()
    lifecycle.enterprise_suspend(enterprise=world.enterprise, actor=None, reason="fraud")
    lifecycle.enterprise_close(enterprise=world.enterprise, actor=None, reason="fraud, closed")
    lifecycle.enterprise_reopen(enterprise=world.enterprise, actor=None, reason="appeal")
    assert Enterprise.objects.get(pk=world.enterprise.pk).lifecycle == "suspended"


def test_only_the_owner_of_the_host_closes_it_and_never_another_enterprise(
    make_enterprise, django_capture_on_commit_callbacks
):
    from tenants.members import services as member_services
    from tenants.services import user_create

    a, b = make_enterprise(), make_enterprise()
    a_owner_on_b = Client(HTTP_HOST=b.host)
    a_owner_on_b.force_login(a.owner)
    for data in ({"do": "close", "password": PASSWORD}, {"do": "reopen", "password": PASSWORD}):
        assert a_owner_on_b.post("/settings/close/", data).status_code == 404
        assert a_owner_on_b.get("/settings/close/").status_code == 404
    # a header naming B's host while on A's connection changes nothing either: the host decides
    a_owner = a.client()
    with django_capture_on_commit_callbacks(execute=True):
        a_owner.post("/settings/close/", {"do": "close", "password": PASSWORD, "enterprise": b.enterprise.pk})
    assert Enterprise.objects.get(pk=a.enterprise.pk).lifecycle == "closing"
    assert Enterprise.objects.get(pk=b.enterprise.pk).lifecycle == "active"
    # B closed by its owner: A's owner cannot undo it
    lifecycle.enterprise_close(enterprise=b.enterprise, actor=b.owner, reason="b closes")
    assert a_owner_on_b.post("/settings/close/", {"do": "reopen", "password": PASSWORD}).status_code == 404
    assert Enterprise.objects.get(pk=b.enterprise.pk).lifecycle == "closing"
    # an administrator of B (not an owner) cannot close or reopen it
    admin = user_create(email="lifecycle-admin@example.com", password=PASSWORD, name="Adm")
    member_services.member_add(enterprise=b.enterprise, user=admin, role="admin", invited_by=b.owner)
    b_admin = Client(HTTP_HOST=b.host)
    b_admin.force_login(admin)
    assert b_admin.post("/settings/close/", {"do": "reopen", "password": PASSWORD}).status_code == 403
    assert Enterprise.objects.get(pk=b.enterprise.pk).lifecycle == "closing"


def test_every_public_link_to_an_enterprise_is_either_erased_or_kept_on_purpose():
    """A new public table pointing at enterprises is erased with them unless its app says to keep
    it (lifecycle.keep_on_erase): this lists what is kept, so a change to it is seen in review."""
    assert lifecycle.kept_labels() == {
        "core.AuditEvent",
        "tenants.LegalConsent",
        "review.AssessmentFact",
        "lending.FinancingFact",
        "hall.ExhibitionFact",
        "programmes.ProjectFact",
    }
    erased = {model._meta.label for model, _field in lifecycle._relations()}
    assert {
        "tenants.Domain",
        "hall.BoothListing",
        "hall.Inquiry",
        "hall.MeetingSlot",
        "review.ReviewCase",
        "programmes.Project",
    } <= erased


def test_the_metrics_count_enterprises_by_lifecycle_state(make_enterprise):
    from tenants.selectors import enterprise_counts_by_state

    world = make_enterprise()
    before = enterprise_counts_by_state()
    lifecycle.enterprise_suspend(enterprise=world.enterprise, actor=None, reason="x")
    after = enterprise_counts_by_state()
    assert after["suspended"] == before["suspended"] + 1 and after["ready"] == before["ready"] - 1
    lifecycle.enterprise_close(enterprise=world.enterprise, actor=None, reason="x")
    closing = enterprise_counts_by_state()
    assert closing["closing"] == before["closing"] + 1 and closing["suspended"] == before["suspended"]


def test_closing_a_suspended_enterprise_keeps_it_blocked_during_the_grace_period(make_enterprise):
    """Review finding 1: an operator's close of a suspended workspace must not lift the suspension."""
    world = make_enterprise()
    lifecycle.enterprise_suspend(enterprise=world.enterprise, actor=None, reason="fraud")
    lifecycle.enterprise_close(enterprise=world.enterprise, actor=None, reason="fraud, closed")
    _token, key = token_create(user=world.owner)
    with_token = Client(HTTP_HOST=world.host, HTTP_AUTHORIZATION=f"Bearer {key}")
    for path in ("/api/v1/workspace/", "/api/v1/data-exports/"):
        assert bilingual(with_token.get(path), 403)["code"] == "enterprise_suspended", path
    member = world.client()
    for path in ("/", "/members/", "/data/", "/settings/close/"):
        page = member.get(path, HTTP_ACCEPT_LANGUAGE="en")
        assert page.status_code == 403 and 'id="suspended"' in page.content.decode(), path
    assert member.post("/logout/").status_code == 302


def test_the_operators_reason_is_shown_to_members_only(make_enterprise):
    """Review finding 3: anyone may open a workspace's address; the reason is for its members."""
    world = make_enterprise()
    lifecycle.enterprise_suspend(enterprise=world.enterprise, actor=None, reason="Unpaid fees 4711")
    anonymous = Client(HTTP_HOST=world.host).get("/", HTTP_ACCEPT_LANGUAGE="en")
    text = anonymous.content.decode()
    assert anonymous.status_code == 403 and 'id="suspended"' in text and "4711" not in text
    assert "4711" in world.client().get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_close_and_reopen_read_the_state_under_the_row_lock(make_enterprise, monkeypatch):
    """Review finding 7: a change committed between reading the state and locking the row (here
    run just before the lock) is not undone by the close or the reopen."""
    world = make_enterprise()
    real_change = lifecycle._change
    lifecycle.enterprise_suspend(enterprise=world.enterprise, actor=None, reason="fraud")

    def resumed_meanwhile(**kwargs):
        real_change(
            enterprise=world.enterprise,
            allowed=(Enterprise.Lifecycle.SUSPENDED,),
            to=Enterprise.Lifecycle.ACTIVE,
            actor=None,
            reason="paid",
            action=lifecycle.Action.RESUMED,
        )
        return real_change(**kwargs)

    monkeypatch.setattr(lifecycle, "_change", resumed_meanwhile)
    lifecycle.enterprise_close(enterprise=world.enterprise, actor=None, reason="closed")
    monkeypatch.undo()
    assert Enterprise.objects.get(pk=world.enterprise.pk).closed_from == "active"

    # closed from active; meanwhile an operator reopens it, suspends it and closes it again
    def suspended_meanwhile(**kwargs):
        monkeypatch.undo()
        lifecycle.enterprise_reopen(enterprise=world.enterprise, actor=None, reason="x")
        lifecycle.enterprise_suspend(enterprise=world.enterprise, actor=None, reason="fraud")
        lifecycle.enterprise_close(enterprise=world.enterprise, actor=None, reason="closed again")
        return real_change(**kwargs)

    monkeypatch.setattr(lifecycle, "_change", suspended_meanwhile)
    lifecycle.enterprise_reopen(enterprise=world.enterprise, actor=None, reason="appeal")
    assert Enterprise.objects.get(pk=world.enterprise.pk).lifecycle == "suspended"
