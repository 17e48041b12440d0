"""``{% console_access %}``: whether the navigation shows the organiser console's link."""

from django import template

from competitions.views_console import can_create_competition

register = template.Library()


@register.simple_tag(takes_context=True)
def console_access(context) -> bool:
    """Organisers and those who may create a competition (one query, once per page)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or not (user and user.is_authenticated):
        return False
    if not hasattr(request, "_console_access"):
        request._console_access = can_create_competition(user)
    return request._console_access
