"""Reads for the live board: serialised standings rows, and the board each audience may see.

Rows are built here once per change (the broadcaster calls ``event_public_board`` once
and sends the result to every socket) and by the HTTP endpoints, so a socket message and
an HTTP refetch of the same version always agree. The publication policy is applied by
``live.publication.public_board`` on both paths.

The broadcaster keeps the last public board of each event in the shared cache (it
diffs the next one against it). An HTTP refetch never serves that cache: the board also
changes without a mark (an entry disqualified or renamed from the admin or the API, which
bumps no standings version), and the refetch is how a screen gets back to the database's
truth.
"""

import logging

from django.core.cache import caches
from django.core.signals import setting_changed
from django.dispatch import receiver

from competitions.models import Competition, Entry, Event
from competitions.selectors import competitions_visible_to, is_chief_judge
from live import publication
from live.models import FrozenBoard, RevealProgress
from scoring import selectors as scoring_selectors
from scoring.models import Mark

logger = logging.getLogger(__name__)


def _holder_labels(event: Event) -> dict[int, tuple[str, str]]:
    """entry id → (display name, organisation), in one query."""
    labels = {}
    entries = Entry.objects.filter(event=event).select_related("contestant__organisation", "team__organisation")
    for entry in entries:
        holder = entry.contestant or entry.team
        organisation = holder.organisation
        labels[entry.pk] = (holder.name, organisation.short_name or organisation.name)
    return labels


def _decimal(value) -> str | None:
    return None if value is None else str(value)


def event_rows(*, event: Event, with_codes: bool = False) -> tuple[int, list[dict]]:
    """(standings version, full serialised rows in board order). No policy applied.

    Public rows carry names, never the anonymous entry codes: a judge watching the board
    must not learn which code is whom. ``with_codes`` adds them for the chief judge.
    """
    computed = scoring_selectors.event_standings(event=event)
    labels = _holder_labels(event)
    rows = []
    for pos, result in enumerate(computed.standings.rows, start=1):
        name, organisation = labels.get(result.entry_id, ("", ""))
        rows.append(
            {
                "entry": result.entry_id,
                "pos": pos,
                "name": name,
                "organisation": organisation,
                "total": _decimal(result.total),
                "rank": result.rank,
                "award": result.award,
                "status": result.status,
                "complete": result.complete,
            }
        )
        if with_codes:
            rows[-1]["code"] = computed.entries.get(result.entry_id, {}).get("code", "")
    return computed.version, rows


def pending_entries(*, event: Event, since) -> list[int]:
    """Entries of the event with a mark written after ``since`` (the freeze time)."""
    return list(
        Mark.objects.filter(entry__event=event, updated_at__gt=since)
        .values_list("entry_id", flat=True)
        .distinct()
        .order_by("entry_id")
    )


def event_public_board(*, event: Event) -> dict:
    """The event's board as the public may see it under its competition's publication policy."""
    competition = event.competition
    policy = competition.publication
    if policy == Competition.Publication.HIDDEN:
        # Do not even compute: nothing of it may leave the server.
        return publication.public_board(event_id=event.pk, policy=policy, version=0, rows=[])
    version, rows = event_rows(event=event)
    frozen_rows, pending, revealed = None, (), 0
    if policy == Competition.Publication.FROZEN:
        snapshot = FrozenBoard.objects.filter(event=event).first()
        # Without a snapshot (frozen outside the live control) the board shows no scores rather than late ones.
        frozen_rows = snapshot.rows if snapshot else []
        since = snapshot.frozen_at if snapshot else competition.frozen_at
        pending = pending_entries(event=event, since=since) if since else [row["entry"] for row in rows]
    elif policy == Competition.Publication.REVEAL:
        progress = RevealProgress.objects.filter(event=event).first()
        revealed = progress.revealed if progress else 0
    return publication.public_board(
        event_id=event.pk,
        policy=policy,
        version=version,
        rows=rows,
        frozen_rows=frozen_rows,
        pending=pending,
        revealed=revealed,
    )


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
    """The last public board the broadcaster sent for the event, if the cache holds it."""
    try:
        return board_cache().get(board_cache_key(event_id))
    except Exception:
        logger.warning("live: board cache unreachable for event %s", event_id)
        return None


def can_see_everything(user, event: Event) -> bool:
    """Chief judges and organisers see the live standings whatever the publication policy."""
    return bool(user and user.is_authenticated) and is_chief_judge(user, event)


def public_standings(*, event: Event, user=None) -> dict:
    """The standings ``user`` may see: the full live board for chief judges and organisers, else the public board.

    This is the one filter for every path (REST, pages, sockets).
    """
    if can_see_everything(user, event):
        version, rows = event_rows(event=event)
        return {
            "type": "standings.full",
            "event": event.pk,
            "policy": publication.LIVE,
            "version": version,
            "rows": rows,
            "hidden": 0,
            "preview": event.competition.publication != publication.LIVE,
        }
    return event_public_board(event=event)


def visible_event(*, user, event_id: int) -> Event | None:
    """The event if its competition is visible to ``user`` (public, or the user has a role in it)."""
    return (
        Event.objects.filter(pk=event_id, competition__in=competitions_visible_to(user))
        .select_related("competition")
        .first()
    )


def visible_competition(*, user, competition_id: int) -> Competition | None:
    return competitions_visible_to(user).filter(pk=competition_id).first()


def monitored_event(*, user, event_id: int) -> Event | None:
    """The event if ``user`` is its chief judge or an organiser of its competition."""
    event = Event.objects.filter(pk=event_id).select_related("competition").first()
    if event is None or not (user and user.is_authenticated) or not is_chief_judge(user, event):
        return None
    return event


def overview_entry(event: Event, board: dict, leaders: int = 3) -> dict:
    """One event's line on the competition overview: the top ``leaders`` rows of its public board.

    Rows are best first under every policy; during a reveal they are the places shown
    so far, so the top rows are the latest revealed.
    """
    return {
        "event": event.pk,
        "title": event.title,
        "policy": board["policy"],
        "version": board["version"],
        "rows": board["rows"][:leaders],
        "hidden": board["hidden"],
    }


def competition_overview(*, competition: Competition, leaders: int = 3) -> dict:
    """Every event of the competition with its public leaders."""
    events = [
        overview_entry(event, event_public_board(event=event), leaders)
        for event in competition.events.all().select_related("competition")
    ]
    return {"type": "overview.full", "competition": competition.pk, "events": events}


def event_monitor(*, event: Event) -> dict:
    """The chief judge's view: missing marks per judge and per entry, and variance alerts."""
    version, rows = event_rows(event=event, with_codes=True)
    return {
        "type": "monitor.full",
        "event": event.pk,
        "version": version,
        "progress": scoring_selectors.event_progress(event=event),
        "alerts": scoring_selectors.variance_alerts(event=event),
        "rows": rows,
    }
