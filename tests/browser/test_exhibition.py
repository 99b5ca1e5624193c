"""The exhibition cloud in Chromium: a buyer finds a booth in the hall, sends an inquiry, books a slot;
the enterprise sees both.

The enterprise (bexpo, Baoding, C34) publishes a booth featuring a CNC lathe; the real worker copies it
into the hall. A buyer, in a browser of their own, opens the hall on the public site, searches the
exhibition by a Chinese keyword, opens the booth (whose product description carries markup that must
stay text), signs up as a buyer from the booth's link, sends an inquiry, books a meeting slot, sees it
in My meetings and downloads it as .ics. The owner, on the enterprise's host, finds the inquiry in the
lead inbox (delivered by the real worker) and the buyer on the booked slot.

Not django_db: everything commits (the `committed` fixture) so that gunicorn and the worker see it.
The enterprise is dropped by `committed`; the hall's rows this test causes (bookings, slots,
inquiries, listings, the exhibition) are deleted in `finally`, and the users deactivated (deleting one
would cascade into tenant tables the public schema does not have)."""

import datetime
import re
import time
import zoneinfo
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from core.models import Notice
from exhibition import booths
from exhibition.hall.models import Booking, BoothListing, Exhibition, Inquiry, MeetingSlot, Section
from exhibition.models import Booth, Product
from tenants.models import Enterprise, User
from tests.browser.conftest import sign_in
from tests.conftest import build_enterprise, references_checked

pytestmark = [pytest.mark.browser, pytest.mark.worker]

BAODING = "130600"
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
BUYER_EMAIL = "bexpo-buyer@example.com"
BUYER_NAME = "采购经理王工"
BUYER_PASSWORD = "Buyer-browser-2026"
INQUIRY = "请报价：数控车床 CK6150 共 5 台，交货期多久？"
MARKUP = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'
TIMEOUT = 30  # s, for what waits on the worker


def _wait_for(predicate, what: str) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def _local(moment: datetime.datetime) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def test_a_buyer_inquires_and_books_at_a_booth_and_the_enterprise_sees_both(
    browser, page, live_server_url, celery_worker, committed
):
    port = urlsplit(live_server_url).port
    users: list[User] = []
    exhibitions: list[Exhibition] = []
    enterprises: list[int] = []
    owner_context = None
    try:
        # --- the enterprise, an open exhibition, a booth published by the real worker, three slots
        world = build_enterprise(slug="bexpo", city=BAODING, industry="C34", seed=9401)
        users.append(world.owner)
        enterprises.append(world.enterprise.pk)
        tenant_url = f"http://{world.host}:{port}"
        today = timezone.localdate()
        fair = Exhibition.objects.create(
            name_zh="京津冀智能装备线上展", name_en="Jingjinji Smart Equipment Online Fair", status="open",
            starts_on=today + datetime.timedelta(days=10), ends_on=today + datetime.timedelta(days=12),
            registration_deadline=today + datetime.timedelta(days=5),
        )  # fmt: skip
        exhibitions.append(fair)
        section = Section.objects.create(exhibition=fair, name_zh="智能装备", name_en="Smart equipment")
        with tenant_context(world.enterprise):
            product = Product.objects.create(
                name_zh="数控车床 CK6150",
                name_en="CNC lathe CK6150",
                description_zh="高刚性床身，精度 0.005 mm。" + MARKUP,
                specifications="最大回转直径: 500 mm",
                tags=["smart"],
                industry=world.enterprise.industry,
                created_by=world.owner,
            )
            booth = booths.booth_register(
                enterprise=world.enterprise, exhibition_id=fair.pk, section_id=section.pk, user=world.owner
            )
            booth.intro_zh = "保定的数控机床制造商。"
            booth.save()
            booth.featured.add(product)
            booths.booth_publish(
                booth_id=booth.pk, enterprise=world.enterprise, user=world.owner
            )  # commits; the task follows
        connection.set_schema_to_public()
        _wait_for(
            lambda: BoothListing.objects.filter(tenant=world.enterprise, live=True).exists(),
            "the worker's copy of the booth",
        )
        listing = BoothListing.objects.get(tenant=world.enterprise)
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        first = datetime.datetime.combine(tomorrow, datetime.time(10, 0), tzinfo=SHANGHAI)
        slots = [
            MeetingSlot.objects.create(
                tenant=world.enterprise,
                starts_at=first + datetime.timedelta(minutes=30 * n),
                ends_at=first + datetime.timedelta(minutes=30 * (n + 1)),
            )
            for n in range(3)
        ]
        chosen = slots[1]

        # --- the buyer finds the booth: hall, exhibition, search by a Chinese keyword
        page.goto(live_server_url + "/hall/")
        page.locator(f"#exhibition-{fair.pk} h2 a").click()
        page.wait_for_url(f"**/hall/{fair.pk}/")
        expect(page.locator("h1")).to_have_text("京津冀智能装备线上展")
        search = page.locator("#hall-search")
        search.locator("input[name=q]").fill("没有这种产品")
        search.locator("button[type=submit]").click()
        page.wait_for_url(re.compile(r".*[?&]q="))
        expect(page.locator("#listings a.card")).to_have_count(0)
        search.locator("input[name=q]").fill("数控")
        search.locator("button[type=submit]").click()
        page.wait_for_url(re.compile(r".*[?&]q=%E6%95%B0%E6%8E%A7"))
        found = page.locator("#listings a.card")
        expect(found).to_have_count(1)
        expect(found).to_have_attribute("id", f"listing-{listing.pk}")
        expect(found).to_contain_text(world.enterprise.name)
        found.click()
        page.wait_for_url(f"**/hall/booths/{listing.pk}/")
        expect(page.locator("h1")).to_have_text(world.enterprise.name)
        expect(page.locator("#intro")).to_contain_text("保定的数控机床制造商。")

        # the product's description is text, never markup that runs
        products = page.locator("#products")
        expect(products).to_contain_text("数控车床 CK6150")
        expect(products).to_contain_text(MARKUP)
        expect(products.locator("script")).to_have_count(0)
        expect(products.locator("img[src=x]")).to_have_count(0)
        assert page.evaluate("typeof window.__pwned") == "undefined"

        # signed out: the slots are listed, without a button; the inquiry asks to sign in or sign up
        meetings = page.locator("#meetings")
        expect(meetings.locator("form.slot")).to_have_count(3)
        expect(meetings.locator("form.slot button")).to_have_count(0)
        expect(page.locator("#inquiry-message")).to_have_count(0)

        # --- the buyer signs up from the booth's link and comes back to the booth
        page.locator("#inquiry a[href^='/hall/signup/']").click()
        page.wait_for_url(re.compile(rf".*/hall/signup/\?next=/hall/booths/{listing.pk}/$"))
        signup = page.locator("#signup-form")
        signup.locator("#id_name").fill(BUYER_NAME)
        signup.locator("#id_email").fill(BUYER_EMAIL)
        signup.locator("#id_password").fill(BUYER_PASSWORD)
        signup.locator("#id_accept_terms").check()
        signup.locator("button[type=submit]").click()
        # the same answer whether or not the address has an account: sign in next
        page.wait_for_url(re.compile(r".*/login/\?next=%2Fhall%2Fbooths%2F\d+%2F$"))
        expect(page.locator("ul.messages li.success")).to_contain_text(BUYER_EMAIL)
        page.fill("#id_username", BUYER_EMAIL)
        page.fill("#id_password", BUYER_PASSWORD)
        page.locator("form.form button[type=submit]").click()
        page.wait_for_url(f"**/hall/booths/{listing.pk}/")
        # signed in: the booth now offers the inquiry form and the booking buttons
        expect(page.locator("#inquiry-message"), "not signed in after signing up").to_be_visible()
        expect(meetings.locator("form.slot button[type=submit]")).to_have_count(3)
        buyer = User.objects.get(email=BUYER_EMAIL)
        users.append(buyer)
        assert buyer.name == BUYER_NAME

        # --- the inquiry
        page.fill("#inquiry-message", INQUIRY)
        page.fill("#inquiry-company", "天津海河机电采购部")
        page.locator("#inquiry form button[type=submit]").click()  # back to the same page
        expect(page.locator("ul.messages li.success")).to_have_text(
            "询盘已发送，展商将在“线索收件箱”中收到。"
        )
        inquiry = Inquiry.objects.get(buyer=buyer)
        assert (inquiry.tenant_id, inquiry.listing_id, inquiry.message) == (
            world.enterprise.pk,
            listing.pk,
            INQUIRY,
        )

        # --- the booking of the second slot, from the booth's page
        meetings.locator(f"form.slot[action='/hall/slots/{chosen.pk}/book/'] button[type=submit]").click()
        page.locator("dialog [data-confirm-yes]").click()  # booking is confirmed in a dialog first
        expect(page.locator("ul.messages li.success")).to_have_text(
            "洽谈已预约，展商已收到通知。洽谈方式和日历文件可在“我的洽谈”中查看。"
        )
        expect(meetings.locator("form.slot")).to_have_count(2)  # no longer free
        expect(meetings.locator(f"form.slot[action='/hall/slots/{chosen.pk}/book/']")).to_have_count(0)
        booking = Booking.objects.get(buyer=buyer)
        assert booking.slot_id == chosen.pk

        # My meetings, and the .ics download
        page.locator("nav.topnav a[href='/hall/bookings/']").click()
        page.wait_for_url("**/hall/bookings/")
        rows = page.locator("#bookings tbody tr")
        expect(rows).to_have_count(1)
        when = f"{_local(chosen.starts_at)}–{chosen.ends_at.astimezone(SHANGHAI):%H:%M}"
        expect(rows).to_contain_text(when)
        expect(rows).to_contain_text(world.enterprise.name)
        expect(rows).to_contain_text("已预约")
        with page.expect_download() as download_info:
            rows.locator(f"a[href='/hall/bookings/{booking.pk}/meeting.ics']").click()
        download = download_info.value
        assert download.suggested_filename == f"meeting-{booking.pk}.ics"
        ics = Path(download.path()).read_text(encoding="utf-8")
        start = chosen.starts_at.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
        assert "BEGIN:VEVENT" in ics and f"DTSTART:{start}" in ics and "STATUS:CONFIRMED" in ics, ics
        assert world.enterprise.name in ics, ics

        # --- the enterprise's owner, on its own host, in a browser of their own
        owner_context = browser.new_context(locale="zh-CN")
        owner_page = owner_context.new_page()
        sign_in(owner_page, tenant_url + "/login/", world.owner.email, world.password)
        assert owner_page.url.startswith(tenant_url)

        # the lead inbox: the inquiry, once the real worker has delivered it
        owner_page.goto(tenant_url + "/exhibition/leads/")
        leads = owner_page.locator("#leads article.lead")
        deadline = time.monotonic() + TIMEOUT
        while leads.count() == 0:
            assert time.monotonic() < deadline, "the inquiry never reached the lead inbox"
            time.sleep(0.3)
            owner_page.reload()
        expect(leads).to_have_count(1)
        lead = leads.first
        expect(lead).to_contain_text(INQUIRY)
        expect(lead).to_contain_text(BUYER_NAME)
        expect(lead).to_contain_text(BUYER_EMAIL)
        expect(lead).to_contain_text("天津海河机电采购部")
        expect(lead).to_contain_text("京津冀智能装备线上展")
        inquiry.refresh_from_db()
        assert inquiry.delivered_at is not None

        # the slots: the one the buyer booked shows the buyer; the others are free
        owner_page.goto(tenant_url + "/exhibition/slots/")
        booked = owner_page.locator(f"#slots #slot-{chosen.pk}")
        expect(booked).to_contain_text(BUYER_NAME)
        expect(booked).to_contain_text(BUYER_EMAIL)
        expect(booked).to_contain_text("已预约")
        expect(booked).to_contain_text(_local(chosen.starts_at))
        for other in (slots[0], slots[2]):
            expect(owner_page.locator(f"#slots #slot-{other.pk}")).not_to_contain_text(BUYER_EMAIL)
    finally:
        if owner_context is not None:
            owner_context.close()
        connection.set_schema_to_public()
        Booking.objects.filter(buyer__in=users).delete()
        Inquiry.objects.filter(buyer__in=users).delete()
        MeetingSlot.objects.filter(tenant_id__in=enterprises).delete()  # their bookings cascade
        Inquiry.objects.filter(tenant_id__in=enterprises).delete()
        BoothListing.objects.filter(tenant_id__in=enterprises).delete()
        BoothListing.objects.filter(exhibition__in=exhibitions).delete()  # their products cascade
        # The booth (tenant schema) protects its exhibition and section: it goes first, and the
        # exhibition is deleted from the enterprise's schema, where Django's collector finds the
        # booth table (the public schema has none).
        for enterprise in Enterprise.objects.filter(pk__in=enterprises):
            with tenant_context(enterprise), references_checked():
                Booth.objects.filter(exhibition__in=exhibitions).delete()
                Exhibition.objects.filter(pk__in=[e.pk for e in exhibitions]).delete()  # sections cascade
        connection.set_schema_to_public()
        Notice.objects.filter(user__in=users).delete()
        User.objects.filter(pk__in=[u.pk for u in users]).update(is_active=False)
