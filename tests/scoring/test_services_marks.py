"""Mark services: append-only history at the database level, the after-commit signal, retries."""

from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from config.errors import Conflict
from scoring import selectors, services, signals
from scoring.aggregation import MarkValue
from scoring.models import EventStandingsVersion, HistoryIsAppendOnly, Mark, MarkHistory
from scoring.services import MarkInput
from scoring.standings import EntryInfo, compute_standings
from tests.factories import judged_event_factory

pytestmark = pytest.mark.django_db


@pytest.fixture
def panel():
    return judged_event_factory()


def submit(panel, judge, marks, key, **extra):
    return services.marks_submit(
        judge=judge, event=panel.event, marks=[MarkInput(**m) for m in marks], idempotency_key=key, **extra
    )


def one_history_row(panel):
    submit(panel, panel.judges[0], [{"entry": panel.entries[0].pk, "criterion": "look", "value": "15"}], "k")
    return MarkHistory.objects.get()


@pytest.fixture
def recorded():
    calls = []

    def callback(*, event_id, version, **kwargs):
        calls.append((event_id, version))

    signals.standings_changed.connect(callback)
    yield calls
    signals.standings_changed.disconnect(callback)


def test_history_raw_sql_update_is_refused_by_the_database(panel):
    row = one_history_row(panel)

    with pytest.raises(DatabaseError) as excinfo, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE scoring_markhistory SET new_value = 1 WHERE id = %s", [row.pk])

    assert "scoring_markhistory is append-only" in str(excinfo.value)
    assert MarkHistory.objects.get(pk=row.pk).new_value == Decimal("15")


def test_history_raw_sql_delete_is_refused_by_the_database(panel):
    row = one_history_row(panel)

    with pytest.raises(DatabaseError) as excinfo, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM scoring_markhistory WHERE id = %s", [row.pk])

    assert "scoring_markhistory is append-only" in str(excinfo.value)
    assert MarkHistory.objects.filter(pk=row.pk).count() == 1


def test_history_orm_queryset_update_is_refused_by_the_database(panel):
    row = one_history_row(panel)

    with pytest.raises(DatabaseError), transaction.atomic():
        MarkHistory.objects.filter(pk=row.pk).update(reason="改写")

    assert MarkHistory.objects.get(pk=row.pk).reason == ""


def test_history_model_save_and_delete_are_refused(panel):
    row = one_history_row(panel)
    row.reason = "改写"

    with pytest.raises(HistoryIsAppendOnly):
        row.save()
    with pytest.raises(HistoryIsAppendOnly):
        row.delete()
    assert MarkHistory.objects.get(pk=row.pk).reason == ""


def test_hook_fires_only_after_commit(panel, recorded, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submit(panel, panel.judges[0], [{"entry": panel.entries[0].pk, "criterion": "look", "value": "15"}], "k")
        assert recorded == []

    assert len(callbacks) == 2  # standings_changed, and marks_changed for the judge's tablets
    for callback in callbacks:
        callback()
    assert recorded == [(panel.event.pk, 1)]


def test_hook_does_not_fire_when_nothing_changed(panel, recorded, django_capture_on_commit_callbacks):
    marks = [{"entry": panel.entries[0].pk, "criterion": "look", "value": "15"}]
    with django_capture_on_commit_callbacks(execute=True):
        submit(panel, panel.judges[0], marks, "a")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        submit(panel, panel.judges[0], marks, "b")  # same values, new key
        submit(panel, panel.judges[0], marks, "a")  # replay

    assert callbacks == []
    assert recorded == [(panel.event.pk, 1)]


def test_hook_does_not_fire_when_the_batch_fails(panel, recorded, django_capture_on_commit_callbacks):
    submit(panel, panel.judges[0], [{"entry": panel.entries[0].pk, "criterion": "look", "value": "15"}], "a")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(Conflict):
        submit(panel, panel.judges[0], [{"entry": panel.entries[0].pk, "criterion": "look", "value": "16"}], "b")

    assert callbacks == []


def test_standings_changed_receiver_error_is_logged_and_swallowed(recorded, caplog):
    def broken(**kwargs):
        raise RuntimeError("channel layer down")

    signals.standings_changed.connect(broken)
    try:
        signals.send_standings_changed(7, 3)
    finally:
        signals.standings_changed.disconnect(broken)

    assert recorded == [(7, 3)]
    assert [(r.name, r.levelname) for r in caplog.records if "send_robust" in r.getMessage()] == [
        ("django.dispatch", "ERROR")
    ]


def test_event_standings_query_count_does_not_grow_with_entries(django_assert_num_queries):
    small = judged_event_factory(entries=1)
    large = judged_event_factory(entries=3)
    for panel in (small, large):
        for index, judge in enumerate(panel.judges):
            marks = [{"entry": e.pk, "criterion": "look", "value": str(10 + index)} for e in panel.entries]
            submit(panel, judge, marks, f"k{panel.event.pk}-{index}")

    # One more than before issue #11: the declared attempts (dive lists). Fixed, whatever the entries.
    with django_assert_num_queries(6):
        selectors.event_standings(event=small.event)
    with django_assert_num_queries(6):
        result = selectors.event_standings(event=large.event)
    assert [row.total for row in result.standings.rows] == [Decimal("11.00")] * 3


# --- each (judge, cell) counts once under any mix of retries ----------------------------------------

VALUES = st.sampled_from(["0", "7.5", "12", "15.5", "20"])


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    values=st.lists(st.lists(VALUES, min_size=2, max_size=2), min_size=3, max_size=3),
    retries=st.lists(st.tuples(st.integers(0, 2), st.booleans()), max_size=8),
)
def test_marks_retries_count_each_judge_cell_once(panel, values, retries):
    """Judges send their batch once, then any mix of replays (same key) and re-sends (new key, same values)."""
    entries = panel.entries[:2]
    batches = [
        [{"entry": entry.pk, "criterion": "look", "value": value} for entry, value in zip(entries, row, strict=True)]
        for row in values
    ]
    with transaction.atomic():
        originals = [submit(panel, judge, batches[i], f"first-{i}").response for i, judge in enumerate(panel.judges)]
        for attempt, (index, same_key) in enumerate(retries):
            key = f"first-{index}" if same_key else f"again-{index}-{attempt}"
            result = submit(panel, panel.judges[index], batches[index], key)
            if same_key:
                assert result.response == originals[index]
            assert [m["changed"] for m in result.response["marks"]] == [False, False] or same_key

        assert Mark.objects.filter(entry__event=panel.event).count() == 6
        assert MarkHistory.objects.filter(mark__entry__event=panel.event).count() == 6
        assert EventStandingsVersion.objects.get(event=panel.event).version == 3
        expected = compute_standings(
            selectors.scheme_to_pure(panel.scheme),
            [EntryInfo(entry.pk) for entry in panel.entries],
            [
                MarkValue(entry.pk, "look", judge.pk, 1, Decimal(value))
                for judge, row in zip(panel.judges, values, strict=True)
                for entry, value in zip(entries, row, strict=True)
            ],
            selectors.scheme_policy(panel.scheme),
        )
        assert selectors.event_standings(event=panel.event).standings == expected
        transaction.set_rollback(True)
