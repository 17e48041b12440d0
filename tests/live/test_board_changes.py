"""Changes that are not marks reach every screen: disqualification, renames, draws, imports.

Before, disqualifying, withdrawing, renaming or moving an entry left every screen wrong
(the leader stayed first after a disqualification) with the version unchanged.
"""

from decimal import Decimal

import pytest

from competitions import draw_services
from competitions.models import Entry
from live import board
from live.groups import EVENT, group_name
from scoring.services import MarkInput, marks_submit
from tests.factories import judged_event_factory
from tests.live.conftest import LayerListener

pytestmark = pytest.mark.django_db


@pytest.fixture
def judged(django_capture_on_commit_callbacks):
    judged = judged_event_factory(
        entries=3, judges=1, criteria=[{"code": "look", "title": "观感", "max_value": Decimal("20")}]
    )
    judged.event.blind = False  # names on the board: this module is about changes, not masking
    judged.event.save()
    with django_capture_on_commit_callbacks(execute=True):
        for index, value in enumerate(("18", "12", "15")):
            marks_submit(
                judge=judged.judges[0],
                event=judged.event,
                marks=[MarkInput(entry=judged.entries[index].pk, criterion="look", value=value)],
                idempotency_key=f"k{index}",
            )
    return judged


def keys(judged) -> dict:
    """Public rows are keyed by an HMAC of the entry id (no id on the public board)."""
    return board.row_keys(judged.event.pk, [entry.pk for entry in judged.entries])


def board_frames(listener, judged):
    return [f for f in listener.frames() if f["group"] == group_name(EVENT, judged.event.pk)]


def test_disqualifying_the_leader_sends_the_whole_board(judged, django_capture_on_commit_callbacks):
    leader = judged.entries[0]
    listener = LayerListener(group_name(EVENT, judged.event.pk))
    with django_capture_on_commit_callbacks(execute=True):
        leader.status = Entry.Status.DSQ
        leader.save()
    (frame,) = board_frames(listener, judged)
    key = keys(judged)
    assert frame["type"] == "standings.full"
    assert [(row["key"], row["rank"], row["status"]) for row in frame["rows"]] == [
        (key[judged.entries[2].pk], 1, "ok"),
        (key[judged.entries[1].pk], 2, "ok"),
        (key[leader.pk], None, "dsq"),
    ]


def test_renaming_a_contestant_and_a_unit_reaches_the_board_once_per_commit(judged, django_capture_on_commit_callbacks):
    contestant = judged.entries[1].contestant
    listener = LayerListener(group_name(EVENT, judged.event.pk))
    with django_capture_on_commit_callbacks(execute=True):
        contestant.name = "新名字"
        contestant.save()
        contestant.organisation.name = "新单位总工会"
        contestant.organisation.short_name = "新单位"
        contestant.organisation.save()
    (frame,) = board_frames(listener, judged)
    row = next(row for row in frame["rows"] if row["key"] == keys(judged)[judged.entries[1].pk])
    assert (row["name"], row["organisation"]) == ("新名字", "新单位")


def test_a_redraw_of_codes_is_broadcast(judged, django_capture_on_commit_callbacks):
    judged.event.blind = True  # codes on the board
    judged.event.save()
    with django_capture_on_commit_callbacks(execute=True):
        board.board_changed(judged.event.pk)
    listener = LayerListener(group_name(EVENT, judged.event.pk))
    with django_capture_on_commit_callbacks(execute=True):
        draw = draw_services.draw_codes(event=judged.event, drawn_by=None, seed="s1", prefix="C")
    frames = board_frames(listener, judged)
    assert [frame["type"] for frame in frames] == ["standings.full"]
    drawn = sorted(value["code"] for value in draw.result["entries"].values())
    assert sorted(row["code"] for row in frames[0]["rows"]) == drawn


def test_a_redraw_of_stations_sends_nothing_the_public_cannot_see(judged, django_capture_on_commit_callbacks):
    """Stations are not on the public board: the board is rebuilt, found unchanged, and not sent."""
    judged.event.stations = 3
    judged.event.save()
    generation = board.BoardState.objects.get(event=judged.event).generation
    listener = LayerListener(group_name(EVENT, judged.event.pk))
    with django_capture_on_commit_callbacks(execute=True):
        draw_services.draw_stations(event=judged.event, drawn_by=None, seed="s1")
    assert board_frames(listener, judged) == []
    state = board.BoardState.objects.get(event=judged.event)
    assert (state.generation, state.stale) == (generation, False)


def test_nothing_is_sent_before_the_change_commits(judged, django_capture_on_commit_callbacks):
    listener = LayerListener(group_name(EVENT, judged.event.pk))
    with django_capture_on_commit_callbacks(execute=False):
        judged.entries[0].status = Entry.Status.DSQ
        judged.entries[0].save()
    assert board_frames(listener, judged) == []
