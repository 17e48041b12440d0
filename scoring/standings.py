"""Standings of one event: totals, ties, ranks and awards.

Public API::

    Scheme(criteria, theory_weight=0, practical_weight=1, decimals=2, ranking="score_desc"|"time_asc")
    EntryInfo(entry_id, status="registered", organisation_id=None, team_id=None, attempt_multipliers={})
    Policy(tie_break, rank_style, award_mode, award_counts, award_percents,
           percent_rounding, min_entrants, min_score, provisional_rows)  # see Policy
    compute_standings(scheme, entries, marks | MarkSet, policy=None) -> Standings
    group_marks(scheme, marks) -> MarkSet      # marks grouped once, as they are read
    Standings(rows, entrants, award_counts, complete).row(entry_id) -> EntryResult
    EntryResult(entry_id, total, criterion_scores, status, rank, award, finisher,
                tiebreak_key, complete)

Standings are a pure function of (scheme, entries, marks, policy): the same
data gives the same rows in the same order, whatever order the marks came in.
The live board recomputes them whole on every change (well under 100 ms for
2,000 entries; see docs/PERFORMANCE.md).

Design decisions
----------------
**Totals.** With ``ranking="score_desc"`` the total is
``theory% × theory_weight + practical% × practical_weight``, where each part is
the sum of its criteria's scores (deductions are negative) *normalised to 100*:
part score ÷ part maximum × 100 (the maximum is the sum of its criteria's
``max_points``). "Theory counts 30%" then means 30% whatever the parts are
marked out of; on raw points a theory out of 100 beside a practical out of 50
would weigh 46%. With ``theory_weight`` 0 (the default) there is no split and
the total is the plain sum of points. Rounding: criterion scores are rounded (``aggregation.py``), their
weighted sum is rounded once more to ``Scheme.decimals``. Weights are
multipliers: a criterion's ``weight`` defaults to 1 and its maximum carries
the points (the cooking rule 20/40/20/20 sums to 100 with weight 1 each);
the part weights must add up to 1, and theory may count for at most 30%
(see ``validation.py``). Time criteria with ``time_conversion`` "none" do not
add to a score total; they break ties under ``countback_time``. A converted
time criterion adds points (``aggregation.time_points_of``): the conversion
needs every entry's time (the fastest), so it runs over the whole column once
per recompute, O(entries); DNF/DNS on it scores zero, DSQ removes the entry. With ``ranking="time_asc"`` the total is
the sum of the time criteria (seconds, penalties included), lower wins, and
an entry appears only once every time criterion has its runs in (a partial
time would look fast).

**Provisional totals.** An entry with missing marks (fewer than a
criterion's ``panel_size``, or no marks on a criterion) is scored from what
exists and flagged ``complete=False``; an entry with no score at all has
``total=None`` and no rank. ``Policy.provisional_rows`` says where provisional
rows go: ``"after"`` (default) — ranked after every complete row, never
awarded; ``"hidden"`` — listed after the ranked rows with their provisional
total but no rank. Rows come ranked entries first (best first, equal places by
entry id), then provisional ones, then entries with nothing scored yet, then
non-finishers.

**Ties** (``Policy.tie_break``): ``shared`` — equal totals share the place;
``countback_criteria`` — compare criterion scores in scheme order (time
lower-is-better, everything else higher); ``countback_time`` — the lower sum
of time criteria wins. Entries still equal after countback share the place.
Rank style ``standard`` gives 1, 2, 2, 4 and ``dense`` gives 1, 2, 2, 3.

**Non-finishers.** DNS, DNF and DSQ (from the entry's status or from a
mark's status) get no rank, no total and no award, and are listed after all
finishers: DNF, then DSQ, then DNS, each by entry id. They still count as
entrants, except DNS (they never took part).

**Awards** come from fixed counts (``award_counts``, default 1/2/3) or from
percentages of entrants (``award_percents``, default 10/20/30, each rounded
by ``percent_rounding``: 36 entrants → 4/7/11 half-up, 3/7/10 floor). Awards
follow the *competition* position (standard rank) even when ranks are shown
dense. Ties at an award boundary all get the higher award, and the places
they use up are not given again (counts 1/2/3 with three tied seconds: 1
first, 3 seconds, 2 thirds). Fewer entrants than ``min_entrants`` → no
awards. ``min_score`` is a quality bar: an entry below it (for time events:
slower than it) gets no award and its award is not passed down.

**Teams and units.** Team standings and excellent-organisation awards are
built from these standings in ``scoring/team_standings.py``.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import compress, repeat
from operator import eq, is_, itemgetter, mul, neg
from typing import NamedTuple

from scoring.aggregation import (
    MARK_STATUSES,
    Criterion,
    CriterionResult,
    CriterionScorer,
    MarkScale,
    MarkValue,
    ScoringError,
    _result,
    time_points_of,
)
from scoring.decimal_rules import ZERO, quantize, quantizer, round_count

__all__ = [
    "ENTRY_STATUSES",
    "POLICY_CHOICES",
    "EntryInfo",
    "EntryResult",
    "MarkSet",
    "Policy",
    "Scheme",
    "ScoringError",
    "Standings",
    "compute_standings",
    "group_marks",
]

ENTRY_STATUSES = ("registered", "checked_in", "dns", "dnf", "dsq")
NON_FINISHER_STATUSES = ("dns", "dnf", "dsq")

_ONE = Decimal(1)
_INF = Decimal("Infinity")
_SEVERITY = {"ok": 0, "dns": 1, "dnf": 2, "dsq": 3}  # of a criterion result
_ENTRY_SEVERITY = {"registered": 0, "checked_in": 0, "dns": 1, "dnf": 2, "dsq": 3}  # of an entry
_STATUS_OF_SEVERITY = {0: "ok", 1: "dns", 2: "dnf", 3: "dsq"}
_PLAIN_STATUSES = frozenset(("registered", "checked_in"))
# Listing order of non-finishers after the ranked rows.
_NON_FINISHER_ORDER = {"dnf": 0, "dsq": 1, "dns": 2}


@dataclass(frozen=True, slots=True)
class Scheme:
    """A marking scheme: its criteria and how they add up (module docstring)."""

    criteria: tuple[Criterion, ...]
    theory_weight: Decimal = ZERO
    practical_weight: Decimal = _ONE
    decimals: int = 2
    ranking: str = "score_desc"


@dataclass(frozen=True, slots=True)
class EntryInfo:
    """An entry as the engine sees it.

    ``attempt_multipliers`` maps a criterion code to this entry's declared
    difficulty per attempt (a diver's dive list), overriding the criterion's.
    """

    entry_id: object
    status: str = "registered"
    organisation_id: object = None
    team_id: object = None
    attempt_multipliers: Mapping[str, tuple[Decimal, ...]] = field(default_factory=dict, hash=False)


@dataclass(frozen=True, slots=True)
class Policy:
    """How standings turn into ranks and awards.

    - ``tie_break``: ``"shared"`` (equal totals share a place),
      ``"countback_criteria"`` (criterion scores in scheme order decide) or
      ``"countback_time"`` (the lower total time decides).
    - ``rank_style``: ``"standard"`` (1, 2, 2, 4) or ``"dense"`` (1, 2, 2, 3).
    - ``award_mode``: ``"counts"`` uses ``award_counts`` (firsts, seconds,
      thirds…); ``"percent"`` uses ``award_percents`` of the entrants, each
      tier rounded by ``percent_rounding`` (``"round_half_up"``, ``"floor"``
      or ``"ceil"``).
    - ``min_entrants``: with fewer entrants no awards are given.
    - ``min_score``: no award below this total (for ``time_asc``: above it).
    - ``provisional_rows``: ``"after"`` ranks rows with marks missing after
      the complete ones, without awards; ``"hidden"`` gives them no rank.
    """

    tie_break: str = "shared"
    rank_style: str = "standard"
    award_mode: str = "counts"
    award_counts: tuple[int, ...] = (1, 2, 3)
    award_percents: tuple[Decimal, ...] = (Decimal(10), Decimal(20), Decimal(30))
    percent_rounding: str = "round_half_up"
    min_entrants: int = 0
    min_score: Decimal | None = None
    provisional_rows: str = "after"


class EntryResult(NamedTuple):
    """One row of the standings (immutable; a named tuple, since a recompute makes one per entry).

    ``status`` is ``"ok"`` or the reason the entry did not finish (``"dns"``,
    ``"dnf"``, ``"dsq"``). ``award`` is 1, 2, 3… (first prize, …) or None.
    ``tiebreak_key`` holds the countback values that ordered equal totals.
    ``complete`` is False while marks are missing (the total is provisional).
    """

    entry_id: object
    total: Decimal | None
    criterion_scores: dict[str, Decimal]
    status: str
    rank: int | None
    award: int | None
    finisher: bool
    tiebreak_key: tuple = ()
    complete: bool = True


@dataclass(frozen=True, slots=True)
class Standings:
    """Ranked rows, best first, then unscored entries, then non-finishers.

    ``entrants`` is the count used for percentage awards and ``min_entrants``;
    ``award_counts`` the number of places per award actually offered.
    """

    rows: tuple[EntryResult, ...]
    entrants: int
    award_counts: tuple[int, ...]
    complete: bool

    def row(self, entry_id: object) -> EntryResult:
        for row in self.rows:
            if row.entry_id == entry_id:
                return row
        raise KeyError(entry_id)


# --------------------------------------------------------------------------
# Internals shared by compute_standings and team_standings.


class _Row(NamedTuple):
    """An entry's (or team's) scores before ranking, with its sort key precomputed (a tuple: cheap to make)."""

    entry_id: object
    total: Decimal | None
    criterion_scores: dict
    status: str
    complete: bool
    tiebreak: tuple = ()
    key: tuple | None = None  # (primary, *countback), ascending = better; None = unranked
    order: tuple = ()  # the entry id, for a stable order among equals


def _row(
    entry_id: object,
    total: Decimal | None,
    scores: dict,
    status: str,
    complete: bool,
    lower_is_better: bool,
    tiebreak: tuple = (),
    tiebreak_norm: tuple = (),
) -> _Row:
    key = None
    if status == "ok" and total is not None:
        key = (total if lower_is_better else -total, *tiebreak_norm)
    return _Row(entry_id, total, scores, status, complete, tiebreak, key, _id_key(entry_id))


class _Plan:
    """What the ranking needs to know about a scheme, computed once."""

    __slots__ = (
        "by_code",
        "converted",
        "criteria",
        "decimals",
        "layout",
        "lower_is_better",
        "practical_max",
        "practical_weight",
        "scheme",
        "scorers",
        "theory_max",
        "theory_weight",
        "time_codes",
    )

    def __init__(self, scheme: Scheme):
        self.scheme = scheme
        self.criteria = tuple(scheme.criteria)
        self.by_code = {c.code: c for c in self.criteria}
        self.decimals = scheme.decimals
        self.lower_is_better = scheme.ranking == "time_asc"
        self.theory_weight = scheme.theory_weight
        self.practical_weight = scheme.practical_weight
        self.time_codes = tuple(c.code for c in self.criteria if c.kind == "time" and not c.converted)
        self.converted = tuple(c for c in self.criteria if c.converted)
        self.scorers = {c.code: CriterionScorer(c) for c in self.criteria}
        # Part maxima for normalising to 100 (only used when the parts are weighted).
        self.theory_max = sum((c.max_points for c in self.criteria if c.part == "theory"), ZERO)
        self.practical_max = sum((c.max_points for c in self.criteria if c.part != "theory"), ZERO)
        # (code, is an unconverted time, is theory, attempts summed) per criterion, for _entry_row's loop.
        self.layout = tuple(
            (c.code, c.kind == "time" and not c.converted, c.part == "theory", c.attempts_combine == "sum")
            for c in self.criteria
        )

    def weighted_total(self, theory: Decimal, practical: Decimal) -> Decimal:
        """Theory and practical each normalised to 100, then weighted; rounded once."""
        return quantize(
            _percent(theory, self.theory_max) * self.theory_weight
            + _percent(practical, self.practical_max) * self.practical_weight,
            self.decimals,
        )


_HUNDRED = Decimal(100)


def _percent(points: Decimal, maximum: Decimal) -> Decimal:
    # A part without a maximum (only deductions) cannot be normalised: its points count as they are.
    return points * _HUNDRED / maximum if maximum else points


def _has_none(values) -> bool:
    """``None in values`` by identity: ``None == Decimal(...)`` runs an ABC isinstance check per element."""
    return any(map(is_, values, repeat(None)))


def _id_key(entry_id: object) -> tuple:
    # Ids may be ints, strings or UUIDs; never compare across types.
    if isinstance(entry_id, int):
        return (0, entry_id, "")
    return (1, 0, str(entry_id))


def _entry_row(plan: _Plan, info: EntryInfo, results: Mapping[str, CriterionResult], tie_break: str) -> _Row:
    try:
        severity = _ENTRY_SEVERITY[info.status]
    except KeyError:
        raise ScoringError("unknown_entry_status", f"unknown entry status {info.status!r}") from None
    complete = True
    scores: dict[str, Decimal] = {}
    theory = practical = ZERO
    any_points = False
    time_total = ZERO
    times_in = True
    for code, is_time, is_theory, summed in plan.layout:
        result = results.get(code)
        if result is None:
            complete = False
            if is_time:
                times_in = False
            continue
        score, result_complete, status, attempt_scores = result
        if not result_complete:
            complete = False
        if status != "ok":
            severity = max(severity, _SEVERITY[status])
            continue
        if score is None:
            if is_time:
                times_in = False
            continue
        scores[code] = score
        if is_time:
            # A "sum" of runs with a run missing is not a comparable time.
            if summed and _has_none(attempt_scores):
                times_in = False
            else:
                time_total += score
        else:
            any_points = True
            if is_theory:
                theory += score
            else:
                practical += score

    if severity:
        return _row(info.entry_id, None, scores, _STATUS_OF_SEVERITY[severity], True, plan.lower_is_better)

    if plan.lower_is_better:
        total = quantize(time_total, plan.decimals) if plan.time_codes and times_in else None
    elif not any_points:
        total = None
    elif plan.theory_weight:
        total = plan.weighted_total(theory, practical)
    else:
        total = quantize(theory + practical, plan.decimals)

    if tie_break == "countback_criteria":
        tiebreak = tuple(scores.get(c.code) for c in plan.criteria)
        tiebreak_norm = tuple(
            _INF if value is None else (value if c.kind == "time" and not c.converted else -value)
            for c, value in zip(plan.criteria, tiebreak, strict=True)
        )
    elif tie_break == "countback_time" and plan.time_codes:
        time = quantize(time_total, plan.decimals) if times_in else None
        tiebreak = (time,)
        tiebreak_norm = (_INF if time is None else time,)
    else:
        tiebreak = tiebreak_norm = ()
    return _row(info.entry_id, total, scores, "ok", complete, plan.lower_is_better, tiebreak, tiebreak_norm)


POLICY_CHOICES = {
    "tie_break": ("shared", "countback_criteria", "countback_time"),
    "rank_style": ("standard", "dense"),
    "award_mode": ("counts", "percent"),
    "percent_rounding": ("round_half_up", "floor", "ceil"),
    "provisional_rows": ("after", "hidden"),
}


def _check_policy(policy: Policy) -> Policy:
    for name, choices in POLICY_CHOICES.items():
        if getattr(policy, name) not in choices:
            raise ValueError(f"Policy.{name} must be one of {choices}, not {getattr(policy, name)!r}")
    return policy


def _award_counts(policy: Policy, entrants: int) -> tuple[int, ...]:
    if policy.award_mode == "percent":
        counts = tuple(
            round_count(Decimal(entrants) * Decimal(percent) / 100, policy.percent_rounding)
            for percent in policy.award_percents
        )
    else:
        counts = tuple(policy.award_counts)
    if entrants < policy.min_entrants:
        return (0,) * len(counts)
    return counts


_NO_CELLS: Mapping = {}  # read-only stand-in for an entry's missing criterion or attempt
_SORT_KEY = itemgetter(6, 7)  # _Row.key, _Row.order
_SCORE = itemgetter(0)  # of a CriterionResult
_COMPLETE = itemgetter(1)
_ORDER = itemgetter(7)  # _Row.order


def _rank(rows: Iterable[_Row], policy: Policy, lower_is_better: bool) -> Standings:
    """Order, rank and award the rows."""
    ranked: list[_Row] = []
    provisional: list[_Row] = []
    unscored: list[_Row] = []
    out: list[_Row] = []
    entrants = 0
    all_complete = True
    for row in rows:
        if row.status != "dns":
            entrants += 1
        if not row.complete:
            all_complete = False
        if row.key is not None:
            (ranked if row.complete else provisional).append(row)
        elif row.status == "ok":
            unscored.append(row)
        else:
            out.append(row)
    ranked.sort(key=_SORT_KEY)
    provisional.sort(key=_SORT_KEY)
    hidden = policy.provisional_rows == "hidden"

    counts = _award_counts(policy, entrants)
    bounds = []
    running = 0
    for count in counts:
        running += count
        bounds.append(running)
    min_score = policy.min_score
    dense = policy.rank_style == "dense"

    results: list[EntryResult] = []
    previous_key = None
    standard_rank = dense_rank = 0
    for position, row in enumerate(ranked, start=1):
        if row.key != previous_key:
            standard_rank = position
            dense_rank += 1
            previous_key = row.key
        award = None
        for tier, bound in enumerate(bounds, start=1):
            if standard_rank <= bound:
                award = tier
                break
        if award is not None and min_score is not None:
            below = row.total > min_score if lower_is_better else row.total < min_score
            if below:
                award = None
        rank = dense_rank if dense else standard_rank
        results.append(
            EntryResult(
                row.entry_id, row.total, row.criterion_scores, "ok", rank, award, True, row.tiebreak, row.complete
            )
        )
    # Provisional rows: after every complete row, never awarded (their total may still change).
    previous_key = None
    for position, row in enumerate(provisional, start=len(ranked) + 1):
        if row.key != previous_key:
            standard_rank = position
            dense_rank += 1
            previous_key = row.key
        rank = None if hidden else dense_rank if dense else standard_rank
        results.append(
            EntryResult(row.entry_id, row.total, row.criterion_scores, "ok", rank, None, True, row.tiebreak, False)
        )
    unscored.sort(key=_ORDER)
    results.extend(
        EntryResult(r.entry_id, None, r.criterion_scores, "ok", None, None, True, r.tiebreak, r.complete)
        for r in unscored
    )
    out.sort(key=lambda r: (_NON_FINISHER_ORDER[r.status], r.order))
    results.extend(
        EntryResult(r.entry_id, None, r.criterion_scores, r.status, None, None, False, (), r.complete) for r in out
    )
    return Standings(tuple(results), entrants, counts, all_complete)


def _check_mark(plan: _Plan, entries: Mapping, mark: MarkValue) -> Criterion:
    if mark.entry_id not in entries:
        raise ScoringError("unknown_entry", f"mark for unknown entry {mark.entry_id!r}")
    criterion = plan.by_code.get(mark.criterion_code)
    if criterion is None:
        raise ScoringError("unknown_criterion", f"mark for unknown criterion {mark.criterion_code!r}")
    if not 1 <= mark.attempt <= criterion.attempts:
        raise ScoringError(
            "attempt_out_of_range",
            f"attempt {mark.attempt} of {criterion.code!r}, which has {criterion.attempts}",
        )
    if mark.status not in MARK_STATUSES:
        raise ScoringError("unknown_status", f"unknown mark status {mark.status!r}")
    return criterion


def _score_entry(plan: _Plan, info: EntryInfo, cells_by_code: Mapping, all_ok: bool = False) -> dict:
    declared = info.attempt_multipliers
    scorers = plan.scorers
    if declared:
        return {code: scorers[code].score(cells, declared.get(code), all_ok) for code, cells in cells_by_code.items()}
    return {code: scorers[code].score(cells, None, all_ok) for code, cells in cells_by_code.items()}


def _score_rows(plan: _Plan, infos: Mapping, grouped: Mapping, flagged: set, tie_break: str) -> list[_Row]:
    """One row per entry, in ``infos`` order; the same rows as ``_entry_row`` gives.

    The common entry — a plain status, no declared multipliers, no DNF/DSQ
    mark — is scored a criterion at a time over all such entries with
    ``CriterionScorer.column`` and, when the scheme allows (no time
    criteria, ranked by score, every criterion scored for the entry),
    totalled without building per-criterion results. Everything else takes
    the per-entry path.
    """
    if plan.converted:
        return _score_rows_converted(plan, infos, grouped, flagged, tie_break)
    rows: list = [None] * len(infos)
    common: list[int] = []
    empty: dict = {}
    for index, (entry_id, info) in enumerate(infos.items()):
        cells = grouped.get(entry_id)
        if cells and entry_id not in flagged and not info.attempt_multipliers and info.status in _PLAIN_STATUSES:
            common.append(index)
        else:
            results = _score_entry(plan, info, cells or empty, entry_id not in flagged)
            rows[index] = _entry_row(plan, info, results, tie_break)
    if not common:
        return rows
    ids = list(infos)
    common_ids = [ids[index] for index in common]
    entry_cells = [grouped[entry_id] for entry_id in common_ids]
    columns = []
    scale = MarkScale()
    for criterion in plan.criteria:
        code = criterion.code
        column = None
        by_attempt = list(map(dict.get, entry_cells, repeat(code)))
        if None not in by_attempt and list(map(len, by_attempt)).count(1) == len(by_attempt):
            cells = list(map(dict.get, by_attempt, repeat(1)))
            if None not in cells:
                column = plan.scorers[code].column(cells, scale)
        columns.append(column)

    totalled = bool(plan.criteria) and not plan.time_codes and not plan.lower_is_better
    if totalled and None not in columns:
        by_entry = list(zip(*(column[0] for column in columns), strict=True))
        complete = all(column[2] for column in columns)
        _total_rows(plan, common, common_ids, by_entry, repeat(complete), tie_break, rows)
        return rows

    # Per entry from here, with the columns that could be scored at once.
    by_code = []
    for criterion, column in zip(plan.criteria, columns, strict=True):
        code = criterion.code
        scorer = plan.scorers[code]
        if column is None:
            by_code.append(_partial_column(scorer, code, entry_cells, scale))
        else:
            scores, attempt_scores, complete = column
            by_code.append(list(map(_result, zip(scores, repeat(complete), repeat("ok"), zip(attempt_scores)))))
    codes = [criterion.code for criterion in plan.criteria]
    # Entries with a score on every criterion are totalled at once; the rest row by row.
    positions, ids, by_entry, complete = [], [], [], []
    for index, entry_id, results in zip(common, common_ids, zip(*by_code, strict=True) if by_code else (), strict=True):
        if totalled and None not in results:
            scores = tuple(map(_SCORE, results))
            if not _has_none(scores):
                positions.append(index)
                ids.append(entry_id)
                by_entry.append(scores)
                complete.append(all(map(_COMPLETE, results)))
                continue
        mapped = {code: result for code, result in zip(codes, results, strict=True) if result is not None}
        rows[index] = _entry_row(plan, infos[entry_id], mapped, tie_break)
    if positions:
        _total_rows(plan, positions, ids, by_entry, complete, tie_break, rows)
    return rows


def _score_rows_converted(plan: _Plan, infos: Mapping, grouped: Mapping, flagged: set, tie_break: str) -> list[_Row]:
    """``_score_rows`` for a scheme that turns times into points.

    Every entry is scored first, then each converted criterion is turned into
    points over the whole column (the fastest time is needed), then rows are
    built: O(entries) per converted criterion on top of the scoring.
    """
    empty: dict = {}
    results = [
        _score_entry(plan, info, grouped.get(entry_id) or empty, entry_id not in flagged)
        for entry_id, info in infos.items()
    ]
    plain = [info.status in _PLAIN_STATUSES for info in infos.values()]
    for criterion in plan.converted:
        _convert_times(criterion, results, plain)
    return [_entry_row(plan, info, by_code, tie_break) for info, by_code in zip(infos.values(), results, strict=True)]


def _comparable_time(result: CriterionResult, summed: bool) -> Decimal | None:
    score, _complete, status, attempt_scores = result
    if status != "ok" or score is None or (summed and _has_none(attempt_scores)):
        return None  # a sum of runs with a run missing would look fast
    return score


def _convert_times(criterion: Criterion, results: list[dict], plain: list[bool]) -> None:
    """Replace each entry's seconds on ``criterion`` by points, in place.

    The fastest is taken over entries still in the contest (a plain entry
    status). DNF/DNS on the criterion scores zero (the entry stays in); DSQ is
    left as it is and removes the entry.
    """
    code, summed = criterion.code, criterion.attempts_combine == "sum"
    times = [_comparable_time(by_code[code], summed) if code in by_code else None for by_code in results]
    fastest = min((t for t, ok in zip(times, plain, strict=True) if t is not None and ok), default=None)
    round_points = quantizer(criterion.decimals)
    for by_code, seconds in zip(results, times, strict=True):
        result = by_code.get(code)
        if result is None:
            continue
        _score, complete, status, attempt_scores = result
        if status in ("dnf", "dns"):
            by_code[code] = CriterionResult(ZERO, complete, "ok", attempt_scores)
        elif status == "ok":
            points = None if seconds is None else round_points(time_points_of(criterion, seconds, fastest))
            by_code[code] = CriterionResult(points, complete and seconds is not None, "ok", attempt_scores)


def _partial_column(scorer: CriterionScorer, code: str, entry_cells: list, scale: MarkScale) -> list:
    """One criterion's results for the common entries (None where an entry has no marks).

    A criterion part-way through marking has cells of several sizes (and
    some empty): the cells of each size are scored as one column, and what
    a column declines (drafts, several attempts, too few marks) cell by cell.
    Entries are sorted into sizes with C-level maps: this runs once per
    criterion over every entry, on every recompute of a board mid-event.
    """
    by_attempt = list(map(dict.get, entry_cells, repeat(code), repeat(_NO_CELLS)))
    counts = list(map(len, by_attempt))
    positions = range(len(by_attempt))
    results: dict[int, CriterionResult] = {}
    one_by_one: list[int] = []
    if scorer.fast:
        cells = list(map(dict.get, by_attempt, repeat(1), repeat(_NO_CELLS)))
        # The panel size of an entry with only attempt 1 marked; 0 for no marks or other attempts.
        sizes = list(map(mul, map(len, cells), map(eq, counts, repeat(1))))
        distinct = set(sizes)
        for size in distinct:
            at = list(compress(positions, map(eq, sizes, repeat(size)))) if len(distinct) > 1 else list(positions)
            column = scorer.column(list(map(cells.__getitem__, at)), scale) if size else None
            if column is None:
                one_by_one.extend(compress(at, map(counts.__getitem__, at)))
                continue
            scores, attempt_scores, complete = column
            made = map(_result, zip(scores, repeat(complete), repeat("ok"), zip(attempt_scores, strict=True)))
            results.update(zip(at, made, strict=True))
    else:
        one_by_one = list(compress(positions, counts))
    for position in one_by_one:
        results[position] = scorer.score(by_attempt[position], None, True)
    return list(map(results.get, positions))


def _total_rows(
    plan: _Plan, positions: list, ids: list, by_entry: list, complete: Iterable[bool], tie_break: str, rows: list
) -> None:
    """``_entry_row`` for entries scored on every criterion, all "ok"; no time criteria.

    ``by_entry`` holds each entry's criterion scores in scheme order,
    ``complete`` whether each entry's marks are all in; the rows go to
    ``rows[positions[i]]``.
    """
    codes = [criterion.code for criterion in plan.criteria]
    decimals = plan.decimals
    if plan.theory_weight:
        theory = [index for index, criterion in enumerate(plan.criteria) if criterion.part == "theory"]
        practical = [index for index, criterion in enumerate(plan.criteria) if criterion.part != "theory"]
        weighted_total = plan.weighted_total
        totals = [
            weighted_total(sum([scores[i] for i in theory], ZERO), sum([scores[i] for i in practical], ZERO))
            for scores in by_entry
        ]
    else:
        # Summed as ints at the finest criterion exponent: exact, and each distinct
        # total is made a Decimal and rounded once.
        places = max(criterion.decimals for criterion in plan.criteria)
        as_int: dict[Decimal, int] = {}
        int_columns = []
        for scores in zip(*by_entry, strict=True):
            for score in set(scores).difference(as_int):
                as_int[score] = int(score.scaleb(places))
            int_columns.append(map(as_int.__getitem__, scores))
        sums = list(map(sum, zip(*int_columns, strict=True)))
        rounded = {total: quantize(Decimal(total).scaleb(-places), decimals) for total in set(sums)}
        totals = list(map(rounded.__getitem__, sums))
    if tie_break == "countback_criteria":
        tiebreaks = by_entry
        keys = [(-total, *map(neg, scores)) for total, scores in zip(totals, by_entry, strict=True)]
    else:
        tiebreaks = repeat(())
        keys = list(zip(map(neg, totals)))
    score_maps = map(dict, map(zip, repeat(codes), by_entry))
    made = map(_Row, ids, totals, score_maps, repeat("ok"), complete, tiebreaks, keys, map(_id_key, ids))
    for index, row in zip(positions, made, strict=True):
        rows[index] = row


# --------------------------------------------------------------------------
# Public API


@dataclass(frozen=True, slots=True)
class MarkSet:
    """Marks grouped the way the engine reads them, made by ``group_marks``.

    ``cells`` is ``{entry: {criterion: {attempt: {judge: mark}}}}``;
    ``flagged`` the entries with a DNF/DNS/DSQ mark. A recompute spends about
    as long grouping 100,000 marks as scoring them, so a caller that reads
    the marks anyway (``scoring.selectors.event_standings`` groups them as
    the rows arrive) hands the groups over instead of a flat list.
    """

    scheme: Scheme
    cells: Mapping
    flagged: frozenset


def group_marks(scheme: Scheme, marks: Iterable[MarkValue]) -> MarkSet:
    """Group ``marks`` by entry, criterion, attempt and judge; the later of two marks on one key wins.

    Raises ``ScoringError`` for unknown criteria, attempts out of range and
    unknown statuses (unknown entries are caught by ``compute_standings``).
    """
    return _group(_Plan(scheme), marks)


def _group(plan: _Plan, marks: Iterable[MarkValue]) -> MarkSet:
    by_code = plan.by_code
    grouped: dict[object, dict[str, dict[int, dict[object, MarkValue]]]] = {}
    flagged = set()  # entries with a DNF/DNS/DSQ mark: their cells take the careful path
    every_entry = _EveryEntry()
    # The loop below touches every mark, so it does as little as it can: keys are
    # checked when their dict is first made, statuses only when not "ok".
    for mark in marks:
        entry_id, code, judge_id, attempt, _, _, status = mark
        entry_cells = grouped.get(entry_id)
        if entry_cells is None:
            entry_cells = grouped[entry_id] = {}
        cells = entry_cells.get(code)
        if cells is None:
            if code not in by_code:
                _check_mark(plan, every_entry, mark)
            cells = entry_cells[code] = {}
        cell = cells.get(attempt)
        if cell is None:
            cells[attempt] = {judge_id: mark}
        else:
            cell[judge_id] = mark
        if status != "ok":
            _check_mark(plan, every_entry, mark)
            flagged.add(entry_id)
    return MarkSet(plan.scheme, grouped, frozenset(flagged))


class _EveryEntry:
    """For ``_check_mark`` while grouping: entries are checked later, against the entry list."""

    def __contains__(self, entry_id: object) -> bool:
        return True


def compute_standings(
    scheme: Scheme,
    entries: Iterable[EntryInfo],
    marks: Iterable[MarkValue] | MarkSet,
    policy: Policy | None = None,
) -> Standings:
    """Rank every entry from the marks (pure and deterministic).

    ``marks`` is a flat iterable of marks or a ``MarkSet`` of them grouped by
    ``group_marks`` for this scheme. Marks are upserts on (entry, criterion,
    judge, attempt): when a key repeats, the later mark wins. Raises
    ``ScoringError`` for marks of unknown entries or criteria, attempts out of
    range and unknown statuses.
    """
    policy = _check_policy(policy or Policy())
    plan = _Plan(scheme)
    if not isinstance(marks, MarkSet):
        marks = _group(plan, marks)
    elif marks.scheme != scheme:
        raise ValueError("the MarkSet was grouped for another scheme")
    infos = {info.entry_id: info for info in entries}
    grouped = marks.cells
    if not grouped.keys() <= infos.keys():
        unknown = next(entry_id for entry_id in grouped if entry_id not in infos)
        raise ScoringError("unknown_entry", f"mark for unknown entry {unknown!r}")
    return _rank(_score_rows(plan, infos, grouped, marks.flagged, policy.tie_break), policy, plan.lower_is_better)
