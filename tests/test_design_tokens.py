"""The design system's colours meet WCAG 2.1 AA where axe cannot look: a form field's border is the
only thing that shows where the field is, so it needs 3:1 against the card (SC 1.4.11)."""

import re
from pathlib import Path

CSS = (Path(__file__).resolve().parent.parent / "portal/static/portal/css/portal.css").read_text(
    encoding="utf-8"
)


def token(name: str) -> str:
    value = re.search(rf"--{name}:\s*#([0-9a-fA-F]{{6}}|[0-9a-fA-F]{{3}})\b", CSS).group(1)
    return "#" + (value if len(value) == 6 else "".join(c * 2 for c in value))


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_field_borders_stand_out_from_the_card_and_the_page():
    for background in (token("card"), token("bg")):
        assert contrast(token("field-line"), background) >= 3, background


def test_every_field_rule_draws_its_border_with_the_field_token():
    for selector in (".form input", ".field input", ".filters select", ".report-filters select"):
        rule = CSS[CSS.index(selector) :].split("}", 1)[0]
        assert "var(--field-line)" in rule, selector
