"""Who may do what: the one place for role requirements and recusal.

Every room (API, pages, tablet, sockets) asks here, so a rule and its refusal (code and
message) exist once. The role reads themselves are ``competitions.selectors``.

Recusal (回避): a judge never marks an entry of a unit they are recorded under in the
competition, when the competition forbids conflicts of interest. The rule applies to
whoever writes a mark, a chief judge correcting another judge's mark included.
"""

from django.db.models import Q

from competitions.models import Competition, Entry, Event, JudgeAssignment
from competitions.selectors import is_chief_judge, is_organiser, judge_assignment, units_of_user
from config.errors import error


def require_organiser(user, competition: Competition) -> None:
    """403 ``not_organiser`` unless ``user`` organises ``competition``."""
    if not is_organiser(user, competition):
        raise error("not_organiser")


def require_chief_judge(user, event: Event) -> None:
    """403 ``not_chief_judge`` unless ``user`` is the event's chief judge (organisers count)."""
    if not is_chief_judge(user, event):
        raise error("not_chief_judge")


def _has_event_role(user, event: Event, role: str) -> bool:
    """``role`` on ``event`` itself or on its whole competition."""
    if not (user and user.is_authenticated):
        return False
    return JudgeAssignment.objects.filter(
        Q(event=event) | Q(event__isnull=True), user=user, competition_id=event.competition_id, role=role
    ).exists()


def is_reviewer(user, event: Event) -> bool:
    """Reviewers (复核) are the event's chief judge (organisers count) and anyone given the reviewer role."""
    return is_chief_judge(user, event) or _has_event_role(user, event, JudgeAssignment.Role.REVIEWER)


def require_reviewer(user, event: Event) -> None:
    """403 ``not_reviewer`` unless ``user`` may review ``event``'s results."""
    if not is_reviewer(user, event):
        raise error("not_reviewer")


def is_arbitrator(user, event: Event) -> bool:
    """The supervision and arbitration group (监督仲裁组) decides appeals; organisers may too."""
    return is_organiser(user, event.competition) or _has_event_role(user, event, JudgeAssignment.Role.ARBITRATOR)


def require_arbitrator(user, event: Event) -> None:
    """403 ``not_arbitrator`` unless ``user`` may decide ``event``'s appeals."""
    if not is_arbitrator(user, event):
        raise error("not_arbitrator")


def require_judge(user, event: Event) -> JudgeAssignment:
    """The user's judging assignment for ``event``; 403 ``not_assigned`` without one."""
    assignment = judge_assignment(user, event)
    if assignment is None:
        raise error("not_assigned")
    return assignment


def recusal_units(user, competition: Competition) -> set[int]:
    """The units whose entries ``user`` must not mark in ``competition`` (empty if the rule is off)."""
    if not competition.forbid_conflict_of_interest:
        return set()
    return units_of_user(user, [competition.pk])[competition.pk]


def entry_units(*, event: Event, entry_ids) -> dict[int, int | None]:
    """entry id → the unit it represents, for those of ``entry_ids`` that belong to ``event`` (one query)."""
    rows = Entry.objects.filter(event=event, pk__in=set(entry_ids)).values_list(
        "id", "contestant__organisation_id", "team__organisation_id"
    )
    return {pk: contestant_unit or team_unit for pk, contestant_unit, team_unit in rows}


def entry_unit(entry: Entry) -> int | None:
    return entry.contestant.organisation_id if entry.contestant_id else entry.team.organisation_id


def is_recused(user, entry: Entry) -> bool:
    """Whether ``user`` must not mark ``entry`` (its unit is one of theirs, and the competition forbids it)."""
    return entry.pk in recused_entry_ids(user, [entry])


def recused_entry_ids(user, entries) -> set[int]:
    """The ids of ``entries`` that ``user`` must not mark (entries with ``event.competition`` and holders loaded)."""
    entries = list(entries)
    forbidding = {e.event.competition_id for e in entries if e.event.competition.forbid_conflict_of_interest}
    units = units_of_user(user, forbidding) if forbidding else {}
    return {e.pk for e in entries if entry_unit(e) in units.get(e.event.competition_id, ())}


def raise_recused(*, field: str | None = None):
    raise error("conflict_of_interest", field=field)
