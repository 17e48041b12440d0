"""Password sign-in: the login form's wording and the page a locked-out login gets.

The lockout itself is django-axes (settings: ``AXES_*``), counting failures in the
project's default cache, which is Redis when ``REDIS_URL`` is set, so every process
shares the counts. It locks a *username at one client address*: five wrong passwords
for ``judge1`` from one machine lock ``judge1`` there only, so nobody can lock a judge
out of their own tablet from another machine during a contest.

Axes refuses a locked-out login in ``AxesBackend`` (first in ``AUTHENTICATION_BACKENDS``)
and ``AxesMiddleware`` turns the refused request into ``lockout_response``: the login
page again, saying plainly why, instead of axes' bare English text.
"""

import math

from axes.helpers import get_cool_off
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config.errors import message
from config.throttling import LoginRateThrottle
from judging.landing import landing_url

LOCKOUT_STATUS = 429


class LoginForm(AuthenticationForm):
    """Django's login form, with a plainer message for a wrong username or password."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": gettext_lazy("用户名或密码不正确，请重试。"),
    }


def lockout_response(request, *args, **kwargs):
    """The login page with the lockout message (``AXES_LOCKOUT_CALLABLE``).

    Takes the request only: axes passes the original response and the credentials
    positionally, and in a different order on its async path.
    """
    seconds = int(get_cool_off(request).total_seconds())
    if request.path.startswith("/api/"):
        # The token endpoint (judging.api): the same lockout, in the API's words.
        response = JsonResponse({"code": "locked_out", "detail": str(message("locked_out"))}, status=LOCKOUT_STATUS)
        response["Retry-After"] = str(seconds)
        return response
    minutes = max(1, seconds // 60)
    context = {
        "form": LoginForm(request, initial={"username": request.POST.get("username", "")}),
        "locked_out": _("登录失败次数过多，该账号已暂时锁定，请 %(minutes)s 分钟后再试。") % {"minutes": minutes},
        "next": request.POST.get("next", request.GET.get("next", "")),
    }
    return render(request, "registration/login.html", context, status=LOCKOUT_STATUS)


class LoginView(auth_views.LoginView):
    """Django's login view, with a per-address rate on the POST (``LOGIN_RATE``, shared with the token endpoint).

    django-axes locks one username at one address after repeated failures; this bounds how many
    usernames one address may try, and how fast.
    """

    authentication_form = LoginForm

    def get_default_redirect_url(self):
        # Without a safe ``next``: the page the user's role works on.
        return landing_url(self.request.user)

    def post(self, request, *args, **kwargs):
        throttle = LoginRateThrottle()
        if not throttle.allow_request(request, self):
            wait = max(1, math.ceil(throttle.wait() or 1))
            context = {
                "form": self.get_form_class()(request, initial={"username": request.POST.get("username", "")}),
                "locked_out": message("throttled") % {"wait": wait},
                "next": request.POST.get("next", ""),
            }
            response = render(request, "registration/login.html", context, status=LOCKOUT_STATUS)
            response["Retry-After"] = str(wait)
            return response
        return super().post(request, *args, **kwargs)
