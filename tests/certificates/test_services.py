import pytest
from django.core import signing

from certificates import selectors, services
from certificates.models import Certificate, CertificateAudit, CertificateKind
from certificates.signing import VERIFY_SALT, serial_from_code
from config.errors import Conflict
from tests.factories import (
    CertificateFactory,
    CompetitionFactory,
    ContestantFactory,
    EventFactory,
    OrganisationFactory,
    TeamFactory,
    UserFactory,
    results_final,
)

pytestmark = pytest.mark.django_db


def test_certificate_issue_serial_uses_prefix_year_slug_and_sequence():
    competition = CompetitionFactory(slug="drone", year=2026)
    first = CertificateFactory(competition=competition)
    second = CertificateFactory(competition=competition, award_level=2)
    assert [first.serial, second.serial] == ["CQ-2026-DRONE-0001", "CQ-2026-DRONE-0002"]
    assert [first.award_title, second.award_title] == ["一等奖", "二等奖"]


def test_certificate_issue_twice_returns_the_same_certificate():
    competition = CompetitionFactory()
    event = EventFactory(competition=competition)
    contestant = ContestantFactory(competition=competition)
    kwargs = {"competition": competition, "event": event, "kind": "individual", "award_level": 1}
    results_final(event)
    first = services.certificate_issue(holder_contestant=contestant, **kwargs)
    again = services.certificate_issue(holder_contestant=contestant, **kwargs)
    assert again.pk == first.pk
    assert Certificate.objects.count() == 1
    assert CertificateAudit.objects.filter(action="issue").count() == 1


def test_certificate_issue_snapshots_holder_and_issuer():
    host = OrganisationFactory(name="某市总工会")
    competition = CompetitionFactory(host=host)
    unit = OrganisationFactory(name="某区汽车维修厂")
    contestant = ContestantFactory(competition=competition, organisation=unit, name="王建国")
    certificate = CertificateFactory(competition=competition, holder_contestant=contestant)
    contestant.name = "王建华"
    contestant.save()
    certificate.refresh_from_db()
    assert (certificate.holder_name, certificate.holder_unit, certificate.issuer_name) == (
        "王建国",
        "某区汽车维修厂",
        "某市总工会",
    )


def test_certificate_issue_team_and_organisation_kinds():
    competition = CompetitionFactory()
    team = TeamFactory(competition=competition, name="应急救援一队")
    unit = OrganisationFactory(name="某区总工会")
    team_cert = CertificateFactory(
        competition=competition, kind=CertificateKind.TEAM, holder_contestant=None, holder_team=team, award_level=3
    )
    org_cert = CertificateFactory(
        competition=competition,
        event=None,
        kind=CertificateKind.ORGANISATION,
        holder_contestant=None,
        holder_organisation=unit,
        award_level=None,
    )
    assert (team_cert.holder_name, team_cert.award_title) == ("应急救援一队", "三等奖")
    assert (org_cert.holder_name, org_cert.award_title, org_cert.holder_unit) == ("某区总工会", "优秀组织奖", "")


def test_certificate_issue_rejects_holder_of_wrong_kind():
    competition = CompetitionFactory()
    team = TeamFactory(competition=competition)
    with pytest.raises(services.CertificateError) as excinfo:
        CertificateFactory(competition=competition, holder_contestant=None, holder_team=team)
    assert excinfo.value.code == "holder_kind_mismatch"


def test_certificate_issue_rejects_holder_of_another_competition():
    competition = CompetitionFactory()
    stranger = ContestantFactory()
    with pytest.raises(services.CertificateError) as excinfo:
        CertificateFactory(competition=competition, holder_contestant=stranger)
    assert excinfo.value.code == "holder_not_in_competition"


def test_certificate_issue_rejects_bad_award_level():
    with pytest.raises(services.CertificateError) as excinfo:
        CertificateFactory(award_level=4)
    assert excinfo.value.code == "award_level_invalid"


def test_certificates_issue_many_reports_one_failure_and_issues_the_rest():
    competition = CompetitionFactory()
    event = EventFactory(competition=competition)
    good = [ContestantFactory(competition=competition) for _ in range(2)]
    nameless = ContestantFactory(competition=competition, name="  ")
    requests = [
        services.IssueRequest(kind="participation", event=event, holder_contestant=c)
        for c in [good[0], nameless, good[1]]
    ]
    certificates, errors = services.certificates_issue_many(competition=competition, requests=requests)
    assert [c.holder_contestant_id for c in certificates] == [good[0].pk, good[1].pk]
    assert [e["code"] for e in errors] == ["holder_name_missing"]
    assert [c.sequence for c in certificates] == [1, 2]


def test_verification_code_round_trips_and_rejects_alterations():
    certificate = CertificateFactory()
    code = certificate.verification_code
    assert serial_from_code(code) == certificate.serial
    serial, signature = code.rsplit(".", 1)
    altered_serial = serial[:-1] + ("2" if serial[-1] != "2" else "3")
    assert serial_from_code(f"{altered_serial}.{signature}") is None
    assert serial_from_code(f"{serial}.{signature[:-2]}xx") is None
    forged = signing.Signer(key="not-the-site-key", salt=VERIFY_SALT, sep=".", algorithm="sha256")
    assert serial_from_code(forged.sign(serial)) is None
    assert selectors.certificate_for_code(code).pk == certificate.pk


def test_certificate_revoke_records_reason_and_audit():
    organiser = UserFactory(password="!")
    certificate = CertificateFactory()
    revoked = services.certificate_revoke(certificate=certificate, reason="成绩复核更正", revoked_by=organiser)
    assert (revoked.status, revoked.revoked_reason) == ("revoked", "成绩复核更正")
    audit = CertificateAudit.objects.filter(certificate=certificate).order_by("id")
    assert [(a.action, a.actor_id, a.reason) for a in audit] == [
        ("issue", None, ""),
        ("revoke", organiser.pk, "成绩复核更正"),
    ]


def test_certificate_revoke_needs_a_reason():
    with pytest.raises(services.CertificateError) as excinfo:
        services.certificate_revoke(certificate=CertificateFactory(), reason="  ", revoked_by=None)
    assert excinfo.value.code == "reason_required"


def test_certificate_revoke_twice_is_a_conflict():
    certificate = CertificateFactory()
    services.certificate_revoke(certificate=certificate, reason="错误", revoked_by=None)
    with pytest.raises(Conflict) as excinfo:
        services.certificate_revoke(certificate=certificate, reason="错误", revoked_by=None)
    assert excinfo.value.code == "already_revoked"


def test_certificate_reissue_revokes_old_and_links_new_with_fresh_data():
    organiser = UserFactory(password="!")
    competition = CompetitionFactory(slug="skill", year=2026)
    contestant = ContestantFactory(competition=competition, name="李芳")
    old = CertificateFactory(competition=competition, holder_contestant=contestant)
    contestant.name = "李芳芳"
    contestant.save()
    new = services.certificate_reissue(certificate=old, reason="姓名有误", issued_by=organiser)
    old.refresh_from_db()
    assert (old.status, new.status, new.replaces_id) == ("revoked", "valid", old.pk)
    assert (new.serial, new.holder_name) == ("CQ-2026-SKILL-0002", "李芳芳")
    assert list(CertificateAudit.objects.filter(certificate=new).values_list("action", "reason")) == [
        ("issue", ""),
        ("reissue", "姓名有误"),
    ]


def test_certificate_find_needs_serial_and_exact_name():
    certificate = CertificateFactory(holder_contestant__name="赵敏")
    assert selectors.certificate_find(serial=certificate.serial.lower(), name="赵敏").pk == certificate.pk
    assert selectors.certificate_find(serial=certificate.serial, name="赵") is None
    assert selectors.certificate_find(serial="", name="赵敏") is None


def test_chinese_date_writes_numerals_like_a_certificate():
    import datetime

    assert selectors.chinese_date(datetime.date(2026, 11, 22)) == "二〇二六年十一月二十二日"
    assert selectors.chinese_date(datetime.date(2026, 1, 10)) == "二〇二六年一月十日"
    assert selectors.chinese_date(datetime.date(2026, 10, 31)) == "二〇二六年十月三十一日"
