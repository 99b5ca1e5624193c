"""Demo data of the transformation programmes for `make run`: an open city pilot in Tianjin (run by
the whole region's demo admin) and one in Baoding (run by Hebei's), two accepted service providers
(fictional, marked demo) with their users and solutions, and two demo enterprises of their own: the
Tianjin one mid-project (approved, budget reserved, milestones partly confirmed), the Baoding one
completed and subsidised (its after-level verified by another assessor, the subsidy granted).

portal/demo.py puts it together: it makes the verified assessments (manufacturing is read here only
through manufacturing.interface) and calls these functions in order. The rows are written directly,
as the services would leave them, keeping every invariant: each change recorded on the trail
(programmes/events.py), the programme's reserved and granted amounts those of its projects (moved
under the programme's row lock, only when a project is created), each project's fact published in
this process through programmes/facts.py (as the worker would). Idempotent: what exists (matched by
name, credit code, or an enterprise's project in the programme) is left as it is."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from manufacturing import interface
from programmes import events, facts, rules
from programmes.models import (
    Enrolment,
    Event,
    Milestone,
    Programme,
    Project,
    Provider,
    ProviderMember,
    Solution,
)
from tenants.demo import credit_code_for, demo_enterprise_ensure, demo_user
from tenants.models import Enterprise, Industry, Region, User

MINIMAL_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# (name zh, en, area code and organisation code of the credit code, city, user (email, name),
#  solutions: (name zh, en, description zh, en, divisions, scenes, price min, max (CNY), days))
PROVIDERS = [
    (
        "津沽智造数字科技有限公司（演示）",
        "Jingu Smart Manufacturing Digital Technology Co., Ltd. (demo)",
        ("120116", "MA09JG5D1"),
        "120000",
        ("provider-tj@example.com", "周服务"),
        [
            ("质量在线检测与追溯", "Inline quality inspection and traceability",
             "视觉检测替代人工抽检，质量数据按批次追溯到工序与设备。",
             "Machine vision instead of manual sampling; quality data traced by batch to step and machine.",
             ["C34", "C35"], ["quality-management", "production-control"], 80_000, 300_000, 60),
            ("设备联网与预测性维护", "Connected equipment and predictive maintenance",
             "老旧设备加装传感器联网，状态监测与故障预警。",
             "Sensors on older machines, condition monitoring and failure warnings.",
             [], ["equipment-management"], 50_000, 200_000, 45),
            ("轻量化生产执行系统", "Light manufacturing execution system",
             "订阅式 MES：排程、报工与在制品看板，一个月上线。",
             "Subscription MES: scheduling, shop-floor reporting and WIP boards, live in a month.",
             ["C34", "C35", "C36"], ["production-planning", "production-control"], 150_000, 500_000, 90),
        ],
    ),
    (
        "冀联工业互联网服务有限公司（演示）",
        "Jilian Industrial Internet Services Co., Ltd. (demo)",
        ("130602", "MA0BJL2E4"),
        "130600",
        ("provider-bd@example.com", "吴服务"),
        [
            ("智能仓储与物流管理", "Smart warehousing and logistics",
             "条码与 WMS 管理原料、在制品与成品，采购到货自动入账。",
             "Barcodes and a WMS for materials, WIP and goods; purchases booked on arrival.",
             [], ["warehousing-logistics", "procurement"], 100_000, 400_000, 75),
            ("能耗监测与优化", "Energy monitoring and optimisation",
             "分项计量与能耗看板，找出高耗能设备与时段。",
             "Sub-metering and an energy board that finds the costly machines and hours.",
             [], ["energy-management", "equipment-management"], 60_000, 250_000, 60),
        ],
    ),
]  # fmt: skip

# key -> name zh, en, cities, segments, subsidy %, cap, budget (CNY), admin ("region" or "hebei")
PROGRAMMES = {
    "tianjin": (
        "天津市中小企业数字化转型城市试点（演示）",
        "Tianjin SME digital transformation city pilot (demo)",
        ["120000"],
        ["C34-pumps-valves", "C35-agri-machinery"],
        Decimal("30"),
        Decimal("150000"),
        Decimal("5000000"),
        "region",
    ),
    "baoding": (
        "保定市中小企业数字化转型城市试点（演示）",
        "Baoding SME digital transformation city pilot (demo)",
        ["130600"],
        ["C34-bearings-gears", "C36-auto-parts"],
        Decimal("40"),
        Decimal("200000"),
        Decimal("3000000"),
        "hebei",
    ),
}


@dataclass(frozen=True)
class DemoEnterprise:
    slug: str
    name: str
    name_en: str
    city: str
    district: str | None
    industry: str
    segment: str
    org_code: str
    owner_email: str
    owner_name: str
    employees: int
    revenue_band: str
    phone: str


# The programmes' own demo enterprises (tenants/demo.py's three have their own stories).
ENTERPRISES = {
    "tianjin": DemoEnterprise(
        slug="tj-jinghai",
        name="天津静海智能泵阀有限公司",
        name_en="Tianjin Jinghai Smart Pumps and Valves Co., Ltd.",
        city="120000",
        district="120118",
        industry="C34",
        segment="C34-pumps-valves",
        org_code="MA0CJH4F5",
        owner_email="owner@tj-jinghai.example.com",
        owner_name="赵强",
        employees=180,
        revenue_band="3m-20m",
        phone="+862268001234",
    ),
    "baoding": DemoEnterprise(
        slug="bd-lianchi",
        name="保定莲池精密轴承有限公司",
        name_en="Baoding Lianchi Precision Bearings Co., Ltd.",
        city="130600",
        district=None,
        industry="C34",
        segment="C34-bearings-gears",
        org_code="MA0DLC6G7",
        owner_email="owner@bd-lianchi.example.com",
        owner_name="孙丽",
        employees=95,
        revenue_band="3m-20m",
        phone="+8631287654321",
    ),
}
# The two projects: programme key -> (provider index, solution index, contract amount, stage)
PROJECTS = {
    "tianjin": (0, 0, Decimal("280000"), "approved"),
    "baoding": (1, 0, Decimal("360000"), "granted"),
}
MILESTONES = [
    ("现场调研与方案确认", "On-site survey and design confirmed", 10),
    ("系统部署与设备联网", "System deployed, machines connected", 35),
    ("试运行与人员培训", "Trial run and staff training", 60),
]


def demo_enterprises_ensure() -> tuple[dict[str, Enterprise], list[dict]]:
    """The programmes' demo enterprises and their owners (missing ones created); their logins."""
    from tenants import services

    made, logins = {}, []
    for key, demo in ENTERPRISES.items():
        tenant, owner = demo_enterprise_ensure(demo)
        made[key] = tenant
        stage = "mid-project" if PROJECTS[key][3] == "approved" else "project completed and subsidised"
        logins.append(
            {
                "role": f"enterprise owner ({tenant.city.name_en}, {stage})",
                "email": owner.email,
                "url": services.tenant_url(tenant, "/"),
            }
        )
    return made, logins


@transaction.atomic
def demo_programmes_ensure(*, admin: User, city_admin: User) -> dict:
    """The providers (with their users and solutions), the two open programmes and the providers'
    accepted applications. Returns {"programmes": {key: Programme}, "providers": [Provider],
    "solutions": [[Solution]], "provider_users": [User]}."""
    framework_id = interface.default_framework_id()
    providers, solutions, users = [], [], []
    for zh, en, (area, org), city, (email, name), offers in PROVIDERS:
        user = demo_user(email, name, platform_role=User.PlatformRole.PROVIDER)
        provider = Provider.objects.filter(credit_code=credit_code_for(area, org)).first()
        if provider is None:
            provider = Provider.objects.create(
                name_zh=zh,
                name_en=en,
                credit_code=credit_code_for(area, org),
                city=Region.objects.get(code=city),
                contact_name=name,
                contact_phone="+8613900139000",
                contact_email=email,
                description_zh="小快轻准的数字化改造服务商（演示数据）。",
                description_en="A provider of small, fast, light and precise solutions (demo data).",
            )
            events.record(actor=user, action=Event.Action.PROVIDER_REGISTERED, provider=provider)
        ProviderMember.objects.get_or_create(user=user, defaults={"provider": provider})
        own = []
        for s_zh, s_en, d_zh, d_en, divisions, scenes, low, high, days in offers:
            solution = Solution.objects.filter(provider=provider, name_zh=s_zh).first()
            if solution is None:
                solution = Solution.objects.create(
                    provider=provider,
                    name_zh=s_zh,
                    name_en=s_en,
                    description_zh=d_zh,
                    description_en=d_en,
                    framework_id=framework_id,
                    scenes=scenes,
                    price_min=Decimal(low),
                    price_max=Decimal(high),
                    delivery_days=days,
                    references="演示案例 / demo references",
                )
                solution.divisions.set(Industry.objects.filter(code__in=divisions))
                events.record(
                    actor=user,
                    action=Event.Action.SOLUTION_SAVED,
                    provider=provider,
                    detail={"solution": solution.pk},
                )
            own.append(solution)
        providers.append(provider)
        solutions.append(own)
        users.append(user)

    today = timezone.localdate()
    admins = {"region": admin, "hebei": city_admin}
    programmes = {}
    for key, (zh, en, cities, segments, percent, cap, budget, who) in PROGRAMMES.items():
        programme = Programme.objects.filter(name_zh=zh).first()
        if programme is None:
            programme = Programme.objects.create(
                name_zh=zh,
                name_en=en,
                description_zh="重点细分行业中小企业数字化改造，改造后水平达到二级及以上并提升至少一级的，"
                "按合同金额给予补贴（演示数据）。",
                description_en="Digital transformation of SMEs of the key segments; a subsidy on the "
                "contract for those reaching level 2 or above and gaining at least one level (demo data).",
                framework_id=framework_id,
                target_level=2,
                target_gain=1,
                subsidy_percent=percent,
                subsidy_cap=cap,
                budget=budget,
                verified_since=today - datetime.timedelta(days=365),
                apply_from=today - datetime.timedelta(days=30),
                apply_until=today + datetime.timedelta(days=120),
                providers_from=today - datetime.timedelta(days=60),
                providers_until=today + datetime.timedelta(days=60),
                complete_by=today + datetime.timedelta(days=365),
                state=Programme.State.OPEN,
                created_by=admins[who],
            )
            programme.cities.set(Region.objects.filter(code__in=cities))
            programme.segments.set(segments)
            events.record(actor=admins[who], action=Event.Action.PROGRAMME_CREATED, programme=programme)
            events.record(
                actor=admins[who],
                action=Event.Action.PROGRAMME_STATE,
                programme=programme,
                old=Programme.State.DRAFT,
                new=Programme.State.OPEN,
            )
        for provider, user in zip(providers, users, strict=True):
            _enrolment, created = Enrolment.objects.get_or_create(
                programme=programme,
                provider=provider,
                defaults={
                    "status": Enrolment.Status.ACCEPTED,
                    "statement": "本地服务团队，三年内完成同行业改造项目二十余个（演示）。",
                    "applied_by": user,
                    "decided_by": admins[who],
                    "decided_at": timezone.now(),
                },
            )
            if created:
                events.record(
                    actor=user, action=Event.Action.ENROLMENT_APPLIED, programme=programme, provider=provider
                )
                events.record(
                    actor=admins[who],
                    action=Event.Action.ENROLMENT_ACCEPTED,
                    programme=programme,
                    provider=provider,
                    old=Enrolment.Status.PENDING,
                    new=Enrolment.Status.ACCEPTED,
                )
        programmes[key] = programme
    return {"programmes": programmes, "providers": providers, "solutions": solutions, "provider_users": users}


def demo_project(*, programme: Programme, tenant: Enterprise) -> Project | None:
    return (
        Project.objects.filter(programme=programme, tenant=tenant)
        .exclude(state=Project.State.WITHDRAWN)
        .first()
    )


@transaction.atomic
def demo_project_ensure(
    *, key: str, demo: dict, tenant: Enterprise, admin: User, before_assessment_id: int
) -> Project:
    """The enterprise's project in the programme `key`, up to its stage of PROJECTS: applied with its
    verified before-level, its solution and contract submitted, approved with the subsidy reserved,
    milestones planned and (in part) confirmed; the "granted" one completed too (its after-level and
    the grant come with `demo_project_finish`). An existing project is left as it is."""
    programme = Programme.objects.select_for_update().get(pk=demo["programmes"][key].pk)
    existing = demo_project(programme=programme, tenant=tenant)
    if existing is not None:
        return existing
    provider_index, solution_index, amount, stage = PROJECTS[key]
    provider = demo["providers"][provider_index]
    solution = demo["solutions"][provider_index][solution_index]
    provider_user = demo["provider_users"][provider_index]
    owner = tenant.owner
    before = interface.verified_fact(
        tenant_id=tenant.pk, framework_id=programme.framework_id, assessment_id=before_assessment_id
    )
    now = timezone.now()
    today = timezone.localdate()
    project = Project.objects.create(
        programme=programme,
        tenant=tenant,
        state=Project.State.APPLIED,
        city_id=tenant.city_id,
        province_code=tenant.city.province_code if tenant.city_id else "",
        industry_id=tenant.industry_id,
        size=tenant.revenue_band,
        segment_id=ENTERPRISES[key].segment,
        before_assessment_id=before["assessment_id"],
        before_level=before["level"],
        before_total=before["total"],
        before_approved_at=before["approved_at"],
        before_assessor_id=before["assessor_id"],
        publish_name=True,
        applied_by=owner,
    )
    events.record(
        actor=owner,
        action=Event.Action.PROJECT_APPLIED,
        project=project,
        new=Project.State.APPLIED,
        detail={"before_level": project.before_level},
    )
    project.solution, project.provider, project.contract_amount = solution, provider, amount
    project.contract_signed_on = today - datetime.timedelta(days=2)
    project.contract_start = max(today - datetime.timedelta(days=1), programme.apply_from)
    project.contract_end = project.contract_start + datetime.timedelta(days=solution.delivery_days)
    project.contract_file.save("contract.pdf", ContentFile(MINIMAL_PDF), save=False)
    project.state, project.submitted_at = Project.State.SUBMITTED, now
    events.record(
        actor=owner,
        action=Event.Action.PROJECT_SUBMITTED,
        project=project,
        old=Project.State.APPLIED,
        new=Project.State.SUBMITTED,
        detail={"solution": solution.pk, "contract_amount": str(amount)},
    )
    # Approved: the subsidy reserved from the budget, under the programme's row lock (taken above).
    reserved = rules.subsidy_for(percent=programme.subsidy_percent, cap=programme.subsidy_cap, amount=amount)
    assert reserved <= programme.remaining, "the demo programme's budget must hold the demo projects"
    programme.reserved += reserved
    programme.save(update_fields=["reserved", "updated_at"])
    project.subsidy_reserved = reserved
    project.state, project.approved_at, project.decided_by, project.decided_at = (
        Project.State.APPROVED,
        now,
        admin,
        now,
    )
    project.save()
    events.record(
        actor=admin,
        action=Event.Action.PROJECT_APPROVED,
        project=project,
        old=Project.State.SUBMITTED,
        new=Project.State.APPROVED,
        detail={"reserved": str(reserved)},
    )
    confirmed = len(MILESTONES) if stage == "granted" else 1
    reported = len(MILESTONES) if stage == "granted" else 2
    for n, (zh, en, days) in enumerate(MILESTONES):
        milestone = Milestone.objects.create(
            project=project,
            title=f"{zh} / {en}",
            due_on=project.contract_start + datetime.timedelta(days=days),
        )
        events.record(
            actor=owner,
            action=Event.Action.MILESTONE_PLANNED,
            project=project,
            detail={"milestone": milestone.pk},
        )
        if n < reported:
            milestone.state = Milestone.State.REPORTED
            milestone.report = "已按计划完成，附现场照片与验收记录（演示）。"
            milestone.reported_by, milestone.reported_at = owner, now
            events.record(
                actor=owner,
                action=Event.Action.MILESTONE_REPORTED,
                project=project,
                old=Milestone.State.PLANNED,
                new=Milestone.State.REPORTED,
                detail={"milestone": milestone.pk},
            )
        if n < confirmed:
            milestone.state = Milestone.State.CONFIRMED
            milestone.confirmed_by, milestone.confirmed_at = provider_user, now
            events.record(
                actor=provider_user,
                action=Event.Action.MILESTONE_CONFIRMED,
                project=project,
                old=Milestone.State.REPORTED,
                new=Milestone.State.CONFIRMED,
                detail={"milestone": milestone.pk},
            )
        milestone.save()
    if stage == "granted":
        project.state, project.completed_at = Project.State.COMPLETED, timezone.now()
        project.save(update_fields=["state", "completed_at", "updated_at"])
        events.record(
            actor=owner,
            action=Event.Action.PROJECT_COMPLETED,
            project=project,
            old=Project.State.APPROVED,
            new=Project.State.COMPLETED,
        )
    facts.fact_publish(project_id=project.pk)
    return project


@transaction.atomic
def demo_project_finish(*, project: Project, admin: User) -> Project:
    """The completed project, once its after-assessment is verified (by another assessor than the
    before one): the after-level recorded (unless the programmes' receiver of the review did it), then
    the subsidy granted: moved from reserved to granted under the programme's lock."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    programme = Programme.objects.select_for_update().get(pk=project.programme_id)
    if project.state == Project.State.COMPLETED:
        after = interface.verified_fact(tenant_id=project.tenant_id, framework_id=programme.framework_id)
        assert after["assessment_id"] != project.before_assessment_id, "the demo's after-assessment"
        assert after["assessor_id"] != project.before_assessor_id, "another assessor verifies the after-level"
        project.after_assessment_id, project.after_level = after["assessment_id"], after["level"]
        project.after_total, project.after_approved_at = after["total"], after["approved_at"]
        project.after_assessor_id = after["assessor_id"]
        project.target_met = rules.target_met(
            target_level=programme.target_level,
            target_gain=programme.target_gain,
            before_level=project.before_level,
            after_level=after["level"],
        )
        project.state = Project.State.VERIFIED
        project.save()
        events.record(
            actor=None,
            action=Event.Action.AFTER_VERIFIED,
            project=project,
            old=Project.State.COMPLETED,
            new=Project.State.VERIFIED,
            detail={"before_level": project.before_level, "after_level": project.after_level},
        )
    if project.state == Project.State.VERIFIED and project.target_met:
        granted = project.subsidy_reserved
        programme.reserved -= granted
        programme.granted += granted
        programme.save(update_fields=["reserved", "granted", "updated_at"])
        project.subsidy_reserved, project.subsidy_granted = Decimal(0), granted
        project.state, project.decided_by, project.decided_at = Project.State.GRANTED, admin, timezone.now()
        project.save()
        events.record(
            actor=admin,
            action=Event.Action.SUBSIDY_GRANTED,
            project=project,
            old=Project.State.VERIFIED,
            new=Project.State.GRANTED,
            detail={"granted": str(granted)},
        )
    facts.fact_publish(project_id=project.pk)
    return project
