"""The chief judge's desk: one row per entry, one column per judge, each cell that judge's sheet status.

A cell is ``missing`` (marks expected, none given), ``draft`` (some marks, or all of them
but not submitted), ``submitted``, ``locked`` (locked or published), or ``none`` (the judge
marks nothing here: recused by unit, or not on that criterion's panel). Who is expected
comes from ``scoring.selectors.event_progress``, the same rule as the monitor.

A round (场次) is the entries sharing a start order: the stations run side by side, one
round after another. Rows are named by code and station; names and units are added only
once the event may name its entries (``names_visible``, after decoding).
"""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Count

from competitions.models import Entry, Event
from competitions.selectors import names_visible
from scoring.models import Mark, Sheet
from scoring.selectors import event_progress, variance_alerts

FILTERS = ("missing", "submitted", "alert")
OPEN = "open"


@dataclass
class DeskCell:
    judge_id: int
    state: str
    missing: int = 0
    alert: bool = False


@dataclass
class DeskRow:
    entry: Entry
    name: str = ""
    unit: str = ""
    cells: list[DeskCell] = field(default_factory=list)
    others_missing: int = 0  # marks anyone may enter (a measurement), still missing
    alerts: int = 0

    @property
    def code(self) -> str:
        return self.entry.code

    @property
    def round(self) -> int | None:
        return self.entry.start_order

    @property
    def missing(self) -> bool:
        return self.others_missing > 0 or any(cell.state in ("missing", "draft") for cell in self.cells)

    @property
    def submitted(self) -> bool:
        """Ready to lock: nothing missing, every expected judge has submitted, some sheet still open."""
        return not self.missing and any(cell.state == "submitted" for cell in self.cells)

    def shown(self, show: str) -> bool:
        if show == "missing":
            return self.missing
        if show == "submitted":
            return self.submitted
        if show == "alert":
            return self.alerts > 0
        return True


@dataclass
class Desk:
    judges: list
    rows: list[DeskRow]
    rounds: list[int]
    counts: dict[str, int]
    with_names: bool


def _cell_state(sheet_state: str | None, marked: int, missing: int) -> str:
    if sheet_state in (Sheet.State.LOCKED, Sheet.State.PUBLISHED):
        return "locked"
    if sheet_state == Sheet.State.SUBMITTED:
        return "submitted"
    if sheet_state is None and marked == 0:
        return "missing" if missing else "none"
    return "draft"


def chief_desk(*, event: Event, show: str = "", round_: int | None = None, alerts: list[dict] | None = None) -> Desk:
    """The desk's rows for ``event``, filtered by ``show`` (one of ``FILTERS``) and round; a fixed number of queries."""
    progress = event_progress(event=event)
    alerts = variance_alerts(event=event) if alerts is None else alerts
    marked = {
        (row["entry_id"], row["judge_id"]): row["n"]
        for row in Mark.objects.filter(entry__event=event).values("entry_id", "judge_id").annotate(n=Count("id"))
    }
    sheets = {
        (entry_id, judge_id): state
        for entry_id, judge_id, state in Sheet.objects.filter(entry__event=event).values_list(
            "entry_id", "judge_id", "state"
        )
    }
    # Columns: the panel, then anyone else who holds a sheet here (a chief who corrected a mark, say).
    judge_ids = [judge["judge"] for judge in progress["by_judge"]]
    judge_ids += sorted({judge_id for _entry, judge_id in sheets} - set(judge_ids))
    users = get_user_model().objects.in_bulk(judge_ids)
    judges = [users[pk] for pk in judge_ids if pk in users]
    missing: dict[tuple, int] = {}
    others: dict[int, int] = {}
    for row in progress["by_entry"]:
        for cell in row["cells"]:
            if cell["judge"] is None:
                others[row["entry"]] = others.get(row["entry"], 0) + 1
            else:
                key = (row["entry"], cell["judge"])
                missing[key] = missing.get(key, 0) + 1
    flagged: dict[tuple, int] = {}
    for alert in alerts:
        key = (alert["entry"], alert["judge"])
        flagged[key] = flagged.get(key, 0) + 1
    with_names = names_visible(event)
    entries = Entry.objects.filter(event=event).order_by("start_order", "station", "code", "id")
    if with_names:
        entries = entries.select_related("contestant__organisation", "team__organisation")
    rows, rounds = [], set()
    counts = dict.fromkeys(("", *FILTERS), 0)
    for entry in entries:
        if entry.start_order is not None:
            rounds.add(entry.start_order)
        row = DeskRow(entry=entry, others_missing=others.get(entry.pk, 0))
        if with_names and entry.holder is not None:
            holder = entry.holder
            row.name, row.unit = holder.name, holder.organisation.short_name or holder.organisation.name
        for judge in judges:
            key = (entry.pk, judge.pk)
            state = _cell_state(sheets.get(key), marked.get(key, 0), missing.get(key, 0))
            cell = DeskCell(judge_id=judge.pk, state=state, missing=missing.get(key, 0), alert=key in flagged)
            row.cells.append(cell)
            row.alerts += flagged.get(key, 0)
        if round_ is not None and entry.start_order != round_:
            continue
        counts[""] += 1
        for name in FILTERS:
            counts[name] += row.shown(name)
        if row.shown(show):
            rows.append(row)
    return Desk(judges=judges, rows=rows, rounds=sorted(rounds), counts=counts, with_names=with_names)


def alerts_by_deviation(alerts: list[dict]) -> list[dict]:
    """Variance alerts, the furthest from its panel's median first (then by code, criterion, attempt)."""
    return sorted(alerts, key=lambda a: (-a["deviation"], a["code"], a["criterion"], a["attempt"], a["judge"]))
