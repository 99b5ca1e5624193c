"""What the public exhibition hall's booth page costs as an exhibition grows to thousands of booths, and
what the hall's two indexes buy it.

Seeds, in the public schema, 1,000 and then 10,000 published booths (BoothListing rows as the
publishing worker writes them: bilingual company names and introductions, the snapshot in `pending`,
the lower-cased `search_text` and its grams in `search_grams` (exhibition.hall.search.grams), the
products' tags; two or three ListingProduct rows each, from a fixed vocabulary of 49 products over 15
industry divisions; the 14 report cities; five sections), plus 2% unpublished rows and 2,000 booths
of another exhibition. The rows share 20 enterprises (rows without schemas). Times GET /hall/<id>/ on
the public host, anonymous, through the whole Django stack:

  page1      the first page (24 booths, the count, the filters' choices)
  page20     ?page=20
  q_zh       ?q=机器人      (Chinese, three characters: two bigrams)
  q_zh2      ?q=轴承        (Chinese, two characters: one bigram)
  q_zh1      ?q=泵          (Chinese, one character: the character itself)
  q_en       ?q=robot
  q_none     ?q=graphene    (matches nothing)
  city       ?city=130600   (Baoding)
  industry   ?industry=C34
  tag        ?tag=green     (no index: the tags are read row by row)
  combined   keyword, section, city, industry and tag together

Baselines in the same run: the public home page (GET /); the growth from 1,000 to 10,000 booths; and,
at 10,000 booths, the same requests without the hall's indexes (listing_search_grams, the GIN index on
the grams that narrows a keyword's candidates, and listing_hall_order, the b-tree on the page's filter
and order), dropped inside a transaction that is rolled back afterwards. The requests run in-process
on the same connection, so they see the indexes gone (25 timings each rather than 60, to keep the run
under three minutes); the script then checks that both exist again, and fails if not. It prints
EXPLAIN (ANALYZE, BUFFERS) summaries of the listing queries (COUNT and page) of page1, q_zh, q_zh2,
q_zh1, q_en, q_none and tag, with and without the indexes: which index or scan each uses, and its
execution time.

Prints p50/p95/mean per size and request, with the SQL time of its two listing queries alone, and
BENCH lines: hall_page_p95_ms_{1000,10000}, hall_page20_p95_ms_10000, hall_search_p95_ms_10000
(q_zh), hall_search_en_p95_ms_10000, hall_search_short_p95_ms_10000 (q_zh2),
hall_search_one_char_p95_ms_10000 (q_zh1), hall_filter_p95_ms_10000 (combined), hall_growth_x (first
page p95, 10,000 / 1,000), hall_page_vs_home_x (first page at 10,000 booths / home page),
hall_index_speedup_search_x and hall_index_speedup_page_x (p95 without the indexes / with, for q_zh2
and page1 at 10,000 booths). The seeded rows are removed afterwards, also when the script is stopped
with SIGTERM.
"""

import random
import re
import signal
import sys
import time
from urllib.parse import urlencode

from _common import bench_line, measure, setup_django, summary

SIZES = (1000, 10_000)
OTHER = 2000  # booths of the other exhibition
REPEAT = 60
WARMUP = 8
REPEAT_WITHOUT = 25  # without the indexes a keyword request takes a quarter of a second
PREFIX = "hbench_"  # schema_name of the seeded enterprises (no schema is created)
MARK = "hbench"  # name_en of the seeded exhibitions
TENANTS = 20

# (Chinese, English) product names per industry division.
PRODUCTS = {
    "C34": [
        ("数控机床", "CNC machine tool"),
        ("立式加工中心", "vertical machining centre"),
        ("工业机器人", "industrial robot"),
        ("协作机器人", "collaborative robot"),
        ("精密轴承", "precision bearing"),
        ("滚动轴承", "rolling bearing"),
        ("齿轮减速机", "gear reducer"),
        ("液压泵", "hydraulic pump"),
        ("空气压缩机", "air compressor"),
        ("工业阀门", "industrial valve"),
    ],
    "C35": [
        ("焊接机器人", "welding robot"),
        ("注塑机", "injection moulding machine"),
        ("激光切割机", "laser cutting machine"),
        ("包装机械", "packaging machine"),
        ("农业收获机", "combine harvester"),
    ],
    "C38": [
        ("伺服电机", "servo motor"),
        ("变频器", "frequency inverter"),
        ("光伏组件", "photovoltaic module"),
        ("锂电池", "lithium battery"),
        ("储能系统", "energy storage system"),
        ("电力变压器", "power transformer"),
    ],
    "C39": [
        ("工业传感器", "industrial sensor"),
        ("PLC控制器", "PLC controller"),
        ("工业相机", "machine vision camera"),
        ("物联网网关", "IoT gateway"),
    ],
    "C40": [("智能电表", "smart electricity meter"), ("电磁流量计", "electromagnetic flow meter")],
    "C36": [
        ("汽车座椅", "car seat"),
        ("制动盘", "brake disc"),
        ("新能源汽车电驱系统", "EV electric drive"),
    ],
    "C37": [("轨道交通配件", "rail transit parts"), ("工业无人机", "industrial drone")],
    "C33": [
        ("不锈钢管件", "stainless steel pipe fitting"),
        ("高强度紧固件", "high-strength fastener"),
        ("铝合金型材", "aluminium profile"),
    ],
    "C26": [("环保水性涂料", "water-based eco coating"), ("工业胶粘剂", "industrial adhesive")],
    "C29": [("橡胶密封件", "rubber seal"), ("塑料托盘", "plastic pallet")],
    "C30": [("玻璃纤维", "glass fibre"), ("耐火材料", "refractory material")],
    "C14": [("速冻水饺", "frozen dumplings"), ("手工挂面", "hand-made dried noodles")],
    "C17": [("羊绒围巾", "cashmere scarf"), ("功能性面料", "functional fabric")],
    "C21": [("办公家具", "office furniture"), ("实木餐桌", "solid wood dining table")],
    "C27": [("原料药", "active pharmaceutical ingredient"), ("中药饮片", "prepared Chinese herbal medicine")],
}
# How often each division exhibits (an equipment fair: machinery and electrical first).
WEIGHTS = {"C34": 6, "C35": 3, "C38": 4, "C39": 3, "C40": 1, "C36": 2, "C37": 1, "C33": 2}
TRADES = {  # the company name's trade, by division
    "C34": ("精密机械", "Precision Machinery"),
    "C35": ("智能装备", "Intelligent Equipment"),
    "C38": ("电气", "Electric"),
    "C39": ("电子科技", "Electronics"),
    "C40": ("仪表", "Instruments"),
    "C36": ("汽车零部件", "Auto Parts"),
    "C37": ("交通装备", "Transport Equipment"),
    "C33": ("金属制品", "Metal Products"),
    "C26": ("化工", "Chemicals"),
    "C29": ("橡塑制品", "Rubber & Plastics"),
    "C30": ("新材料", "New Materials"),
    "C14": ("食品", "Foods"),
    "C17": ("纺织", "Textiles"),
    "C21": ("家具", "Furniture"),
    "C27": ("制药", "Pharmaceutical"),
}
BRANDS = [
    ("恒达", "Hengda"), ("华信", "Huaxin"), ("金鼎", "Jinding"), ("中科", "Zhongke"), ("宏远", "Hongyuan"),
    ("瑞丰", "Ruifeng"), ("天成", "Tiancheng"), ("博远", "Boyuan"), ("鑫源", "Xinyuan"), ("众合", "Zhonghe"),
    ("永盛", "Yongsheng"), ("德润", "Derun"), ("海通", "Haitong"), ("长城", "Changcheng"), ("新奥", "Xin'ao"),
    ("汇丰", "Huifeng"), ("信达", "Xinda"), ("凯盛", "Kaisheng"), ("泰和", "Taihe"), ("冀东", "Jidong"),
    ("燕山", "Yanshan"), ("津港", "Jingang"), ("正阳", "Zhengyang"), ("安泰", "Antai"), ("英利", "Yingli"),
    ("晶澳", "Jingao"), ("精工", "Jinggong"), ("宝德", "Baode"), ("星火", "Xinghuo"), ("华北", "Huabei"),
]  # fmt: skip
FEATURES = [
    ("精度高、能耗低", "high precision and low energy use"),
    ("支持远程运维", "supports remote monitoring and maintenance"),
    ("通过CE和UL认证", "CE and UL certified"),
    ("可按图纸定制", "made to drawing on request"),
    ("核心部件自主研发", "core components developed in-house"),
    ("交货期短", "short lead times"),
    ("寿命长、免维护", "long life, maintenance-free"),
]
SPECS = ["额定功率: 7.5 kW", "Rated power: 7.5 kW", "重量: 1,200 kg", "Weight: 1,200 kg", "IP等级: IP65"]
TAG_ODDS = {"smart": 0.3, "green": 0.2, "export": 0.2, "new": 0.1, "custom": 0.1}
SECTIONS = [  # (Chinese, English, divisions)
    ("装备制造馆", "Equipment hall", ("C33", "C34", "C35", "C37")),
    ("电子信息馆", "Electronics hall", ("C38", "C39", "C40")),
    ("新能源汽车馆", "New energy vehicle hall", ("C36",)),
    ("材料化工馆", "Materials and chemicals hall", ("C26", "C29", "C30")),
    ("消费品与医药馆", "Consumer goods and medicine hall", ("C14", "C17", "C21", "C27")),
]


def scenarios(section_id: int) -> list[tuple[str, dict]]:
    return [
        ("page1", {}),
        ("page20", {"page": 20}),
        ("q_zh", {"q": "机器人"}),
        ("q_zh2", {"q": "轴承"}),
        ("q_zh1", {"q": "泵"}),
        ("q_en", {"q": "robot"}),
        ("q_none", {"q": "graphene"}),
        ("city", {"city": "130600"}),
        ("industry", {"industry": "C34"}),
        ("tag", {"tag": "green"}),
        (
            "combined",
            {"q": "robot", "section": section_id, "city": "130600", "industry": "C34", "tag": "smart"},
        ),
    ]


INDEXES = ("listing_search_grams", "listing_hall_order")  # the hall's, from migration 0007
EXPLAINED = ("page1", "q_zh", "q_zh2", "q_zh1", "q_en", "q_none", "tag")


def main() -> None:
    started = time.perf_counter()
    # Killed politely, it still removes what it seeded (the `finally` below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    setup_django()
    from django.conf import settings
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from exhibition.hall.models import BoothListing

    table = BoothListing._meta.db_table
    client = Client(HTTP_HOST=settings.PORTAL_DOMAIN)
    missing = [name for name in INDEXES if name not in indexes(table)]
    assert not missing, f"{missing} not on {table}: is migration hall 0007 applied?"

    def get(url):
        def call():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return call

    def probe(url) -> tuple[int, list[str]]:
        """The SQL one request runs, and how many booths match (by re-running its COUNT)."""
        with CaptureQueriesContext(connection) as queries:
            get(url)()
        sqls = [q["sql"] for q in queries.captured_queries]
        counts = [s for s in sqls if s.startswith("SELECT COUNT(*)") and table in s]
        with connection.cursor() as cursor:
            cursor.execute(counts[0])
            matches = cursor.fetchone()[0]
        return matches, sqls

    def listing_sql(sqls: list[str]) -> list[str]:
        """The request's queries on the listing table (its COUNT and its page)."""
        return [s for s in sqls if f'FROM "{table}"' in s]

    def time_sql(sqls: list[str], repeat: int = REPEAT) -> dict:
        def run():
            with connection.cursor() as cursor:
                for sql in sqls:
                    cursor.execute(sql)
                    cursor.fetchall()

        return summary(measure(run, repeat=repeat, warmup=min(3, repeat)))

    results: dict = {}
    plans: dict = {"with": {}, "without": {}}
    without: dict = {}
    sizes: dict = {}
    try:
        clean()
        analyze(table)  # an earlier run's deleted rows out of the way (VACUUM truncates the table)
        exhibition, other, section_ids = seed_exhibitions()
        seed_listings(other, section_ids=[], count=OTHER, start=0, seed=99, pending_every=0)
        hall = f"/hall/{exhibition.pk}/"
        cases = [
            (name, f"{hall}?{urlencode(params)}" if params else hall)
            for name, params in scenarios(section_ids[0])
        ]
        home = summary(measure(get("/"), repeat=REPEAT * 2, warmup=WARMUP))
        have = 0
        for n in SIZES:
            t0 = time.perf_counter()
            seed_listings(
                exhibition, section_ids=section_ids, count=n - have, start=have, seed=n, pending_every=50
            )
            have = n
            analyze(table)
            took = time.perf_counter() - t0
            print(
                f"seeded {n} booths (+{n // 50} unpublished, +{OTHER} in another exhibition) in {took:.1f}s"
            )
            results[n] = {}
            for name, url in cases:
                matches, sqls = probe(url)
                results[n][name] = {
                    "matches": matches,
                    "queries": len(sqls),
                    "http": summary(measure(get(url), repeat=REPEAT, warmup=WARMUP)),
                    "sql": time_sql(listing_sql(sqls)),
                    "listing_sql": listing_sql(sqls),
                }
            print(f"measured {len(cases)} requests at {n} booths in {time.perf_counter() - t0:.0f}s")
        home_after = summary(measure(get("/"), repeat=REPEAT * 2, warmup=WARMUP))

        big = results[SIZES[-1]]
        for name in EXPLAINED:
            plans["with"][name] = [explain(sql) for sql in big[name]["listing_sql"]]
        sizes = relation_sizes([table, *INDEXES])

        # The baseline: the same requests with the hall's indexes dropped, in a transaction that is
        # rolled back (DROP INDEX is transactional). The test client runs the views in this process on
        # this connection, so its requests run inside the transaction and see the indexes gone.
        t0 = time.perf_counter()
        with transaction.atomic():
            with connection.cursor() as cursor:
                for name in INDEXES:
                    cursor.execute(f'DROP INDEX "{name}"')
            assert not set(INDEXES) & indexes(table), "the indexes were not dropped"
            for name, url in cases:
                matches, sqls = probe(url)
                assert matches == big[name]["matches"], (name, matches, big[name]["matches"])
                without[name] = {
                    "http": summary(measure(get(url), repeat=REPEAT_WITHOUT, warmup=3)),
                    "sql": time_sql(listing_sql(sqls), repeat=REPEAT_WITHOUT // 2),
                }
            for name in EXPLAINED:
                plans["without"][name] = [explain(sql) for sql in big[name]["listing_sql"]]
            transaction.set_rollback(True)
        gone = [name for name in INDEXES if name not in indexes(table)]
        if gone:
            raise RuntimeError(
                f"{gone} missing after the rollback: the database no longer matches its migrations "
                f"(recreate with `manage.py migrate hall 0006 && manage.py migrate hall`)"
            )
        print(
            f"measured {len(cases)} requests without the hall's indexes in {time.perf_counter() - t0:.0f}s; "
            f"rolled back, {' and '.join(INDEXES)} in place again"
        )
    finally:
        # Left behind, the seeded enterprises (rows without schemas) would break the next migration.
        clean()
        analyze(table)

    head = ("booths", "request", "matches", "queries", "p50 ms", "p95 ms", "mean ms", "SQL p50")
    row = "{:>6} {:<9} {:>7} {:>7} {:>8} {:>8} {:>8} {:>8}"
    print("\n" + row.format(*head))
    for label, s in (("before seeding", home), ("10,000 booths", home_after)):
        print(row.format("", "home /", "", "", *(f"{s[k]:.2f}" for k in ("p50", "p95", "mean")), "") + label)
    for n, figures in results.items():
        for name, f in figures.items():
            s = f["http"]
            times = [f"{v:.2f}" for v in (s["p50"], s["p95"], s["mean"], f["sql"]["p50"])]
            print(row.format(n, name, f["matches"], f["queries"], *times))
    print("(SQL p50: the request's two queries on the listing table, COUNT and page, run alone)")

    print("\nGrowth 1,000 -> 10,000 booths (p95):")
    small, big = results[SIZES[0]], results[SIZES[-1]]
    for name in big:
        print(
            f"  {name:<9} {small[name]['http']['p95']:7.2f} -> {big[name]['http']['p95']:7.2f} ms  "
            f"{big[name]['http']['p95'] / small[name]['http']['p95']:5.2f}x   SQL p50 "
            f"{small[name]['sql']['p50']:6.2f} -> {big[name]['sql']['p50']:6.2f} ms"
        )

    print(
        f"\nWithout the hall's indexes -> with, at 10,000 booths (same run; sizes: table "
        f"{sizes[table] / 2**20:.1f} MB, "
        + ", ".join(f"{name} {sizes[name] / 2**20:.1f} MB" for name in INDEXES)
        + "):"
    )
    print(f"  {'request':<9} {'p50 ms':>24} {'p95 ms':>24} {'SQL p50 ms':>24}")
    for name, w in without.items():
        cells = []
        for fig, key in ((w["http"], "p50"), (w["http"], "p95"), (w["sql"], "p50")):
            now = (big[name]["http"] if fig is w["http"] else big[name]["sql"])[key]
            cells.append(f"{fig[key]:7.2f} -> {now:6.2f} ({fig[key] / now:5.2f}x)")
        print(f"  {name:<9} " + " ".join(f"{c:>24}" for c in cells))
    print("  (x: without / with, how many times faster the request is with the indexes)")

    print("\nEXPLAIN (ANALYZE, BUFFERS) at 10,000 booths, the listing queries without and with the indexes:")
    for name in EXPLAINED:
        for k, sql in enumerate(big[name]["listing_sql"]):
            kind = "COUNT" if sql.startswith("SELECT COUNT") else "page"
            print(f"  {name} {kind}: ...{sql[sql.index('WHERE') :][:140]}")
            for label in ("without", "with"):
                print(f"    {label:<7}  {plan_brief(plans[label][name][k])}")
    unused = [
        f"{name} {kind}"
        for name in ("q_zh", "q_zh2", "q_zh1", "q_en", "q_none")
        for kind, plan in zip(("COUNT", "page"), plans["with"][name], strict=False)
        if not any("listing_search_grams" in line for line in plan)
    ]
    if unused:
        print(f"  note: with the indexes, these keyword queries do not use listing_search_grams: {unused}")

    growth = big["page1"]["http"]["p95"] / small["page1"]["http"]["p95"]
    vs_home = big["page1"]["http"]["p95"] / home_after["p95"]
    speedup_search = without["q_zh2"]["http"]["p95"] / big["q_zh2"]["http"]["p95"]
    speedup_page = without["page1"]["http"]["p95"] / big["page1"]["http"]["p95"]
    print(f"\nfirst page p95 10,000 / 1,000: {growth:.2f}x; at 10,000 booths / home page p95: {vs_home:.2f}x")
    print(f"p95 without / with the indexes: q_zh2 {speedup_search:.2f}x, page1 {speedup_page:.2f}x")
    print(f"whole run: {time.perf_counter() - started:.0f}s")
    for n in SIZES:
        bench_line(f"hall_page_p95_ms_{n}", results[n]["page1"]["http"]["p95"], "ms")
    bench_line("hall_page20_p95_ms_10000", big["page20"]["http"]["p95"], "ms")
    bench_line("hall_search_p95_ms_10000", big["q_zh"]["http"]["p95"], "ms")
    bench_line("hall_search_en_p95_ms_10000", big["q_en"]["http"]["p95"], "ms")
    bench_line("hall_search_short_p95_ms_10000", big["q_zh2"]["http"]["p95"], "ms")
    bench_line("hall_search_one_char_p95_ms_10000", big["q_zh1"]["http"]["p95"], "ms")
    bench_line("hall_filter_p95_ms_10000", big["combined"]["http"]["p95"], "ms")
    bench_line("hall_growth_x", growth, "x")
    bench_line("hall_page_vs_home_x", vs_home, "x")
    bench_line("hall_index_speedup_search_x", speedup_search, "x")
    bench_line("hall_index_speedup_page_x", speedup_page, "x")


def seed_exhibitions():
    """The exhibition measured (open, five sections) and another one whose booths share the table."""
    import datetime

    from exhibition.hall.models import Exhibition, Section
    from tenants.models import Enterprise

    public = Enterprise.objects.get(schema_name="public")
    Enterprise.objects.bulk_create(
        [
            Enterprise(
                name=f"展位基准企业{i}",
                name_en=f"Hall bench {i}",
                schema_name=f"{PREFIX}{i}",
                slug=f"hbench-{i}",
                owner=public.owner,
                status=Enterprise.Status.READY,
            )
            for i in range(TENANTS)
        ]
    )
    today = datetime.date.today()
    made = []
    for k in range(2):
        made.append(
            Exhibition.objects.create(
                name_zh=f"京津冀智能制造博览会（基准{k}）",
                name_en=f"{MARK} fair {k}",
                theme_zh="智能制造与绿色发展",
                theme_en="Smart manufacturing and green growth",
                starts_on=today + datetime.timedelta(days=30),
                ends_on=today + datetime.timedelta(days=33),
                registration_deadline=today + datetime.timedelta(days=20),
                status=Exhibition.Status.OPEN,
            )
        )
    section_ids = []
    for position, (zh, en, codes) in enumerate(SECTIONS):
        section = Section.objects.create(exhibition=made[0], name_zh=zh, name_en=en, position=position)
        section.industries.set(codes)
        section_ids.append(section.pk)
    return made[0], made[1], section_ids


def seed_listings(exhibition, *, section_ids, count, start, seed, pending_every):
    """`count` published booths as the publishing worker leaves them (every `pending_every`-th
    one more, not yet copied), with two or three products each."""
    from django.utils import timezone

    from exhibition.hall.models import BoothListing, ListingProduct
    from exhibition.hall.search import grams, listing_text
    from tenants.models import Enterprise, Region

    rng = random.Random(seed)
    tenants = list(Enterprise.objects.filter(schema_name__startswith=PREFIX).values_list("pk", flat=True))
    cities = list(Region.objects.filter(is_report_city=True).order_by("code"))
    divisions = list(PRODUCTS)
    weights = [WEIGHTS.get(code, 1) for code in divisions]
    section_of = (
        {code: section_ids[i] for i, (_zh, _en, codes) in enumerate(SECTIONS) for code in codes}
        if section_ids
        else {}
    )
    base = exhibition.pk * 1_000_000 + start
    now = timezone.now()
    listings, products = [], []
    for i in range(count):
        booth_id = base + i
        city = rng.choice(cities)
        division = rng.choices(divisions, weights)[0]
        brand_zh, brand_en = rng.choice(BRANDS)
        trade_zh, trade_en = TRADES[division]
        city_zh = city.name_zh.removesuffix("市")
        name = f"{city_zh}{brand_zh}{trade_zh}{rng.choice(['有限公司', '股份有限公司'])}"
        name_en = f"{city.name_en} {brand_en} {trade_en} Co., Ltd."
        picks = rng.sample(PRODUCTS[division], min(len(PRODUCTS[division]), rng.choice((2, 3))))
        if rng.random() < 0.15:  # a product from another division now and then
            picks[-1] = rng.choice(PRODUCTS[rng.choice(divisions)])
        items = []
        for k, (p_zh, p_en) in enumerate(picks):
            f_zh, f_en = rng.choice(FEATURES)
            items.append(
                {
                    "id": booth_id * 10 + k,
                    "name_zh": p_zh,
                    "name_en": p_en,
                    "description_zh": f"{p_zh}，{f_zh}，广泛应用于汽车、电子和新能源行业。",
                    "description_en": f"{p_en.capitalize()}: {f_en}; used across the automotive, "
                    "electronics and new energy industries.",
                    "specifications": "\n".join(rng.sample(SPECS, 3)),
                    "tags": [tag for tag, odds in TAG_ODDS.items() if rng.random() < odds],
                    "industry": division,
                    "thumbnail": f"catalogue/{booth_id}-{k}.jpg" if rng.random() < 0.8 else "",
                }
            )
        intro_zh = (
            f"{name}位于{city.name_zh}，专注{picks[0][0]}的研发、生产和销售，"
            f"年产能{rng.randint(1, 50)}万台，产品出口{rng.randint(3, 60)}个国家和地区。"
        )
        intro_en = (
            f"{name_en} is based in {city.name_en} and designs, makes and sells {picks[0][1]} and more; "
            f"annual capacity {rng.randint(1, 50)}0,000 units, exported to {rng.randint(3, 60)} countries."
        )
        section = section_of.get(division)
        snap = {"section": section, "intro_zh": intro_zh, "intro_en": intro_en, "products": items}
        search_text = listing_text(name, name_en, snap)  # as the publishing worker writes it
        fields = dict(
            tenant_id=tenants[i % len(tenants)],
            exhibition=exhibition,
            section_id=section,
            enterprise_name=name,
            enterprise_name_en=name_en,
            city_id=city.code,
            industry_id=division,
            intro_zh=intro_zh,
            intro_en=intro_en,
            tags=sorted({tag for item in items for tag in item["tags"]}),
            search_text=search_text,
            search_grams=sorted(grams(search_text)),
            pending=snap,
            requested_at=now,
        )
        listings.append(BoothListing(booth_id=booth_id, live=True, published=1, published_at=now, **fields))
        products.append(items)
        if pending_every and i % pending_every == 0:  # asked to publish, not copied yet
            listings.append(BoothListing(booth_id=booth_id + 500_000, live=False, published=0, **fields))
            products.append([])
    BoothListing.objects.bulk_create(listings, batch_size=1000)
    ListingProduct.objects.bulk_create(
        [
            ListingProduct(
                listing=listing,
                product_id=item["id"],
                position=position,
                name_zh=item["name_zh"],
                name_en=item["name_en"],
                description_zh=item["description_zh"],
                description_en=item["description_en"],
                specifications=item["specifications"],
                tags=item["tags"],
                industry_id=item["industry"],
                thumbnail=f"hall/listings/{item['id']}.jpg" if item["thumbnail"] else "",
            )
            for listing, items in zip(listings, products, strict=True)
            for position, item in enumerate(items)
        ],
        batch_size=2000,
    )


def analyze(table: str) -> None:
    """What autovacuum does after a bulk load, at once: statistics, the visibility map, and the space
    of the rows an earlier run deleted (left there, they would make every scan read three times the
    pages and the figures depend on when autovacuum last ran)."""
    from django.db import connection

    from exhibition.hall.models import ListingProduct

    with connection.cursor() as cursor:
        cursor.execute(f'VACUUM (ANALYZE) "{table}", "{ListingProduct._meta.db_table}"')


def explain(sql: str) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return [row[0] for row in cursor.fetchall()]


def plan_brief(plan: list[str]) -> str:
    """One line: each scan of the listing table or its indexes (with the rows it returned, and those
    its recheck or filter removed), the sort, the top node's buffers and the execution time."""
    parts, ours = [], False
    for line in plan:
        text = line.strip().removeprefix("->").strip()
        if line.strip().startswith("->") or not parts:
            scan = SCAN.match(text)
            ours = bool(scan) and any(
                name and ("boothlisting" in name or name.startswith("listing_"))
                for name in (scan["index"], scan["on"])
            )
            if ours:
                rows = ACTUAL_ROWS.search(text)
                using = f" using {scan['index']}" if scan["index"] else ""
                parts.append(f"{scan['kind']}{using} on {scan['on']} rows={rows[1] if rows else '?'}")
        elif ours and text.startswith("Rows Removed by"):
            parts[-1] += f" ({text.removeprefix('Rows ').lower()})"
        if text.startswith("Sort Method"):
            parts.append(text)
    buffers = next((line.strip() for line in plan if line.strip().startswith("Buffers:")), "")
    total = next((line.strip() for line in plan if line.startswith("Execution Time")), "")
    return "; ".join([*parts, buffers, total])


SCAN = re.compile(
    r"(?P<kind>(Parallel )?(Seq|Index|Index Only|Bitmap Heap|Bitmap Index) Scan)"
    r"( using (?P<index>\S+))? on (?P<on>\S+)"
)
ACTUAL_ROWS = re.compile(r"actual time=[\d.]+\.\.[\d.]+ rows=(\d+)")


def indexes(table: str) -> set[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND tablename = %s", [table]
        )
        return {row[0] for row in cursor.fetchall()}


def relation_sizes(names: list[str]) -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, pg_relation_size(oid) FROM pg_class WHERE relname = ANY(%s)", [names])
        return dict(cursor.fetchall())


def clean() -> None:
    """Removes the seeded rows with plain DELETEs: the ORM's cascade from Exhibition would look for
    booths (exhibition_booth) in the public schema, where there are none."""
    from django.db import connection, transaction

    from exhibition.hall.models import BoothListing, Exhibition, ListingProduct, Section
    from tenants.models import Enterprise

    product, listing = ListingProduct._meta.db_table, BoothListing._meta.db_table
    exhibition, section = Exhibition._meta.db_table, Section._meta.db_table
    section_industries = Section.industries.through._meta.db_table
    ours = f'SELECT id FROM "{exhibition}" WHERE name_en LIKE %s'
    # The seeded enterprises have no schemas, so nothing points at these public rows; the guard that
    # refuses deleting referenced public rows (tenants/public_refs.py) is told so for this transaction.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL portal.references_checked = 'on'")
        for sql in (
            f'DELETE FROM "{product}" WHERE listing_id IN '
            f'(SELECT id FROM "{listing}" WHERE exhibition_id IN ({ours}))',
            f'DELETE FROM "{listing}" WHERE exhibition_id IN ({ours})',
            f'DELETE FROM "{section_industries}" WHERE section_id IN '
            f'(SELECT id FROM "{section}" WHERE exhibition_id IN ({ours}))',
            f'DELETE FROM "{section}" WHERE exhibition_id IN ({ours})',
            f'DELETE FROM "{exhibition}" WHERE id IN ({ours})',
        ):
            cursor.execute(sql, [f"{MARK} %"])
    Enterprise.objects.filter(schema_name__startswith=PREFIX).delete()


if __name__ == "__main__":
    main()
