"""Every path that writes a competition's publication policy goes through the live control.

Live owns the policy. Its REST endpoint (``PUT /api/v1/competitions/{id}/publication/``)
and its admin page (成绩公布) call ``publication_set``, which takes the freeze snapshot,
starts the reveal and tells the screens. The competitions API refuses ``publication``
(it once saved the field as it was: the frozen board then showed no scores at all and
no screen was told) and the competitions admin shows it read-only.
"""

import pytest
from django.contrib import admin
from django.urls import reverse

from competitions.models import Competition
from live.models import CompetitionPublication, FrozenBoard, RevealProgress
from tests.factories import CompetitionFactory, UserFactory
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


def _put_policy(user, competition, policy):
    return client_for(user).put(
        f"/api/v1/competitions/{competition.pk}/publication/", {"policy": policy}, format="json"
    )


def test_api_freeze_takes_the_snapshot_and_tells_the_screens(judged, django_capture_on_commit_callbacks):
    listener = LayerListener(f"live.event.{judged.event.pk}")
    with django_capture_on_commit_callbacks(execute=True):
        response = _put_policy(judged.organiser, judged.competition, "frozen")
    body = response.json()
    assert (response.status_code, body["competition"], body["policy"]) == (200, judged.competition.pk, "frozen")
    assert body["frozen_at"] is not None
    assert _frozen_totals(judged) == ["12.00", None]
    frames = listener.frames()
    assert [(frame["type"], frame["policy"]) for frame in frames] == [("standings.full", "frozen")]


def test_api_reveal_starts_every_event_at_zero(judged):
    response = _put_policy(judged.organiser, judged.competition, "reveal")
    assert (response.status_code, response.json()["policy"]) == (200, "reveal")
    assert list(RevealProgress.objects.values_list("event_id", "revealed")) == [(judged.event.pk, 0)]


def test_api_policy_needs_the_organiser(judged):
    response = _put_policy(judged.chief, judged.competition, "hidden")
    assert (response.status_code, response.json()["code"]) == (403, "not_organiser")
    judged.competition.refresh_from_db()
    assert judged.competition.publication == "live"


def test_api_policy_of_an_invisible_competition_is_404():
    competition = CompetitionFactory(is_public=False)
    assert _put_policy(UserFactory(), competition, "hidden").status_code == 404


def test_api_unknown_policy_is_400(judged):
    response = _put_policy(judged.organiser, judged.competition, "leaky")
    assert (response.status_code, response.json()["field"]) == (400, "policy")


def test_competitions_api_refuses_publication_and_writes_nothing(judged):
    response = client_for(judged.organiser).patch(
        f"/api/v1/competitions/{judged.competition.pk}/", {"publication": "frozen", "venue": "体育馆"}, format="json"
    )
    assert (response.status_code, response.json()["code"], response.json()["field"]) == (
        400,
        "publication_read_only",
        "publication",
    )
    assert f"/api/v1/competitions/{judged.competition.pk}/publication/" in response.json()["detail"]
    judged.competition.refresh_from_db()
    assert (judged.competition.publication, judged.competition.venue) == ("live", "")
    assert FrozenBoard.objects.count() == 0


def test_competitions_api_update_without_publication_keeps_it_and_takes_no_snapshot(judged):
    response = client_for(judged.organiser).patch(
        f"/api/v1/competitions/{judged.competition.pk}/", {"venue": "体育馆"}, format="json"
    )
    assert (response.status_code, response.json()["venue"], response.json()["publication"]) == (200, "体育馆", "live")
    assert FrozenBoard.objects.count() == 0


def test_live_admin_freeze_takes_the_snapshot(judged, client, django_capture_on_commit_callbacks):
    listener = LayerListener(f"live.event.{judged.event.pk}")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:live_competitionpublication_change", args=[judged.competition.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"publication": Publication.FROZEN})
    assert response.status_code == 302
    judged.competition.refresh_from_db()
    assert (judged.competition.publication, judged.competition.frozen_at is not None) == ("frozen", True)
    assert _frozen_totals(judged) == ["12.00", None]
    assert [(frame["type"], frame["policy"]) for frame in listener.frames()] == [("standings.full", "frozen")]


def test_live_admin_lists_only_the_competitions_the_user_organises(judged, rf):
    CompetitionFactory()
    staff = judged.organiser
    staff.is_staff = True
    staff.save()
    request = rf.get("/")
    request.user = staff
    model_admin = admin.site._registry[CompetitionPublication]
    assert list(model_admin.get_queryset(request).values_list("pk", flat=True)) == [judged.competition.pk]


def test_competitions_admin_shows_publication_read_only(judged, rf):
    model_admin = admin.site._registry[Competition]
    request = rf.get("/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    form_class = model_admin.get_form(request, judged.competition, change=True)
    assert ("publication" in form_class.base_fields, "frozen_at" in form_class.base_fields) == (False, False)
    assert {"publication", "frozen_at"} <= set(model_admin.get_readonly_fields(request, judged.competition))
