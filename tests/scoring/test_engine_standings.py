"""Worked examples, by hand, for standings: ties, rank styles, awards,
non-finishers, teams, excellent-organisation awards and the catering rule
from DOMAIN.md. Pure: no database."""

from decimal import Decimal as D

import pytest

from scoring.aggregation import Criterion, MarkValue
from scoring.standings import (
    EntryInfo,
    EntryResult,
    Policy,
    Scheme,
    ScoringError,
    Standings,
    compute_standings,
    group_marks,
)
from scoring.team_standings import OrganisationResult, organisation_awards, organisation_placings, team_standings
from tests.scoring.incremental import IncrementalStandings

pytestmark = []

POINTS = Criterion("points", "得分", "measurement", D(100), aggregation="single")
SINGLE = Scheme((POINTS,))


def scored(totals, scheme=SINGLE, policy=None, statuses=None):
    """Entries e1, e2, … each with one measured total."""
    entries = [EntryInfo(f"e{i}", (statuses or {}).get(f"e{i}", "registered")) for i in range(1, len(totals) + 1)]
    marks = [
        MarkValue(f"e{i}", "points", "j1", 1, D(str(total)))
        for i, total in enumerate(totals, start=1)
        if total is not None
    ]
    return compute_standings(scheme, entries, marks, policy)


def table_marks(scheme, table):
    """One mark per cell from ``{entry: (value per criterion…)}``; a cell may be ``(seconds, penalty)``."""
    marks = []
    for entry, values in table.items():
        for criterion, cell in zip(scheme.criteria, values, strict=True):
            value, penalty = cell if isinstance(cell, tuple) else (cell, 0)
            marks.append(MarkValue(entry, criterion.code, "j1", 1, D(value), penalty=D(penalty)))
    return marks


def column(standings, name):
    return [getattr(row, name) for row in standings.rows]


# --- ranks and ties -----------------------------------------------------------


def test_standings_shared_tie_standard_ranks():
    standings = scored([90, 85, 85, 80])
    assert column(standings, "entry_id") == ["e1", "e2", "e3", "e4"]
    assert column(standings, "rank") == [1, 2, 2, 4]


def test_standings_shared_tie_dense_ranks():
    assert column(scored([90, 85, 85, 80], policy=Policy(rank_style="dense")), "rank") == [1, 2, 2, 3]


def test_standings_countback_criteria_in_scheme_order():
    # e2 and e3 both total 85.00; the first criterion (skill) decides: 50 > 45.
    skill = Criterion("skill", "操作", "measurement", D(60), aggregation="single")
    safety = Criterion("safety", "安全", "measurement", D(40), aggregation="single")
    scheme = Scheme((skill, safety))
    marks = table_marks(scheme, {"e1": (55, 35), "e2": (45, 40), "e3": (50, 35)})
    entries = [EntryInfo(e) for e in ("e1", "e2", "e3")]
    standings = compute_standings(scheme, entries, marks, Policy(tie_break="countback_criteria"))
    assert column(standings, "entry_id") == ["e1", "e3", "e2"]
    assert column(standings, "rank") == [1, 2, 3]
    assert standings.row("e3").tiebreak_key == (D("50.00"), D("35.00"))
    shared = compute_standings(scheme, entries, marks, Policy(tie_break="shared"))
    assert column(shared, "rank") == [1, 2, 2]


def test_standings_countback_time_lower_time_wins():
    # Drone assembly: both 85 points; the faster lap (110 s) breaks the tie.
    assembly = Criterion("assembly", "组装", "judgement", D(100))
    lap = Criterion("lap", "航线", "time", D(300), aggregation="single")
    scheme = Scheme((assembly, lap))
    # e2 flew 100 s with two faults (+10 s).
    marks = table_marks(scheme, {"e1": (85, 120), "e2": (85, (100, 10)), "e3": (90, 200)})
    entries = [EntryInfo(e) for e in ("e1", "e2", "e3")]
    standings = compute_standings(scheme, entries, marks, Policy(tie_break="countback_time"))
    assert column(standings, "entry_id") == ["e3", "e2", "e1"]
    assert column(standings, "rank") == [1, 2, 3]
    assert column(standings, "total") == [D("90.00"), D("85.00"), D("85.00")]
    assert standings.row("e2").tiebreak_key == (D("110.00"),)


def test_standings_countback_still_equal_shares_the_place():
    standings = scored([85, 85], policy=Policy(tie_break="countback_criteria"))
    assert column(standings, "rank") == [1, 1]


def test_standings_theory_and_practical_weights():
    # theory 80 x 0.3 + practical 90 x 0.7 = 24 + 63 = 87.00
    quiz = Criterion("quiz", "理论", "measurement", D(100), aggregation="single", part="theory")
    task = Criterion("task", "实操", "judgement", D(100))
    scheme = Scheme((quiz, task), theory_weight=D("0.3"), practical_weight=D("0.7"))
    marks = [MarkValue("e1", "quiz", "j1", 1, D(80)), MarkValue("e1", "task", "j1", 1, D(90))]
    standings = compute_standings(scheme, [EntryInfo("e1")], marks)
    assert standings.row("e1").total == D("87.00")


# --- awards -------------------------------------------------------------------


def test_awards_fixed_counts_one_two_three():
    standings = scored([99, 98, 97, 96, 95, 94, 93])
    assert column(standings, "award") == [1, 2, 2, 3, 3, 3, None]
    assert standings.award_counts == (1, 2, 3)


def test_awards_tie_at_boundary_all_get_the_higher_award():
    # Three tied for second: all three get second prize, the places they use are
    # not given again, so 5th and 6th get third and 7th gets nothing.
    standings = scored([99, 98, 98, 98, 95, 94, 93])
    assert column(standings, "rank") == [1, 2, 2, 2, 5, 6, 7]
    assert column(standings, "award") == [1, 2, 2, 2, 3, 3, None]


def test_awards_follow_competition_position_with_dense_ranks():
    standings = scored([99, 98, 98, 98, 95, 94, 93], policy=Policy(rank_style="dense"))
    assert column(standings, "rank") == [1, 2, 2, 2, 3, 4, 5]
    assert column(standings, "award") == [1, 2, 2, 2, 3, 3, None]


def awards_per_tier(standings):
    return [column(standings, "award").count(tier) for tier in (1, 2, 3)]


def test_awards_percent_of_36_round_half_up():
    # 10% / 20% / 30% of 36 = 3.6 / 7.2 / 10.8 -> 4 / 7 / 11
    standings = scored(list(range(36, 0, -1)), policy=Policy(award_mode="percent"))
    assert standings.entrants == 36
    assert standings.award_counts == (4, 7, 11)
    assert awards_per_tier(standings) == [4, 7, 11]


def test_awards_percent_of_36_floor():
    standings = scored(list(range(36, 0, -1)), policy=Policy(award_mode="percent", percent_rounding="floor"))
    assert standings.award_counts == (3, 7, 10)
    assert awards_per_tier(standings) == [3, 7, 10]


def test_awards_percent_of_36_ceil():
    standings = scored(list(range(36, 0, -1)), policy=Policy(award_mode="percent", percent_rounding="ceil"))
    assert standings.award_counts == (4, 8, 11)


def test_awards_min_entrants_not_met_gives_none():
    standings = scored([90, 80, 70, 60], policy=Policy(min_entrants=5))
    assert column(standings, "award") == [None, None, None, None]
    assert standings.award_counts == (0, 0, 0)
    assert column(standings, "rank") == [1, 2, 3, 4]


def test_awards_min_entrants_met_exactly():
    assert column(scored([90, 80, 70, 60, 50], policy=Policy(min_entrants=5)), "award") == [1, 2, 2, 3, 3]


def test_awards_min_score_threshold_is_not_passed_down():
    standings = scored(["75", "61", "60", "59.99", "40"], policy=Policy(min_score=D(60)))
    assert column(standings, "award") == [1, 2, 2, None, None]


def test_awards_min_score_for_time_is_the_slowest_awarded_time():
    lap = Criterion("lap", "航线", "time", D(600), aggregation="single")
    scheme = Scheme((lap,), ranking="time_asc")
    entries = [EntryInfo(e) for e in ("e1", "e2")]
    marks = [MarkValue("e1", "lap", "t1", 1, D(100)), MarkValue("e2", "lap", "t1", 1, D(130))]
    standings = compute_standings(scheme, entries, marks, Policy(min_score=D(120)))
    assert column(standings, "award") == [1, None]


# --- non-finishers ---------------------------------------------------------------


def rescue_course():
    """A timed search-and-rescue course: time + penalty seconds, DNF, DSQ, DNS."""
    lap = Criterion("course", "搜救航线", "time", D(600), aggregation="single")
    scheme = Scheme((lap,), ranking="time_asc")
    entries = [
        EntryInfo("A"),
        EntryInfo("B"),
        EntryInfo("C"),
        EntryInfo("D"),
        EntryInfo("E", status="dns"),
        EntryInfo("F"),
        EntryInfo("G", status="checked_in"),
    ]
    marks = [
        MarkValue("A", "course", "t1", 1, D("100.00")),
        MarkValue("B", "course", "t1", 1, D("95.00"), penalty=D(5)),  # one fault, 5 s
        MarkValue("C", "course", "t1", 1, D("90.00")),
        MarkValue("D", "course", "t1", 1, None, status="dnf"),  # 3 faults end the flight
        MarkValue("F", "course", "t1", 1, D("80.00"), status="dsq"),
    ]
    return scheme, entries, marks


def test_non_finishers_rank_after_finishers_without_award():
    scheme, entries, marks = rescue_course()
    standings = compute_standings(scheme, entries, marks)
    assert column(standings, "entry_id") == ["C", "A", "B", "G", "D", "F", "E"]
    assert column(standings, "rank") == [1, 2, 2, None, None, None, None]
    assert column(standings, "award") == [1, 2, 2, None, None, None, None]
    assert column(standings, "status") == ["ok", "ok", "ok", "ok", "dnf", "dsq", "dns"]
    assert column(standings, "finisher") == [True, True, True, True, False, False, False]
    assert column(standings, "total") == [D("90.00"), D("100.00"), D("100.00"), None, None, None, None]
    # DNS never took part; DNF and DSQ did.
    assert standings.entrants == 6


def test_non_finishers_get_no_award_even_when_places_are_left():
    scheme, entries, marks = rescue_course()
    standings = compute_standings(scheme, entries, marks, Policy(award_counts=(3, 3, 3)))
    assert [row.entry_id for row in standings.rows if row.award is not None] == ["C", "A", "B"]


def test_unscored_entry_waits_without_rank():
    standings = scored([70, None, 90])
    assert column(standings, "entry_id") == ["e3", "e1", "e2"]
    assert column(standings, "rank") == [1, 2, None]
    assert standings.row("e2") == EntryResult("e2", None, {}, "ok", None, None, True, (), False)
    assert standings.complete is False


def test_incomplete_entry_gets_a_provisional_total():
    taste = Criterion("taste", "味感", "judgement", D(40), aggregation="trimmed_mean", trim=1, panel_size=5)
    marks = [MarkValue("e1", "taste", f"j{i}", 1, D(v)) for i, v in enumerate([30, 34, 36], start=1)]
    standings = compute_standings(Scheme((taste,)), [EntryInfo("e1")], marks)
    # Provisional (3 of 5 marks): ranked, but not awarded until the panel is in.
    assert standings.row("e1") == EntryResult("e1", D("34.00"), {"taste": D("34.00")}, "ok", 1, None, True, (), False)


# --- the catering rule from DOMAIN.md ----------------------------------------------------


def catering_scheme():
    panel = {"aggregation": "trimmed_mean", "trim": 1, "panel_size": 5, "step": D("0.5")}
    return Scheme(
        (
            Criterion("appearance", "观感", "judgement", D(20), **panel),
            Criterion("taste", "味感", "judgement", D(40), **panel),
            Criterion("hygiene", "营养卫生", "judgement", D(20), **panel),
            Criterion("practicality", "实用性", "judgement", D(20), **panel),
            Criterion(
                "overtime",
                "超时(分钟)",
                "deduction",
                D(30),
                step=D(1),
                aggregation="single",
                penalty_per_unit=D("0.5"),
            ),
        )
    )


# dish -> appearance, taste, hygiene, practicality (5 judges each), minutes over time
DISHES = {
    "A1": ([17, 18, 16, "18.5", "17.5"], [34, 36, 35, 38, 30], [18] * 5, [16, 17, 17, 18, 15], 0),
    "A2": ([15, 16, 16, 17, 19], [32, 33, 33, 34, 36], [17, 18, 19, 18, 18], [18, 18, 17, 18, 18], 5),
    "B1": ([18] * 5, [36] * 5, [18] * 5, [18] * 5, 0),
    "B2": ([19] * 5, [38] * 5, [19] * 5, [19] * 5, "dsq"),  # 31 minutes over: eliminated
    "G1": ([17] * 5, [35] * 5, [17] * 5, [17] * 5, 0),
    "G2": ([16] * 5, [34] * 5, [18] * 5, [17] * 5, 1),
}
TEAM_OF_DISH = {"A1": "Alpha", "A2": "Alpha", "B1": "Beta", "B2": "Beta", "G1": "Gamma", "G2": "Gamma"}


def catering_marks():
    marks = []
    for dish, (*panels, overtime) in DISHES.items():
        for code, values in zip(("appearance", "taste", "hygiene", "practicality"), panels, strict=True):
            marks.extend(MarkValue(dish, code, f"j{i}", 1, D(str(v))) for i, v in enumerate(values, start=1))
        if overtime == "dsq":
            marks.append(MarkValue(dish, "overtime", "timekeeper", 1, None, status="dsq"))
        else:
            marks.append(MarkValue(dish, "overtime", "timekeeper", 1, D(overtime)))
    return marks


def test_catering_dish_scores_drop_high_and_low_and_deduct_overtime():
    standings = compute_standings(catering_scheme(), [EntryInfo(d) for d in DISHES], catering_marks())
    # A1: 17.50 + 35.00 + 18.00 + 16.67 (50/3) - 0 = 87.17
    assert standings.row("A1").criterion_scores == {
        "appearance": D("17.50"),
        "taste": D("35.00"),
        "hygiene": D("18.00"),
        "practicality": D("16.67"),
        "overtime": D("0.00"),
    }
    # A2: 16.33 (49/3) + 33.33 (100/3) + 18.00 + 18.00 - 5 min x 0.5 = 83.16
    assert standings.row("A2").criterion_scores["overtime"] == D("-2.50")
    assert column(standings, "entry_id") == ["B1", "A1", "G1", "G2", "A2", "B2"]
    assert column(standings, "total") == [D("90.00"), D("87.17"), D("86.00"), D("84.50"), D("83.16"), None]
    assert column(standings, "rank") == [1, 2, 3, 4, 5, None]
    assert column(standings, "award") == [1, 2, 2, 3, 3, None]
    assert standings.row("B2").status == "dsq"


def test_catering_team_is_the_sum_of_two_dishes():
    dishes = compute_standings(catering_scheme(), [EntryInfo(d) for d in DISHES], catering_marks())
    teams = team_standings(dishes.rows, TEAM_OF_DISH, "sum", policy=Policy(award_counts=(1, 1, 1)))
    # Gamma 86.00 + 84.50 = 170.50; Alpha 87.17 + 83.16 = 170.33; Beta 90.00 + (DSQ dish) = 90.00
    assert column(teams, "entry_id") == ["Gamma", "Alpha", "Beta"]
    assert column(teams, "total") == [D("170.50"), D("170.33"), D("90.00")]
    assert column(teams, "rank") == [1, 2, 3]
    assert column(teams, "award") == [1, 2, 3]
    assert teams.row("Alpha").criterion_scores == {"A1": D("87.17"), "A2": D("83.16")}


# --- team standings -----------------------------------------------------------------------


def member_results():
    # Six contestants in three teams of two; c6 did not finish.
    standings = scored([88, 92, 75, 80, 95, None], statuses={"e6": "dnf"})
    team_of = {"e1": "T1", "e2": "T1", "e3": "T2", "e4": "T2", "e5": "T3", "e6": "T3"}
    return standings, team_of


@pytest.mark.parametrize(
    ("method", "n", "expected"),
    [
        # T1 88 + 92 = 180; T2 75 + 80 = 155; T3 95 + (DNF) = 95
        ("sum", None, [("T1", D("180.00"), 1, "ok"), ("T2", D("155.00"), 2, "ok"), ("T3", D("95.00"), 3, "ok")]),
        # each team's best member
        ("best_n", 1, [("T3", D("95.00"), 1, "ok"), ("T1", D("92.00"), 2, "ok"), ("T2", D("80.00"), 3, "ok")]),
        # best two: T3 has only one finisher, so it does not finish as a team
        ("best_n", 2, [("T1", D("180.00"), 1, "ok"), ("T2", D("155.00"), 2, "ok"), ("T3", None, None, "dnf")]),
    ],
)
def test_team_standings_sum_and_best_n(method, n, expected):
    standings, team_of = member_results()
    teams = team_standings(standings.rows, team_of, method, n=n)
    assert [(r.entry_id, r.total, r.rank, r.status) for r in teams.rows] == expected


def test_team_standings_countback_on_best_member():
    # Both teams total 170; T2's best member (95) beats T1's (90).
    standings = scored([90, 80, 95, 75])
    team_of = {"e1": "T1", "e2": "T1", "e3": "T2", "e4": "T2"}
    teams = team_standings(standings.rows, team_of, "sum", policy=Policy(tie_break="countback_criteria"))
    assert [(r.entry_id, r.rank, r.tiebreak_key) for r in teams.rows] == [
        ("T2", 1, (D("95.00"), D("75.00"))),
        ("T1", 2, (D("90.00"), D("80.00"))),
    ]


def test_team_standings_needs_n_for_best_n():
    with pytest.raises(ValueError, match="best_n"):
        team_standings((), {}, "best_n")


# --- excellent-organisation awards --------------------------------------------------------

POINTS_TABLE = {1: 7, 2: 5, 3: 4, 4: 3, 5: 2, 6: 1}


def test_organisation_awards_points_table_and_countback():
    placings = [
        ("east", 1), ("east", 4),  # 7 + 3 = 10
        ("west", 2), ("west", 3),  # 5 + 4 = 9
        ("port", 2), ("port", 5),  # 5 + 2 = 7
        ("north", 1), ("north", None),  # 7: beats port on countback (a first)
        ("lake", 3), ("lake", 5),  # 4 + 2 = 6
        ("hill", 5), ("hill", 3),  # 6: identical to lake, shares the place
        ("far", 7), ("far", None),  # 0 points
    ]  # fmt: skip
    results = organisation_awards(placings, POINTS_TABLE, count=5)
    assert [(r.organisation_id, r.points, r.rank, r.awarded) for r in results] == [
        ("east", 10, 1, True),
        ("west", 9, 2, True),
        ("north", 7, 3, True),
        ("port", 7, 4, True),
        ("hill", 6, 5, True),
        ("lake", 6, 5, True),
        ("far", 0, 7, False),
    ]
    assert results[2] == OrganisationResult("north", 7, 3, True, (1, 0, 0, 0, 0, 0))


def test_organisation_awards_stop_at_the_count():
    placings = [("a", 1), ("b", 2), ("c", 3), ("d", 4)]
    assert [r.awarded for r in organisation_awards(placings, POINTS_TABLE, count=2)] == [True, True, False, False]


def test_organisation_awards_no_points_no_award():
    assert [r.awarded for r in organisation_awards([("a", 1), ("b", None)], POINTS_TABLE, count=8)] == [True, False]


def test_organisation_placings_from_standings():
    standings = scored([90, 80, None], statuses={"e3": "dns"})
    organisation_of = {"e1": "east", "e2": "west", "e3": "east"}
    assert organisation_placings(standings, organisation_of) == [("east", 1), ("west", 2), ("east", None)]


# --- incremental standings and errors -----------------------------------------------------


def test_incremental_standings_apply_equals_full_recompute():
    scheme = catering_scheme()
    entries = [EntryInfo(d) for d in DISHES]
    live = IncrementalStandings(scheme, entries)
    for mark in catering_marks():
        live.apply(mark)
    assert live.standings() == compute_standings(scheme, entries, catering_marks())


def test_incremental_standings_discard_and_status_change():
    live = IncrementalStandings(SINGLE, [EntryInfo("e1"), EntryInfo("e2")])
    live.apply(MarkValue("e1", "points", "j1", 1, D(50)))
    after_wrong = live.apply(MarkValue("e2", "points", "j1", 1, D(70)))
    assert column(after_wrong, "entry_id") == ["e2", "e1"]
    after_discard = live.discard("e2", "points", "j1")
    assert column(after_discard, "rank") == [1, None]
    after_dsq = live.set_entry(EntryInfo("e1", status="dsq"))
    assert column(after_dsq, "status") == ["ok", "dsq"]
    assert after_dsq == compute_standings(
        SINGLE, [EntryInfo("e1", status="dsq"), EntryInfo("e2")], [MarkValue("e1", "points", "j1", 1, D(50))]
    )


@pytest.mark.parametrize(
    ("mark", "code"),
    [
        (MarkValue("nobody", "points", "j1", 1, D(1)), "unknown_entry"),
        (MarkValue("e1", "speed", "j1", 1, D(1)), "unknown_criterion"),
        (MarkValue("e1", "points", "j1", 2, D(1)), "attempt_out_of_range"),
        (MarkValue("e1", "points", "j1", 1, D(1), status="late"), "unknown_status"),
    ],
)
def test_compute_standings_rejects_marks_that_do_not_fit(mark, code):
    with pytest.raises(ScoringError) as excinfo:
        compute_standings(SINGLE, [EntryInfo("e1")], [mark])
    assert excinfo.value.code == code
    with pytest.raises(ScoringError) as live_excinfo:
        IncrementalStandings(SINGLE, [EntryInfo("e1")]).apply(mark)
    assert live_excinfo.value.code == code


@pytest.mark.parametrize(
    ("mark", "code"),
    [
        (MarkValue("e1", "speed", "j1", 1, D(1)), "unknown_criterion"),
        (MarkValue("e1", "points", "j1", 1, D(1), status="late"), "unknown_status"),
    ],
)
def test_group_marks_rejects_marks_that_do_not_fit_the_scheme(mark, code):
    with pytest.raises(ScoringError) as excinfo:
        group_marks(SINGLE, [mark])
    assert excinfo.value.code == code


def test_compute_standings_from_grouped_marks_checks_entries_and_scheme():
    grouped = group_marks(SINGLE, [MarkValue("nobody", "points", "j1", 1, D(1))])
    with pytest.raises(ScoringError) as excinfo:
        compute_standings(SINGLE, [EntryInfo("e1")], grouped)
    assert excinfo.value.code == "unknown_entry"
    other = Scheme((Criterion("points", "得分", "measurement", D(10), aggregation="single"),))
    with pytest.raises(ValueError, match="another scheme"):
        compute_standings(other, [EntryInfo("nobody")], grouped)


def test_group_marks_later_mark_on_a_key_wins():
    marks = [MarkValue("e1", "points", "j1", 1, D(40)), MarkValue("e1", "points", "j1", 1, D(60))]
    grouped = group_marks(SINGLE, marks)
    assert grouped.cells == {"e1": {"points": {1: {"j1": marks[1]}}}}
    assert compute_standings(SINGLE, [EntryInfo("e1")], grouped).row("e1").total == D("60.00")


def test_compute_standings_rejects_unknown_policy_choices():
    with pytest.raises(ValueError, match="tie_break"):
        compute_standings(SINGLE, [], [], Policy(tie_break="coin_toss"))


def test_compute_standings_empty_event():
    assert compute_standings(SINGLE, [], []) == Standings((), 0, (1, 2, 3), True)


def test_time_event_waits_for_every_run_before_ranking():
    # Two runs are added up; B has only run 1 in, and 80 s would look fast.
    course = Criterion("course", "航线", "time", D(600), aggregation="single", attempts=2)
    scheme = Scheme((course,), ranking="time_asc")
    marks = [
        MarkValue("A", "course", "t1", 1, D("95.5")),
        MarkValue("A", "course", "t1", 2, D("97.25")),
        MarkValue("B", "course", "t1", 1, D(80)),
    ]
    standings = compute_standings(scheme, [EntryInfo("A"), EntryInfo("B")], marks)
    assert [(r.entry_id, r.total, r.rank, r.complete) for r in standings.rows] == [
        ("A", D("192.75"), 1, True),
        ("B", None, None, False),
    ]
    assert standings.row("B").criterion_scores == {"course": D("80.00")}


def test_compute_standings_rejects_unknown_entry_status():
    with pytest.raises(ScoringError) as excinfo:
        compute_standings(SINGLE, [EntryInfo("e1", status="retired")], [])
    assert excinfo.value.code == "unknown_entry_status"
