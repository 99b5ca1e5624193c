"""Writes for the platform's public schema: reference data, the public tenant, the template schema,
domains and enterprise provisioning."""

import json
import logging
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django_tenants.utils import get_public_schema_name, schema_context
from tenant_users.tenants.utils import create_public_tenant

from tenants.models import Enterprise, Industry, Region, User

logger = logging.getLogger(__name__)

FIXTURES = Path(__file__).resolve().parent / "fixtures"
# Xiong'an has no GB/T 2260 code of its own (its counties stay under Baoding); its registration
# authority issues credit codes with the area segment 133100, so that is its key here (unverified).
XIONGAN_CODE = "133100"
SYSTEM_USER_EMAIL = "system@platform.invalid"


@transaction.atomic
def reference_data_load() -> dict:
    """Upserts the regions and industry divisions shipped in tenants/fixtures. Safe to run again."""
    regions = json.loads((FIXTURES / "regions.json").read_text(encoding="utf-8"))
    # Parents first, so every parent exists when a child is saved.
    order = {"province": 0, "municipality": 1, "prefecture_city": 2, "new_area": 2, "district": 3}
    for row in sorted(regions, key=lambda r: order[r["level"]]):
        code = row["code"] or (XIONGAN_CODE if row["level"] == "new_area" else None)
        if code is None:
            raise ValueError(f"region without a code: {row['name_en']}")
        Region.objects.update_or_create(
            code=code,
            defaults={
                "name_zh": row["name_zh"],
                "name_en": row["name_en"],
                "level": row["level"],
                "province_code": row["province"],
                "parent_id": row["parent_code"],
                "is_report_city": row["report_city"],
                "verified": row["verified"],
                "note": row.get("verification", ""),
            },
        )
    industries = json.loads((FIXTURES / "industries.json").read_text(encoding="utf-8"))["divisions"]
    for row in industries:
        Industry.objects.update_or_create(
            code=row["code"],
            defaults={"section": row["section"], "name_zh": row["name_zh"], "name_en": row["name_en"]},
        )
    return {"regions": len(regions), "industries": len(industries)}


def public_tenant_ensure() -> Enterprise:
    """The public schema's tenant row (owned by an unusable system user) and its domain."""
    public = Enterprise.objects.filter(schema_name=get_public_schema_name()).first()
    if public is None:
        public, _domain, _owner = create_public_tenant(
            domain_url=settings.PORTAL_DOMAIN,
            owner_email=SYSTEM_USER_EMAIL,
            tenant_extra_data={"status": Enterprise.Status.READY},
        )
        public.name = "京津冀工业云平台 Jingjinji Industrial Cloud Portal"
        public.save(update_fields=["name"])
    return public


def public_schema_current() -> bool:
    """Whether the public schema has recorded every migration of the code (then `migrate` would
    only re-run its post-migrate handlers): one query instead of a migrate run."""
    from django.db.migrations.loader import MigrationLoader

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('public.django_migrations') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return False
        cursor.execute("SELECT app, name FROM public.django_migrations")
        recorded = set(cursor.fetchall())
    return set(MigrationLoader(None, ignore_no_migrations=True).graph.nodes) <= recorded


def domains_sync() -> int:
    """Keeps hosts in step with PORTAL_DOMAIN: the public site at it, each enterprise at <slug>.<it>.

    One UPDATE, which changes no row on an ordinary restart. Returns how many rows changed.
    """
    public = get_public_schema_name()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """UPDATE tenants_domain d
               SET domain = CASE WHEN e.schema_name = %s THEN %s ELSE lower(e.slug) || '.' || %s END
               FROM tenants_enterprise e
               WHERE d.tenant_id = e.id AND d.is_primary
                 AND d.domain <> CASE WHEN e.schema_name = %s THEN %s ELSE lower(e.slug) || '.' || %s END""",
            [public, settings.PORTAL_DOMAIN, settings.PORTAL_DOMAIN] * 2,
        )
        changed = cursor.rowcount
    if changed:
        from tenants import routing

        routing.forget_all()
    return changed


def site_url(host: str, path: str = "/") -> str:
    """An absolute URL on `host`, with the port unless it is the scheme's default."""
    port = settings.PORTAL_PORT
    default_port = {"http": "80", "https": "443"}.get(settings.PORTAL_SCHEME)
    netloc = host if port == default_port else f"{host}:{port}"
    return f"{settings.PORTAL_SCHEME}://{netloc}{path}"


def tenant_url(tenant: Enterprise, path: str = "/") -> str:
    """The absolute URL of a page on an enterprise's host (or the public site)."""
    domain = tenant.get_primary_domain()
    return site_url(domain.domain if domain else settings.PORTAL_DOMAIN, path)


def user_create(*, email: str, password: str, name: str = "", **extra) -> User:
    """A global user in the public schema (tenant-users links it to the public tenant)."""
    with schema_context(get_public_schema_name()):
        user = User.objects.create_user(email=email, password=password, name=name, **extra)
    logger.info("created user %s", user.pk)
    return user
