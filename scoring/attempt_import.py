"""Dive lists from .xlsx: each row one declared attempt of one entry.

Columns: 参赛号 (the entry's code), 轮次 (attempt number), 动作 (the dive, e.g. 107B,
optional), 难度 (degree of difficulty) and optionally 评分项 (the criterion's code;
without it the criterion the organiser names, or the scheme's only criterion). The
file is read with the roster import's reader (``competitions.imports.read_sheet``:
same size, row and format limits), checked row by row with the same rules as the
API (``services._declared_problems``), and written by ``declared_attempts_save`` only
when no row has an error, so a preview (dry run) and the import say the same thing.
"""

from django.db import transaction

from competitions.imports import Column, SheetRow, sheet_rows_body
from competitions.models import Entry, Event
from config.api import parse_int64
from config.errors import error
from scoring.models import MarkingScheme
from scoring.services import AttemptInput, _declared_problems, declared_attempts_save

COLUMNS = [
    Column("code", "参赛号", required=True),
    Column("attempt", "轮次", required=True),
    Column("label", "动作"),
    Column("difficulty", "难度", required=True),
    Column("criterion", "评分项"),
]
_HEADERS = {column.key: column.header for column in COLUMNS}
# Where an API field's problem shows in the sheet.
_FIELD_COLUMN = {"entry": "code", "criterion": "criterion", "attempt": "attempt", "difficulty": "difficulty"}


def _default_criterion(event: Event, criterion: str | None) -> str:
    if criterion:
        return criterion
    scheme = MarkingScheme.objects.filter(event=event).first()
    codes = [c.code for c in scheme.criteria.all()] if scheme else []
    return codes[0] if len(codes) == 1 else ""


def build_preview(*, event: Event, raw_rows: list[dict], criterion: str | None = None) -> tuple[list, list]:
    """``(rows, items)``: every row with its errors, and the attempts of the rows without errors."""
    default = _default_criterion(event, criterion)
    entries = dict(Entry.objects.filter(event=event).values_list("code", "pk"))
    rows, items, item_rows = [], [], []
    for raw in raw_rows:
        row = SheetRow(raw["row"], raw["values"], _HEADERS)
        rows.append(row)
        values = raw["values"]
        entry_id = entries.get(values.get("code", ""))
        if entry_id is None:
            row.add_error("code", "entry_not_in_event")
        attempt = values.get("attempt", "")
        if (parse_int64(attempt) or 0) < 1:
            row.add_error("attempt", "attempt_out_of_range")
        if row.errors:
            continue
        items.append(
            AttemptInput(
                entry=entry_id,
                criterion=values.get("criterion") or default,
                attempt=int(attempt),
                difficulty=values.get("difficulty", ""),
                label=values.get("label", ""),
            )
        )
        item_rows.append(row)
    _rows, problems = _declared_problems(event=event, items=items)
    for path, code in problems:
        index, _dot, name = path.partition(".")
        row = item_rows[int(index[len("attempts[") : -1])]
        row.add_error(_FIELD_COLUMN.get(name, "code"), code)
    good = [item for item, row in zip(items, item_rows, strict=True) if not row.errors]
    return rows, good


def preview_body(rows: list[SheetRow], *, dry_run: bool) -> dict:
    return sheet_rows_body(rows, dry_run=dry_run)


@transaction.atomic
def attempts_import(*, user, event: Event, raw_rows: list[dict], criterion: str | None = None) -> dict:
    """Check every row and save the dive lists, or 400 ``import_has_errors`` with the preview."""
    rows, items = build_preview(event=event, raw_rows=raw_rows, criterion=criterion)
    body = preview_body(rows, dry_run=False)
    if body["errors"]:
        raise error("import_has_errors", count=len(body["errors"]), extra=body)
    declared_attempts_save(user=user, event=event, items=items)
    return body
