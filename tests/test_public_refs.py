"""References from enterprise schemas into the public schema: no foreign key constraint (which
would lock the public table while a schema is cloned or migrated), integrity kept by triggers
instead (tenants/public_refs.py)."""

import pytest
from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django_tenants.utils import tenant_context

from tenants.members.models import Membership, Role
from tenants.models import Industry, User

pytestmark = pytest.mark.django_db

TENANT_LABELS = {"members", "manufacturing", "finance", "exhibition"}


def _tenant_models():
    return [m for m in apps.get_models() if m._meta.app_label in TENANT_LABELS]


def _public_references():
    """(model, field) for every relation from a tenant model to a public one."""
    refs = []
    for model in _tenant_models():
        for field in model._meta.get_fields():
            is_reference = field.concrete and (field.many_to_one or field.one_to_one)
            if is_reference and field.related_model._meta.app_label not in TENANT_LABELS:
                refs.append((model, field))
    return refs


def test_tenant_apps_are_only_our_private_apps():
    assert {app.split(".")[-1] for app in settings.TENANT_APPS} == TENANT_LABELS


def test_no_tenant_model_has_a_database_foreign_key_into_public():
    refs = _public_references()
    assert len(refs) >= 19  # users, industries, frameworks, exhibitions and sections
    constrained = [f"{m.__name__}.{f.name}" for m, f in refs if f.db_constraint]
    assert constrained == [], "declare these with db_constraint=False (tenants/public_refs.py)"


def _catalog(schema: str, sql: str) -> set[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, [schema])
        return set(cursor.fetchall())


def test_the_template_schema_has_no_foreign_key_leaving_it_and_a_trigger_per_reference():
    template = settings.TENANT_BASE_SCHEMA
    leaving = _catalog(
        template,
        """SELECT c.conname FROM pg_constraint c
           JOIN pg_namespace n ON n.oid = c.connamespace
           JOIN pg_class r ON r.oid = c.confrelid
           WHERE n.nspname = %s AND c.contype = 'f' AND r.relnamespace <> c.connamespace""",
    )
    assert leaving == set()
    triggers = _catalog(
        template,
        """SELECT c.relname, t.tgname FROM pg_trigger t
           JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = %s AND NOT t.tgisinternal""",
    )
    wanted = {(m._meta.db_table, f.column) for m, f in _public_references()}
    have = {(table, name.removesuffix("_pubref").removeprefix(table + "_")) for table, name in triggers}
    assert wanted <= have


def test_a_tenant_schema_holds_only_tenant_tables(alpha):
    tables = {
        name
        for (name,) in _catalog(
            alpha.enterprise.schema_name,
            """SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE n.nspname = %s AND c.relkind = 'r'""",
        )
    }
    expected = {m._meta.db_table for m in _tenant_models() if not m._meta.proxy} | {"django_migrations"}
    assert tables == expected


def test_a_row_pointing_at_a_missing_user_is_refused_at_commit(alpha):
    """Deferred, like Django's own foreign keys: the row goes in, and the check refuses it when the
    constraints are checked (at commit, or at SET CONSTRAINTS ALL IMMEDIATE)."""
    inserted = False
    with tenant_context(alpha.enterprise):
        with pytest.raises(IntegrityError, match="violates reference"), transaction.atomic():
            Membership.objects.create(user_id=987654321, role=Role.VIEWER)
            inserted = True
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        assert inserted
        assert not Membership.objects.filter(user_id=987654321).exists()


def test_a_row_pointing_at_a_missing_industry_is_refused(alpha):
    from exhibition.models import Product

    with tenant_context(alpha.enterprise):
        product = Product(name_zh="测试", industry_id="C34", created_by=alpha.owner)
        product.save()
        with pytest.raises(IntegrityError, match="violates reference"), transaction.atomic():
            Product.objects.filter(pk=product.pk).update(industry_id="X99")
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_an_existing_reference_passes(alpha):
    user = User.objects.create_user(email="ref-ok@example.com", password="x-long-password-1")
    with tenant_context(alpha.enterprise), transaction.atomic():
        Membership.objects.create(user=user, role=Role.VIEWER)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        assert Membership.objects.filter(user=user).exists()


def test_public_rows_that_enterprises_point_at_are_never_deleted(alpha):
    for statement, param in (
        ("DELETE FROM tenants_user WHERE id = %s", alpha.owner.pk),
        ("DELETE FROM tenants_industry WHERE code = %s", "C34"),
    ):
        with (
            pytest.raises(IntegrityError, match="never deleted"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [param])
    assert User.objects.filter(pk=alpha.owner.pk).exists()


def test_an_operator_who_checked_the_references_may_delete():
    Industry.objects.create(code="C99", section="C", name_zh="测试", name_en="Test")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL portal.references_checked = 'on'")
        cursor.execute("DELETE FROM tenants_industry WHERE code = 'C99'")
    assert not Industry.objects.filter(code="C99").exists()


def test_platform_staff_flags_do_not_reach_enterprise_hosts(alpha):
    """django-tenant-users keeps is_staff, is_superuser and Django permissions per schema; the
    enterprise schemas have none, and the public row must not stand in for them."""
    operator = User.objects.create_superuser(email="op-refs@example.com", password="x-long-password-1")
    assert User.objects.get(pk=operator.pk).is_superuser is True  # on the public site
    on_enterprise = User.objects.get(pk=operator.pk)
    with tenant_context(alpha.enterprise):
        assert on_enterprise.is_superuser is False
        assert on_enterprise.is_staff is False
        assert not on_enterprise.has_perm("tenants.view_user")
