"""Writes of the draws by lot (参赛号 codes, 赛位号 stations and start order), and their replay.

Every service is atomic and takes keyword-only arguments. A draw locks the event row
with ``select_for_update()``: two organisers clicking at once then queue up instead of
interleaving. The drawing itself is the pure ``competitions.draws``.
"""

import secrets

from django.db import transaction

from competitions import draws, signals
from competitions.models import Draw, Entry, Event
from config.errors import error


def _event_prefix(event: Event) -> str:
    """The prefix of the event's last code draw, so a redraw keeps it; else the event's letter."""
    last = Draw.objects.filter(event=event, kind=Draw.Kind.CODE).order_by("-drawn_at", "-id").first()
    if last and last.result.get("params", {}).get("prefix"):
        return last.result["params"]["prefix"]
    events = list(Event.objects.filter(competition_id=event.competition_id).values_list("id", flat=True))
    return draws.event_prefix(events.index(event.id))


def _check_redraw(*, event: Event, kind: str, reason: str) -> None:
    """A redraw needs a reason, and any receiver of ``redraw_requested`` may veto it by raising.

    Scoring, which competitions does not import, refuses one once the event has marks (409
    ``scoring_started``): see ``competitions.signals``.
    """
    if not Draw.objects.filter(event=event, kind=kind).exists():
        return
    signals.redraw_requested.send(sender=Event, event=event, kind=kind)
    if not reason.strip():
        raise error("redraw_needs_reason", field="reason")


def _draw(*, event: Event, kind: str, drawn_by, seed: str | None, reason: str, prefix: str | None = None) -> Draw:
    Event.objects.select_for_update().filter(pk=event.pk).first()
    _check_redraw(event=event, kind=kind, reason=reason)
    entry_ids = list(event.entries.order_by("id").values_list("id", flat=True))
    if not entry_ids:
        raise error("no_entries")
    seed = seed or secrets.token_hex(16)
    if kind == Draw.Kind.CODE:
        params = {"prefix": prefix or _event_prefix(event)}
        assignment = draws.draw_codes(seed, entry_ids, prefix=params["prefix"])
        fields = ["code"]
        # Clear first: swapping codes in place would trip the (event, code) unique constraint.
        event.entries.update(code="")
    else:
        params = {"stations": event.stations}
        assignment = draws.draw_stations(seed, entry_ids, stations=event.stations)
        fields = ["station", "start_order"]
        event.entries.update(station=None, start_order=None)
    entries = list(event.entries.all())
    for entry in entries:
        for key in fields:
            setattr(entry, key, assignment[entry.id][key])
    Entry.objects.bulk_update(entries, fields)
    signals.entries_changed_on_commit({event.pk})
    result = {"params": params, "entries": {str(entry_id): value for entry_id, value in assignment.items()}}
    return Draw.objects.create(
        event=event, kind=kind, seed=seed, result=result, reason=reason.strip(), drawn_by=drawn_by
    )


@transaction.atomic
def draw_codes(*, event: Event, drawn_by, seed: str | None = None, reason: str = "", prefix: str | None = None) -> Draw:
    """Draw entry codes (参赛号) for every entry of ``event`` and record the Draw.

    ``seed`` defaults to ``secrets.token_hex(16)``. ``prefix`` defaults to the prefix of
    the event's previous code draw, else to the event's letter (see ``competitions.draws``).
    A redraw needs a ``reason`` and is refused once scoring has started. Locks the event row.
    """
    return _draw(event=event, kind=Draw.Kind.CODE, drawn_by=drawn_by, seed=seed, reason=reason, prefix=prefix)


@transaction.atomic
def draw_stations(*, event: Event, drawn_by, seed: str | None = None, reason: str = "") -> Draw:
    """Draw stations and start order (赛位号) over ``event.stations``; rules as ``draw_codes``."""
    return _draw(event=event, kind=Draw.Kind.STATION, drawn_by=drawn_by, seed=seed, reason=reason)


@transaction.atomic
def draw_late(*, event: Event, kind: str, drawn_by, seed: str | None = None) -> Draw:
    """Draw for late entries only: the entries without a code (or a station) get one from what is left.

    Nobody already drawn moves: judges may know codes, and contestants their places, so a late
    entry (after the draw, even after marking started) takes the lowest free code numbers and
    start orders, drawn by lot among the late entries with a recorded seed. 409 ``no_draw_yet``
    before the event's first draw of that kind (draw everyone instead), 400 ``no_late_entries``
    when every entry already has one. Locks the event row.
    """
    Event.objects.select_for_update().filter(pk=event.pk).first()
    if not Draw.objects.filter(event=event, kind=kind).exists():
        raise error("no_draw_yet", field="kind")
    entries = event.entries.order_by("id")
    if kind == Draw.Kind.CODE:
        late = list(entries.filter(code="").values_list("id", flat=True))
        prefix = _event_prefix(event)
        pool = draws.late_code_pool(entries.exclude(code="").values_list("code", flat=True), len(late), prefix=prefix)
        params = {"late": True, "prefix": prefix, "pool": pool}
        fields = ["code"]
    else:
        late = list(entries.filter(start_order__isnull=True).values_list("id", flat=True))
        taken = entries.filter(start_order__isnull=False).values_list("start_order", flat=True)
        pool = draws.late_start_pool(taken, len(late))
        params = {"late": True, "stations": event.stations, "pool": pool}
        fields = ["station", "start_order"]
    if not late:
        raise error("no_late_entries", field="kind")
    seed = seed or secrets.token_hex(16)
    assignment = _late_assignment(kind, seed, late, params)
    changed = list(Entry.objects.filter(pk__in=late))
    for entry in changed:
        for key in fields:
            setattr(entry, key, assignment[entry.id][key])
    Entry.objects.bulk_update(changed, fields)
    signals.entries_changed_on_commit({event.pk})
    result = {"params": params, "entries": {str(entry_id): value for entry_id, value in assignment.items()}}
    return Draw.objects.create(
        event=event, kind=kind, seed=seed, result=result, reason="迟到报名补抽", drawn_by=drawn_by
    )


def _late_assignment(kind: str, seed: str, entry_ids, params: dict) -> dict:
    if kind == Draw.Kind.CODE:
        return draws.draw_late_codes(seed, entry_ids, pool=params["pool"])
    return draws.draw_late_stations(seed, entry_ids, pool=params["pool"], stations=params.get("stations", 0))


def draw_replay(*, draw: Draw) -> dict:
    """Recompute ``draw`` from its seed, for audit. Reads only.

    ``result_matches``: the stored result is what the seed gives over the entries it
    lists. ``entries_match``: the event's entries are still those entries, and they
    still carry the drawn values. That is only true of the latest draw of its kind.
    ``matches`` is both.
    """
    stored = draw.result.get("entries", {})
    params = draw.result.get("params", {})
    entry_ids = [int(entry_id) for entry_id in stored]
    if params.get("late"):
        recomputed = _late_assignment(draw.kind, draw.seed, entry_ids, params)
        fields = ["code"] if draw.kind == Draw.Kind.CODE else ["station", "start_order"]
    elif draw.kind == Draw.Kind.CODE:
        recomputed = draws.draw_codes(draw.seed, entry_ids, prefix=params.get("prefix", "A"))
        fields = ["code"]
    else:
        recomputed = draws.draw_stations(draw.seed, entry_ids, stations=params.get("stations", 0))
        fields = ["station", "start_order"]
    result_matches = {str(key): value for key, value in recomputed.items()} == stored
    current = {entry["id"]: entry for entry in draw.event.entries.values("id", *fields)}
    # A late draw covers its own entries only; a full draw, every entry of the event but those
    # that later late draws of its kind placed.
    extra = set(current) - set(entry_ids)
    if extra and not params.get("late"):
        for later in Draw.objects.filter(event_id=draw.event_id, kind=draw.kind, pk__gt=draw.pk):
            if later.result.get("params", {}).get("late"):
                extra -= {int(entry_id) for entry_id in later.result.get("entries", {})}
    covered = set(entry_ids) <= set(current) and (params.get("late") or not extra)
    entries_match = covered and all(
        current[entry_id][key] == stored[str(entry_id)][key] for entry_id in entry_ids for key in fields
    )
    return {
        "matches": result_matches and entries_match,
        "result_matches": result_matches,
        "entries_match": entries_match,
    }
