"""An event's own publication policy: the chief judge freezes or reveals their event, and only theirs.

The competition's policy (the organiser's) applies to every event; an event may override it
(``Event.publication``, blank = follow the competition). The chief judge of an event sets that
override, from the monitor page or ``PUT /api/v1/events/{id}/publication/``; a chief judge of
another event gets 403 ``not_chief_judge``. Organisers keep every right, and an organiser's
competition-wide choice clears the events' overrides. The ceremony (reveal) goes by award tier.
"""

from decimal import Decimal

import pytest
from django.urls import reverse

from competitions.models import Competition, JudgeAssignment
from config.errors import Conflict, Forbidden
from live import services
from live.groups import EVENT, group_name
from live.models import FrozenBoard, RevealProgress
from scoring.services import MarkInput, marks_submit
from tests.factories import EventFactory, JudgeAssignmentFactory, QuickUserFactory, judged_event_factory
from tests.helpers import client_for
from tests.live.conftest import LayerListener

pytestmark = pytest.mark.django_db

Publication = Competition.Publication


def _put(user, event, policy):
    return client_for(user).put(f"/api/v1/events/{event.pk}/publication/", {"policy": policy}, format="json")


def _standings(client, event):
    return client.get(reverse("live:standings", args=[event.pk])).json()


@pytest.fixture
def other_event(judged, django_capture_on_commit_callbacks):
    """A second event of the same competition, with its own chief judge.

    Created as if committed (its after-commit board build runs now), so that build is not
    flushed later by the first commit a test makes.
    """
    with django_capture_on_commit_callbacks(execute=True):
        event = EventFactory(competition=judged.competition)
        chief = JudgeAssignmentFactory(
            competition=judged.competition, event=event, role=JudgeAssignment.Role.CHIEF_JUDGE, user=QuickUserFactory()
        ).user
    event.chief = chief
    return event


def test_chief_judge_freezes_their_own_event_over_the_api(
    client, judged, other_event, django_capture_on_commit_callbacks
):
    judged.mark(0, 10, "k1")
    listener = LayerListener(group_name(EVENT, judged.event.pk), group_name(EVENT, other_event.pk))
    with django_capture_on_commit_callbacks(execute=True):
        response = _put(judged.chief, judged.event, "frozen")
    assert (response.status_code, response.json()) == (
        200,
        {"event": judged.event.pk, "policy": "frozen", "override": "frozen", "competition_policy": "live"},
    )
    judged.mark(1, 15, "k2")
    # The public board of this event is the freeze (entry 2 pending); the other event stays live.
    data = _standings(client, judged.event)
    assert (data["policy"], [(row["total"], row.get("pending")) for row in data["rows"]]) == (
        "frozen",
        [("10.00", False), (None, True)],
    )
    assert _standings(client, other_event)["policy"] == "live"
    assert FrozenBoard.objects.filter(event=judged.event).count() == 1
    frames = listener.frames()
    mine = [(f["type"], f["policy"]) for f in frames if f["group"] == group_name(EVENT, judged.event.pk)]
    assert [kind_policy for kind_policy in mine if kind_policy[0] == "standings.full"] == [("standings.full", "frozen")]
    # The other event's screens only ever see it live (its first board goes out when first built).
    assert {f["policy"] for f in frames if f["group"] == group_name(EVENT, other_event.pk)} <= {"live"}


def test_chief_judge_of_another_event_gets_403_and_changes_nothing(judged, other_event):
    response = _put(other_event.chief, judged.event, "frozen")
    assert (response.status_code, response.json()["code"]) == (403, "not_chief_judge")
    judged.event.refresh_from_db()
    assert judged.event.publication == ""
    with pytest.raises(Forbidden) as excinfo:
        services.reveal_next(actor=other_event.chief, event=judged.event)
    assert excinfo.value.code == "not_chief_judge"


def test_a_judge_or_a_spectator_cannot_set_an_event_policy(judged):
    assert _put(judged.judges[0], judged.event, "frozen").status_code == 403
    assert client_for(None).put(
        f"/api/v1/events/{judged.event.pk}/publication/", {"policy": "frozen"}, format="json"
    ).status_code in (401, 403)


def test_chief_judge_cannot_make_an_event_more_public_than_the_organiser_chose(judged):
    services.publication_set(actor=judged.organiser, competition=judged.competition, policy=Publication.HIDDEN)
    response = _put(judged.chief, judged.event, "live")
    assert (response.status_code, response.json()["code"]) == (403, "not_organiser")
    # The organiser may.
    response = _put(judged.organiser, judged.event, "live")
    assert (response.status_code, response.json()["policy"]) == (200, "live")


def test_event_policy_unknown_value_is_400(judged):
    response = _put(judged.chief, judged.event, "leaky")
    assert (response.status_code, response.json()["field"]) == (400, "policy")


def test_organiser_competition_choice_clears_the_event_overrides(client, judged):
    services.event_publication_set(actor=judged.chief, event=judged.event, policy=Publication.FROZEN)
    services.publication_set(actor=judged.organiser, competition=judged.competition, policy=Publication.LIVE)
    judged.event.refresh_from_db()
    assert (judged.event.publication, FrozenBoard.objects.count()) == ("", 0)
    assert _standings(client, judged.event)["policy"] == "live"


def test_back_to_the_competition_policy_drops_the_snapshot(client, judged):
    services.event_publication_set(actor=judged.chief, event=judged.event, policy=Publication.FROZEN)
    services.event_publication_set(actor=judged.chief, event=judged.event, policy="")
    assert (FrozenBoard.objects.count(), _standings(client, judged.event)["policy"]) == (0, "live")


def test_chief_judge_reveals_their_event_from_the_monitor_page(client, judged, other_event):
    judged.mark(0, 10, "k1")
    judged.mark(1, 15, "k2")
    client.force_login(judged.chief)
    page = client.get(reverse("live:monitor", args=[judged.event.pk])).content.decode()
    assert f'action="{reverse("live:event-publication", args=[judged.event.pk])}"' in page
    response = client.post(reverse("live:event-publication", args=[judged.event.pk]), {"policy": "reveal"})
    assert response.status_code == 302
    assert "揭晓下一个名次" in client.get(reverse("live:monitor", args=[judged.event.pk])).content.decode()
    client.post(reverse("live:reveal", args=[judged.event.pk]))
    client.logout()
    data = _standings(client, judged.event)
    # Two entries: first and second prize; the first click reveals the second prize.
    assert ([row["total"] for row in data["rows"]], data["reveal"]) == (["10.00"], {"tier": 2, "next": 1, "left": 1})
    # The other event is untouched, and its chief cannot touch this one from its pages either.
    assert _standings(client, other_event)["policy"] == "live"
    client.force_login(other_event.chief)
    assert client.post(reverse("live:event-publication", args=[judged.event.pk]), {"policy": "live"}).status_code == 403
    assert client.post(reverse("live:reveal", args=[judged.event.pk])).status_code == 403


def _marks_for(event_data, values):
    marks_submit(
        judge=event_data.judges[0],
        event=event_data.event,
        marks=[
            MarkInput(entry=entry.pk, criterion="look", value=str(value))
            for entry, value in zip(event_data.entries, values, strict=False)
        ],
        idempotency_key="bulk",
    )


def test_ceremony_of_41_teams_takes_seven_clicks_by_award_tier(django_capture_on_commit_callbacks):
    """41 entries, 3 not scored: one click for the 32 places without award, then 3 thirds, 2 seconds, 1 first."""
    event_data = judged_event_factory(
        entries=41, judges=1, criteria=[{"code": "look", "title": "观感", "max_value": Decimal("100")}], decoded=True
    )
    _marks_for(event_data, [Decimal(90) - i for i in range(38)])  # A01 best … A38; A39–A41 never scored
    services.event_publication_set(actor=event_data.chief, event=event_data.event, policy=Publication.REVEAL)
    listener = LayerListener(group_name(EVENT, event_data.event.pk))
    shown = []
    for _click in range(7):
        with django_capture_on_commit_callbacks(execute=True):
            services.reveal_next(actor=event_data.chief, event=event_data.event)
        frame = [f for f in listener.frames() if f["type"] == "standings.full"][-1]
        shown.append((frame["reveal"]["tier"], len(frame["rows"]), frame["rows"][0]["code"]))
    with pytest.raises(Conflict) as excinfo:  # an eighth click: nothing left
        services.reveal_next(actor=event_data.chief, event=event_data.event)
    assert excinfo.value.code == "reveal_finished"
    assert shown == [
        (0, 32, "A07"),
        (3, 33, "A06"),
        (3, 34, "A05"),
        (3, 35, "A04"),
        (2, 36, "A03"),
        (2, 37, "A02"),
        (1, 38, "A01"),
    ]
    assert RevealProgress.objects.get(event=event_data.event).revealed == 7


def test_an_event_frozen_by_its_chief_hides_its_standings_and_unit_points_from_the_public_api(judged):
    """The scoring API follows the event's own policy too: a frozen event's standings are not served live."""
    judged.mark(0, 10, "k1")
    judged.event.blind = False  # unit points need names
    judged.event.save()
    standings = f"/api/v1/events/{judged.event.pk}/standings/"
    units = f"/api/v1/competitions/{judged.competition.pk}/organisation-awards/"
    assert (client_for().get(standings).status_code, client_for().get(units).status_code) == (200, 200)
    services.event_publication_set(actor=judged.chief, event=judged.event, policy=Publication.FROZEN)
    assert (client_for().get(standings).status_code, client_for().get(units).status_code) == (404, 404)
    assert client_for(judged.chief).get(standings).status_code == 200
