"""The live board of an event: compute it, store it, diff it, send it. One module owns all four.

A change reaches screens like this. ``scoring`` sends ``standings_changed`` after commit
(``LiveConfig.ready`` connects ``on_standings_changed`` below), which hands the event to the
process's background sender (``live.broadcaster``) and returns: the judge's POST is done.
The sender then ``build``s the board: under the event's ``BoardState`` row lock it computes
the public board ONCE from the database (one standings recompute, one Entry query), diffs it
against the board stored there (the one every screen got last, whichever process sent it),
stores the new one at the next generation, and one pre-encoded frame goes to each group;
the process-local hub (``live.hub``) writes that text to every socket as it is.

Deltas name the generation they were built on (``base``) and clients apply them on that
exact base only. A broadcast never raises: the change is already stored, a failed publish
is resent whole once the layer answers, and a client that misses a message sees the gap
(or its socket drop) and refetches over HTTP.

An HTTP refetch is served from the stored board only while it is current: a mark bumps the
standings version, and every other change (an entry disqualified or renamed, a reveal step,
a policy, a decode) marks the stored board stale; a stale board is built again first.
"""

import asyncio
import hashlib
import hmac
import itertools
import json
import logging
import threading

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q

from competitions.models import Competition, Contestant, Entry, Event, Team
from competitions.selectors import names_visible
from live import publication
from live.broadcaster import PUBLISH_TIMEOUT_S, Broadcaster, Publishes
from live.groups import COMPETITION, EVENT, MONITOR, group_name
from live.hub import ACCESS, FRAME
from live.models import BoardState, FrozenBoard, RevealProgress
from scoring import selectors as scoring_selectors
from scoring.models import EventStandingsVersion, Mark

logger = logging.getLogger(__name__)


# --------------------------------------------------------------------------
# Computing


def _decimal(value) -> str | None:
    return None if value is None else str(value)


# Who a row is labelled for. The public sees codes in a blind event, names once the event is
# decoded (or when it is not blind). The monitor (chief judges, organisers) always sees codes,
# and names under the same rule: before decoding, no screen of a blind event names anyone.
FOR_PUBLIC = "public"
FOR_MONITOR = "monitor"
LABEL_FIELDS = ("code", "name", "organisation")
_KEY_SALT = b"live.board.row-key"


def row_keys(event_id: int, entry_ids) -> dict[int, str]:
    """entry id → the row's public key: an HMAC of the entry id under the server's secret.

    Rows are keyed by it, never by the entry id: the id is what the set-up API and, before
    this change, the tablets knew an entry by, so an id on the board paired a code with a name.
    Nobody can turn a key back into an id, and no judge-facing payload carries it.
    """
    secret = hashlib.sha256(_KEY_SALT + settings.SECRET_KEY.encode()).digest()
    return {pk: hmac.new(secret, f"{event_id}:{pk}".encode(), hashlib.sha256).hexdigest()[:16] for pk in entry_ids}


def _labels(event: Event, entries: dict, keys: dict[int, str], audience: str) -> dict[str, dict]:
    """row key → the fields that say who the row is, for ``audience`` (see ``FOR_PUBLIC`` / ``FOR_MONITOR``)."""
    with_codes = audience == FOR_MONITOR or event.blind
    with_names = names_visible(event)
    labels = {}
    for entry_id, info in entries.items():
        label = {}
        if with_codes:
            label["code"] = info.get("code", "")
        if with_names:
            label["name"] = info.get("name", "")
            label["organisation"] = info.get("organisation", "")
        labels[keys[entry_id]] = label
    return labels


def _board_rows(*, event: Event, audience: str) -> tuple[int, list[dict], dict[str, dict], dict[int, str]]:
    """(standings version, rows in board order, labels by row key, row keys by entry id)."""
    computed = scoring_selectors.event_standings(event=event)
    keys = row_keys(event.pk, computed.entries)
    labels = _labels(event, computed.entries, keys, audience)
    rows = []
    for pos, result in enumerate(computed.standings.rows, start=1):
        key = keys[result.entry_id]
        rows.append(
            {
                "key": key,
                "pos": pos,
                **labels[key],
                "total": _decimal(result.total),
                "rank": result.rank,
                "award": result.award,
                "status": result.status,
                "complete": result.complete,
            }
        )
    return computed.version, rows, labels, keys


def event_rows(*, event: Event, audience: str = FOR_PUBLIC) -> tuple[int, list[dict]]:
    """(standings version, full serialised rows in board order). No publication policy applied.

    Rows carry a ``key`` (``row_keys``), never the entry id. Who a row is comes from
    ``_labels``: codes in a blind event, names only once it is decoded.
    """
    version, rows, _labels_by_key, _keys = _board_rows(event=event, audience=audience)
    return version, rows


def relabel(rows: list[dict], labels: dict[str, dict], keys: dict[int, str]) -> list[dict]:
    """Stored rows (a freeze snapshot) with today's labels: a board frozen before decoding shows names after it.

    A snapshot taken before rows had keys names its rows by entry id; ``keys`` maps those.
    """
    out = []
    for row in rows:
        key = row.get("key") or keys.get(row.get("entry"), "")
        kept = {name: value for name, value in row.items() if name not in LABEL_FIELDS and name != "entry"}
        out.append({**kept, "key": key, **labels.get(key, {})})
    return out


def pending_entries(*, event: Event, since) -> list[int]:
    """Entries of the event with a mark written after ``since`` (the freeze time)."""
    return list(
        Mark.objects.filter(entry__event=event, updated_at__gt=since)
        .values_list("entry_id", flat=True)
        .distinct()
        .order_by("entry_id")
    )


# What a sealed row keeps (see ``seal``): who it is by code, and whether its marks are all in.
SEALED_FIELDS = ("key", "code", "complete")


def seal(rows: list[dict] | None) -> list[dict] | None:
    """Rows of a blind event before decoding as the public sees them: in code order, with no scores.

    Judges of the event read the public board like anyone else, and must learn no rank,
    total or award of their event before it is decoded (a judge who watched their marks move
    the ranking could mark strategically). Board order is itself a ranking, so sealed rows
    are listed by code, and ``pos`` is the place in that list.
    """
    if rows is None:
        return None
    kept = sorted(({name: row[name] for name in SEALED_FIELDS if name in row} for row in rows), key=_code_order)
    return [{**row, "pos": pos} for pos, row in enumerate(kept, start=1)]


def _code_order(row: dict):
    code = row.get("code", "")
    return (len(code), code)


def event_public_board(*, event: Event) -> dict:
    """The event's board as the public may see it under its publication policy (its own, else its competition's).

    A blind event is sealed until decoded (``seal``): the board lists codes and progress, no scores.
    """
    competition = event.competition
    policy = event.publication_policy
    if policy == Competition.Publication.HIDDEN:
        # Do not even compute: nothing of it may leave the server.
        return publication.public_board(event_id=event.pk, policy=policy, version=0, rows=[])
    version, rows, labels, keys = _board_rows(event=event, audience=FOR_PUBLIC)
    frozen_rows, pending, revealed = None, (), 0
    if policy == Competition.Publication.FROZEN:
        snapshot = FrozenBoard.objects.filter(event=event).first()
        # Without a snapshot (frozen outside the live control) the board shows no scores rather than late ones.
        frozen_rows = relabel(snapshot.rows, labels, keys) if snapshot else []
        since = snapshot.frozen_at if snapshot else competition.frozen_at
        if since:
            pending = [keys[pk] for pk in pending_entries(event=event, since=since) if pk in keys]
        else:
            pending = [row["key"] for row in rows]
    elif policy == Competition.Publication.REVEAL:
        progress = RevealProgress.objects.filter(event=event).first()
        revealed = progress.revealed if progress else 0
    sealed = not names_visible(event)
    if sealed:
        rows, frozen_rows = seal(rows), seal(frozen_rows)
    return publication.public_board(
        event_id=event.pk,
        policy=policy,
        version=version,
        rows=rows,
        frozen_rows=frozen_rows,
        pending=pending,
        revealed=revealed,
        sealed=sealed,
    )


def overview_entry(event: Event, board: dict, leaders: int = 3) -> dict:
    """One event's line on the competition overview: the top ``leaders`` rows of its public board.

    Rows are best first under every policy; during a reveal they are the places shown
    so far, so the top rows are the latest revealed.
    """
    entry = {
        "event": event.pk,
        "title": event.title,
        "policy": board["policy"],
        "version": board["version"],
        "rows": [] if board.get("sealed") else board["rows"][:leaders],
        "hidden": board["hidden"],
    }
    if board.get("sealed"):
        entry["sealed"] = True  # no leaders before decoding: the first codes of a sealed board lead nothing
    return entry


# --------------------------------------------------------------------------
# Building: one serialised chain of boards per event


def _effective_policy(event: Event) -> str:
    """The policy ``public_board`` shows for the event: its own, else its competition's (unknown ones are hidden)."""
    policy = event.publication_policy
    return policy if policy in (publication.LIVE, publication.FROZEN, publication.REVEAL) else publication.HIDDEN


def _standings_version(event_id: int) -> int:
    return EventStandingsVersion.objects.filter(event_id=event_id).values_list("version", flat=True).first() or 0


def _is_current(state: BoardState, event: Event, standings_version: int) -> bool:
    """Whether the stored board still is what the public sees now (no change committed since it was built)."""
    return (
        state.board is not None
        and not state.stale
        and state.standings_version >= standings_version
        and state.board.get("policy") == _effective_policy(event)
    )


def mark_stale(event_ids) -> None:
    """A change that is not a mark alters these events' boards: the stored ones must not be served again.

    Called inside the changing transaction where possible, so a process dying before its
    after-commit broadcast still leaves the refetch path to rebuild.
    """
    BoardState.objects.filter(event_id__in=list(event_ids), stale=False).update(stale=True)


def build(event_id: int, *, full: bool = False) -> tuple[dict | None, Publishes]:
    """Build the event's public board in the one serialised order per event.

    Takes the event's ``BoardState`` row lock (every process, every thread), then, unless the
    stored board is still current, computes the board from committed data and diffs it
    against the stored one: the message is built on exactly the board every screen got last.
    If the public sees a change, the board is stored at the next generation. Returns (the
    current board, what to publish). ``full`` sends the whole board rather than a delta.
    """
    with transaction.atomic():
        event = Event.objects.select_related("competition").filter(pk=event_id).first()
        if event is None:
            return None, []  # deleted meanwhile, with its screens' group
        state = _locked_state(event)
        standings_version = _standings_version(event_id)
        if _is_current(state, event, standings_version):
            return state.board, []
        board = event_public_board(event=event)
        previous = state.board
        board["gen"] = state.generation + 1
        message = publication.board_delta(previous, board)
        if full and message is not None:
            message = board
        state.stale, state.standings_version = False, standings_version
        with _builds_lock:
            _builds[0] += 1
        if message is None:
            state.save(update_fields=["stale", "standings_version", "updated_at"])
            return previous, []
        state.generation, state.board = board["gen"], board
        state.save()
    return board, _board_publishes(event, board, message)


def _locked_state(event: Event) -> BoardState:
    """The event's ``BoardState``, locked until the transaction ends (created the first time)."""
    state = BoardState.objects.select_for_update().filter(event=event).first()
    if state is None:
        try:
            with transaction.atomic():
                BoardState.objects.create(event=event)
        except IntegrityError:
            pass  # another process created it meanwhile
        state = BoardState.objects.select_for_update().get(event=event)
    return state


def _board_publishes(event: Event, board: dict, message: dict) -> Publishes:
    frame = _frame(group_name(EVENT, event.pk), message)
    overview = _frame(
        group_name(COMPETITION, event.competition_id),
        {"type": "overview.event", "competition": event.competition_id, **overview_entry(event, board)},
    )
    return [frame, overview]


def current_board(event: Event) -> dict:
    """The event's public board at the current generation, for an HTTP refetch.

    Served from the stored board while no change has been committed since it was built;
    otherwise built once (the lock makes concurrent refetches wait for one build) and the
    change published off the request, as a mark's would be.
    """
    state = BoardState.objects.filter(event=event).first()
    if state is not None and _is_current(state, event, _standings_version(event.pk)):
        return state.board
    board, publishes = build(event.pk)
    if publishes:
        broadcaster.submit(("publish", event.pk, board["gen"]), lambda: publishes, on_failure=_resend_later)
    return board if board is not None else event_public_board(event=event)


# --------------------------------------------------------------------------
# Sending


def encode(message) -> str:
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"))


def _frame(group: str, message) -> tuple[str, dict]:
    """(group, the channel-layer message that carries ``message`` to every socket of it, encoded once)."""
    return group, {"type": FRAME, "group": group, "text": encode(message)}


async def publish_async(group: str, message) -> bool:
    """Serialise ``message`` once and send it to ``group``. False if the channel layer is unreachable.

    A send that fails is tried once more: after a Redis restart the first use of a pooled
    connection fails, and the retry gets a fresh one. Only a second failure loses the frame
    (screens then catch up when the hub's reader sees the layer back, or on the next version).
    """
    return await _send(*_frame(group, message))


async def _send(group: str, payload: dict) -> bool:
    """One channel-layer message to ``group``, tried twice (see ``publish_async``), each try bounded."""
    layer = get_channel_layer()
    if layer is None:
        return False
    for attempt in (1, 2):
        try:
            await asyncio.wait_for(layer.group_send(group, payload), PUBLISH_TIMEOUT_S)
        except Exception:
            if attempt == 2:
                logger.exception("live: could not publish to %s; clients will catch up over HTTP", group)
                return False
            logger.warning("live: publishing to %s failed once; retrying on a fresh connection", group)
        else:
            return True
    return False


def publish(group: str, message) -> bool:
    """``publish_async`` from synchronous code."""
    return async_to_sync(publish_async)(group, message)


broadcaster = Broadcaster(_send)
_soon = itertools.count()


def publish_soon(group: str, message) -> None:
    """Send ``message`` to ``group`` on the background sender: never inside the request (a Redis stall holds no one).

    Each call is its own job (nothing coalesces): a judge's tablet must get every state change.
    """
    frame = _frame(group, message)
    broadcaster.submit(("soon", next(_soon)), lambda: [frame])
_RESEND_MAX_S = 5.0


def _resend_later(key, attempt: int = 1) -> None:
    """A board's publish failed (Redis stalled or down): send the stored board whole, with backoff, until it goes."""
    event_id = key[1]
    delay = min(_RESEND_MAX_S, 0.5 * 2**attempt)

    def resend() -> Publishes:
        state = BoardState.objects.filter(event_id=event_id).select_related("event").first()
        if state is None or state.board is None:
            return []
        return _board_publishes(state.event, state.board, state.board)

    broadcaster.submit(
        ("resend", event_id), resend, delay=delay, on_failure=lambda _key: _resend_later(key, attempt + 1)
    )


def _schedule_build(event_id: int, *, full: bool = False) -> None:
    def job() -> Publishes:
        return build(event_id, full=full)[1]

    broadcaster.submit(("board", event_id, full), job, on_failure=_resend_later)


def _monitor_hint(event_id: int, version: int | None) -> None:
    # The monitor refetches its (heavier) data over HTTP; the hint carries no scores.
    hint = _frame(group_name(MONITOR, event_id), {"type": "monitor.changed", "event": event_id, "version": version})
    broadcaster.submit(("monitor", event_id), lambda: [hint])


def on_standings_changed(*, event_id: int, version: int | None = None, **kwargs) -> None:
    """Receiver of ``scoring.signals.standings_changed``: the event's marks changed and were committed.

    Returns at once: the build and the publish run on the background sender.
    """
    _schedule_build(event_id)
    _monitor_hint(event_id, version)


# --------------------------------------------------------------------------
# Changes that are not marks: an entry disqualified or withdrawn, a name or unit renamed,
# entries drawn or imported. Each sends every affected board whole after commit, once per
# transaction (several saves in one transaction make one broadcast per event).

_changed = threading.local()
# How many boards this process has built: a build clears ``stale``, so marks made before it count no more.
_builds = [0]
_builds_lock = threading.Lock()


def boards_changed_on_commit(event_ids) -> None:
    # The stored boards are marked stale in the changing transaction, once per event while nothing
    # rebuilt them (an import saves thousands of entries); a rollback (our callback no longer
    # queued) or any build since makes the next change mark them again.
    connection = transaction.get_connection()
    queued = any(callback is _send_changed_boards for _ids, callback, _robust in connection.run_on_commit)
    marked = getattr(_changed, "marked", None)
    if marked is None or not queued or _changed.builds != _builds[0]:
        marked = _changed.marked = set()
        _changed.builds = _builds[0]
    new = set(event_ids) - marked
    if new:
        mark_stale(new)
        marked.update(new)
    pending = getattr(_changed, "events", None)
    if pending is None:
        pending = _changed.events = set()
    pending.update(event_ids)
    transaction.on_commit(_send_changed_boards)


def _send_changed_boards() -> None:
    # The first callback of a commit sends them all; the others find nothing left.
    pending, _changed.events = getattr(_changed, "events", None) or set(), set()
    for event_id in sorted(pending):
        board_changed(event_id)


def holder_saved(sender, instance, created=False, **kwargs) -> None:
    """post_save / post_delete of an Entry, Contestant, Team or Organisation: its boards change."""
    if sender is Entry:
        events = {instance.event_id}
    elif created:
        return  # nothing shows it yet
    elif sender is Contestant:
        events = set(Entry.objects.filter(contestant=instance).values_list("event_id", flat=True))
    elif sender is Team:
        events = set(
            Entry.objects.filter(Q(team=instance) | Q(contestant__team=instance)).values_list("event_id", flat=True)
        )
    else:  # Organisation: a unit's name shows on its contestants' and teams' rows
        events = set(
            Entry.objects.filter(Q(contestant__organisation=instance) | Q(team__organisation=instance)).values_list(
                "event_id", flat=True
            )
        )
    if events:
        boards_changed_on_commit(events)


def event_saved(sender, instance, created=False, **kwargs) -> None:
    """post_save of an Event (decoded, made blind, renamed), or of its FrozenBoard or RevealProgress."""
    event_id = instance.pk if sender is Event else instance.event_id
    if not created or sender is not Event:
        boards_changed_on_commit({event_id})


def competition_saved(sender, instance, created=False, **kwargs) -> None:
    """post_save of a Competition (its policy, its visibility): every event's stored board is stale."""
    if not created:
        boards_changed_on_commit(set(Event.objects.filter(competition=instance).values_list("pk", flat=True)))


def entries_changed(sender, *, event_ids, **kwargs) -> None:
    """``competitions.signals.entries_changed``: entries changed in bulk (already committed)."""
    boards_changed_on_commit(event_ids)


def remember_visibility(sender, instance, **kwargs) -> None:
    """pre_save of a Competition: note whether it was public, for ``visibility_saved``."""
    instance._live_was_public = (
        sender.objects.filter(pk=instance.pk).values_list("is_public", flat=True).first() if instance.pk else None
    )


def visibility_saved(sender, instance, created, **kwargs) -> None:
    """post_save of a Competition: once it commits, a public competition made private cuts its sockets."""
    if not created and getattr(instance, "_live_was_public", None) and not instance.is_public:
        competition_id = instance.pk
        transaction.on_commit(lambda: access_changed(competition_id))


def access_changed(competition_id: int) -> None:
    """Who may watch the competition changed (it went private): every open socket of it asks again."""
    groups = [group_name(COMPETITION, competition_id)]
    for event_id in Event.objects.filter(competition_id=competition_id).values_list("pk", flat=True):
        groups += [group_name(EVENT, event_id), group_name(MONITOR, event_id)]
    notes = [(group, {"type": ACCESS, "group": group}) for group in groups]
    broadcaster.submit(("access", competition_id), lambda: notes)


def board_changed(event_id: int) -> None:
    """A change that is not a mark (a reveal step, a snapshot, an entry, a name) committed: send the whole board."""
    try:
        mark_stale([event_id])
    except Exception:
        logger.exception("live: could not mark the board of event %s stale", event_id)
    _schedule_build(event_id, full=True)


def on_event_decoded(*, event_id: int, **kwargs) -> None:
    """Receiver of ``scoring.signals.event_decoded``: names appear on every screen at once.

    The whole board (with names now) replaces every client's rows and the stored board; the
    overview gets the event's line and the monitor a hint to refetch.
    """
    board_changed(event_id)
    _monitor_hint(event_id, None)


def policy_changed(competition_id: int) -> None:
    """The competition's publication policy changed: every event's board is sent whole."""
    for event_id in Event.objects.filter(competition_id=competition_id).values_list("pk", flat=True):
        board_changed(event_id)
