"""Worked examples, by hand, for the rounding rule, panel aggregation,
criterion scoring and mark/scheme validation. Pure: no database."""

from decimal import Decimal as D

import pytest

from scoring.aggregation import (
    Criterion,
    CriterionResult,
    MarkValue,
    PanelError,
    aggregate_panel,
    criterion_result,
    criterion_score,
)
from scoring.decimal_rules import NotANumberError, quantize, round_count, to_decimal
from scoring.standings import Policy, Scheme
from scoring.validation import (
    MarkValueError,
    SchemeInvalidError,
    check_scheme,
    validate_mark_value,
    validate_policy,
    validate_scheme,
)

pytestmark = []


def marks(code, values, entry="e1", attempt=1):
    return [MarkValue(entry, code, f"j{i}", attempt, D(str(v))) for i, v in enumerate(values, start=1)]


def judged(code="c", max_value="10", **kwargs):
    return Criterion(code, code, "judgement", D(max_value), **kwargs)


# --- the one rounding rule -------------------------------------------------


def test_quantize_rounds_half_up_not_to_even():
    assert quantize(D("8.125")) == D("8.13")
    assert quantize(D("8.135")) == D("8.14")
    assert quantize(D("-2.125")) == D("-2.13")
    assert quantize(D("7.5"), 0) == D("8")
    assert quantize(D("6.5"), 0) == D("7")


def test_quantize_keeps_the_places_given():
    assert str(quantize(D("87"))) == "87.00"
    assert str(quantize(D("1.23456"), 3)) == "1.235"


def test_to_decimal_reads_floats_through_their_repr():
    assert to_decimal(0.1) == D("0.1")
    assert to_decimal(" 8.5 ") == D("8.5")
    assert to_decimal(7) == D(7)


@pytest.mark.parametrize("raw", ["abc", "", "NaN", "Infinity", float("nan"), True, None, [1]])
def test_to_decimal_rejects_what_is_not_a_finite_number(raw):
    with pytest.raises(NotANumberError) as excinfo:
        to_decimal(raw)
    assert excinfo.value.code == "not_a_number"


def test_round_count_modes():
    assert [round_count(D("3.5"), "round_half_up"), round_count(D("3.5"), "floor"), round_count(D("3.2"), "ceil")] == [
        4,
        3,
        4,
    ]


# --- panel aggregation ------------------------------------------------------


def test_aggregate_panel_mean():
    # (7 + 8 + 9 + 8.5) / 4 = 32.5 / 4 = 8.125
    assert aggregate_panel([D(7), D(8), D(9), D("8.5")], "mean") == D("8.125")


def test_aggregate_panel_trimmed_mean_drops_one_high_and_one_low_of_five():
    # sorted 33, 35, 36.5, 37, 38 -> drop 33 and 38 -> (35 + 36.5 + 37) / 3 = 108.5 / 3
    result = aggregate_panel([D(35), D("36.5"), D(38), D(33), D(37)], "trimmed_mean", 1)
    assert quantize(result) == D("36.17")


def test_aggregate_panel_trimmed_sum_drops_two_and_two_of_seven():
    # World Aquatics rule example: 7.5 7.0 7.5 7.0 7.5 8.0 6.5
    # drop 8.0, 7.5 (high) and 6.5, 7.0 (low) -> 7.5 + 7.0 + 7.5 = 22.0
    values = [D(v) for v in ("7.5", "7.0", "7.5", "7.0", "7.5", "8.0", "6.5")]
    assert aggregate_panel(values, "trimmed_sum", 2) == D("22.0")


def test_aggregate_panel_median_of_odd_and_even_panels():
    assert aggregate_panel([D(6), D(9), D(7)], "median") == D(7)
    assert aggregate_panel([D(6), D(9), D(7), D(8)], "median") == D("7.5")


def test_aggregate_panel_single_takes_the_one_mark():
    assert aggregate_panel([D("12.34")], "single") == D("12.34")


def test_aggregate_panel_too_few_marks_to_trim_is_an_error():
    with pytest.raises(PanelError) as excinfo:
        aggregate_panel([D(8), D(9), D(7), D(8)], "trimmed_sum", 2)
    assert excinfo.value.code == "too_few_marks"


@pytest.mark.parametrize(
    ("values", "method", "code"),
    [([], "mean", "no_marks"), ([D(1), D(2)], "single", "not_single"), ([D(1)], "mode", "unknown_method")],
)
def test_aggregate_panel_rejects_bad_panels(values, method, code):
    with pytest.raises(PanelError) as excinfo:
        aggregate_panel(values, method)
    assert excinfo.value.code == code


# --- criterion scores -------------------------------------------------------


def test_criterion_score_mean_rounds_half_up():
    assert criterion_score(judged(), marks("c", [7, 8, 9, "8.5"])) == D("8.13")


def test_criterion_score_trimmed_mean_of_five_judges():
    taste = judged("taste", "40", aggregation="trimmed_mean", trim=1, panel_size=5)
    assert criterion_result(taste, marks("taste", [35, "36.5", 38, 33, 37])) == CriterionResult(
        D("36.17"), True, "ok", (D("36.17"),)
    )


def test_criterion_score_diving_trimmed_sum_times_difficulty():
    # Dive 1 (DD 3.5): 7.5 8.0 7.0 7.5 8.5 7.0 8.0 -> drop 8.5, 8.0 and 7.0, 7.0 -> 23.0 x 3.5 = 80.50
    # Dive 2 (DD 3.0): 7.5 7.0 7.5 7.0 7.5 8.0 6.5 -> 22.0 x 3.0 = 66.00; the dives add up: 146.50
    dives = judged(
        "dives", aggregation="trimmed_sum", trim=2, attempts=2, attempt_multipliers=(D("3.5"), D("3.0")), panel_size=7
    )
    dive_marks = marks("dives", ["7.5", "8.0", "7.0", "7.5", "8.5", "7.0", "8.0"], attempt=1) + marks(
        "dives", ["7.5", "7.0", "7.5", "7.0", "7.5", "8.0", "6.5"], attempt=2
    )
    result = criterion_result(dives, dive_marks)
    assert result.attempt_scores == (D("80.50"), D("66.00"))
    assert result.score == D("146.50")
    assert result.complete is True


def test_criterion_score_declared_multipliers_override_the_criterion():
    dives = judged("dives", aggregation="trimmed_sum", trim=2, attempt_multipliers=(D("3.5"),))
    seven = marks("dives", ["7.5", "7.0", "7.5", "7.0", "7.5", "8.0", "6.5"])
    assert criterion_score(dives, seven, multipliers=(D("2.0"),)) == D("44.00")


def test_criterion_score_best_attempt_counts():
    # Two attempts; best counts: max(7.00, 8.50) = 8.50
    jump = judged(attempts=2, attempts_combine="best")
    assert criterion_score(jump, marks("c", [7, 7], attempt=1) + marks("c", [8, 9], attempt=2)) == D("8.50")


def test_criterion_score_weight_multiplies():
    # median 7.5 x weight 1.5 = 11.25
    assert criterion_score(judged(aggregation="median", weight=D("1.5")), marks("c", [6, 9, 7, 8])) == D("11.25")


def test_criterion_score_deduction_is_negative_per_unit():
    # 7 minutes over at 0.5 point per minute = -3.50
    overtime = Criterion("overtime", "超时", "deduction", D(30), aggregation="single", penalty_per_unit=D("0.5"))
    assert criterion_score(overtime, marks("overtime", [7])) == D("-3.50")


def test_criterion_score_deduction_of_nothing_is_plain_zero():
    overtime = Criterion("overtime", "超时", "deduction", D(30), aggregation="single", penalty_per_unit=D("0.5"))
    score = criterion_score(overtime, marks("overtime", [0]))
    assert str(score) == "0.00"


def test_criterion_score_time_adds_penalty_seconds():
    # 185.40 s + 2 faults x 5 s = 195.40 s
    lap = Criterion("lap", "航线", "time", D(600), aggregation="single")
    assert criterion_score(lap, [MarkValue("e1", "lap", "t1", 1, D("185.40"), D(10))]) == D("195.40")


def test_criterion_score_time_penalty_in_faults():
    # 3 faults at 5 s each: 185.40 + 15 = 200.40 s
    lap = Criterion("lap", "航线", "time", D(600), aggregation="single", penalty_per_unit=D(5))
    assert criterion_score(lap, [MarkValue("e1", "lap", "t1", 1, D("185.40"), D(3))]) == D("200.40")


def test_criterion_score_best_time_is_the_lowest():
    lap = Criterion("lap", "航线", "time", D(600), aggregation="single", attempts=2, attempts_combine="best")
    runs = [MarkValue("e1", "lap", "t1", 1, D("101.2")), MarkValue("e1", "lap", "t1", 2, D("99.8"))]
    assert criterion_score(lap, runs) == D("99.80")


def test_criterion_result_dnf_run_is_void_but_best_of_two_survives():
    lap = Criterion("lap", "航线", "time", D(600), aggregation="single", attempts=2, attempts_combine="best")
    runs = [MarkValue("e1", "lap", "t1", 1, None, status="dnf"), MarkValue("e1", "lap", "t1", 2, D("99.8"))]
    assert criterion_result(lap, runs) == CriterionResult(D("99.80"), True, "ok", (None, D("99.80")))


def test_criterion_result_dnf_run_ends_a_summed_criterion():
    lap = Criterion("lap", "航线", "time", D(600), aggregation="single", attempts=2)
    runs = [MarkValue("e1", "lap", "t1", 1, None, status="dnf"), MarkValue("e1", "lap", "t1", 2, D("99.8"))]
    assert criterion_result(lap, runs) == CriterionResult(None, True, "dnf", (None, D("99.80")))


def test_criterion_result_dsq_disqualifies_even_with_best_of():
    lap = Criterion("lap", "航线", "time", D(600), aggregation="single", attempts=2, attempts_combine="best")
    runs = [MarkValue("e1", "lap", "t1", 1, None, status="dsq"), MarkValue("e1", "lap", "t1", 2, D("99.8"))]
    assert criterion_result(lap, runs).status == "dsq"


def test_criterion_result_is_provisional_while_the_panel_is_short():
    # 3 of 5 judges in: trimmed mean of 8, 9, 7 keeps the 8
    appearance = judged("a", "20", aggregation="trimmed_mean", trim=1, panel_size=5)
    assert criterion_result(appearance, marks("a", [8, 9, 7])) == CriterionResult(D("8.00"), False, "ok", (D("8.00"),))


def test_criterion_result_panel_too_short_to_trim_scores_nothing_yet():
    appearance = judged("a", "20", aggregation="trimmed_mean", trim=1)
    assert criterion_result(appearance, marks("a", [8, 9])) == CriterionResult(None, False, "ok", (None,))


def test_criterion_result_same_judge_twice_counts_once():
    # A retried save: j1 sends 6 then 9 for the same cell; the later one stands.
    retried = [
        MarkValue("e1", "c", "j1", 1, D(6)),
        MarkValue("e1", "c", "j2", 1, D(8)),
        MarkValue("e1", "c", "j1", 1, D(9)),
    ]
    assert criterion_score(judged(), retried) == D("8.50")


# --- validation of a mark value ----------------------------------------------


def test_validate_mark_value_accepts_and_normalises():
    assert validate_mark_value(judged(step=D("0.5")), "8.5") == D("8.5")


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("10.5", "out_of_range"),
        ("-0.5", "out_of_range"),
        ("8.3", "off_step"),
        ("abc", "not_a_number"),
        (None, "value_required"),
    ],
)
def test_validate_mark_value_codes(value, code):
    with pytest.raises(MarkValueError) as excinfo:
        validate_mark_value(judged(step=D("0.5")), value)
    assert excinfo.value.code == code
    assert excinfo.value.field == "value"


def test_validate_mark_value_too_many_decimals():
    with pytest.raises(MarkValueError) as excinfo:
        validate_mark_value(judged(), "8.125")
    assert excinfo.value.code == "too_precise"


def test_validate_mark_value_time_allows_dnf_without_value():
    lap = Criterion("lap", "航线", "time", D(600))
    assert validate_mark_value(lap, None, status="dnf") is None
    assert validate_mark_value(lap, "185.4", penalty="10") == D("185.4")


def test_validate_mark_value_dnf_only_on_time_criteria():
    with pytest.raises(MarkValueError) as excinfo:
        validate_mark_value(judged(), None, status="dnf")
    assert excinfo.value.code == "status_not_allowed"


def test_validate_mark_value_penalty_rules():
    lap = Criterion("lap", "航线", "time", D(600))
    with pytest.raises(MarkValueError) as negative:
        validate_mark_value(lap, "100", penalty="-5")
    with pytest.raises(MarkValueError) as wrong_kind:
        validate_mark_value(judged(), "8", penalty="5")
    with pytest.raises(MarkValueError) as garbage:
        validate_mark_value(lap, "100", penalty="five")
    assert (negative.value.code, wrong_kind.value.code, garbage.value.code, garbage.value.field) == (
        "penalty_negative",
        "penalty_not_allowed",
        "not_a_number",
        "penalty",
    )


def test_validate_mark_value_unknown_status():
    with pytest.raises(MarkValueError) as excinfo:
        validate_mark_value(judged(), "8", status="late")
    assert excinfo.value.code == "unknown_status"


# --- validation of a scheme ---------------------------------------------------


def cooking_scheme(**kwargs):
    return Scheme(
        (
            judged("appearance", "20", aggregation="trimmed_mean", trim=1, step=D("0.5")),
            judged("taste", "40", aggregation="trimmed_mean", trim=1, step=D("0.5")),
            judged("hygiene", "20", aggregation="trimmed_mean", trim=1, step=D("0.5")),
            judged("practicality", "20", aggregation="trimmed_mean", trim=1, step=D("0.5")),
        ),
        **kwargs,
    )


def codes(errors):
    return [(e.field, e.code) for e in errors]


def test_validate_scheme_accepts_the_cooking_rule():
    assert validate_scheme(cooking_scheme()) == []


def theory_and_practical(theory_weight, practical_weight):
    return Scheme(
        (judged("quiz", "100", part="theory"), judged("task", "100")),
        theory_weight=D(theory_weight),
        practical_weight=D(practical_weight),
    )


def test_validate_scheme_theory_at_most_thirty_percent():
    scheme = theory_and_practical("0.4", "0.6")
    assert codes(validate_scheme(scheme)) == [("theory_weight", "theory_weight_over_ceiling")]
    assert validate_scheme(scheme, theory_ceiling=D("0.5")) == []
    assert validate_scheme(theory_and_practical("0.3", "0.7")) == []


def test_validate_scheme_part_weights_add_up_to_one():
    assert codes(validate_scheme(theory_and_practical("0.3", "0.6"))) == [("practical_weight", "weights_sum")]


def test_validate_scheme_reports_each_bad_criterion_field():
    scheme = Scheme(
        (
            judged("a", "0"),
            judged("b", "10", step=D("3")),
            judged("c", "10", step=D("-1"), weight=D(0)),
            judged("a", "10", aggregation="trimmed_mean"),
            judged("d", "10", trim=1),
            judged("e", "10", attempts=2, attempt_multipliers=(D(1),)),
            Criterion("f", "f", "measurement", D(10), aggregation="trimmed_sum", trim=1),
            Criterion("g", "g", "judgement", D(10), penalty_per_unit=D("0.5")),
        )
    )
    assert codes(validate_scheme(scheme)) == [
        ("criteria[0].max_value", "max_not_positive"),
        ("criteria[0].min_value", "min_not_below_max"),
        ("criteria[1].step", "step_not_divisor"),
        ("criteria[2].weight", "weight_not_positive"),
        ("criteria[2].step", "step_not_positive"),
        ("criteria[3].code", "duplicate_code"),
        ("criteria[3].trim", "trim_missing"),
        ("criteria[4].trim", "trim_not_trimmed"),
        ("criteria[5].attempt_multipliers", "multipliers_length"),
        ("criteria[6].aggregation", "measurement_not_panel"),
        ("criteria[7].penalty_per_unit", "penalty_unit_not_allowed"),
    ]


def test_validate_scheme_ranking_needs_matching_criteria():
    timed = Scheme((judged("a"),), ranking="time_asc")
    untimed = Scheme((Criterion("lap", "lap", "time", D(600)),))
    assert codes(validate_scheme(timed)) == [("ranking", "time_criterion_missing")]
    assert codes(validate_scheme(untimed)) == [("ranking", "score_criterion_missing")]


def test_validate_scheme_theory_criteria_need_a_theory_weight():
    scheme = Scheme((judged("quiz", "100", part="theory"), judged("task", "100")))
    assert codes(validate_scheme(scheme)) == [("theory_weight", "theory_weight_zero")]


def test_check_scheme_raises_with_every_error():
    with pytest.raises(SchemeInvalidError) as excinfo:
        check_scheme(Scheme(()))
    assert excinfo.value.code == "scheme_invalid"
    assert codes(excinfo.value.errors) == [("criteria", "empty_scheme")]


def test_validate_policy_countback_time_needs_a_time_criterion():
    assert codes(validate_policy(Policy(tie_break="countback_time"), cooking_scheme())) == [
        ("tie_break", "time_criterion_missing")
    ]
    assert codes(validate_policy(Policy(award_mode="lottery"))) == [("award_mode", "unknown_award_mode")]


def test_criterion_result_mark_without_value_counts_as_missing():
    draft = [
        MarkValue("e1", "c", "j1", 1, D(8)),
        MarkValue("e1", "c", "j2", 1, None),
        MarkValue("e1", "c", "j3", 1, D(9)),
    ]
    assert criterion_result(judged(panel_size=3), draft) == CriterionResult(D("8.50"), False, "ok", (D("8.50"),))


def test_criterion_score_multiplies_before_dividing_so_half_up_is_exact():
    """3 kept marks summing to 3.25 at difficulty 2.7: 3.25 × 2.7 / 3 = 2.925 exactly, so 2.93."""
    criterion = Criterion(
        "dive", "dive", "judgement", D("10"), aggregation="mean", step=D("0.25"), attempt_multipliers=(D("2.7"),)
    )
    marks = [MarkValue(1, "dive", judge, value=D(v)) for judge, v in enumerate(("1", "1", "1.25"), start=1)]
    assert criterion_score(criterion, marks) == D("2.93")
