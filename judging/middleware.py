"""Idle session expiry for judges' tablets.

``IdleTimeoutMiddleware`` logs a session out after ``SESSION_IDLE_TIMEOUT`` seconds
without a request (API calls count as activity). A login stamps the session, so the
requests right after it need no session write of their own.

``IdleSocketMiddleware`` applies the same rule when a WebSocket connects (after channels'
``AuthMiddlewareStack``, which already drops an expired or invalidated session): a socket
opened on an idle-expired session is anonymous. It does not log the session out (a socket
cannot set cookies); the next page request does. Opening a socket is not activity.
"""

import time

from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

IDLE_SESSION_KEY = "last_seen"
IDLE_TOUCH_SECONDS = 30


@receiver(user_logged_in)
def _stamp_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        # Stamped at login, so the next requests need no session write of their own.
        request.session[IDLE_SESSION_KEY] = int(time.time())


def idle_expired(session, now: int) -> bool:
    """True when ``SESSION_IDLE_TIMEOUT`` is on and the session was last seen longer ago than that."""
    timeout = getattr(settings, "SESSION_IDLE_TIMEOUT", 0)
    last_seen = session.get(IDLE_SESSION_KEY)
    return bool(timeout) and last_seen is not None and now - last_seen > timeout


class IdleSocketMiddleware:
    """ASGI middleware inside ``AuthMiddlewareStack``: an idle-expired session's socket is anonymous."""

    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        user, session = scope.get("user"), scope.get("session")
        signed_in = user is not None and user.is_authenticated and session is not None
        if signed_in and await database_sync_to_async(idle_expired)(session, int(time.time())):
            scope = {**scope, "user": AnonymousUser()}
        return await self.application(scope, receive, send)


class IdleTimeoutMiddleware:
    """Log out a session idle for more than ``SESSION_IDLE_TIMEOUT`` seconds (0 disables)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timeout = getattr(settings, "SESSION_IDLE_TIMEOUT", 0)
        user = getattr(request, "user", None)
        if timeout and user is not None and user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(IDLE_SESSION_KEY)
            if idle_expired(request.session, now):
                logout(request)
            elif last_seen is None or now - last_seen >= IDLE_TOUCH_SECONDS:
                # Not on every request: a session write per API call would cost a query each.
                request.session[IDLE_SESSION_KEY] = now
        return self.get_response(request)
