"""Offline-friendly: no page or asset refers to a CDN or any other outside host."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXTERNAL = re.compile(r"""(?:src|href|url)\s*[=(]\s*["']?(?:https?:)?//""", re.I)


def test_templates_and_styles_load_nothing_from_outside():
    files = [
        *ROOT.glob("*/templates/**/*.html"),
        *ROOT.glob("*/static/**/*.css"),
    ]
    assert files
    offenders = [str(f.relative_to(ROOT)) for f in files if EXTERNAL.search(f.read_text(encoding="utf-8"))]
    assert offenders == []


def test_detector_catches_a_cdn_reference():
    assert EXTERNAL.search('<script src="https://cdn.example.com/htmx.js"></script>')
    assert EXTERNAL.search("<link href='//fonts.example.com/x.css'>")
    assert not EXTERNAL.search('<script src="/static/portal/vendor/htmx-2.0.11.min.js"></script>')
