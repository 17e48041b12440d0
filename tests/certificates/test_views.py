import pytest
from django.urls import reverse

from certificates import services
from certificates.models import Certificate, CertificateAudit
from competitions.models import Event, JudgeAssignment
from tests.factories import (
    CertificateFactory,
    CompetitionFactory,
    ContestantFactory,
    EventFactory,
    JudgeAssignmentFactory,
    UserFactory,
    results_final,
)

pytestmark = pytest.mark.django_db


def organiser_of(competition):
    return JudgeAssignmentFactory(competition=competition, role=JudgeAssignment.Role.ORGANISER, user__password="!").user


@pytest.fixture
def certificate():
    competition = CompetitionFactory(title="2026年无人机应急救援技能竞赛", slug="drone")
    return CertificateFactory(
        competition=competition, event__title="应急搜救", holder_contestant__name="陈晓东", award_level=2
    )


def test_verify_page_shows_holder_award_event_and_valid_status(client, certificate):
    response = client.get(reverse("certificates:verify", args=[certificate.verification_code]))
    html = response.content.decode()
    assert response.status_code == 200
    assert [word in html for word in ["陈晓东", "二等奖", "应急搜救", "有效证书", certificate.serial]] == [True] * 5
    assert response["Content-Language"] == "zh-hans"


def test_verify_page_of_an_undecoded_blind_event_hides_the_holder_and_the_pdf(client, certificate):
    Event.objects.filter(pk=certificate.event_id).update(decoded_at=None)
    verify = client.get(reverse("certificates:verify", args=[certificate.verification_code]))
    html = verify.content.decode()
    found = client.get(reverse("certificates-api:find"), {"serial": certificate.serial, "name": "陈晓东"})
    pdf = client.get(reverse("certificates:verify-pdf", args=[certificate.verification_code]))

    assert verify.status_code == 200
    assert ("有效证书" in html, "项目解密后公布" in html, "陈晓东" in html, certificate.holder_unit in html) == (
        True,
        True,
        False,
        False,
    )
    assert (found.status_code, pdf.status_code) == (404, 404)


def test_verify_page_forged_code_is_a_clear_404(client, certificate):
    serial, signature = certificate.verification_code.rsplit(".", 1)
    for code in [f"{serial}.{'A' * len(signature)}", f"{serial[:-1]}9.{signature}", "garbage", "a.b.c"]:
        response = client.get(reverse("certificates:verify", args=[code]))
        assert response.status_code == 404
        assert "验证码无效" in response.content.decode()


def test_verify_page_shows_revoked_with_reason(client, certificate):
    services.certificate_revoke(certificate=certificate, reason="复核后名次调整", revoked_by=None)
    response = client.get(reverse("certificates:verify", args=[certificate.verification_code]))
    html = response.content.decode()
    assert response.status_code == 200
    assert ("该证书已撤销" in html, "复核后名次调整" in html, "有效证书" in html) == (True, True, False)


def test_verify_page_is_read_only(client, certificate):
    url = reverse("certificates:verify", args=[certificate.verification_code])
    assert client.post(url).status_code == 405
    assert client.delete(url).status_code == 405


def test_verify_pdf_of_revoked_certificate_is_not_served(client, certificate):
    services.certificate_revoke(certificate=certificate, reason="作废", revoked_by=None)
    assert client.get(reverse("certificates:verify-pdf", args=[certificate.verification_code])).status_code == 404


def test_find_api_needs_serial_and_matching_name(client, certificate):
    url = reverse("certificates-api:find")
    found = client.get(url, {"serial": certificate.serial, "name": "陈晓东"})
    assert found.status_code == 200
    assert (found.json()["holder_name"], found.json()["award_title"], found.json()["status"]) == (
        "陈晓东",
        "二等奖",
        "valid",
    )
    assert "holder_contestant" not in found.json()
    assert client.get(url, {"serial": certificate.serial, "name": "陈晓"}).status_code == 404
    missing = client.get(url, {"serial": certificate.serial})
    assert (missing.status_code, list(missing.json()["errors"])) == (400, ["name"])


def test_find_page_finds_certificate(client, certificate):
    response = client.get(reverse("certificates:find"), {"serial": certificate.serial, "name": "陈晓东"})
    assert response.status_code == 200
    assert reverse("certificates:verify", args=[certificate.verification_code]) in response.content.decode()


def test_issue_api_only_organisers(client):
    competition = CompetitionFactory()
    event = EventFactory(competition=competition)
    results_final(event)
    contestant = ContestantFactory(competition=competition, name="周杰")
    url = reverse("certificates-api:list", args=[competition.pk])
    body = {"kind": "individual", "event": event.pk, "award_level": 1, "holder_contestant": contestant.pk}
    assert client.post(url, body, content_type="application/json").status_code == 403
    client.force_login(UserFactory(password="!"))
    denied = client.post(url, body, content_type="application/json")
    assert (denied.status_code, denied.json()["code"]) == (403, "not_organiser")
    judge = JudgeAssignmentFactory(competition=competition, role=JudgeAssignment.Role.CHIEF_JUDGE, user__password="!")
    client.force_login(judge.user)
    assert client.post(url, body, content_type="application/json").status_code == 403
    assert Certificate.objects.count() == 0
    client.force_login(organiser_of(competition))
    created = client.post(url, body, content_type="application/json")
    assert (created.status_code, created.json()["holder_name"], created.json()["award_title"]) == (
        201,
        "周杰",
        "一等奖",
    )
    again = client.post(url, body, content_type="application/json")
    assert (again.status_code, again.json()["id"]) == (201, created.json()["id"])
    assert Certificate.objects.count() == 1


def test_issue_api_bad_input_is_400_with_field(client):
    competition = CompetitionFactory()
    client.force_login(organiser_of(competition))
    url = reverse("certificates-api:list", args=[competition.pk])
    response = client.post(url, {"kind": "individual", "award_level": 9}, content_type="application/json")
    assert (response.status_code, list(response.json()["errors"])) == (400, ["award_level"])
    stranger = ContestantFactory()
    response = client.post(
        url,
        {"kind": "individual", "award_level": 1, "holder_contestant": stranger.pk},
        content_type="application/json",
    )
    assert (response.status_code, response.json()["field"]) == (400, "holder_contestant")


def test_revoke_api_only_organisers_and_audited(client, certificate):
    url = reverse("certificates-api:revoke", args=[certificate.pk])
    client.force_login(UserFactory(password="!"))
    assert client.post(url, {"reason": "x"}, content_type="application/json").status_code == 403
    organiser = organiser_of(certificate.competition)
    client.force_login(organiser)
    no_reason = client.post(url, {}, content_type="application/json")
    assert (no_reason.status_code, list(no_reason.json()["errors"])) == (400, ["reason"])
    revoked = client.post(url, {"reason": "成绩有误"}, content_type="application/json")
    assert (revoked.status_code, revoked.json()["status"]) == (200, "revoked")
    twice = client.post(url, {"reason": "成绩有误"}, content_type="application/json")
    assert (twice.status_code, twice.json()["code"]) == (409, "already_revoked")
    assert list(
        CertificateAudit.objects.filter(certificate=certificate, action="revoke").values_list("actor", "reason")
    ) == [(organiser.pk, "成绩有误")]


def test_reissue_api_creates_replacement(client, certificate):
    client.force_login(organiser_of(certificate.competition))
    response = client.post(
        reverse("certificates-api:reissue", args=[certificate.pk]),
        {"reason": "单位名称有误"},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert (response.json()["replaces"], response.json()["serial"]) == (certificate.pk, "CQ-2026-DRONE-0002")


def test_list_api_filters_by_event_and_holder(client, django_assert_num_queries):
    competition = CompetitionFactory()
    event, other = EventFactory(competition=competition), EventFactory(competition=competition)
    CertificateFactory(competition=competition, event=event, holder_contestant__name="甲乙")
    CertificateFactory(competition=competition, event=other, holder_contestant__name="丙丁")
    client.force_login(organiser_of(competition))
    url = reverse("certificates-api:list", args=[competition.pk])
    by_event = client.get(url, {"event": event.pk}).json()["results"]
    by_name = client.get(url, {"holder_name": "丙"}).json()["results"]
    assert ([c["holder_name"] for c in by_event], [c["holder_name"] for c in by_name]) == (["甲乙"], ["丙丁"])


@pytest.mark.parametrize("count", [1, 3])
def test_list_api_query_count_does_not_grow(client, django_assert_num_queries, count):
    competition = CompetitionFactory()
    for _ in range(count):
        CertificateFactory(competition=competition)
    client.force_login(organiser_of(competition))
    # session + user, competition, organiser check, count, page
    with django_assert_num_queries(6):
        response = client.get(reverse("certificates-api:list", args=[competition.pk]))
    assert len(response.json()["results"]) == count


def test_list_api_hidden_from_non_organisers(client, certificate):
    client.force_login(UserFactory(password="!"))
    assert client.get(reverse("certificates-api:list", args=[certificate.competition_id])).status_code == 403
    assert client.get(reverse("certificates-api:detail", args=[certificate.pk])).status_code == 403
    assert client.get(reverse("certificates-api:pdf", args=[certificate.pk])).status_code == 403


def test_template_upload_only_organisers_and_validated(client):
    competition = CompetitionFactory()
    url = reverse("certificates-api:templates", args=[competition.pk])
    body = {"kind": "individual", "name": "蓝色模板", "html": "<h1>{{ holder_name }}</h1>", "css": "h1 { color: blue }"}
    client.force_login(UserFactory(password="!"))
    assert client.post(url, body, content_type="application/json").status_code == 403
    client.force_login(organiser_of(competition))
    broken = client.post(url, {**body, "html": "{% if %}"}, content_type="application/json")
    assert (broken.status_code, broken.json()["code"], broken.json()["field"]) == (400, "template_invalid", "html")
    created = client.post(url, body, content_type="application/json")
    assert (created.status_code, created.json()["is_active"]) == (201, True)
    certificate = CertificateFactory(competition=competition)
    assert certificate.template_id == created.json()["id"]


def test_certificate_links_in_the_api_are_absolute_urls_on_the_public_site(client, certificate, settings):
    settings.SITE_URL = "https://jingsai.example.org/"
    found = client.get(reverse("certificates-api:find"), {"serial": certificate.serial, "name": "陈晓东"}).json()
    code = certificate.verification_code
    assert (found["verify_url"], found["pdf_url"]) == (
        f"https://jingsai.example.org/verify/{code}/",
        f"https://jingsai.example.org/verify/{code}/pdf/",
    )


def test_certificate_links_are_uris_in_the_schema(client):
    schema = client.get("/api/schema/", headers={"accept": "application/json"}).json()
    for name in ("CertificateOut", "PublicCertificateOut"):
        properties = schema["components"]["schemas"][name]["properties"]
        assert (properties["verify_url"]["format"], properties["pdf_url"]["format"]) == ("uri", "uri")
