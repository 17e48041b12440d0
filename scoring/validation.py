"""Pure validation of a marking scheme, a policy and a single mark value.

Public API::

    validate_scheme(scheme, theory_ceiling=Decimal("0.30")) -> list[SchemeError(field, code, message)]
    check_scheme(scheme, theory_ceiling=...) -> scheme, or raises SchemeInvalidError(.errors)
    validate_policy(policy, scheme=None) -> list[SchemeError]
    validate_mark_value(criterion, value, penalty=0, status="ok") -> Decimal | None,
        or raises MarkValueError(code, field, message)

Errors carry a stable ``code`` (what tests and the API rely on), the
``field`` they concern (``"criteria[1].step"``, ``"value"``, ``"penalty"``)
and a plain English message. The API layer turns the code into a translated
message (e.g. ``out_of_range`` → "超出评分范围"), so nothing here needs Django
settings.

Conventions checked by ``validate_scheme``:

- weights are multipliers: each criterion's ``weight`` is positive (default
  1) and its ``max_value`` carries the points (20/40/20/20 for a dish);
- the part weights add up to 1: ``theory_weight + practical_weight == 1``;
- theory counts for at most 30% (``theory_ceiling``, configurable);
- a scheme with theory criteria needs a theory weight, and vice versa;
- maxima above minima, steps positive and dividing the range (a 0–10 scale
  in half points), trims only on trimmed aggregations, one multiplier per
  attempt, a ``time`` criterion for ``time_asc`` ranking and a scoring
  criterion for ``score_desc``.

``validate_mark_value`` is what every mark a judge saves goes through: range,
step, precision, and the status rules — ``time`` criteria may record
``dnf``/``dns``/``dsq`` without a value; any criterion may record ``dsq``
(e.g. more than 30 minutes over time eliminates a dish); a penalty (seconds,
or faults when the criterion has a ``penalty_per_unit``) belongs to ``time``
criteria only.
"""

from dataclasses import dataclass
from decimal import Decimal

from scoring.aggregation import (
    AGGREGATIONS,
    ATTEMPT_COMBINES,
    CRITERION_KINDS,
    MARK_STATUSES,
    PARTS,
    TIME_CONVERSIONS,
    Criterion,
)
from scoring.decimal_rules import ZERO, NotANumberError, to_decimal
from scoring.standings import POLICY_CHOICES, Policy, Scheme

__all__ = [
    "THEORY_CEILING",
    "MarkValueError",
    "SchemeError",
    "SchemeInvalidError",
    "check_scheme",
    "validate_mark",
    "validate_mark_value",
    "validate_policy",
    "validate_scheme",
]

THEORY_CEILING = Decimal("0.30")
_MAX_DECIMALS = 6
# What a stored mark can hold (``Mark.value`` / ``Mark.penalty``: 10 digits, 3 decimals).
# A figure beyond it is refused here with its field, so it never reaches the database
# (a 500 on PostgreSQL, an unreadable row on SQLite).
STORED_PLACES = 3
STORED_LIMIT = Decimal("9999999.999")


@dataclass(frozen=True, slots=True)
class SchemeError:
    """One problem with a scheme."""

    field: str
    code: str
    message: str


class SchemeInvalidError(ValueError):
    """Raised by ``check_scheme``; ``errors`` lists every problem."""

    code = "scheme_invalid"

    def __init__(self, errors: list[SchemeError]):
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = errors


class MarkValueError(ValueError):
    """A mark value a judge may not save."""

    def __init__(self, code: str, field: str, message: str):
        super().__init__(message)
        self.code = code
        self.field = field
        self.message = message


def _criterion_errors(index: int, criterion: Criterion) -> list[SchemeError]:
    errors: list[SchemeError] = []
    here = f"criteria[{index}]"

    def problem(name: str, code: str, message: str) -> None:
        errors.append(SchemeError(f"{here}.{name}", code, message))

    if not criterion.code:
        problem("code", "required", "criterion code is required")
    if criterion.kind not in CRITERION_KINDS:
        problem("kind", "unknown_kind", f"kind must be one of {', '.join(CRITERION_KINDS)}")
    if criterion.aggregation not in AGGREGATIONS:
        problem("aggregation", "unknown_aggregation", f"aggregation must be one of {', '.join(AGGREGATIONS)}")
    if criterion.attempts_combine not in ATTEMPT_COMBINES:
        problem("attempts_combine", "unknown_combine", "attempts_combine must be sum or best")
    if criterion.part not in PARTS:
        problem("part", "unknown_part", "part must be theory or practical")
    if criterion.max_value <= 0:
        problem("max_value", "max_not_positive", "maximum must be positive")
    if criterion.min_value < 0:
        problem("min_value", "min_negative", "minimum cannot be negative")
    elif criterion.min_value >= criterion.max_value:
        problem("min_value", "min_not_below_max", "minimum must be below the maximum")
    if criterion.weight <= 0:
        problem("weight", "weight_not_positive", "weight must be positive")
    if criterion.step is not None:
        if criterion.step <= 0:
            problem("step", "step_not_positive", "step must be positive")
        elif (criterion.max_value - criterion.min_value) % criterion.step:
            problem("step", "step_not_divisor", "step must divide the range from minimum to maximum")
    if criterion.trim < 0:
        problem("trim", "trim_negative", "trim cannot be negative")
    elif criterion.aggregation in ("trimmed_mean", "trimmed_sum"):
        if criterion.trim == 0:
            problem("trim", "trim_missing", "a trimmed aggregation must drop at least one high and one low mark")
        elif criterion.panel_size is not None and criterion.panel_size < 2 * criterion.trim + 1:
            problem("panel_size", "panel_too_small", f"dropping {criterion.trim}+{criterion.trim} needs more judges")
    elif criterion.trim:
        problem("trim", "trim_not_trimmed", "trim only applies to trimmed_mean and trimmed_sum")
    if criterion.panel_size is not None and criterion.panel_size < 1:
        problem("panel_size", "panel_too_small", "a panel needs at least one judge")
    if criterion.kind == "measurement" and criterion.aggregation in ("trimmed_mean", "trimmed_sum"):
        problem("aggregation", "measurement_not_panel", "a measurement is entered once, not by a trimmed panel")
    if criterion.attempts < 1:
        problem("attempts", "attempts_not_positive", "at least one attempt")
    if criterion.attempt_multipliers:
        if len(criterion.attempt_multipliers) != criterion.attempts:
            problem("attempt_multipliers", "multipliers_length", "give one multiplier per attempt")
        if any(m <= 0 for m in criterion.attempt_multipliers):
            problem("attempt_multipliers", "multiplier_not_positive", "multipliers must be positive")
    if criterion.penalty_per_unit < 0:
        problem("penalty_per_unit", "penalty_negative", "penalty per unit cannot be negative")
    elif criterion.penalty_per_unit and criterion.kind not in ("deduction", "time"):
        problem(
            "penalty_per_unit", "penalty_unit_not_allowed", "penalty per unit applies to deduction and time criteria"
        )
    if not 0 <= criterion.decimals <= _MAX_DECIMALS:
        problem("decimals", "decimals_out_of_range", f"decimals must be between 0 and {_MAX_DECIMALS}")
    errors.extend(_time_conversion_errors(here, criterion))
    return errors


def _time_conversion_errors(here: str, criterion: Criterion) -> list[SchemeError]:
    """A conversion of time into points must name its rule and give its figures."""
    conversion = criterion.time_conversion
    if conversion not in TIME_CONVERSIONS:
        return [
            SchemeError(
                f"{here}.time_conversion",
                "unknown_time_conversion",
                f"time_conversion must be one of {', '.join(TIME_CONVERSIONS)}",
            )
        ]
    if conversion == "none":
        return []
    if criterion.kind != "time":
        return [SchemeError(f"{here}.time_conversion", "time_conversion_not_time", "only a time criterion converts")]
    errors = []
    if criterion.time_points is None or criterion.time_points <= 0:
        errors.append(SchemeError(f"{here}.time_points", "time_points_missing", "give the points of the best time"))
    if conversion == "linear_band":
        par, limit = criterion.par_time, criterion.limit_time
        if par is None or limit is None or par < 0 or par >= limit:
            errors.append(
                SchemeError(f"{here}.par_time", "time_band_invalid", "a band needs a par time below its limit")
            )
    return errors


def validate_scheme(scheme: Scheme, theory_ceiling: Decimal = THEORY_CEILING) -> list[SchemeError]:
    """Every problem with ``scheme`` (an empty list when it is sound)."""
    errors: list[SchemeError] = []
    if not scheme.criteria:
        errors.append(SchemeError("criteria", "empty_scheme", "a scheme needs at least one criterion"))
    seen: set[str] = set()
    for index, criterion in enumerate(scheme.criteria):
        if criterion.code in seen:
            errors.append(SchemeError(f"criteria[{index}].code", "duplicate_code", f"{criterion.code!r} repeats"))
        seen.add(criterion.code)
        errors.extend(_criterion_errors(index, criterion))

    if scheme.ranking not in ("score_desc", "time_asc"):
        errors.append(SchemeError("ranking", "unknown_ranking", "ranking must be score_desc or time_asc"))
    if not 0 <= scheme.decimals <= _MAX_DECIMALS:
        errors.append(
            SchemeError("decimals", "decimals_out_of_range", f"decimals must be between 0 and {_MAX_DECIMALS}")
        )
    if scheme.theory_weight < 0 or scheme.practical_weight < 0:
        errors.append(SchemeError("theory_weight", "weight_negative", "part weights cannot be negative"))
    if scheme.theory_weight + scheme.practical_weight != 1:
        errors.append(
            SchemeError("practical_weight", "weights_sum", "theory weight and practical weight must add up to 1")
        )
    if scheme.theory_weight > theory_ceiling:
        errors.append(
            SchemeError(
                "theory_weight",
                "theory_weight_over_ceiling",
                f"theory may count for at most {theory_ceiling * 100:g}% of the total",
            )
        )
    {c.kind for c in scheme.criteria}
    # A converted time adds points like any other criterion; an unconverted one only ranks or breaks ties.
    scoring_parts = {c.part for c in scheme.criteria if c.kind != "time" or c.converted}
    plain_times = [c for c in scheme.criteria if c.kind == "time" and not c.converted]
    if scheme.ranking == "score_desc":
        if "theory" in scoring_parts and scheme.theory_weight == 0:
            errors.append(SchemeError("theory_weight", "theory_weight_zero", "theory criteria need a theory weight"))
        if scheme.theory_weight > 0 and "theory" not in scoring_parts:
            errors.append(
                SchemeError("theory_weight", "theory_criteria_missing", "a theory weight needs theory criteria")
            )
        if scheme.criteria and not scoring_parts:
            errors.append(
                SchemeError("ranking", "score_criterion_missing", "score_desc ranking needs a criterion that scores")
            )
    elif scheme.ranking == "time_asc" and not plain_times:
        errors.append(SchemeError("ranking", "time_criterion_missing", "time_asc ranking needs a time criterion"))
    return errors


def check_scheme(scheme: Scheme, theory_ceiling: Decimal = THEORY_CEILING) -> Scheme:
    """Return ``scheme`` or raise ``SchemeInvalidError`` with every problem."""
    errors = validate_scheme(scheme, theory_ceiling)
    if errors:
        raise SchemeInvalidError(errors)
    return scheme


def validate_policy(policy: Policy, scheme: Scheme | None = None) -> list[SchemeError]:
    """Problems with an award/tie policy, optionally against its scheme."""
    errors: list[SchemeError] = []
    for name, allowed in POLICY_CHOICES.items():
        if getattr(policy, name) not in allowed:
            errors.append(SchemeError(name, f"unknown_{name}", f"{name} must be one of {', '.join(allowed)}"))
    if any(count < 0 for count in policy.award_counts):
        errors.append(SchemeError("award_counts", "count_negative", "award counts cannot be negative"))
    if any(p < 0 for p in policy.award_percents) or sum(policy.award_percents, ZERO) > 100:
        errors.append(SchemeError("award_percents", "percent_out_of_range", "percentages must add up to at most 100"))
    if policy.min_entrants < 0:
        errors.append(SchemeError("min_entrants", "min_entrants_negative", "minimum entrants cannot be negative"))
    if (
        scheme is not None
        and policy.tie_break == "countback_time"
        and not any(c.kind == "time" and not c.converted for c in scheme.criteria)
    ):
        errors.append(SchemeError("tie_break", "time_criterion_missing", "countback_time needs a time criterion"))
    return errors


def _decimal_field(raw: object, field: str) -> Decimal:
    try:
        return to_decimal(raw)
    except NotANumberError:
        raise MarkValueError("not_a_number", field, f"{raw!r} is not a number") from None


def validate_mark_value(
    criterion: Criterion,
    value: object,
    penalty: object = 0,
    status: str = "ok",
) -> Decimal | None:
    """Check one mark for ``criterion`` and return its value as a ``Decimal``.

    Returns ``None`` for a status without a value (DNF/DNS/DSQ). Raises
    ``MarkValueError`` with codes ``unknown_status``, ``status_not_allowed``,
    ``value_required``, ``not_a_number``, ``out_of_range``, ``off_step``,
    ``too_precise``, ``penalty_negative``, ``penalty_not_allowed`` or
    ``penalty_out_of_range`` (values and penalties also fit the stored column).
    """
    return validate_mark(criterion, value, penalty, status)[0]


def validate_mark(
    criterion: Criterion,
    value: object,
    penalty: object = 0,
    status: str = "ok",
) -> tuple[Decimal | None, Decimal]:
    """``validate_mark_value``, returning ``(value, penalty)`` both parsed, so nothing parses them again."""
    if status not in MARK_STATUSES:
        raise MarkValueError("unknown_status", "status", f"status must be one of {', '.join(MARK_STATUSES)}")
    if status in ("dnf", "dns") and criterion.kind != "time":
        raise MarkValueError("status_not_allowed", "status", f"{status} can only be recorded on a time criterion")

    penalty_value = _decimal_field(penalty, "penalty") if penalty is not None else ZERO
    if penalty_value < 0:
        raise MarkValueError("penalty_negative", "penalty", "penalty cannot be negative")
    if penalty_value and criterion.kind != "time":
        raise MarkValueError("penalty_not_allowed", "penalty", "penalty seconds belong to time criteria")
    if penalty_value > STORED_LIMIT:
        raise MarkValueError("penalty_out_of_range", "penalty", f"penalty must be at most {STORED_LIMIT}")
    _check_places(penalty_value, min(criterion.decimals, STORED_PLACES), "penalty")
    penalty_value = abs(penalty_value)  # "-0" is 0

    if value is None or (isinstance(value, str) and not value.strip()):
        if status == "ok":
            raise MarkValueError("value_required", "value", "a mark needs a value")
        return None, penalty_value
    number = _decimal_field(value, "value")
    if number < criterion.min_value or number > criterion.max_value:
        raise MarkValueError(
            "out_of_range",
            "value",
            f"value must be between {criterion.min_value} and {criterion.max_value}",
        )
    if number > STORED_LIMIT:
        raise MarkValueError("out_of_range", "value", f"value must be at most {STORED_LIMIT}")
    if criterion.step is not None and (number - criterion.min_value) % criterion.step:
        raise MarkValueError("off_step", "value", f"value must be in steps of {criterion.step}")
    _check_places(number, min(criterion.decimals, STORED_PLACES), "value")
    return (number if number else abs(number)), penalty_value


def _check_places(number: Decimal, places: int, field: str) -> None:
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        raise MarkValueError("too_precise", field, f"{field} has more than {places} decimals")
