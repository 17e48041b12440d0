"""Judge sign-in on tablets with one-time login QR codes.

The organiser prints one QR code per judge from the admin. The QR holds
``/judge/login/<token>/``; only the token's SHA-256 digest is stored, so the printed
sheet is the only copy. A code works once, until it expires or is revoked.

The lockout after failed password logins is django-axes (see ``judging.auth``); idle
session expiry is ``judging.middleware.IdleTimeoutMiddleware``.
"""

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from config.errors import error
from judging.models import LoginCode

DEFAULT_CODE_HOURS = 24


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


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
        raise error("login_code_invalid")
    if code.revoked_at is not None:
        raise error("login_code_revoked")
    if code.used_at is not None:
        raise error("login_code_used")
    if code.expires_at <= timezone.now():
        raise error("login_code_expired")
    code.used_at = timezone.now()
    code.save(update_fields=["used_at"])
    return code.user


def login_code_holder(*, token: str):
    """Whose account a code signs in to (a read: the code stays unused), or None for a code that would be refused."""
    code = LoginCode.objects.select_related("user").filter(digest=_digest(token or "")).first()
    if code is None or not code.user.is_active or code.revoked_at or code.used_at or code.expires_at <= timezone.now():
        return None
    return code.user


def login_code_svg(url: str) -> str:
    """The QR code of ``url`` as inline SVG (segno)."""
    import segno

    return segno.make(url, error="m").svg_inline(scale=5, border=2)
