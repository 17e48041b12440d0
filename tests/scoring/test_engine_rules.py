"""Scoring rules of real contests in the pure engine (issue #11).

- Timed runs turn into points by a stated rule: ``relative_to_best`` (fastest gets the
  maximum, others ``max × fastest / time``) or ``linear_band`` (full points up to a par
  time, zero at a limit, linear between); penalty seconds first; DNF scores zero; DSQ
  removes the entry. ``none`` keeps time as a tie-break / ``time_asc`` ranking.
- Theory and practical are each normalised to 100 before the part weights apply.
- A panel size makes an attempt complete only with that many marks; provisional rows
  are ranked after the complete ones (``after``) or not at all (``hidden``).
"""

from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from scoring.aggregation import Criterion, MarkValue
from scoring.standings import EntryInfo, Policy, Scheme, compute_standings
from scoring.validation import validate_scheme
from tests.scoring.test_engine_properties import PROPERTY_SETTINGS

pytestmark = []


def relay(conversion="relative_to_best", **extra):
    return Criterion(
        "relay",
        "接力",
        "time",
        D(900),
        aggregation="single",
        time_conversion=conversion,
        time_points=D(50),
        **extra,
    )


def timed(times, criterion, penalties=None, statuses=None):
    penalties = penalties or {}
    statuses = statuses or {}
    return [
        MarkValue(entry, criterion.code, "clock", 1, time, D(penalties.get(entry, 0)), statuses.get(entry, "ok"))
        for entry, time in times.items()
    ]


def test_time_relative_to_best_turns_seconds_into_points():
    # 305 s and 459 s no longer score the same: 50 and 50 × 305 / 459 = 33.22.
    criterion = relay()
    standings = compute_standings(
        Scheme((criterion,)),
        [EntryInfo("A"), EntryInfo("B")],
        timed({"A": D(305), "B": D(459)}, criterion),
    )
    assert [(r.entry_id, r.total, r.rank) for r in standings.rows] == [("A", D("50.00"), 1), ("B", D("33.22"), 2)]


def test_time_penalty_seconds_count_before_converting_and_dnf_scores_zero_dsq_removes():
    criterion = relay(penalty_per_unit=D(5))
    standings = compute_standings(
        Scheme((criterion,)),
        [EntryInfo(name) for name in "ABCD"],
        timed(
            {"A": D(300), "B": D(290), "C": None, "D": D(200)},
            criterion,
            penalties={"B": 4},  # 4 faults × 5 s = 310 s
            statuses={"C": "dnf", "D": "dsq"},
        ),
    )
    assert [(r.entry_id, r.total, r.status, r.rank) for r in standings.rows] == [
        ("A", D("50.00"), "ok", 1),
        ("B", D("48.39"), "ok", 2),  # 50 × 300 / 310
        ("C", D("0.00"), "ok", 3),
        ("D", None, "dsq", None),
    ]


def test_time_linear_band_full_points_at_par_zero_at_limit():
    criterion = relay("linear_band", par_time=D(300), limit_time=D(600))
    standings = compute_standings(
        Scheme((criterion,)),
        [EntryInfo(name) for name in "ABCD"],
        timed({"A": D(280), "B": D(450), "C": D(600), "D": D(700)}, criterion),
    )
    assert {r.entry_id: r.total for r in standings.rows} == {
        "A": D("50.00"),
        "B": D("25.00"),
        "C": D("0.00"),
        "D": D("0.00"),
    }


def test_time_conversion_none_keeps_time_as_tie_break_only():
    criterion = relay("none")
    look = Criterion("look", "观感", "judgement", D(10))
    marks = [
        *timed({"A": D(305), "B": D(459)}, criterion),
        MarkValue("A", "look", "j", 1, D(8)),
        MarkValue("B", "look", "j", 1, D(8)),
    ]
    standings = compute_standings(
        Scheme((look, criterion)), [EntryInfo("A"), EntryInfo("B")], marks, Policy(tie_break="countback_time")
    )
    assert [(r.entry_id, r.total, r.rank) for r in standings.rows] == [("A", D("8.00"), 1), ("B", D("8.00"), 2)]


def test_validate_scheme_time_conversion_needs_its_figures():
    assert [(e.field, e.code) for e in validate_scheme(Scheme((relay("linear_band"),)))] == [
        ("criteria[0].par_time", "time_band_invalid"),
    ]
    missing_points = Criterion("relay", "接力", "time", D(900), time_conversion="relative_to_best")
    assert [(e.field, e.code) for e in validate_scheme(Scheme((missing_points,)))] == [
        ("criteria[0].time_points", "time_points_missing"),
    ]
    odd = Criterion("relay", "接力", "time", D(900), time_conversion="rank_points", time_points=D(50))
    assert [(e.field, e.code) for e in validate_scheme(Scheme((odd,)))] == [
        ("criteria[0].time_conversion", "unknown_time_conversion"),
    ]
    judged = Criterion("look", "观感", "judgement", D(10), time_conversion="relative_to_best", time_points=D(5))
    assert [(e.field, e.code) for e in validate_scheme(Scheme((judged,)))] == [
        ("criteria[0].time_conversion", "time_conversion_not_time"),
    ]


def test_theory_and_practical_are_normalised_to_100_before_weights():
    # Practical out of 50: full practical + full theory → 100, and theory is exactly 30%.
    quiz = Criterion("quiz", "理论", "measurement", D(100), aggregation="single", part="theory")
    task = Criterion("task", "实操", "judgement", D(50))
    scheme = Scheme((quiz, task), theory_weight=D("0.3"), practical_weight=D("0.7"))
    marks = [
        MarkValue("A", "quiz", "j", 1, D(100)),
        MarkValue("A", "task", "j", 1, D(50)),
        MarkValue("B", "quiz", "j", 1, D(100)),
        MarkValue("B", "task", "j", 1, D(25)),
    ]
    standings = compute_standings(scheme, [EntryInfo("A"), EntryInfo("B")], marks)
    # B: 100 × 0.3 + (25 / 50 × 100) × 0.7 = 30 + 35 = 65; raw points would give 30 + 17.5.
    assert {r.entry_id: r.total for r in standings.rows} == {"A": D("100.00"), "B": D("65.00")}


def test_validate_scheme_refuses_theory_above_thirty_percent():
    quiz = Criterion("quiz", "理论", "measurement", D(100), aggregation="single", part="theory")
    task = Criterion("task", "实操", "judgement", D(50))
    scheme = Scheme((quiz, task), theory_weight=D("0.31"), practical_weight=D("0.69"))
    assert [(e.field, e.code) for e in validate_scheme(scheme)] == [("theory_weight", "theory_weight_over_ceiling")]


def panel(panel_size):
    return Criterion("look", "观感", "judgement", D(10), aggregation="trimmed_mean", trim=1, panel_size=panel_size)


def seven_or_five(entry, count, value):
    return [MarkValue(entry, "look", f"j{j}", 1, D(value)) for j in range(count)]


def test_panel_size_makes_five_of_seven_provisional_and_ranked_after():
    scheme = Scheme((panel(7),))
    marks = seven_or_five("A", 5, 9) + seven_or_five("B", 7, 7)
    standings = compute_standings(scheme, [EntryInfo("A"), EntryInfo("B")], marks)
    assert [(r.entry_id, r.total, r.complete, r.rank, r.award) for r in standings.rows] == [
        ("B", D("7.00"), True, 1, 1),
        ("A", D("9.00"), False, 2, None),
    ]


def test_provisional_rows_hidden_get_no_rank():
    scheme = Scheme((panel(7),))
    marks = seven_or_five("A", 5, 9) + seven_or_five("B", 7, 7)
    standings = compute_standings(scheme, [EntryInfo("A"), EntryInfo("B")], marks, Policy(provisional_rows="hidden"))
    assert [(r.entry_id, r.total, r.complete, r.rank, r.award) for r in standings.rows] == [
        ("B", D("7.00"), True, 1, 1),
        ("A", D("9.00"), False, None, None),
    ]


@PROPERTY_SETTINGS
@given(
    conversion=st.sampled_from(("relative_to_best", "linear_band")),
    times=st.lists(st.integers(min_value=1, max_value=9000), min_size=2, max_size=8),
    penalties=st.lists(st.integers(min_value=0, max_value=3), min_size=8, max_size=8),
)
def test_property_time_conversion_slower_never_scores_more(conversion, times, penalties):
    criterion = relay(conversion, penalty_per_unit=D(5), par_time=D(100), limit_time=D(800))
    runs = {f"e{i}": D(t) / 10 for i, t in enumerate(times)}
    faults = {entry: penalties[i] for i, entry in enumerate(runs)}
    standings = compute_standings(
        Scheme((criterion,)), [EntryInfo(e) for e in runs], timed(runs, criterion, penalties=faults)
    )
    total_time = {e: runs[e] + 5 * faults[e] for e in runs}
    points = {r.entry_id: r.total for r in standings.rows}
    for a in runs:
        for b in runs:
            if total_time[a] > total_time[b]:
                assert points[a] <= points[b]
    assert max(points.values()) <= D(50)


@PROPERTY_SETTINGS
@given(
    theory_weight=st.integers(min_value=1, max_value=30).map(lambda n: D(n) / 100),
    theory_max=st.integers(min_value=1, max_value=200),
    practical_maxima=st.lists(st.integers(min_value=1, max_value=80), min_size=1, max_size=3),
)
def test_property_theory_counts_exactly_its_weight_at_maximum(theory_weight, theory_max, practical_maxima):
    quiz = Criterion("quiz", "理论", "measurement", D(theory_max), aggregation="single", part="theory")
    tasks = tuple(Criterion(f"t{i}", "实操", "judgement", D(m)) for i, m in enumerate(practical_maxima))
    scheme = Scheme((quiz, *tasks), theory_weight=theory_weight, practical_weight=1 - theory_weight)
    full = [MarkValue("A", "quiz", "j", 1, D(theory_max))] + [
        MarkValue("A", t.code, "j", 1, t.max_value) for t in tasks
    ]
    no_theory = [MarkValue("B", "quiz", "j", 1, D(0))] + [MarkValue("B", t.code, "j", 1, t.max_value) for t in tasks]
    standings = compute_standings(scheme, [EntryInfo("A"), EntryInfo("B")], full + no_theory)
    assert standings.row("A").total == D("100.00")
    assert standings.row("A").total - standings.row("B").total == (theory_weight * 100).quantize(D("0.01"))
