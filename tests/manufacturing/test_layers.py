"""The direction of imports inside manufacturing: the enterprise's services call the review (scoring
records the case), the review never calls back into them, and nothing below the pages imports the
pages. Read from the source (every import, lazy ones inside functions too), so no import is run."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


REVIEW = sorted((ROOT / "manufacturing" / "review").glob("*.py"))


@pytest.mark.parametrize("path", REVIEW, ids=lambda p: p.name)
def test_the_review_never_imports_the_enterprises_services_or_pages(path):
    forbidden = {"manufacturing.services", "manufacturing.views", "manufacturing.api"}
    assert not imported(path) & forbidden


@pytest.mark.parametrize(
    "name", ["selectors", "services", "answers", "presenters", "policy", "report_pdf", "scoring"]
)
def test_nothing_below_the_pages_imports_them(name):
    assert not imported(ROOT / "manufacturing" / f"{name}.py") & {"manufacturing.views", "manufacturing.api"}
