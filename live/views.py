"""Board pages and their JSON: thin views that check visibility and hand off to the selectors.

The JSON endpoints are what the board script refetches on (re)connect or on a version
gap; they return the same message shape, and the same version, as the socket.
"""

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from competitions.models import Competition
from competitions.selectors import is_organiser
from config.errors import DomainError
from live import selectors, services
from live.hub import reconnect_hint

Publication = Competition.Publication


def _visible_event(request, event_id):
    event = selectors.visible_event(user=request.user, event_id=event_id)
    if event is None:
        raise Http404
    return event


def _monitored_event(request, event_id):
    event = selectors.monitored_event(user=request.user, event_id=event_id)
    if event is None:
        raise PermissionDenied
    return event


def client_strings() -> dict:
    """The words the board script shows, translated here so the script stays free of UI text."""
    return {
        "awards": [_("一等奖"), _("二等奖"), _("三等奖")],
        "status": {"dns": _("未出赛"), "dnf": _("未完成"), "dsq": _("取消资格")},
        "policy": {
            "live": "",
            "frozen": _("已封榜：封榜后的成绩待公布"),
            "hidden": _("成绩将在正式公布后显示"),
            "reveal": _("颁奖揭晓"),
        },
        "toReveal": _("还有 %s 个名次待揭晓"),
        "otherPlaces": _("其余名次"),
        "revealing": _("正在揭晓：%s"),
        "revealDone": _("全部名次已揭晓"),
        "page": _("第 %(page)s/%(pages)s 页"),
        "preview": _("内部预览：观众看不到未公布的成绩"),
        "provisional": _("暂定"),
        "sealed": _("盲评项目：解密前只公布参赛号和评分进度，不公布成绩"),
        "sealedDone": _("已评完"),
        "sealedMarking": _("评分中"),
        "pending": _("待定"),
        "missingOf": _("缺少 %(missing)s 条评分（应有 %(expected)s 条）"),
        "missing": _("缺 %s 条"),
        "alert": _("%(code)s · %(criterion)s：裁判 %(username)s 打分 %(value)s，与组内中位数 %(median)s 偏差过大"),
    }


def tier_label(tier: int | None) -> str:
    """A ceremony step's heading: the award's name, or the places without award (tier 0)."""
    if tier is None:
        return ""
    strings = client_strings()
    if tier == 0:
        return strings["otherPlaces"]
    awards = strings["awards"]
    return awards[tier - 1] if tier <= len(awards) else _("%s等奖") % tier


def _qr_svg(url: str) -> str:
    # A viewBox and no fixed size, so the CSS can size it without cropping the code.
    return segno.make(url, error="m").svg_inline(scale=4, dark="#111", light="#fff", omitsize=True)


def board(request, event_id):
    """The big-screen board; ``?tv=1`` turns on TV mode (large type filling the screen, turning pages, no chrome)."""
    event = _visible_event(request, event_id)
    phone_url = request.build_absolute_uri(reverse("live:phone", args=[event.pk]))
    context = {
        "event": event,
        "competition": event.competition,
        "tv": request.GET.get("tv") == "1",
        "phone_url": phone_url,
        "qr_svg": _qr_svg(phone_url),
        "ws_path": f"/ws/events/{event.pk}/",
        "data_url": reverse("live:standings", args=[event.pk]),
        "strings": client_strings(),
    }
    return render(request, "live/board.html", context)


def phone(request, event_id):
    event = _visible_event(request, event_id)
    context = {
        "event": event,
        "competition": event.competition,
        "ws_path": f"/ws/events/{event.pk}/",
        "data_url": reverse("live:standings", args=[event.pk]),
        "strings": client_strings(),
    }
    return render(request, "live/phone.html", context)


def overview(request, competition_id):
    competition = selectors.visible_competition(user=request.user, competition_id=competition_id)
    if competition is None:
        raise Http404
    context = {
        "competition": competition,
        "ws_path": f"/ws/competitions/{competition.pk}/",
        "data_url": reverse("live:overview-data", args=[competition.pk]),
        "strings": client_strings(),
    }
    return render(request, "live/overview.html", context)


@login_required
def monitor(request, event_id):
    event = _monitored_event(request, event_id)
    competition = event.competition
    organiser = is_organiser(request.user, competition)
    reveal = selectors.reveal_state(event=event) if event.publication_policy == Publication.REVEAL else None
    context = {
        "event": event,
        "competition": competition,
        "policies": Publication.choices,
        # The chief judge's own choices for the event: never "live" over the organiser's choice.
        "event_policies": [
            ("", _("随比赛（%s）") % competition.get_publication_display()),
            *[(value, label) for value, label in Publication.choices if organiser or value != Publication.LIVE],
        ],
        "event_policy": event.publication,
        "reveal": reveal,
        "reveal_next": tier_label(reveal["next"]) if reveal else "",
        "is_organiser": organiser,
        "ws_path": f"/ws/events/{event.pk}/monitor/",
        "data_url": reverse("live:monitor-data", args=[event.pk]),
        "strings": client_strings(),
    }
    return render(request, "live/monitor.html", context)


# The response header that tells a board how to reconnect if this process goes away (live.hub.reconnect_hint).
RECONNECT_HEADER = "Live-Reconnect"


@never_cache
def standings_data(request, event_id):
    """The board's truth over HTTP: the stored board at the current generation (built once if a change is pending)."""
    event = _visible_event(request, event_id)
    response = JsonResponse(
        selectors.public_standings(event=event, user=request.user), json_dumps_params={"ensure_ascii": False}
    )
    response[RECONNECT_HEADER] = reconnect_hint()
    return response


@never_cache
def overview_data(request, competition_id):
    competition = selectors.visible_competition(user=request.user, competition_id=competition_id)
    if competition is None:
        raise Http404
    return JsonResponse(
        selectors.competition_overview(competition=competition), json_dumps_params={"ensure_ascii": False}
    )


@never_cache
def monitor_data(request, event_id):
    event = _monitored_event(request, event_id)
    return JsonResponse(selectors.event_monitor(event=event), json_dumps_params={"ensure_ascii": False})


@require_POST
@login_required
def publication_set(request, event_id):
    event = _monitored_event(request, event_id)
    try:
        services.publication_set(
            actor=request.user, competition=event.competition, policy=request.POST.get("policy", "")
        )
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("live:monitor", event.pk)


@require_POST
@login_required
def event_publication_set(request, event_id):
    """The event's own policy, from the monitor: its chief judge (or an organiser) freezes or reveals it."""
    event = _monitored_event(request, event_id)
    try:
        services.event_publication_set(actor=request.user, event=event, policy=request.POST.get("policy", ""))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("live:monitor", event.pk)


@require_POST
@login_required
def reveal_next(request, event_id):
    event = _monitored_event(request, event_id)
    try:
        services.reveal_next(actor=request.user, event=event)
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("live:monitor", event.pk)
