"""Factories for the quiz room (kept beside its tests; tests/factories.py covers the rooms below)."""

from datetime import timedelta

import factory
from django.utils import timezone

from quizzes.bank import stem_key
from quizzes.models import Participant, Question, Round, UnitHeadcount
from tests.factories import CompetitionFactory, OrganisationFactory


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    competition = factory.SubFactory(CompetitionFactory)
    kind = Question.Kind.SINGLE
    stem = factory.Sequence(lambda n: f"第{n}题：职工每年享受带薪年休假的条件是？")
    stem_key = factory.LazyAttribute(lambda question: stem_key(question.stem))
    options = ["工作满1年", "工作满3个月", "工作满5年", "工作满10年"]
    answer = "A"
    category = "劳动法"
    difficulty = 2
    points = 5
    explanation = "《职工带薪年休假条例》：职工连续工作1年以上的，享受带薪年休假。"


class RoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Round

    competition = factory.SubFactory(CompetitionFactory)
    title = factory.Sequence(lambda n: f"第{n}轮知识竞赛")
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=9))
    time_limit_seconds = 600
    draw_rules = factory.LazyFunction(lambda: [{"category": "", "difficulty": None, "count": 5}])
    attempts_per_day = 3
    attempts_total = 5
    min_seconds_per_question = 2


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    competition = factory.SubFactory(CompetitionFactory)
    name = factory.Sequence(lambda n: f"职工{n}")
    mobile = factory.Sequence(lambda n: f"138{n:08d}")
    unit = factory.LazyAttribute(lambda participant: participant.competition.host)


class UnitHeadcountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UnitHeadcount

    organisation = factory.SubFactory(OrganisationFactory)
    headcount = 100


def quiz_round(*, questions=12, **round_fields) -> Round:
    """A running round over a bank of ``questions`` mixed questions (single, multiple, true/false, fill)."""
    round_ = RoundFactory(**round_fields)
    kinds = [
        (Question.Kind.SINGLE, ["甲", "乙", "丙", "丁"], "B"),
        (Question.Kind.MULTIPLE, ["甲", "乙", "丙", "丁"], "AC"),
        (Question.Kind.TRUE_FALSE, [], "A"),
        (Question.Kind.FILL, [], "工会|工会组织"),
    ]
    for number in range(questions):
        kind, options, answer = kinds[number % 4]
        QuestionFactory(competition=round_.competition, kind=kind, options=options, answer=answer)
    return round_
