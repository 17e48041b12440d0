"""Defect 4: two writers close together must never leave a screen wrong at the right version.

Two judges' processes commit marks on one event, the second undoing the first. Before, each
process diffed its board against whatever the shared cache held: the undo could be built on the
board from before the first mark, and a screen that applied both deltas kept the first mark's
row at the final version, undetectably. Now builds take the event's ``BoardState`` row lock, so
each delta is built on exactly the board before it, and a screen applies it only on that base.

Threads here have their own database connections (on PostgreSQL, two sessions; on SQLite, two
connections to the test file), as two Daphne processes would.
"""

import asyncio
import threading
from decimal import Decimal

import pytest
from django.db import connection

from live import board, publication
from live.groups import EVENT, group_name
from scoring.services import MarkInput, marks_submit
from tests.factories import judged_event_factory

pytestmark = pytest.mark.django_db(transaction=True)


class Screen:
    """A board as static/live/board.js keeps it: rows by key at a generation; a delta only on its exact base."""

    def __init__(self, event_id):
        self.event_id = event_id
        self.gen, self.rows, self.refetches = None, {}, 0

    def refetch(self):
        self.refetches += 1
        self.full(board.BoardState.objects.get(event_id=self.event_id).board)

    def full(self, data):
        if self.gen is not None and data["gen"] < self.gen:
            return
        self.gen, self.rows = data["gen"], {row["key"]: row for row in data["rows"]}

    def receive(self, message) -> None:
        if message["type"] == "standings.full":
            self.full(message)
        elif message["gen"] <= self.gen:
            pass  # old news
        elif message["base"] != self.gen:
            self.refetch()
        else:
            self._apply(message)

    def _apply(self, message) -> None:
        self.rows.update({row["key"]: row for row in message["rows"]})
        for key in message["removed"]:
            self.rows.pop(key, None)
        self.gen = message["gen"]


@pytest.fixture
def sent(monkeypatch, flushable_history):
    """Every frame published to an event group, in the order published (the broadcast runs inline here)."""
    import json

    frames, lock = [], threading.Lock()

    async def record(group, payload):
        if group.startswith("live.event."):
            with lock:
                frames.append(json.loads(payload["text"]))
        return True

    monkeypatch.setattr(board.broadcaster, "_send", record)
    return frames


def _mark(judged, judge, entry, value, version, key):
    try:
        marks_submit(
            judge=judge,
            event=judged.event,
            marks=[MarkInput(entry=judged.entries[entry].pk, criterion="look", value=value, version=version)],
            idempotency_key=key,
        )
    finally:
        connection.close()


def _truth(judged):
    return {row["key"]: row for row in board.event_public_board(event=judged.event)["rows"]}


def test_an_undo_built_while_the_first_mark_is_being_built_is_built_on_it(sent, monkeypatch):
    judged = judged_event_factory(
        entries=2, judges=2, criteria=[{"code": "look", "title": "观感", "max_value": Decimal("20")}]
    )
    marks_submit(
        judge=judged.judges[0],
        event=judged.event,
        marks=[MarkInput(entry=judged.entries[0].pk, criterion="look", value="10")],
        idempotency_key="start",
    )
    screen = Screen(judged.event.pk)
    screen.refetch()
    sent.clear()

    # The race of the defect: A has computed its board (the mark up) and is about to diff it when
    # B commits the undo and builds. A waits (up to 2 s) for B to get to its own diff first.
    b_diffing, a_done = threading.Event(), threading.Event()
    real_delta = publication.board_delta

    def delta(previous, new):
        if threading.current_thread().name == "A":
            b_diffing.wait(2)
        elif threading.current_thread().name == "B":
            b_diffing.set()
            a_done.wait(5)
        return real_delta(previous, new)

    monkeypatch.setattr(publication, "board_delta", delta)

    def writer_a():
        try:
            _mark(judged, judged.judges[0], 0, "18", 1, "up")
        finally:
            a_done.set()

    a = threading.Thread(target=writer_a, name="A")
    b = threading.Thread(target=_mark, name="B", args=(judged, judged.judges[0], 0, "10", 2, "down"))
    a.start()
    asyncio.run(asyncio.sleep(0.3))  # A is inside its build
    b.start()
    a.join(30)
    b.join(30)

    for message in sent:
        screen.receive(message)
    truth = _truth(judged)
    assert screen.rows == truth
    assert screen.gen == board.BoardState.objects.get(event=judged.event).generation
    # Each delta names the generation before it: a chain with no fork.
    deltas = [message for message in sent if message["type"] == "standings.delta"]
    assert [(m["base"], m["gen"]) for m in deltas] == [(m["gen"] - 1, m["gen"]) for m in deltas]


def test_two_writers_doing_up_then_down_rounds_leave_no_wrong_row(sent):
    judged = judged_event_factory(
        entries=3, judges=2, criteria=[{"code": "look", "title": "观感", "max_value": Decimal("20")}]
    )
    screen = Screen(judged.event.pk)
    rounds = 12
    errors = []

    def writer(judge_index, entry):
        version = 0
        try:
            for round_ in range(rounds):
                for value in ("19", "5"):  # up, then down: the second undoes the first
                    _mark(judged, judged.judges[judge_index], entry, value, version, f"{judge_index}-{round_}-{value}")
                    version += 1
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(index, index)) for index in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    for message in sent:
        if screen.gen is None:
            screen.refetch()
        screen.receive(message)
    state = board.BoardState.objects.get(event=judged.event)
    assert (screen.gen, screen.rows) == (state.generation, _truth(judged))
    assert state.board["version"] == 4 * rounds
    assert group_name(EVENT, judged.event.pk)  # the frames above are that group's
