"""Mark batches racing each other on real connections: each (judge, cell) still counts once.

Threads each open their own database connection, so on PostgreSQL the row locks of
``marks_submit`` really contend (on SQLite the IMMEDIATE transactions serialise them).
"""

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection

from config.errors import DomainError
from scoring import services
from scoring.models import EventStandingsVersion, IdempotencyRecord, Mark, MarkHistory
from scoring.services import MarkInput
from tests.factories import judged_event_factory

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 6


def race(calls):
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        try:
            return call()
        except DomainError as exc:
            return exc.code
        finally:
            connection.close()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


@pytest.mark.usefixtures("flushable_history")
def test_concurrent_retries_of_one_batch_write_each_cell_once():
    panel = judged_event_factory(entries=2)
    judge, event = panel.judges[0], panel.event
    marks = [{"entry": e.pk, "criterion": "look", "value": "15.5"} for e in panel.entries]

    def submit(index):
        # Half replay one key, half re-send the same values under fresh keys.
        key = "same" if index % 2 else f"fresh-{index}"
        return lambda: (
            services.marks_submit(
                judge=judge, event=event, marks=[MarkInput(**m) for m in marks], idempotency_key=key
            ).response
        )

    results = race([submit(i) for i in range(THREADS)])

    assert [type(r) for r in results] == [dict] * THREADS
    replays = results[1::2]
    assert replays == [replays[0]] * len(replays)  # every replay of one key got the same body
    assert Mark.objects.filter(judge=judge).count() == 2
    assert sorted(Mark.objects.values_list("value", flat=True)) == [Decimal("15.5")] * 2
    assert MarkHistory.objects.count() == 2
    assert EventStandingsVersion.objects.get(event=event).version == 1
    assert IdempotencyRecord.objects.filter(user=judge).count() == 1 + THREADS // 2


@pytest.mark.usefixtures("flushable_history")
def test_concurrent_writers_on_one_version_let_exactly_one_win():
    panel = judged_event_factory(entries=1)
    judge, event, entry = panel.judges[0], panel.event, panel.entries[0]
    services.marks_submit(
        judge=judge, event=event, marks=[MarkInput(entry=entry.pk, criterion="look", value="10")], idempotency_key="v1"
    )

    def change(index):
        marks = [{"entry": entry.pk, "criterion": "look", "value": str(11 + index), "version": 1}]
        return lambda: services.marks_submit(
            judge=judge, event=event, marks=[MarkInput(**m) for m in marks], idempotency_key=f"c{index}"
        )

    results = race([change(i) for i in range(THREADS)])

    assert sorted(r if isinstance(r, str) else "ok" for r in results) == ["ok"] + ["version_conflict"] * (THREADS - 1)
    assert Mark.objects.get().version == 2
    assert MarkHistory.objects.count() == 2
    assert EventStandingsVersion.objects.get(event=event).version == 2
