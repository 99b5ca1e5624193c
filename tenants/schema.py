"""Creating an enterprise's schema: a clone of the migrated template, fast.

django-tenants' own path (TENANT_CREATION_FAKES_MIGRATIONS) re-creates its 4,600-line clone
function on every call and then runs `migrate_schemas --fake`, which loads the migration graph and
fires post_migrate. Both are wasted when the template is current: the clone (DATA mode) already
carries the template's migration records, content types and permissions. So the function is
installed by setup_platform (and only re-installed when missing), the template's currency is
checked once per process against the migration graph, and a clone is one SQL call. With the template
behind the code, provisioning refuses (ProvisioningError) instead of faking migrations that never ran.
"""

import threading

from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils.translation import gettext_lazy
from django_tenants.clone import CloneSchema
from django_tenants.utils import schema_exists

_lock = threading.Lock()
_ready: set[str] = set()  # "template" once found current (a positive answer only)


class TemplateOutOfDate(Exception):
    pass


def clone_function_install() -> None:
    """Installs django-tenants' clone_schema() SQL function (setup_platform does, outside any
    provisioning transaction)."""
    CloneSchema()._create_clone_schema_function()


def _ensure_clone_function() -> None:
    # Looked up every time (a catalogue read, well under a millisecond): an install made inside a
    # provisioning transaction that then rolled back is gone again.
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_proc WHERE proname = 'clone_schema'")
        if cursor.fetchone() is None:
            clone_function_install()


def template_missing_migrations() -> set[tuple[str, str]]:
    """Migrations of the code that the template schema has not recorded (empty when current)."""
    template = settings.TENANT_BASE_SCHEMA
    loader = MigrationLoader(connection, ignore_no_migrations=True, load=True)
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT app, name FROM "{template}".django_migrations')
        recorded = set(cursor.fetchall())
    return set(loader.graph.nodes) - recorded


def _ensure_template_current() -> None:
    if "template" in _ready:
        return
    template = settings.TENANT_BASE_SCHEMA
    if not schema_exists(template):
        raise TemplateOutOfDate(f'the template schema "{template}" does not exist')
    missing = template_missing_migrations()
    if missing:
        raise TemplateOutOfDate(
            f"the template schema lacks {len(missing)} migrations, e.g. {sorted(missing)[0]}"
        )
    _ready.add("template")


def schema_clone_from_template(*, schema_name: str) -> None:
    """Creates `schema_name` as a copy (tables, sequences, constraints, rows) of the template."""
    connection.set_schema_to_public()
    with _lock:
        _ensure_clone_function()
        _ensure_template_current()
    with connection.cursor() as cursor:
        cursor.execute("SELECT clone_schema(%s, %s, 'DATA')", [settings.TENANT_BASE_SCHEMA, schema_name])


TEMPLATE_OUT_OF_DATE = gettext_lazy(
    "The platform's template workspace is out of date; an operator must run `manage.py setup_platform`."
)
