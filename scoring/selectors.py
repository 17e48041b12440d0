"""Reads of the scoring module: engine inputs from the database, standings, progress, alerts.

The ORM is only used here to gather flat values; every figure comes from the
pure engine (``scoring.standings``). ``event_standings`` runs a fixed handful of
queries whatever the number of entries and marks, so it never grows N+1.
"""

import statistics
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Q

from competitions.models import Competition, Entry, Event, JudgeAssignment, Organisation, Team
from competitions.selectors import is_chief_judge, judge_assignment, judge_units, names_visible, roles_of
from config.errors import error, message
from scoring import signals, team_standings
from scoring import standings as engine
from scoring.aggregation import Criterion as PureCriterion
from scoring.aggregation import MarkValue
from scoring.decimal_rules import to_decimal
from scoring.models import Criterion, DeclaredAttempt, EventStandingsVersion, Mark, MarkingScheme, Sheet
from scoring.validation import SchemeError, validate_policy, validate_scheme

# Excellent-organisation points per place (1st → 7 … 6th → 1) and how many are awarded.
DEFAULT_ORGANISATION_POINTS = {1: 7, 2: 5, 3: 4, 4: 3, 5: 2, 6: 1}
DEFAULT_ORGANISATION_AWARDS = 8


def organisation_points_table() -> dict[int, int]:
    return dict(getattr(settings, "SCORING_ORGANISATION_POINTS", DEFAULT_ORGANISATION_POINTS))


def organisation_award_count() -> int:
    return int(getattr(settings, "SCORING_ORGANISATION_AWARDS", DEFAULT_ORGANISATION_AWARDS))


# Editable fields, shared by the services that write schemes and the revision snapshot.
SCHEME_FIELDS = (
    "theory_weight",
    "practical_weight",
    "decimals",
    "ranking",
    "tie_break",
    "rank_style",
    "award_mode",
    "first_count",
    "second_count",
    "third_count",
    "first_percent",
    "second_percent",
    "third_percent",
    "percent_rounding",
    "min_entrants",
    "min_score",
    "variance_threshold",
    "team_method",
    "team_best_n",
    "provisional_rows",
)
CRITERION_FIELDS = (
    "title",
    "title_en",
    "description",
    "kind",
    "min_value",
    "max_value",
    "weight",
    "step",
    "aggregation",
    "trim",
    "attempts",
    "attempt_multipliers",
    "attempts_combine",
    "part",
    "penalty_per_unit",
    "panel_size",
    "time_conversion",
    "time_points",
    "par_time",
    "limit_time",
)

# --------------------------------------------------------------------------
# Model → engine


def criterion_to_pure(criterion: Criterion, decimals: int) -> PureCriterion:
    return PureCriterion(
        code=criterion.code,
        title=criterion.title,
        kind=criterion.kind,
        max_value=Decimal(criterion.max_value),
        weight=Decimal(criterion.weight),
        step=Decimal(criterion.step) if criterion.step is not None else None,
        aggregation=criterion.aggregation,
        trim=criterion.trim,
        attempts=criterion.attempts,
        attempt_multipliers=tuple(Decimal(str(m)) for m in criterion.attempt_multipliers or ()),
        attempts_combine=criterion.attempts_combine,
        part=criterion.part,
        min_value=Decimal(criterion.min_value),
        penalty_per_unit=Decimal(criterion.penalty_per_unit),
        decimals=decimals,
        panel_size=criterion.panel_size,
        time_conversion=criterion.time_conversion,
        time_points=_optional_decimal(criterion.time_points),
        par_time=_optional_decimal(criterion.par_time),
        limit_time=_optional_decimal(criterion.limit_time),
    )


def _optional_decimal(value) -> Decimal | None:
    return None if value is None else Decimal(value)


def scheme_to_pure(scheme: MarkingScheme, criteria: list[Criterion] | None = None) -> engine.Scheme:
    """The engine's Scheme; ``criteria`` (in order) defaults to the saved ones."""
    if criteria is None:
        criteria = list(scheme.criteria.all())
    return engine.Scheme(
        criteria=tuple(criterion_to_pure(c, scheme.decimals) for c in criteria),
        theory_weight=Decimal(scheme.theory_weight),
        practical_weight=Decimal(scheme.practical_weight),
        decimals=scheme.decimals,
        ranking=scheme.ranking,
    )


def scheme_policy(scheme: MarkingScheme) -> engine.Policy:
    return engine.Policy(
        tie_break=scheme.tie_break,
        rank_style=scheme.rank_style,
        award_mode=scheme.award_mode,
        award_counts=(scheme.first_count, scheme.second_count, scheme.third_count),
        award_percents=(
            Decimal(scheme.first_percent),
            Decimal(scheme.second_percent),
            Decimal(scheme.third_percent),
        ),
        percent_rounding=scheme.percent_rounding,
        min_entrants=scheme.min_entrants,
        min_score=Decimal(scheme.min_score) if scheme.min_score is not None else None,
        provisional_rows=scheme.provisional_rows,
    )


def scheme_build(data: dict, scheme: MarkingScheme) -> tuple[MarkingScheme, list[Criterion]]:
    """Apply ``data`` to ``scheme`` and its criteria in memory (nothing is saved).

    Criteria are matched by ``code``; without ``criteria`` in ``data`` the saved ones stay.
    """
    for name in SCHEME_FIELDS:
        if name in data:
            setattr(scheme, name, data[name])
    existing = {c.code: c for c in scheme.criteria.all()} if scheme.pk else {}
    if "criteria" not in data:
        return scheme, list(existing.values())
    criteria = []
    for position, item in enumerate(data["criteria"]):
        criterion = existing.get(item["code"]) or Criterion(code=item["code"])
        for name in CRITERION_FIELDS:
            if name in item:
                setattr(criterion, name, item[name])
        if "judges" in item:
            # A many-to-many needs a saved row: the service sets it after saving.
            criterion.assigned_judge_ids = [getattr(user, "pk", user) for user in item["judges"]]
        criterion.position = item.get("position", position)
        criteria.append(criterion)
    return scheme, criteria


def scheme_problems(scheme: MarkingScheme, criteria: list[Criterion]) -> list[SchemeError]:
    """Every problem the pure rules find with a (possibly unsaved) scheme and its policy."""
    pure = scheme_to_pure(scheme, criteria)
    return validate_scheme(pure) + validate_policy(scheme_policy(scheme), pure)


def scheme_check(scheme: MarkingScheme, criteria: list[Criterion]) -> None:
    """Raise one 400 listing every problem (the first names ``code`` and ``field``), or return."""
    problems = scheme_problems(scheme, criteria)
    if problems:
        first = problems[0]
        errors: dict[str, list[str]] = {}
        for problem in problems:
            errors.setdefault(problem.field, []).append(str(message(problem.code)))
        raise error(first.code, field=first.field, extra={"errors": errors})


def _json_value(value):
    if isinstance(value, Decimal):
        return str(value)
    return value


def scheme_snapshot(scheme: MarkingScheme) -> dict:
    """The scheme and its criteria as plain JSON (Decimals as strings), for revisions."""
    data = {name: _json_value(getattr(scheme, name)) for name in SCHEME_FIELDS}
    data["revision"] = scheme.revision
    data["criteria"] = [
        {
            "code": c.code,
            "position": c.position,
            **{name: _json_value(getattr(c, name)) for name in CRITERION_FIELDS},
            "judges": sorted(user.pk for user in c.judges.all()),
        }
        for c in scheme.criteria.all()
    ]
    return data


# --------------------------------------------------------------------------
# Standings


@dataclass(frozen=True)
class EventStandings:
    """The engine's standings for one event, with the version they were computed at."""

    event: Event
    scheme: MarkingScheme | None
    standings: engine.Standings
    version: int
    entries: dict  # entry id → {"code", "station", "organisation_id", "team_id", "status", "name", "organisation"}


def _entry_values(event: Event) -> dict[int, dict]:
    """entry id → what the standings and the boards need of it, in one query."""
    rows = Entry.objects.filter(event=event).values_list(
        "id",
        "code",
        "station",
        "status",
        "team_id",
        "contestant__team_id",
        "contestant__organisation_id",
        "team__organisation_id",
        "contestant__name",
        "team__name",
        "contestant__organisation__name",
        "contestant__organisation__short_name",
        "team__organisation__name",
        "team__organisation__short_name",
    )
    entries = {}
    for (
        pk,
        code,
        station,
        status,
        team_id,
        member_team_id,
        contestant_org,
        team_org,
        contestant_name,
        team_name,
        contestant_org_name,
        contestant_org_short,
        team_org_name,
        team_org_short,
    ) in rows:
        entries[pk] = {
            "code": code,
            "station": station,
            "status": status,
            "organisation_id": contestant_org or team_org,
            # For an individual entry, the team the contestant belongs to.
            "team_id": team_id or member_team_id,
            "name": contestant_name or team_name or "",
            "organisation": (contestant_org_short or contestant_org_name or team_org_short or team_org_name or ""),
        }
    return entries


def _scheme_of(event: Event) -> MarkingScheme | None:
    return MarkingScheme.objects.filter(event=event).prefetch_related("criteria").first()


def _raw_rows(queryset) -> list[tuple]:
    """The rows of a ``values_list`` queryset straight from the driver.

    Django's per-value converters build each SQLite decimal through a float and a
    quantize; for the 100,000 marks of a large event that was most of the time.
    """
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # e.g. ``__in`` an empty list: the ORM would not query either
        return []
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _as_decimal(raw):
    # Decimal on PostgreSQL; int or float on SQLite, where stored values have at most
    # three decimals, which a float's shortest repr gives back exactly.
    return raw if raw is None or isinstance(raw, Decimal) else to_decimal(raw)


def event_standings(*, event: Event) -> EventStandings:
    """Full recompute of ``event``'s standings from the database (no rows without a scheme).

    The version is read first: a mark committed meanwhile only makes the
    standings newer than the version says, and its broadcast follows.
    """
    version = EventStandingsVersion.objects.filter(event=event).values_list("version", flat=True).first() or 0
    scheme = _scheme_of(event)
    if scheme is None:
        return EventStandings(event, None, engine.Standings((), 0, (), True), version, {})
    criteria = list(scheme.criteria.all())
    by_id = {c.pk: c for c in criteria}
    entries = _entry_values(event)
    codes = {pk: c.code for pk, c in by_id.items()}
    attempts = {pk: c.attempts for pk, c in by_id.items()}
    rows = _raw_rows(
        Mark.objects.filter(criterion_id__in=codes).values_list(
            "entry_id", "criterion_id", "judge_id", "attempt", "value", "penalty", "status"
        )
    )
    # Declared difficulties only matter to marks: no marks, no query.
    declared = declared_multipliers(by_id) if rows else _NO_DECLARED
    infos = [
        engine.EntryInfo(
            entry_id, info["status"], info["organisation_id"], info["team_id"], declared.get(entry_id, _NO_DECLARED)
        )
        for entry_id, info in entries.items()
    ]
    # Marks take few distinct values: convert each once.
    decimal = {raw: _as_decimal(raw) for raw in {row[4] for row in rows} | {row[5] for row in rows}}
    pure = scheme_to_pure(scheme, criteria)
    # Grouped as they are built: one pass over the rows instead of a list and a second pass.
    marks = engine.group_marks(
        pure,
        (
            MarkValue(entry_id, codes[criterion_id], judge_id, attempt, decimal[value], decimal[penalty], status)
            for entry_id, criterion_id, judge_id, attempt, value, penalty, status in rows
            if attempt <= attempts[criterion_id]  # a revision may have dropped attempts
        ),
    )
    standings = engine.compute_standings(pure, infos, marks, scheme_policy(scheme))
    return EventStandings(event, scheme, standings, version, entries)


_NO_DECLARED: dict = {}


def declared_multipliers(criteria: dict[int, Criterion]) -> dict[int, dict[str, tuple[Decimal, ...]]]:
    """entry id → {criterion code: one difficulty per attempt} from the declared attempts (one query).

    An attempt the entry has not declared keeps the criterion's own multiplier (1 without one).
    """
    rows = DeclaredAttempt.objects.filter(criterion_id__in=criteria).values_list(
        "entry_id", "criterion_id", "attempt", "difficulty"
    )
    lists: dict[int, dict[int, list]] = {}
    for entry_id, criterion_id, attempt, difficulty in rows:
        criterion = criteria[criterion_id]
        if attempt > criterion.attempts:
            continue  # a revision dropped the attempt
        by_criterion = lists.setdefault(entry_id, {})
        multipliers = by_criterion.get(criterion_id)
        if multipliers is None:
            own = [Decimal(str(m)) for m in criterion.attempt_multipliers or ()]
            multipliers = by_criterion[criterion_id] = own or [Decimal(1)] * criterion.attempts
        multipliers[attempt - 1] = _as_decimal(difficulty)
    return {
        entry_id: {criteria[criterion_id].code: tuple(m) for criterion_id, m in by_criterion.items()}
        for entry_id, by_criterion in lists.items()
    }


def declared_attempts_of(*, event: Event):
    """The event's declared attempts, in entry, criterion and attempt order."""
    return (
        DeclaredAttempt.objects.filter(entry__event=event)
        .select_related("entry", "criterion")
        .order_by("entry__code", "entry_id", "criterion__position", "criterion_id", "attempt")
    )


def event_award_rows(*, event: Event) -> list[dict]:
    """``{entry, rank, award, total}`` for every entry, best first (for certificates).

    ``award`` is 1, 2, 3 (first, second, third prize) or None. A head-to-head event's rows
    come from its placings (``signals.award_rows_requested``, answered by the matches room).
    """
    answered = signals.award_rows_from_rooms_above(event)
    if answered is not None:
        return answered
    result = event_standings(event=event)
    entries = Entry.objects.filter(event=event).select_related(
        "contestant__organisation", "team__organisation", "event__competition"
    )
    by_id = {entry.pk: entry for entry in entries}
    return [
        {"entry": by_id[row.entry_id], "rank": row.rank, "award": row.award, "total": row.total}
        for row in result.standings.rows
    ]


def event_team_standings(*, event: Event, result: EventStandings | None = None) -> engine.Standings | None:
    """Team standings of an individual event, built from members' results (sum or best N).

    ``result`` is the event's standings when the caller has them already.
    """
    result = result or event_standings(event=event)
    scheme = result.scheme
    if scheme is None:
        return None
    team_of = {entry_id: info["team_id"] for entry_id, info in result.entries.items() if info["team_id"]}
    method = scheme.team_method
    return team_standings.team_standings(
        result.standings.rows,
        team_of,
        method=method,
        n=scheme.team_best_n if method == MarkingScheme.TeamMethod.BEST_N else None,
        policy=scheme_policy(scheme),
        ranking=scheme.ranking,
        decimals=scheme.decimals,
    )


def competition_placings(*, competition: Competition) -> list[tuple[int, int | None]]:
    """(organisation id, rank) of every team placing, or every entry placing without teams."""
    team_org = dict(Team.objects.filter(competition=competition).values_list("id", "organisation_id"))
    placings: list[tuple[int, int | None]] = []
    for event in Event.objects.filter(competition=competition).select_related("competition"):
        result = event_standings(event=event)
        if result.scheme is None:
            continue
        has_teams = event.kind == Event.Kind.INDIVIDUAL and any(info["team_id"] for info in result.entries.values())
        if has_teams:
            teams = event_team_standings(event=event, result=result)
            placings.extend(team_standings.organisation_placings(teams, team_org))
        else:
            organisation_of = {entry_id: info["organisation_id"] for entry_id, info in result.entries.items()}
            placings.extend(team_standings.organisation_placings(result.standings, organisation_of))
    return placings


def organisation_award_rows(*, competition: Competition) -> list[dict]:
    """Excellent-organisation (优秀组织奖) rows: ``{organisation, points, rank, awarded, places}``."""
    results = team_standings.organisation_awards(
        competition_placings(competition=competition), organisation_points_table(), organisation_award_count()
    )
    organisations = Organisation.objects.in_bulk([r.organisation_id for r in results])
    return [
        {
            "organisation": organisations[r.organisation_id],
            "points": r.points,
            "rank": r.rank,
            "awarded": r.awarded,
            "places": list(r.places),
        }
        for r in results
    ]


# --------------------------------------------------------------------------
# Who sees what


def can_read_all_marks(user, event: Event) -> bool:
    """Blind marking, strict reading: only chief judges and organisers see other judges' marks."""
    return is_chief_judge(user, event)


def marks_visible_to(*, user, event: Event):
    """Marks the user may read in ``event``: all for chief judges, their own for judges, else None."""
    marks = (
        Mark.objects.filter(entry__event=event)
        .select_related("entry", "criterion")
        .order_by("entry_id", "criterion__position", "criterion_id", "attempt", "judge_id")
    )
    if can_read_all_marks(user, event):
        return marks
    if judge_assignment(user, event) is not None:
        return marks.filter(judge=user)
    return None


def sheets_visible_to(*, user, event: Event):
    sheets = Sheet.objects.filter(entry__event=event).select_related("entry").order_by("entry_id", "judge_id")
    if can_read_all_marks(user, event):
        return sheets
    if judge_assignment(user, event) is not None:
        return sheets.filter(judge=user)
    return None


def event_is_published(event: Event) -> bool:
    """Results are published once the event has sheets and every one of them is published."""
    states = set(Sheet.objects.filter(entry__event=event).values_list("state", flat=True).distinct())
    return states == {Sheet.State.PUBLISHED}


def standings_visible_to(*, user, event: Event) -> bool:
    """Organisers and chief judges always; everyone else only in a public competition, and
    there live at once, under any other publication policy of the event (hidden, frozen, reveal) only
    once the event is published. The live board shows frozen and reveal boards its own way."""
    if is_chief_judge(user, event):
        return True
    competition = event.competition
    if not competition.is_public:
        return False
    if event.publication_policy == Competition.Publication.LIVE:
        return True
    return event_is_published(event)


@dataclass(frozen=True)
class StandingsLabels:
    """What identifies a standings row for one viewer: code, station, name and unit."""

    codes: bool
    stations: bool
    names: bool


def standings_labels_for(user, event: Event) -> StandingsLabels:
    """How standings rows are labelled for ``user`` (blind marking, 解密).

    Organisers see everything. Judges and chief judges of the competition see codes and
    stations (they mark by them). The public sees codes in a blind event and no station.
    Names and units appear, to anyone but organisers, only once the event is decoded
    (``names_visible``); an event that is not blind shows names and, to the public, no codes.
    No row ever carries the entry id. Before decoding, only the chief judge and organisers get
    standings at all (``standings_blind_for``).
    """
    roles = roles_of(user)
    if roles.manages(event.competition_id):
        return StandingsLabels(codes=True, stations=True, names=True)
    names = names_visible(event)
    if roles.judges_blind(event.competition_id):
        return StandingsLabels(codes=True, stations=True, names=names and event.blind)
    return StandingsLabels(codes=event.blind, stations=False, names=names)


def standings_blind_for(user, event: Event) -> bool:
    """Whether ``user`` may not see this blind, undecoded event's ranks and totals: all but its chief and organisers.

    A judge who saw their own event's codes ranked could mark strategically, and could line the
    ranking up with any ranked list that names people; the public board is sealed for the same
    reason (``live.board.seal``), since judges read it too. The chief judge checks the scores and
    so sees them.
    """
    if names_visible(event) or roles_of(user).manages(event.competition_id):
        return False
    return not (user and user.is_authenticated and is_chief_judge(user, event))


def entry_ids_by_code(*, event: Event, codes) -> dict[str, int]:
    """code → entry id for those of ``codes`` that are entries of ``event`` (one query)."""
    codes = {code for code in codes if code}
    if not codes:
        return {}
    return dict(Entry.objects.filter(event=event, code__in=codes).values_list("code", "id"))


def entry_codes(*, event: Event, entry_ids) -> dict[int, str]:
    """entry id → code for those of ``entry_ids`` in ``event`` (one query)."""
    return dict(Entry.objects.filter(event=event, pk__in=set(entry_ids)).values_list("id", "code"))


def progress_by_code(progress: dict) -> dict:
    """``event_progress`` with entries named by code only: the monitor and the progress API carry no entry id."""
    codes = {row["entry"]: row["code"] for row in progress.get("by_entry", ()) if "entry" in row}
    by_entry = [{name: value for name, value in row.items() if name != "entry"} for row in progress["by_entry"]]
    by_judge = [
        {
            **judge,
            "cells": [
                {"code": codes.get(cell["entry"], ""), **{k: v for k, v in cell.items() if k != "entry"}}
                for cell in judge["cells"]
            ],
        }
        for judge in progress["by_judge"]
    ]
    return {**progress, "by_entry": by_entry, "by_judge": by_judge}


def alerts_by_code(alerts: list[dict]) -> list[dict]:
    """Variance alerts without entry ids (they already carry the code and station)."""
    return [{name: value for name, value in alert.items() if name != "entry"} for alert in alerts]


# --------------------------------------------------------------------------
# Progress and variance alerts


def criterion_judges(criteria) -> dict[int, set[int]]:
    """criterion id → the users assigned to mark it (criteria without an assignment are left out)."""
    assigned: dict[int, set[int]] = {}
    for criterion_id, user_id in Criterion.judges.through.objects.filter(criterion__in=criteria).values_list(
        "criterion_id", "user_id"
    ):
        assigned.setdefault(criterion_id, set()).add(user_id)
    return assigned


def criterion_panel(criterion_id: int, assigned: dict[int, set[int]], panel: set[int]) -> set[int]:
    """Who marks a criterion: its assigned judges if it has any, else the event's judges (role judge).

    A chief judge or organiser is on a panel only when a criterion names them: their own
    marks never join a panel the progress view does not expect.
    """
    return assigned.get(criterion_id) or panel


def panel_judge_ids(event: Event) -> set[int]:
    """The event's judges with the role judge (event or competition-wide assignment)."""
    return set(
        JudgeAssignment.objects.filter(
            Q(event=event) | Q(event__isnull=True, competition_id=event.competition_id),
            role=JudgeAssignment.Role.JUDGE,
        ).values_list("user_id", flat=True)
    )


def criteria_marked_by(user, event: Event, criteria: list[Criterion]) -> list[Criterion]:
    """The criteria ``user`` marks in ``event`` (what the tablet shows them), in order."""
    return criteria_marked_by_events(user, {event: criteria})[event.pk]


def criteria_marked_by_events(user, criteria_of: dict[Event, list[Criterion]]) -> dict[int, list[Criterion]]:
    """``criteria_marked_by`` for many events in two queries (the tablet's home page)."""
    assigned = criterion_judges([c for criteria in criteria_of.values() for c in criteria])
    rows = JudgeAssignment.objects.filter(
        user_id=user.pk,
        role=JudgeAssignment.Role.JUDGE,
        competition_id__in={event.competition_id for event in criteria_of},
    ).values_list("competition_id", "event_id")
    whole = {competition_id for competition_id, event_id in rows if event_id is None}
    single = {event_id for _competition_id, event_id in rows if event_id is not None}
    marked = {}
    for event, criteria in criteria_of.items():
        on_panel = event.pk in single or event.competition_id in whole
        marked[event.pk] = [c for c in criteria if (user.pk in assigned[c.pk] if c.pk in assigned else on_panel)]
    return marked


def _panel_judges(event: Event, also=()) -> dict[int, dict]:
    rows = (
        JudgeAssignment.objects.filter(
            Q(event=event) | Q(event__isnull=True, competition_id=event.competition_id),
            Q(role=JudgeAssignment.Role.JUDGE) | Q(user_id__in=set(also)),
        )
        .values("user_id", "user__username", "user__first_name", "user__last_name", "role")
        .order_by("user_id")
    )
    judges = {}
    for row in rows:
        judge = judges.setdefault(
            row["user_id"],
            {
                "username": row["user__username"],
                "name": _display_name(row["user__username"], row["user__first_name"], row["user__last_name"]),
                "role_judge": False,
            },
        )
        judge["role_judge"] |= row["role"] == JudgeAssignment.Role.JUDGE
    for user_id, units in judge_units(event.competition_id, judges).items():
        judges[user_id]["units"] = units
    return judges


def _display_name(username: str, first_name: str, last_name: str) -> str:
    """What the pages call a user: ``User.get_full_name()``, else the username."""
    return f"{first_name} {last_name}".strip() or username


def event_progress(*, event: Event) -> dict:
    """Which marks are still missing, per judge and per entry.

    A criterion assigned to judges expects a mark from each of them; an
    unassigned judgement criterion from every panel judge (role judge); both
    minus those recused by conflict of interest. Other unassigned kinds expect
    one mark from anyone. DNS and DSQ entries expect nothing.
    """
    scheme = _scheme_of(event)
    criteria = list(scheme.criteria.all()) if scheme else []
    assigned = criterion_judges(criteria)
    judges = _panel_judges(event, also=set().union(*assigned.values()))
    panel = {judge_id for judge_id, judge in judges.items() if judge["role_judge"]}
    entries = _entry_values(event)
    forbid = event.competition.forbid_conflict_of_interest
    present: set[tuple] = set()
    anyone: set[tuple] = set()
    for entry_id, criterion_id, attempt, judge_id in Mark.objects.filter(entry__event=event).values_list(
        "entry_id", "criterion_id", "attempt", "judge_id"
    ):
        present.add((entry_id, criterion_id, attempt, judge_id))
        anyone.add((entry_id, criterion_id, attempt))

    by_judge = {judge_id: [] for judge_id in judges}
    by_entry = []
    expected = missing_total = 0
    for entry_id, info in entries.items():
        if info["status"] in (Entry.Status.DNS, Entry.Status.DSQ):
            continue
        missing = []
        for criterion in criteria:
            for attempt in range(1, criterion.attempts + 1):
                if criterion.kind == Criterion.Kind.JUDGEMENT or criterion.pk in assigned:
                    for judge_id in sorted(criterion_panel(criterion.pk, assigned, panel) & judges.keys()):
                        judge = judges[judge_id]
                        if forbid and info["organisation_id"] in judge["units"]:
                            continue
                        expected += 1
                        if (entry_id, criterion.pk, attempt, judge_id) not in present:
                            cell = {"criterion": criterion.code, "attempt": attempt, "judge": judge_id}
                            missing.append(cell)
                            by_judge[judge_id].append({"entry": entry_id, **cell})
                else:
                    expected += 1
                    if (entry_id, criterion.pk, attempt) not in anyone:
                        missing.append({"criterion": criterion.code, "attempt": attempt, "judge": None})
        missing_total += len(missing)
        by_entry.append(
            {
                "entry": entry_id,
                "code": info["code"],
                "station": info["station"],
                "missing": len(missing),
                "cells": missing,
            }
        )
    return {
        "expected": expected,
        "missing": missing_total,
        "by_judge": [
            {
                "judge": judge_id,
                "username": judges[judge_id]["username"],
                "name": judges[judge_id]["name"],
                "missing": len(cells),
                "cells": cells,
            }
            for judge_id, cells in by_judge.items()
        ],
        "by_entry": by_entry,
    }


def variance_alerts(*, event: Event) -> list[dict]:
    """Judgement marks further than ``scheme.variance_threshold`` from their panel's median.

    Only panels of three or more marks are checked (with two, neither is "the
    rest"). The median, not the mean, so one wild mark does not flag its
    neighbours too. No threshold → no alerts.
    """
    scheme = _scheme_of(event)
    if scheme is None or scheme.variance_threshold is None:
        return []
    threshold = Decimal(scheme.variance_threshold)
    judgement = {c.pk: c for c in scheme.criteria.all() if c.kind == Criterion.Kind.JUDGEMENT}
    panels: dict[tuple, list[tuple]] = {}
    names = {}
    for entry_id, code, station, criterion_id, attempt, judge_id, username, first, last, value in (
        Mark.objects.filter(entry__event=event, criterion_id__in=judgement, status=Mark.Status.OK, value__isnull=False)
        .order_by("entry_id", "criterion_id", "attempt", "judge_id")
        .values_list(
            "entry_id",
            "entry__code",
            "entry__station",
            "criterion_id",
            "attempt",
            "judge_id",
            "judge__username",
            "judge__first_name",
            "judge__last_name",
            "value",
        )
    ):
        names[judge_id] = _display_name(username, first, last)
        panels.setdefault((entry_id, code, station, criterion_id, attempt), []).append((judge_id, username, value))
    alerts = []
    for (entry_id, code, station, criterion_id, attempt), marks in panels.items():
        if len(marks) < 3:
            continue
        median = statistics.median(value for _judge, _name, value in marks)
        for judge_id, username, value in marks:
            deviation = abs(value - median)
            if deviation > threshold:
                alerts.append(
                    {
                        "entry": entry_id,
                        "code": code,
                        "station": station,
                        "criterion": judgement[criterion_id].code,
                        "criterion_title": judgement[criterion_id].display_title,
                        "attempt": attempt,
                        "judge": judge_id,
                        "username": username,
                        "name": names[judge_id],
                        "value": value,
                        "panel_median": Decimal(median),
                        "deviation": deviation,
                    }
                )
    return alerts
