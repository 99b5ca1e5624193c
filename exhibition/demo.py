"""Demo data of the exhibition cloud for `make run`: an open exhibition (marked demo) with three
sections; each demo enterprise has products with a picture and a booth published in the hall; the
Beijing enterprise offers meeting slots; a demo buyer has sent it an inquiry and booked a slot.
Idempotent; through the real services (the hall copy is made in-process, as the worker would)."""

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tenants.utils import tenant_context

from exhibition import booths, services
from exhibition.hall import buyers, meetings
from exhibition.hall.models import Booking, BoothListing, Exhibition, Inquiry, MeetingSlot, Section
from exhibition.hall.publishing import listing_publish
from exhibition.models import Booth, Product
from tenants.models import Enterprise, Industry

# The demo's meeting slots: in the morning online, in the afternoon at the enterprise (demo values).
SLOT_PLACES = {
    10: {"mode": "online", "link": "https://meeting.example.com/jjj-demo"},
    14: {"mode": "address", "address": "北京经济技术开发区科创十三街 18 号 2 号楼接待室（演示）"},
}
EXHIBITION = ("京津冀智能制造线上博览会（演示）", "Jingjinji Smart Manufacturing Online Expo (demo)")
THEME = (
    "聚焦智能装备、新能源汽车零部件与工业软件，线上展示、询盘与洽谈。",
    "Smart equipment, new-energy vehicle parts and industrial software: exhibit, inquire and meet online.",
)
SECTIONS = [
    ("智能装备", "Smart equipment", ["C34", "C35"]),
    ("汽车与零部件", "Vehicles and parts", ["C36", "C37"]),
    ("电子与仪器", "Electronics and instruments", ["C39", "C40"]),
]
# enterprise slug -> section index, introduction (zh, en),
# products (name zh, en, description zh, en, specifications, tags, picture colour)
BOOTHS = {
    "bj-precision": (
        0,
        ("二十年精密加工经验，提供五轴加工中心与数字化产线改造方案。",
         "Twenty years of precision machining: five-axis centres and digital line retrofits."),
        [
            ("五轴联动加工中心 JG-500", "Five-axis machining centre JG-500",
             "适用于航空结构件与精密模具，支持远程运维。",
             "For aerospace parts and precision moulds; remote maintenance.",
             "行程: 500×400×350 mm\n主轴转速: 18000 rpm\n定位精度: 0.005 mm",
             ["smart", "export"], (32, 92, 160)),
            ("产线数字孪生套件", "Production-line digital twin kit",
             "采集设备数据，实时呈现产线状态与能耗。",
             "Collects machine data; shows line status and energy in real time.",
             "接口: OPC UA, Modbus\n部署: 本地或私有云", ["smart", "new"], (40, 140, 110)),
        ],
    ),
    "tj-haihe": (
        0,
        ("港口起重与物流装备制造商，产品出口二十余国。",
         "Port cranes and logistics equipment, exported to over twenty countries."),
        [
            ("智能门式起重机", "Smart gantry crane",
             "自动定位与防摇控制，适用于港口与大型仓储。",
             "Automatic positioning and anti-sway control for ports and warehouses.",
             "额定起重量: 50 t\n跨度: 30 m", ["smart", "export"], (200, 120, 30)),
        ],
    ),
    "bd-autoparts": (
        1,
        ("新能源汽车底盘与电驱零部件供应商。",
         "Chassis and e-drive parts for new-energy vehicles."),
        [
            ("一体化压铸后底板", "Integrated die-cast rear floor",
             "减重 15%，减少焊点七百余个。", "15 % lighter, over 700 fewer welds.",
             "材料: 免热处理铝合金\n尺寸: 1600×1400 mm", ["green", "new"], (120, 60, 150)),
            ("电驱壳体", "E-drive housing",
             "高压铸造，气密性检测全检。", "High-pressure cast; every unit leak-tested.",
             "材料: ADC12\n气密性: ≤ 5 mL/min", ["green", "custom"], (90, 90, 90)),
        ],
    ),
}  # fmt: skip
BUYER = ("buyer@example.com", "周采购")


def _picture(colour: tuple[int, int, int]) -> SimpleUploadedFile:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (800, 600), colour)
    draw = ImageDraw.Draw(image)
    for n in range(6):  # a simple pattern, so each demo product has a picture of its own
        draw.rectangle(
            (120 + 40 * n, 140 + 30 * n, 680 - 40 * n, 460 - 30 * n), outline=(255, 255, 255), width=4
        )
    out = io.BytesIO()
    image.save(out, format="PNG")
    return SimpleUploadedFile("demo.png", out.getvalue(), content_type="image/png")


def _exhibition(admin) -> tuple[Exhibition, list[Section]]:
    today = timezone.localdate()
    exhibition = Exhibition.objects.filter(name_zh=EXHIBITION[0]).first()
    if exhibition is None:
        exhibition = Exhibition.objects.create(
            name_zh=EXHIBITION[0],
            name_en=EXHIBITION[1],
            theme_zh=THEME[0],
            theme_en=THEME[1],
            starts_on=today + datetime.timedelta(days=14),
            ends_on=today + datetime.timedelta(days=20),
            registration_deadline=today + datetime.timedelta(days=10),
            status=Exhibition.Status.OPEN,
            created_by=admin,
        )
    sections = []
    for position, (zh, en, codes) in enumerate(SECTIONS):
        section, created = Section.objects.get_or_create(
            exhibition=exhibition, name_zh=zh, defaults={"name_en": en, "position": position}
        )
        if created:
            section.industries.set(Industry.objects.filter(code__in=codes))
        sections.append(section)
    return exhibition, sections


def _booth(tenant: Enterprise, exhibition: Exhibition, section: Section, intro, products) -> BoothListing:
    with tenant_context(tenant):
        booth = Booth.objects.filter(exhibition=exhibition).first()
        if booth is None:
            featured = []
            for zh, en, desc_zh, desc_en, specs, tags, colour in products:
                product = Product.objects.create(
                    name_zh=zh,
                    name_en=en,
                    description_zh=desc_zh,
                    description_en=desc_en,
                    specifications=specs,
                    tags=tags,
                    industry=tenant.industry,
                    created_by=tenant.owner,
                )
                services.image_add(enterprise=tenant, product=product, upload=_picture(colour))
                featured.append(product)
            booth = booths.booth_register(
                enterprise=tenant, exhibition_id=exhibition.pk, section_id=section.pk, user=tenant.owner
            )
            booth.intro_zh, booth.intro_en = intro
            booth.save()
            booth.featured.set(featured)
            booths.booth_publish(booth_id=booth.pk, enterprise=tenant, user=tenant.owner)
    listing_publish(tenant_id=tenant.pk, booth_id=booth.pk)  # what the worker does; a no-op once done
    return BoothListing.objects.get(tenant=tenant, booth_id=booth.pk)


def demo_exhibition_ensure(*, admin, buyer) -> None:
    exhibition, sections = _exhibition(admin)
    listings = {}
    for slug, (section, intro, products) in BOOTHS.items():
        tenant = Enterprise.objects.filter(slug=slug).first()
        if tenant is not None:
            listings[slug] = _booth(tenant, exhibition, sections[section], intro, products)
    beijing = listings.get("bj-precision")
    if beijing is None:
        return
    tenant = beijing.tenant
    if not MeetingSlot.objects.filter(tenant=tenant, starts_at__gt=timezone.now()).exists():
        day = timezone.localdate() + datetime.timedelta(days=2)
        for hour, place in SLOT_PLACES.items():
            form = meetings.SlotForm(
                {"starts_at": f"{day.isoformat()}T{hour:02d}:00", "minutes": "30", "count": "4", **place}
            )
            if form.is_valid():
                meetings.slots_add(tenant=tenant, form=form)
    if not Inquiry.objects.filter(buyer=buyer, tenant=tenant).exists():
        inquiry = buyers.inquiry_send(
            buyer=buyer,
            listing_id=beijing.pk,
            message="您好，请问五轴加工中心 JG-500 的交货期和售后服务范围？我们计划采购 3 台。",
            company="雄安智建装备采购中心（演示）",
        )
        buyers.inquiry_deliver(inquiry_id=inquiry.pk)  # what the worker does
    if not Booking.objects.filter(buyer=buyer, slot__tenant=tenant).exists():
        slot = meetings.free_slots(tenant_id=tenant.pk).first()
        if slot is not None:
            meetings.book(buyer=buyer, slot_id=slot.pk, listing_id=beijing.pk, note="JG-500 交货期与付款方式")
