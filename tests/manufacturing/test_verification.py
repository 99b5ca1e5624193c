"""Verified-report numbers, the QR code and the public verification page (review.verification)."""

import io
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context
from pypdf import PdfReader

from manufacturing import report_pdf, selectors
from manufacturing.models import Assessment
from manufacturing.review import publishing, verification, workbench
from manufacturing.review.models import AssessmentFact, ReviewCase
from tests.manufacturing.test_review import assigned, case_of, people  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db

NUMBER = re.compile(r"^JJJ-\d{4}-\d{4}-[0-9A-HJKMNP-TV-Z]{8}$")


def verified(world, people):  # noqa: F811 - the fixture's value
    assessment, assignment = assigned(world, people)
    workbench.approve(assessor=people["assessor"], assignment_id=assignment.pk)
    publishing.publish(tenant_id=world.enterprise.pk, assessment_id=assessment.pk)
    return assessment, case_of(world, assessment)


def visitor(language: str = "en") -> Client:
    return Client(HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE=language)


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


# --- the number -----------------------------------------------------------------------------------------


def test_the_number_is_given_at_the_approval_once_and_reads_year_and_city(alpha, people):  # noqa: F811
    assessment, assignment = assigned(alpha, people)
    assert case_of(alpha, assessment).report_number is None
    workbench.approve(assessor=people["assessor"], assignment_id=assignment.pk)
    case = case_of(alpha, assessment)
    assert NUMBER.match(case.report_number), case.report_number
    year = timezone.localdate().year
    assert case.report_number.startswith(f"JJJ-{year}-1100-")  # alpha is in Beijing (110000)
    publishing.publish(tenant_id=alpha.enterprise.pk, assessment_id=assessment.pk)
    assert case_of(alpha, assessment).report_number == case.report_number  # publishing keeps it
    assert verification.assign_number(case, when=timezone.now()) == case.report_number


def test_numbers_are_unique_random_and_a_clash_draws_again(alpha, beta, people, monkeypatch):  # noqa: F811
    _a, first = verified(alpha, people)
    _b, second = verified(beta, people)
    assert first.report_number != second.report_number
    assert second.report_number.startswith(f"JJJ-{timezone.localdate().year}-1200-")
    drawn = {verification.new_number(year=2026, city_code="120000") for _ in range(2000)}
    assert len(drawn) == 2000  # 40 random bits: no repeats, no order
    # The database's unique constraint is the last word: a clash draws again.
    tails = iter([first.report_number, "JJJ-2026-1200-ABCDEFGH"])
    monkeypatch.setattr(verification, "new_number", lambda **_kw: next(tails))
    third = ReviewCase.objects.create(
        tenant=beta.enterprise, assessment_id=999, framework_id=second.framework_id, status="verified",
        self_total=1, self_level=0, submitted_at=timezone.now(),
    )  # fmt: skip
    assert verification.assign_number(third, when=timezone.now()) == "JJJ-2026-1200-ABCDEFGH"


def test_typed_numbers_are_normalised_and_garbage_is_refused():
    assert verification.normalize(" jjj-2026-1200-7k3qx9pd ") == "JJJ-2026-1200-7K3QX9PD"
    assert verification.normalize("JJJ202612007K3QX9PD") == "JJJ-2026-1200-7K3QX9PD"
    assert verification.normalize("JJJ-2026-1200-7K3QX9PO") == "JJJ-2026-1200-7K3QX9P0"  # O read as 0
    for bad in ("", "12", "JJJ-2026-1200-7K3QX9P", "JJJ-2026-1200-7K3QX9PU", "../etc", "x" * 500, None, 5):
        assert verification.normalize(bad) is None, bad


def test_full_width_and_invisible_characters_read_as_the_number_they_show():
    """What a Chinese input method in full-width mode types is the same number."""
    canonical = "JJJ-2026-1200-7K3QX9PD"
    for typed in (
        "JJJ-２０２６-１２００-7K3QX9PD",
        "ＪＪＪ－２０２６－１２００－７Ｋ３ＱＸ９ＰＤ",
        "JJJ\u22122026\u22121200\u22127K3QX9PD",
        "JJJ-2026-1200-7K3QX9PD\u200b",
        "\ufeffjjj-2026-1200-7k3qx9pd",
    ):
        assert verification.normalize(typed) == canonical, typed
    assert verification.normalize("JJJ-\u0662\u0660\u0662\u0666-1200-7K3QX9PD") is None  # Arabic-Indic digits


def test_the_year_in_the_number_is_the_year_in_china_at_the_approval(alpha, people):  # noqa: F811
    from datetime import UTC, datetime

    assessment, _assignment = assigned(alpha, people)
    case = case_of(alpha, assessment)
    new_year_in_beijing = datetime(2026, 12, 31, 17, 0, tzinfo=UTC)  # 2027-01-01 01:00 in Beijing
    assert verification.assign_number(case, when=new_year_in_beijing).startswith("JJJ-2027-1100-")


def test_the_migration_numbers_assessments_verified_before_it(alpha, people):  # noqa: F811
    import importlib

    from django.apps import apps

    _assessment, case = verified(alpha, people)
    ReviewCase.objects.filter(pk=case.pk).update(report_number=None)
    migration = importlib.import_module("manufacturing.review.migrations.0007_h_report_number")
    migration.number_approved_cases(apps, None)
    case.refresh_from_db()
    assert NUMBER.match(case.report_number) and case.report_number[9:13] == "1100"


# --- the PDF ----------------------------------------------------------------------------------------------


def test_the_pdf_carries_the_number_the_assessors_name_and_validity_never_the_email(alpha, people):  # noqa: F811
    people["assessor"].name = "王评审"
    people["assessor"].save(update_fields=["name"])
    assessment, case = verified(alpha, people)
    fact = AssessmentFact.objects.get(tenant=alpha.enterprise, assessment_id=assessment.pk)
    until = f"{verification.valid_until(fact.approved_at):%Y-%m-%d}"
    url = f"/assessments/{assessment.pk}/report.pdf"
    for language in ("zh", "en"):
        response = alpha.client().get(f"{url}?lang={language}")
        assert response.status_code == 200
        text = pdf_text(response.content)
        assert case.report_number in text and "王评审" in text and until in text
        assert people["assessor"].email not in text and "@" not in text
        assert f"/verify/{case.report_number}/" in text
        reader = PdfReader(io.BytesIO(response.content))
        assert sum(len(page.images) for page in reader.pages) == 1  # the QR code


def test_a_report_is_valid_for_the_set_years_to_the_day_before(settings):
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    shanghai = ZoneInfo("Asia/Shanghai")
    assert settings.VERIFIED_REPORT_VALID_YEARS == 2
    assert verification.valid_until(datetime(2026, 12, 3, 10, tzinfo=shanghai)) == date(2028, 12, 2)
    assert verification.valid_until(datetime(2027, 1, 1, 10, tzinfo=shanghai)) == date(2028, 12, 31)
    assert verification.valid_until(datetime(2028, 2, 29, 10, tzinfo=shanghai)) == date(2030, 2, 28)
    # the local day counts: 23:30 UTC on 2 December is 3 December in Beijing
    assert verification.valid_until(datetime(2026, 12, 2, 23, 30, tzinfo=ZoneInfo("UTC"))) == date(
        2028, 12, 2
    )
    settings.VERIFIED_REPORT_VALID_YEARS = 3
    assert verification.valid_until(datetime(2026, 12, 3, 10, tzinfo=shanghai)) == date(2029, 12, 2)


def test_an_assessor_without_a_name_is_a_neutral_label_not_their_email(alpha, people):  # noqa: F811
    people["assessor"].name = ""
    people["assessor"].save(update_fields=["name"])
    assessment, _case = verified(alpha, people)
    with tenant_context(alpha.enterprise):
        data = selectors.report_data(
            assessment=Assessment.objects.get(pk=assessment.pk), enterprise=alpha.enterprise
        )
    assert data["assessor"] == ""
    zh = pdf_text(report_pdf.render(data, "zh"))
    en = pdf_text(report_pdf.render(data, "en"))
    assert "平台评估员" in zh and "Platform assessor" in en
    assert people["assessor"].email not in zh + en


def test_the_qr_code_encodes_the_absolute_verification_url(alpha, people, monkeypatch):  # noqa: F811
    """No pure-Python QR decoder exists to read the code back, so: what the PDF hands segno is the
    page's absolute address, and the picture in the PDF is, module for module, segno's code of it."""
    import segno

    assessment, case = verified(alpha, people)
    encoded = []
    real = segno.make_qr
    monkeypatch.setattr(
        report_pdf.segno, "make_qr", lambda content, **kw: encoded.append(content) or real(content, **kw)
    )
    response = alpha.client().get(f"/assessments/{assessment.pk}/report.pdf?lang=en")
    url = f"http://localhost:8000/verify/{case.report_number}/"
    assert encoded == [url]
    assert visitor().get(url.removeprefix("http://localhost:8000")).status_code == 200  # it opens the page
    (image,) = [img for page in PdfReader(io.BytesIO(response.content)).pages for img in page.images]
    picture = image.image.convert("L")
    matrix = real(url, error="m", boost_error=False).matrix
    scale, border = 8, 2  # as report_pdf._qr_png draws it
    assert picture.size == ((len(matrix) + 2 * border) * scale,) * 2
    drawn = [
        [
            picture.getpixel(((x + border) * scale + scale // 2, (y + border) * scale + scale // 2)) < 128
            for x in range(len(row))
        ]
        for y, row in enumerate(matrix)
    ]
    assert drawn == [[bool(cell) for cell in row] for row in matrix]


# --- the public page ------------------------------------------------------------------------------------


def test_the_page_shows_the_facts_and_not_the_name_without_consent(alpha, people):  # noqa: F811
    assessment, case = verified(alpha, people)
    fact = AssessmentFact.objects.get(tenant=alpha.enterprise, assessment_id=assessment.pk)
    response = visitor("en").get(f"/verify/{case.report_number}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Genuine and valid." in page and case.report_number in page
    assert "An enterprise in Beijing" in page and alpha.enterprise.name not in page
    assert f"{timezone.localtime(fact.approved_at):%Y-%m-%d}" in page
    assert f"{verification.valid_until(fact.approved_at):%Y-%m-%d}" in page
    assert f"Level {fact.level}" in page
    # no internal keys, no scores, no emails
    assert "miit-sme-mfg" not in page and "valid</" not in page and "@example.com" not in page
    zh = visitor("zh-hans").get(f"/verify/{case.report_number}/").content.decode()
    assert "真实有效" in zh and "北京市的一家企业" in zh
    api = visitor().get(f"/api/v1/verify/{case.report_number}/")
    assert api.status_code == 200
    body = api.json()
    assert body["genuine"] is True and body["state"] == "valid" and body["enterprise"] is None
    assert body["level"] == fact.level and body["city"]["en"] == "Beijing"


def test_the_enterprise_opts_in_to_its_name_and_can_withdraw(alpha, beta, people):  # noqa: F811
    assessment, case = verified(alpha, people)
    owner = alpha.client()
    result = owner.get(f"/assessments/{assessment.pk}/result/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert case.report_number in result and 'id="report-consent"' in result
    url = f"/assessments/{assessment.pk}/report/consent/"
    assert owner.post(url, {"publish_name": "1"}).status_code == 302
    page = visitor("zh-hans").get(f"/verify/{case.report_number}/").content.decode()
    assert alpha.enterprise.name in page
    assert (
        visitor().get(f"/api/v1/verify/{case.report_number}/").json()["enterprise"]["zh"]
        == alpha.enterprise.name
    )
    # another enterprise cannot change it: not on its host, not as a stranger on this one
    assert beta.client().post(url, {"publish_name": "0"}).status_code == 404
    stranger = Client(HTTP_HOST=alpha.host)
    stranger.force_login(beta.owner)
    assert stranger.post(url, {"publish_name": "0"}).status_code == 404
    assert ReviewCase.objects.get(pk=case.pk).publish_name is True
    assert owner.post(url, {"publish_name": "0"}).status_code == 302
    page = visitor("zh-hans").get(f"/verify/{case.report_number}/").content.decode()
    assert alpha.enterprise.name not in page


def test_a_newer_verified_assessment_supersedes_the_report(alpha, people):  # noqa: F811
    first, old = verified(alpha, people)
    _second, new = verified(alpha, people)
    AssessmentFact.objects.filter(tenant=alpha.enterprise, assessment_id=first.pk).update(
        approved_at=timezone.now() - timedelta(days=30)
    )
    page = visitor().get(f"/verify/{old.report_number}/").content.decode()
    assert "Genuine, but superseded." in page and 'data-state="superseded"' in page
    assert visitor().get(f"/api/v1/verify/{old.report_number}/").json()["state"] == "superseded"
    assert 'data-state="valid"' in visitor().get(f"/verify/{new.report_number}/").content.decode()


def test_an_expired_report_says_so(alpha, people, settings):  # noqa: F811
    assessment, case = verified(alpha, people)
    AssessmentFact.objects.filter(tenant=alpha.enterprise, assessment_id=assessment.pk).update(
        approved_at=timezone.now() - timedelta(days=365 * settings.VERIFIED_REPORT_VALID_YEARS + 2)
    )
    assert visitor().get(f"/api/v1/verify/{case.report_number}/").json()["state"] == "expired"


def test_unknown_and_garbled_numbers_are_clear_404_and_400_never_500(alpha, people):  # noqa: F811
    unknown = "JJJ-2026-1100-ZZZZZZZZ"
    response = visitor().get(f"/verify/{unknown}/")
    assert response.status_code == 404 and "No verified report has this number" in response.content.decode()
    bad = visitor().get("/verify/not-a-number/")
    assert bad.status_code == 400 and "This is not a report number" in bad.content.decode()
    assert visitor().get("/verify/%E2%80%AE%00x/").status_code in (400, 404)
    api = visitor().get(f"/api/v1/verify/{unknown}/")
    assert api.status_code == 404 and api.json()["messages"]["zh"]
    assert visitor().get("/api/v1/verify/garbage/").status_code == 400
    # the form sends a typed number to its page; a lower-case one goes to the canonical address
    assert visitor().get("/verify/").status_code == 200
    assert (
        visitor().get("/verify/", {"number": "jjj-2026-1100-zzzzzzzz"})["Location"] == f"/verify/{unknown}/"
    )
    assert visitor().get("/verify/", {"number": "hello"}).status_code == 400


def test_an_approved_but_unpublished_report_is_not_found_yet(alpha, people):  # noqa: F811
    assessment, assignment = assigned(alpha, people)
    workbench.approve(assessor=people["assessor"], assignment_id=assignment.pk)
    number = case_of(alpha, assessment).report_number
    assert visitor().get(f"/api/v1/verify/{number}/").status_code == 404


def test_the_page_never_reveals_another_enterprises_report_through_a_number(alpha, beta, people):  # noqa: F811
    _a, alpha_case = verified(alpha, people)
    _b, beta_case = verified(beta, people)
    ReviewCase.objects.filter(pk=alpha_case.pk).update(publish_name=True)
    page = visitor().get(f"/verify/{beta_case.report_number}/").content.decode()
    assert beta.enterprise.name not in page and alpha.enterprise.name not in page
    assert "An enterprise in Tianjin" in page
    body = visitor().get(f"/api/v1/verify/{beta_case.report_number}/").json()
    assert body["enterprise"] is None and body["city"]["en"] == "Tianjin"


def test_lookups_are_rate_limited_gets_included(alpha, people, settings):  # noqa: F811
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "verify": "2/day"}
    for _ in range(2):
        assert visitor().get("/verify/JJJ-2026-1100-ZZZZZZZZ/").status_code == 404
    assert visitor().get("/verify/JJJ-2026-1100-ZZZZZZZY/").status_code == 429
    assert visitor().get("/api/v1/verify/JJJ-2026-1100-ZZZZZZZY/").status_code == 429


def test_the_pdf_stays_with_the_enterprises_members(alpha, beta, people):  # noqa: F811
    assessment, _case = verified(alpha, people)
    url = f"/assessments/{assessment.pk}/report.pdf"
    assert alpha.client().get(url).status_code == 200
    assert alpha.client(logged_in=False).get(url).status_code in (302, 404)
    stranger = Client(HTTP_HOST=alpha.host)
    stranger.force_login(beta.owner)
    assert stranger.get(url).status_code == 404
    assessor = Client(HTTP_HOST=alpha.host)
    assessor.force_login(people["assessor"])  # verified it, but is no member of the enterprise
    assert assessor.get(url).status_code == 404


def test_the_choice_to_be_named_covers_every_report_and_carries_to_the_next(alpha, people):  # noqa: F811
    first, _old = verified(alpha, people)
    assert (
        alpha.client().post(f"/assessments/{first.pk}/report/consent/", {"publish_name": "1"}).status_code
        == 302
    )
    _second, new = verified(alpha, people)
    assert ReviewCase.objects.get(pk=new.pk).publish_name is True  # carried over at the approval
    assert (
        alpha.client().post(f"/assessments/{_second.pk}/report/consent/", {"publish_name": "0"}).status_code
        == 302
    )
    assert not ReviewCase.objects.filter(tenant=alpha.enterprise, publish_name=True).exists()  # old one too
    # a member below administrator cannot decide it; an assessment without a report is a 404
    from tenants.members.models import Role
    from tests.test_members import add_member

    member = Client(HTTP_HOST=alpha.host)
    member.force_login(add_member(alpha, "verify-member@example.com", Role.MEMBER))
    assert member.post(f"/assessments/{first.pk}/report/consent/", {"publish_name": "1"}).status_code == 403
    assert not ReviewCase.objects.filter(tenant=alpha.enterprise, publish_name=True).exists()
    assert (
        alpha.client().post("/assessments/999999/report/consent/", {"publish_name": "1"}).status_code == 404
    )


def test_a_report_without_a_number_has_no_number_and_no_qr_code():
    from tests.manufacturing.test_report_pdf import SAMPLE

    plain = report_pdf.render(SAMPLE, "zh")
    assert "报告编号" not in pdf_text(plain)
    assert sum(len(page.images) for page in PdfReader(io.BytesIO(plain)).pages) == 0
    numbered = report_pdf.render({**SAMPLE, "report_number": "JJJ-2026-1100-7K3QX9PD"}, "zh")
    assert "报告编号：JJJ-2026-1100-7K3QX9PD" in pdf_text(numbered)
