"""Pushed state for judges' tablets: what scoring changed, sent at once on the judge's socket.

Scoring sends ``sheet_changed``, ``marks_changed`` and ``scheme_changed`` after commit (it cannot
import this room); the receivers here turn them into frames for ``/ws/judge/events/<id>/``
(``judging.consumers.JudgeConsumer``), one group per judge and event, so a judge learns of
their own sheets only. Frames name entries by code, never by id:

- ``sheet.state``: ``entry``, ``state``, ``reason`` and the sheet's ``marks`` as the server holds
  them (a queued mark that hits a lock is shown as refused, beside the server's value);
- ``marks.changed``: ``entry``, ``marks``, ``reason`` and ``by`` (``"chief"`` for a correction);
- ``scheme.changed``: the scheme's ``revision``; the tablet fetches the event again.

The socket is a hint: on (re)connect the tablet fetches the offline bundle, the truth.
"""

from django.db.models import Q

from competitions.models import Entry, JudgeAssignment
from judging.sheets import mark_json, server_clock, sheet_marks
from live.board import publish_soon
from live.groups import judge_group_name
from scoring.models import Mark, MarkingScheme


def on_sheet_changed(*, event_id: int, entry_id: int, judge_id: int, state: str, reason: str, **kwargs) -> None:
    code = Entry.objects.filter(pk=entry_id).values_list("code", flat=True).first()
    if not code:
        return
    frame = {
        "type": "sheet.state",
        "event": event_id,
        "entry": code,
        "state": state,
        "reason": reason,
        "marks": sheet_marks(judge_id, [entry_id])[entry_id],
        "at": server_clock(),
    }
    publish_soon(judge_group_name(event_id, judge_id), frame)


def on_marks_changed(*, event_id: int, judge_id: int, actor_id: int, mark_ids, reason: str, **kwargs) -> None:
    by_entry: dict[str, dict] = {}
    for mark in Mark.objects.filter(pk__in=mark_ids).select_related("criterion", "entry"):
        by_entry.setdefault(mark.entry.code, {})[f"{mark.criterion.code}:{mark.attempt}"] = mark_json(mark)
    by = "self" if actor_id == judge_id else "chief"
    for code, marks in by_entry.items():
        frame = {"type": "marks.changed", "event": event_id, "entry": code, "marks": marks, "by": by, "reason": reason}
        publish_soon(judge_group_name(event_id, judge_id), frame)


def on_scheme_changed(*, event_id: int, **kwargs) -> None:
    revision = MarkingScheme.objects.filter(event_id=event_id).values_list("revision", flat=True).first()
    judges = (
        JudgeAssignment.objects.filter(
            Q(event_id=event_id) | Q(event__isnull=True, competition__events=event_id),
            role__in=[JudgeAssignment.Role.JUDGE, JudgeAssignment.Role.CHIEF_JUDGE],
        )
        .values_list("user_id", flat=True)
        .distinct()
    )
    frame = {"type": "scheme.changed", "event": event_id, "revision": revision or 0}
    for user_id in judges:
        publish_soon(judge_group_name(event_id, user_id), frame)
