"""The mark batch API: every error code, idempotent replays, versions, blind reading."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from scoring.models import IdempotencyRecord, Mark, MarkHistory, Sheet
from tests.factories import (
    EntryFactory,
    EventFactory,
    JudgeAssignmentFactory,
    QuickUserFactory,
    SheetFactory,
    judged_event_factory,
)
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def panel():
    return judged_event_factory()


def post_marks(user, event, marks, key="k1", **extra):
    return client_for(user).post(
        f"/api/v1/events/{event.pk}/marks/",
        {"marks": marks, **extra},
        format="json",
        headers={"Idempotency-Key": key} if key else {},
    )


def mark(entry, code="look", value="15", **extra):
    return {"entry": entry.code, "criterion": code, "value": value, **extra}


def test_marks_batch_creates_marks_history_and_bumps_version(panel):
    judge, event = panel.judges[0], panel.event
    response = post_marks(judge, event, [mark(panel.entries[0]), mark(panel.entries[0], "taste", 32.5)])

    assert response.status_code == 200
    assert response.json() == {
        "marks": [
            {
                "entry": panel.entries[0].code,
                "criterion": "look",
                "attempt": 1,
                "value": "15",
                "penalty": "0",
                "status": "ok",
                "version": 1,
                "changed": True,
            },
            {
                "entry": panel.entries[0].code,
                "criterion": "taste",
                "attempt": 1,
                "value": "32.5",
                "penalty": "0",
                "status": "ok",
                "version": 1,
                "changed": True,
            },
        ],
        "standings_version": 1,
    }
    assert Mark.objects.filter(judge=judge).count() == 2
    history = MarkHistory.objects.get(mark__criterion__code="taste")
    assert (history.old_value, history.new_value, history.version, history.idempotency_key) == (
        None,
        Decimal("32.5"),
        1,
        "k1",
    )
    assert Sheet.objects.get(entry=panel.entries[0], judge=judge).state == Sheet.State.DRAFT


def test_marks_update_with_current_version_bumps_mark_version(panel):
    judge, event, entry = panel.judges[0], panel.event, panel.entries[0]
    post_marks(judge, event, [mark(entry)], key="a")

    response = post_marks(judge, event, [mark(entry, value="16.5", version=1)], key="b", reason="复核更正")

    assert response.status_code == 200
    assert response.json()["marks"][0]["version"] == 2
    assert response.json()["standings_version"] == 2
    latest = MarkHistory.objects.order_by("-id").first()
    assert (latest.old_value, latest.new_value, latest.version, latest.reason) == (
        Decimal("15"),
        Decimal("16.5"),
        2,
        "复核更正",
    )


@pytest.mark.parametrize(
    ("value", "code"),
    [("20.5", "out_of_range"), ("-1", "out_of_range"), ("7.3", "off_step"), ("abc", "not_a_number")],
)
def test_marks_bad_value_is_400_with_field(panel, value, code):
    response = post_marks(panel.judges[0], panel.event, [mark(panel.entries[0]), mark(panel.entries[1], value=value)])

    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["field"]) == (code, "marks[1].value")
    assert list(body["errors"]) == ["marks[1].value"]
    assert Mark.objects.count() == 0  # all or nothing


def test_marks_unknown_criterion_is_400(panel):
    response = post_marks(panel.judges[0], panel.event, [mark(panel.entries[0], code="nope")])

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("unknown_criterion", "marks[0].criterion")


def test_marks_entry_of_another_event_is_400(panel):
    other = EntryFactory(event=EventFactory(competition=panel.competition), code="Z99")

    response = post_marks(panel.judges[0], panel.event, [mark(other)])

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("entry_not_in_event", "marks[0].entry")


def test_marks_attempt_out_of_range_is_400(panel):
    response = post_marks(panel.judges[0], panel.event, [mark(panel.entries[0], attempt=2)])

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("attempt_out_of_range", "marks[0].attempt")


def test_marks_every_bad_field_is_listed(panel):
    response = post_marks(
        panel.judges[0], panel.event, [mark(panel.entries[0], value="99"), mark(panel.entries[1], code="x")]
    )

    assert response.status_code == 400
    assert sorted(response.json()["errors"]) == ["marks[0].value", "marks[1].criterion"]


def test_marks_judge_not_assigned_is_403(panel):
    stranger = JudgeAssignmentFactory(
        competition=panel.competition, event=EventFactory(competition=panel.competition), user=QuickUserFactory()
    )

    response = post_marks(stranger.user, panel.event, [mark(panel.entries[0])])

    assert response.status_code == 403
    assert response.json()["code"] == "not_assigned"


def test_marks_same_organisation_is_403_conflict_of_interest(panel):
    judge = panel.judges[0]
    assignment = judge.assignments.get(event=panel.event)
    assignment.organisation = panel.entries[1].contestant.organisation
    assignment.save()

    response = post_marks(judge, panel.event, [mark(panel.entries[0]), mark(panel.entries[1])])

    assert response.status_code == 403
    assert (response.json()["code"], response.json()["field"]) == ("conflict_of_interest", "marks[1].entry")
    assert Mark.objects.count() == 0


def test_marks_same_organisation_allowed_when_competition_allows_it(panel):
    panel.competition.forbid_conflict_of_interest = False
    panel.competition.save()
    judge = panel.judges[0]
    judge.assignments.filter(event=panel.event).update(organisation=panel.entries[0].contestant.organisation)

    response = post_marks(judge, panel.event, [mark(panel.entries[0])])

    assert response.status_code == 200


def test_marks_stale_version_is_409_with_current_value(panel):
    judge, event, entry = panel.judges[0], panel.event, panel.entries[0]
    post_marks(judge, event, [mark(entry)], key="a")
    post_marks(judge, event, [mark(entry, value="16", version=1)], key="b")

    response = post_marks(judge, event, [mark(entry, value="17", version=1)], key="c")

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "version_conflict"
    assert body["current"] == {
        "entry": entry.code,
        "criterion": "look",
        "attempt": 1,
        "value": "16",
        "penalty": "0",
        "status": "ok",
        "version": 2,
    }
    assert Mark.objects.get().value == Decimal("16")


def test_marks_change_without_version_is_409(panel):
    judge, event, entry = panel.judges[0], panel.event, panel.entries[0]
    post_marks(judge, event, [mark(entry)], key="a")

    response = post_marks(judge, event, [mark(entry, value="18")], key="b")

    assert response.status_code == 409
    assert response.json()["code"] == "version_conflict"


def test_marks_identical_write_with_new_key_changes_nothing(panel):
    judge, event, entry = panel.judges[0], panel.event, panel.entries[0]
    post_marks(judge, event, [mark(entry)], key="a")

    response = post_marks(judge, event, [mark(entry)], key="b")

    assert response.status_code == 200
    assert response.json()["marks"][0]["changed"] is False
    assert response.json()["standings_version"] == 1
    assert MarkHistory.objects.count() == 1


def test_marks_locked_sheet_is_409_sheet_locked(panel):
    judge, entry = panel.judges[0], panel.entries[0]
    SheetFactory(entry=entry, judge=judge, state=Sheet.State.LOCKED)

    response = post_marks(judge, panel.event, [mark(entry)])

    assert response.status_code == 409
    assert response.json()["code"] == "sheet_locked"
    assert response.json()["entries"] == [entry.code]


def test_marks_replay_returns_original_result_and_writes_nothing(panel):
    judge, event, entry = panel.judges[0], panel.event, panel.entries[0]
    first = post_marks(judge, event, [mark(entry)], key="same")
    # Someone else's change moves the standings version on in between.
    post_marks(panel.judges[1], event, [mark(entry, value="12")], key="other")

    replay = post_marks(judge, event, [mark(entry)], key="same")

    assert replay.status_code == 200
    assert replay.json() == first.json()
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert MarkHistory.objects.filter(mark__judge=judge).count() == 1
    assert IdempotencyRecord.objects.filter(user=judge).count() == 1


def test_marks_key_reused_with_other_payload_is_400(panel):
    judge, event, entry = panel.judges[0], panel.event, panel.entries[0]
    post_marks(judge, event, [mark(entry)], key="same")

    response = post_marks(judge, event, [mark(entry, value="19", version=1)], key="same")

    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_reused"
    assert Mark.objects.get().value == Decimal("15")


def test_marks_key_may_come_in_the_body(panel):
    response = post_marks(panel.judges[0], panel.event, [mark(panel.entries[0])], key=None, idempotency_key="body")

    assert response.status_code == 200
    assert IdempotencyRecord.objects.get().key == "body"


def test_marks_without_key_is_400(panel):
    response = post_marks(panel.judges[0], panel.event, [mark(panel.entries[0])], key=None)

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("idempotency_key_required", "idempotency_key")


def test_marks_failed_batch_leaves_key_free_for_a_corrected_retry(panel):
    judge, event, entry = panel.judges[0], panel.event, panel.entries[0]
    post_marks(judge, event, [mark(entry, value="99")], key="k")

    response = post_marks(judge, event, [mark(entry)], key="k")

    assert response.status_code == 200
    assert Mark.objects.get().value == Decimal("15")


def test_marks_empty_batch_is_400(panel):
    response = post_marks(panel.judges[0], panel.event, [])

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("invalid", "marks")
    assert response.json()["detail"] == response.json()["errors"]["marks"]["non_field_errors"][0]


def test_marks_time_criterion_accepts_dnf_without_value():
    panel = judged_event_factory(
        criteria=[
            {"code": "run", "title": "计时", "kind": "time", "aggregation": "single", "max_value": Decimal("600")}
        ]
    )
    response = post_marks(
        panel.judges[0], panel.event, [{"entry": panel.entries[0].code, "criterion": "run", "status": "dnf"}]
    )

    assert response.status_code == 200
    assert response.json()["marks"][0]["value"] is None
    assert Mark.objects.get().status == "dnf"


def test_marks_get_judge_sees_only_own_marks(panel):
    entry = panel.entries[0]
    post_marks(panel.judges[0], panel.event, [mark(entry, value="15")], key="a")
    post_marks(panel.judges[1], panel.event, [mark(entry, value="12")], key="b")

    response = client_for(panel.judges[0]).get(f"/api/v1/events/{panel.event.pk}/marks/?entry={entry.code}")

    assert response.status_code == 200
    assert [(m["judge"], m["value"]) for m in response.json()["results"]] == [(panel.judges[0].pk, "15.000")]
    assert set(response.json()["results"][0]) == {
        "id", "entry", "code", "station", "criterion", "attempt", "judge", "value", "penalty", "status", "version",
        "updated_at",
    }  # fmt: skip


def test_marks_get_judge_still_blind_after_submitting_sheet(panel):
    entry = panel.entries[0]
    post_marks(panel.judges[0], panel.event, [mark(entry)], key="a")
    post_marks(panel.judges[1], panel.event, [mark(entry, value="12")], key="b")
    client_for(panel.judges[0]).post(f"/api/v1/events/{panel.event.pk}/sheets/submit/", {"entry": entry.code})

    response = client_for(panel.judges[0]).get(f"/api/v1/events/{panel.event.pk}/marks/?entry={entry.code}")

    assert [m["judge"] for m in response.json()["results"]] == [panel.judges[0].pk]


def test_marks_get_chief_judge_sees_all(panel):
    entry = panel.entries[0]
    post_marks(panel.judges[0], panel.event, [mark(entry, value="15")], key="a")
    post_marks(panel.judges[1], panel.event, [mark(entry, value="12")], key="b")

    response = client_for(panel.chief).get(f"/api/v1/events/{panel.event.pk}/marks/?entry={entry.code}")

    assert sorted(m["value"] for m in response.json()["results"]) == ["12.000", "15.000"]


def test_marks_get_outsider_is_403(panel):
    response = client_for(QuickUserFactory()).get(f"/api/v1/events/{panel.event.pk}/marks/")

    assert response.status_code == 403
    assert response.json()["code"] == "not_assigned"


@pytest.mark.parametrize("url", ["marks", "sheets"])
def test_marks_and_sheets_lists_do_not_grow_queries_with_entries(url):
    counts = []
    for size in (1, 3):
        panel = judged_event_factory(entries=size)
        for judge in panel.judges:
            post_marks(judge, panel.event, [mark(e) for e in panel.entries], key=f"k{panel.event.pk}-{judge.pk}")
        client = client_for(panel.chief)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"/api/v1/events/{panel.event.pk}/{url}/")
        assert response.json()["count"] == size * 3
        counts.append(len(captured))

    assert counts[0] == counts[1]


def test_marks_unknown_appeal_is_400(panel):
    response = post_marks(panel.judges[0], panel.event, [mark(panel.entries[0])], appeal=999999)

    assert (response.status_code, response.json()["code"], response.json()["field"]) == (
        400,
        "unknown_appeal",
        "appeal",
    )


def test_marks_overlong_key_is_400(panel):
    response = post_marks(panel.judges[0], panel.event, [mark(panel.entries[0])], key="k" * 101)

    assert (response.status_code, response.json()["code"]) == (400, "idempotency_key_invalid")


def test_marks_anonymous_post_is_refused(panel):
    response = APIClient().post(
        f"/api/v1/events/{panel.event.pk}/marks/", {"marks": [mark(panel.entries[0])]}, format="json"
    )

    assert response.status_code == 403
    assert Mark.objects.count() == 0


def test_marks_judge_naming_an_entry_by_id_is_400_entry_by_code(panel):
    response = post_marks(panel.judges[0], panel.event, [{**mark(panel.entries[0]), "entry": panel.entries[0].pk}])

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("entry_by_code", "marks[0].entry")
    assert Mark.objects.count() == 0


def test_marks_chief_judge_may_name_an_entry_by_id_and_gets_codes_back(panel):
    entry = panel.entries[0]
    assert post_marks(panel.judges[0], panel.event, [mark(entry)], "j1").status_code == 200
    # A chief judge's correction of that judge's mark (the chief marks no panel of their own).
    correction = {**mark(entry, value="16", version=1), "entry": entry.pk}
    response = post_marks(panel.chief, panel.event, [correction], "c1", judge=panel.judges[0].pk, reason="更正")

    assert response.status_code == 200
    assert [row["entry"] for row in response.json()["marks"]] == [entry.code]


def test_marks_unknown_code_is_400_entry_not_in_event(panel):
    response = post_marks(panel.judges[0], panel.event, [{**mark(panel.entries[0]), "entry": "NOPE"}])

    assert (response.status_code, response.json()["code"]) == (400, "entry_not_in_event")


def test_marks_get_by_unknown_code_is_400(panel):
    response = client_for(panel.judges[0]).get(f"/api/v1/events/{panel.event.pk}/marks/?entry=NOPE")

    assert (response.status_code, response.json()["code"], response.json()["field"]) == (
        400,
        "entry_not_in_event",
        "entry",
    )
