"""How a row in an enterprise's schema points at a row of the public schema (a user, an industry
division, a framework version, an exhibition), without a foreign key constraint.

A real foreign key from a tenant table into `public` makes every schema that is created (a clone)
or migrated take a SHARE ROW EXCLUSIVE lock on the public table until it commits: while an
enterprise was being provisioned, every sign-in (an UPDATE of `tenants_user`) waited for it, and
two provisionings waited for each other. So tenant models declare these fields with
`db_constraint=False`, and integrity is kept in the database by two triggers instead:

* on the tenant side, a constraint trigger per column (deferred to commit, like Django's foreign
  keys) checks that the referenced public row exists and locks it FOR KEY SHARE, exactly what
  PostgreSQL's own foreign-key check does (a concurrent DELETE of that row waits, an UPDATE of its
  other columns, such as `last_login`, does not). A missing row raises SQLSTATE 23503
  (foreign_key_violation), which Django turns into IntegrityError as before. Creating such a
  trigger locks only the tenant table.
* on the public side, rows that enterprises point at are never deleted (users are deactivated,
  reference data and framework versions are permanent, exhibitions are ended): a BEFORE DELETE
  trigger on each referenced public table refuses the DELETE with the same SQLSTATE. An operator
  who has removed every reference (the test suite, tidying its own rows) says so explicitly with
  `SET LOCAL portal.references_checked = 'on'` in that transaction.

`tests/test_public_refs.py` holds both halves, and checks that no tenant model has a foreign key
constraint into `public` and that every such column has its trigger in the template schema.
"""

import hashlib

from django.conf import settings
from django.db import migrations, models

CHECK_FUNCTION = "public.portal_public_ref_check"
GUARD_FUNCTION = "public.portal_public_ref_guard"
OVERRIDE_SETTING = "portal.references_checked"

FUNCTIONS_SQL = f"""
CREATE OR REPLACE FUNCTION {CHECK_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
    ref text := to_jsonb(NEW) ->> TG_ARGV[0];
    hit boolean;
BEGIN
    IF ref IS NULL THEN
        RETURN NULL;
    END IF;
    EXECUTE format(
        'SELECT true FROM public.%I WHERE %I = %L FOR KEY SHARE', TG_ARGV[1], TG_ARGV[2], ref
    ) INTO hit;
    IF hit IS NULL THEN
        RAISE EXCEPTION USING
            ERRCODE = 'foreign_key_violation',
            MESSAGE = format(
                'insert or update on table "%s" violates reference "%s"', TG_TABLE_NAME, TG_NAME),
            DETAIL = format(
                'Key (%s)=(%s) is not present in table "public.%s".', TG_ARGV[0], ref, TG_ARGV[1]);
    END IF;
    RETURN NULL;
END
$fn$;

CREATE OR REPLACE FUNCTION {GUARD_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    IF coalesce(current_setting('{OVERRIDE_SETTING}', true), '') = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION USING
        ERRCODE = 'foreign_key_violation',
        MESSAGE = format(
            'rows of "public.%s" are referenced from enterprise schemas and are never deleted',
            TG_TABLE_NAME),
        HINT = 'Deactivate or end the row instead.';
END
$fn$;
"""

DROP_FUNCTIONS_SQL = (
    f"DROP FUNCTION IF EXISTS {CHECK_FUNCTION}(); DROP FUNCTION IF EXISTS {GUARD_FUNCTION}();"
)


def _trigger_name(table: str, column: str) -> str:
    name = f"{table}_{column}_pubref"
    if len(name) <= 63:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"{name[:50]}_{digest}_pubref"


def check_trigger_sql(*, table: str, column: str, target_table: str, target_column: str) -> str:
    name = _trigger_name(table, column)
    return (
        f'CREATE CONSTRAINT TRIGGER "{name}" AFTER INSERT OR UPDATE OF "{column}" ON "{table}" '
        f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {CHECK_FUNCTION}"
        f"('{column}', '{target_table}', '{target_column}')"
    )


def guard_trigger_sql(table: str) -> str:
    return (
        f'CREATE TRIGGER "{table}_referenced" BEFORE DELETE ON public."{table}" '
        f"FOR EACH ROW EXECUTE FUNCTION {GUARD_FUNCTION}()"
    )


class AddPublicReferenceCheck(migrations.operations.base.Operation):
    """Migration operation: the tenant-side trigger for one `db_constraint=False` field that points
    into the public schema. Runs only where the field's app is migrated (tenant schemas)."""

    reversible = True
    reduces_to_sql = True

    def __init__(self, model_name: str, name: str):
        self.model_name = model_name
        self.name = name

    def deconstruct(self):
        return self.__class__.__qualname__, [], {"model_name": self.model_name, "name": self.name}

    def state_forwards(self, app_label, state):
        pass

    def _parts(self, app_label, state):
        model = state.apps.get_model(app_label, self.model_name)
        field = model._meta.get_field(self.name)
        target = field.remote_field.model
        target_field = field.target_field
        return model, field.column, target._meta.db_table, target_field.column

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model, column, target_table, target_column = self._parts(app_label, to_state)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        schema_editor.execute(
            check_trigger_sql(
                table=model._meta.db_table,
                column=column,
                target_table=target_table,
                target_column=target_column,
            )
        )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model, column, _target, _target_column = self._parts(app_label, from_state)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        table = model._meta.db_table
        schema_editor.execute(f'DROP TRIGGER IF EXISTS "{_trigger_name(table, column)}" ON "{table}"')

    def describe(self):
        return f"Check the public reference {self.model_name}.{self.name} with a trigger"

    @property
    def migration_name_fragment(self):
        return f"{self.model_name.lower()}_{self.name.lower()}_pubref"


def public_reference(to, *, on_delete=models.PROTECT, db_index: bool = True, **options) -> models.ForeignKey:
    """A field of a tenant model pointing at a row of the public schema: no foreign key constraint;
    `AddPublicReferenceCheck` in the migration adds its trigger."""
    return models.ForeignKey(
        to, on_delete=on_delete, related_name="+", db_constraint=False, db_index=db_index, **options
    )


def user_reference(**options) -> models.ForeignKey:
    """Who did something. Nothing looks rows up by these, so they have no index either."""
    return public_reference(settings.AUTH_USER_MODEL, db_index=False, **options)
