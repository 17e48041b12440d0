"""What a judge's tablet holds of an event: the sheets they may mark, by code, with values and versions.

One shape serves three readers, so they cannot drift apart: the sheet page embeds one sheet,
the offline bundle (``event_bundle``) carries every sheet of the event for the tablet's
IndexedDB, and the judge's socket (``judging.push``) sends a sheet's marks when it is locked
or corrected. Marks are keyed ``"<criterion>:<attempt>"``; entries are named by code only.
"""

import time

from django.urls import reverse

from competitions.access import recused_entry_ids
from competitions.models import Entry, Event
from config.errors import message
from scoring.models import Criterion, Mark, Sheet
from scoring.selectors import criteria_marked_by
from scoring.services import MARK_VALUE_CODES, decimal_text


def server_clock() -> int:
    """Milliseconds of the server's clock: the tablet keeps the sheet state stamped last (page, bundle, frame)."""
    return int(time.time() * 1000)


def mark_json(mark: Mark) -> dict:
    return {
        "value": decimal_text(mark.value),
        "penalty": decimal_text(mark.penalty),
        "status": mark.status,
        "version": mark.version,
    }


def sheet_marks(judge, entry_ids) -> dict[int, dict[str, dict]]:
    """``{entry_id: {"<criterion>:<attempt>": mark}}`` of ``judge`` on those entries (one query)."""
    marks: dict[int, dict[str, dict]] = {entry_id: {} for entry_id in entry_ids}
    rows = Mark.objects.filter(entry_id__in=entry_ids, judge=judge).select_related("criterion")
    for mark in rows:
        marks[mark.entry_id][f"{mark.criterion.code}:{mark.attempt}"] = mark_json(mark)
    return marks


def criterion_json(criterion: Criterion, decimals: int) -> dict:
    return {
        "code": criterion.code,
        "title": criterion.display_title,
        "description": criterion.description,
        "kind": criterion.kind,
        "min": decimal_text(criterion.min_value),
        "max": decimal_text(criterion.max_value),
        "step": decimal_text(criterion.step),
        "decimals": decimals,
        "attempts": criterion.attempts,
        "penalty_per_unit": decimal_text(criterion.penalty_per_unit),
    }


def judge_criteria(judge, event: Event) -> list[Criterion]:
    """The criteria ``judge`` marks in ``event`` (assigned to them, or the panel's), in order."""
    scheme = getattr(event, "scheme", None)
    return criteria_marked_by(judge, event, list(scheme.criteria.all())) if scheme else []


def markable_entries(judge, event: Event) -> list[Entry]:
    """The event's entries ``judge`` may open, in sheet order: drawn (a code) and not recused."""
    entries = list(
        Entry.objects.filter(event=event)
        .exclude(code="")
        .select_related("contestant", "team")
        .order_by("station", "start_order", "code", "id")
    )
    for entry in entries:
        entry.event = event
    recused = recused_entry_ids(judge, entries)
    return [entry for entry in entries if entry.pk not in recused]


def value_messages() -> dict[str, str]:
    """The messages of the value checks the tablet repeats before sending (as the API words them)."""
    return {code: str(message(code)) for code in MARK_VALUE_CODES}


def event_bundle(judge, event: Event) -> dict:
    """Everything the tablet needs to mark ``event`` offline: criteria, and each sheet's state and marks."""
    scheme = getattr(event, "scheme", None)
    decimals = scheme.decimals if scheme else 2
    entries = markable_entries(judge, event)
    ids = [entry.pk for entry in entries]
    marks = sheet_marks(judge, ids)
    sheets = {s.entry_id: s for s in Sheet.objects.filter(entry_id__in=ids, judge=judge)}
    return {
        "event": event.pk,
        "revision": scheme.revision if scheme else 0,
        "criteria": [criterion_json(c, decimals) for c in judge_criteria(judge, event)],
        "messages": value_messages(),
        "home": reverse("tablet:home"),
        "at": server_clock(),
        "sheets": [
            {
                "entry": entry.code,
                "station": entry.station,
                "url": reverse("tablet:sheet", args=[event.pk, entry.code]),
                "state": sheets[entry.pk].state if entry.pk in sheets else Sheet.State.DRAFT,
                "reason": sheets[entry.pk].reason if entry.pk in sheets else "",
                "marks": marks[entry.pk],
            }
            for entry in entries
        ],
    }
