"""Panel aggregation and per-criterion scoring (pure: no ORM, no Django).

Public API::

    Criterion(code, title, kind, max_value, weight=1, step=None, aggregation="mean",
              trim=0, attempts=1, attempt_multipliers=(), attempts_combine="sum",
              part="practical", min_value=0, penalty_per_unit=0, decimals=2,
              panel_size=None, time_conversion="none", time_points=None,
              par_time=None, limit_time=None)
    MarkValue(entry_id, criterion_code, judge_id, attempt=1, value=None, penalty=0, status="ok")
    aggregate_panel(values, method, trim=0) -> Decimal             # strict, unrounded
    criterion_result(criterion, marks, multipliers=None) -> CriterionResult
    criterion_score(criterion, marks, multipliers=None) -> Decimal | None
    CriterionScorer(criterion).score(cells, multipliers=None, all_ok=False)  # hot path
    PanelError / ScoringError (``.code``)

A *criterion* of a marking scheme is scored from the marks of one entry:

1. **Cells.** Marks are grouped by attempt, one mark per judge. A mark is an
   upsert on (entry, criterion, judge, attempt): if the same key appears twice
   the later one wins, so a retried request never counts twice.
2. **Panel.** The marks of one attempt are aggregated by the criterion's
   method (``aggregate_panel``):

   - ``mean`` — the average of all marks;
   - ``trimmed_mean`` — drop the ``trim`` highest and ``trim`` lowest, average
     the rest (Chinese practice: 5 judges, drop 1 + 1, average 3);
   - ``trimmed_sum`` — drop as above and *sum* the rest (diving: 7 judges,
     drop 2 + 2, sum 3; Sydney 2000 rules: drop 1 + 1, sum 5);
   - ``median``; ``single`` — exactly one mark (a measurement, a stopwatch;
     a second mark is averaged in and the result flagged incomplete).

   For ``time`` criteria a mark's value is its time plus its penalty: seconds,
   or faults × ``penalty_per_unit`` seconds when that is set (5 s a fault).
3. **Attempt score** = panel value × the attempt's difficulty multiplier,
   rounded (the figure a scoreboard shows per dive).
4. **Combine attempts** by ``sum`` or ``best``. "Best" is the attempt most
   favourable to the entry: the highest for marks, the lowest for time and
   for deductions.
5. **Criterion score** = combined × weight, rounded. Deductions come out
   negative: ``-(combined × weight × penalty_per_unit)``, where a
   ``penalty_per_unit`` of 0 means the marks already are points (so 10
   minutes over at 0.5 per minute is ``-5.00``). Time scores are seconds.
6. **Time into points** (``time_conversion``, applied by the standings, which
   see every entry's time): ``none`` keeps seconds (a tie-break, or the
   ``time_asc`` ranking); ``relative_to_best`` gives the fastest
   ``time_points`` and the others ``time_points × fastest / time``;
   ``linear_band`` gives ``time_points`` at or under ``par_time``, zero at or
   over ``limit_time``, linear between. See ``time_points_of``.

Statuses: a mark with status ``dnf``, ``dns`` or ``dsq`` voids its attempt
(its value is ignored). ``dsq`` anywhere disqualifies. With ``sum`` any void
attempt leaves the criterion unfinished; with ``best`` only all-void does.
An "ok" mark without a value (a draft) counts as missing.

Strict vs lenient: ``aggregate_panel`` raises ``PanelError`` when a panel is
too small to trim. ``criterion_result`` never raises on missing data: it
scores what exists and reports ``complete=False`` so a live board can show a
provisional figure. An attempt with too few marks to aggregate contributes
nothing yet.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from itertools import chain
from operator import itemgetter
from typing import NamedTuple

from scoring.decimal_rules import ZERO, quantizer

__all__ = [
    "AGGREGATIONS",
    "ATTEMPT_COMBINES",
    "CRITERION_KINDS",
    "MARK_STATUSES",
    "PARTS",
    "TIME_CONVERSIONS",
    "Criterion",
    "CriterionResult",
    "CriterionScorer",
    "MarkScale",
    "MarkValue",
    "PanelError",
    "ScoringError",
    "aggregate_panel",
    "criterion_result",
    "criterion_score",
    "marks_needed",
    "time_points_of",
]

CRITERION_KINDS = ("measurement", "judgement", "deduction", "time")
TIME_CONVERSIONS = ("none", "relative_to_best", "linear_band")
AGGREGATIONS = ("mean", "trimmed_mean", "trimmed_sum", "median", "single")
ATTEMPT_COMBINES = ("sum", "best")
PARTS = ("theory", "practical")
MARK_STATUSES = ("ok", "dnf", "dsq", "dns")

ONE = Decimal(1)
_TWO = Decimal(2)
# Worst status first: a disqualification outranks a did-not-finish.
_STATUS_SEVERITY = {"ok": 0, "dns": 1, "dnf": 2, "dsq": 3}


class ScoringError(ValueError):
    """Marks that cannot be scored as given; ``code`` is stable for the API."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


class PanelError(ScoringError):
    """A panel of marks cannot be aggregated (too few to trim, …)."""


@dataclass(frozen=True, slots=True)
class Criterion:
    """One line of a marking scheme. See the module docstring for the maths.

    ``panel_size`` (optional) is how many marks a complete attempt has; when
    it is unknown an attempt is complete once it has enough marks to
    aggregate. ``time_conversion`` and its figures (``time_points``,
    ``par_time``, ``limit_time``) turn a time criterion into points.
    """

    code: str
    title: str
    kind: str
    max_value: Decimal
    weight: Decimal = ONE
    step: Decimal | None = None
    aggregation: str = "mean"
    trim: int = 0
    attempts: int = 1
    attempt_multipliers: tuple[Decimal, ...] = ()
    attempts_combine: str = "sum"
    part: str = "practical"
    min_value: Decimal = ZERO
    penalty_per_unit: Decimal = ZERO
    decimals: int = 2
    panel_size: int | None = None
    time_conversion: str = "none"
    time_points: Decimal | None = None
    par_time: Decimal | None = None
    limit_time: Decimal | None = None

    @property
    def lower_is_better(self) -> bool:
        """Time and deductions favour the entry when small."""
        return self.kind in ("time", "deduction")

    @property
    def converted(self) -> bool:
        """A time criterion whose seconds become points (it adds to the total)."""
        return self.kind == "time" and self.time_conversion != "none"

    @property
    def max_points(self) -> Decimal:
        """The most this criterion can add to a total: 0 for deductions and unconverted times.

        With several attempts summed, each attempt's maximum × its multiplier (the
        criterion's own; an entry's declared difficulty is not known here).
        """
        if self.kind == "deduction" or (self.kind == "time" and not self.converted):
            return ZERO
        if self.converted:
            return self.time_points or ZERO
        multipliers = self.attempt_multipliers or (ONE,) * self.attempts
        if self.attempts_combine == "sum":
            return self.max_value * self.weight * sum(multipliers, ZERO)
        return self.max_value * self.weight * max(multipliers)


class MarkValue(NamedTuple):
    """One judge's mark for one attempt of one criterion of one entry.

    ``penalty`` is used by ``time`` criteria only: penalty seconds, or a count
    of faults when the criterion has a ``penalty_per_unit``. A named tuple
    (immutable, like a frozen dataclass): a full recompute reads 100,000 of
    them, and a tuple is half the cost to build and cheaper to read.
    """

    entry_id: object
    criterion_code: str
    judge_id: object
    attempt: int = 1
    value: Decimal | None = None
    penalty: Decimal = ZERO
    status: str = "ok"


class CriterionResult(NamedTuple):
    """The score of one criterion for one entry.

    ``score`` is ``None`` when nothing can be scored yet or the criterion was
    not finished (``status`` says which). ``attempt_scores`` holds each
    attempt's rounded score (``None`` for missing or void attempts). A named
    tuple rather than a dataclass: standings build one per entry and
    criterion, and tuples are several times cheaper to make.
    """

    score: Decimal | None
    complete: bool
    status: str = "ok"
    attempt_scores: tuple[Decimal | None, ...] = ()


def marks_needed(method: str, trim: int = 0) -> int:
    """The fewest marks ``method`` can aggregate."""
    if method in ("trimmed_mean", "trimmed_sum"):
        return 2 * trim + 1
    return 1


def aggregate_panel(values: Iterable[Decimal], method: str, trim: int = 0) -> Decimal:
    """Aggregate one panel's marks, unrounded.

    Raises ``PanelError`` with code ``no_marks``, ``too_few_marks`` (fewer than
    ``2 * trim + 1`` for the trimmed methods), ``not_single`` (``single``
    with more than one mark) or ``unknown_method``.
    """
    values = list(values)
    if method not in AGGREGATIONS:
        raise PanelError("unknown_method", f"unknown aggregation {method!r}")
    if not values:
        raise PanelError("no_marks", "no marks to aggregate")
    if method in ("trimmed_mean", "trimmed_sum") and len(values) < 2 * trim + 1:
        raise PanelError(
            "too_few_marks",
            f"{method} dropping {trim} high and {trim} low needs at least {2 * trim + 1} marks, got {len(values)}",
        )
    if method == "single" and len(values) != 1:
        raise PanelError("not_single", f"single expects exactly one mark, got {len(values)}")
    return _aggregate(values, method, trim)


def _aggregate(values: list[Decimal], method: str, trim: int) -> Decimal:
    kept, count = _kept(values, method, trim)
    return kept if count == 1 else kept / count


def _kept(values: list[Decimal], method: str, trim: int) -> tuple[Decimal, int]:
    """The sum of the marks that count, and what to divide it by.

    The caller has checked there are enough values, and hands over a list it
    owns: sorting it in place and adding only the kept marks does fewer
    Decimal operations than sum - max - min, and this runs once per cell.
    """
    n = len(values)
    if n == 1:
        return values[0], 1
    if method == "mean" or method == "single":
        return sum(values[1:], values[0]), n
    values.sort()
    if method == "median":
        middle = n // 2
        return (values[middle], 1) if n % 2 else (values[middle - 1] + values[middle], 2)
    kept = sum(values[trim + 1 : n - trim], values[trim])
    return (kept, 1) if method == "trimmed_sum" else (kept, n - 2 * trim)


def _group_by_attempt(marks: Iterable[MarkValue]) -> dict[int, dict[object, MarkValue]]:
    cells: dict[int, dict[object, MarkValue]] = {}
    for mark in marks:
        cell = cells.get(mark.attempt)
        if cell is None:
            cells[mark.attempt] = {mark.judge_id: mark}
        else:
            cell[mark.judge_id] = mark
    return cells


def criterion_result(
    criterion: Criterion,
    marks: Iterable[MarkValue],
    multipliers: Sequence[Decimal] | None = None,
) -> CriterionResult:
    """Score one criterion for one entry from its marks (lenient, see module doc).

    ``marks`` are the entry's marks for this criterion; later duplicates of a
    (judge, attempt) replace earlier ones. ``multipliers`` overrides the
    criterion's ``attempt_multipliers`` — an entry's declared difficulty.
    """
    return score_cells(criterion, _group_by_attempt(marks), multipliers)


def criterion_score(
    criterion: Criterion,
    marks: Iterable[MarkValue],
    multipliers: Sequence[Decimal] | None = None,
) -> Decimal | None:
    """The rounded criterion score, or ``None`` if nothing can be scored."""
    return criterion_result(criterion, marks, multipliers).score


def score_cells(
    criterion: Criterion,
    cells: Mapping[int, Mapping[object, MarkValue]],
    multipliers: Sequence[Decimal] | None = None,
) -> CriterionResult:
    """Score a criterion from marks already grouped as ``{attempt: {judge: mark}}``."""
    return CriterionScorer(criterion).score(cells, multipliers)


# tuple.__new__ straight from C: skips the named tuple's Python-level __new__.
_result = partial(tuple.__new__, CriterionResult)
_NO_SCORE = (None,)
_MEMO_LIMIT = 4096
_VALUE = itemgetter(4)  # MarkValue.value
_MAX_PLACES = 9  # beyond this ``column`` leaves scaling to ints alone


class CriterionScorer:
    """One criterion's scoring rule, prepared once and applied to many entries.

    ``compute_standings`` scores 20,000 (entry, criterion) cells for a large
    event, so everything that depends only on the criterion is worked out
    here, and the common case — one attempt, every mark "ok", no penalty
    seconds — takes a short path with one rounding per figure. A scorer
    remembers rounded panel results (see ``_attempt_score``), so reuse one
    for many entries of the same criterion, as the standings do.
    """

    __slots__ = (
        "attempts",
        "best",
        "criterion",
        "deduction_factor",
        "fast",
        "finished",
        "is_time",
        "lower_is_better",
        "memo",
        "method",
        "needed",
        "panel_size",
        "penalty_factor",
        "plain",
        "round",
        "tables",
        "trim",
        "weight",
    )

    def __init__(self, criterion: Criterion):
        self.criterion = criterion
        self.method = criterion.aggregation
        if self.method not in AGGREGATIONS:
            raise PanelError("unknown_method", f"unknown aggregation {self.method!r}")
        self.trim = criterion.trim
        self.needed = marks_needed(self.method, self.trim)
        self.panel_size = criterion.panel_size
        self.is_time = criterion.kind == "time"
        self.penalty_factor = criterion.penalty_per_unit or ONE
        self.attempts = criterion.attempts
        self.best = criterion.attempts_combine == "best"
        self.lower_is_better = criterion.lower_is_better
        self.weight = None if criterion.weight == ONE else criterion.weight
        if criterion.kind == "deduction":
            self.deduction_factor = -(criterion.penalty_per_unit or ONE)
        else:
            self.deduction_factor = None
        self.round = quantizer(criterion.decimals)
        self.fast = self.attempts == 1 and not self.is_time
        self.plain = self.weight is None and self.deduction_factor is None
        self.memo: dict[tuple, Decimal] = {}
        # For ``column``: {(divisor, multiplier, exponent): {kept sum as int: attempt score}}
        # and {attempt score: score}.
        self.tables: dict[tuple, dict[int, Decimal]] = {}
        self.finished: dict[Decimal, Decimal] = {}

    def score(
        self,
        cells: Mapping[int, Mapping[object, MarkValue]],
        multipliers: Sequence[Decimal] | None = None,
        all_ok: bool = False,
    ) -> CriterionResult:
        """Score ``{attempt: {judge: mark}}``; ``all_ok`` promises no mark has a status.

        Raises ``PanelError("attempt_out_of_range")`` for attempts the
        criterion does not have.
        """
        # The short path skips the general loop over attempts and statuses: it
        # runs once per (entry, criterion), and every step in it shows in the bench.
        if self.fast and len(cells) == 1:
            cell = cells.get(1)
            if cell is not None:
                marks = cell.values()
                if all_ok or all(m.status == "ok" for m in marks):
                    values = [m.value for m in marks]
                    n = len(values)
                    if n < self.needed:
                        return _result((None, False, "ok", _NO_SCORE))
                    if multipliers is None:
                        multipliers = self.criterion.attempt_multipliers
                    try:
                        attempt_score = self._attempt_score(values, multipliers[0] if multipliers else None)
                    except TypeError:  # a mark saved without a value: the careful path skips it
                        return self._general(cells, multipliers)
                    panel_size = self.panel_size
                    complete = (panel_size is None or n == panel_size) and (n == 1 or self.method != "single")
                    score = attempt_score if self.plain else self._finish(attempt_score)
                    return _result((score, complete, "ok", (attempt_score,)))
        return self._general(cells, multipliers)

    def column(
        self, cells: Sequence[Mapping[object, MarkValue]], scale: "MarkScale | None" = None
    ) -> tuple[list[Decimal], list[Decimal], bool] | None:
        """Score many entries' attempt-1 cells ``{judge: mark}`` at once, or return ``None``.

        The same figures as ``score`` on each cell, for the common case only:
        a single-attempt criterion that is not a time, the criterion's own
        multipliers, every mark "ok" (the caller promises it) with a value,
        and the same number of marks in every cell. Returns ``(scores,
        attempt_scores, complete)`` aligned with ``cells``; ``None`` means
        "not that case, score each cell with ``score``". Pass one ``scale``
        to the columns of one recompute so each distinct mark value is
        converted to an int once.

        Why: a full recompute scores 20,000 cells, and calling ``score`` per
        cell spends most of its time in the interpreter. Here every step is
        one C-level ``map`` over the whole column (sort, slice, sum on ints),
        and the division and rounding run once per distinct kept sum, in
        Decimal exactly as ``_attempt_score`` does them.
        """
        if not self.fast or not cells:
            return None
        n = len(cells[0])
        if n < self.needed or list(map(len, cells)).count(n) != len(cells):
            return None
        flat = list(map(_VALUE, chain.from_iterable(map(dict.values, cells))))
        if scale is None:
            scale = MarkScale()
        flat = scale.scaled(flat)
        if flat is None:
            return None
        exponent = scale.exponent
        method = self.method
        rows = zip(*[iter(flat)] * n, strict=False)  # the cells again, as tuples of n ints
        if n == 1:
            kept, count = flat, 1
        elif method == "mean" or method == "single":
            kept, count = list(map(sum, rows)), n
        elif method == "median":
            middle = n // 2
            if n % 2:
                kept, count = list(map(itemgetter(middle), map(sorted, rows))), 1
            else:
                kept, count = list(map(sum, map(itemgetter(slice(middle - 1, middle + 1)), map(sorted, rows)))), 2
        else:
            kept = list(map(sum, map(itemgetter(slice(self.trim, n - self.trim)), map(sorted, rows))))
            count = 1 if method == "trimmed_sum" else n - 2 * self.trim
        multipliers = self.criterion.attempt_multipliers
        multiplier = multipliers[0] if multipliers else None
        table = self.tables.get((count, multiplier, exponent))
        if table is None or len(table) > _MEMO_LIMIT:
            table = self.tables[(count, multiplier, exponent)] = {}
        for sum_kept in set(kept).difference(table):
            # Decimal(sum_kept).scaleb(exponent) equals the Decimal sum of the kept marks, so
            # the division and rounding below give the very figure ``_attempt_score`` gives.
            value = Decimal(sum_kept).scaleb(exponent)
            if multiplier is not None:
                value *= multiplier
            if count != 1:
                value /= count
            table[sum_kept] = self.round(value)
        attempt_scores = list(map(table.__getitem__, kept))
        if self.plain:
            scores = attempt_scores
        else:
            finished = self.finished
            if len(finished) > _MEMO_LIMIT:
                finished.clear()
            for attempt_score in set(attempt_scores).difference(finished):
                finished[attempt_score] = self._finish(attempt_score)
            scores = list(map(finished.__getitem__, attempt_scores))
        complete = (self.panel_size is None or n == self.panel_size) and (n == 1 or method != "single")
        return scores, attempt_scores, complete

    def _attempt_score(self, values: list[Decimal], multiplier: Decimal | None) -> Decimal:
        """Aggregate, multiply and round one attempt's panel.

        Dividing and rounding cost more than everything else here, and a panel
        of half points has few distinct kept sums, so results are remembered
        per (divisor, kept sum, multiplier) — a pure function of the three.
        """
        kept, count = _kept(values, self.method, self.trim)
        key = (count, kept, multiplier)
        memo = self.memo
        score = memo.get(key)
        if score is None:
            # Multiply before dividing: kept × multiplier is exact, so a score that is
            # exactly x.xx5 stays exact and rounds half up (3.25 / 3 × 2.7 = 2.925 → 2.93).
            value = kept if multiplier is None else kept * multiplier
            if count != 1:
                value /= count
            score = self.round(value)
            if len(memo) < _MEMO_LIMIT:
                memo[key] = score
        return score

    def _finish(self, combined: Decimal) -> Decimal:
        if self.plain:
            return combined
        if self.weight is not None:
            combined *= self.weight
        if self.deduction_factor is not None:
            combined *= self.deduction_factor
        score = self.round(combined)
        return score if score else abs(score)  # no "-0.00" on the board for a deduction of nothing

    def _general(
        self, cells: Mapping[int, Mapping[object, MarkValue]], multipliers: Sequence[Decimal] | None
    ) -> CriterionResult:
        attempts = self.attempts
        if multipliers is None:
            multipliers = self.criterion.attempt_multipliers
        complete = True
        worst = 0
        void = 0
        found = 0
        attempt_scores: list[Decimal | None] = []
        scored: list[Decimal] = []
        for attempt in range(1, attempts + 1):
            cell = cells.get(attempt)
            if cell is None:
                complete = False
                attempt_scores.append(None)
                continue
            found += 1
            marks = cell.values()
            severity = 0
            for mark in marks:
                if mark.status != "ok":
                    if mark.status not in _STATUS_SEVERITY:
                        raise PanelError("unknown_status", f"unknown mark status {mark.status!r}")
                    severity = max(severity, _STATUS_SEVERITY[mark.status])
            if severity:
                worst = max(worst, severity)
                void += 1
                attempt_scores.append(None)
                continue
            given = [m for m in marks if m.value is not None]
            if self.is_time:
                values = [m.value + m.penalty * self.penalty_factor if m.penalty else m.value for m in given]
            else:
                values = [m.value for m in given]
            n = len(values)
            if n < len(marks):
                complete = False
            if n < self.needed:
                complete = False
                attempt_scores.append(None)
                continue
            if (self.panel_size is not None and n != self.panel_size) or (self.method == "single" and n != 1):
                complete = False
            value = self._attempt_score(values, multipliers[attempt - 1] if multipliers else None)
            attempt_scores.append(value)
            scored.append(value)
        if found != len(cells):
            raise PanelError("attempt_out_of_range", f"{self.criterion.code!r} has {attempts} attempt(s)")

        status = "ok"
        if worst == _STATUS_SEVERITY["dsq"] or (void and (not self.best or void == attempts)):
            status = _status_named(worst)
        if status != "ok" or not scored:
            return CriterionResult(None, complete or status != "ok", status, tuple(attempt_scores))
        if not self.best:
            combined = sum(scored, ZERO)
        elif self.lower_is_better:
            combined = min(scored)
        else:
            combined = max(scored)
        return CriterionResult(self._finish(combined), complete, "ok", tuple(attempt_scores))


class MarkScale:
    """Distinct mark values scaled to ints: ``ints[value] * 10**exponent == value``.

    Sums, sorts and slices of ints are exact and several times cheaper than
    of Decimals, and marks have few decimals (a step of 0.5 or 0.001). One
    scale is shared by the columns of one recompute, so each distinct value
    is converted once.
    """

    __slots__ = ("exponent", "ints")

    def __init__(self):
        self.exponent = 0
        self.ints: dict[Decimal, int] = {}

    def scaled(self, values: list) -> list[int] | None:
        """``values`` as ints at ``self.exponent``; None for a missing or non-finite value."""
        try:
            return list(map(self.ints.__getitem__, values))
        except KeyError:
            pass
        new = set(values).difference(self.ints)
        if None in new:
            return None
        exponent = self.exponent
        for value in new:
            if type(value) is not Decimal or not value.is_finite():
                return None
            exponent = min(exponent, value.as_tuple().exponent)
        if exponent < -_MAX_PLACES:
            return None
        if exponent != self.exponent:
            self.ints = {value: int(value.scaleb(-exponent)) for value in self.ints}
            self.exponent = exponent
        for value in new:
            self.ints[value] = int(value.scaleb(-exponent))
        return list(map(self.ints.__getitem__, values))


def time_points_of(criterion: Criterion, seconds: Decimal, fastest: Decimal | None) -> Decimal:
    """Points for ``seconds`` (penalties included) under ``criterion.time_conversion``, unrounded.

    ``fastest`` is the best comparable time of the event (``relative_to_best`` only).
    Slower never scores more: both rules fall as the time grows, and are clamped
    to ``[0, time_points]``.
    """
    top = criterion.time_points or ZERO
    if criterion.time_conversion == "relative_to_best":
        if not seconds or fastest is None or seconds <= fastest:
            return top
        return top * fastest / seconds
    par, limit = criterion.par_time, criterion.limit_time
    if seconds <= par:
        return top
    if seconds >= limit:
        return ZERO
    return top * (limit - seconds) / (limit - par)


def _status_named(severity: int) -> str:
    for name, level in _STATUS_SEVERITY.items():
        if level == severity:
            return name
    raise AssertionError(severity)  # pragma: no cover
