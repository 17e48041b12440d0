"""The group draw, best-of-N ends, and group standings, as pure functions: no ORM, no clock.

**The draw (分组抽签)** is replayable like the entry-code draw (``competitions.draws``):
the team ids, sorted, are shuffled with ``random.Random(seed)`` and the seed is stored
with the result. Seeded teams (from a ranking or by hand) go first, one per group, in
snake order. The rest are placed in drawn order, teams of the largest units first, each
into the group with the fewest teams that has no team of its unit yet; a final pass of
swaps removes what clashes remain. "Same unit not in the same group" holds wherever the
numbers allow it (no unit has more teams than there are groups); otherwise the clash is
kept as small as the greedy placement manages, never by making groups uneven.

**A match** is best of N ends (tug-of-war: 三局两胜, N = 3): the first side to win
N // 2 + 1 ends wins, and no end is played after that.

**Group standings** rank by the rules in order (``DEFAULT_TIE_RULES``): wins; then ends
won minus ends lost; then head-to-head among the teams still tied (a mini-league of their
own matches, by wins); then lots, drawn with a recorded seed. Each rule splits only the
teams still level, and head-to-head is recomputed within each remaining tie. A walkover,
forfeit or disqualification counts as a win by the ends needed (2–0 in best of three).
"""

import random
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

WINS = "wins"
END_DIFF = "end_diff"
ENDS_WON = "ends_won"
HEAD_TO_HEAD = "head_to_head"
LOTS = "lots"
TIE_RULES = (WINS, END_DIFF, ENDS_WON, HEAD_TO_HEAD, LOTS)
DEFAULT_TIE_RULES = (WINS, END_DIFF, HEAD_TO_HEAD, LOTS)

HOME = "home"
AWAY = "away"


def ends_to_win(best_of: int) -> int:
    if best_of < 1 or best_of % 2 == 0:
        raise ValueError("best_of must be odd and >= 1")
    return best_of // 2 + 1


def match_winner(ends: Sequence[str], best_of: int) -> str | None:
    """``HOME``, ``AWAY`` or ``None`` (undecided) from the ends' winners in order.

    Raises ``ValueError`` for an end played after the match was decided or a side not HOME/AWAY.
    """
    need = ends_to_win(best_of)
    count = Counter()
    for i, side in enumerate(ends):
        if side not in (HOME, AWAY):
            raise ValueError(f"end {i + 1}: {side!r} is not a side")
        if need in count.values():
            raise ValueError(f"end {i + 1} was played after the match was decided")
        count[side] += 1
    for side in (HOME, AWAY):
        if count[side] == need:
            return side
    return None


def _group_sizes(n: int, groups: int) -> list[int]:
    return [n // groups + (1 if i < n % groups else 0) for i in range(groups)]


def draw_groups(
    seed: str,
    teams: Sequence[tuple[int, Hashable]],
    group_count: int,
    *,
    seeded: Sequence[int] = (),
) -> list[list[int]]:
    """Teams ``[(team id, unit id), …]`` into ``group_count`` groups whose sizes differ by at most one.

    ``seeded`` team ids, best first, head the groups in snake order (A, B, …, then back).
    """
    units = dict(teams)
    if len(units) != len(teams):
        raise ValueError("team ids must be unique")
    if group_count < 1 or group_count > len(units):
        raise ValueError("need between 1 and len(teams) groups")
    if not set(seeded) <= set(units):
        raise ValueError("a seeded team is not in the draw")
    caps = _group_sizes(len(units), group_count)
    groups: list[list[int]] = [[] for _ in range(group_count)]
    forth = list(range(group_count))
    snake = [g for lap in range(len(units)) for g in (forth if lap % 2 == 0 else forth[::-1])]
    for team, g in zip(seeded, snake, strict=False):
        groups[g].append(team)
    rest = sorted(set(units) - set(seeded))
    random.Random(seed).shuffle(rest)  # noqa: S311 - replayable fairness, not secrecy (see competitions.draws)
    per_unit = Counter(units[t] for t in units)
    rest.sort(key=lambda t: -per_unit[units[t]])  # stable: the drawn order holds within each unit size
    for team in rest:
        open_groups = [g for g in range(group_count) if len(groups[g]) < caps[g]]
        clean = [g for g in open_groups if units[team] is None or all(units[t] != units[team] for t in groups[g])]
        choice = min(clean or open_groups, key=lambda g: (len(groups[g]), g))
        groups[choice].append(team)
    _repair(groups, units, fixed=set(seeded))
    return groups


def _clashes(group: list[int], units) -> int:
    counted = Counter(units[t] for t in group if units[t] is not None)
    return sum(c - 1 for c in counted.values())


def _repair(groups: list[list[int]], units, *, fixed: set[int]) -> None:
    """Swap unseeded teams between groups while a swap lowers the number of same-unit pairs."""
    improved = True
    while improved:
        improved = False
        for gi, group in enumerate(groups):
            for team in list(group):
                if team in fixed or sum(units[t] == units[team] for t in group) < 2 or units[team] is None:
                    continue
                for gj, other in enumerate(groups):
                    if gj == gi:
                        continue
                    for candidate in other:
                        if candidate in fixed:
                            continue
                        before = _clashes(group, units) + _clashes(other, units)
                        a = [candidate if t == team else t for t in group]
                        b = [team if t == candidate else t for t in other]
                        if _clashes(a, units) + _clashes(b, units) < before:
                            groups[gi], groups[gj] = a, b
                            improved = True
                            break
                    if improved:
                        break
                if improved:
                    break
            if improved:
                break


@dataclass(frozen=True)
class Result:
    """A decided match: ``winner`` is ``home`` or ``away``; the ends each side won."""

    home: Hashable
    away: Hashable
    winner: Hashable
    home_ends: int
    away_ends: int


@dataclass
class Row:
    team: Hashable
    played: int = 0
    won: int = 0
    lost: int = 0
    ends_won: int = 0
    ends_lost: int = 0
    rank: int = 0
    decided_by: str = ""  # the rule that separated this team from the one above it ("" for the first)
    lot: int | None = None
    tied_with: list = field(default_factory=list)

    @property
    def end_diff(self) -> int:
        return self.ends_won - self.ends_lost


def lots_order(seed: str, teams) -> list:
    """The order lots give ``teams`` (sorted first, then shuffled by ``seed``): replayable."""
    order = sorted(teams, key=repr)
    random.Random(seed).shuffle(order)  # noqa: S311 - replayable fairness, not secrecy
    return order


def group_standings(
    teams: Sequence[Hashable],
    results: Sequence[Result],
    *,
    rules: Sequence[str] = DEFAULT_TIE_RULES,
    lots_seed: str = "",
) -> list[Row]:
    """The group table, best first. ``rules`` is applied in order; ``LOTS`` is always the last resort."""
    unknown = set(rules) - set(TIE_RULES)
    if unknown:
        raise ValueError(f"unknown tie rules: {sorted(unknown)}")
    rows = {t: Row(t) for t in teams}
    for r in results:
        if r.home not in rows or r.away not in rows or r.winner not in (r.home, r.away):
            raise ValueError(f"result {r} does not belong to this group")
        for team, own, other in ((r.home, r.home_ends, r.away_ends), (r.away, r.away_ends, r.home_ends)):
            row = rows[team]
            row.played += 1
            row.ends_won += own
            row.ends_lost += other
            if r.winner == team:
                row.won += 1
            else:
                row.lost += 1
    lot_rank = {t: i for i, t in enumerate(lots_order(lots_seed, teams))}
    rules = [r for r in rules if r != LOTS] + [LOTS]

    def key_for(rule: str, tied: list) -> dict:
        if rule == WINS:
            return {t: rows[t].won for t in tied}
        if rule == END_DIFF:
            return {t: rows[t].end_diff for t in tied}
        if rule == ENDS_WON:
            return {t: rows[t].ends_won for t in tied}
        if rule == HEAD_TO_HEAD:
            among = set(tied)
            wins = Counter(r.winner for r in results if r.home in among and r.away in among)
            return {t: wins[t] for t in tied}
        return {t: -lot_rank[t] for t in tied}

    ordered: list[tuple] = []  # (team, rule that split it from the previous team)

    def split(tied: list, rule_index: int, how: str) -> None:
        if len(tied) == 1:
            ordered.append((tied[0], how))
            return
        rule = rules[rule_index]
        values = key_for(rule, tied)
        levels = sorted(set(values.values()), reverse=True)
        for level_index, value in enumerate(levels):
            part = [t for t in tied if values[t] == value]
            split(part, rule_index + 1, how if level_index == 0 else rule)

    split(list(teams), 0, "")
    out = []
    for rank, (team, how) in enumerate(ordered, start=1):
        row = rows[team]
        row.rank = rank
        row.decided_by = how if rank > 1 else ""
        if how == LOTS or (rank < len(ordered) and ordered[rank][1] == LOTS):
            row.lot = lot_rank[team] + 1
        out.append(row)
    return out
