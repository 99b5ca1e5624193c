"""The programmes' pages: money in one format ({{ amount|cny }}, {{ low|cny_range:high }}) and the
audit trail's state changes as labels ({{ event|event_change }})."""

from django import template

from programmes import presenters

register = template.Library()


@register.filter
def cny(value) -> str:
    return presenters.cny(value)


@register.filter
def cny_range(low, high) -> str:
    return presenters.cny_range(low, high)


@register.filter
def event_change(event) -> str:
    return presenters.event_change(event)
