"""The public verification of a verified-assessment report (page and API, anonymous).

A bank or a buyer holding a report scans its QR code, or types its number at /verify/, and reads
whether the report is genuine and still valid, with what the enterprise agreed to publish
(manufacturing/review/verification.py). Every lookup counts towards the per-address limit
settings.RATE_LIMITS["verify"], GETs too, so numbers cannot be tried in bulk."""

from django import forms
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import ApplicationError, RateLimited
from core.limits import limit, limited_page
from manufacturing.review import verification

EXAMPLE = "JJJ-2026-1200-7K3QX9PD"
BAD_FORMAT = _("This is not a report number. Report numbers look like %(example)s.")
NOT_FOUND = _(
    "No verified report has this number. Check it against the number printed on the report; "
    "a report whose number cannot be found here was not issued by this platform."
)
_ZH_DIGITS = "零一二三四五六七八九十"


def _level_text(level: int) -> str:
    if not level:
        return str(_("Below level 1"))
    zh = (get_language() or "zh").startswith("zh")
    return str(_("Level %(n)s") % {"n": _ZH_DIGITS[level] if zh and level < len(_ZH_DIGITS) else level})


class VerifyForm(forms.Form):
    number = forms.CharField(
        label=_("Report number"),
        max_length=verification.MAX_INPUT,
        help_text=_("As printed on the report, beside its QR code."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "placeholder": EXAMPLE}),
    )


def _page(request, *, number: str = "", report=None, error: str = "", status: int = 200):
    form = VerifyForm(initial={"number": "" if report else number})
    if error and status == 400:
        form = VerifyForm({"number": number})
        form.is_valid()
        form.add_error("number", error)
    return render(
        request,
        "review/verify.html",
        {
            "number": number,
            "form": form,
            "report": report,
            "level_text": _level_text(report["level"]) if report else "",
            "error": error,
            "status": status,
        },
        status=status,
    )


def verify_form(request):
    """/verify/: a form to type a number (GET ?number=…, which goes on to the report's page)."""
    typed = request.GET.get("number")
    if typed is None:
        return _page(request)
    number = verification.normalize(typed)
    if number is None:
        return _page(request, number=typed[:64], error=BAD_FORMAT % {"example": EXAMPLE}, status=400)
    return redirect("verify-report", number=number)


def verify_report(request, number):
    """/verify/<number>/: genuine and its facts, or a 404 that says so; a malformed number is a 400."""
    try:
        limit(request, action="verify")
    except RateLimited as exc:
        return limited_page(request, exc)
    canonical = verification.normalize(number)
    if canonical is None:
        return _page(request, number=number[:64], error=BAD_FORMAT % {"example": EXAMPLE}, status=400)
    if canonical != number:
        return redirect("verify-report", number=canonical)
    report = verification.lookup(canonical, today=timezone.localdate())
    if report is None:
        return _page(request, number=canonical, error=str(NOT_FOUND), status=404)
    return _page(request, number=canonical, report=report)


class VerificationOutput(serializers.Serializer):
    number = serializers.CharField(help_text=f"The report number, e.g. {EXAMPLE}.")
    genuine = serializers.BooleanField(help_text="Always true: an unknown number answers 404.")
    state = serializers.ChoiceField(
        choices=["valid", "superseded", "expired"],
        help_text="valid: within its validity; superseded: the enterprise has a newer verified result "
        "of the same framework; expired: past valid_until.",
    )
    enterprise = inline_serializer(
        "VerifiedEnterprise",
        {"zh": serializers.CharField(), "en": serializers.CharField()},
        allow_null=True,
        help_text="The enterprise's name, only if it agreed to publish it; null otherwise.",
    )
    city = inline_serializer(
        "VerifiedCity", {"zh": serializers.CharField(), "en": serializers.CharField()}, allow_null=True
    )
    framework = inline_serializer(
        "VerifiedFramework", {"zh": serializers.CharField(), "en": serializers.CharField()}
    )
    framework_version = serializers.CharField()
    level = serializers.IntegerField(help_text="The verified level; 0 is below level 1.")
    verified_on = serializers.DateField()
    valid_until = serializers.DateField()
    superseded_on = serializers.DateField(allow_null=True)


ERROR = inline_serializer(
    "VerifyError",
    {"detail": serializers.CharField(), "messages": serializers.DictField(child=serializers.CharField())},
)


class VerifyApi(APIView):
    """GET a verified report by its number (anonymous; every lookup counts towards the per-address
    limit): 200 with what the enterprise agreed to publish, 404 when no verified report has the
    number, 400 when the text is not a report number."""

    permission_classes = [AllowAny]

    @extend_schema(
        responses={
            200: VerificationOutput,
            400: OpenApiResponse(ERROR, description="Not a report number."),
            404: OpenApiResponse(ERROR, description="No verified report has this number."),
            429: OpenApiResponse(ERROR, description="Too many lookups from this address."),
        },
        parameters=[OpenApiParameter("number", str, OpenApiParameter.PATH, description=f"e.g. {EXAMPLE}")],
        tags=["verify"],
        auth=[],
    )
    def get(self, request, number):
        limit(request, action="verify")
        canonical = verification.normalize(number)
        if canonical is None:
            raise ApplicationError(BAD_FORMAT, params={"example": EXAMPLE})
        report = verification.lookup(canonical, today=timezone.localdate())
        if report is None:
            raise ApplicationError(NOT_FOUND, status_code=404)
        return Response(VerificationOutput({**report, "genuine": True}).data)
