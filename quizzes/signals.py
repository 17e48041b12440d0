"""A per-round change counter in the cache, for the organiser's dashboard socket (``quizzes.consumers``).

Every saved attempt (started, answered, submitted, expired, reviewed) bumps its round's
counter after commit. The dashboard socket compares counters to know whether anything
changed since its last push. With the cache unreachable the stamp is None and the socket
recomputes on every tick instead: slower, never stale.
"""

import logging

from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)


def _key(round_id: int) -> str:
    return f"quiz:round:{round_id}:changes"


def round_change_stamp(round_id: int) -> int | None:
    try:
        return cache.get(_key(round_id), 0)
    except Exception:
        logger.warning("quizzes: cache unreachable for the dashboard stamp of round %s", round_id)
        return None


def _bump(round_id: int) -> None:
    try:
        if not cache.add(_key(round_id), 1, timeout=None):
            cache.incr(_key(round_id))
    except Exception:
        logger.warning("quizzes: cache unreachable; round %s's dashboard recomputes on every tick", round_id)


def attempt_saved(sender, instance, update_fields=None, **kwargs) -> None:
    """post_save of an Attempt: its round's dashboard changed, once the transaction commits.

    A saved answer (``update_fields`` = answers only) changes nothing the dashboard shows: the
    hot path of a running contest stays free of it.
    """
    if update_fields is not None and set(update_fields) <= {"answers"}:
        return
    round_id = instance.round_id
    transaction.on_commit(lambda: _bump(round_id))
