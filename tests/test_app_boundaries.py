"""The domain apps' boundaries, read from the source: manufacturing, finance and exhibition import one
another only through the other app's published interface (<app>/interface.py), and the exhibition's and
finance's services learn whose data they touch from their parameters, never from the connection."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOMAIN_APPS = ("manufacturing", "finance", "exhibition")


def _sources(app: str):
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


def _imported(path: Path):
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def test_domain_apps_import_one_another_only_through_their_interface():
    crossings = []
    for app in DOMAIN_APPS:
        for path in _sources(app):
            for module in _imported(path):
                other = module.split(".")[0]
                if other in DOMAIN_APPS and other != app and not module.startswith(f"{other}.interface"):
                    crossings.append(f"{path.relative_to(ROOT)}: {module}")
    assert crossings == []


def test_exhibition_and_finance_services_take_the_enterprise_as_a_parameter():
    """`connection.tenant` / `connection.schema_name` in a service hides whose data it touches."""
    services = [
        *(ROOT / "exhibition").glob("*.py"),
        *(ROOT / "exhibition" / "hall").glob("*.py"),
        *(ROOT / "finance").glob("*.py"),
        *(ROOT / "finance" / "lending").glob("*.py"),
    ]
    readers = [
        str(path.relative_to(ROOT))
        for path in services
        if "connection.tenant" in path.read_text() or "connection.schema_name" in path.read_text()
    ]
    assert readers == []
