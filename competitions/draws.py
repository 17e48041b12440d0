"""The draw by lot (抽签), as pure functions: no ORM, no clock, no global randomness.

Fairness and auditability, not secrecy. Each draw shuffles the event's entry ids,
sorted ascending, with ``random.Random(seed)``. The seed is generated at draw time
with ``secrets.token_hex(16)`` and stored with the result. Given the seed and the
same entries, anyone can replay the draw and get the same outcome. Nobody can pick
the outcome in advance, because nobody knows the seed before the draw. The seed is
published with the result. It is not a secret, and Mersenne Twister is not meant to
keep one.

Two draws happen at a real competition:

- **Entry codes (参赛号)**, before the event: ``A01``, ``A02``, … The prefix is one
  letter per event, taken from the event's place in the competition (A for the first
  event, B for the second, …, then AA, AB after Z). So a code names its event too, and
  a judge who marks two events never sees the same code twice. An organiser may pick
  another prefix for an event (``UAV01``), and a redraw keeps it. The number has at
  least two digits, and more if there are 100 or more entries: ``A001``.
- **Stations and start order (赛位号 / 出场顺序)**, at check-in. ``start_order`` is
  the drawn order, 1..N. With ``stations == 0`` each entry gets its own station, equal
  to its start order. With ``stations == S > 0``, entries go out in rounds of S: start
  orders 1..S take stations 1..S in round 1, S+1..2S take stations 1..S in round 2,
  and so on. The ``round`` is stored too, for display.
"""

import random
import string
from collections.abc import Iterable


def event_prefix(position: int) -> str:
    """The code prefix for the event at 0-based ``position``: A..Z, then AA, AB, …"""
    if position < 0:
        raise ValueError("position must be >= 0")
    letters = ""
    n = position
    while True:
        letters = string.ascii_uppercase[n % 26] + letters
        n = n // 26 - 1
        if n < 0:
            return letters


def _shuffled(seed: str, entry_ids: Iterable[int]) -> list[int]:
    # Sorting first makes the outcome independent of the order the caller read the rows in.
    order = sorted(int(entry_id) for entry_id in entry_ids)
    if len(set(order)) != len(order):
        raise ValueError("entry ids must be unique")
    random.Random(seed).shuffle(order)  # noqa: S311 - replayable fairness, not secrecy (see module docstring)
    return order


def draw_codes(seed: str, entry_ids: Iterable[int], *, prefix: str = "A") -> dict[int, dict]:
    """Entry codes: ``{entry_id: {"code": "A07"}}``, each code used once."""
    order = _shuffled(seed, entry_ids)
    width = max(2, len(str(len(order))))
    return {entry_id: {"code": f"{prefix}{number:0{width}d}"} for number, entry_id in enumerate(order, start=1)}


def draw_stations(seed: str, entry_ids: Iterable[int], *, stations: int = 0) -> dict[int, dict]:
    """Stations and start order: ``{entry_id: {"station", "start_order", "round"}}``."""
    if stations < 0:
        raise ValueError("stations must be >= 0")
    order = _shuffled(seed, entry_ids)
    result = {}
    for start_order, entry_id in enumerate(order, start=1):
        if stations:
            station = (start_order - 1) % stations + 1
            round_ = (start_order - 1) // stations + 1
        else:
            station, round_ = start_order, 1
        result[entry_id] = {"station": station, "start_order": start_order, "round": round_}
    return result


def _free(numbers_taken: set[int], count: int) -> list[int]:
    """The ``count`` smallest positive numbers not in ``numbers_taken``."""
    free, number = [], 0
    while len(free) < count:
        number += 1
        if number not in numbers_taken:
            free.append(number)
    return free


def late_code_pool(taken: Iterable[str], count: int, *, prefix: str) -> list[str]:
    """The codes left for ``count`` late entries: the lowest numbers no entry holds, in the event's code style.

    Existing codes never move (a late entry must not reshuffle codes that judges already know).
    """
    taken = set(taken)
    width = max([2] + [len(code) - len(prefix) for code in taken if code.startswith(prefix)])
    numbers = {int(code[len(prefix) :]) for code in taken if code.startswith(prefix) and code[len(prefix) :].isdigit()}
    return [f"{prefix}{number:0{width}d}" for number in _free(numbers, count)]


def draw_late_codes(seed: str, entry_ids: Iterable[int], *, pool: list[str]) -> dict[int, dict]:
    """Codes for late entries only, drawn by lot from ``pool`` (``late_code_pool``): ``{entry_id: {"code"}}``."""
    order = _shuffled(seed, entry_ids)
    if len(pool) < len(order):
        raise ValueError("the pool is smaller than the late entries")
    return {entry_id: {"code": pool[index]} for index, entry_id in enumerate(order)}


def late_start_pool(taken: Iterable[int], count: int) -> list[int]:
    """The start orders left for ``count`` late entries: the lowest ones no entry holds."""
    return _free(set(taken), count)


def draw_late_stations(seed: str, entry_ids: Iterable[int], *, pool: list[int], stations: int = 0) -> dict[int, dict]:
    """Stations and start order for late entries only, from the free start orders in ``pool``.

    The station follows from the start order as in ``draw_stations``, so late entries fill
    free places without moving anyone already placed.
    """
    order = _shuffled(seed, entry_ids)
    if len(pool) < len(order):
        raise ValueError("the pool is smaller than the late entries")
    result = {}
    for index, entry_id in enumerate(order):
        start_order = pool[index]
        if stations:
            station, round_ = (start_order - 1) % stations + 1, (start_order - 1) // stations + 1
        else:
            station, round_ = start_order, 1
        result[entry_id] = {"station": station, "start_order": start_order, "round": round_}
    return result
