"""Industrial-cloud pages of an enterprise's workspace."""

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.api import ApplicationError
from manufacturing import policy, scoring, selectors, services
from manufacturing.answers import answer_from_form, answers_of, framework_definition
from manufacturing.frameworks.models import Framework
from manufacturing.models import Assessment, Evidence
from manufacturing.presenters import question_names, radar, radar_axes, result_view
from manufacturing.review import verification
from manufacturing.steps import steps
from tenants import roles
from tenants.access import current_enterprise
from tenants.members.models import Role


@login_required
def evidence_download(request, assessment_id, evidence_id):
    """Evidence files are never public media: who gets them is manufacturing.policy's one rule."""
    if not policy.evidence_readable_by(
        user=request.user, enterprise=current_enterprise(request), assessment_id=assessment_id
    ):
        raise Http404
    evidence = get_object_or_404(Evidence, pk=evidence_id, assessment_id=assessment_id)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(
        handle, as_attachment=True, filename=evidence.original_name, content_type=evidence.content_type
    )


# --- the assessment wizard ------------------------------------------------------------------------------


def _load(assessment_id) -> Assessment:
    """The assessment with its framework's names; the framework's definition (50 KB of JSON) comes
    from the process's cache (framework_definition), not with every request."""
    rows = Assessment.objects.select_related("framework").defer("framework__definition")
    return get_object_or_404(rows, pk=assessment_id)


@login_required
def assessment_list(request):
    enterprise, _role = roles.host_member_or_404(request)
    if request.method == "POST":
        roles.host_member_or_404(request, Role.MEMBER)
        raw = request.POST.get("framework", "")
        chosen = Framework.objects.filter(pk=int(raw)).first() if raw.isascii() and raw.isdigit() else None
        framework = chosen or selectors.framework_default()
        if framework is None:
            raise Http404
        assessment = services.assessment_create(framework=framework, user=request.user)
        return redirect("assessment-step", assessment_id=assessment.pk, step=1)
    return render(
        request,
        "manufacturing/assessment_list.html",
        {
            "assessments": selectors.assessment_list(),
            "frameworks": selectors.framework_list(),
            "can_edit": roles.has_role(user=request.user, enterprise=enterprise, minimum=Role.MEMBER),
        },
    )


def _progress(assessment) -> dict:
    progress = selectors.assessment_progress(assessment=assessment)
    progress["percent"] = round(100 * progress["answered"] / progress["total"]) if progress["total"] else 0
    # The same rule submitting applies, so the count here is the one submitting would refuse.
    progress["evidence_missing"] = len(services.evidence_missing(assessment=assessment))
    return progress


def _evidence_needed(definition: dict, answers: dict) -> dict[str, bool]:
    """Each question whose current answer needs evidence (scoring.evidence_needed, the rule
    submitting applies)."""
    return {
        key: True
        for key, question in scoring.index(definition).questions.items()
        if scoring.evidence_needed(question, answers.get(key))
    }


@login_required
def assessment_step(request, assessment_id, step):
    enterprise, _role = roles.host_member_or_404(request)
    assessment = _load(assessment_id)
    if assessment.status not in (Assessment.Status.DRAFT, Assessment.Status.RETURNED):
        return redirect("assessment-result", assessment_id=assessment.pk)
    pages = steps(framework_definition(assessment.framework_id))
    if not 1 <= step <= len(pages):
        raise Http404
    answers = answers_of(assessment)
    return render(
        request,
        "manufacturing/assessment_step.html",
        {
            "assessment": assessment,
            "definition": framework_definition(assessment.framework_id),
            "page": pages[step - 1],
            "step": step,
            "steps": pages,
            "answers": answers,
            # figures already given elsewhere (total equipment...) prefill the questions that ask again
            "known_inputs": {k: v for a in answers.values() for k, v in (a.get("inputs") or {}).items()},
            "evidence_by_question": _evidence_by_question(assessment),
            "evidence_needed": _evidence_needed(framework_definition(assessment.framework_id), answers),
            "progress": _progress(assessment),
            "can_edit": roles.has_role(user=request.user, enterprise=enterprise, minimum=Role.MEMBER),
            "levels": range(0, 5),
        },
    )


def _evidence_by_question(assessment) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {}
    for item in selectors.evidence_list(assessment=assessment):
        grouped.setdefault(item["question"], []).append(item)
    return grouped


@login_required
@require_POST
def answer_save(request, assessment_id, key):
    """Saves one answer as the user goes (htmx); answers with the field's state and the progress."""
    enterprise, _role = roles.host_member_or_404(request, Role.MEMBER)
    assessment = _load(assessment_id)
    status, error = 200, None
    try:
        services.answer_put(
            enterprise=enterprise,
            assessment=assessment,
            key=key,
            value=answer_from_form(framework_definition(assessment.framework_id), key, request.POST),
            user=request.user,
        )
    except ApplicationError as exc:
        status, error = exc.status_code, exc.message
    # htmx swaps 2xx only; errors are shown with a 200 wrapper so the message reaches the page.
    # The answer's evidence state comes along (swapped out of band), so the question says at once
    # whether this answer needs a file.
    definition = framework_definition(assessment.framework_id)
    question = scoring.index(definition).questions.get(key)
    needed = question is not None and scoring.evidence_needed(question, answers_of(assessment).get(key))
    return render(
        request,
        "manufacturing/_answer_state.html",
        {
            "key": key,
            "item": question,
            "needed": needed,
            "has_files": Evidence.objects.filter(assessment=assessment, question_key=key).exists(),
            "error": error,
            "progress": _progress(assessment),
            "failed": status != 200,
        },
        status=200 if request.headers.get("HX-Request") else status,
    )


@login_required
@require_POST
def evidence_upload(request, assessment_id, key):
    """Attaches a file to one question (htmx, multipart); answers with that question's file list."""
    enterprise, _role = roles.host_member_or_404(request, Role.MEMBER)
    assessment = _load(assessment_id)
    error = None
    upload = request.FILES.get("file")
    if upload is None:
        error = _("Choose a file first.")
    else:
        try:
            services.evidence_add(
                enterprise=enterprise,
                assessment=assessment,
                question_key=key,
                upload=upload,
                user=request.user,
            )
        except ApplicationError as exc:
            error = exc.message
    files = [e for e in selectors.evidence_list(assessment=assessment) if e["question"] == key]
    question = scoring.index(framework_definition(assessment.framework_id)).questions.get(key)
    return render(
        request,
        "manufacturing/_evidence_response.html",
        {
            "assessment": assessment,
            "key": key,
            "item": question,
            "needed": question is not None
            and scoring.evidence_needed(question, answers_of(assessment).get(key)),
            "files": files,
            "error": error,
            "can_edit": True,
            "progress": _progress(assessment),
        },
        status=200 if request.headers.get("HX-Request") or error is None else 400,
    )


@login_required
def assessment_submit(request, assessment_id):
    enterprise, _role = roles.host_member_or_404(request)
    assessment = _load(assessment_id)
    if assessment.status not in (Assessment.Status.DRAFT, Assessment.Status.RETURNED):
        return redirect("assessment-result", assessment_id=assessment.pk)
    definition = framework_definition(assessment.framework_id)
    missing = scoring.missing_answers(definition, answers_of(assessment))
    error = None
    if request.method == "POST":
        roles.host_member_or_404(request, Role.MEMBER)
        try:
            # One transaction: a submission that fails leaves the pledge as it was.
            with transaction.atomic():
                if request.POST.get("pledge") == "on":
                    services.pledge_sign(assessment=assessment, user=request.user)
                services.assessment_submit(assessment=assessment, user=request.user, enterprise=enterprise)
        except ApplicationError as exc:
            error = exc.message
        else:
            return redirect("assessment-result", assessment_id=assessment.pk)
    pages = steps(definition)
    needing = services.evidence_missing(assessment=assessment)
    return render(
        request,
        "manufacturing/assessment_submit.html",
        {
            "assessment": assessment,
            "missing": _where(pages, missing),
            "evidence_missing": _where(pages, needing),
            "error": error,
            "progress": _progress(assessment),
            "steps": steps(definition),
        },
        status=400 if error else 200,
    )


def _where(pages: list[dict], keys: list[str]) -> list[dict]:
    """Questions by key as the submit page lists them: each text and the wizard page it is on, so
    each links back to its question."""
    found = {}
    for number, page in enumerate(pages, start=1):
        for group in page["groups"]:
            for kind, item in group["items"]:
                found[item["key"]] = {
                    "key": item["key"],
                    "text": item.get("text") or item.get("name"),
                    "kind": kind,
                    "step": number,
                    "page": page["name"],
                }
    return [found[k] for k in keys if k in found]


@login_required
def assessment_result(request, assessment_id):
    enterprise, role = roles.host_member_or_404(request)
    assessment = _load(assessment_id)
    definition = framework_definition(assessment.framework_id)
    verified, own = assessment.verified_result, assessment.result
    context = {
        "assessment": assessment,
        "definition": definition,
        "result": own,
        "scoring": selectors.scoring_state(assessment=assessment, enterprise=enterprise),
        "verification": selectors.verification_state(assessment=assessment, enterprise=enterprise),
        "question_names": question_names(definition),
        **selectors.review_of(assessment=assessment, enterprise=enterprise),
    }
    # The verified result, once there is one, is the headline: its score, level, chart and advice.
    # The self-assessment stays beside it, labelled.
    headline = verified or own
    if headline:
        context.update(result_view(definition, headline))
        language = "zh" if (get_language() or "zh").startswith("zh") else "en"
        axes = radar_axes(definition, headline)
        own_axes = radar_axes(definition, own) if verified and own else None
        context["headline"] = headline
        context["radar"] = radar(axes, language, compared=own_axes)
        context["radar_rows"] = list(zip(axes, own_axes or [None] * len(axes), strict=True))
    if verified and own:
        self_bars = result_view(definition, own)["bars"]
        context["comparison"] = list(zip(self_bars, result_view(definition, verified)["bars"], strict=True))
        report_check = verification.of_assessment(enterprise=enterprise, assessment_id=assessment.pk)
        if report_check:
            # Only an owner or administrator decides whether the page names the enterprise.
            report_check["can_decide"] = roles.ROLE_RANK[role] >= roles.ROLE_RANK[Role.ADMIN]
        context["report_check"] = report_check
    template = (
        "manufacturing/_result_body.html"
        if request.headers.get("HX-Request")
        else "manufacturing/assessment_result.html"
    )
    return render(request, template, context)


@login_required
def assessment_report(request, assessment_id):
    """The verified result as a PDF, in the page's language (or ?lang=zh / ?lang=en)."""
    from django.http import HttpResponse

    from manufacturing import report_pdf

    enterprise, _role = roles.host_member_or_404(request)
    assessment = _load(assessment_id)
    if assessment.status != Assessment.Status.VERIFIED:
        raise Http404
    language = request.GET.get("lang") or ("zh" if (get_language() or "zh").startswith("zh") else "en")
    if language not in ("zh", "en"):
        raise Http404
    pdf = report_pdf.render(selectors.report_data(assessment=assessment, enterprise=enterprise), language)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="assessment-{assessment.pk}-{language}.pdf"'
    return response


@login_required
@require_POST
def assessment_report_consent(request, assessment_id):
    """The enterprise's choice to name itself on its report's public verification page (admins)."""
    from django.contrib import messages

    enterprise, _role = roles.host_member_or_404(request, Role.ADMIN)
    assessment = _load(assessment_id)
    publish = request.POST.get("publish_name") == "1"
    if not verification.publish_name_set(enterprise=enterprise, assessment_id=assessment.pk, publish=publish):
        raise Http404
    messages.success(
        request,
        _("The verification page now shows your enterprise's name.")
        if publish
        else _("The verification page no longer shows your enterprise's name, only its city."),
    )
    return redirect("assessment-result", assessment_id=assessment.pk)
