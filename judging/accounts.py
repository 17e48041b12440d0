"""Judge accounts that organisers create for their own competitions (``POST /api/v1/competitions/<id>/judges/``).

An organiser may create a *new* user with a judging role in a competition they organise,
and gets back a one-time login QR code for it. They may not attach an existing account:
the login code would hand them that account. The new user has no usable password; a
tablet signs in with the code, and the organiser prints a fresh one when it is used up.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from competitions.access import require_organiser
from competitions.models import Competition, Event, JudgeAssignment, Organisation
from competitions.services import judge_assignment_save
from config.errors import error
from judging.login_codes import login_code_issue
from judging.models import LoginCode


@dataclass(frozen=True)
class JudgeAccount:
    assignment: JudgeAssignment
    login_code: LoginCode
    token: str  # the login code's token, shown once


@transaction.atomic
def judge_account_create(
    *,
    competition: Competition,
    created_by,
    username: str,
    name: str,
    role: str,
    event: Event | None = None,
    organisation: Organisation | None = None,
) -> JudgeAccount:
    """A new user with a judging role in ``competition``, and a login code for their tablet.

    Errors: 403 ``not_organiser``; 400 ``username_taken``, ``organiser_event``,
    ``assignment_other_competition``.
    """
    require_organiser(created_by, competition)
    users = get_user_model()
    if users.objects.filter(username__iexact=username).exists():
        raise error("username_taken", field="username")
    user = users(username=username, first_name=name)
    user.set_unusable_password()
    user.save()
    assignment = judge_assignment_save(
        user=user, competition=competition, event=event, role=role, organisation=organisation
    )
    login_code, token = login_code_issue(user=user, issued_by=created_by)
    return JudgeAccount(assignment=assignment, login_code=login_code, token=token)


@transaction.atomic
def api_token_create(*, user):
    """A new API token for ``user`` (django-rest-knox: only its hash is stored); returns ``(row, token)``.

    At most ``REST_KNOX["TOKEN_LIMIT_PER_USER"]`` live tokens per user: the oldest beyond it are revoked,
    so a script that logs in on every run never locks its user out of new tokens.
    """
    from django.utils import timezone
    from knox.models import AuthToken
    from knox.settings import knox_settings

    live = AuthToken.objects.filter(user=user, expiry__gt=timezone.now()).order_by("-created")
    limit = knox_settings.TOKEN_LIMIT_PER_USER
    if limit:
        stale = list(live.values_list("pk", flat=True)[limit - 1 :])
        AuthToken.objects.filter(pk__in=stale).delete()
    return AuthToken.objects.create(user=user, expiry=knox_settings.TOKEN_TTL)
