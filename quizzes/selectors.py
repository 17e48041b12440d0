"""Reads for online knowledge contests: the unit tree, the pool, papers, rankings, participation, the dashboard.

Rankings read ``Result`` (one row per participant, kept by ``services.result_fold``), never
the attempts: the individual ranking is an index range on ``quiz_result_rank``, a
participant's rank one indexed count, and unit participation one ``GROUP BY unit`` rolled up
the unit tree here in Python. The order is score (higher first), then time (shorter first),
then who got there first (``Result.id``), so two equal results never swap places between reads.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from django.core.cache import cache
from django.db.models import Avg, Count, Q, Sum
from django.db.models.functions import TruncMinute
from django.utils import timezone

from competitions.models import Organisation
from quizzes import papers
from quizzes.models import Attempt, Question, Result, Round, UnitHeadcount

TREE_CACHE_SECONDS = 60
TREE_CACHE_KEY = "quiz:unit-tree"


def _unit_tree(*, needs: int | None = None) -> dict[int, dict]:
    """Every organisation: ``{id: {"name", "parent"}}``; cached briefly (hundreds of rows, read on every sign-in).

    A unit created since the cache was filled is found anyway: asking for a unit the cached
    tree lacks (``needs``) reads the tree again.
    """
    tree = cache.get(TREE_CACHE_KEY)
    if tree is None or (needs is not None and needs not in tree):
        tree = {
            pk: {"name": name, "parent": parent}
            for pk, name, parent in Organisation.objects.values_list("id", "name", "parent_id")
        }
        cache.set(TREE_CACHE_KEY, tree, TREE_CACHE_SECONDS)
    return tree


def root_unit_id(round_: Round) -> int:
    return round_.unit_root_id or round_.competition.host_id


def unit_ids_in_tree(round_: Round, *, needs: int | None = None) -> set[int]:
    """The round's unit and every unit under it (``needs``: a unit id that must be looked up fresh if unknown)."""
    tree = _unit_tree(needs=needs)
    if root_unit_id(round_) not in tree:
        tree = _unit_tree(needs=root_unit_id(round_))
    children = defaultdict(list)
    for pk, node in tree.items():
        children[node["parent"]].append(pk)
    found, stack = set(), [root_unit_id(round_)]
    while stack:
        pk = stack.pop()
        if pk in found:
            continue
        found.add(pk)
        stack += children.get(pk, [])
    return found


def _path(tree: dict, pk: int, root: int) -> list[str]:
    names = []
    while pk is not None:
        names.append(tree[pk]["name"])
        if pk == root:
            break
        pk = tree[pk]["parent"]
    return names[::-1]


def units_for_picker(round_: Round, query: str = "", limit: int = 30) -> list[dict]:
    """Units in the round's tree whose name contains ``query``, with their path for telling namesakes apart."""
    root = root_unit_id(round_)
    tree = _unit_tree(needs=root)
    query = query.strip()
    rows = []
    for pk in unit_ids_in_tree(round_):
        name = tree[pk]["name"]
        if query and query not in name:
            continue
        rows.append({"id": pk, "name": name, "path": " / ".join(_path(tree, pk, root)[:-1])})
    rows.sort(key=lambda row: (row["path"], row["name"]))
    return rows[:limit]


def question_pool(competition_id: int) -> dict[int, papers.PoolQuestion]:
    rows = Question.objects.filter(competition_id=competition_id, active=True).values_list(
        "id", "kind", "category", "difficulty", "options", "points"
    )
    counts = {"true_false": len(papers.TRUE_FALSE_OPTIONS), "fill": 0}
    return {
        pk: papers.PoolQuestion(pk, kind, category, difficulty, counts.get(kind, len(options)), points)
        for pk, kind, category, difficulty, options, points in rows
    }


def _options(question: Question) -> list[str]:
    return papers.TRUE_FALSE_OPTIONS if question.kind == Question.Kind.TRUE_FALSE else question.options


def attempt_paper(attempt: Attempt) -> list[dict]:
    """The questions as the phone shows them: options in the attempt's order, never the answer or explanation."""
    questions = Question.objects.in_bulk(attempt.question_ids)
    items = []
    for position, question_id in enumerate(attempt.question_ids):
        question = questions[question_id]
        order = attempt.option_orders[position]
        options = _options(question)
        saved = attempt.answers.get(str(position))
        items.append(
            {
                "position": position,
                "kind": question.kind,
                "stem": question.stem,
                "points": question.points,
                "options": [
                    {"letter": papers.LETTERS[index], "text": options[original]} for index, original in enumerate(order)
                ],
                "answer": papers.to_displayed(question.kind, saved[0], order) if saved and saved[0] else "",
                "rev": saved[1] if saved else 0,
            }
        )
    return items


def attempt_review(attempt: Attempt) -> list[dict]:
    """After the attempt is finished: each question with the given and the correct answer and the explanation."""
    if attempt.status == Attempt.Status.OPEN:
        raise ValueError("an open attempt has no review")
    questions = Question.objects.in_bulk(attempt.question_ids)
    items = []
    for position, question_id in enumerate(attempt.question_ids):
        question = questions.get(question_id)
        if question is None:
            continue
        order = attempt.option_orders[position]
        saved = attempt.answers.get(str(position))
        given = saved[0] if saved else ""
        key = question.answer
        if question.kind != Question.Kind.FILL:
            key = papers.to_displayed(question.kind, key, order)
            given = papers.to_displayed(question.kind, given, order) if given else ""
        items.append(
            {
                "position": position,
                "stem": question.stem,
                "options": [
                    {"letter": papers.LETTERS[index], "text": _options(question)[original]}
                    for index, original in enumerate(order)
                ],
                "given": given,
                "correct_answer": key,
                "correct": bool(saved) and papers.is_correct(question.kind, question.answer, saved[0]),
                "explanation": question.explanation,
            }
        )
    return items


def _ranked(round_: Round):
    return Result.objects.filter(round=round_, ranked=True)


def ranking(round_: Round, *, offset: int = 0, limit: int = 50) -> list[dict]:
    """The individual ranking: score, then time, then who got there first."""
    rows = (
        _ranked(round_)
        .order_by("-score", "duration_ms", "id")
        .values("participant_id", "participant__name", "unit__name", "score", "duration_ms", "attempts")[
            offset : offset + limit
        ]
    )
    return [
        {
            "rank": offset + number,
            "participant": row["participant_id"],
            "name": row["participant__name"],
            "unit": row["unit__name"],
            "score": row["score"],
            "seconds": round(row["duration_ms"] / 1000, 1),
            "attempts": row["attempts"],
        }
        for number, row in enumerate(rows, start=1)
    ]


def my_rank(round_: Round, participant_id: int) -> dict | None:
    """The participant's result and rank (one count over the rows ahead), or None before a ranked attempt."""
    result = Result.objects.filter(round=round_, participant_id=participant_id).first()
    if result is None or not result.ranked:
        return None
    ahead = (
        _ranked(round_)
        .filter(
            Q(score__gt=result.score)
            | Q(score=result.score, duration_ms__lt=result.duration_ms)
            | Q(score=result.score, duration_ms=result.duration_ms, id__lt=result.id)
        )
        .count()
    )
    return {
        "rank": ahead + 1,
        "score": result.score,
        "seconds": round(result.duration_ms / 1000, 1),
        "ranked": _ranked(round_).count(),
    }


@dataclass
class UnitRow:
    id: int
    name: str
    depth: int
    participants: int = 0
    score_sum: int = 0
    headcount: int = 0

    @property
    def rate(self) -> float | None:
        return round(self.participants / self.headcount, 4) if self.headcount else None

    @property
    def average(self) -> float | None:
        return round(self.score_sum / self.participants, 1) if self.participants else None

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "depth": self.depth,
            "participants": self.participants,
            "headcount": self.headcount,
            "rate": self.rate,
            "average": self.average,
        }


def unit_participation(round_: Round) -> list[UnitRow]:
    """Each unit of the round's tree with its subtree's participants, headcount, rate and average score.

    Participants counted once each, under the unit they signed in with; the average is over
    ranked results. One GROUP BY over the round's results, then a walk of the tree.
    """
    root = root_unit_id(round_)
    tree = _unit_tree(needs=root)
    in_tree = unit_ids_in_tree(round_)
    own = {
        row["unit_id"]: row
        for row in Result.objects.filter(round=round_)
        .values("unit_id")
        .annotate(participants=Count("id"), ranked=Count("id", filter=Q(ranked=True)), score_sum=Sum("score"))
    }
    heads = dict(UnitHeadcount.objects.filter(organisation_id__in=in_tree).values_list("organisation_id", "headcount"))
    children = defaultdict(list)
    for pk in in_tree:
        if pk != root:
            children[tree[pk]["parent"]].append(pk)
    rows: list[UnitRow] = []

    def walk(pk: int, depth: int) -> UnitRow:
        row = UnitRow(pk, tree[pk]["name"], depth)
        rows.append(row)
        mine = own.get(pk)
        if mine:
            row.participants += mine["participants"]
            row.score_sum += mine["score_sum"] or 0
        row.headcount += heads.get(pk, 0)
        for child in sorted(children.get(pk, []), key=lambda child: tree[child]["name"]):
            sub = walk(child, depth + 1)
            row.participants += sub.participants
            row.score_sum += sub.score_sum
            row.headcount += sub.headcount
        return row

    walk(root, 0)
    return rows


def dashboard(round_: Round, *, now=None, minutes: int = 15) -> dict:
    """What the organiser's dashboard polls: attempts in progress, submissions per minute, participation by unit."""
    now = now or timezone.now()
    attempts = Attempt.objects.filter(round=round_)
    in_progress = attempts.filter(status=Attempt.Status.OPEN, deadline__gt=now).count()
    since = now - timedelta(minutes=minutes)
    per_minute = dict(
        attempts.filter(status__in=[Attempt.Status.SUBMITTED, Attempt.Status.EXPIRED], finished_at__gte=since)
        .annotate(minute=TruncMinute("finished_at"))
        .values_list("minute")
        .annotate(count=Count("id"))
        .values_list("minute", "count")
    )
    start = timezone.localtime(since).replace(second=0, microsecond=0)
    series = []
    for step in range(minutes + 1):
        minute = start + timedelta(minutes=step)
        count = sum(value for key, value in per_minute.items() if timezone.localtime(key) == minute)
        series.append({"minute": minute.strftime("%H:%M"), "count": count})
    totals = Result.objects.filter(round=round_).aggregate(
        participants=Count("id"), average=Avg("score", filter=Q(ranked=True))
    )
    units = unit_participation(round_)
    return {
        "round": round_.pk,
        "at": now.isoformat(),
        "in_progress": in_progress,
        "participants": totals["participants"],
        "attempts": attempts.exclude(status=Attempt.Status.OPEN).count(),
        "flagged": attempts.filter(flagged=True).count(),
        "average": round(totals["average"], 1) if totals["average"] is not None else None,
        "per_minute": series,
        "units": [row.as_dict() for row in units if row.depth <= 1],
    }
