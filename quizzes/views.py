"""Public quiz pages: the participant's page (phone first) and the public replay of a prize draw.

The participant's page is a shell: everything it shows of a paper comes from the API, which
never sends the answer key before the attempt is finished.
"""

from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import ensure_csrf_cookie

from quizzes import papers
from quizzes.models import Participant, PrizeDraw, Round


def _messages() -> dict:
    """The page script's strings, translated here so the script has none of its own."""
    return {
        "hello": _("%(name)s，您已答题 %(attempts)s 次。"),
        "rank": _("当前排名第 %(rank)s 名（%(score)s 分，用时 %(seconds)s 秒，共 %(ranked)s 人）"),
        "pick_unit": _("请从列表中选择您的单位。"),
        "progress": _("第 %(n)s / %(total)s 题（已答 %(answered)s）"),
        "points": _("%(points)s 分"),
        "kinds": {
            "single": _("单选题"),
            "multiple": _("多选题"),
            "true_false": _("判断题"),
            "fill": _("填空题"),
        },
        "next": _("下一题"),
        "review_submit": _("检查并交卷"),
        "unanswered": _("还有 %(count)s 题未答，确定交卷吗？"),
        "sure": _("全部题目已作答，确定交卷吗？"),
        "save_saving": _("保存中…"),
        "save_saved": _("已保存"),
        "save_offline": _("网络断开，答案已暂存，正在重试…"),
        "detail": _("答对 %(correct)s / %(count)s 题，满分 %(max)s 分，用时 %(seconds)s 秒"),
        "right": _("✓ 回答正确（%(key)s）"),
        "wrong": _("✗ 您的答案：%(given)s；正确答案：%(key)s"),
    }


@ensure_csrf_cookie
def take(request, round_id):
    round_ = get_object_or_404(Round.objects.select_related("competition"), pk=round_id)
    now = timezone.now()
    context = {
        "round": round_,
        "minutes": round(round_.time_limit_seconds / 60, 1),
        "is_open": round_.opens_at <= now < round_.closes_at,
        "messages": _messages(),
    }
    return render(request, "quizzes/take.html", context)


def _masked(name: str) -> str:
    return name[0] + "*" * max(1, len(name) - 2) + (name[-1] if len(name) > 2 else "")


def prize_draw_replay(request, pk):
    """Anyone can check a draw: the seed, the candidates (masked) and the same winners drawn again here."""
    draw = get_object_or_404(PrizeDraw.objects.select_related("round__competition"), pk=pk)
    replayed = papers.draw_winners(draw.seed, draw.candidate_ids, draw.winners)
    people = Participant.objects.in_bulk(draw.candidate_ids)
    winners = [
        {"id": pk, "name": _masked(people[pk].name), "mobile": people[pk].mobile[:3] + "****" + people[pk].mobile[-4:]}
        for pk in draw.winner_ids
        if pk in people
    ]
    context = {
        "draw": draw,
        "winners": winners,
        "matches": replayed == draw.winner_ids,
    }
    return render(request, "quizzes/draw_replay.html", context)
