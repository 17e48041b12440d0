"""Rankings, unit participation rolled up the tree, the dashboard, prize draws and the organiser's round pages."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from config.errors import DomainError
from quizzes import papers, selectors, services
from quizzes.models import Attempt, PrizeDraw, Question, Result, Round
from tests.factories import OrganisationFactory, UserFactory
from tests.helpers import organiser_of
from tests.quizzes.factories import ParticipantFactory, UnitHeadcountFactory, quiz_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def round_():
    return quiz_round(questions=12)


def _finish(round_, participant, *, correct: int, seconds: int):
    """An attempt of ``participant`` with ``correct`` right answers, submitted after ``seconds``."""
    start = timezone.now() - timedelta(seconds=seconds)
    attempt = services.attempt_start(round_=round_, participant=participant, now=start)
    for position in range(correct):
        question = Question.objects.get(pk=attempt.question_ids[position])
        value = papers.to_displayed(question.kind, question.answer.split("|")[0], attempt.option_orders[position])
        services.answer_save(
            attempt_id=attempt.pk, participant=participant, position=position, value=value, rev=1, now=start
        )
    return services.attempt_submit(
        attempt_id=attempt.pk, participant=participant, now=start + timedelta(seconds=seconds)
    )


def test_ranking_is_by_score_then_time(round_):
    people = ParticipantFactory.create_batch(3, competition=round_.competition)
    _finish(round_, people[0], correct=4, seconds=100)
    _finish(round_, people[1], correct=5, seconds=200)
    _finish(round_, people[2], correct=4, seconds=60)

    ranking = selectors.ranking(round_)

    assert [(row["rank"], row["participant"], row["score"], row["seconds"]) for row in ranking] == [
        (1, people[1].pk, 25, 200.0),
        (2, people[2].pk, 20, 60.0),
        (3, people[0].pk, 20, 100.0),
    ]
    assert selectors.my_rank(round_, people[0].pk) == {"rank": 3, "score": 20, "seconds": 100.0, "ranked": 3}


@pytest.mark.parametrize(
    ("counting", "expected"),
    [(Round.Counting.BEST, (25, 2)), (Round.Counting.FIRST, (10, 2)), (Round.Counting.LAST, (15, 2))],
)
def test_which_attempt_counts(round_, counting, expected):
    round_.counting = counting
    round_.save()
    participant = ParticipantFactory(competition=round_.competition)
    _finish(round_, participant, correct=2, seconds=100)
    _finish(round_, participant, correct=5, seconds=100)
    _finish(round_, participant, correct=3, seconds=100)

    result = Result.objects.get(round=round_, participant=participant)

    assert (result.score, result.attempts - 1) == expected


def test_unit_participation_rolls_up_the_tree(round_):
    host = round_.competition.host
    district = OrganisationFactory(parent=host, name="东城区总工会")
    plant = OrganisationFactory(parent=district, name="东城机械厂")
    other = OrganisationFactory(parent=host, name="西城区总工会")
    UnitHeadcountFactory(organisation=plant, headcount=40)
    UnitHeadcountFactory(organisation=district, headcount=10)
    UnitHeadcountFactory(organisation=other, headcount=50)
    for unit, correct in ((plant, 5), (plant, 3), (district, 4), (other, 1)):
        _finish(round_, ParticipantFactory(competition=round_.competition, unit=unit), correct=correct, seconds=90)

    rows = {row.name: row.as_dict() for row in selectors.unit_participation(round_)}

    assert rows["东城机械厂"] == {
        "id": plant.pk,
        "name": "东城机械厂",
        "depth": 2,
        "participants": 2,
        "headcount": 40,
        "rate": 0.05,
        "average": 20.0,
    }
    assert (rows["东城区总工会"]["participants"], rows["东城区总工会"]["headcount"], rows["东城区总工会"]["rate"]) == (
        3,
        50,
        0.06,
    )
    assert (rows[host.name]["participants"], rows[host.name]["headcount"], rows[host.name]["average"]) == (4, 100, 16.2)


def test_prize_draw_replays_from_its_seed_on_the_public_page(client, round_):
    people = ParticipantFactory.create_batch(6, competition=round_.competition)
    for index, person in enumerate(people):
        _finish(round_, person, correct=5 if index < 4 else 2, seconds=90)
    organiser = organiser_of(round_.competition)

    draw = services.prize_draw_create(round_=round_, title="幸运奖", min_score=25, winners=2, user=organiser)
    page = client.get(f"/quiz/draws/{draw.pk}/").content.decode()

    assert draw.candidate_ids == sorted(person.pk for person in people[:4])
    assert draw.winner_ids == papers.draw_winners(draw.seed, draw.candidate_ids, 2)
    assert len(set(draw.winner_ids)) == 2
    assert draw.seed in page
    assert 'id="replay-ok"' in page
    PrizeDraw.objects.filter(pk=draw.pk).update(winner_ids=list(reversed(draw.winner_ids)))
    assert 'id="replay-ok"' not in client.get(f"/quiz/draws/{draw.pk}/").content.decode()


def test_dashboard_json_for_organisers_only(client, round_):
    participant = ParticipantFactory(competition=round_.competition)
    _finish(round_, participant, correct=3, seconds=120)
    services.attempt_start(round_=round_, participant=ParticipantFactory(competition=round_.competition))
    url = f"/api/v1/quiz/rounds/{round_.pk}/dashboard/"

    client.force_login(UserFactory())
    refused = client.get(url)
    client.force_login(organiser_of(round_.competition))
    data = client.get(url).json()

    assert (refused.status_code, refused.json()["code"]) == (403, "not_organiser")
    assert (data["in_progress"], data["participants"], data["attempts"], data["average"]) == (1, 1, 1, 15.0)
    assert sum(minute["count"] for minute in data["per_minute"]) == 1
    assert data["units"][0]["participants"] == 1


def test_round_setup_results_and_export_pages(client, round_):
    client.force_login(organiser_of(round_.competition))
    competition = round_.competition
    form = {
        "title": "第二轮",
        "opens_at": "2026-11-21T08:00",
        "closes_at": "2026-11-30T20:00",
        "time_limit_seconds": 600,
        "attempts_per_day": 3,
        "attempts_total": 10,
        "counting": "best",
        "show_answers": "on",
        "eligibility": "unit_tree",
        "unit_root": "",
        "min_seconds_per_question": 2,
        "rules_text": "工会知识, 1, 5\n, , 3",
    }

    created = client.post(f"/manage/quiz/competitions/{competition.pk}/rounds/new/", form)
    new_round = Round.objects.get(title="第二轮")
    _finish(round_, ParticipantFactory(competition=competition, name="陈静"), correct=5, seconds=90)
    results = client.get(f"/manage/quiz/rounds/{round_.pk}/")
    export = client.get(f"/manage/quiz/rounds/{round_.pk}/export/")

    assert created.status_code == 302
    assert new_round.draw_rules == [
        {"category": "工会知识", "difficulty": 1, "count": 5},
        {"category": "", "difficulty": None, "count": 3},
    ]
    assert "陈静" in results.content.decode()
    workbook = load_workbook(io.BytesIO(export.content))
    assert [cell.value for cell in workbook.worksheets[0][2]] == [1, "陈静", competition.host.name, 25, 90, 1]


def test_flagged_attempt_review_from_the_results_page(client, round_):
    participant = ParticipantFactory(competition=round_.competition)
    attempt = _finish(round_, participant, correct=5, seconds=5)
    client.force_login(organiser_of(round_.competition))

    client.post(f"/manage/quiz/attempts/{attempt.pk}/review/", {"accept": "1"})

    assert Attempt.objects.get(pk=attempt.pk).flagged is False
    assert Result.objects.get(round=round_).ranked is True


def test_sign_in_checks_unit_tree_roster_and_name(round_):
    outsider = OrganisationFactory()
    with pytest.raises(DomainError) as outside:
        services.participant_sign_in(round_=round_, name="张三", mobile="13812345678", unit_id=outsider.pk)
    services.participant_sign_in(
        round_=round_, name="张三", mobile="+86 138-1234-5678", unit_id=round_.competition.host_id
    )
    with pytest.raises(DomainError) as mismatch:
        services.participant_sign_in(
            round_=round_, name="李四", mobile="13812345678", unit_id=round_.competition.host_id
        )
    round_.eligibility = Round.Eligibility.ROSTER
    round_.save()
    round_.roster.create(mobile="13900000000", name="王五")
    with pytest.raises(DomainError) as not_listed:
        services.participant_sign_in(
            round_=round_, name="赵六", mobile="13700000000", unit_id=round_.competition.host_id
        )
    listed = services.participant_sign_in(
        round_=round_, name="王五", mobile="13900000000", unit_id=round_.competition.host_id
    )

    assert [outside.value.code, mismatch.value.code, not_listed.value.code] == [
        "quiz_unit_outside",
        "quiz_name_mismatch",
        "quiz_not_on_roster",
    ]
    assert listed.mobile == "13900000000"


def test_units_picker_searches_the_tree(client, round_):
    district = OrganisationFactory(parent=round_.competition.host, name="南湖区总工会")
    OrganisationFactory(parent=district, name="南湖电力公司")
    OrganisationFactory(name="南湖无关单位")

    rows = client.get(f"/api/v1/quiz/rounds/{round_.pk}/units/", {"q": "南湖"}).json()

    assert [(row["name"], row["path"]) for row in rows] == [
        ("南湖区总工会", round_.competition.host.name),
        ("南湖电力公司", f"{round_.competition.host.name} / 南湖区总工会"),
    ]


def test_a_unit_created_after_the_tree_was_cached_is_found(round_):
    assert selectors.units_for_picker(round_, "新建") == []  # fills the cached tree
    unit = OrganisationFactory(parent=round_.competition.host, name="新建单位工会")

    participant = services.participant_sign_in(round_=round_, name="孙丽", mobile="13512345678", unit_id=unit.pk)

    assert participant.unit == unit
    assert [row["name"] for row in selectors.units_for_picker(round_, "新建")] == ["新建单位工会"]
