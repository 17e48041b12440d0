"""The demo's online knowledge contest: a real-looking bank, a running round, finished attempts over the unit tree."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from demo.quiz_questions import bank_rows
from quizzes import papers, selectors
from quizzes.models import Attempt, Question, Result, Round

pytestmark = pytest.mark.django_db


def test_demo_bank_rows_are_well_formed_questions():
    rows = bank_rows()
    kinds = [row["kind"] for row in rows]

    assert len(rows) == 259
    assert {kind: kinds.count(kind) for kind in set(kinds)} == {
        "single": 85,
        "true_false": 85,
        "fill": 77,
        "multiple": 12,
    }
    assert len({row["stem"] for row in rows}) == 259
    for row in rows:
        assert ("____" in row["stem"]) == (row["kind"] == "fill")
        if row["kind"] in ("single", "multiple"):
            assert set(row["answer"]) <= set(papers.LETTERS[: len(row["options"])])
    singles = [row["answer"] for row in rows if row["kind"] == "single"]
    assert sorted(set(singles)) == ["A", "B", "C", "D"]


def test_seed_demo_builds_a_running_quiz_round_with_finished_attempts():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115 - closed with the process
    round_ = Round.objects.get(competition__slug="QUIZ")
    now = timezone.now()

    assert round_.opens_at < now < round_.closes_at
    assert Question.objects.filter(competition=round_.competition).count() == 259
    finished = Attempt.objects.filter(round=round_, status=Attempt.Status.SUBMITTED)
    assert finished.count() == 3000
    assert Result.objects.filter(round=round_).count() == 1800
    assert selectors.dashboard(round_)["in_progress"] == 24
    units = selectors.unit_participation(round_)
    assert units[0].participants == 1800
    assert sum(1 for row in units if row.depth == 1 and row.participants) >= 11
    attempt = finished.first()
    replay = papers.draw_paper(attempt.seed, selectors.question_pool(round_.competition_id).values(), round_.draw_rules)
    assert replay.question_ids == attempt.question_ids
