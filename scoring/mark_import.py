"""Marks from a file (.xlsx): measured and timed results for criteria assigned to one judge.

A single-judge or measurement criterion (a time from the timing system, a measured
dimension, a theory paper's score) accepts marks from its assigned judge or from an
import: the chief judge (or an organiser) uploads the results, and each row becomes that
judge's mark, written by ``marks_submit`` as the importer's correction with the file named
in the reason, so the mark history records who imported what. Criteria marked by a panel
cannot be imported: each panel judge marks for themselves.

Columns: 参赛号 (the entry's code) or 身份证号 (the contestant's ID number, as an exam system's
export has it; an individual event only), 评分项 (the criterion's code), 轮次 (the attempt,
1 if blank), 成绩 (the value, as the tablet takes it: seconds for a time), 罚分 (penalty,
optional) and 状态 (optional: 正常 / 未完成 / 取消资格 / 未出赛, or ok / dnf / dsq / dns).

The file is read with the roster import's reader (same size, row and format limits), each
row is checked with the mark path's own rules (``services.marks_check``), and nothing is
written unless every row passes, so a preview (dry run) and the import say the same thing.
Importing the same file again changes nothing: its idempotency key is the file's digest.
"""

import hashlib
from dataclasses import replace

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from competitions.imports import Column, SheetRow, sheet_rows_body
from competitions.models import Entry, Event
from config.errors import DomainError, error
from scoring import selectors
from scoring.models import Criterion, IdempotencyRecord, Mark
from scoring.services import MarkInput, marks_check, marks_submit

COLUMNS = [
    Column("code", "参赛号"),
    Column("id_number", "身份证号"),
    Column("criterion", "评分项", required=True),
    Column("attempt", "轮次"),
    Column("value", "成绩"),
    Column("penalty", "罚分"),
    Column("status", "状态"),
]
_HEADERS = {column.key: column.header for column in COLUMNS}
_STATUSES = {
    "": Mark.Status.OK,
    **{value: value for value in Mark.Status.values},
    **{str(label): value for value, label in Mark.Status.choices},
}


def _column_of(field_path: str | None) -> str:
    """``marks[0].value`` → ``value``: where a mark's problem shows in the sheet."""
    name = (field_path or "").rpartition(".")[2]
    return {"entry": "code", "criterion": "criterion", "attempt": "attempt", "penalty": "penalty"}.get(
        name, "status" if name == "status" else "value"
    )


def build_preview(*, event: Event, raw_rows: list[dict], actor) -> tuple[list[SheetRow], list[tuple]]:
    """``(rows, planned)``: every row with its errors, and ``(judge, MarkInput)`` for the rows without errors."""
    entries = dict(Entry.objects.filter(event=event).values_list("code", "pk"))
    by_id_number = dict(
        Entry.objects.filter(event=event, contestant__isnull=False).values_list("contestant__id_number", "pk")
    )
    criteria = {c.code: c for c in Criterion.objects.filter(scheme__event=event)}
    assigned = selectors.criterion_judges(list(criteria.values()))
    judges = get_user_model().objects.in_bulk({pk for ids in assigned.values() for pk in ids})
    rows, planned = [], []
    seen = set()
    for raw in raw_rows:
        row = SheetRow(raw["row"], raw["values"], _HEADERS)
        rows.append(row)
        values = raw["values"]
        if values.get("code"):
            entry_id = entries.get(values["code"])
            if entry_id is None:
                row.add_error("code", "entry_not_in_event")
        else:
            entry_id = by_id_number.get(values.get("id_number", "").strip().upper())
            if entry_id is None:
                row.add_error("id_number", "entry_not_in_event")
        criterion = criteria.get(values.get("criterion", ""))
        if criterion is None:
            row.add_error("criterion", "unknown_criterion")
        elif len(assigned.get(criterion.pk, ())) != 1:
            row.add_error("criterion", "criterion_not_importable")
        attempt = values.get("attempt", "") or "1"
        if not attempt.isdigit() or int(attempt) < 1:
            row.add_error("attempt", "attempt_out_of_range")
        status = _STATUSES.get(
            values.get("status", "").strip().lower(), _STATUSES.get(values.get("status", "").strip())
        )
        if status is None:
            row.add_error("status", "invalid")
        if row.errors:
            continue
        if (entry_id, criterion.pk, int(attempt)) in seen:
            row.add_error("code", "duplicate_mark")
            continue
        seen.add((entry_id, criterion.pk, int(attempt)))
        judge = judges[next(iter(assigned[criterion.pk]))]
        mark = MarkInput(
            entry=entry_id,
            criterion=criterion.code,
            attempt=int(attempt),
            value=values.get("value", "") or None,
            penalty=values.get("penalty", "") or "0",
            status=status,
        )
        try:
            marks_check(judge=judge, actor=actor, event=event, marks=[mark])
        except DomainError as exc:
            row.add_error(_column_of(exc.field), exc.code)
            continue
        planned.append((judge, mark))
    return rows, planned


def preview_body(rows: list[SheetRow], *, dry_run: bool) -> dict:
    return sheet_rows_body(rows, dry_run=dry_run)


@transaction.atomic
def marks_import(*, actor, event: Event, raw_rows: list[dict], content: bytes, filename: str = "") -> dict:
    """Check every row and write the marks (one batch per assigned judge), or 400 ``import_has_errors``.

    Each mark overwrites the judge's stored one (the import is the source of truth for a
    measured criterion); a locked sheet refuses the whole import (409 ``sheet_locked``).
    """
    rows, planned = build_preview(event=event, raw_rows=raw_rows, actor=actor)
    body = preview_body(rows, dry_run=False)
    if body["errors"]:
        raise error("import_has_errors", count=len(body["errors"]), extra=body)
    if not planned:
        raise error("import_empty", field="file")
    digest = hashlib.sha256(content).hexdigest()[:40]
    reason = _("导入成绩：%(file)s") % {"file": (filename or "upload.xlsx")[:120]}
    by_judge: dict[int, list] = {}
    for judge, mark in planned:
        by_judge.setdefault(judge.pk, [judge, []])[1].append(mark)
    written = 0
    for judge, marks in by_judge.values():
        key = f"import-{digest}-{judge.pk}"
        if IdempotencyRecord.objects.filter(user=actor, key=key).exists():
            continue  # this file was imported already: nothing changes
        stored = {
            (m.entry_id, m.criterion.code, m.attempt): m.version
            for m in Mark.objects.filter(judge=judge, entry__event=event).select_related("criterion")
        }
        marks = [replace(mark, version=stored.get((mark.entry, mark.criterion, mark.attempt), 0)) for mark in marks]
        result = marks_submit(
            judge=judge,
            actor=actor,
            event=event,
            marks=marks,
            idempotency_key=key,
            reason=reason,
        )
        written += len(result.response["marks"])
    body["counts"]["written"] = written
    return body
