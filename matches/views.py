"""The public bracket page: group tables, the knockout bracket and the next matches with courts.

The page polls ``/api/v1/events/<id>/matches/public/`` every few seconds (no socket: the
live room owns the socket path, and matches may not import it). That JSON applies the
competition's publication policy (``matches.selectors.public_bracket``).
"""

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from competitions.models import Event
from competitions.selectors import competitions_visible_to
from matches.models import MatchEvent

POLL_SECONDS = 5


def client_strings() -> dict:
    """The words the bracket script shows, translated here so the script has no UI text."""
    return {
        "hidden": _("对阵和成绩将在正式公布后显示"),
        "frozen": _("已封榜：显示封榜前确认的结果"),
        "groups": _("小组赛"),
        "knockout": _("淘汰赛"),
        "next": _("即将进行"),
        "placings": _("最终名次"),
        "court": _("%s 号场地"),
        "bye": _("轮空"),
        "tbd": _("待定"),
        "table": {
            "rank": _("名次"),
            "team": _("队伍"),
            "played": _("场"),
            "won": _("胜"),
            "lost": _("负"),
            "ends": _("局（胜-负）"),
        },
        "rounds": {
            "F": _("决赛"),
            "SF": _("半决赛"),
            "QF": _("四分之一决赛"),
            "3P": _("三四名决赛"),
            "5P": _("五六名决赛"),
            "7P": _("七八名决赛"),
            "P5": _("五至八名排位赛"),
            "R": _("%s 强"),
        },
        "outcome": {"walkover": _("弃权"), "forfeit": _("中途弃赛"), "dsq": _("取消资格")},
        "offline": _("网络中断，正在重试……"),
    }


def bracket_page(request, event_id):
    """Big screen (``?tv=1``: no chrome, large type) and phone share one responsive page."""
    event = (
        Event.objects.select_related("competition")
        .filter(pk=event_id, competition__in=competitions_visible_to(request.user))
        .first()
    )
    if event is None or not MatchEvent.objects.filter(event=event).exists():
        raise Http404
    context = {
        "event": event,
        "competition": event.competition,
        "tv": request.GET.get("tv") == "1",
        "data_url": reverse("api-matches-public", args=[event.pk]),
        "poll_ms": POLL_SECONDS * 1000,
        "strings": client_strings(),
    }
    return render(request, "matches/bracket.html", context)
