"""Reads about competitions, and who may do what in them.

Role checks live here, in one place, so the API, the pages and the WebSocket
consumers all answer "may this user…?" the same way. Staff superusers manage all.
"""

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from competitions.models import Competition, Event, JudgeAssignment

Role = JudgeAssignment.Role


def _is_admin(user) -> bool:
    return bool(user and user.is_authenticated and user.is_superuser)


def competitions_managed_by(user) -> QuerySet[Competition]:
    """Competitions the user organises (a competition-wide organiser assignment)."""
    if _is_admin(user):
        return Competition.objects.all()
    if not (user and user.is_authenticated):
        return Competition.objects.none()
    return Competition.objects.filter(
        assignments__user=user, assignments__role=Role.ORGANISER, assignments__event__isnull=True
    ).distinct()


def competitions_visible_to(user) -> QuerySet[Competition]:
    """Public competitions, plus any the user has a role in."""
    if _is_admin(user):
        return Competition.objects.all()
    visible = Q(is_public=True)
    if user and user.is_authenticated:
        visible |= Q(assignments__user=user)
    return Competition.objects.filter(visible).distinct()


def names_visible(event: Event) -> bool:
    """Whether names and units may be shown beside this event's entries (解密).

    A blind event shows codes only until the chief judge decodes it; an event that is not
    blind (head-to-head, say) always shows names. Every path that shows an entry asks here.
    """
    return not event.blind or event.decoded_at is not None


def is_organiser(user, competition: Competition) -> bool:
    if _is_admin(user):
        return True
    if not (user and user.is_authenticated):
        return False
    return JudgeAssignment.objects.filter(
        user=user, competition=competition, event__isnull=True, role=Role.ORGANISER
    ).exists()


def is_chief_judge(user, event: Event) -> bool:
    """Chief judge of this event, or of its whole competition; organisers count too."""
    return event.pk in events_chiefed_by(user, [event])


def events_chiefed_by(user, events) -> set[int]:
    """The ids of ``events`` whose chief judge ``user`` is (``is_chief_judge`` for many events, one query).

    A competition-wide chief judge or organiser assignment covers every event of
    that competition; an event's own chief judge assignment covers that event.
    """
    events = list(events)
    if _is_admin(user):
        return {event.pk for event in events}
    if not (user and user.is_authenticated) or not events:
        return set()
    rows = JudgeAssignment.objects.filter(
        user=user,
        competition_id__in={event.competition_id for event in events},
        role__in=[Role.ORGANISER, Role.CHIEF_JUDGE],
    ).values_list("competition_id", "event_id", "role")
    whole, single = set(), set()
    for competition_id, event_id, role in rows:
        if event_id is None:
            whole.add(competition_id)
        elif role == Role.CHIEF_JUDGE:
            single.add(event_id)
    return {event.pk for event in events if event.competition_id in whole or event.pk in single}


def judge_assignment(user, event: Event) -> JudgeAssignment | None:
    """The user's judging assignment for this event (judge or chief judge), if any."""
    if not (user and user.is_authenticated):
        return None
    return (
        JudgeAssignment.objects.filter(
            Q(event=event) | Q(event__isnull=True, competition_id=event.competition_id),
            user=user,
            role__in=[Role.JUDGE, Role.CHIEF_JUDGE],
        )
        .order_by("event_id")
        .first()
    )


def events_judged_by(user) -> QuerySet[Event]:
    if not (user and user.is_authenticated):
        return Event.objects.none()
    return Event.objects.filter(
        Q(assignments__user=user, assignments__role__in=[Role.JUDGE, Role.CHIEF_JUDGE])
        | Q(
            competition__assignments__user=user,
            competition__assignments__event__isnull=True,
            competition__assignments__role=Role.CHIEF_JUDGE,
        )
    ).distinct()


@dataclass(frozen=True)
class Roles:
    """What one user may see, worked out once per request (one query).

    ``organiser_of`` and ``judge_in`` hold competition ids. A judge or chief judge
    anywhere in a competition sees its entries blind (code and station only), unless
    they also organise it: names leak across events through a shared venue.
    """

    is_admin: bool = False
    organiser_of: frozenset[int] = field(default_factory=frozenset)
    judge_in: frozenset[int] = field(default_factory=frozenset)

    def manages(self, competition_id: int) -> bool:
        return self.is_admin or competition_id in self.organiser_of

    def judges_blind(self, competition_id: int) -> bool:
        return not self.manages(competition_id) and competition_id in self.judge_in


def roles_of(user) -> Roles:
    if _is_admin(user):
        return Roles(is_admin=True)
    if not (user and user.is_authenticated):
        return Roles()
    rows = list(JudgeAssignment.objects.filter(user=user).values_list("competition_id", "event_id", "role"))
    organiser_of = {cid for cid, event_id, role in rows if role == Role.ORGANISER and event_id is None}
    judge_in = {cid for cid, _event_id, role in rows if role in (Role.JUDGE, Role.CHIEF_JUDGE)}
    return Roles(organiser_of=frozenset(organiser_of), judge_in=frozenset(judge_in))


def units_of_user(user, competition_ids) -> dict[int, set[int]]:
    """competition id → every unit ``user`` is recorded under there (``judge_units`` across competitions)."""
    units: dict[int, set[int]] = {competition_id: set() for competition_id in competition_ids}
    rows = JudgeAssignment.objects.filter(
        competition_id__in=units, user_id=user.pk, organisation__isnull=False
    ).values_list("competition_id", "organisation_id")
    for competition_id, organisation_id in rows:
        units[competition_id].add(organisation_id)
    return units


def judge_units(competition_id: int, user_ids) -> dict[int, set[int]]:
    """Every unit each user is recorded under in a competition, whichever assignment it is on.

    The one rule for recusal: a judge never marks an entry of any of these units.
    """
    units: dict[int, set[int]] = {user_id: set() for user_id in user_ids}
    rows = JudgeAssignment.objects.filter(
        competition_id=competition_id, user_id__in=units, organisation__isnull=False
    ).values_list("user_id", "organisation_id")
    for user_id, organisation_id in rows:
        units[user_id].add(organisation_id)
    return units
