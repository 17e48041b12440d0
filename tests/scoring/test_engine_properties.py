"""Hypothesis properties of the scoring engine.

- Standings do not depend on the order marks arrive.
- Raising one mark never lowers that entry's rank or award (score_desc
  schemes with positive weights and no deduction or time criteria).
- Each (judge, cell) counts once under any mix of retries: marks are upserts
  on (entry, criterion, judge, attempt).
- ``IncrementalStandings`` always equals a full ``compute_standings``.
"""

import random
from decimal import Decimal as D

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring.aggregation import Criterion, MarkValue
from scoring.standings import EntryInfo, Policy, Scheme, compute_standings, group_marks
from tests.scoring.incremental import IncrementalStandings

pytestmark = []

PROPERTY_SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
JUDGES = ("j1", "j2", "j3")
HALF_POINTS = st.integers(min_value=0, max_value=20).map(lambda n: D(n) / 2)
# Shuffles come from a drawn seed: st.permutations of ~100 marks costs more than the test.
SEEDS = st.integers(min_value=0, max_value=2**32 - 1)


def shuffled(items, seed):
    items = list(items)
    random.Random(seed).shuffle(items)
    return items


# Strategies are built once: building them inside a composite costs more than drawing.
ALL_KINDS = ("judgement", "measurement", "deduction", "time")
KIND_PICKS = {kinds: st.sampled_from(kinds) for kinds in (ALL_KINDS, ("judgement", "measurement"))}
AGGREGATION = st.sampled_from(("mean", "median", "trimmed_mean", "trimmed_sum"))
ATTEMPTS = st.integers(min_value=1, max_value=2)
DIFFICULTY = st.sampled_from((D("1.5"), D("2.0"), D("3.4")))
MULTIPLIERS = {
    attempts: st.one_of(st.just(()), st.lists(DIFFICULTY, min_size=attempts, max_size=attempts).map(tuple))
    for attempts in (1, 2)
}
WEIGHT = st.sampled_from((D(1), D(2), D("0.5")))
COMBINE = st.sampled_from(("sum", "best"))
PART = st.sampled_from(("theory", "practical"))
N_CRITERIA = st.integers(min_value=1, max_value=3)
N_ENTRIES = st.integers(min_value=1, max_value=5)
ENTRY_STATUS = st.sampled_from(("registered", "registered", "registered", "dns", "dsq"))
TIE_BREAK = st.sampled_from(("shared", "countback_criteria", "countback_time"))
RANKING = st.sampled_from(("score_desc", "time_asc"))
HALF = D("0.5")
TEN = D(10)
RANK_STYLE = st.sampled_from(("standard", "dense"))
AWARD_MODE = st.sampled_from(("counts", "percent"))
MIN_SCORE = st.sampled_from((None, D(5)))


@st.composite
def criteria(draw, index, kinds=ALL_KINDS):
    kind = draw(KIND_PICKS[kinds])
    aggregation = draw(AGGREGATION)
    attempts = draw(ATTEMPTS)
    return Criterion(
        f"c{index}",
        f"criterion {index}",
        kind,
        D(10),
        weight=draw(WEIGHT),
        aggregation=aggregation,
        trim=1 if aggregation.startswith("trimmed") else 0,
        attempts=attempts,
        attempt_multipliers=draw(MULTIPLIERS[attempts]),
        attempts_combine=draw(COMBINE),
        part=draw(PART),
        penalty_per_unit=D("0.5") if kind == "deduction" else D(0),
        panel_size=len(JUDGES),
    )


@st.composite
def events(draw, kinds=ALL_KINDS):
    """A scheme, entries, a policy and a list of marks with unique keys.

    On time criteria a 0 is recorded as a DNF and a 10 carries 5 penalty
    seconds; a 0.5 on any criterion is recorded as a DSQ.
    """
    n_criteria = draw(N_CRITERIA)
    scheme_criteria = tuple(draw(criteria(i, kinds)) for i in range(n_criteria))
    timed = any(c.kind == "time" for c in scheme_criteria)
    scheme = Scheme(
        scheme_criteria,
        theory_weight=D("0.3"),
        practical_weight=D("0.7"),
        ranking=draw(RANKING) if timed else "score_desc",
    )
    entries = [EntryInfo(f"e{i}", draw(ENTRY_STATUS)) for i in range(draw(N_ENTRIES))]
    policy = Policy(
        tie_break=draw(TIE_BREAK),
        rank_style=draw(RANK_STYLE),
        award_mode=draw(AWARD_MODE),
        award_counts=(1, 1, 2),
        min_score=draw(MIN_SCORE),
    )
    keys = [
        (entry.entry_id, criterion.code, judge, attempt)
        for entry in entries
        for criterion in scheme_criteria
        for attempt in range(1, criterion.attempts + 1)
        for judge in JUDGES
    ]
    # One list draw for the values and one for the gaps keeps generation cheap.
    values = draw(st.lists(HALF_POINTS, min_size=len(keys), max_size=len(keys)))
    missing = draw(st.sets(st.integers(min_value=0, max_value=max(len(keys) - 1, 0)), max_size=len(keys) // 8))
    kinds_by_code = {c.code: c.kind for c in scheme_criteria}
    marks = [
        _mark(key, value, kinds_by_code[key[1]] == "time")
        for i, (key, value) in enumerate(zip(keys, values, strict=True))
        if i not in missing
    ]
    return scheme, entries, policy, marks


def _mark(key, value, is_time):
    if value == HALF:
        return MarkValue(*key, None, status="dsq")
    if is_time and value == 0:
        return MarkValue(*key, None, status="dnf")
    if is_time and value == TEN:
        return MarkValue(*key, value, penalty=D(5))
    return MarkValue(*key, value)


@PROPERTY_SETTINGS
@given(event=events(), seed=SEEDS)
def test_standings_independent_of_mark_order(event, seed):
    scheme, entries, policy, marks = event
    assert compute_standings(scheme, shuffled(entries, seed), shuffled(marks, seed), policy) == compute_standings(
        scheme, entries, marks, policy
    )


@PROPERTY_SETTINGS
@given(event=events(), seed=SEEDS)
def test_standings_from_grouped_marks_equal_standings_from_the_list(event, seed):
    scheme, entries, policy, marks = event
    grouped = group_marks(scheme, shuffled(marks, seed))
    assert compute_standings(scheme, entries, grouped, policy) == compute_standings(scheme, entries, marks, policy)


@PROPERTY_SETTINGS
@given(event=events(kinds=("judgement", "measurement")), index=st.integers(min_value=0), steps=st.integers(1, 20))
def test_raising_a_mark_never_lowers_rank(event, index, steps):
    scheme, entries, policy, marks = event
    scored = [i for i, mark in enumerate(marks) if mark.status == "ok"]
    if not scored:
        return
    index = scored[index % len(scored)]
    mark = marks[index]
    raised = list(marks)
    key = (mark.entry_id, mark.criterion_code, mark.judge_id, mark.attempt)
    raised[index] = MarkValue(*key, min(TEN, mark.value + D(steps) / 2))

    before = compute_standings(scheme, entries, marks, policy).row(mark.entry_id)
    after = compute_standings(scheme, entries, raised, policy).row(mark.entry_id)
    if before.total is not None:
        assert after.total >= before.total
    if before.rank is not None:
        assert after.rank <= before.rank
    if before.award is not None:
        assert after.award is not None
        assert after.award <= before.award


@PROPERTY_SETTINGS
@given(event=events(), seed=SEEDS)
def test_retried_marks_count_once(event, seed):
    scheme, entries, policy, marks = event
    # Every mark is sent 1-3 times, the copies interleaved in any order.
    rng = random.Random(seed)
    retried = shuffled([mark for mark in marks for _ in range(rng.randint(1, 3))], seed)
    expected = compute_standings(scheme, entries, marks, policy)

    live = IncrementalStandings(scheme, entries, policy)
    for mark in retried:
        live.apply(mark)
    assert live.standings() == expected
    assert compute_standings(scheme, entries, retried, policy) == expected


@PROPERTY_SETTINGS
@given(event=events(), seed=SEEDS)
def test_incremental_equals_full_recompute(event, seed):
    scheme, entries, policy, marks = event
    rng = random.Random(seed)
    live = IncrementalStandings(scheme, entries, policy)
    current: dict[tuple, MarkValue] = {}
    statuses = {entry.entry_id: entry for entry in entries}
    # A judging session: new marks, corrections of earlier marks, withdrawn marks, status changes.
    for mark in marks:
        action = rng.choice(("apply", "apply", "apply", "correct", "discard", "status"))
        key = (mark.entry_id, mark.criterion_code, mark.judge_id, mark.attempt)
        if action == "correct":
            corrected = MarkValue(*key, D(rng.randint(0, 20)) / 2)
            live.apply(mark)
            live.apply(corrected)
            current[key] = corrected
        elif action == "discard":
            live.apply(mark)
            live.discard(*key)
            current.pop(key, None)
        elif action == "status":
            info = EntryInfo(mark.entry_id, rng.choice(("registered", "checked_in", "dnf", "dsq")))
            live.set_entry(info)
            statuses[mark.entry_id] = info
            live.apply(mark)
            current[key] = mark
        else:
            live.apply(mark)
            current[key] = mark
        assert live.standings() == compute_standings(scheme, list(statuses.values()), list(current.values()), policy)


@PROPERTY_SETTINGS
@given(event=events())
def test_incremental_bulk_load_equals_full_recompute(event):
    scheme, entries, policy, marks = event
    expected = compute_standings(scheme, entries, marks, policy)
    assert IncrementalStandings(scheme, entries, policy, marks).standings() == expected
    assert IncrementalStandings(scheme, entries, policy).apply_many(marks) == expected


@PROPERTY_SETTINGS
@given(event=events())
def test_standings_awards_never_go_to_non_finishers(event):
    scheme, entries, policy, marks = event
    standings = compute_standings(scheme, entries, marks, policy)
    for row in standings.rows:
        if not row.finisher or row.total is None:
            assert (row.rank, row.award) == (None, None)
    ranks = [row.rank for row in standings.rows if row.rank is not None]
    assert ranks == sorted(ranks)
