"""Demo assessments for `make run`, so every role has something to do on first sign-in: the
Beijing enterprise has a verified result (with its PDF report), the Tianjin one waits for the demo
assessor, the Baoding one waits for a regional admin to assign it. Idempotent: an enterprise that
has any assessment is left as it is. Everything goes through the real services (scoring,
assignment, approval, publishing), run in-process here rather than on a worker."""

import random

from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context

from manufacturing import scoring, services
from manufacturing.frameworks.models import Framework
from manufacturing.models import Assessment
from manufacturing.review import assignments, publishing, workbench
from manufacturing.review.models import ReviewCase
from tenants.models import Enterprise, User

MINIMAL_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def demo_answers(definition: dict, seed: int) -> dict:
    """Plausible, complete answers of a mid-sized manufacturer (deterministic per seed)."""
    rng = random.Random(seed)  # noqa: S311 - demo answers, not secrets
    ix = scoring.index(definition)
    answers = {}
    for key, q in ix.questions.items():
        if q["type"] == "single":
            ranked = sorted(q["options"], key=lambda o: o["score"])
            answers[key] = {"option": ranked[min(len(ranked) - 1, rng.randint(1, len(ranked)))]["key"]}
        elif q["type"] == "multi":
            plain = [o["key"] for o in q["options"] if not o.get("exclusive")]
            answers[key] = {"options": rng.sample(plain, max(1, len(plain) * 2 // 3))}
        else:
            inputs = {spec["key"]: rng.randint(60, 200) for spec in q["inputs"]}
            for check in q.get("checks", []):
                inputs[check["left"]] = inputs[check["right"]] * rng.randint(30, 90) // 100
            answers[key] = {"inputs": inputs}
    for key in ix.scenes:
        answers[key] = {"level": rng.choice([1, 2, 2, 3, 3, 4])}
    for key in ix.requirements:
        answers[key] = {"rating": rng.choice([0.5, 0.8, 1])}
    return answers


def _scored(enterprise: Enterprise, framework: Framework, owner: User, seed: int) -> Assessment:
    with tenant_context(enterprise):
        assessment = services.assessment_create(framework=framework, user=owner)
        for key, value in demo_answers(framework.definition, seed).items():
            services.answer_put(
                enterprise=enterprise, assessment=assessment, key=key, value=value, user=owner
            )
        for key in services.evidence_missing(assessment=assessment):
            upload = SimpleUploadedFile(f"{key}.pdf", MINIMAL_PDF)
            services.evidence_add(
                enterprise=enterprise, assessment=assessment, question_key=key, upload=upload, user=owner
            )
        services.pledge_sign(assessment=assessment, user=owner)
        services.assessment_submit(assessment=assessment, user=owner, enterprise=enterprise)
        return services.assessment_score(enterprise=enterprise, assessment_id=assessment.pk)


def demo_assessments_ensure(*, assessor: User, admin: User) -> None:
    framework = Framework.objects.get(is_default=True)
    plan = {"bj-precision": "verified", "tj-haihe": "assigned", "bd-autoparts": "scored"}
    for seed, (slug, stage) in enumerate(plan.items(), start=1):
        enterprise = Enterprise.objects.filter(slug=slug).first()
        if enterprise is None:
            continue
        with tenant_context(enterprise):
            if Assessment.objects.exists():
                continue
        assessment = _scored(enterprise, framework, enterprise.owner, seed)
        if stage == "scored":
            continue
        case = ReviewCase.objects.get(tenant=enterprise, assessment_id=assessment.pk)
        assignment = assignments.assign(admin=admin, case_id=case.pk, assessor_id=assessor.pk)
        if stage == "verified":
            workbench.override_set(
                assessor=assessor,
                assignment_id=assignment.pk,
                key="network",
                value={"options": ["office-lan"]},
                reason="现场核查：生产区尚未联网，仅办公网络。On site: only the office network is connected.",
            )
            workbench.approve(assessor=assessor, assignment_id=assignment.pk)
            publishing.publish(tenant_id=enterprise.pk, assessment_id=assessment.pk)
