"""The organiser's certificates page: issue from the UI, see what was issued and the batches."""

import pytest
from django.urls import reverse

from certificates.models import CertificateBatch
from tests.certificates.test_batches import _media, run_worker, scored_event  # noqa: F401  (_media: autouse fixture)
from tests.factories import CertificateFactory, CompetitionFactory, UserFactory

pytestmark = pytest.mark.django_db


def _url(competition):
    return reverse("manage-certificates", args=[competition.pk])


def test_certificates_page_is_for_organisers_only(client):
    competition = CompetitionFactory()
    assert client.get(_url(competition)).status_code == 302  # to the login page
    client.force_login(UserFactory())
    assert client.get(_url(competition)).status_code == 404
    assert client.post(_url(competition), {}).status_code == 404
    assert CertificateBatch.objects.count() == 0


def test_certificates_page_empty_state_and_counts(client):
    panel = scored_event(["张三", "李四"])
    CertificateFactory(competition=panel.competition, event=panel.event)
    client.force_login(panel.organiser)

    response = client.get(_url(panel.competition), {"event": panel.event.pk})

    html = response.content.decode()
    assert response.status_code == 200
    assert [(row["event"], row["total"], row["revoked"]) for row in response.context["issued"]] == [(panel.event, 1, 0)]
    assert response.context["chosen"] == str(panel.event.pk)
    assert "还没有颁发过证书。" in html


@pytest.mark.django_db(transaction=True)  # the worker runs the task as another connection would
def test_certificates_page_issues_in_the_background_and_shows_progress(client):
    panel = scored_event(["张三", "李四", "王五"])
    client.force_login(panel.organiser)

    response = client.post(_url(panel.competition), {"event": panel.event.pk, "include_participation": "on"})

    batch = CertificateBatch.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("certificates:batch", args=[batch.pk])
    assert (batch.event, batch.include_participation, batch.status) == (panel.event, True, "pending")
    run_worker()
    batch.refresh_from_db()
    assert (batch.status, batch.done, batch.total) == ("done", 3, 3)
    progress_page = client.get(response.url).content.decode()
    assert f'href="{_url(panel.competition)}"' in progress_page  # back to the certificates page
    page = client.get(_url(panel.competition))
    assert [row["total"] for row in page.context["issued"]] == [3]
    assert list(page.context["batches"]) == [batch]
    assert "3 / 3" in page.content.decode()


def test_certificates_page_refuses_an_event_of_another_competition(client):
    panel = scored_event(["张三"])
    other = scored_event(["李四"])
    client.force_login(panel.organiser)

    response = client.post(_url(panel.competition), {"event": other.event.pk})

    assert response.status_code == 400
    assert response.context["error"].code == "event_not_in_competition"
    assert CertificateBatch.objects.count() == 0
