"""A test oracle: standings kept entry by entry, as marks arrive one at a time.

It scores every (entry, criterion) on its own through the engine's per-entry scorers, so
the engine's column fast path (``compute_standings``) can be checked against it on any
marks. Only tests use it; the product recomputes standings whole.
"""

from collections.abc import Iterable

from scoring.aggregation import CriterionResult, MarkValue
from scoring.standings import (
    _ENTRY_SEVERITY,
    EntryInfo,
    Policy,
    Scheme,
    ScoringError,
    Standings,
    _check_mark,
    _check_policy,
    _entry_row,
    _Plan,
    _rank,
    _Row,
    _score_entry,
)


class IncrementalStandings:
    """A second way to the standings, for tests: apply one mark, rescore one entry, re-rank.

    Holds ``{entry: {criterion: {attempt: {judge: mark}}}}`` plus each entry's
    criterion results and row. ``apply`` upserts on the mark's natural key, so
    a retried or replayed mark changes nothing; rescoring touches only the
    mark's (entry, criterion); re-ranking sorts the rows (about 2,000 rows is
    a few milliseconds). ``standings()`` always equals ``compute_standings``
    over the current marks. Not thread-safe: one instance per event, fed by
    one consumer.
    """

    def __init__(
        self,
        scheme: Scheme,
        entries: Iterable[EntryInfo],
        policy: Policy | None = None,
        marks: Iterable[MarkValue] = (),
    ):
        self._plan = _Plan(scheme)
        self._policy = _check_policy(policy or Policy())
        self._entries: dict[object, EntryInfo] = {info.entry_id: info for info in entries}
        self._cells: dict[object, dict[str, dict[int, dict[object, MarkValue]]]] = {e: {} for e in self._entries}
        self._results: dict[object, dict[str, CriterionResult]] = {e: {} for e in self._entries}
        self._rows: dict[object, _Row] = {}
        self._cached: Standings | None = None
        self._upsert_all(marks)
        for entry_id in self._entries:
            self._rebuild_row(entry_id)

    def apply(self, mark: MarkValue) -> Standings:
        """Upsert one mark and return the new standings."""
        self._store(mark)
        self._rescore(mark.entry_id, mark.criterion_code)
        self._rebuild_row(mark.entry_id)
        return self.standings()

    def apply_many(self, marks: Iterable[MarkValue]) -> Standings:
        """Upsert several marks, re-ranking once."""
        for entry_id in self._upsert_all(marks):
            self._rebuild_row(entry_id)
        return self.standings()

    def discard(self, entry_id: object, criterion_code: str, judge_id: object, attempt: int = 1) -> Standings:
        """Remove a mark (e.g. entered against the wrong entry); unknown keys are ignored."""
        cells = self._cells.get(entry_id, {}).get(criterion_code, {})
        cell = cells.get(attempt)
        if cell and cell.pop(judge_id, None) is not None:
            if not cell:
                del cells[attempt]
            self._rescore(entry_id, criterion_code)
            self._rebuild_row(entry_id)
        return self.standings()

    def set_entry(self, info: EntryInfo) -> Standings:
        """Add an entry or change its status (checked in, DNS, DSQ…)."""
        if info.status not in _ENTRY_SEVERITY:
            raise ScoringError("unknown_entry_status", f"unknown entry status {info.status!r}")
        if info.entry_id not in self._entries:
            self._cells[info.entry_id] = {}
            self._results[info.entry_id] = {}
        self._entries[info.entry_id] = info
        self._results[info.entry_id] = _score_entry(self._plan, info, self._cells[info.entry_id])
        self._rebuild_row(info.entry_id)
        return self.standings()

    def standings(self) -> Standings:
        if self._cached is None:
            self._cached = _rank(self._rows.values(), self._policy, self._plan.lower_is_better)
        return self._cached

    def _upsert_all(self, marks: Iterable[MarkValue]) -> set:
        """Store marks and rescore each touched (entry, criterion) once; return the entries."""
        touched = set()
        for mark in marks:
            self._store(mark)
            touched.add((mark.entry_id, mark.criterion_code))
        for entry_id, code in touched:
            self._rescore(entry_id, code)
        return {entry_id for entry_id, _ in touched}

    def _store(self, mark: MarkValue) -> None:
        _check_mark(self._plan, self._entries, mark)
        cells = self._cells[mark.entry_id].setdefault(mark.criterion_code, {})
        cells.setdefault(mark.attempt, {})[mark.judge_id] = mark

    def _rescore(self, entry_id: object, code: str) -> None:
        cells = self._cells[entry_id].get(code)
        results = self._results[entry_id]
        if not cells:
            results.pop(code, None)
            self._cells[entry_id].pop(code, None)
            return
        declared = self._entries[entry_id].attempt_multipliers
        multipliers = declared.get(code) if declared else None
        results[code] = self._plan.scorers[code].score(cells, multipliers)

    def _rebuild_row(self, entry_id: object) -> None:
        info = self._entries[entry_id]
        self._rows[entry_id] = _entry_row(self._plan, info, self._results[entry_id], self._policy.tie_break)
        self._cached = None
