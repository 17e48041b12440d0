from decimal import Decimal

import pytest

from competitions.models import Competition
from config.errors import Conflict, DomainError, Forbidden
from live import board, services
from live.groups import COMPETITION, EVENT, MONITOR, group_name
from scoring import signals
from scoring.services import MarkInput, marks_submit
from tests.factories import judged_event_factory
from tests.live.conftest import LayerListener

pytestmark = pytest.mark.django_db

Publication = Competition.Publication


@pytest.fixture
def judged():
    return judged_event_factory(
        entries=3, judges=1, criteria=[{"code": "look", "title": "观感", "max_value": Decimal("20")}], decoded=True
    )


def mark(judged, entry_index, value, key, capture):
    with capture(execute=True):
        marks_submit(
            judge=judged.judges[0],
            event=judged.event,
            marks=[MarkInput(entry=judged.entries[entry_index].pk, criterion="look", value=str(value))],
            idempotency_key=key,
        )


def event_frames(listener):
    return [frame for frame in listener.frames() if frame["group"] == group_name(EVENT, frame["event"])]


def test_live_board_receives_scoring_signal():
    # disconnect() says whether the receiver was connected; put it back at once.
    assert signals.standings_changed.disconnect(dispatch_uid="live.board") is True
    signals.standings_changed.connect(board.on_standings_changed, dispatch_uid="live.board")


def test_broadcast_happens_only_after_commit(judged, django_capture_on_commit_callbacks):
    listener = LayerListener(group_name(EVENT, judged.event.pk))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        marks_submit(
            judge=judged.judges[0],
            event=judged.event,
            marks=[MarkInput(entry=judged.entries[0].pk, criterion="look", value="10")],
            idempotency_key="k1",
        )
    assert listener.frames() == []
    for callback in callbacks:
        callback()
    assert [frame["version"] for frame in listener.frames()] == [1]


def test_versions_increase_and_deltas_carry_only_changed_rows(judged, django_capture_on_commit_callbacks):
    listener = LayerListener(group_name(EVENT, judged.event.pk))
    # Rows of a (decoded) blind event say who they are by code and name; keyed by an opaque key, never the entry id.
    first, second, third = (entry.code for entry in judged.entries)
    mark(judged, 0, 10, "k1", django_capture_on_commit_callbacks)
    mark(judged, 1, 12, "k2", django_capture_on_commit_callbacks)
    mark(judged, 2, 11, "k3", django_capture_on_commit_callbacks)
    frames = event_frames(listener)
    assert [(f["type"], f["version"], f["gen"], f.get("base")) for f in frames] == [
        ("standings.full", 1, 1, None),
        ("standings.delta", 2, 2, 1),
        ("standings.delta", 3, 3, 2),
    ]
    assert [row["code"] for row in frames[0]["rows"]] == [first, second, third]
    assert all("entry" not in row and "key" in row for row in frames[0]["rows"])
    # Entry 2 overtakes entry 1; entry 3 stays unscored: only the first two rows changed.
    assert [(row["code"], row["rank"], row["total"]) for row in frames[1]["rows"]] == [
        (second, 1, "12.00"),
        (first, 2, "10.00"),
    ]
    assert [(row["code"], row["rank"], row["pos"]) for row in frames[2]["rows"]] == [(third, 2, 2), (first, 3, 3)]


def test_standings_change_also_hints_monitor_and_overview(judged, django_capture_on_commit_callbacks):
    listener = LayerListener(group_name(MONITOR, judged.event.pk), group_name(COMPETITION, judged.competition.pk))
    mark(judged, 0, 10, "k1", django_capture_on_commit_callbacks)
    frames = listener.frames()
    assert [(f["type"], f["group"]) for f in frames] == [
        ("overview.event", group_name(COMPETITION, judged.competition.pk)),
        ("monitor.changed", group_name(MONITOR, judged.event.pk)),
    ]
    assert frames[1] == {"type": "monitor.changed", "event": judged.event.pk, "version": 1, "group": frames[1]["group"]}
    assert [row["total"] for row in frames[0]["rows"]] == ["10.00", None, None]


def test_hidden_policy_broadcasts_no_scores(judged, django_capture_on_commit_callbacks):
    services.publication_set(actor=judged.organiser, competition=judged.competition, policy=Publication.HIDDEN)
    listener = LayerListener(group_name(EVENT, judged.event.pk), group_name(COMPETITION, judged.competition.pk))
    mark(judged, 0, 10, "k1", django_capture_on_commit_callbacks)
    mark(judged, 1, 12, "k2", django_capture_on_commit_callbacks)
    frames = listener.frames()
    # At most the one "hidden" board (no rows, no version); nothing that moves with the marks.
    assert [(f["type"], f["policy"], f["version"], f["rows"]) for f in frames] == [
        ("standings.full", "hidden", None, []),
        ("overview.event", "hidden", None, []),
    ]


def test_frozen_policy_broadcasts_the_snapshot_with_pending_flags(judged, django_capture_on_commit_callbacks):
    mark(judged, 0, 10, "k1", django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.publication_set(actor=judged.organiser, competition=judged.competition, policy=Publication.FROZEN)
    listener = LayerListener(group_name(EVENT, judged.event.pk))
    mark(judged, 1, 19.5, "k2", django_capture_on_commit_callbacks)
    frames = event_frames(listener)
    # The delta is built on the frozen board every screen got (generation 2), whatever the version.
    assert [(f["type"], f["policy"], f["version"], f["gen"], f["base"]) for f in frames] == [
        ("standings.delta", "frozen", 2, 3, 2)
    ]
    # The late 19.5 is nowhere in the message: the only change is that entry 2 is now pending.
    assert "19.5" not in board.encode(frames[0])
    assert [(row["code"], row["total"], row["rank"], row["pending"]) for row in frames[0]["rows"]] == [
        (judged.entries[1].code, None, None, True)
    ]


def test_policy_change_sends_every_screen_the_whole_board(judged, django_capture_on_commit_callbacks):
    mark(judged, 0, 10, "k1", django_capture_on_commit_callbacks)
    listener = LayerListener(group_name(EVENT, judged.event.pk))
    with django_capture_on_commit_callbacks(execute=True):
        services.publication_set(actor=judged.organiser, competition=judged.competition, policy=Publication.REVEAL)
    frames = event_frames(listener)
    # One place to reveal: the two entries never scored are no part of the ceremony.
    assert [(f["type"], f["policy"], f["rows"], f["hidden"]) for f in frames] == [("standings.full", "reveal", [], 1)]


def test_reveal_goes_from_last_place_to_first_one_click_each(judged, django_capture_on_commit_callbacks):
    mark(judged, 0, 10, "k1", django_capture_on_commit_callbacks)
    mark(judged, 1, 12, "k2", django_capture_on_commit_callbacks)
    mark(judged, 2, 11, "k3", django_capture_on_commit_callbacks)
    services.publication_set(actor=judged.organiser, competition=judged.competition, policy=Publication.REVEAL)
    listener = LayerListener(group_name(EVENT, judged.event.pk))
    shown = []
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            services.reveal_next(actor=judged.organiser, event=judged.event)
        (frame,) = event_frames(listener)
        shown.append([row["rank"] for row in frame["rows"]])
    assert shown == [[3], [2, 3], [1, 2, 3]]
    with pytest.raises(Conflict) as excinfo:
        services.reveal_next(actor=judged.organiser, event=judged.event)
    assert excinfo.value.code == "reveal_finished"


def test_reveal_refuses_outside_reveal_mode_and_non_organisers(judged):
    with pytest.raises(Conflict) as excinfo:
        services.reveal_next(actor=judged.organiser, event=judged.event)
    assert excinfo.value.code == "not_reveal_mode"
    with pytest.raises(Forbidden) as excinfo:
        services.publication_set(actor=judged.chief, competition=judged.competition, policy=Publication.HIDDEN)
    assert excinfo.value.code == "not_organiser"


def test_publication_set_refuses_unknown_policy(judged):
    with pytest.raises(DomainError) as excinfo:
        services.publication_set(actor=judged.organiser, competition=judged.competition, policy="leaky")
    assert (excinfo.value.code, excinfo.value.field) == ("invalid_policy", "policy")


def test_broadcast_recomputes_once_whatever_the_board_size(django_assert_num_queries):
    small = judged_event_factory(entries=1, judges=1)
    large = judged_event_factory(entries=3, judges=1)
    # Each build: the event, its board-state row (locked), the standings version, the recompute
    # (scheme, criteria, entries, marks, its version), the stored board; the first build of an
    # event also creates its board-state row (savepoint, insert, select again).
    with django_assert_num_queries(15) as small_queries:
        board.on_standings_changed(event_id=small.event.pk, version=0)
    with django_assert_num_queries(15):
        board.on_standings_changed(event_id=large.event.pk, version=0)
    entry_reads = [q["sql"] for q in small_queries.captured_queries if 'FROM "competitions_entry"' in q["sql"]]
    assert len(entry_reads) == 1


def test_broadcast_survives_an_unreachable_layer(judged, settings, django_capture_on_commit_callbacks):
    from channels.layers import channel_layers

    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]},
        }
    }
    channel_layers.backends.clear()
    # The mark is stored and acknowledged even though nothing could be published.
    mark(judged, 0, 10, "k1", django_capture_on_commit_callbacks)
    assert board.publish(group_name(EVENT, judged.event.pk), {"type": "x"}) is False
    assert judged.entries[0].marks.get().value == Decimal("10.000")


def test_overview_during_a_reveal_leads_with_the_latest_places_revealed(judged, django_capture_on_commit_callbacks):
    from live.selectors import competition_overview

    mark(judged, 0, 10, "k1", django_capture_on_commit_callbacks)
    mark(judged, 1, 12, "k2", django_capture_on_commit_callbacks)
    mark(judged, 2, 11, "k3", django_capture_on_commit_callbacks)
    services.publication_set(actor=judged.organiser, competition=judged.competition, policy=Publication.REVEAL)
    leaders = []
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            services.reveal_next(actor=judged.organiser, event=judged.event)
        (event,) = competition_overview(competition=judged.competition, leaders=2)["events"]
        leaders.append([row["rank"] for row in event["rows"]])
    assert leaders == [[3], [2, 3], [1, 2]]
