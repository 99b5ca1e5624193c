"""Verified-report numbers and the public verification of a report (public schema only).

A number reads JJJ-<year>-<city>-<8 random characters>, e.g. JJJ-2026-1200-7K3QX9PD:

* JJJ: the platform (京津冀); the year of the approval; the city's four-digit GB/T 2260 prefix
  (1100 Beijing, 1200 Tianjin, 1301 Shijiazhuang…; 0000 when the enterprise has no city): a person
  reading the number knows at once where and when the report was issued.
* 8 characters of Crockford's base32 (0-9 and A-Z without I, L, O, U: nothing to misread), drawn
  from `secrets`: 40 bits, about 10^12 numbers per city and year. The numbers are not in order and
  not derived from any id, so knowing one report's number tells nothing of another's; guessing a
  valid number at the rate limit of the lookup (settings.RATE_LIMITS["verify"]) would take longer
  than the platform will exist. A unique constraint in the database is the last word on a clash.

The number is given at the approval (review.workbench.approve) and kept on the review case, so the
public page finds a report without entering the enterprise's schema. What the page shows comes from
the published fact (review.publishing): the level, the verification date, the validity. It names the
enterprise only if the enterprise agreed (ReviewCase.publish_name, switched on its result page);
otherwise it says "an enterprise in <city>": the holder of the PDF compares the number, the city, the
level and the date, and learns nothing more.

Validity: settings.VERIFIED_REPORT_VALID_YEARS from the verification (two years by default), to the
day before the same date; a newer verified assessment of the same framework by the same enterprise
supersedes it earlier. Nothing on the platform withdraws a verification once published, so there is
no "revoked" state.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from manufacturing.review.models import AssessmentFact, ReviewCase

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32
RANDOM_LENGTH = 8
PATTERN = re.compile(r"^JJJ-([0-9]{4})-([0-9]{4})-([0-9A-HJKMNP-TV-Z]{8})$", re.ASCII)
# What a person may type: any case, spaces or none, and the letters Crockford reads as digits.
_READ_AS = str.maketrans(
    {"O": "0", "I": "1", "L": "1", " ": "", "\u2010": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-"}
    | dict.fromkeys(["\u200b", "\u200c", "\u200d", "\ufeff"], "")
)
MAX_INPUT = 64


def new_number(*, year: int, city_code: str | None) -> str:
    city = (city_code or "")[:4] if city_code and city_code[:4].isdigit() else "0000"
    tail = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return f"JJJ-{year:04d}-{city}-{tail}"


def normalize(text) -> str | None:
    """The number as stored, from what a person typed or scanned; None when it cannot be one."""
    if not isinstance(text, str) or len(text) > MAX_INPUT:
        return None
    # NFKC first: a Chinese input method in full-width mode types ２０２６ and －, which are the same
    # number; digits of other scripts stay what they are and fail the ASCII pattern below.
    cleaned = unicodedata.normalize("NFKC", text).strip().upper().translate(_READ_AS)
    if re.fullmatch(r"JJJ[0-9]{8}[0-9A-Z]{8}", cleaned, re.ASCII):  # typed without dashes
        cleaned = f"{cleaned[:3]}-{cleaned[3:7]}-{cleaned[7:11]}-{cleaned[11:]}"
    if not cleaned.startswith("JJJ-"):
        return None
    return cleaned if PATTERN.match(cleaned) else None


def assign_number(case: ReviewCase, *, when) -> str:
    """Gives `case` its report number, once: an approved case keeps the number it has."""
    if case.report_number:
        return case.report_number
    # The enterprise's consent to be named carries over from its previous report.
    earlier = (
        ReviewCase.objects.filter(tenant_id=case.tenant_id, report_number__isnull=False)
        .exclude(pk=case.pk)
        .order_by("-pk")
        .values_list("publish_name", flat=True)
        .first()
    )
    if earlier:
        ReviewCase.objects.filter(pk=case.pk).update(publish_name=True)
        case.publish_name = True
    for _attempt in range(5):
        number = new_number(year=timezone.localtime(when).year, city_code=case.city_id)
        try:
            with transaction.atomic():
                updated = ReviewCase.objects.filter(pk=case.pk, report_number__isnull=True).update(
                    report_number=number
                )
        except IntegrityError:  # the same number drawn twice: 1 in 10^12, draw again
            continue
        if not updated:  # numbered meanwhile
            number = ReviewCase.objects.values_list("report_number", flat=True).get(pk=case.pk)
        case.report_number = number
        return number
    raise RuntimeError("could not draw a unique report number")


def of_assessment(*, enterprise, assessment_id: int) -> dict | None:
    """The enterprise's own view of its report's number and consent; None before the approval."""
    row = (
        ReviewCase.objects.filter(tenant=enterprise, assessment_id=assessment_id, report_number__isnull=False)
        .values("report_number", "publish_name")
        .first()
    )
    if row is None:
        return None
    number = row["report_number"]
    return {"number": number, "publish_name": row["publish_name"], "url": verify_url(number)}


def publish_name_set(*, enterprise, assessment_id: int, publish: bool) -> bool:
    """The enterprise agrees (or no longer agrees) that the verification page names it: on the pages
    of all its reports, old ones too (one choice per enterprise, kept on each report's case). False,
    and nothing changed, when the assessment has no report (not approved, or not this enterprise's)."""
    numbered = ReviewCase.objects.filter(tenant=enterprise, report_number__isnull=False)
    if not numbered.filter(assessment_id=assessment_id).exists():
        return False
    # updated_at is left alone: for a case being published it is the outbox's "last sent" stamp.
    numbered.update(publish_name=bool(publish))
    return True


def verify_path(number: str) -> str:
    return f"/verify/{number}/"


def verify_url(number: str) -> str:
    from tenants.registration import public_url

    return public_url(verify_path(number))


def _day(moment):
    return timezone.localtime(moment).date()


def valid_until(approved_at) -> date:
    """The last day of validity: the day before the same date settings.VERIFIED_REPORT_VALID_YEARS
    later (verified 2026-12-03, valid until 2028-12-02; verified 2028-02-29, until 2030-02-28)."""
    start = _day(approved_at)
    years = int(settings.VERIFIED_REPORT_VALID_YEARS)
    try:
        same_date = start.replace(year=start.year + years)
    except ValueError:  # 29 February into a common year
        same_date = date(start.year + years, 3, 1)
    return same_date - timedelta(days=1)


def _superseded_by(fact: AssessmentFact) -> AssessmentFact | None:
    """A newer verified assessment of the same framework (any version) by the same enterprise."""
    return (
        AssessmentFact.objects.filter(
            tenant_id=fact.tenant_id, framework__code=fact.framework.code, approved_at__gt=fact.approved_at
        )
        .order_by("approved_at")
        .first()
    )


def lookup(number, *, today) -> dict | None:
    """What the public verification shows of a report, as plain values; None when there is no
    verified report with this number (unknown, garbled, or approved but not yet published)."""
    number = normalize(number)
    if number is None:
        return None
    case = (
        ReviewCase.objects.select_related("city", "framework")
        .filter(report_number=number, status=ReviewCase.Status.VERIFIED)
        .first()
    )
    if case is None:
        return None
    fact = (
        AssessmentFact.objects.select_related("city", "framework")
        .filter(tenant_id=case.tenant_id, assessment_id=case.assessment_id)
        .first()
    )
    if fact is None:
        return None
    until = valid_until(fact.approved_at)
    newer = _superseded_by(fact)
    if newer is not None:
        state = "superseded"
    elif until < today:
        state = "expired"
    else:
        state = "valid"
    city = fact.city or case.city
    return {
        "number": number,
        "state": state,
        "enterprise": {"zh": fact.enterprise_name, "en": fact.enterprise_name_en or fact.enterprise_name}
        if case.publish_name
        else None,
        "city": {"zh": city.name_zh, "en": city.name_en} if city else None,
        "framework": {"zh": fact.framework.name_zh, "en": fact.framework.name_en},
        "framework_version": fact.framework.version,
        "level": fact.level,
        "verified_on": _day(fact.approved_at),
        "valid_until": until,
        "superseded_on": _day(newer.approved_at) if newer else None,
    }
