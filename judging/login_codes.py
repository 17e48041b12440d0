"""Judge sign-in on tablets: one-time login QR codes, a failed-login lockout, idle session expiry.

- **Login codes.** The organiser prints one QR code per judge from the admin. The QR
  holds ``/judge/login/<token>/``; only the token's SHA-256 digest is stored, so the
  printed sheet is the only copy. A code works once, until it expires or is revoked.
- **Lockout.** After ``LOGIN_LOCKOUT_ATTEMPTS`` failed logins for one username within
  ``LOGIN_LOCKOUT_SECONDS``, every login for it is refused (even with the right
  password) until the window passes. Counters live in the cache, so the lockout is
  shared by every process when the cache is Redis. ``LockoutBackend`` goes first in
  ``AUTHENTICATION_BACKENDS``: raising ``PermissionDenied`` stops ``authenticate``.
- **Idle expiry.** ``IdleTimeoutMiddleware`` logs a session out after
  ``SESSION_IDLE_TIMEOUT`` seconds without a request (API calls count as activity).
"""

import hashlib
import secrets
import time
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config.errors import DomainError
from scoring.models import LoginCode

DEFAULT_CODE_HOURS = 24
IDLE_SESSION_KEY = "last_seen"
IDLE_TOUCH_SECONDS = 30


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --------------------------------------------------------------------------
# One-time login codes


@transaction.atomic
def login_code_issue(*, user, issued_by=None, valid_for: timedelta | None = None) -> tuple[LoginCode, str]:
    """A new code for ``user``; returns the row and the token (shown once, on the printout)."""
    token = secrets.token_urlsafe(24)
    code = LoginCode.objects.create(
        user=user,
        digest=_digest(token),
        issued_by=issued_by,
        expires_at=timezone.now() + (valid_for or timedelta(hours=DEFAULT_CODE_HOURS)),
    )
    return code, token


@transaction.atomic
def login_code_revoke(*, code: LoginCode) -> LoginCode:
    if code.revoked_at is None:
        code.revoked_at = timezone.now()
        code.save(update_fields=["revoked_at"])
    return code


@transaction.atomic
def login_code_redeem(*, token: str):
    """Use a code once and return its user.

    Takes the code's row lock, so two scans of one code cannot both log in.
    Errors (400): ``login_code_invalid``, ``login_code_expired``, ``login_code_revoked``, ``login_code_used``.
    """
    code = LoginCode.objects.select_for_update().select_related("user").filter(digest=_digest(token or "")).first()
    if code is None or not code.user.is_active:
        raise DomainError(_("登录二维码无效。"), code="login_code_invalid")
    if code.revoked_at is not None:
        raise DomainError(_("登录二维码已被撤销，请向组织者领取新码。"), code="login_code_revoked")
    if code.used_at is not None:
        raise DomainError(_("登录二维码已使用过，每个码只能使用一次。"), code="login_code_used")
    if code.expires_at <= timezone.now():
        raise DomainError(_("登录二维码已过期，请向组织者领取新码。"), code="login_code_expired")
    code.used_at = timezone.now()
    code.save(update_fields=["used_at"])
    return code.user


def login_code_svg(url: str) -> str:
    """The QR code of ``url`` as inline SVG (segno)."""
    import segno

    return segno.make(url, error="m").svg_inline(scale=5, border=2)


# --------------------------------------------------------------------------
# Lockout after repeated failed logins


def _attempts() -> int:
    return getattr(settings, "LOGIN_LOCKOUT_ATTEMPTS", 5)


def _window() -> int:
    return getattr(settings, "LOGIN_LOCKOUT_SECONDS", 15 * 60)


def _failures_key(username: str) -> str:
    # Keyed by database too: test runs (one database each) may share one Redis cache.
    scope = f"{connection.settings_dict['NAME']}|{(username or '').strip().lower()}"
    return f"login-failures:{hashlib.sha256(scope.encode()).hexdigest()}"


def login_failures(username: str) -> int:
    return cache.get(_failures_key(username), 0)


def is_locked_out(username: str) -> bool:
    return login_failures(username) >= _attempts()


@receiver(user_login_failed)
def _count_failure(sender, credentials, request=None, **kwargs):
    key = _failures_key(credentials.get("username", ""))
    if cache.add(key, 1, timeout=_window()):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=_window())


@receiver(user_logged_in)
def _reset_failures(sender, request, user, **kwargs):
    cache.delete(_failures_key(user.get_username()))
    if request is not None and hasattr(request, "session"):
        # Stamped at login, so the next requests need no session write of their own.
        request.session[IDLE_SESSION_KEY] = int(time.time())


class LockoutAuthenticationForm(AuthenticationForm):
    """The login form, saying plainly when a username is locked out rather than "wrong password"."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": gettext_lazy("用户名或密码不正确，请重试。"),
        "locked_out": gettext_lazy("登录失败次数过多，该账号已暂时锁定，请 %(minutes)s 分钟后再试。"),
    }

    def clean(self):
        username = self.cleaned_data.get("username")
        if username and is_locked_out(username):
            raise ValidationError(
                self.error_messages["locked_out"], code="locked_out", params={"minutes": max(1, _window() // 60)}
            )
        return super().clean()


class LockoutBackend(ModelBackend):
    """Django's username/password backend, refusing every login of a locked-out username.

    It is a ModelBackend (not a bare check) because ``Client.force_login`` and
    ``login()`` without a backend use the first backend listed to load the user.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is not None and is_locked_out(username):
            raise PermissionDenied("locked out")
        return super().authenticate(request, username=username, password=password, **kwargs)


# --------------------------------------------------------------------------
# Idle session expiry


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
