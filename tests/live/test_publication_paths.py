"""Every path that writes a competition's publication policy goes through the live control.

The REST API and the Django admin used to save the field as it was: freezing that way
took no snapshot (the frozen board then showed no scores at all) and no screen was told.
"""

import pytest
from django.contrib import admin
from django.forms.models import model_to_dict
from django.urls import reverse

from competitions.models import Competition
from live.models import FrozenBoard, RevealProgress
from tests.factories import UserFactory
from tests.helpers import client_for
from tests.live.conftest import LayerListener

pytestmark = pytest.mark.django_db

Publication = Competition.Publication


@pytest.fixture
def judged(judged):
    judged.mark(0, 12, "k1")
    return judged


def _frozen_totals(judged):
    return [row["total"] for row in FrozenBoard.objects.get(event=judged.event).rows]


def test_api_freeze_takes_the_snapshot_and_tells_the_screens(judged, django_capture_on_commit_callbacks):
    listener = LayerListener(f"live.event.{judged.event.pk}")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(judged.organiser).patch(
            f"/api/v1/competitions/{judged.competition.pk}/", {"publication": "frozen"}, format="json"
        )
    assert (response.status_code, response.json()["publication"]) == (200, "frozen")
    assert response.json()["frozen_at"] is not None
    assert _frozen_totals(judged) == ["12.00", None]
    frames = listener.frames()
    assert [(frame["type"], frame["policy"]) for frame in frames] == [("standings.full", "frozen")]


def test_api_update_without_publication_keeps_it_and_takes_no_snapshot(judged):
    response = client_for(judged.organiser).patch(
        f"/api/v1/competitions/{judged.competition.pk}/", {"venue": "体育馆"}, format="json"
    )
    assert (response.status_code, response.json()["venue"], response.json()["publication"]) == (200, "体育馆", "live")
    assert FrozenBoard.objects.count() == 0


def test_api_reveal_starts_every_event_at_zero(judged):
    response = client_for(judged.organiser).patch(
        f"/api/v1/competitions/{judged.competition.pk}/", {"publication": "reveal"}, format="json"
    )
    assert response.status_code == 200
    assert list(RevealProgress.objects.values_list("event_id", "revealed")) == [(judged.event.pk, 0)]


def test_admin_freeze_takes_the_snapshot(judged, rf):
    model_admin = admin.site._registry[Competition]
    request = rf.post(reverse("admin:competitions_competition_change", args=[judged.competition.pk]))
    request.user = UserFactory(is_staff=True, is_superuser=True)
    form_class = model_admin.get_form(request, judged.competition, change=True)
    data = {key: value for key, value in model_to_dict(judged.competition).items() if value is not None}
    form = form_class(data={**data, "publication": Publication.FROZEN}, instance=judged.competition)
    assert form.is_valid(), form.errors
    model_admin.save_model(request, form.save(commit=False), form, change=True)
    judged.competition.refresh_from_db()
    assert (judged.competition.publication, judged.competition.frozen_at is not None) == ("frozen", True)
    assert _frozen_totals(judged) == ["12.00", None]
