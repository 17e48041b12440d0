"""The one rounding rule of the scoring engine.

Every published figure — an attempt score, a criterion score, a total — is a
``Decimal`` rounded with ``ROUND_HALF_UP`` to a fixed number of places (two
unless the scheme or criterion says otherwise). Chinese rule books and sports
federations both round half away from zero ("四舍五入"), not half-to-even,
which is why the banker's default of ``decimal`` is never used.

The rule is stated here once; no other module calls ``Decimal.quantize``.
Values never pass through ``float``: ``to_decimal`` reads floats through
``repr`` so ``0.1`` becomes ``Decimal("0.1")``, not its binary expansion.
"""

from collections.abc import Callable
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation
from functools import partial

__all__ = ["ZERO", "NotANumberError", "quantize", "quantizer", "round_count", "to_decimal"]

ZERO = Decimal(0)

# Decimal(1).scaleb(-places) for the usual places, built once: quantize is in
# the hot loop of compute_standings.
_QUANTA = {places: Decimal(1).scaleb(-places) for places in range(7)}

_COUNT_ROUNDING = {
    "round_half_up": ROUND_HALF_UP,
    "floor": ROUND_FLOOR,
    "ceil": ROUND_CEILING,
}


class NotANumberError(ValueError):
    """Raised by ``to_decimal`` for input that is not a finite number."""

    code = "not_a_number"


def quantize(value: Decimal, places: int = 2) -> Decimal:
    """Round ``value`` to ``places`` decimals, half away from zero."""
    quantum = _QUANTA.get(places)
    if quantum is None:
        quantum = Decimal(1).scaleb(-places)
    return value.quantize(quantum, rounding=ROUND_HALF_UP)


def quantizer(places: int = 2) -> Callable[[Decimal], Decimal]:
    """``quantize`` with ``places`` bound: a C-level callable for hot loops."""
    quantum = _QUANTA.get(places)
    if quantum is None:
        quantum = Decimal(1).scaleb(-places)
    return partial(Decimal.quantize, exp=quantum, rounding=ROUND_HALF_UP)


def to_decimal(value: object) -> Decimal:
    """Convert user or database input to a finite ``Decimal``.

    Accepts ``Decimal``, ``int``, ``float`` (via its shortest repr) and numeric
    strings of ASCII digits (surrounding spaces allowed). Booleans, NaN, infinities and
    anything else raise ``NotANumberError``. (A negative zero is a number: marks store it as 0.)
    """
    if isinstance(value, bool):
        raise NotANumberError(f"{value!r} is not a number")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        result = Decimal(repr(value))
    elif isinstance(value, str):
        # ASCII only: Decimal() reads other scripts' digits ("١٢" is 12), which no one means in a mark.
        if not value.isascii():
            raise NotANumberError(f"{value!r} is not a number")
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise NotANumberError(f"{value!r} is not a number") from None
    else:
        raise NotANumberError(f"{value!r} is not a number")
    if not result.is_finite():
        raise NotANumberError(f"{value!r} is not a finite number")
    return result


def round_count(value: Decimal, mode: str) -> int:
    """Round a head count (e.g. 10% of 36 entrants) to a whole number.

    ``mode`` is ``"round_half_up"`` (3.5 → 4), ``"floor"`` or ``"ceil"``.
    """
    try:
        rounding = _COUNT_ROUNDING[mode]
    except KeyError:
        raise ValueError(f"unknown count rounding {mode!r}") from None
    return int(value.quantize(_QUANTA[0], rounding=rounding))
