"""Offline-friendly: no page or asset refers to a CDN or any other outside host."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXTERNAL = re.compile(r"""(?:src|href|url)\s*[=(]\s*["']?(?:https?:)?//""", re.I)
# A link a person follows (<a href>) loads nothing by itself: the ICP filing number links to the MIIT
# filing site, as Chinese sites must. Only those anchors are set aside; anything the page loads
# (scripts, styles, images, fonts, <link>) stays forbidden.
ANCHOR = re.compile(r"""<a\s[^>]*>""", re.I)


def loads_from_outside(text: str) -> bool:
    return bool(EXTERNAL.search(ANCHOR.sub("", text)))


def test_templates_and_styles_load_nothing_from_outside():
    files = [
        *ROOT.glob("*/templates/**/*.html"),
        *ROOT.glob("*/static/**/*.css"),
    ]
    assert files
    offenders = [str(f.relative_to(ROOT)) for f in files if loads_from_outside(f.read_text(encoding="utf-8"))]
    assert offenders == []


def test_detector_catches_a_cdn_reference():
    assert loads_from_outside('<img src="https://cdn.example.com/x.png">')
    assert loads_from_outside('<link rel="icon" href="https://cdn.example.com/x.svg">')
    assert not loads_from_outside('<a href="https://beian.miit.gov.cn/" rel="noopener">京ICP备…号</a>')
    assert EXTERNAL.search('<script src="https://cdn.example.com/htmx.js"></script>')
    assert EXTERNAL.search("<link href='//fonts.example.com/x.css'>")
    assert not EXTERNAL.search('<script src="/static/portal/vendor/htmx-2.0.11.min.js"></script>')
