"""The regional admins' exhibitions and the public hall's list of them."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from exhibition.hall.models import Exhibition, Section
from tests.manufacturing.test_review import person

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def day(n: int) -> str:
    return (TODAY + datetime.timedelta(days=n)).isoformat()


EXHIBITION = {
    "name_zh": "京津冀智能制造线上博览会",
    "name_en": "Jingjinji Smart Manufacturing Online Expo",
    "theme_zh": "数字化转型<b>与</b>绿色制造",
    "theme_en": "Digital and green manufacturing",
    "starts_on": day(30),
    "ends_on": day(33),
    "registration_deadline": day(20),
}


@pytest.fixture
def admin():
    user = person("hall-admin@example.com", "regional_admin")
    client = Client(HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_an_admin_creates_an_exhibition_opens_registration_and_the_hall_shows_it(admin):
    assert admin.post("/hall/manage/new/", EXHIBITION).status_code == 302
    exhibition = Exhibition.objects.get(name_zh=EXHIBITION["name_zh"])
    assert exhibition.status == "draft"
    section = {
        "name_zh": "高端装备",
        "name_en": "High-end equipment",
        "industries": ["C34", "C35"],
        "position": 1,
    }
    admin.post(f"/hall/manage/{exhibition.pk}/sections/", section)
    assert list(Section.objects.get(exhibition=exhibition).industries.values_list("code", flat=True)) == [
        "C34",
        "C35",
    ]
    again = admin.post(f"/hall/manage/{exhibition.pk}/sections/", section, follow=True)
    assert "already has a section called" in again.content.decode()

    anonymous = Client(HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE="en")
    assert EXHIBITION["name_en"] not in anonymous.get("/hall/").content.decode()  # a draft is not public
    admin.post(f"/hall/manage/{exhibition.pk}/open/")
    exhibition.refresh_from_db()
    assert exhibition.status == "open"
    hall = anonymous.get("/hall/").content.decode()
    assert EXHIBITION["name_en"] in hall and "High-end equipment" in hall
    assert "数字化转型&lt;b&gt;与&lt;/b&gt;绿色制造" not in hall  # the English page shows the English theme
    zh = Client(HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE="zh-hans").get("/hall/").content.decode()
    assert "数字化转型&lt;b&gt;与&lt;/b&gt;绿色制造" in zh  # escaped, never markup

    refused = admin.post(f"/hall/manage/{exhibition.pk}/open/", follow=True)
    assert "cannot be done while the exhibition is" in refused.content.decode()
    admin.post(f"/hall/manage/{exhibition.pk}/close/")
    admin.post(f"/hall/manage/{exhibition.pk}/end/")
    exhibition.refresh_from_db()
    assert exhibition.status == "ended"
    assert admin.post(f"/hall/manage/{exhibition.pk}/fly/", follow=True).status_code == 200


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"ends_on": day(10)}, "ends_on"),
        ({"registration_deadline": day(40)}, "registration_deadline"),
        ({"starts_on": "someday"}, "starts_on"),
        ({"name_zh": ""}, "name_zh"),
    ],
)
def test_bad_exhibitions_are_refused(admin, change, field):
    response = admin.post("/hall/manage/new/", {**EXHIBITION, **change})
    assert response.status_code == 400 and field in response.context["form"].errors
    assert not Exhibition.objects.filter(name_zh=EXHIBITION["name_zh"]).exists()


def test_registration_cannot_open_after_its_deadline(admin):
    admin.post("/hall/manage/new/", {**EXHIBITION, "starts_on": day(-5), "registration_deadline": day(-2)})
    exhibition = Exhibition.objects.get(name_zh=EXHIBITION["name_zh"])
    response = admin.post(f"/hall/manage/{exhibition.pk}/open/", follow=True)
    assert "deadline has passed" in response.content.decode()
    exhibition.refresh_from_db()
    assert exhibition.status == "draft"


@pytest.mark.parametrize("role", ["assessor", "institution", ""])
def test_only_regional_admins_manage_exhibitions(role, alpha):
    user = alpha.owner if role == "" else person(f"hall-{role}@example.com", role)
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    for url in ("/hall/manage/", "/hall/manage/new/"):
        assert client.get(url).status_code == 404
    assert client.post("/hall/manage/new/", EXHIBITION).status_code == 404
    assert not Exhibition.objects.filter(name_zh=EXHIBITION["name_zh"]).exists()


def test_keyword_grams_find_short_chinese_words_and_never_miss_a_phrase():
    from exhibition.hall.search import grams, keyword_grams

    text = "五轴联动加工中心 jg-500 servo motor 轴承 泵"
    held = grams(text)
    for keyword in ("轴承", "泵", "加工中心", "servo", "motor", "jg-500", "ser", "500"):
        assert keyword in text.lower()  # the premise: the text holds the keyword...
        assert set(keyword_grams(keyword)) <= held, keyword  # ...so the grams never filter it out
    assert keyword_grams("a") == [] and keyword_grams("!!") == []  # the phrase alone decides
    assert not set(keyword_grams("阀门")) <= held  # absent words are excluded by the index
    assert keyword_grams("泵") == ["泵"] and keyword_grams("Servo") == ["er", "rv", "se", "vo"]
