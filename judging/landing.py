"""Where a user lands after signing in: the page their role works on.

Organisers land on their competition (the list when they organise several), chief judges
on their desk (the tablet home, which links every desk, when they chief several events),
judges on the tablet. A safe ``next`` wins over all of these (the login views check it).
"""

from django.urls import reverse

from competitions.models import Event, JudgeAssignment

Role = JudgeAssignment.Role


def landing_url(user, *, fallback: str = "home") -> str:
    """The page ``user``'s role works on; ``fallback`` (a URL name) for a user with no role here."""
    rows = list(
        JudgeAssignment.objects.filter(user=user).values_list("role", "competition__slug", "competition_id", "event_id")
    )
    organised = {slug for role, slug, _competition, event in rows if role == Role.ORGANISER and event is None}
    if len(organised) == 1:
        return reverse("competition-detail", args=[organised.pop()])
    if organised:
        return reverse("home")
    chiefed = {event for role, _slug, _competition, event in rows if role == Role.CHIEF_JUDGE and event is not None}
    whole = {competition for role, _slug, competition, event in rows if role == Role.CHIEF_JUDGE and event is None}
    if whole:
        chiefed |= set(Event.objects.filter(competition_id__in=whole).values_list("pk", flat=True)[:2])
    if len(chiefed) == 1:
        return reverse("tablet:chief", args=[chiefed.pop()])
    if chiefed or any(role == Role.JUDGE for role, *_rest in rows):
        return reverse("tablet:home")
    return reverse(fallback)
