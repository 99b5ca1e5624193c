"""The shape of the tree (docs/architecture.md), checked on every run of the suite as well as by
`make check`:

* import-linter's contracts (.importlinter): the layers (kernel <- tenants <- domain apps <- reports
  <- worker <- portal), domain apps apart except through `manufacturing.interface`, the review never
  calling back into the enterprise's services, and nothing below the pages importing them. grimp
  reads every import, lazy ones inside functions too, without running any.
* Services learn whose data they touch from their parameters, never from the connection."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("core", "tenants", "manufacturing", "finance", "exhibition", "reports")
# Edges that must ask the connection which schema a request or a hook runs in.
READS_THE_CONNECTION = {
    # django-tenant-users' permission lookup: none on an enterprise's host, whoever the user is.
    "tenants/auth.py",
}


def test_the_import_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([lint, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_the_contracts_cover_every_app():
    """A new top-level app outside the contracts would be checked by nothing."""
    config = (ROOT / ".importlinter").read_text()
    for app in (*APPS, "worker", "portal"):
        assert f"\n    {app}\n" in config, app


def test_services_take_the_enterprise_as_a_parameter():
    """`connection.tenant` / `connection.schema_name` in a service hides whose data it touches."""
    readers = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            name = str(path.relative_to(ROOT))
            if "migrations" in path.parts or name in READS_THE_CONNECTION:
                continue
            text = path.read_text(encoding="utf-8")
            if "connection.tenant" in text or "connection.schema_name" in text:
                readers.append(name)
    assert readers == []
