"""Signals competitions sends to the rooms above it, which it never imports.

``redraw_requested`` is sent inside a redraw's transaction, under the event's row lock,
before any entry changes. A receiver vetoes the redraw by raising a ``DomainError``:
``Signal.send`` (not ``send_robust``) lets the exception out, the transaction rolls
back, and the API reports the error's code. That is how scoring refuses a redraw once
marks exist (``scoring_started``) without competitions knowing that marks exist.
"""

from django.dispatch import Signal

# sender: the Event model; kwargs: event (the Event, locked), kind (a Draw.Kind value).
redraw_requested = Signal()
