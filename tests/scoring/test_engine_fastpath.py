"""The fast path of the standings recompute gives exactly the slow path's figures.

``compute_standings`` scores the common entries a criterion at a time
(``CriterionScorer.column``, integer sums) and totals them without building
per-criterion results. Its oracles here:

- ``IncrementalStandings``, which scores every (entry, criterion) on its own
  with ``CriterionScorer.score`` and builds each row with ``_entry_row``;
- for single-attempt cells, a re-derivation from ``aggregate_panel`` and
  ``quantize``.

Figures are compared with ``repr`` so a ``Decimal("85.5")`` where
``Decimal("85.50")`` is due fails: the same value with another exponent is
not the same figure on a scoreboard or in JSON.
"""

import random
from decimal import Decimal as D

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring.aggregation import Criterion, CriterionScorer, MarkValue, aggregate_panel, criterion_result
from scoring.decimal_rules import quantize
from scoring.standings import EntryInfo, Policy, Scheme, compute_standings
from tests.scoring.incremental import IncrementalStandings

pytestmark = []

FASTPATH_SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
JUDGES = ("j1", "j2", "j3", "j4", "j5")
# Marks with up to three decimals, as a scheme's step allows (0.5, 0.25, 0.001).
MARK = st.one_of(
    st.integers(min_value=0, max_value=40).map(lambda n: D(n) / 2),
    st.integers(min_value=0, max_value=20000).map(lambda n: D(n).scaleb(-3)),
    st.integers(min_value=0, max_value=400).map(lambda n: D(n) / 4),
)
KIND = st.sampled_from(("judgement", "judgement", "measurement", "deduction", "time"))
AGGREGATION = st.sampled_from(("mean", "trimmed_mean", "trimmed_sum", "median", "single"))
DIFFICULTY = st.sampled_from((D("1.5"), D("2.0"), D("3.4"), D("0.015"), D("1.25")))
WEIGHT = st.sampled_from((D(1), D(1), D(2), D("0.5"), D("0.3")))
PENALTY_PER_UNIT = st.sampled_from((D(0), D("0.5"), D(5)))
PLACES = st.sampled_from((2, 2, 1, 3))
ENTRY_STATUS = st.sampled_from(("registered", "registered", "registered", "checked_in", "dns", "dnf", "dsq"))
TIE_BREAK = st.sampled_from(("shared", "countback_criteria", "countback_time"))
# Most draws give every entry a full panel (the fast path); some leave marks out or add trouble.
TROUBLE = st.sampled_from(("none", "none", "none", "missing", "draft", "status", "declared"))
SEEDS = st.integers(min_value=0, max_value=2**32 - 1)


@st.composite
def criteria(draw, index, judges):
    kind = draw(KIND)
    aggregation = draw(AGGREGATION)
    trim = draw(st.integers(min_value=0, max_value=(judges - 1) // 2)) if aggregation.startswith("trimmed") else 0
    attempts = draw(st.sampled_from((1, 1, 1, 2)))
    multipliers = draw(st.one_of(st.just(()), st.lists(DIFFICULTY, min_size=attempts, max_size=attempts).map(tuple)))
    return Criterion(
        f"c{index}",
        f"criterion {index}",
        kind,
        D(20),
        weight=draw(WEIGHT),
        aggregation=aggregation,
        trim=trim,
        attempts=attempts,
        attempt_multipliers=multipliers,
        attempts_combine=draw(st.sampled_from(("sum", "best"))),
        part=draw(st.sampled_from(("practical", "practical", "theory"))),
        penalty_per_unit=draw(PENALTY_PER_UNIT) if kind in ("deduction", "time") else D(0),
        decimals=draw(PLACES),
        panel_size=draw(st.sampled_from((judges, judges, None))),
    )


@st.composite
def events(draw):
    judges = JUDGES[: draw(st.integers(min_value=1, max_value=len(JUDGES)))]
    scheme_criteria = tuple(draw(criteria(i, len(judges))) for i in range(draw(st.integers(1, 4))))
    timed = any(c.kind == "time" for c in scheme_criteria)
    split = draw(st.booleans())
    scheme = Scheme(
        scheme_criteria,
        theory_weight=D("0.3") if split else D(0),
        practical_weight=D("0.7") if split else D(1),
        decimals=draw(PLACES),
        ranking=draw(st.sampled_from(("score_desc", "time_asc"))) if timed else "score_desc",
    )
    trouble = draw(TROUBLE)
    n_entries = draw(st.integers(min_value=1, max_value=8))
    entries = []
    for i in range(n_entries):
        status = draw(ENTRY_STATUS) if trouble == "status" else "registered"
        declared = {}
        if trouble == "declared" and draw(st.booleans()):
            declared = {c.code: tuple(draw(DIFFICULTY) for _ in range(c.attempts)) for c in scheme_criteria}
        entries.append(EntryInfo(i + 1, status, attempt_multipliers=declared))
    keys = [
        (entry.entry_id, criterion, judge, attempt)
        for entry in entries
        for criterion in scheme_criteria
        for attempt in range(1, criterion.attempts + 1)
        for judge in judges
    ]
    values = draw(st.lists(MARK, min_size=len(keys), max_size=len(keys)))
    marks = []
    for (entry_id, criterion, judge, attempt), value in zip(keys, values, strict=True):
        mark = MarkValue(entry_id, criterion.code, judge, attempt, value)
        if criterion.kind == "time" and value.to_integral_value() == value and value % 3 == 0:
            mark = MarkValue(entry_id, criterion.code, judge, attempt, value, penalty=D(2))
        if trouble == "missing" and value < 2:
            continue
        if trouble == "draft" and value < 2:
            mark = MarkValue(entry_id, criterion.code, judge, attempt, None)
        if trouble == "status" and value < 1:
            mark = MarkValue(
                entry_id, criterion.code, judge, attempt, None, status=("dnf", "dsq", "dns")[judge[-1] < "3"]
            )
        marks.append(mark)
    policy = Policy(
        tie_break=draw(TIE_BREAK),
        rank_style=draw(st.sampled_from(("standard", "dense"))),
        award_mode=draw(st.sampled_from(("counts", "percent"))),
    )
    return scheme, entries, policy, marks


def per_entry(scheme, entries, marks, policy):
    """The slow path: every (entry, criterion) scored on its own."""
    return IncrementalStandings(scheme, entries, policy, marks).standings()


@FASTPATH_SETTINGS
@given(event=events(), seed=SEEDS)
def test_compute_standings_equals_per_entry_scoring_exactly(event, seed):
    scheme, entries, policy, marks = event
    # Retried marks: the later one wins on both paths.
    rng = random.Random(seed)
    retried = marks + [
        MarkValue(m.entry_id, m.criterion_code, m.judge_id, m.attempt, m.value)
        for m in rng.sample(marks, min(3, len(marks)))
    ]
    assert repr(compute_standings(scheme, entries, retried, policy)) == repr(
        per_entry(scheme, entries, retried, policy)
    )


@st.composite
def columns(draw):
    """A single-attempt, non-time criterion and uniform panels of "ok" marks for several entries."""
    judges = draw(st.integers(min_value=1, max_value=7))
    aggregation = draw(AGGREGATION)
    trim = draw(st.integers(min_value=0, max_value=(judges - 1) // 2)) if aggregation.startswith("trimmed") else 0
    criterion = Criterion(
        "c",
        "criterion",
        draw(st.sampled_from(("judgement", "measurement", "deduction"))),
        D(20),
        weight=draw(WEIGHT),
        aggregation=aggregation,
        trim=trim,
        attempt_multipliers=draw(st.one_of(st.just(()), DIFFICULTY.map(lambda m: (m,)))),
        penalty_per_unit=draw(PENALTY_PER_UNIT),
        decimals=draw(PLACES),
        panel_size=draw(st.sampled_from((judges, judges + 1, None))),
    )
    panels = draw(st.lists(st.lists(MARK, min_size=judges, max_size=judges), min_size=1, max_size=12))
    return criterion, panels


def derived_score(criterion, values):
    """The criterion score re-derived from ``aggregate_panel`` and the one rounding rule."""
    multiplier = criterion.attempt_multipliers[0] if criterion.attempt_multipliers else D(1)
    # A second mark on a "single" criterion is averaged in (and the cell flagged incomplete).
    method = "mean" if criterion.aggregation == "single" else criterion.aggregation
    # Difficulty multiplies each mark's share exactly (all multipliers are positive), before any division.
    attempt = quantize(aggregate_panel([v * multiplier for v in values], method, criterion.trim), criterion.decimals)
    if criterion.weight == 1 and criterion.kind != "deduction":
        return attempt
    factor = criterion.weight * (-(criterion.penalty_per_unit or 1) if criterion.kind == "deduction" else 1)
    score = quantize(attempt * factor, criterion.decimals)
    return score if score else abs(score)


@FASTPATH_SETTINGS
@given(column=columns())
def test_column_equals_per_cell_score_and_aggregate_panel(column):
    criterion, panels = column
    cells = [
        {f"j{judge}": MarkValue(entry, "c", f"j{judge}", 1, value) for judge, value in enumerate(panel)}
        for entry, panel in enumerate(panels)
    ]
    scores, attempt_scores, complete = CriterionScorer(criterion).column(cells)
    expected = [criterion_result(criterion, cell.values()) for cell in cells]
    assert repr(scores) == repr([result.score for result in expected])
    assert repr([(s,) for s in attempt_scores]) == repr([result.attempt_scores for result in expected])
    assert [complete] * len(cells) == [result.complete for result in expected]
    assert repr(scores) == repr([derived_score(criterion, panel) for panel in panels])


def test_column_scores_a_uniform_trimmed_panel_with_integers():
    criterion = Criterion("c", "criterion", "judgement", D(10), aggregation="trimmed_mean", trim=1, panel_size=5)
    panels = [(D("8.5"), D("9.0"), D("7.5"), D("9.5"), D("8.0")), (D("9.25"), D("9.25"), D("9.25"), D(9), D(10))]
    cells = [{j: MarkValue(e, "c", j, 1, v) for j, v in enumerate(panel)} for e, panel in enumerate(panels)]
    # 8.0 + 8.5 + 9.0 = 25.5 / 3 = 8.50; 9.25 × 3 = 27.75 / 3 = 9.25
    assert repr(CriterionScorer(criterion).column(cells)) == repr(
        ([D("8.50"), D("9.25")], [D("8.50"), D("9.25")], True)
    )


def test_column_declines_uneven_panels_and_drafts():
    criterion = Criterion("c", "criterion", "judgement", D(10), aggregation="mean")
    uneven = [
        {"j1": MarkValue(1, "c", "j1", 1, D(8))},
        {"j1": MarkValue(2, "c", "j1", 1, D(8)), "j2": MarkValue(2, "c", "j2", 1, D(9))},
    ]
    draft = [{"j1": MarkValue(1, "c", "j1", 1, D(8)), "j2": MarkValue(1, "c", "j2", 1, None)}]
    assert (CriterionScorer(criterion).column(uneven), CriterionScorer(criterion).column(draft)) == (None, None)


def test_compute_standings_rounds_half_up_after_an_inexact_mean():
    # (8.5 + 8.5 + 8.0) / 3 × 1.25 = 10.41666… → 10.42; the total keeps the scheme's two places.
    criterion = Criterion("c", "criterion", "judgement", D(10), attempt_multipliers=(D("1.25"),), panel_size=3)
    marks = [MarkValue(1, "c", j, 1, v) for j, v in (("a", D("8.5")), ("b", D("8.5")), ("c", D("8.0")))]
    row = compute_standings(Scheme((criterion,)), [EntryInfo(1)], marks).row(1)
    assert (repr(row.total), repr(row.criterion_scores)) == ("Decimal('10.42')", "{'c': Decimal('10.42')}")
