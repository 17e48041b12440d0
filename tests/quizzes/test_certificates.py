"""E-certificates for online contests (电子证书): issued by the certificates room, verified by QR, once per person."""

import pytest

from certificates.models import Certificate, CertificateKind
from quizzes.models import Attempt
from tests.quizzes.factories import quiz_round
from tests.quizzes.test_fair_play import _answer, _correct_displayed, _signed_in_client

pytestmark = pytest.mark.django_db


def _take(round_, mobile, *, correct):
    client = _signed_in_client(round_, name=f"答题者{mobile[-2:]}", mobile=mobile)
    attempt_id = client.post(f"/api/v1/quiz/rounds/{round_.pk}/attempts/").json()["id"]
    attempt = Attempt.objects.get(pk=attempt_id)
    for position in range(correct):
        assert _answer(client, attempt_id, position, _correct_displayed(attempt, position)).status_code == 200
    submitted = client.post(f"/api/v1/quiz/attempts/{attempt_id}/submit/")
    assert submitted.status_code == 200, submitted.content
    return client, attempt_id, submitted.json()


@pytest.fixture
def round_():
    round_ = quiz_round(questions=12)
    round_.min_seconds_per_question = 0  # submitted at once in the test: not too fast to rank
    round_.certificate_min_score = 20
    round_.certificate_title = "安全知识达人"
    round_.save()
    return round_


def test_a_score_at_the_threshold_gets_a_verifiable_e_certificate_once(round_):
    client, attempt_id, body = _take(round_, "13800000001", correct=4)  # 4 × 5 points = 20
    assert body["score"] == 20
    url = body["certificate_url"]
    certificate = Certificate.objects.get(kind=CertificateKind.ONLINE)
    assert url == f"/verify/{certificate.verification_code}/"
    assert (certificate.holder_name, certificate.award_title, certificate.holder_unit) == (
        "答题者01",
        "安全知识达人",
        round_.competition.host.name,
    )
    page = client.get(url)
    assert page.status_code == 200
    assert "安全知识达人" in page.content.decode()
    pdf = client.get(f"{url}pdf/")
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
    # Reading the result again (a reload) finds the same certificate.
    again = client.get(f"/api/v1/quiz/attempts/{attempt_id}/").json()
    assert again["certificate_url"] == url
    assert Certificate.objects.count() == 1


def test_below_the_threshold_or_without_one_there_is_no_certificate(round_):
    _client, _attempt, below = _take(round_, "13800000002", correct=3)
    assert (below["score"], below["certificate_url"]) == (15, None)
    round_.certificate_min_score = None
    round_.save()
    _client, _attempt, none = _take(round_, "13800000003", correct=5)
    assert none["certificate_url"] is None
    assert not Certificate.objects.exists()


def test_a_flagged_attempt_gets_no_certificate_until_it_ranks(round_):
    round_.min_seconds_per_question = 60  # everyone is too fast now
    round_.save()
    _client, _attempt, body = _take(round_, "13800000004", correct=5)
    assert (body["flagged"], body["certificate_url"]) == (True, None)
    assert not Certificate.objects.exists()
