"""Defect 9: certificates follow the results. Award certificates wait for final results."""

from decimal import Decimal

import pytest
from django.urls import reverse

from certificates import batches, services
from certificates.models import Certificate, CertificateAudit, CertificateKind
from config.errors import DomainError
from scoring.models import EventResults
from scoring.services import MarkInput, marks_submit
from tests.factories import EventResultsFactory, judged_event_factory
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CERTIFICATE_WORKERS = 1


def half_marked_event(*, entries=41, marked=25):
    """The defect's event: 41 contestants, 16 of them not marked yet."""
    panel = judged_event_factory(
        entries=entries,
        judges=1,
        criteria=[{"code": "total", "title": "总分", "max_value": Decimal("100"), "aggregation": "single"}],
    )
    marks = [
        MarkInput(entry=e.pk, criterion="total", value=str(90 - i % 40)) for i, e in enumerate(panel.entries[:marked])
    ]
    if marks:
        marks_submit(judge=panel.judges[0], event=panel.event, marks=marks, idempotency_key="half")
    return panel


def test_batch_for_unfinished_event_is_refused_with_results_not_final():
    panel = half_marked_event()
    with pytest.raises(DomainError) as excinfo:
        batches.certificate_batch_start(competition=panel.competition, event=panel.event, requested_by=panel.organiser)
    assert (excinfo.value.code, excinfo.value.status) == ("results_not_final", 409)
    assert Certificate.objects.count() == 0


def test_batch_run_for_unfinished_event_issues_no_award_certificate():
    panel = half_marked_event()
    batch = batches.certificate_batch_start(
        competition=panel.competition, event=panel.event, include_participation=True, requested_by=panel.organiser
    )
    batches.batch_execute(batch.pk)
    kinds = set(Certificate.objects.values_list("kind", flat=True))
    assert kinds == {CertificateKind.PARTICIPATION}
    batch.refresh_from_db()
    assert {e["code"] for e in batch.errors} == {"results_not_final"}
    assert len(batch.errors) == 6  # the six awards of the defect: refused, not issued


def test_single_award_certificate_api_refused_until_final_then_issued():
    panel = half_marked_event(entries=3, marked=3)
    holder = panel.entries[0].contestant
    body = {"kind": "individual", "event": panel.event.pk, "award_level": 1, "holder_contestant": holder.pk}
    url = reverse("certificates-api:list", args=[panel.competition.pk])
    response = client_for(panel.organiser).post(url, body, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "results_not_final")
    EventResultsFactory(event=panel.event, stage=EventResults.Stage.FINAL)
    response = client_for(panel.organiser).post(url, body, format="json")
    assert response.status_code == 201
    assert response.json()["results_override_reason"] == ""


def test_participation_certificate_stays_available_before_final():
    panel = half_marked_event(entries=3, marked=0)
    certificate = services.certificate_issue(
        competition=panel.competition,
        kind=CertificateKind.PARTICIPATION,
        event=panel.event,
        holder_contestant=panel.entries[0].contestant,
    )
    assert certificate.is_valid


def test_organiser_override_with_reason_is_audited_and_shown_on_verify_page(client):
    panel = half_marked_event(entries=3, marked=3)
    holder = panel.entries[0].contestant
    url = reverse("certificates-api:list", args=[panel.competition.pk])
    body = {"kind": "individual", "event": panel.event.pk, "award_level": 1, "holder_contestant": holder.pk}
    response = client_for(panel.organiser).post(url, {**body, "override_reason": "   "}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "results_not_final")
    response = client_for(panel.organiser).post(
        url, {**body, "override_reason": "颁奖仪式当天须发证，公示期内如有变更将撤销重发"}, format="json"
    )
    assert response.status_code == 201
    certificate = Certificate.objects.get(pk=response.json()["id"])
    assert certificate.results_override_reason == "颁奖仪式当天须发证，公示期内如有变更将撤销重发"
    audit = CertificateAudit.objects.get(certificate=certificate, action=CertificateAudit.Action.OVERRIDE)
    assert (audit.actor, audit.reason) == (panel.organiser, "颁奖仪式当天须发证，公示期内如有变更将撤销重发")
    page = client.get(reverse("certificates:verify", args=[certificate.verification_code]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "在成绩确认前颁发" in text
    assert "颁奖仪式当天须发证，公示期内如有变更将撤销重发" in text


def test_excellent_organisation_award_waits_for_every_event_of_the_competition():
    panel = half_marked_event(entries=3, marked=3)
    other = judged_event_factory(entries=2, judges=1, competition=panel.competition)
    unit = panel.entries[0].contestant.organisation
    EventResultsFactory(event=panel.event, stage=EventResults.Stage.FINAL)
    with pytest.raises(services.CertificateError) as excinfo:
        services.certificate_issue(
            competition=panel.competition, kind=CertificateKind.ORGANISATION, holder_organisation=unit
        )
    assert excinfo.value.code == "results_not_final"
    EventResultsFactory(event=other.event, stage=EventResults.Stage.FINAL)
    certificate = services.certificate_issue(
        competition=panel.competition, kind=CertificateKind.ORGANISATION, holder_organisation=unit
    )
    assert certificate.is_valid


def test_manage_page_shows_which_events_are_final(client):
    panel = half_marked_event(entries=3, marked=3)
    other = judged_event_factory(entries=2, judges=1, competition=panel.competition)
    EventResultsFactory(event=panel.event, stage=EventResults.Stage.FINAL)
    client.force_login(panel.organiser)
    page = client.get(reverse("manage-certificates", args=[panel.competition.pk]))
    text = page.content.decode()
    assert f'data-event="{panel.event.pk}" data-final="1"' in text
    assert f'data-event="{other.event.pk}" data-final="0"' in text
