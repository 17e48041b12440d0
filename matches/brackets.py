"""Knockout brackets and round-robin schedules, as pure functions: no ORM, no clock.

A bracket is a list of ``MatchSpec``; each side of a match names where its team comes
from (a ``Source``): a seed or group place, a bye, or the winner or loser of an earlier
match. The results are a mapping ``{match key: winner}``; ``resolve`` turns specs and
results into the teams now known on each side. So a result moves its winner exactly one
step: into the one match that names it, and its loser into the placing match, if any.

- **Single elimination** for any N: the bracket has ``size`` = the next power of two
  slots, seeds in the standard positions (1 v size, 2 v size-1, seeds 1 and 2 in
  opposite halves, …). ``size - N`` slots are byes, taken by the top seeds. Because seed
  ``s`` meets seed ``size + 1 - s`` and ``size < 2N``, two byes never meet, so byes only
  happen in round 1 (a bye is a walkover for its team, shown as such).
- **Groups then knockout**: group winners and runners-up, with the cross-over A1–B2,
  B1–A2, C1–D2, D1–C2, …: group mates sit in opposite halves and meet in the final at
  the earliest. If twice the number of groups is not a power of two, the qualifiers are
  seeded (winners first, in group order) into a bracket with byes instead.
- **Third place**: the semi-final losers. **Placings to 8th**: the quarter-final losers
  play for 5th–8th (two placing semis, then 5th and 7th place).
- **Round robin** by the circle method: with N teams, N-1 rounds (N if odd, one team
  sitting out each round), every pair once.
"""

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

SEED = "seed"  # ref: 1-based seed number
GROUP = "group"  # ref: (group label, place)
BYE = "bye"
WINNER = "winner"  # ref: a match key
LOSER = "loser"


@dataclass(frozen=True)
class Source:
    kind: str
    ref: object = None


@dataclass(frozen=True)
class MatchSpec:
    key: str
    round: int  # 1 = first round; placing matches share the round of the final they sit beside
    number: int  # 1-based order within its round (bracket order)
    home: Source
    away: Source
    placing: int | None = None  # 1 for the final, 3 for the third-place match, 5 and 7 for placing finals

    @property
    def is_bye(self) -> bool:
        return BYE in (self.home.kind, self.away.kind)


def bracket_size(n: int) -> int:
    """The number of slots of a knockout for ``n`` teams: the next power of two (at least 2)."""
    if n < 2:
        raise ValueError("a knockout needs at least 2 teams")
    size = 2
    while size < n:
        size *= 2
    return size


def seed_positions(size: int) -> list[int]:
    """Seeds in bracket order for ``size`` slots: 2 → [1, 2]; 4 → [1, 4, 2, 3]; 8 → [1, 8, 4, 5, 2, 7, 3, 6]."""
    if size < 2 or size & (size - 1):
        raise ValueError("size must be a power of two >= 2")
    order = [1, 2]
    while len(order) < size:
        total = len(order) * 2 + 1
        order = [x for seed in order for x in (seed, total - seed)]
    return order


def round_name(round_: int, rounds: int) -> str:
    """A stable short code for a round: F, SF, QF, R16, R32, …"""
    left = rounds - round_
    return {0: "F", 1: "SF", 2: "QF"}.get(left, f"R{2 ** (left + 1)}")


def knockout(slots: Sequence[Source], *, third_place: bool = False, placings_to: int = 0) -> list[MatchSpec]:
    """The matches of a knockout whose first-round slots are ``slots`` in bracket order (pairs 0-1, 2-3, …).

    ``slots`` has a power-of-two length; a slot may be ``Source(BYE)`` but never both of a pair.
    """
    size = len(slots)
    if size < 2 or size & (size - 1):
        raise ValueError("slots must have a power-of-two length >= 2")
    rounds = size.bit_length() - 1
    specs: list[MatchSpec] = []
    current = list(slots)
    by_round: dict[int, list[MatchSpec]] = {}
    for round_ in range(1, rounds + 1):
        name = round_name(round_, rounds)
        made = []
        for i in range(0, len(current), 2):
            home, away = current[i], current[i + 1]
            if home.kind == BYE and away.kind == BYE:
                raise ValueError("two byes cannot meet")
            number = i // 2 + 1
            key = name if name == "F" else f"{name}-{number}"
            made.append(MatchSpec(key, round_, number, home, away, placing=1 if name == "F" else None))
        by_round[round_] = made
        specs += made
        current = [Source(WINNER, m.key) for m in made]
    if third_place and rounds >= 2:
        sf = by_round[rounds - 1]
        specs.append(MatchSpec("3P", rounds, 2, Source(LOSER, sf[0].key), Source(LOSER, sf[1].key), placing=3))
    if placings_to >= 5 and rounds >= 3:
        qf = by_round[rounds - 2]
        # A quarter-final won on a bye has no loser: such a bracket has fewer than 5 real teams per half; skip.
        if not any(m.is_bye for m in qf):
            a = MatchSpec("P5-1", rounds - 1, 3, Source(LOSER, qf[0].key), Source(LOSER, qf[1].key))
            b = MatchSpec("P5-2", rounds - 1, 4, Source(LOSER, qf[2].key), Source(LOSER, qf[3].key))
            specs += [a, b, MatchSpec("5P", rounds, 3, Source(WINNER, a.key), Source(WINNER, b.key), placing=5)]
            if placings_to >= 7:
                specs.append(MatchSpec("7P", rounds, 4, Source(LOSER, a.key), Source(LOSER, b.key), placing=7))
    return specs


def single_elimination(n: int, *, third_place: bool = False, placings_to: int = 0) -> list[MatchSpec]:
    """A knockout of seeds 1..``n``, byes to the top seeds, seeds in the standard positions."""
    size = bracket_size(n)
    slots = [Source(SEED, s) if s <= n else Source(BYE) for s in seed_positions(size)]
    return knockout(slots, third_place=third_place, placings_to=placings_to)


def crossover_slots(labels: Sequence[str], *, advance: int = 2) -> list[Source]:
    """First-round slots for the winners (and runners-up, ``advance=2``) of groups ``labels``.

    With groups paired (A, B), (C, D), …: the top half holds A1–B2, C1–D2, …, the bottom
    half B1–A2, D1–C2, …, so no two teams of a group share a half. Otherwise (odd number of
    groups, or a count that is not a power of two) the qualifiers are seeded: winners in
    group order, then runners-up in reverse group order, into a bracket with byes.
    """
    g = len(labels)
    if advance not in (1, 2) or g < 1 or g * advance < 2:
        raise ValueError("need at least 2 qualifiers, 1 or 2 per group")
    if advance == 2 and g % 2 == 0 and not (2 * g) & (2 * g - 1):
        top, bottom = [], []
        for i in range(0, g, 2):
            a, b = labels[i], labels[i + 1]
            top += [Source(GROUP, (a, 1)), Source(GROUP, (b, 2))]
            bottom += [Source(GROUP, (b, 1)), Source(GROUP, (a, 2))]
        return top + bottom
    qualifiers = [Source(GROUP, (label, 1)) for label in labels]
    if advance == 2:
        qualifiers += [Source(GROUP, (label, 2)) for label in reversed(labels)]
    size = bracket_size(len(qualifiers))
    return [qualifiers[s - 1] if s <= len(qualifiers) else Source(BYE) for s in seed_positions(size)]


def group_labels(count: int) -> list[str]:
    """A, B, …, Z, then AA, AB, …"""
    labels = []
    for i in range(count):
        label, n = "", i
        while True:
            label = chr(ord("A") + n % 26) + label
            n = n // 26 - 1
            if n < 0:
                break
        labels.append(label)
    return labels


def resolve(
    specs: Sequence[MatchSpec], entrants: Mapping[Source, Hashable], results: Mapping[str, Hashable]
) -> dict[str, tuple[Hashable | None, Hashable | None]]:
    """``{match key: (home team, away team)}``, a side ``None`` while unknown (or a bye).

    ``entrants`` maps the ``SEED``/``GROUP`` sources to teams; ``results`` maps decided
    match keys to their winner, who must be one of its two teams. A bye match is decided
    by itself: its one team goes through.
    """
    sides: dict[str, tuple] = {}
    winners: dict[str, Hashable] = {}
    losers: dict[str, Hashable] = {}

    def team(source: Source):
        if source.kind in (SEED, GROUP):
            return entrants.get(source)
        if source.kind == WINNER:
            return winners.get(source.ref)
        if source.kind == LOSER:
            return losers.get(source.ref)
        return None

    for spec in specs:  # specs come in play order: every source is listed before the match that uses it
        home, away = team(spec.home), team(spec.away)
        sides[spec.key] = (home, away)
        if spec.is_bye:
            through = home if spec.away.kind == BYE else away
            if through is not None:
                winners[spec.key] = through
            continue
        winner = results.get(spec.key)
        if winner is None or home is None or away is None:
            continue
        if winner not in (home, away):
            raise ValueError(f"{winner!r} did not play {spec.key}")
        winners[spec.key] = winner
        losers[spec.key] = away if winner == home else home
    return sides


def placings(specs: Sequence[MatchSpec], sides: Mapping[str, tuple], results: Mapping[str, Hashable]) -> dict:
    """``{team: place}`` decided so far by the placing matches (final → 1 and 2, 3P → 3 and 4, …).

    Without a third-place match both semi-final losers share 3rd; without placing matches
    the quarter-final losers share 5th.
    """
    out: dict = {}
    rounds = max((s.round for s in specs), default=0)
    by_key = {s.key: s for s in specs}
    for spec in specs:
        winner = results.get(spec.key)
        home, away = sides.get(spec.key, (None, None))
        if spec.placing and winner is not None and None not in (home, away):
            out[winner] = spec.placing
            out[away if winner == home else home] = spec.placing + 1
    for left, place, marker in ((1, 3, "3P"), (2, 5, "5P")):
        if marker in by_key:
            continue
        for spec in specs:
            if spec.round == rounds - left and spec.placing is None and not spec.is_bye:
                winner = results.get(spec.key)
                home, away = sides.get(spec.key, (None, None))
                if winner is not None and None not in (home, away):
                    out.setdefault(away if winner == home else home, place)
    return out


def round_robin(teams: Sequence[Hashable]) -> list[list[tuple]]:
    """Rounds of pairs by the circle method; with an odd count one team sits out each round.

    Home and away alternate for the fixed team so no team is always home.
    """
    players = list(teams)
    if len(set(players)) != len(players):
        raise ValueError("teams must be unique")
    if len(players) < 2:
        return []
    if len(players) % 2:
        players.append(None)
    n = len(players)
    rounds = []
    for r in range(n - 1):
        pairs = []
        for i in range(n // 2):
            home, away = players[i], players[n - 1 - i]
            if i == 0 and r % 2:
                home, away = away, home
            if home is not None and away is not None:
                pairs.append((home, away))
        rounds.append(pairs)
        players = [players[0], players[-1], *players[1:-1]]
    return rounds


def schedule(matches: Sequence[tuple[str, frozenset, frozenset]], courts: int) -> dict[str, tuple[int, int]]:
    """``{key: (slot, court)}`` (both 1-based) for ``(key, teams, depends on keys)`` in play order.

    Greedy and order-keeping: each slot takes the earliest unscheduled matches, up to one
    per court, none of whose known teams already plays in that slot, and whose matches it
    depends on (its sources) are all in earlier slots. Dependencies on matches not listed
    (byes) count as met.
    """
    if courts < 1:
        raise ValueError("courts must be >= 1")
    left = list(matches)
    listed = {key for key, _, _ in left}
    done: set[str] = set()
    out: dict[str, tuple[int, int]] = {}
    slot = 0
    while left:
        slot += 1
        busy: set = set()
        taken = []
        for key, teams, needs in left:
            if len(taken) == courts:
                break
            if teams & busy or (needs & listed) - done:
                continue
            taken.append(key)
            busy |= teams
        if not taken:
            raise ValueError("a dependency is never scheduled (a cycle or an unlisted order)")
        for court, key in enumerate(taken, start=1):
            out[key] = (slot, court)
        done |= set(taken)
        left = [m for m in left if m[0] not in done]
    return out
