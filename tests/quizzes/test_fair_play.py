"""Fair play, enforced by the server (issue #15): each rule has a test here, run on both configurations."""

import io
import json
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from config.errors import DomainError
from quizzes import papers, selectors, services
from quizzes.models import Attempt, Question, Result
from tests.quizzes.factories import ParticipantFactory, quiz_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def round_():
    return quiz_round(questions=12)


@pytest.fixture
def participant(round_):
    return ParticipantFactory(competition=round_.competition)


def _signed_in_client(round_, *, name="张伟", mobile="13800001111", **client_options):
    client = Client(**client_options)
    response = client.post(
        f"/api/v1/quiz/rounds/{round_.pk}/sign-in/",
        {"name": name, "mobile": mobile, "unit": round_.competition.host_id},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return client


def _correct_displayed(attempt: Attempt, position: int) -> str:
    question = Question.objects.get(pk=attempt.question_ids[position])
    return papers.to_displayed(question.kind, question.answer.split("|")[0], attempt.option_orders[position])


def _answer(client, attempt_id, position, value, rev=1):
    return client.put(
        f"/api/v1/quiz/attempts/{attempt_id}/answers/{position}/",
        {"value": value, "rev": rev},
        content_type="application/json",
    )


def test_paper_replays_from_its_recorded_seed(round_, participant):
    attempt = services.attempt_start(round_=round_, participant=participant)

    replay = papers.draw_paper(attempt.seed, selectors.question_pool(round_.competition_id).values(), round_.draw_rules)

    assert (replay.question_ids, replay.option_orders) == (attempt.question_ids, attempt.option_orders)
    assert len(attempt.question_ids) == 5


def test_papers_shuffle_questions_and_options_by_seed(round_):
    pool = list(selectors.question_pool(round_.competition_id).values())
    rules = [{"count": 12}]

    first, second = papers.draw_paper(1, pool, rules), papers.draw_paper(2, pool, rules)

    assert sorted(first.question_ids) == sorted(second.question_ids) == sorted(question.id for question in pool)
    assert first.question_ids != second.question_ids
    choice_orders = [order for order in first.option_orders if len(order) == 4]
    assert any(order != [0, 1, 2, 3] for order in choice_orders)
    assert all(
        order == [0, 1]
        for order, question_id in zip(first.option_orders, first.question_ids, strict=True)
        if Question.objects.get(pk=question_id).kind == Question.Kind.TRUE_FALSE
    )


def test_paper_draw_rules_count_per_category_and_difficulty(round_):
    Question.objects.filter(competition=round_.competition).update(category="安全生产")
    Question.objects.filter(pk__in=Question.objects.filter(competition=round_.competition).order_by("id")[:4]).update(
        category="劳动法", difficulty=3
    )
    pool = selectors.question_pool(round_.competition_id).values()

    paper = papers.draw_paper(
        7, pool, [{"category": "劳动法", "difficulty": 3, "count": 3}, {"category": "安全生产", "count": 4}]
    )

    categories = [Question.objects.get(pk=pk).category for pk in paper.question_ids]
    assert sorted(categories) == ["劳动法"] * 3 + ["安全生产"] * 4
    with pytest.raises(papers.NotEnoughQuestions):
        papers.draw_paper(7, pool, [{"category": "劳动法", "count": 5}])


def test_api_never_carries_answers_or_explanations_before_submit(round_):
    client = _signed_in_client(round_)
    started = client.post(f"/api/v1/quiz/rounds/{round_.pk}/attempts/")
    again = client.get(f"/api/v1/quiz/attempts/{started.json()['id']}/")

    for response in (started, again):
        body = response.content.decode()
        question = response.json()["questions"][0]
        assert sorted(question) == ["answer", "kind", "options", "points", "position", "rev", "stem"]
        assert question["answer"] == ""
        assert "explanation" not in body
        assert "correct" not in body
        assert "带薪年休假条例" not in body  # the factory's explanation text
        assert "工会组织" not in body  # an accepted fill-in answer


def test_participant_page_carries_no_answers(round_):
    client = _signed_in_client(round_)
    client.post(f"/api/v1/quiz/rounds/{round_.pk}/attempts/")

    page = client.get(f"/quiz/{round_.pk}/").content.decode()

    assert "带薪年休假条例" not in page
    assert "工会组织" not in page


def test_late_answer_is_refused_and_closes_the_attempt(round_):
    client = _signed_in_client(round_)
    attempt_id = client.post(f"/api/v1/quiz/rounds/{round_.pk}/attempts/").json()["id"]
    assert _answer(client, attempt_id, 0, "A").status_code == 200
    Attempt.objects.filter(pk=attempt_id).update(deadline=timezone.now() - timedelta(seconds=5))

    response = _answer(client, attempt_id, 1, "A", rev=2)

    assert (response.status_code, response.json()["code"]) == (409, "quiz_deadline_passed")
    attempt = Attempt.objects.get(pk=attempt_id)
    assert attempt.status == Attempt.Status.EXPIRED
    assert list(attempt.answers) == ["0"]


def test_answer_within_the_grace_after_the_deadline_is_kept(round_, participant):
    attempt = services.attempt_start(round_=round_, participant=participant)

    services.answer_save(
        attempt_id=attempt.pk,
        participant=participant,
        position=0,
        value="A",
        rev=1,
        now=attempt.deadline + timedelta(seconds=1),
    )

    attempt.refresh_from_db()
    assert attempt.answers["0"][1] == 1


def test_abandoned_attempt_closes_itself_when_read(round_):
    client = _signed_in_client(round_)
    attempt_id = client.post(f"/api/v1/quiz/rounds/{round_.pk}/attempts/").json()["id"]
    attempt = Attempt.objects.get(pk=attempt_id)
    assert _answer(client, attempt_id, 0, _correct_displayed(attempt, 0)).status_code == 200
    Attempt.objects.filter(pk=attempt_id).update(deadline=timezone.now() - timedelta(minutes=1))

    body = client.get(f"/api/v1/quiz/attempts/{attempt_id}/").json()

    assert (body["status"], body["score"]) == ("expired", 5)
    assert "questions" not in body
    assert Result.objects.get(round=round_).attempts == 1


def test_sweep_command_closes_abandoned_attempts(round_, participant):
    attempt = services.attempt_start(round_=round_, participant=participant)
    fresh = services.attempt_start(round_=round_, participant=ParticipantFactory(competition=round_.competition))
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(minutes=1))

    out = io.StringIO()
    call_command("quiz_close_expired", stdout=out)

    attempt.refresh_from_db()
    fresh.refresh_from_db()
    assert (attempt.status, attempt.score, attempt.finished_at) == (Attempt.Status.EXPIRED, 0, attempt.deadline)
    assert fresh.status == Attempt.Status.OPEN
    assert out.getvalue() == "closed 1 expired attempt(s)\n"


def test_one_open_attempt_per_participant(round_, participant):
    first = services.attempt_start(round_=round_, participant=participant)
    second = services.attempt_start(round_=round_, participant=participant)

    assert second.pk == first.pk
    assert Attempt.objects.filter(participant=participant).count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Attempt.objects.create(
            round=round_,
            participant=participant,
            number=2,
            day=first.day,
            seed=1,
            question_ids=[],
            option_orders=[],
            kinds="",
            started_at=first.started_at,
            deadline=first.deadline,
        )


def test_attempts_per_day_and_in_total_are_limited(round_, participant):
    round_.attempts_per_day, round_.attempts_total = 2, 3
    round_.save()
    day_one = timezone.now()
    for _number in range(2):
        attempt = services.attempt_start(round_=round_, participant=participant, now=day_one)
        services.attempt_submit(attempt_id=attempt.pk, participant=participant, now=day_one)

    with pytest.raises(DomainError) as daily:
        services.attempt_start(round_=round_, participant=participant, now=day_one)
    day_two = day_one + timedelta(days=1)
    attempt = services.attempt_start(round_=round_, participant=participant, now=day_two)
    services.attempt_submit(attempt_id=attempt.pk, participant=participant, now=day_two)
    with pytest.raises(DomainError) as total:
        services.attempt_start(round_=round_, participant=participant, now=day_two + timedelta(days=1))

    assert (daily.value.code, total.value.code) == ("quiz_daily_limit", "quiz_total_limit")
    assert Attempt.objects.filter(participant=participant).count() == 3


def test_answer_save_is_idempotent_and_ignores_stale_revisions(round_):
    client = _signed_in_client(round_)
    attempt_id = client.post(f"/api/v1/quiz/rounds/{round_.pk}/attempts/").json()["id"]
    attempt = Attempt.objects.get(pk=attempt_id)
    position = next(index for index, kind in enumerate(attempt.kinds) if kind in "smt")  # a choice question

    assert _answer(client, attempt_id, position, "B", rev=3).json() == {"position": position, "rev": 3, "saved": 1}
    assert _answer(client, attempt_id, position, "B", rev=3).json() == {"position": position, "rev": 3, "saved": 1}
    assert _answer(client, attempt_id, position, "A", rev=2).json()["rev"] == 3  # an older save arriving late

    attempt.refresh_from_db()
    assert attempt.answers == {str(position): [papers.to_original("multiple", "B", attempt.option_orders[position]), 3]}


def test_a_dropped_connection_resumes_with_every_saved_answer(round_):
    client = _signed_in_client(round_)
    attempt_id = client.post(f"/api/v1/quiz/rounds/{round_.pk}/attempts/").json()["id"]
    attempt = Attempt.objects.get(pk=attempt_id)
    given = {}
    for position in range(3):
        value = "B" if attempt.kinds[position] in "smt" else "职代会"
        if attempt.kinds[position] == "m":
            value = "AD"
        assert _answer(client, attempt_id, position, value, rev=position + 1).status_code == 200
        given[position] = value

    resumed = client.post(f"/api/v1/quiz/rounds/{round_.pk}/attempts/").json()  # "start" again resumes

    assert resumed["id"] == attempt_id
    assert [question["answer"] for question in resumed["questions"][:3]] == [given[0], given[1], given[2]]
    assert [question["answer"] for question in resumed["questions"][3:]] == [""] * 2
    me = client.get(f"/api/v1/quiz/rounds/{round_.pk}/me/").json()
    assert me["open_attempt"] == attempt_id


def test_double_submit_is_scored_once(round_):
    client = _signed_in_client(round_)
    attempt_id = client.post(f"/api/v1/quiz/rounds/{round_.pk}/attempts/").json()["id"]
    attempt = Attempt.objects.get(pk=attempt_id)
    for position in range(5):
        _answer(client, attempt_id, position, _correct_displayed(attempt, position))
    Attempt.objects.filter(pk=attempt_id).update(started_at=timezone.now() - timedelta(minutes=2))

    first = client.post(f"/api/v1/quiz/attempts/{attempt_id}/submit/").json()
    second = client.post(f"/api/v1/quiz/attempts/{attempt_id}/submit/").json()

    assert first["score"] == second["score"] == 25
    assert first["rank"] == second["rank"] == {"rank": 1, "score": 25, "seconds": first["seconds"], "ranked": 1}
    result = Result.objects.get(round=round_)
    assert (result.attempts, result.score, result.ranked) == (1, 25, True)
    assert _answer(client, attempt_id, 0, "A", rev=9).json()["code"] == "quiz_attempt_closed"


def test_submit_shows_answers_and_explanations_only_when_the_round_does(round_):
    client = _signed_in_client(round_)
    attempt_id = client.post(f"/api/v1/quiz/rounds/{round_.pk}/attempts/").json()["id"]
    shown = client.post(f"/api/v1/quiz/attempts/{attempt_id}/submit/").json()
    round_.show_answers = False
    round_.save()

    hidden = client.get(f"/api/v1/quiz/attempts/{attempt_id}/").json()

    assert len(shown["review"]) == 5
    assert {"correct_answer", "explanation", "given", "correct"} <= set(shown["review"][0])
    assert "review" not in hidden


def test_attempt_faster_than_the_floor_is_flagged_not_ranked(round_, participant, django_user_model):
    attempt = services.attempt_start(round_=round_, participant=participant)
    services.attempt_submit(
        attempt_id=attempt.pk, participant=participant, now=attempt.started_at + timedelta(seconds=9)
    )

    attempt.refresh_from_db()
    result = Result.objects.get(round=round_, participant=participant)
    assert (attempt.flagged, result.ranked, result.attempts) == (True, False, 1)
    assert selectors.ranking(round_) == []
    assert selectors.my_rank(round_, participant.pk) is None

    services.attempt_review(attempt=attempt, user=None, accept=True)

    result.refresh_from_db()
    assert (result.ranked, result.attempts, [row["participant"] for row in selectors.ranking(round_)]) == (
        True,
        1,
        [participant.pk],
    )


def test_answers_are_throttled_per_participant(round_, settings):
    settings.QUIZ_RATE_PER_PARTICIPANT = "3/min"
    client = _signed_in_client(round_)
    attempt_id = client.post(f"/api/v1/quiz/rounds/{round_.pk}/attempts/").json()["id"]
    participant_id = Attempt.objects.get(pk=attempt_id).participant_id
    cache.delete(f"throttle_quiz_participant_{participant_id}")  # ids repeat between runs on a shared Redis

    statuses = [_answer(client, attempt_id, 0, "A", rev=rev).status_code for rev in range(1, 5)]

    assert statuses == [200, 200, 200, 429]


def test_sign_in_is_throttled_per_address(round_, settings):
    settings.QUIZ_RATE_PER_ADDRESS = "2/min"
    cache.delete("throttle_quiz_address_127.0.0.1")
    client = Client()
    body = {"name": "李娜", "mobile": "13900001111", "unit": round_.competition.host_id}

    statuses = [
        client.post(f"/api/v1/quiz/rounds/{round_.pk}/sign-in/", body, content_type="application/json").status_code
        for _number in range(3)
    ]

    assert statuses == [200, 200, 429]


def test_participant_writes_need_the_csrf_token(round_):
    client = Client(enforce_csrf_checks=True)
    client.get(f"/quiz/{round_.pk}/")
    body = json.dumps({"name": "王芳", "mobile": "13700001111", "unit": round_.competition.host_id})
    url = f"/api/v1/quiz/rounds/{round_.pk}/sign-in/"

    refused = client.post(url, body, content_type="application/json")
    accepted = client.post(
        url, body, content_type="application/json", HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value
    )

    assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
    assert accepted.status_code == 200


def test_another_participants_attempt_is_not_found(round_):
    owner = _signed_in_client(round_)
    attempt_id = owner.post(f"/api/v1/quiz/rounds/{round_.pk}/attempts/").json()["id"]
    other = _signed_in_client(round_, name="赵磊", mobile="13600001111")

    assert other.get(f"/api/v1/quiz/attempts/{attempt_id}/").status_code == 404
    assert _answer(other, attempt_id, 0, "A").status_code == 404
    assert other.post(f"/api/v1/quiz/attempts/{attempt_id}/submit/").status_code == 404


def test_answer_save_costs_few_queries(round_, django_assert_max_num_queries):
    client = _signed_in_client(round_)
    attempt_id = client.post(f"/api/v1/quiz/rounds/{round_.pk}/attempts/").json()["id"]

    # The session, the locked attempt (with its round and participant), the update; and the transaction.
    with django_assert_max_num_queries(5):
        assert _answer(client, attempt_id, 0, "A").status_code == 200
