"""Bulk sheet actions: submit, lock, unlock or publish many sheets of an event in one call.

The same rules as the single actions (they run the same services), all or nothing, and
idempotent with the Idempotency-Key header.
"""

import pytest

from scoring.models import Sheet, SheetAudit
from tests.factories import SheetFactory, judged_event_factory
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def panel():
    return judged_event_factory(entries=3, judges=2)


def sheets_of(panel, state=Sheet.State.SUBMITTED):
    """One sheet per (entry, judge) of the panel, in ``state``, ordered by id."""
    return [
        SheetFactory(entry=entry, judge=judge, state=state) for entry in panel.entries for judge in panel.judges
    ]


def bulk(user, event, body, key="bulk-1"):
    headers = {"Idempotency-Key": key} if key else {}
    return client_for(user).post(f"/api/v1/events/{event.pk}/sheets/bulk/", body, format="json", headers=headers)


def states(sheets):
    return [Sheet.objects.get(pk=sheet.pk).state for sheet in sheets]


def test_sheets_bulk_lock_by_ids_locks_each_and_audits(panel):
    sheets = sheets_of(panel)

    response = bulk(panel.chief, panel.event, {"action": "lock", "sheets": [s.pk for s in sheets], "reason": "复核"})

    assert response.status_code == 200
    body = response.json()
    assert (body["action"], body["count"]) == ("lock", 6)
    assert [(item["id"], item["state"]) for item in body["sheets"]] == [(s.pk, "locked") for s in sheets]
    assert body["sheets"][0]["entry"] == panel.entries[0].code
    assert states(sheets) == ["locked"] * 6
    assert SheetAudit.objects.filter(action="lock", actor=panel.chief, reason="复核").count() == 6


def test_sheets_bulk_lock_without_ids_locks_every_submitted_sheet_of_the_event(panel):
    submitted = sheets_of(panel)
    draft = SheetFactory(entry=panel.entries[2], judge=panel.chief, state=Sheet.State.DRAFT)
    elsewhere = SheetFactory(state=Sheet.State.SUBMITTED)

    response = bulk(panel.chief, panel.event, {"action": "lock"})

    assert (response.status_code, response.json()["count"]) == (200, 6)
    assert states(submitted) == ["locked"] * 6
    assert states([draft, elsewhere]) == ["draft", "submitted"]


def test_sheets_bulk_is_all_or_nothing_and_names_the_refused_sheet(panel):
    sheets = sheets_of(panel)
    Sheet.objects.filter(pk=sheets[1].pk).update(state=Sheet.State.LOCKED)

    response = bulk(panel.chief, panel.event, {"action": "lock", "sheets": [s.pk for s in sheets]})

    assert response.status_code == 409
    assert (response.json()["code"], response.json()["field"], response.json()["sheet"]) == (
        "sheet_locked",
        "sheets[1]",
        sheets[1].pk,
    )
    assert states(sheets) == ["submitted", "locked", "submitted", "submitted", "submitted", "submitted"]
    assert SheetAudit.objects.count() == 0


def test_sheets_bulk_refuses_a_sheet_of_another_event(panel):
    other = SheetFactory(state=Sheet.State.SUBMITTED)

    response = bulk(panel.chief, panel.event, {"action": "lock", "sheets": [other.pk]})

    assert (response.status_code, response.json()["code"], response.json()["field"]) == (404, "not_found", "sheets[0]")
    assert states([other]) == ["submitted"]


def test_sheets_bulk_refuses_ids_beyond_64_bits(panel):
    response = bulk(panel.chief, panel.event, {"action": "lock", "sheets": [2**64]})

    # The field is named as the exception handler names a list field's item ("sheets.0" today).
    assert (response.status_code, response.json()["code"], response.json()["field"][:6]) == (400, "invalid", "sheets")


def test_sheets_bulk_chief_judge_acts_only_on_their_events(panel):
    sheets = sheets_of(panel)
    chief_elsewhere = judged_event_factory(entries=1, judges=1).chief

    by_id = bulk(chief_elsewhere, panel.event, {"action": "lock", "sheets": [sheets[0].pk]})
    by_filter = bulk(chief_elsewhere, panel.event, {"action": "lock"}, key="bulk-2")
    by_judge = bulk(panel.judges[0], panel.event, {"action": "lock"}, key="bulk-3")

    assert [(r.status_code, r.json()["code"]) for r in (by_id, by_filter, by_judge)] == [
        (403, "not_chief_judge"),
        (403, "not_chief_judge"),
        (403, "not_chief_judge"),
    ]
    assert states(sheets) == ["submitted"] * 6


def test_sheets_bulk_submit_by_entry_codes_submits_the_judges_own_sheets(panel):
    judge = panel.judges[0]
    mine = [SheetFactory(entry=entry, judge=judge) for entry in panel.entries]
    theirs = SheetFactory(entry=panel.entries[0], judge=panel.judges[1])

    response = bulk(judge, panel.event, {"action": "submit", "entries": [e.code for e in panel.entries[:2]]})
    rest = bulk(judge, panel.event, {"action": "submit"}, key="bulk-2")

    assert [item["entry"] for item in response.json()["sheets"]] == [e.code for e in panel.entries[:2]]
    assert (response.status_code, rest.status_code, rest.json()["count"]) == (200, 200, 1)
    assert states([*mine, theirs]) == ["submitted", "submitted", "submitted", "draft"]


def test_sheets_bulk_submit_refuses_entry_ids_and_other_judges_sheets(panel):
    judge = panel.judges[0]
    theirs = SheetFactory(entry=panel.entries[0], judge=panel.judges[1])

    by_id = bulk(judge, panel.event, {"action": "submit", "entries": [panel.entries[0].pk]})
    by_sheet = bulk(judge, panel.event, {"action": "submit", "sheets": [theirs.pk]}, key="bulk-2")

    assert (by_id.status_code, by_id.json()["code"], by_id.json()["field"]) == (400, "entry_by_code", "entries[0]")
    assert (by_sheet.status_code, by_sheet.json()["code"], by_sheet.json()["field"]) == (404, "not_found", "sheets[0]")
    assert states([theirs]) == ["draft"]


def test_sheets_bulk_takes_entries_only_to_submit(panel):
    sheets = sheets_of(panel)

    response = bulk(panel.chief, panel.event, {"action": "lock", "entries": [panel.entries[0].code]})

    assert (response.status_code, response.json()["code"], response.json()["field"]) == (
        400,
        "sheets_bulk_selection",
        "entries",
    )
    assert states(sheets) == ["submitted"] * 6


def test_sheets_bulk_unlock_needs_a_reason_and_publish_needs_locked_sheets(panel):
    sheets = sheets_of(panel, state=Sheet.State.LOCKED)
    ids = [s.pk for s in sheets]

    no_reason = bulk(panel.chief, panel.event, {"action": "unlock", "sheets": ids})
    published = bulk(panel.chief, panel.event, {"action": "publish", "sheets": ids[:2]}, key="bulk-2")
    unlocked = bulk(panel.chief, panel.event, {"action": "unlock", "reason": "更正"}, key="bulk-3")
    not_locked = bulk(panel.chief, panel.event, {"action": "publish", "sheets": ids[2:3]}, key="bulk-4")

    assert (no_reason.status_code, no_reason.json()["code"]) == (400, "reason_required")
    assert (published.status_code, unlocked.status_code, unlocked.json()["count"]) == (200, 200, 4)
    assert (not_locked.status_code, not_locked.json()["code"]) == (409, "sheet_not_locked")
    assert states(sheets) == ["published", "published", "submitted", "submitted", "submitted", "submitted"]


def test_sheets_bulk_needs_an_idempotency_key_and_replays_the_original_result(panel):
    sheets = sheets_of(panel)
    body = {"action": "lock", "sheets": [s.pk for s in sheets[:2]]}

    missing = bulk(panel.chief, panel.event, body, key=None)
    first = bulk(panel.chief, panel.event, body, key="once")
    again = bulk(panel.chief, panel.event, body, key="once")
    other = bulk(panel.chief, panel.event, {**body, "action": "publish"}, key="once")

    assert (missing.status_code, missing.json()["code"]) == (400, "idempotency_key_required")
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json() == first.json()
    assert (again.headers.get("Idempotent-Replayed"), first.headers.get("Idempotent-Replayed")) == ("true", None)
    assert (other.status_code, other.json()["code"]) == (400, "idempotency_key_reused")
    assert SheetAudit.objects.filter(action="lock").count() == 2
    assert states(sheets[:3]) == ["locked", "locked", "submitted"]
