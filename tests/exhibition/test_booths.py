"""Booths: registration, publishing a snapshot to the public hall (by the worker's function, run
here in-process), unpublishing at once, the hall's search and filters, and escaped texts."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.api import ApplicationError
from exhibition import booths, services
from exhibition.hall.models import BoothListing, Exhibition, Section
from exhibition.hall.publishing import listing_publish
from exhibition.models import Booth, Product
from tests.exhibition.test_catalogue import picture

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def exhibit(world, fair, section="equipment", *, name_zh, name_en, tags, intro="", image=False):
    """A product and a booth featuring it, published and copied (what the worker does)."""
    with tenant_context(world.enterprise):
        product = Product.objects.create(
            name_zh=name_zh,
            name_en=name_en,
            tags=tags,
            industry=world.enterprise.industry,
            created_by=world.owner,
        )
        if image:
            services.image_add(
                enterprise=world.enterprise,
                product=product,
                upload=SimpleUploadedFile("p.png", picture(size=(800, 600))),
            )
        booth = booths.booth_register(
            enterprise=world.enterprise,
            exhibition_id=fair["exhibition"].pk,
            section_id=fair[section].pk,
            user=world.owner,
        )
        booth.intro_zh = intro
        booth.save()
        booth.featured.add(product)
        booths.booth_publish(booth_id=booth.pk, enterprise=world.enterprise, user=world.owner)
    listing = listing_publish(tenant_id=world.enterprise.pk, booth_id=booth.pk)
    return booth, listing


def hall(path="", language="en"):
    return Client(HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE=language).get(path)


def test_registration_needs_an_open_exhibition_a_section_of_it_and_one_booth_each(alpha, beta, fair):
    with tenant_context(alpha.enterprise):
        booths.booth_register(
            enterprise=alpha.enterprise,
            exhibition_id=fair["exhibition"].pk,
            section_id=fair["cars"].pk,
            user=alpha.owner,
        )
        with pytest.raises(ApplicationError) as twice:
            booths.booth_register(
                enterprise=alpha.enterprise,
                exhibition_id=fair["exhibition"].pk,
                section_id=fair["cars"].pk,
                user=alpha.owner,
            )
    assert twice.value.status_code == 409
    other = Exhibition.objects.create(
        name_zh="已截止", status="closed", starts_on=TODAY, ends_on=TODAY, registration_deadline=TODAY
    )
    foreign = Section.objects.create(exhibition=other, name_zh="x")
    with tenant_context(beta.enterprise), pytest.raises(ApplicationError) as closed:
        booths.booth_register(
            enterprise=beta.enterprise, exhibition_id=other.pk, section_id=foreign.pk, user=beta.owner
        )
    assert closed.value.status_code == 409
    response = beta.client().post(
        "/exhibition/booths/register/",
        {"exhibition": fair["exhibition"].pk, "section": foreign.pk},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "Choose one of this exhibition&#x27;s sections." in response.content.decode()
    with tenant_context(beta.enterprise):
        assert not Booth.objects.exists()


def test_publish_copies_a_snapshot_and_drafts_stay_private_until_republished(
    alpha, fair, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        booth, listing = exhibit(
            alpha, fair, name_zh="五轴加工中心", name_en="Five-axis machining centre", tags=["smart"],
            intro="精密加工<script>alert(1)</script>", image=True,
        )  # fmt: skip
    assert len(callbacks) >= 1  # the copy is a worker task, sent after commit
    assert (listing.live, listing.wanted, listing.published) == (True, 1, 1)
    assert listing.city_id == "110000" and listing.tags == ["smart"] and "five-axis" in listing.search_text
    page = hall(f"/hall/booths/{listing.pk}/", "zh-hans").content.decode()
    assert (
        "五轴加工中心" in page
        and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        and "<script>alert" not in page
    )
    product = listing.products.get()
    image = hall(f"/hall/images/{product.pk}/")
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"

    with tenant_context(alpha.enterprise):
        Booth.objects.filter(pk=booth.pk).update(intro_zh="新的介绍")
    assert "精密加工" in hall(f"/hall/booths/{listing.pk}/", "zh-hans").content.decode()  # unchanged
    with tenant_context(alpha.enterprise):
        booths.booth_publish(booth_id=booth.pk, enterprise=alpha.enterprise, user=alpha.owner)
    listing.refresh_from_db()
    assert (listing.wanted, listing.published) == (2, 1)  # wanted, not yet copied: the old copy stays
    listing_publish(tenant_id=alpha.enterprise.pk, booth_id=booth.pk)
    again = listing_publish(tenant_id=alpha.enterprise.pk, booth_id=booth.pk)  # redelivered: the same
    assert again.products.count() == 1 and (again.wanted, again.published) == (2, 2)
    assert "新的介绍" in hall(f"/hall/booths/{listing.pk}/", "zh-hans").content.decode()


def test_unpublishing_removes_the_booth_at_once_and_a_late_copy_does_not_bring_it_back(alpha, fair):
    booth, listing = exhibit(alpha, fair, name_zh="伺服电机", name_en="Servo motor", tags=[])
    with tenant_context(alpha.enterprise):
        booths.booth_unpublish(booth_id=booth.pk, enterprise=alpha.enterprise, user=alpha.owner)
    assert not BoothListing.objects.filter(pk=listing.pk).exists()
    assert hall(f"/hall/booths/{listing.pk}/").status_code == 404
    assert listing_publish(tenant_id=alpha.enterprise.pk, booth_id=booth.pk) is None  # a redelivered task
    assert not BoothListing.objects.filter(tenant=alpha.enterprise).exists()


def test_the_hall_searches_in_both_languages_and_filters(alpha, beta, fair):
    _b1, bj = exhibit(
        alpha, fair, name_zh="五轴加工中心", name_en="Five-axis machining centre", tags=["smart"]
    )
    _b2, tj = exhibit(beta, fair, "cars", name_zh="新能源底盘", name_en="EV chassis", tags=["green"])
    base = f"/hall/{fair['exhibition'].pk}/"

    def found(query):
        return [listing.pk for listing in hall(base + query).context["page"]]

    assert sorted(found("")) == sorted([bj.pk, tj.pk])
    assert found("?q=加工") == [bj.pk]
    assert found("?q=CHASSIS") == [tj.pk]
    assert found("?city=120000") == [tj.pk]
    assert found("?industry=C34") == [bj.pk]
    assert found("?tag=green") == [tj.pk]
    assert found(f"?section={fair['equipment'].pk}") == [bj.pk]
    assert found("?q=nothing-like-this") == []
    assert found("?q=轴") == [bj.pk]  # one Chinese character is a word
    assert found("?q=Five-axis") == [bj.pk] and found("?q=ev%20chassis") == [tj.pk]
    assert found("?q=chassis%20ev") == []  # every gram is there, the phrase is not
    assert found("?q=x") == [bj.pk]  # one ASCII letter: the phrase alone ("five-axis")
    for junk in ("?section=abc", "?tag=<b>", "?page=999"):
        assert hall(base + junk).status_code == 200, junk
    for nul in ("?city=%00", "?q=%00"):
        assert hall(base + nul).status_code == 400, nul  # named on the 400 page (tests/test_hostile_input.py)
    fair["exhibition"].status = "draft"
    fair["exhibition"].save()
    assert hall(base).status_code == 404 and hall(f"/hall/booths/{bj.pk}/").status_code == 404


def test_participation_appears_on_the_regional_dashboard(alpha, beta, fair):
    from reports.rollup import quarter_label, quarter_of
    from tests.manufacturing.test_review import person

    exhibit(alpha, fair, name_zh="五轴加工中心", name_en="Five-axis machining centre", tags=[])
    exhibit(beta, fair, "cars", name_zh="新能源底盘", name_en="EV chassis", tags=[])
    quarter = quarter_label(
        quarter_of(
            timezone.make_aware(datetime.datetime.combine(fair["exhibition"].starts_on, datetime.time()))
        )
    )
    admin = Client(HTTP_HOST="localhost")
    admin.force_login(person("hall-report-admin@example.com", "regional_admin"))
    url = f"/api/v1/reports/dashboard/?city=110000&city=120000&city=130100&since={quarter}&until={quarter}"
    body = admin.get(url).json()
    one = {"registered": 1, "booths": 1, "exhibitions": 1, "inquiries": 0, "meetings": 0}
    none = dict.fromkeys(one, 0)
    assert [c["exhibiting"] for c in body["cities"]] == [one, one, none]
    assert body["total"]["exhibiting"] == {**one, "registered": 2, "booths": 2}  # one exhibition
    industry = admin.get(url + "&industry=C35").json()
    assert [c["exhibiting"]["booths"] for c in industry["cities"]] == [0, 1, 0]


def test_an_edit_after_publishing_stays_private_even_if_the_copy_runs_later_or_again(alpha, fair):
    booth, listing = exhibit(alpha, fair, name_zh="伺服电机", name_en="Servo motor", tags=[], intro="第一版")
    with tenant_context(alpha.enterprise):
        Booth.objects.filter(pk=booth.pk).update(intro_zh="第二版")
        booths.booth_publish(
            booth_id=booth.pk, enterprise=alpha.enterprise, user=alpha.owner
        )  # asks for 第二版
        Booth.objects.filter(pk=booth.pk).update(intro_zh="第三版（草稿）")  # edited before the copy ran
        Product.objects.update(name_zh="改名（草稿）")
    listing_publish(tenant_id=alpha.enterprise.pk, booth_id=booth.pk)
    page = hall(f"/hall/booths/{listing.pk}/", "zh-hans").content.decode()
    assert "第二版" in page and "第三版" not in page and "伺服电机" in page and "改名" not in page
    listing_publish(
        tenant_id=alpha.enterprise.pk, booth_id=booth.pk
    )  # redelivered, or re-sent by the sweeper
    page = hall(f"/hall/booths/{listing.pk}/", "zh-hans").content.decode()
    assert "第二版" in page and "第三版" not in page


def test_non_ascii_digits_in_filters_and_forms_are_no_crash(alpha, fair):
    assert hall(f"/hall/{fair['exhibition'].pk}/?section=%C2%B2&city=%C2%B2").status_code == 200
    response = alpha.client().post("/exhibition/booths/register/", {"exhibition": "²", "section": "²"})
    assert response.status_code == 404


def test_specifications_show_as_a_table_in_the_hall(alpha, fair):
    with tenant_context(alpha.enterprise):
        Product.objects.all().delete()
    _booth, listing = exhibit(alpha, fair, name_zh="伺服电机", name_en="Servo motor", tags=[])
    listing.products.update(specifications="额定功率：2 kW\nTorque: 6.4 N·m\n<b>bold</b>")
    page = hall(f"/hall/booths/{listing.pk}/", "zh-hans").content.decode()
    assert "<th>额定功率</th><td>2 kW</td>" in page and "<th>Torque</th><td>6.4 N·m</td>" in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page


def test_featured_products_are_shown_in_the_order_the_enterprise_arranged(alpha, fair):
    booth, listing = exhibit(alpha, fair, name_zh="伺服电机", name_en="Servo motor", tags=[])
    with tenant_context(alpha.enterprise):
        servo = Product.objects.get()
        lathe = Product.objects.create(
            name_zh="数控车床", industry=alpha.enterprise.industry, created_by=alpha.owner
        )
    client = alpha.client()
    url = f"/exhibition/booths/{booth.pk}/"
    page = client.get(url).content.decode()
    assert f'name="position_{servo.pk}" value="1"' in page and f'name="position_{lathe.pk}" value=""' in page
    form = {"section": fair["equipment"].pk, "intro_zh": "", "intro_en": "", "featured": [servo.pk, lathe.pk]}
    bad = client.post(url, {**form, f"position_{servo.pk}": "x"}, HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 400 and "1 to 99" in bad.content.decode()
    saved = client.post(url, {**form, f"position_{servo.pk}": "2", f"position_{lathe.pk}": "1"})
    assert saved.status_code == 302
    with tenant_context(alpha.enterprise):
        booths.booth_publish(booth_id=booth.pk, enterprise=alpha.enterprise, user=alpha.owner)
    listing = listing_publish(tenant_id=alpha.enterprise.pk, booth_id=booth.pk)
    assert [p.name_zh for p in listing.products.all()] == ["数控车床", "伺服电机"]
    shown = hall(f"/hall/booths/{listing.pk}/", "zh-hans").content.decode()
    assert shown.index("数控车床") < shown.index("伺服电机")
    api = client.put(
        f"/api/v1/exhibition/booths/{booth.pk}/",
        {"section": fair["equipment"].pk, "featured": [servo.pk, lathe.pk]},
        content_type="application/json",
    )
    assert api.json()["featured"] == [servo.pk, lathe.pk]  # the API's order is the list's
