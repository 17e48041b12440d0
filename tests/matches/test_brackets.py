"""Brackets, round robins, the group draw and group standings: pure functions, property-tested."""

import random
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matches.brackets import (
    BYE,
    GROUP,
    LOSER,
    SEED,
    WINNER,
    Source,
    crossover_slots,
    group_labels,
    knockout,
    placings,
    resolve,
    round_robin,
    schedule,
    seed_positions,
    single_elimination,
)
from matches.groups import (
    AWAY,
    HEAD_TO_HEAD,
    HOME,
    LOTS,
    WINS,
    Result,
    draw_groups,
    group_standings,
    match_winner,
)

pytestmark = []
PROPS = settings(max_examples=60, deadline=None)


def play(specs, entrants, seed):
    """Decide every match in play order by a coin drawn from ``seed``; return the results."""
    rng = random.Random(seed)
    results = {}
    for spec in specs:
        home, away = resolve(specs, entrants, results)[spec.key]
        if spec.is_bye:
            continue
        results[spec.key] = rng.choice([home, away])
    return results


def test_seed_positions_standard_order():
    assert seed_positions(8) == [1, 8, 4, 5, 2, 7, 3, 6]
    assert seed_positions(4) == [1, 4, 2, 3]


def test_single_elimination_41_teams_has_64_slots_and_23_byes():
    specs = single_elimination(41, third_place=True)
    first = [s for s in specs if s.round == 1]
    assert len(first) == 32
    assert sum(s.is_bye for s in specs) == 23
    assert [s.key for s in specs if s.placing] == ["F", "3P"]


@PROPS
@given(n=st.integers(min_value=2, max_value=128), seed=st.integers(0, 2**32 - 1), third=st.booleans())
def test_bracket_valid_for_any_n(n, seed, third):
    specs = single_elimination(n, third_place=third, placings_to=8)
    entrants = {Source(SEED, s): f"T{s}" for s in range(1, n + 1)}
    # Byes only in round 1, never two byes together, every seed exactly once.
    assert all(s.round == 1 for s in specs if s.is_bye)
    assert not any(s.home.kind == BYE and s.away.kind == BYE for s in specs)
    seeds = [src.ref for s in specs for src in (s.home, s.away) if src.kind == SEED]
    assert sorted(seeds) == list(range(1, n + 1))
    results = play(specs, entrants, seed)
    sides = resolve(specs, entrants, results)
    played = Counter()
    for spec in specs:
        home, away = sides[spec.key]
        if spec.is_bye:
            continue
        assert home is not None
        assert away is not None
        assert home != away  # nobody meets themselves
        played[home] += 1
        played[away] += 1
    main = [s for s in specs if s.placing in (None, 1) and not s.key.startswith("P5")]
    # Single elimination: one team is never beaten, every other team loses exactly once in the main draw.
    beaten = Counter(
        sides[s.key][0] if results[s.key] == sides[s.key][1] else sides[s.key][1] for s in main if not s.is_bye
    )
    assert len(beaten) == n - 1
    assert set(beaten.values()) == {1}
    place = placings(specs, sides, results)
    assert place[results["F"]] == 1
    if third and n >= 4:
        assert sorted(p for p in place.values() if p <= 4) == [1, 2, 3, 4]


@PROPS
@given(n=st.integers(min_value=2, max_value=64), seed=st.integers(0, 2**32 - 1))
def test_a_result_moves_the_winner_exactly_one_step(n, seed):
    specs = single_elimination(n, third_place=True)
    entrants = {Source(SEED, s): s for s in range(1, n + 1)}
    results = play(specs, entrants, seed)
    decided = {}
    for spec in specs:
        if spec.is_bye:
            continue
        before = resolve(specs, entrants, decided)
        decided[spec.key] = results[spec.key]
        after = resolve(specs, entrants, decided)
        changed = {key: after[key] for key in after if after[key] != before[key]}
        takers = [s for s in specs if {Source(WINNER, spec.key), Source(LOSER, spec.key)} & {s.home, s.away}]
        assert set(changed) == {s.key for s in takers}
        winner_moves = [s.key for s in specs if Source(WINNER, spec.key) in (s.home, s.away)]
        assert len(winner_moves) == (0 if spec.key in ("F", "3P") else 1)
        for key in winner_moves:
            assert results[spec.key] in changed[key]


@pytest.mark.parametrize("groups", [2, 4, 8])
def test_crossover_puts_group_mates_in_opposite_halves(groups):
    labels = group_labels(groups)
    slots = crossover_slots(labels)
    assert slots[:2] == [Source(GROUP, ("A", 1)), Source(GROUP, ("B", 2))]
    half = len(slots) // 2
    for label in labels:
        top = {slot.ref[1] for slot in slots[:half] if slot.ref[0] == label}
        bottom = {slot.ref[1] for slot in slots[half:] if slot.ref[0] == label}
        assert len(top) == 1
        assert len(bottom) == 1
        assert top != bottom


def test_crossover_with_three_groups_seeds_with_byes():
    slots = crossover_slots(group_labels(3))
    assert len(slots) == 8
    assert sum(s.kind == BYE for s in slots) == 2
    specs = knockout(slots, third_place=True)
    assert all(s.round == 1 for s in specs if s.is_bye)


@PROPS
@given(n=st.integers(min_value=2, max_value=30))
def test_round_robin_every_pair_once(n):
    teams = list(range(n))
    rounds = round_robin(teams)
    pairs = [frozenset(p) for r in rounds for p in r]
    assert len(pairs) == n * (n - 1) // 2
    assert len(set(pairs)) == len(pairs)
    assert all(len(p) == 2 for p in pairs)  # nobody meets themselves
    games = Counter(t for p in pairs for t in p)
    assert set(games.values()) == {n - 1}
    for r in rounds:  # nobody plays twice in a round
        teams_in_round = [t for p in r for t in p]
        assert len(teams_in_round) == len(set(teams_in_round))


@PROPS
@given(
    units=st.lists(st.integers(0, 15), min_size=4, max_size=48),
    groups=st.integers(2, 8),
    seed=st.text(min_size=1, max_size=8),
)
def test_group_draw_is_balanced_replayable_and_keeps_units_apart(units, groups, seed):
    teams = list(enumerate(units, start=1))
    groups = min(groups, len(teams))
    drawn = draw_groups(seed, teams, groups, seeded=[1])
    assert drawn == draw_groups(seed, teams, groups, seeded=[1])
    assert sorted(t for g in drawn for t in g) == [t for t, _ in teams]
    sizes = [len(g) for g in drawn]
    assert max(sizes) - min(sizes) <= 1
    assert drawn[0][0] == 1
    unit_of = dict(teams)
    if max(Counter(units).values()) <= groups:
        # The numbers allow it: no group holds two teams of one unit.
        for g in drawn:
            assert len({unit_of[t] for t in g}) == len(g)


def test_match_winner_best_of_three():
    assert match_winner([HOME, AWAY], 3) is None
    assert match_winner([HOME, AWAY, AWAY], 3) == AWAY
    assert match_winner([HOME, HOME], 3) == HOME
    with pytest.raises(ValueError, match="after the match was decided"):
        match_winner([HOME, HOME, AWAY], 3)


def test_group_standings_wins_then_end_diff_then_head_to_head_then_lots():
    # A, B, C each win one of their three-way matches 2-1; D loses all. A beat B, B beat C, C beat A.
    results = [
        Result("A", "B", "A", 2, 1),
        Result("B", "C", "B", 2, 1),
        Result("C", "A", "C", 2, 1),
        Result("A", "D", "A", 2, 0),
        Result("B", "D", "B", 2, 0),
        Result("C", "D", "C", 2, 1),
    ]
    rows = group_standings(["A", "B", "C", "D"], results, lots_seed="s1")
    assert [r.team for r in rows][3] == "D"
    # A and B are 2-0 over D (+3 overall), C only 2-1 (+2): end difference puts C third.
    assert rows[2].team == "C"
    assert rows[2].decided_by == "end_diff"
    # A and B: head-to-head, A beat B.
    assert [rows[0].team, rows[1].team] == ["A", "B"]
    assert rows[1].decided_by == HEAD_TO_HEAD
    assert [r.won for r in rows] == [2, 2, 2, 0]


def test_group_standings_lots_are_replayable():
    results = [Result("A", "B", "A", 2, 1), Result("B", "C", "B", 2, 1), Result("C", "A", "C", 2, 1)]
    first = [r.team for r in group_standings(["A", "B", "C"], results, rules=[WINS], lots_seed="x")]
    again = [r.team for r in group_standings(["A", "B", "C"], results, rules=[WINS], lots_seed="x")]
    assert first == again
    rows = group_standings(["A", "B", "C"], results, rules=[WINS], lots_seed="x")
    assert [r.decided_by for r in rows] == ["", LOTS, LOTS]
    assert all(r.lot is not None for r in rows)


def test_match_winner_rejects_unknown_side():
    with pytest.raises(ValueError, match="not a side"):
        match_winner(["x"], 3)
    assert AWAY != HOME


@PROPS
@given(n=st.integers(min_value=2, max_value=12), courts=st.integers(1, 4))
def test_schedule_never_puts_a_team_on_two_courts_at_once(n, courts):
    pairs = [(f"{a}-{b}", frozenset((a, b)), frozenset()) for r in round_robin(list(range(n))) for a, b in r]
    slots = schedule(pairs, courts)
    assert set(slots) == {key for key, _, _ in pairs}
    by_slot = {}
    for key, teams, _ in pairs:
        slot, court = slots[key]
        assert 1 <= court <= courts
        seen = by_slot.setdefault(slot, set())
        assert not (seen & teams)
        seen |= teams
    assert len(set(slots.values())) == len(pairs)  # one match per court and slot


def test_schedule_plays_a_knockout_match_after_its_sources():
    specs = single_elimination(8, third_place=True)
    rows = [
        (s.key, frozenset(), frozenset(src.ref for src in (s.home, s.away) if src.kind in (WINNER, LOSER)))
        for s in specs
    ]
    slots = schedule(rows, courts=8)
    assert slots["QF-1"][0] == 1
    assert slots["SF-1"][0] == 2
    assert slots["F"][0] == 3
    assert slots["3P"][0] == 3
