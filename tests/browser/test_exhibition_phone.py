"""Issue 17: every page of the exhibition cloud and the hall at 390×844 is no wider than the phone (tables
scroll inside their card or stack), for the exhibitor, the buyer, the regional admin and a visitor.

Not django_db: everything commits (`committed`) so that gunicorn sees it; the hall's rows are deleted in
`finally`, users deactivated."""

import datetime
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.models import Notice
from exhibition import booths
from exhibition.hall.models import Booking, BoothListing, Exhibition, Inquiry, MeetingSlot, Section
from exhibition.hall.publishing import listing_publish
from exhibition.models import Booth, Lead, Product
from tenants.models import Enterprise, User
from tenants.services import user_create
from tests.browser.conftest import sign_in
from tests.conftest import build_enterprise, references_checked

pytestmark = [pytest.mark.browser]

PHONE = {"width": 390, "height": 844}
PASSWORD = "Phone-browser-2026"
# The innermost elements reaching past the screen's right edge, to name in a failure.
WIDEST = """
[...document.querySelectorAll("body *")]
  .filter((e) => e.getBoundingClientRect().right > window.innerWidth && !e.querySelector("*"))
  .slice(0, 5)
  .map((e) => `${e.tagName.toLowerCase()}#${e.id}.${e.className} ${e.getBoundingClientRect().right}`)
"""


def wide_pages(page, urls) -> list[str]:
    found = []
    for url in urls:
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            culprits = page.evaluate(WIDEST)
            found.append(f"{url}: {width}px, widest: {culprits}")
    return found


def test_the_exhibition_pages_fit_a_phone(browser, live_server_url, committed):
    port = urlsplit(live_server_url).port
    users: list[User] = []
    exhibitions: list[Exhibition] = []
    enterprises: list[int] = []
    contexts = []
    try:
        world = build_enterprise(slug="ephone", city="130600", industry="C34", seed=9419)
        users.append(world.owner)
        enterprises.append(world.enterprise.pk)
        tenant_url = f"http://{world.host}:{port}"
        today = timezone.localdate()
        fair = Exhibition.objects.create(
            name_zh="京津冀智能制造与工业互联网线上博览会（手机测试）",
            name_en="Jingjinji Smart Manufacturing and Industrial Internet Online Expo (phone test)",
            status="open", starts_on=today + datetime.timedelta(days=10),
            ends_on=today + datetime.timedelta(days=12),
            registration_deadline=today + datetime.timedelta(days=5),
        )  # fmt: skip
        exhibitions.append(fair)
        section = Section.objects.create(exhibition=fair, name_zh="智能装备", name_en="Smart equipment")
        with tenant_context(world.enterprise):
            product = Product.objects.create(
                name_zh="数控车床 CK6150",
                specifications="最大回转直径: 500 mm\n主轴转速范围（无级变速）: 30–3000 r/min",
                industry=world.enterprise.industry,
                created_by=world.owner,
            )
            booth = booths.booth_register(
                enterprise=world.enterprise, exhibition_id=fair.pk, section_id=section.pk, user=world.owner
            )
            booth.intro_zh = "保定的数控机床制造商。"
            booth.save()
            booth.featured.add(product)
            booths.booth_publish(booth_id=booth.pk, enterprise=world.enterprise, user=world.owner)
            Lead.objects.create(
                inquiry_id=987_654_321,
                buyer_name="采购经理王工",
                buyer_email="a-rather-long-procurement-address@purchasing.example.com",
                company="天津海河机电设备采购有限公司",
                message="请报价：数控车床 CK6150 共 5 台，交货期多久？",
                exhibition_name=fair.name_zh,
                received_at=timezone.now(),
            )
        connection.set_schema_to_public()
        listing = listing_publish(tenant_id=world.enterprise.pk, booth_id=booth.pk)
        start = timezone.now() + datetime.timedelta(days=1)
        slots = [
            MeetingSlot.objects.create(
                tenant=world.enterprise, starts_at=start, ends_at=start + datetime.timedelta(minutes=30),
                mode="online", link="https://meet.example.com/" + "r" * 120,
            ),
            MeetingSlot.objects.create(
                tenant=world.enterprise, starts_at=start + datetime.timedelta(hours=1),
                ends_at=start + datetime.timedelta(hours=1, minutes=30), mode="address",
                address="河北省保定市竞秀区朝阳北大街 888 号保定数控机床产业园 3 号楼 5 层 501 会议室",
            ),
        ]  # fmt: skip
        buyer = user_create(email="ephone-buyer@example.com", password=PASSWORD, name="采购经理李工")
        admin = user_create(
            email="ephone-admin@example.com",
            password=PASSWORD,
            name="区域管理员",
            platform_role="regional_admin",
        )
        users += [buyer, admin]
        Booking.objects.create(slot=slots[0], buyer=buyer, booth_id=booth.pk, exhibition=fair)
        Inquiry.objects.create(
            listing=listing, tenant=world.enterprise, booth_id=booth.pk, buyer=buyer,
            buyer_name="采购经理李工",
            buyer_email=buyer.email, message="请报价。", sent_at=timezone.now(),
        )  # fmt: skip

        def phone(email, password, url):
            context = browser.new_context(locale="zh-CN", viewport=PHONE)
            contexts.append(context)
            page = context.new_page()
            if email:
                sign_in(page, url + "/login/", email, password)
            return page

        wide = []
        owner = phone(world.owner.email, world.password, tenant_url)
        wide += wide_pages(
            owner,
            [
                f"{tenant_url}/exhibition/",
                f"{tenant_url}/exhibition/products/new/",
                f"{tenant_url}/exhibition/products/{product.pk}/",
                f"{tenant_url}/exhibition/booths/",
                f"{tenant_url}/exhibition/booths/{booth.pk}/",
                f"{tenant_url}/exhibition/leads/",
                f"{tenant_url}/exhibition/slots/",
            ],
        )
        buyer_page = phone(buyer.email, PASSWORD, live_server_url)
        wide += wide_pages(
            buyer_page,
            [
                f"{live_server_url}/hall/",
                f"{live_server_url}/hall/{fair.pk}/",
                f"{live_server_url}/hall/booths/{listing.pk}/",
                f"{live_server_url}/hall/bookings/",
                f"{live_server_url}/hall/inquiries/",
            ],
        )
        admin_page = phone(admin.email, PASSWORD, live_server_url)
        wide += wide_pages(
            admin_page,
            [
                f"{live_server_url}/hall/manage/",
                f"{live_server_url}/hall/manage/new/",
                f"{live_server_url}/hall/manage/{fair.pk}/",
                f"{live_server_url}/hall/manage/{fair.pk}/participation/",
            ],
        )
        visitor = phone(None, None, live_server_url)
        wide += wide_pages(
            visitor,
            [
                f"{live_server_url}/join/",
                f"{live_server_url}/hall/signup/",
                f"{live_server_url}/hall/booths/{listing.pk}/",
            ],
        )
        assert wide == [], wide
    finally:
        for context in contexts:
            context.close()
        connection.set_schema_to_public()
        Booking.objects.filter(buyer__in=users).delete()
        Inquiry.objects.filter(tenant_id__in=enterprises).delete()
        MeetingSlot.objects.filter(tenant_id__in=enterprises).delete()
        BoothListing.objects.filter(tenant_id__in=enterprises).delete()
        for enterprise in Enterprise.objects.filter(pk__in=enterprises):
            with tenant_context(enterprise), references_checked():
                Booth.objects.filter(exhibition__in=exhibitions).delete()
                Exhibition.objects.filter(pk__in=[e.pk for e in exhibitions]).delete()
        connection.set_schema_to_public()
        Notice.objects.filter(user__in=users).delete()
        User.objects.filter(pk__in=[u.pk for u in users]).update(is_active=False)
