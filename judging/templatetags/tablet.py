"""Template filters of the judge's tablet."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def minutes_seconds(value) -> str:
    """Seconds as a judge reads a stopwatch: ``Decimal("252.5")`` → ``"4:12.5"`` (as tablet.js shows times)."""
    if value is None:
        return ""
    seconds = Decimal(value).normalize()
    whole = int(seconds)
    fraction = str(seconds - whole).removeprefix("0") if seconds != whole else ""
    return f"{whole // 60}:{whole % 60:02d}{fraction}"
