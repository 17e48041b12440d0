"""A state machine over the mark path, driven through the REST API as its clients drive it (issue #12).

Three judges, a chief judge and an organiser, each with a real API token, work one blind event,
already decoded so that its public board shows scores (a blind event's board is sealed until
decoding: ``tests/judging/test_blind_attacker.py``): judges send batches of marks (each with a
new Idempotency-Key), retry them byte for byte, reuse a key for another body, and send what
must be refused whole (stale versions, bad values, a cell twice, another judge's marks); they
hand in sheets; the chief judge locks, unlocks and publishes sheets, records appeals (申诉) and
corrects judges' marks with a reason; the organiser decides appeals; marks are changed under an
appeal. The machine keeps its own model of what each request must do, checks every response
against it, and after every step checks:

- every acknowledged mark is stored with its value and version, and no other mark is;
- nothing counts twice: each mark has exactly ``version`` history rows, and the event's
  standings version counts the batches that changed something (a replay changes nothing);
- history is append-only: mark history, sheet audit and results audit rows seen before are
  unchanged and still there, and together they are exactly the rows the model expects;
- the standings the API and the live board serve equal a from-scratch recompute
  (``scoring.standings.compute_standings``) and the incremental oracle
  (``tests/scoring/incremental.py``), both fed from the model rather than the database, and
  the board cached for deltas (``live.board``) equals a freshly computed one.

``transaction=True``: every request commits, so the after-commit broadcasts really run.
Bounded for ``make test``; ``HYPOTHESIS_LONG=1`` runs many more and longer examples.
"""

import os
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import count

import pytest
from channels.layers import channel_layers
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test
from knox.models import AuthToken
from rest_framework.test import APIClient

from live import board
from live.models import BoardState
from scoring.aggregation import MarkValue
from scoring.models import EventStandingsVersion, Mark, MarkHistory, ResultsAudit, SheetAudit
from scoring.selectors import scheme_policy, scheme_to_pure
from scoring.standings import EntryInfo, compute_standings
from tests.factories import judged_event_factory
from tests.scoring.incremental import IncrementalStandings

pytestmark = pytest.mark.django_db(transaction=True)

LONG = os.environ.get("HYPOTHESIS_LONG") == "1"
BUDGET = settings(
    max_examples=200 if LONG else 12,
    stateful_step_count=50 if LONG else 30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

JUDGES = 3
ENTRIES = 3
CRITERIA = ("look", "taste")
# Valid values sit on the 0.5 step in range; equal values recur, so no-op writes happen too.
VALUES = {"look": ("0", "7.5", "12", "15", "19.5", "20"), "taste": ("0", "15", "30.5", "32", "40")}
BAD_VALUES = {"look": (("20.5", "out_of_range"), ("7.3", "off_step")), "taste": (("-1", "out_of_range"),)}
CHIEF = "chief"
LOCKED = ("locked", "published")
MAX_APPEALS = 3  # per example: enough to decide some and change marks under others


def text(value: Decimal) -> str:
    return format(value.normalize(), "f")


@dataclass(frozen=True)
class Batch:
    """One POST of marks: who sends it, whose marks they are, and exactly what is sent."""

    actor: str  # "j0", "j1", "j2" or CHIEF
    judge: int
    marks: tuple  # ((entry index, criterion code, value text, version), ...)
    key: str
    reason: str = ""
    appeal: int | None = None


@dataclass
class Stored:
    value: Decimal
    version: int


@dataclass
class Model:
    marks: dict = field(default_factory=dict)  # (entry, criterion, judge) -> Stored
    sheets: dict = field(default_factory=dict)  # (entry, judge) -> "draft" | "submitted" | "locked" | "published"
    records: dict = field(default_factory=dict)  # (actor, key) -> (Batch, response body)
    appeals: dict = field(default_factory=dict)  # appeal id -> status
    standings_version: int = 0
    history: list = field(default_factory=list)  # expected MarkHistory rows
    sheet_audit: list = field(default_factory=list)  # expected SheetAudit rows
    results_audit: list = field(default_factory=list)  # expected ResultsAudit rows


class MarkPathMachine(RuleBasedStateMachine):
    """One event per example; the model is the truth the API must match."""

    def __init__(self):
        super().__init__()
        panel = judged_event_factory(
            entries=ENTRIES,
            judges=JUDGES,
            criteria=[
                {"code": "look", "title": "观感", "max_value": Decimal("20"), "panel_size": JUDGES},
                {"code": "taste", "title": "味感", "max_value": Decimal("40")},
            ],
            decoded=True,
        )
        self.event = panel.event
        self.entries = panel.entries
        self.judges = panel.judges
        self.clients = {f"j{i}": signed_in(user) for i, user in enumerate(panel.judges)}
        self.clients[CHIEF] = signed_in(panel.chief)
        self.organiser = signed_in(panel.organiser)
        self.public = APIClient()
        self.users = {f"j{i}": user.pk for i, user in enumerate(panel.judges)} | {CHIEF: panel.chief.pk}
        self.organiser_id = panel.organiser.pk
        self.keys = count(1)
        self.sent = []  # every batch posted, answered or refused
        self.model = Model()
        self.sheet_ids = {}
        self.seen_history, self.seen_sheet_audit, self.seen_results_audit = {}, {}, {}
        self.served_version = None  # the standings version last read over HTTP
        scheme = panel.scheme
        self.pure, self.policy = scheme_to_pure(scheme), scheme_policy(scheme)
        self.infos = [EntryInfo(entry.pk, entry.status) for entry in self.entries]
        self.oracle = IncrementalStandings(self.pure, self.infos, self.policy)

    # ---------------------------------------------------------------- sending

    def _new_key(self) -> str:
        return f"sm-{next(self.keys)}"

    def _body(self, batch: Batch) -> dict:
        body = {
            "marks": [
                {"entry": self.entries[e].code, "criterion": c, "value": v, "version": version}
                for e, c, v, version in batch.marks
            ]
        }
        if batch.actor != f"j{batch.judge}":
            body["judge"] = self.judges[batch.judge].pk
        if batch.reason:
            body["reason"] = batch.reason
        if batch.appeal is not None:
            body["appeal"] = batch.appeal
        return body

    def _post(self, batch: Batch):
        return self.clients[batch.actor].post(
            f"/api/v1/events/{self.event.pk}/marks/",
            self._body(batch),
            format="json",
            headers={"Idempotency-Key": batch.key},
        )

    def _expected(self, batch: Batch):
        """What the server must answer: ("replay", body) | (status, code) | (200, planned changes)."""
        model = self.model
        if batch.actor != f"j{batch.judge}":
            if batch.actor != CHIEF:
                return 403, "not_chief_judge"  # only the chief judge writes another judge's marks
            if not batch.reason.strip():
                return 400, "reason_required"
        record = model.records.get((batch.actor, batch.key))
        if record is not None:
            return ("replay", record[1]) if record[0] == batch else (400, "idempotency_key_reused")
        cells = set()
        for e, c, v, _version in batch.marks:
            if (e, c) in cells:
                return 400, "duplicate_mark"
            cells.add((e, c))
            bad = dict(BAD_VALUES[c])
            if v in bad:
                return 400, bad[v]
        if batch.appeal is not None and model.appeals[batch.appeal] != "open":
            return 409, "appeal_not_open"
        if any(model.sheets.get((e, batch.judge)) in LOCKED for e, *_ in batch.marks):
            return 409, "sheet_locked"
        planned = []
        for e, c, v, version in batch.marks:
            stored = model.marks.get((e, c, batch.judge))
            changed = stored is None or stored.value != Decimal(v)
            current = stored.version if stored else 0
            if changed and version != current:
                return 409, "version_conflict"
            planned.append((e, c, Decimal(v), changed, current + 1 if changed else current))
        return 200, planned

    def send(self, batch: Batch) -> None:
        """Post ``batch``, check the answer against the model, and apply it to the model."""
        expected = self._expected(batch)
        event(f"marks: {expected[0] if expected[0] in ('replay', 200) else expected[1]}")
        response = self._post(batch)
        self.sent.append(batch)
        if expected[0] == "replay":
            assert response.status_code == 200, response.json()
            assert response.headers.get("Idempotent-Replayed") == "true"
            assert response.json() == expected[1]
            return
        if expected[0] != 200:
            assert (response.status_code, response.json()["code"]) == expected, response.json()
            return
        assert response.status_code == 200, response.json()
        assert response.headers.get("Idempotent-Replayed") is None
        model = self.model
        if any(changed for *_, changed, _v in expected[1]):
            model.standings_version += 1
        rows = []
        for e, c, value, changed, version in expected[1]:
            key = (e, c, batch.judge)
            if changed:
                old = model.marks.get(key)
                model.marks[key] = Stored(value, version)
                model.history.append(
                    (
                        self.entries[e].pk,
                        c,
                        self.judges[batch.judge].pk,
                        version,
                        old.value if old else None,
                        value,
                        self.users[batch.actor],
                        batch.reason,
                        batch.appeal,
                        batch.key,
                    )
                )
                self.oracle.apply(MarkValue(self.entries[e].pk, c, self.judges[batch.judge].pk, 1, value))
            model.sheets.setdefault((e, batch.judge), "draft")
            rows.append(
                {
                    "entry": self.entries[e].code,
                    "criterion": c,
                    "attempt": 1,
                    "value": text(model.marks[key].value),
                    "penalty": "0",
                    "status": "ok",
                    "version": version,
                    "changed": changed,
                }
            )
        body = {"marks": rows, "standings_version": model.standings_version}
        assert response.json() == body
        model.records[(batch.actor, batch.key)] = (batch, body)

    def _proper(self, judge: int, marks) -> tuple:
        """Marks with the version each is currently at (0 for a new one): what a client in sync sends."""
        out = []
        for e, c, v in marks:
            stored = self.model.marks.get((e, c, judge))
            out.append((e, c, v, stored.version if stored else 0))
        return tuple(out)

    def _sheet_id(self, e: int, j: int) -> int:
        if (e, j) not in self.sheet_ids:
            listed = self.clients[CHIEF].get(f"/api/v1/events/{self.event.pk}/sheets/").json()["results"]
            judge_index = {user.pk: i for i, user in enumerate(self.judges)}
            code_index = {entry.code: i for i, entry in enumerate(self.entries)}
            for sheet in listed:
                self.sheet_ids[(code_index[sheet["entry"]], judge_index[sheet["judge"]])] = sheet["id"]
        return self.sheet_ids[(e, j)]

    # ---------------------------------------------------------------- rules: marks

    @rule(data=st.data(), judge=st.integers(0, JUDGES - 1))
    def submit(self, data, judge):
        """A judge in sync sends a new batch (a new key, current versions)."""
        marks = data.draw(batch_marks())
        self.send(Batch(f"j{judge}", judge, self._proper(judge, marks), self._new_key()))

    @precondition(lambda self: self.sent)
    @rule(data=st.data())
    def retry(self, data):
        """The exact same request again, as a tablet that lost the answer sends it.

        Mostly an answered batch (the first answer again, nothing counted twice); now and
        then a refused one, which is judged afresh.
        """
        answered = [batch for batch, _body in self.model.records.values()]
        pool = answered if answered and data.draw(st.sampled_from((True, True, True, False))) else self.sent
        self.send(data.draw(st.sampled_from(pool)))

    @precondition(lambda self: self.model.records)
    @rule(data=st.data())
    def reuse_key(self, data):
        """An earlier key with another body: refused, nothing changes."""
        batch, _body = data.draw(st.sampled_from(sorted(self.model.records.values(), key=lambda r: r[0].key)))
        marks = data.draw(batch_marks())
        other = Batch(batch.actor, batch.judge, self._proper(batch.judge, marks), batch.key, batch.reason, batch.appeal)
        self.send(other)

    @rule(
        data=st.data(),
        judge=st.integers(0, JUDGES - 1),
        e=st.integers(0, ENTRIES - 1),
        c=st.sampled_from(CRITERIA),
        kind=st.sampled_from(("stale", "bad_value", "duplicate", "other_judge", "chief_own")),
    )
    def submit_refused(self, data, judge, e, c, kind):
        """Requests the server must refuse whole, changing nothing.

        - stale: based on another version than the stored one, or a version for a mark never
          made (409 version_conflict; a no-op if the value is the stored one, whatever the version);
        - bad_value: out of range or off the step beside a good mark (400 for the batch);
        - duplicate: one cell twice in a batch (400 duplicate_mark);
        - other_judge: a judge sends marks as another judge (403 not_chief_judge);
        - chief_own: the chief judge's own marks (not on the panel: 403 not_on_panel).
        """
        value = data.draw(st.sampled_from(VALUES[c]))
        if kind == "stale":
            stored = self.model.marks.get((e, c, judge))
            version = max(0, (stored.version if stored else 0) + data.draw(st.sampled_from((-1, 1, 3))))
            if stored is None and version == 0:
                version = 1
            self.send(Batch(f"j{judge}", judge, ((e, c, value, version),), self._new_key()))
        elif kind == "bad_value":
            bad, _code = data.draw(st.sampled_from(BAD_VALUES[c]))
            other = "taste" if c == "look" else "look"
            marks = self._proper(judge, ((e, other, data.draw(st.sampled_from(VALUES[other]))), (e, c, bad)))
            self.send(Batch(f"j{judge}", judge, marks, self._new_key()))
        elif kind == "duplicate":
            second = data.draw(st.sampled_from(VALUES[c]))
            self.send(Batch(f"j{judge}", judge, self._proper(judge, ((e, c, value), (e, c, second))), self._new_key()))
        elif kind == "other_judge":
            sender = (judge + data.draw(st.integers(1, JUDGES - 1))) % JUDGES
            self.send(Batch(f"j{sender}", judge, self._proper(judge, ((e, c, value),)), self._new_key(), "帮忙录入"))
        else:
            response = self.clients[CHIEF].post(
                f"/api/v1/events/{self.event.pk}/marks/",
                {"marks": [{"entry": self.entries[e].code, "criterion": c, "value": value}]},
                format="json",
                headers={"Idempotency-Key": self._new_key()},
            )
            assert (response.status_code, response.json()["code"]) == (403, "not_on_panel")

    @precondition(lambda self: any(state in LOCKED for state in self.model.sheets.values()))
    @rule(data=st.data())
    def submit_into_locked_sheet(self, data):
        """A judge in sync writes to a locked (or published) sheet: 409 sheet_locked, nothing changes."""
        e, judge = data.draw(st.sampled_from(sorted(k for k, s in self.model.sheets.items() if s in LOCKED)))
        c = data.draw(st.sampled_from(CRITERIA))
        value = data.draw(st.sampled_from(VALUES[c]))
        self.send(Batch(f"j{judge}", judge, self._proper(judge, ((e, c, value),)), self._new_key()))

    @precondition(lambda self: self.model.marks)
    @rule(data=st.data(), with_reason=st.sampled_from((True, True, True, False)))
    def chief_correction(self, data, with_reason):
        """The chief judge corrects a judge's mark; the reason is required and signed in the history."""
        e, c, judge = data.draw(st.sampled_from(sorted(self.model.marks)))
        value = data.draw(st.sampled_from(VALUES[c]))
        reason = "录入错误，裁判长更正" if with_reason else ""
        self.send(Batch(CHIEF, judge, self._proper(judge, ((e, c, value),)), self._new_key(), reason))

    # ---------------------------------------------------------------- rules: sheets

    @rule(judge=st.integers(0, JUDGES - 1), e=st.integers(0, ENTRIES - 1))
    def hand_in_sheet(self, judge, e):
        """The judge hands in the sheet (draft → submitted; a sheet is made if none exists)."""
        response = self.clients[f"j{judge}"].post(
            f"/api/v1/events/{self.event.pk}/sheets/submit/", {"entry": self.entries[e].code}, format="json"
        )
        state = self.model.sheets.get((e, judge), "draft")
        if state in LOCKED:
            assert (response.status_code, response.json()["code"]) == (409, "sheet_locked")
            return
        assert (response.status_code, response.json()["state"]) == (200, "submitted")
        self.sheet_ids[(e, judge)] = response.json()["id"]
        if state == "draft":
            self._sheet_audit(e, judge, "submit", "draft", "submitted", f"j{judge}", "")
        self.model.sheets[(e, judge)] = "submitted"

    @precondition(lambda self: self.model.sheets)
    @rule(data=st.data())
    def lock_sheet(self, data):
        e, judge = data.draw(st.sampled_from(sorted(self.model.sheets)))
        response = self.clients[CHIEF].post(f"/api/v1/sheets/{self._sheet_id(e, judge)}/lock/", {"reason": "核对无误"})
        state = self.model.sheets[(e, judge)]
        if state in LOCKED:
            assert (response.status_code, response.json()["code"]) == (409, "sheet_locked")
            return
        assert (response.status_code, response.json()["state"]) == (200, "locked")
        self._sheet_audit(e, judge, "lock", state, "locked", CHIEF, "核对无误")
        self.model.sheets[(e, judge)] = "locked"

    @precondition(lambda self: self.model.sheets)
    @rule(data=st.data(), with_reason=st.sampled_from((True, True, True, False)))
    def unlock_sheet(self, data, with_reason):
        e, judge = data.draw(st.sampled_from(sorted(self.model.sheets)))
        reason = "裁判长签字更正" if with_reason else " "
        response = self.clients[CHIEF].post(f"/api/v1/sheets/{self._sheet_id(e, judge)}/unlock/", {"reason": reason})
        state = self.model.sheets[(e, judge)]
        if not with_reason:
            assert (response.status_code, response.json()["code"]) == (400, "reason_required")
        elif state not in LOCKED:
            assert (response.status_code, response.json()["code"]) == (409, "sheet_not_locked")
        else:
            assert (response.status_code, response.json()["state"]) == (200, "submitted")
            self._sheet_audit(e, judge, "unlock", state, "submitted", CHIEF, reason)
            self.model.sheets[(e, judge)] = "submitted"

    @precondition(lambda self: self.model.sheets)
    @rule(data=st.data())
    def publish_sheet(self, data):
        """The chief judge publishes a locked sheet; anything else is 409 sheet_not_locked."""
        e, judge = data.draw(st.sampled_from(sorted(self.model.sheets)))
        response = self.clients[CHIEF].post(f"/api/v1/sheets/{self._sheet_id(e, judge)}/publish/")
        if self.model.sheets[(e, judge)] != "locked":
            assert (response.status_code, response.json()["code"]) == (409, "sheet_not_locked")
            return
        assert (response.status_code, response.json()["state"]) == (200, "published")
        self._sheet_audit(e, judge, "publish", "locked", "published", CHIEF, "")
        self.model.sheets[(e, judge)] = "published"

    def _sheet_audit(self, e, judge, action, from_state, to_state, actor, reason):
        self.model.sheet_audit.append(
            (self.entries[e].pk, self.judges[judge].pk, action, from_state, to_state, self.users[actor], reason)
        )

    # ---------------------------------------------------------------- rules: appeals

    @precondition(lambda self: len(self.model.appeals) < MAX_APPEALS)
    @rule(e=st.integers(0, ENTRIES - 1))
    def file_appeal(self, e):
        """The chief judge records a unit's written appeal (申诉)."""
        entry = self.entries[e]
        response = self.clients[CHIEF].post(
            f"/api/v1/events/{self.event.pk}/appeals/", {"entry": entry.pk, "reason": "观感分计算有误"}, format="json"
        )
        assert (response.status_code, response.json()["status"]) == (201, "open"), response.json()
        appeal = response.json()["id"]
        self.model.appeals[appeal] = "open"
        self.model.results_audit.append(
            (
                "appeal_filed",
                self.users[CHIEF],
                "观感分计算有误",
                {"appeal": appeal, "entry": entry.pk, "appellant": "unit"},
            )
        )

    @precondition(lambda self: "open" in self.model.appeals.values())
    @rule(data=st.data(), status=st.sampled_from(("upheld", "dismissed")))
    def decide_appeal(self, data, status):
        """The organiser (arbitration) decides once; a second decision is 409."""
        appeal = data.draw(st.sampled_from(sorted(self.model.appeals)))
        response = self.organiser.post(
            f"/api/v1/appeals/{appeal}/decide/", {"status": status, "decision": "经复核裁决"}, format="json"
        )
        if self.model.appeals[appeal] != "open":
            assert (response.status_code, response.json()["code"]) == (409, "appeal_not_open")
            return
        assert (response.status_code, response.json()["status"]) == (200, status)
        self.model.appeals[appeal] = status
        self.model.results_audit.append(
            ("appeal_decided", self.organiser_id, "经复核裁决", {"appeal": appeal, "status": status})
        )

    @precondition(lambda self: self.model.appeals and self.model.marks)
    @rule(data=st.data(), by_chief=st.booleans())
    def change_under_appeal(self, data, by_chief):
        """A mark changed because of an appeal: linked to it while it is open, refused once decided."""
        appeal = data.draw(st.sampled_from(sorted(self.model.appeals)))
        e, c, judge = data.draw(st.sampled_from(sorted(self.model.marks)))
        value = data.draw(st.sampled_from(VALUES[c]))
        actor = CHIEF if by_chief else f"j{judge}"
        marks = self._proper(judge, ((e, c, value),))
        self.send(Batch(actor, judge, marks, self._new_key(), "申诉复核", appeal))

    # ---------------------------------------------------------------- invariants

    @invariant()
    def acknowledged_marks_are_stored_once(self):
        stored = Mark.objects.filter(entry__event=self.event).values_list(
            "entry_id", "criterion__code", "judge_id", "attempt", "value", "penalty", "status", "version"
        )
        expected = [
            (self.entries[e].pk, c, self.judges[j].pk, 1, mark.value, Decimal(0), "ok", mark.version)
            for (e, c, j), mark in self.model.marks.items()
        ]
        assert sorted(stored) == sorted(expected)  # each once, at its value and version, and nothing else
        version = EventStandingsVersion.objects.filter(event=self.event).values_list("version", flat=True).first()
        assert (version or 0) == self.model.standings_version  # one step per batch that changed something

    @invariant()
    def history_is_append_only_and_complete(self):
        rows = MarkHistory.objects.filter(mark__entry__event=self.event).values_list(
            "id",
            "mark__entry_id",
            "mark__criterion__code",
            "mark__judge_id",
            "version",
            "old_value",
            "new_value",
            "actor_id",
            "reason",
            "appeal_id",
            "idempotency_key",
            "old_penalty",
            "new_penalty",
            "old_status",
            "new_status",
            "created_at",
        )
        now = {row[0]: row for row in rows}
        assert {pk: now.get(pk) for pk in self.seen_history} == self.seen_history  # unchanged, none gone
        self.seen_history = now
        # Exactly the rows the model expects: one per change, so a mark at version v has v rows.
        assert sorted((row[1:11] for row in rows), key=_history_order) == sorted(self.model.history, key=_history_order)

        sheet_rows = SheetAudit.objects.filter(sheet__entry__event=self.event).values_list(
            "id",
            "sheet__entry_id",
            "sheet__judge_id",
            "action",
            "from_state",
            "to_state",
            "actor_id",
            "reason",
            "created_at",
        )
        now = {row[0]: row for row in sheet_rows}
        assert {pk: now.get(pk) for pk in self.seen_sheet_audit} == self.seen_sheet_audit
        self.seen_sheet_audit = now
        assert [row[1:8] for row in sorted(sheet_rows)] == self.model.sheet_audit

        results_rows = ResultsAudit.objects.filter(event=self.event).values_list(
            "id", "action", "actor_id", "reason", "data", "at"
        )
        now = {row[0]: row for row in results_rows}
        assert {pk: now.get(pk) for pk in self.seen_results_audit} == self.seen_results_audit
        self.seen_results_audit = now
        assert [row[1:5] for row in sorted(results_rows)] == self.model.results_audit

    @invariant()
    def cached_board_is_the_current_one(self):
        """The board kept for deltas (``live.models.BoardState``, built after commit) is the model's, at its version."""
        cached = BoardState.objects.filter(event=self.event).values_list("board", flat=True).first()
        if self.model.standings_version == 0:
            assert cached is None or cached["version"] == 0  # no mark yet: no board, or the empty one
            return
        assert cached["version"] == self.model.standings_version
        assert board_rows(cached) == self._expected_board()

    @invariant()
    def served_standings_equal_a_recompute(self):
        """What the API and the board serve, read over HTTP whenever the model's standings moved.

        Steps that change nothing are covered above (the stored marks and the version are the
        model's); reading three pages after each of them would only spend the time budget.
        """
        if self.served_version == self.model.standings_version:
            return
        self.served_version = self.model.standings_version
        scratch = self._scratch()
        assert scratch == rows_of(self.oracle.standings())

        listed = self.clients[CHIEF].get(f"/api/v1/events/{self.event.pk}/marks/").json()
        judge_index = {user.pk: i for i, user in enumerate(self.judges)}
        code_index = {entry.code: i for i, entry in enumerate(self.entries)}
        served = [
            ((code_index[m["entry"]], m["criterion"], judge_index[m["judge"]]), Decimal(m["value"]), m["version"])
            for m in listed["results"]
        ]
        assert sorted(served) == sorted((key, m.value, m.version) for key, m in self.model.marks.items())

        api = self.organiser.get(f"/api/v1/events/{self.event.pk}/standings/").json()
        assert api["version"] == self.model.standings_version
        assert [
            (
                row["entry"],
                _decimal(row["total"]),
                row["rank"],
                row["award"],
                row["status"],
                row["complete"],
                {code: Decimal(score) for code, score in row["criterion_scores"].items()},
            )
            for row in api["rows"]
        ] == scratch

        public = self.public.get(f"/live/events/{self.event.pk}/standings.json").json()
        assert public["version"] == self.model.standings_version
        assert board_rows(public) == self._expected_board()

    def _scratch(self) -> list[tuple]:
        """The standings recomputed from nothing but the model's marks (``compute_standings``)."""
        marks = [
            MarkValue(self.entries[e].pk, c, self.judges[j].pk, 1, stored.value)
            for (e, c, j), stored in sorted(self.model.marks.items())
        ]
        return rows_of(compute_standings(self.pure, self.infos, marks, self.policy))

    def _expected_board(self) -> list[tuple]:
        keys = board.row_keys(self.event.pk, [entry.pk for entry in self.entries])
        return [(keys[row[0]], *row[1:6]) for row in self._scratch()]


def _history_order(row):
    return (row[0], row[1], row[2], row[3])


def _decimal(value):
    return None if value is None else Decimal(value)


def rows_of(standings) -> list[tuple]:
    return [
        (row.entry_id, row.total, row.rank, row.award, row.status, row.complete, dict(row.criterion_scores))
        for row in standings.rows
    ]


def board_rows(served: dict) -> list[tuple]:
    return [
        (row["key"], _decimal(row["total"]), row["rank"], row["award"], row["status"], row["complete"])
        for row in served["rows"]
    ]


@st.composite
def batch_marks(draw):
    """One to three marks on distinct (entry, criterion) pairs, with valid values."""
    cells = draw(
        st.lists(st.tuples(st.integers(0, ENTRIES - 1), st.sampled_from(CRITERIA)), min_size=1, max_size=3, unique=True)
    )
    return tuple((e, c, draw(st.sampled_from(VALUES[c]))) for e, c in cells)


def signed_in(user) -> APIClient:
    """An API client sending a real API token of ``user`` (made as the token endpoint makes one) on every request."""
    _instance, token = AuthToken.objects.create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


@pytest.fixture
def private_board_cache_and_layer(settings):
    """Keep this run's boards and frames to itself on a shared Redis: a key prefix and a layer prefix of its own."""
    cache = settings.CACHES["default"]
    settings.CACHES = {"default": {**cache, "KEY_PREFIX": f"mark-sm-{os.getpid()}"}}
    layer = settings.CHANNEL_LAYERS["default"]
    if layer["BACKEND"] == "channels_redis.core.RedisChannelLayer":
        settings.CHANNEL_LAYERS = {
            "default": {**layer, "CONFIG": {**layer["CONFIG"], "prefix": f"mark-sm-{os.getpid()}"}}
        }
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


def test_mark_path_state_machine(flushable_history, private_board_cache_and_layer):
    run_state_machine_as_test(MarkPathMachine, settings=BUDGET)
