"""Issue 17 in Chromium, on a phone (390×844): how a meeting is held, and every irreversible step of a
meeting confirmed in a dialog that says what will happen, where "Cancel" changes nothing.

The exhibitor offers an online slot (the form refuses a missing or non-web link, next to the field),
sees its booth's link to the public hall; a buyer sees how the meeting is held (not the link) on the
booth page, books it through the dialog, finds the link in My meetings, calls the meeting off through
the dialog (the time is free again), books again; the exhibitor cancels it through the dialog. A visitor
finds the buyer's sign-up from the header's "Register". No page is wider than the phone.

Not django_db: everything commits (`committed`) so that gunicorn sees it; the hall's rows are deleted in
`finally`, users deactivated."""

import datetime
import re
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from core.models import Notice
from exhibition import booths
from exhibition.hall.models import Booking, BoothListing, Exhibition, MeetingSlot, Section
from exhibition.hall.publishing import listing_publish
from exhibition.models import Booth, Product
from tenants.models import Enterprise, User
from tenants.services import user_create
from tests.browser.conftest import assert_fits, sign_in
from tests.conftest import build_enterprise, references_checked

pytestmark = [pytest.mark.browser]

PHONE = {"width": 390, "height": 844}
LINK = "https://meet.example.com/room/ck6150-demo-with-a-rather-long-path-segment"
BUYER_EMAIL = "emeet-buyer@example.com"
BUYER_PASSWORD = "Buyer-browser-2026"


no_overflow = assert_fits  # every page of the flow fits the phone's width


def dialog_says(page, *parts: str) -> None:
    dialog = page.locator("dialog[open]")
    expect(dialog).to_be_visible()
    for part in parts:
        expect(dialog).to_contain_text(part)


def test_meetings_say_how_they_are_held_and_every_step_is_confirmed(browser, live_server_url, committed):
    port = urlsplit(live_server_url).port
    users: list[User] = []
    exhibitions: list[Exhibition] = []
    enterprises: list[int] = []
    contexts = []
    try:
        world = build_enterprise(slug="emeet", city="130600", industry="C34", seed=9417)
        users.append(world.owner)
        enterprises.append(world.enterprise.pk)
        tenant_url = f"http://{world.host}:{port}"
        today = timezone.localdate()
        fair = Exhibition.objects.create(
            name_zh="京津冀洽谈测试展", name_en="Jingjinji Meeting Test Fair", status="open",
            starts_on=today + datetime.timedelta(days=10), ends_on=today + datetime.timedelta(days=12),
            registration_deadline=today + datetime.timedelta(days=5),
        )  # fmt: skip
        exhibitions.append(fair)
        section = Section.objects.create(exhibition=fair, name_zh="智能装备", name_en="Smart equipment")
        with tenant_context(world.enterprise):
            product = Product.objects.create(
                name_zh="数控车床 CK6150", industry=world.enterprise.industry, created_by=world.owner
            )
            booth = booths.booth_register(
                enterprise=world.enterprise, exhibition_id=fair.pk, section_id=section.pk, user=world.owner
            )
            booth.intro_zh = "保定的数控机床制造商。"
            booth.save()
            booth.featured.add(product)
            booths.booth_publish(booth_id=booth.pk, enterprise=world.enterprise, user=world.owner)
        connection.set_schema_to_public()
        listing = listing_publish(tenant_id=world.enterprise.pk, booth_id=booth.pk)  # the worker's copy
        buyer = user_create(email=BUYER_EMAIL, password=BUYER_PASSWORD, name="采购经理李工")
        users.append(buyer)

        # --- the exhibitor, on a phone: the booth page links to the booth in the public hall
        owner_context = browser.new_context(locale="zh-CN", viewport=PHONE)
        contexts.append(owner_context)
        owner = owner_context.new_page()
        sign_in(owner, tenant_url + "/login/", world.owner.email, world.password)
        owner.goto(f"{tenant_url}/exhibition/booths/{booth.pk}/")
        hall_link = owner.locator("#hall-link")
        expect(hall_link).to_have_attribute("href", re.compile(rf"/hall/booths/{listing.pk}/$"))
        expect(owner.locator('label[for="id_section"]')).to_contain_text("展区")
        no_overflow(owner)

        # offers an online slot: a missing link, then a non-web one, are refused next to the field
        owner.goto(f"{tenant_url}/exhibition/slots/")
        expect(owner.locator("#slots-empty")).to_be_visible()
        start = (timezone.localtime() + datetime.timedelta(days=1)).replace(hour=10, minute=0)
        form = owner.locator("#slot-form")
        form.locator("#id_starts_at").fill(start.strftime("%Y-%m-%dT%H:%M"))
        form.locator('input[name="mode"][value="online"]').check()
        form.locator("button[type=submit]").click()
        link_field = owner.locator("#slot-form .field.has-error:has(#id_link)")
        expect(link_field.locator(".field-error")).to_have_text("请填写线上会议链接。")
        owner.locator("#id_link").fill("ftp://files.example.com/room")
        owner.locator("#slot-form button[type=submit]").click()
        expect(link_field.locator(".field-error")).to_contain_text("https://")
        assert not MeetingSlot.objects.filter(tenant=world.enterprise).exists()
        owner.locator("#id_link").fill(LINK)
        owner.locator("#slot-form button[type=submit]").click()
        expect(owner.locator("ul.messages li.success")).to_be_visible()
        slot = MeetingSlot.objects.get(tenant=world.enterprise)
        assert (slot.mode, slot.link) == ("online", LINK)
        row = owner.locator(f"#slot-{slot.pk}")
        expect(row.locator("a.meeting-link")).to_have_attribute("href", LINK)
        expect(row).to_contain_text("线上视频会议")
        no_overflow(owner)

        # --- the buyer, on a phone of their own: how the meeting is held, not yet the link
        buyer_context = browser.new_context(locale="zh-CN", viewport=PHONE)
        contexts.append(buyer_context)
        page = buyer_context.new_page()
        sign_in(page, live_server_url + "/login/", BUYER_EMAIL, BUYER_PASSWORD)
        page.goto(f"{live_server_url}/hall/booths/{listing.pk}/")
        meetings = page.locator("#meetings")
        expect(meetings).to_contain_text("线上视频会议")
        expect(meetings).to_contain_text("预约成功后显示链接")
        expect(meetings.locator("a.meeting-link")).to_have_count(0)
        no_overflow(page)

        # Book: the dialog says who is told and that the time is taken; "Cancel" changes nothing
        book = meetings.locator(f"form.slot[action='/hall/slots/{slot.pk}/book/'] button[type=submit]")
        book.click()
        dialog_says(page, "展商将立即收到通知", "不再向其他采购商开放", "线上视频会议")
        no_overflow(page)
        page.locator("dialog [data-confirm-no]").click()
        expect(page.locator("dialog[open]")).to_have_count(0)
        assert not Booking.objects.filter(slot=slot).exists()
        expect(book).to_be_visible()
        book.click()
        page.locator("dialog [data-confirm-yes]").click()
        expect(page.locator("ul.messages li.success")).to_contain_text("展商已收到通知")
        booking = Booking.objects.get(slot=slot, buyer=buyer)
        assert Notice.objects.filter(user=world.owner, text_zh__contains="预约了").exists()

        # My meetings: the link now, and calling the meeting off asks first
        page.goto(f"{live_server_url}/hall/bookings/")
        mine = page.locator(f"#booking-{booking.pk}")
        expect(mine.locator("a.meeting-link")).to_have_attribute("href", LINK)
        no_overflow(page)
        call_off = mine.locator("form.booking-cancel button[type=submit]")
        call_off.click()
        dialog_says(page, "展商将立即收到通知", "重新开放给其他采购商预约")
        page.locator("dialog [data-confirm-no]").click()
        assert Booking.objects.filter(pk=booking.pk).exists()
        call_off.click()
        page.locator("dialog [data-confirm-yes]").click()
        expect(page.locator("ul.messages li.success")).to_contain_text("洽谈已取消")
        expect(page.locator("#bookings-empty")).to_be_visible()
        assert not Booking.objects.filter(pk=booking.pk).exists()
        assert Notice.objects.filter(user=world.owner, text_zh__contains="已重新开放预约").exists()

        # the time is free again: the buyer books it once more
        page.goto(f"{live_server_url}/hall/booths/{listing.pk}/")
        book.click()
        page.locator("dialog [data-confirm-yes]").click()
        expect(page.locator("ul.messages li.success")).to_be_visible()
        booking = Booking.objects.get(slot=slot, buyer=buyer)

        # --- the exhibitor cancels it: the dialog names the buyer who is told; "Cancel" changes nothing
        owner.goto(f"{tenant_url}/exhibition/slots/")
        row = owner.locator(f"#slot-{slot.pk}")
        expect(row).to_contain_text("采购经理李工")
        row.locator("input[name=message]").fill("工程师出差，改期再约。")
        row.locator("form.slot-cancel button[type=submit]").click()
        dialog_says(owner, "采购经理李工", "立即收到通知", "无法恢复")
        owner.locator("dialog [data-confirm-no]").click()
        slot.refresh_from_db()
        assert slot.cancelled_at is None
        row.locator("form.slot-cancel button[type=submit]").click()
        owner.locator("dialog [data-confirm-yes]").click()
        expect(owner.locator("ul.messages li.success")).to_be_visible()
        slot.refresh_from_db()
        assert slot.cancelled_at is not None and slot.cancel_message == "工程师出差，改期再约。"
        assert Notice.objects.filter(user=buyer, text_zh__contains="工程师出差").exists()

        # --- a visitor: "注册" in the header offers the buyer's sign-up beside the enterprise's
        visitor_context = browser.new_context(locale="zh-CN", viewport=PHONE)
        contexts.append(visitor_context)
        visitor = visitor_context.new_page()
        visitor.goto(live_server_url + "/hall/")
        expect(visitor.locator("#buyer-signup-link")).to_be_visible()
        no_overflow(visitor)
        visitor.locator("header [data-menu-toggle]").click()  # on a phone the nav is behind the menu button
        visitor.locator("header a[href='/join/']").click()
        visitor.wait_for_url("**/join/")
        expect(visitor.locator("#join-enterprise")).to_contain_text("制造业企业")
        expect(visitor.locator("#join-buyer")).to_contain_text("采购商")
        no_overflow(visitor)
        visitor.locator("#join-buyer-link").click()
        visitor.wait_for_url("**/hall/signup/")
        expect(visitor.locator("h1")).to_have_text("注册采购商账号")
    finally:
        for context in contexts:
            context.close()
        connection.set_schema_to_public()
        Booking.objects.filter(buyer__in=users).delete()
        MeetingSlot.objects.filter(tenant_id__in=enterprises).delete()
        BoothListing.objects.filter(tenant_id__in=enterprises).delete()
        for enterprise in Enterprise.objects.filter(pk__in=enterprises):
            with tenant_context(enterprise), references_checked():
                Booth.objects.filter(exhibition__in=exhibitions).delete()
                Exhibition.objects.filter(pk__in=[e.pk for e in exhibitions]).delete()
        connection.set_schema_to_public()
        Notice.objects.filter(user__in=users).delete()
        User.objects.filter(pk__in=[u.pk for u in users]).update(is_active=False)
