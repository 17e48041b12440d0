"""The live board of an event: compute it, cache it, diff it, send it. One module owns all four.

A change reaches screens like this. ``scoring`` sends ``standings_changed`` after commit
(``LiveConfig.ready`` connects ``on_standings_changed`` below). The event's public board is
then computed ONCE from the database (one standings recompute, one Entry query), diffed
against the last board this module sent (kept in the shared cache), serialised ONCE, and
one pre-encoded frame goes to each group; the process-local hub (``live.hub``) writes that
text to every socket as it is.

A broadcast never raises: the change is already stored, and a client that misses a
message sees the version gap (or its socket drop) and refetches over HTTP.

An HTTP refetch never serves the cache: the board also changes without a mark (an entry
disqualified or renamed, which bumps no standings version), and the refetch is how a
screen gets back to the database's truth.
"""

import hashlib
import hmac
import json
import logging
import threading

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import caches
from django.core.signals import setting_changed
from django.db import transaction
from django.db.models import Q
from django.dispatch import receiver

from competitions.models import Competition, Contestant, Entry, Event, Team
from competitions.selectors import names_visible
from live import publication
from live.groups import COMPETITION, EVENT, MONITOR, group_name
from live.hub import ACCESS, FRAME
from live.models import FrozenBoard, RevealProgress
from scoring import selectors as scoring_selectors
from scoring.models import Mark

logger = logging.getLogger(__name__)

_CACHE_TIMEOUT = 24 * 3600


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
# Caching: the last public board sent for each event, which the next delta is diffed against


_board_cache = None


def board_cache():
    """One cache backend for the whole process, for the boards.

    Django builds a cache backend per async context, that is per ASGI request, and a
    RedisCache per request opens a new Redis connection per request: a connection per
    refetching screen in a reconnect storm, and one per mark. Redis clients are thread-safe.
    """
    global _board_cache
    if _board_cache is None:
        _board_cache = caches.create_connection("default")
    return _board_cache


@receiver(setting_changed)
def _forget_board_cache(*, setting, **kwargs):
    global _board_cache
    if setting == "CACHES":
        _board_cache = None


def board_cache_key(event_id: int) -> str:
    return f"live:board:{event_id}"


def cached_board(event_id: int) -> dict | None:
    """The last public board this module sent for the event, if the cache holds it."""
    try:
        return board_cache().get(board_cache_key(event_id))
    except Exception:
        logger.warning("live: board cache unreachable for event %s", event_id)
        return None


def _remember_board(board) -> None:
    try:
        board_cache().set(board_cache_key(board["event"]), board, _CACHE_TIMEOUT)
    except Exception:
        logger.warning("live: board cache unreachable for event %s", board["event"])


# --------------------------------------------------------------------------
# Sending


def encode(message) -> str:
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"))


async def publish_async(group: str, message) -> bool:
    """Serialise ``message`` once and send it to ``group``. False if the channel layer is unreachable.

    A send that fails is tried once more: after a Redis restart the first use of a pooled
    connection fails, and the retry gets a fresh one. Only a second failure loses the frame
    (screens then catch up when the hub's reader sees the layer back, or on the next version).
    """
    return await _send(group, {"type": FRAME, "group": group, "text": encode(message)})


async def _send(group: str, payload: dict) -> bool:
    """One channel-layer message to ``group``, tried twice (see ``publish_async``)."""
    layer = get_channel_layer()
    if layer is None:
        return False
    for attempt in (1, 2):
        try:
            await layer.group_send(group, payload)
        except Exception:
            if attempt == 2:
                logger.exception("live: could not publish to %s; clients will catch up over HTTP", group)
                return False
            logger.warning("live: publishing to %s failed once; retrying on a fresh connection", group)
        else:
            return True
    return False


def publish(group: str, message) -> bool:
    """``publish_async`` from synchronous code (the after-commit broadcast)."""
    return async_to_sync(publish_async)(group, message)


def _broadcast_event(event: Event, *, force_full: bool = False) -> None:
    board = event_public_board(event=event)
    previous = None if force_full else cached_board(event.pk)
    message = publication.board_delta(previous, board)
    if message is None:
        return
    if previous is None or board["version"] is None or (previous["version"] or 0) < board["version"]:
        _remember_board(board)
    publish(group_name(EVENT, event.pk), message)
    publish(
        group_name(COMPETITION, event.competition_id),
        {"type": "overview.event", "competition": event.competition_id, **overview_entry(event, board)},
    )


def on_standings_changed(*, event_id: int, version: int | None = None, **kwargs) -> None:
    """Receiver of ``scoring.signals.standings_changed``: the event's marks changed and were committed."""
    event = Event.objects.select_related("competition").filter(pk=event_id).first()
    if event is None:
        return
    _broadcast_event(event)
    # The monitor refetches its (heavier) data over HTTP; the hint carries no scores.
    publish(group_name(MONITOR, event_id), {"type": "monitor.changed", "event": event_id, "version": version})


# --------------------------------------------------------------------------
# Changes that are not marks: an entry disqualified or withdrawn, a name or unit renamed,
# entries drawn or imported. Each sends every affected board whole after commit, once per
# transaction (several saves in one transaction make one broadcast per event).

_changed = threading.local()


def boards_changed_on_commit(event_ids) -> None:
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
    for group in groups:
        async_to_sync(_send)(group, {"type": ACCESS, "group": group})


def board_changed(event_id: int) -> None:
    """A reveal step or a snapshot changed what the public sees, not the marks: send the whole board."""
    try:
        event = Event.objects.select_related("competition").filter(pk=event_id).first()
        if event is not None:  # None: deleted meanwhile, with its screens' group
            _broadcast_event(event, force_full=True)
    except Exception:
        logger.exception("live: board broadcast for event %s failed", event_id)


def on_event_decoded(*, event_id: int, **kwargs) -> None:
    """Receiver of ``scoring.signals.event_decoded``: names appear on every screen at once.

    The whole board (with names now) replaces every client's rows and the cached board; the
    overview gets the event's line and the monitor a hint to refetch.
    """
    board_changed(event_id)
    publish(group_name(MONITOR, event_id), {"type": "monitor.changed", "event": event_id, "version": None})


def policy_changed(competition_id: int) -> None:
    """The competition's publication policy changed: every event's board is sent whole."""
    for event in Event.objects.filter(competition_id=competition_id).select_related("competition"):
        try:
            _broadcast_event(event, force_full=True)  # a whole board replaces the cached one
        except Exception:
            logger.exception("live: board broadcast for event %s failed", event.pk)
