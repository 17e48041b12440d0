import pytest

from live import publication
from live.groups import COMPETITION, EVENT, MONITOR, group_name

pytestmark = pytest.mark.django_db


def _row(entry, pos, total, rank=None, award=None):
    return {
        "key": f"k{entry}",
        "pos": pos,
        "name": f"n{entry}",
        "organisation": "o",
        "total": total,
        "rank": rank or pos,
        "award": award,
        "status": "ok",
        "complete": True,
    }


ROWS = [_row(1, 1, "90.00", award=1), _row(2, 2, "80.00", award=2), _row(3, 3, "70.00", award=2)]


def test_group_name_is_scoped_by_kind_and_id():
    assert [group_name(EVENT, 4), group_name(COMPETITION, 4), group_name(MONITOR, "4")] == [
        "live.event.4",
        "live.competition.4",
        "live.monitor.4",
    ]


def test_group_name_refuses_unknown_scope():
    with pytest.raises(ValueError, match="unknown live group scope"):
        group_name("events", 4)


def test_public_board_live_shows_every_row():
    board = publication.public_board(event_id=9, policy="live", version=5, rows=ROWS)
    assert board == {"type": "standings.full", "event": 9, "policy": "live", "version": 5, "hidden": 0, "rows": ROWS}


def test_public_board_hidden_shows_no_row_and_no_version():
    board = publication.public_board(event_id=9, policy="hidden", version=5, rows=ROWS)
    assert board == {"type": "standings.full", "event": 9, "policy": "hidden", "version": None, "hidden": 3, "rows": []}


def test_public_board_unknown_policy_is_treated_as_hidden():
    board = publication.public_board(event_id=9, policy="leaky", version=5, rows=ROWS)
    assert (board["policy"], board["rows"], board["version"]) == ("hidden", [], None)


def test_public_board_frozen_shows_snapshot_with_pending_flags():
    frozen = [_row(1, 1, "50.00"), _row(2, 2, "40.00")]
    board = publication.public_board(
        event_id=9, policy="frozen", version=8, rows=ROWS, frozen_rows=frozen, pending=["k2"]
    )
    assert board["rows"] == [{**frozen[0], "pending": False}, {**frozen[1], "pending": True}]
    assert board["version"] == 8


def _ceremony_rows():
    """Eight places: one first, two seconds, two thirds, one without award, one DNF, one not yet scored."""
    return [
        _row(1, 1, "90.00", award=1),
        _row(2, 2, "85.00", award=2),
        _row(3, 3, "80.00", award=2),
        _row(4, 4, "75.00", award=3),
        _row(5, 5, "70.00", award=3),
        _row(6, 6, "60.00"),
        {**_row(7, 7, None), "rank": None, "status": "dnf"},
        {**_row(8, 8, None), "rank": None},
    ]


def test_reveal_steps_skip_unscored_rows_and_go_by_award_tier_one_name_at_a_time():
    steps = publication.reveal_steps(_ceremony_rows())
    # The places without an award (tier 0, the DNF with them) in one step, then thirds, seconds, first, from last up.
    assert steps == [(0, ["k6", "k7"]), (3, ["k5"]), (3, ["k4"]), (2, ["k3"]), (2, ["k2"]), (1, ["k1"])]


def test_public_board_reveal_shows_the_steps_taken_with_the_tier_being_revealed():
    rows = _ceremony_rows()
    board = publication.public_board(event_id=9, policy="reveal", version=5, rows=rows, revealed=0)
    assert (board["rows"], board["hidden"], board["reveal"]) == ([], 7, {"tier": None, "next": 0, "left": 6})
    board = publication.public_board(event_id=9, policy="reveal", version=5, rows=rows, revealed=2)
    # Rows in board order; the unscored row never shows.
    assert [row["key"] for row in board["rows"]] == ["k5", "k6", "k7"]
    assert (board["hidden"], board["reveal"]) == (4, {"tier": 3, "next": 3, "left": 4})
    board = publication.public_board(event_id=9, policy="reveal", version=5, rows=rows, revealed=6)
    assert [row["key"] for row in board["rows"]] == ["k1", "k2", "k3", "k4", "k5", "k6", "k7"]
    assert (board["hidden"], board["reveal"]) == (0, {"tier": 1, "next": None, "left": 0})


def test_public_board_reveal_of_rows_without_awards_or_totals_reveals_the_scored_ones():
    # A board whose rows carry no total (a blind board hiding its scores) still reveals finishers with awards.
    rows = [{"key": "a", "pos": 1, "award": 1, "status": "ok"}, {"key": "b", "pos": 2, "status": "ok"}]
    assert publication.reveal_steps(rows) == [(1, ["a"])]


def _at(board, gen):
    return {**board, "gen": gen}


def test_board_delta_sends_only_changed_rows_on_its_exact_base():
    before = _at(publication.public_board(event_id=9, policy="live", version=5, rows=ROWS), 11)
    after_rows = [_row(3, 1, "95.00", award=1), _row(1, 2, "90.00", award=2), _row(2, 3, "80.00", award=2)]
    after = _at(publication.public_board(event_id=9, policy="live", version=6, rows=after_rows), 12)
    delta = publication.board_delta(before, after)
    assert delta == {
        "type": "standings.delta",
        "event": 9,
        "policy": "live",
        "version": 6,
        "gen": 12,
        "base": 11,
        "rows": after_rows,
        "removed": [],
        "hidden": 0,
    }
    unchanged_rank = [_row(1, 1, "91.00", award=1), ROWS[1], ROWS[2]]
    delta = publication.board_delta(
        before, _at(publication.public_board(event_id=9, policy="live", version=6, rows=unchanged_rank), 12)
    )
    assert delta["rows"] == [unchanged_rank[0]]


def test_board_delta_sends_nothing_when_the_public_sees_no_change():
    before = _at(publication.public_board(event_id=9, policy="live", version=6, rows=ROWS), 3)
    same = _at(publication.public_board(event_id=9, policy="live", version=6, rows=ROWS), 4)
    assert publication.board_delta(before, same) is None


def test_board_delta_of_an_undone_change_still_names_its_row():
    """Defect 4: a mark undone by the next one. Built on the exact board before it, the row is in the delta.

    Before, the undo was diffed against the board before the first mark (a stale base) and sent no row.
    """
    up_rows = [_row(1, 1, "99.00", award=1), ROWS[1], ROWS[2]]
    start = _at(publication.public_board(event_id=9, policy="live", version=5, rows=ROWS), 5)
    up = _at(publication.public_board(event_id=9, policy="live", version=6, rows=up_rows), 6)
    down = _at(publication.public_board(event_id=9, policy="live", version=7, rows=ROWS), 7)
    assert publication.board_delta(start, up)["rows"] == [up_rows[0]]
    undo = publication.board_delta(up, down)
    assert (undo["base"], undo["rows"]) == (6, [ROWS[0]])


def test_board_delta_sends_whole_board_across_policy_change_and_unknown_base():
    live = publication.public_board(event_id=9, policy="live", version=6, rows=ROWS)
    frozen = publication.public_board(event_id=9, policy="frozen", version=6, rows=ROWS, frozen_rows=ROWS)
    assert publication.board_delta(live, frozen) is frozen
    assert publication.board_delta(None, live) is live


def test_board_delta_sends_hidden_board_once_then_nothing():
    live = publication.public_board(event_id=9, policy="live", version=6, rows=ROWS)
    hidden = publication.public_board(event_id=9, policy="hidden", version=7, rows=ROWS)
    assert publication.board_delta(live, hidden) is hidden
    hidden_fewer = publication.public_board(event_id=9, policy="hidden", version=8, rows=ROWS[:2])
    assert publication.board_delta(hidden, hidden_fewer) is None
    assert (
        publication.board_delta(hidden, publication.public_board(event_id=9, policy="hidden", version=8, rows=ROWS))
        is None
    )


def test_board_delta_lists_removed_rows_by_key():
    before = publication.public_board(event_id=9, policy="live", version=5, rows=ROWS)
    after = publication.public_board(event_id=9, policy="live", version=6, rows=ROWS[:2])
    assert publication.board_delta(_at(before, 1), _at(after, 2))["removed"] == ["k3"]
