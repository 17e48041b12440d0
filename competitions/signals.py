"""Signals competitions sends to the rooms above it, which it never imports.

``redraw_requested`` is sent inside a redraw's transaction, under the event's row lock,
before any entry changes. A receiver vetoes the redraw by raising a ``DomainError``:
``Signal.send`` (not ``send_robust``) lets the exception out, the transaction rolls
back, and the API reports the error's code. That is how scoring refuses a redraw once
marks exist (``scoring_started``) without competitions knowing that marks exist.

``entries_changed`` says that entries of some events changed in bulk (a draw, a roster
import), where no model signal fires. It is sent after commit; the live board listens.
Single saves and deletes need nothing: Django's own ``post_save``/``post_delete`` fire.
"""

from django.db import transaction
from django.dispatch import Signal

# sender: the Event model; kwargs: event (the Event, locked), kind (a Draw.Kind value).
redraw_requested = Signal()

# sender: None; kwargs: event_ids (a set of Event ids).
entries_changed = Signal()

# Sent inside a deletion's transaction (the organiser console), before entries are deleted
# with their event, contestant or team. A receiver vetoes by raising a ``DomainError``, as
# for ``redraw_requested``: scoring refuses once marks exist (409 ``entries_have_marks``).
# sender: the Entry model; kwargs: entry_ids (a set of Entry ids).
entries_delete_requested = Signal()

# An online contest (quizzes) asks for a participant's e-certificate; the certificates room
# issues it (or finds the one already issued) and answers with its verification path.
# sender: the asking room's model; kwargs: competition (a Competition), holder_ref (the asking
# room's stable key for the person, e.g. "quiz:<round>:<participant>"), holder_name,
# holder_unit, award_title. Receivers return the certificate's verification URL path.
online_certificate_requested = Signal()


def first_answer(signal: Signal, *, sender, **kwargs):
    """The first answer other than None to a question-signal (a room below asking the rooms above), or None."""
    for _receiver, response in signal.send(sender=sender, **kwargs):
        if response is not None:
            return response
    return None


def online_certificate_url(*, sender, **request) -> str | None:
    """The verification path of the person's e-certificate, or None when no room issues them."""
    return first_answer(online_certificate_requested, sender=sender, **request)


def entries_changed_on_commit(event_ids) -> None:
    event_ids = set(event_ids)
    transaction.on_commit(lambda: entries_changed.send_robust(sender=None, event_ids=event_ids))
