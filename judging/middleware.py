"""Idle session expiry for judges' tablets.

``IdleTimeoutMiddleware`` logs a session out after ``SESSION_IDLE_TIMEOUT`` seconds
without a request (API calls count as activity). A login stamps the session, so the
requests right after it need no session write of their own.
"""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

IDLE_SESSION_KEY = "last_seen"
IDLE_TOUCH_SECONDS = 30


@receiver(user_logged_in)
def _stamp_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        # Stamped at login, so the next requests need no session write of their own.
        request.session[IDLE_SESSION_KEY] = int(time.time())


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
            if last_seen is not None and now - last_seen > timeout:
                logout(request)
            elif last_seen is None or now - last_seen >= IDLE_TOUCH_SECONDS:
                # Not on every request: a session write per API call would cost a query each.
                request.session[IDLE_SESSION_KEY] = now
        return self.get_response(request)
