from django import template

from core.audit import presented

register = template.Library()


@register.simple_tag
def audit_lines(events) -> list:
    """{% audit_lines events as rows %}: the rows with `line` and `who` (core.audit.presented)."""
    return presented(events)
