"""The workspace's activity log: every member change and every booth and lead status change writes
one row (who, what, before, after, when) in the enterprise's schema, in the same transaction; its
owners and administrators read it (page and API), anyone else of the enterprise gets 403 and anyone
outside it 404. An exhibition's status change is audited in the regional admins' log."""

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.models import AuditEvent
from exhibition import booths
from exhibition.models import Lead
from tenants.members import services
from tenants.members.models import Activity, Invitation, Membership, Role
from tenants.tokens import token_create
from tests.manufacturing.test_review import logged_in, person
from tests.test_members import add_member, client_for, membership_of

pytestmark = pytest.mark.django_db


def rows(world, since: int = 0) -> list[tuple]:
    with tenant_context(world.enterprise):
        return list(
            Activity.objects.filter(pk__gt=since)
            .order_by("pk")
            .values_list("actor__email", "action", "subject", "old", "new")
        )


def last_id(world) -> int:
    with tenant_context(world.enterprise):
        return Activity.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_member_changes_are_each_one_row_with_who_and_before_after(alpha):
    start = last_id(alpha)
    owner = client_for(alpha, alpha.owner)
    assert owner.post("/members/", {"email": "Act-New@example.com", "role": "member"}).status_code == 302
    assert owner.post("/members/", {"email": "act-gone@example.com", "role": "viewer"}).status_code == 302
    with tenant_context(alpha.enterprise):
        gone = Invitation.objects.get(email="act-gone@example.com")
    assert owner.post(f"/members/invitations/{gone.pk}/revoke/").status_code == 302
    # the invited person accepts, through the link of the email
    with tenant_context(alpha.enterprise):
        invitation = Invitation.objects.get(email="act-new@example.com")
    link = services.invitation_token(enterprise=alpha.enterprise, invitation=invitation)
    newcomer = person("act-new@example.com", "")
    accepted = Client(HTTP_HOST=alpha.host).post(f"/invitations/{link}/", {"password": "x-Strong-pass-1"})
    assert accepted.status_code == 302
    member_id = membership_of(alpha, newcomer).pk
    assert owner.post(f"/members/{member_id}/role/", {"role": "admin"}).status_code == 302
    assert owner.post(f"/members/{member_id}/role/", {"role": "admin"}).status_code == 302  # no change
    assert owner.post(f"/members/{member_id}/remove/").status_code == 302
    who = alpha.owner.email
    assert rows(alpha, start) == [
        (who, "invited", "act-new@example.com", "", "member"),
        (who, "invited", "act-gone@example.com", "", "viewer"),
        (who, "invitation_revoked", "act-gone@example.com", "pending", "revoked"),
        ("act-new@example.com", "joined", "act-new@example.com", "", "member"),
        (who, "role_changed", "act-new@example.com", "member", "admin"),
        (who, "removed", "act-new@example.com", "admin", ""),
    ]


def test_a_refused_change_writes_no_row(alpha):
    start = last_id(alpha)
    owner_id = membership_of(alpha, alpha.owner).pk
    response = client_for(alpha, alpha.owner).post(f"/members/{owner_id}/remove/")  # the last owner
    assert response.status_code in (302, 409)
    assert rows(alpha, start) == []
    with tenant_context(alpha.enterprise):
        assert Membership.objects.filter(pk=owner_id).exists()


def test_booth_and_lead_status_changes_are_each_one_row(alpha, fair):
    section = fair["equipment"]
    fair = fair["exhibition"]
    member = add_member(alpha, "act-member@example.com", Role.MEMBER)
    start = last_id(alpha)
    with tenant_context(alpha.enterprise):
        booth = booths.booth_register(
            enterprise=alpha.enterprise, exhibition_id=fair.pk, section_id=section.pk, user=member
        )
        booth.intro_zh = "我们的展位"
        booth.save()
        lead = Lead.objects.create(
            inquiry_id=990001, buyer_name="王采购", buyer_email="buyer@example.com", company="采购公司",
            message="报价？", received_at=timezone.now(),
        )  # fmt: skip
    client = client_for(alpha, member)
    assert client.post(f"/exhibition/booths/{booth.pk}/publish/").status_code == 302
    response = client.post(f"/api/v1/exhibition/booths/{booth.pk}/unpublish/")
    assert response.status_code == 200
    assert client.post(f"/api/v1/exhibition/booths/{booth.pk}/unpublish/").status_code == 200  # no change
    answered = client.post(
        f"/api/v1/exhibition/leads/{lead.pk}/reply/", {"reply": "100元"}, content_type="application/json"
    )
    assert answered.status_code == 200
    assert client.post(f"/exhibition/leads/{lead.pk}/answer/", {"close": "1"}).status_code == 302
    assert client.post(f"/api/v1/exhibition/leads/{lead.pk}/close/").status_code == 200  # already closed
    booth_subject, lead_subject = f"{fair.name_zh} (#{booth.pk})", f"王采购, 采购公司 (#{lead.pk})"
    assert rows(alpha, start) == [
        (member.email, "booth_registered", booth_subject, "", "draft"),
        (member.email, "booth_published", booth_subject, "draft", "published"),
        (member.email, "booth_withdrawn", booth_subject, "published", "draft"),
        (member.email, "lead_replied", lead_subject, "new", "replied"),
        (member.email, "lead_closed", lead_subject, "replied", "closed"),
    ]


def test_owners_and_admins_read_the_log_in_both_languages(alpha):
    admin = add_member(alpha, "act-admin@example.com", Role.ADMIN)
    services.member_role_change(
        enterprise=alpha.enterprise,
        membership=membership_of(alpha, admin),
        role=Role.MEMBER,
        acting_user=alpha.owner,
    )
    page = client_for(alpha, alpha.owner).get("/activity/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Role changed" in page and "act-admin&#x27;s role: Administrator → Member" in page
    assert "act-admin@example.com" not in page  # a person by their name
    assert "<code>" not in page and "role_changed</td>" not in page
    assert page.index("Role changed") < page.index("Joined")  # newest first
    chinese = (
        client_for(alpha, alpha.owner).get("/activity/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    )
    assert "角色变更" in chinese and "act-admin 的角色：管理员 → 成员" in chinese
    members = client_for(alpha, alpha.owner).get("/members/").content.decode()
    assert 'href="/activity/"' in members

    _token, key = token_create(user=alpha.owner)
    api = Client(HTTP_HOST=alpha.host, HTTP_AUTHORIZATION=f"Bearer {key}")
    body = api.get("/api/v1/activity/", {"limit": 1}).json()
    assert body["count"] >= 2 and body["next"] and len(body["results"]) == 1
    (latest,) = body["results"]
    assert latest["action"] == "role_changed" and latest["actor"] == alpha.owner.email
    assert (latest["subject"], latest["old"], latest["new"]) == ("act-admin@example.com", "admin", "member")
    assert latest["action_label"] == {"zh": "角色变更", "en": "Role changed"}
    assert latest["old_label"]["en"] == "Administrator" and latest["new_label"]["en"] == "Member"
    assert api.get("/api/v1/activity/", {"limit": "x"}).status_code in (200, 400)  # never a 500


@pytest.mark.parametrize("role", [Role.MEMBER, Role.VIEWER])
def test_members_below_admin_get_403_on_the_log(alpha, role):
    user = add_member(alpha, f"act-{role}@example.com", role)
    client = client_for(alpha, user)
    page = client.get("/activity/")
    assert page.status_code == 403
    _token, key = token_create(user=user)
    api = Client(HTTP_HOST=alpha.host, HTTP_AUTHORIZATION=f"Bearer {key}")
    response = api.get("/api/v1/activity/")
    assert response.status_code == 403 and response.json()["detail"]


def test_a_member_of_another_enterprise_gets_404_on_the_log(alpha, beta):
    client = client_for(alpha, beta.owner)
    assert client.get("/activity/").status_code == 404
    _token, key = token_create(user=beta.owner)
    api = Client(HTTP_HOST=alpha.host, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.get("/api/v1/activity/").status_code == 404
    # and beta's own log holds nothing of alpha's
    services.invitation_create(
        enterprise=alpha.enterprise, email="act-only-alpha@example.com", role="member", invited_by=alpha.owner
    )
    beta_page = client_for(beta, beta.owner).get("/activity/").content.decode()
    assert "act-only-alpha@example.com" not in beta_page


def test_the_log_is_in_the_openapi_document():
    schema = Client(HTTP_HOST="localhost").get("/api/schema/").content.decode()
    assert "/api/v1/activity/" in schema and "ActivityOutput" in schema


def test_an_exhibition_status_change_is_audited_for_the_regional_admins(fair):
    admin = person("act-region@example.com", "regional_admin")
    fair = fair["exhibition"]
    fair.status = "draft"
    fair.save(update_fields=["status"])
    client = logged_in(admin, "en")
    assert client.post(f"/hall/manage/{fair.pk}/open/").status_code == 302
    assert client.post(f"/api/v1/hall/exhibitions/{fair.pk}/close/").status_code == 200
    events = list(
        AuditEvent.objects.filter(action="exhibition")
        .order_by("pk")
        .values_list("actor", "subject", "old", "new")
    )
    subject = f"#{fair.pk} {fair.name_zh}"
    assert events == [(admin.pk, subject, "draft", "open"), (admin.pk, subject, "open", "closed")]
    log = client.get("/review/audit/", {"action": "exhibition"}).content.decode()
    assert "Exhibition status changed" in log and fair.name_zh in log and subject not in log
    assert "Status: Booth registration open → Booth registration closed" in log
    assert "act-region" in log and "act-region@example.com" not in log  # by name
