"""The 41-team tug-of-war run through the API as a client would: set-up, rosters and weigh-in,
the draw, eight groups, the knockout with third place and placings to 8th, then the placings."""

import random
from collections import Counter
from decimal import Decimal

import pytest

from competitions.models import Contestant, Entry, Event, JudgeAssignment, Organisation
from matches.models import Match
from tests.factories import (
    CompetitionFactory,
    ContestantFactory,
    EventFactory,
    JudgeAssignmentFactory,
    OrganisationFactory,
    TeamEntryFactory,
)
from tests.helpers import client_for, organiser_of

pytestmark = pytest.mark.django_db

PULLERS = 8


def roster_for(entry, *, men=4, women=4, subs=2, weight="70.0"):
    """Contestants of the entry's team: ``men`` + ``women`` pullers and ``subs`` substitutes (ORM set-up)."""
    people = []
    for i in range(men + women + subs):
        gender = Contestant.Gender.MALE if i < men or i >= men + women else Contestant.Gender.FEMALE
        people.append(
            ContestantFactory(
                competition=entry.event.competition,
                organisation=entry.team.organisation,
                team=entry.team,
                gender=gender,
            )
        )
    return people, Decimal(weight)


@pytest.fixture
def contest():
    competition = CompetitionFactory(title="市职工运动会拔河比赛")
    city = OrganisationFactory(name="市总工会", kind=Organisation.Kind.FEDERATION)
    districts = [OrganisationFactory(parent=city) for _ in range(33)]
    event = EventFactory(competition=competition, kind=Event.Kind.TEAM, title="拔河")
    # 41 teams from 33 units: eight units send two teams, so the draw has to keep them apart.
    units = districts + districts[:8]
    entries = [TeamEntryFactory(event=event, team__organisation=unit, team__competition=competition) for unit in units]
    organiser = organiser_of(competition)
    chief = JudgeAssignmentFactory(competition=competition, event=event, role=JudgeAssignment.Role.CHIEF_JUDGE).user
    referee = JudgeAssignmentFactory(competition=competition, event=event, role=JudgeAssignment.Role.JUDGE).user
    return event, entries, organiser, chief, referee


def test_tug_of_war_41_teams_run_to_the_end_through_the_api(contest):
    event, entries, organiser, chief, referee = contest
    org, boss, ref = client_for(organiser), client_for(chief), client_for(referee)
    rng = random.Random(41)

    response = org.put(
        f"/api/v1/events/{event.pk}/matches/config/",
        {
            "format": "groups_knockout",
            "best_of": 3,
            "group_count": 8,
            "placings_to": 8,
            "third_place": True,
            "pullers": PULLERS,
            "weight_limit": "600.00",
            "men_required": 4,
            "women_required": 4,
            "courts": 4,
            "slot_minutes": 12,
            "starts_at": "2026-05-01T08:30:00+08:00",
        },
        format="json",
    )
    assert response.status_code == 200, response.json()

    # Rosters and the weigh-in, team by team. One team is 1 kg over the limit at first.
    over = entries[0]
    for entry in entries:
        people, kg = roster_for(entry)
        members = [{"contestant": p.pk, "substitute": i >= 8} for i, p in enumerate(people)]
        assert org.put(f"/api/v1/entries/{entry.pk}/roster/", {"members": members}, format="json").status_code == 200
        weights = [
            {"contestant": p.pk, "weight": str(kg + (Decimal("1.0") if entry == over and i == 0 else 0))}
            for i, p in enumerate(people)
        ]
        weights[0]["weight"] = str(Decimal(weights[0]["weight"]) + (Decimal("40.0") if entry == over else 0))
        response = boss.post(f"/api/v1/entries/{entry.pk}/weigh-in/", {"weights": weights}, format="json")
        assert response.status_code == 200, response.json()

    response = org.post(f"/api/v1/events/{event.pk}/matches/draw/", {"seed": "city-games-2026"}, format="json")
    assert response.status_code == 201, response.json()
    groups = response.json()["draw_result"]["groups"]
    assert sorted(len(g) for g in groups.values()) == [5, 5, 5, 5, 5, 5, 5, 6]
    unit_of = {e.pk: e.team.organisation_id for e in entries}
    for members in groups.values():
        assert len({unit_of[pk] for pk in members}) == len(members)  # same unit never in one group

    matches = ref.get(f"/api/v1/events/{event.pk}/matches/").json()
    group_matches = [m for m in matches if m["stage"] == "group"]
    assert len(group_matches) == 7 * 10 + 15
    assert all(m["court"] in (1, 2, 3, 4) and m["starts_at"] for m in group_matches)

    # The overweight team cannot start its first match.
    first = next(m for m in group_matches if over.pk in (m["home"], m["away"]))
    response = ref.post(
        f"/api/v1/matches/{first['id']}/ends/", {"winner": "home"}, format="json", headers={"Idempotency-Key": "over-1"}
    )
    assert response.status_code == 409
    assert response.json()["code"] == "roster_overweight"
    people = list(Contestant.objects.filter(team=over.team).order_by("pk"))
    fixed = [{"contestant": people[0].pk, "weight": "69.0"}]
    assert boss.post(f"/api/v1/entries/{over.pk}/weigh-in/", {"weights": fixed}, format="json").status_code == 200

    def play(match):
        """Referee records ends until decided (with one retried request), then the chief confirms."""
        version = match["version"]
        home_wins = rng.random() < 0.5
        sides = ["home", "away", "home"] if home_wins else ["away", "home", "away"]
        if rng.random() < 0.5:
            sides = sides[:1] * 2
        for n, side in enumerate(sides, start=1):
            key = f"m{match['id']}-e{n}"
            body = {"winner": side, "version": version}
            response = ref.post(
                f"/api/v1/matches/{match['id']}/ends/", body, format="json", headers={"Idempotency-Key": key}
            )
            assert response.status_code == 200, response.json()
            retry = ref.post(
                f"/api/v1/matches/{match['id']}/ends/", body, format="json", headers={"Idempotency-Key": key}
            )
            assert retry.json() == response.json()  # a retry never counts twice
            version = response.json()["match"]["version"]
            if response.json()["match"]["status"] == "decided":
                break
        response = boss.post(f"/api/v1/matches/{match['id']}/confirm/", {"version": version}, format="json")
        assert response.status_code == 200, response.json()
        return response.json()

    rounds_played = 0
    while True:
        ready = [m for m in ref.get(f"/api/v1/events/{event.pk}/matches/").json() if m["status"] == "scheduled"]
        if not ready:
            break
        rounds_played += 1
        for match in ready:
            play(match)
    assert rounds_played >= 4

    final = Match.objects.get(match_event__event=event, key="F")
    assert final.status == Match.Status.CONFIRMED
    ends = Counter(m.ends.count() for m in Match.objects.filter(match_event__event=event, status="confirmed"))
    assert set(ends) <= {2, 3}

    response = boss.get(f"/api/v1/events/{event.pk}/matches/placings/")
    placings = response.json()["placings"]
    assert [row["place"] for row in placings] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert placings[0]["entry"] == final.winner_id
    assert [row["award"] for row in placings[:4]] == [1, 2, 3, None]
    assert len({row["entry"] for row in placings}) == 8
    # Every knockout team came out of a group in the top two.
    knockout_teams = {
        e
        for m in Match.objects.filter(match_event__event=event, stage="knockout", key__startswith="R16")
        for e in (m.home_id, m.away_id)
    }
    assert len(knockout_teams) == 16
    assert Entry.objects.filter(pk__in=knockout_teams).count() == 16
