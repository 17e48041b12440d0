"""Ends, confirmation, walkovers, corrections, rosters and the public bracket, on small events."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from competitions.models import Competition, Contestant, Event, JudgeAssignment
from matches.models import End, Match, MatchAudit
from tests.factories import (
    CompetitionFactory,
    ContestantFactory,
    EventFactory,
    JudgeAssignmentFactory,
    QuickUserFactory,
    TeamEntryFactory,
)
from tests.helpers import client_for, organiser_of

pytestmark = pytest.mark.django_db


class Setup:
    def __init__(self, teams=4, **config):
        self.competition = CompetitionFactory()
        self.event = EventFactory(competition=self.competition, kind=Event.Kind.TEAM, title="拔河")
        self.entries = [TeamEntryFactory(event=self.event, team__competition=self.competition) for _ in range(teams)]
        self.organiser = organiser_of(self.competition)
        self.chief = JudgeAssignmentFactory(
            competition=self.competition, event=self.event, role=JudgeAssignment.Role.CHIEF_JUDGE
        ).user
        self.referee = JudgeAssignmentFactory(competition=self.competition, event=self.event).user
        body = {"format": "knockout", "third_place": True, **config}
        org = client_for(self.organiser)
        assert org.put(f"/api/v1/events/{self.event.pk}/matches/config/", body, format="json").status_code == 200
        assert (
            org.post(f"/api/v1/events/{self.event.pk}/matches/draw/", {"seed": "s"}, format="json").status_code == 201
        )

    def match(self, key):
        return Match.objects.get(match_event__event=self.event, key=key)

    def end(self, key, winner, idem, version=None, user=None):
        body = {"winner": winner} | ({"version": version} if version is not None else {})
        return client_for(user or self.referee).post(
            f"/api/v1/matches/{self.match(key).pk}/ends/", body, format="json", headers={"Idempotency-Key": idem}
        )

    def confirm(self, key):
        return client_for(self.chief).post(f"/api/v1/matches/{self.match(key).pk}/confirm/", {}, format="json")


def test_end_record_retry_with_same_key_counts_once():
    s = Setup()
    first = s.end("SF-1", "home", "k1")
    again = s.end("SF-1", "home", "k1")
    assert first.status_code == 200
    assert again.json() == first.json()
    assert End.objects.filter(match=s.match("SF-1")).count() == 1


def test_end_record_same_key_other_payload_is_refused():
    s = Setup()
    s.end("SF-1", "home", "k1")
    response = s.end("SF-1", "away", "k1")
    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_reused"


def test_end_record_stale_version_is_409():
    s = Setup()
    version = s.match("SF-1").version
    assert s.end("SF-1", "home", "k1", version=version).status_code == 200
    response = s.end("SF-1", "home", "k2", version=version)
    assert response.status_code == 409
    assert response.json()["code"] == "match_version_conflict"


def test_end_record_needs_an_assigned_referee():
    s = Setup()
    response = s.end("SF-1", "home", "k1", user=QuickUserFactory())
    assert response.status_code == 403
    assert response.json()["code"] == "not_assigned"


def test_no_end_after_the_match_is_decided_and_confirm_moves_winner_on():
    s = Setup()
    s.end("SF-1", "home", "a")
    s.end("SF-1", "home", "b")
    response = s.end("SF-1", "away", "c")
    assert response.status_code == 409
    assert response.json()["code"] == "match_decided"
    assert client_for(s.referee).post(f"/api/v1/matches/{s.match('SF-1').pk}/confirm/", {}).status_code == 403
    assert s.confirm("SF-1").status_code == 200
    sf = s.match("SF-1")
    assert s.match("F").home_id == sf.winner_id == sf.home_id
    assert s.match("3P").home_id == sf.away_id
    assert s.match("F").away_id is None


def test_confirm_before_decided_is_409():
    s = Setup()
    s.end("SF-1", "home", "a")
    response = s.confirm("SF-1")
    assert response.status_code == 409
    assert response.json()["code"] == "match_not_decided"


def test_walkover_needs_reason_and_counts_as_win():
    s = Setup()
    url = f"/api/v1/matches/{s.match('SF-2').pk}/walkover/"
    boss = client_for(s.chief)
    response = boss.post(url, {"outcome": "walkover", "winner": "away", "reason": " "}, format="json")
    assert response.status_code == 400
    response = boss.post(url, {"outcome": "walkover", "winner": "away", "reason": "主队未到场"}, format="json")
    assert response.status_code == 200
    sf = s.match("SF-2")
    assert sf.winner_id == sf.away_id
    assert sf.outcome == "walkover"
    assert s.match("F").away_id == sf.away_id


def test_correction_is_audited_and_refused_once_next_match_started():
    s = Setup()
    s.end("SF-1", "home", "a")
    s.end("SF-1", "home", "b")
    s.confirm("SF-1")
    boss = client_for(s.chief)
    url = f"/api/v1/matches/{s.match('SF-1').pk}/correct/"
    response = boss.post(url, {"ends": ["away", "away"], "reason": "录入错误"}, format="json")
    assert response.status_code == 200, response.json()
    sf = s.match("SF-1")
    assert sf.winner_id == sf.away_id
    assert s.match("F").home_id == sf.away_id
    audit = MatchAudit.objects.filter(match=sf, action="correct").get()
    assert audit.reason == "录入错误"
    assert audit.before["winner"] == sf.home_id
    # Once the final has started, the semi-final's winner cannot change any more.
    s.end("SF-2", "home", "c")
    s.end("SF-2", "home", "d")
    s.confirm("SF-2")
    s.end("F", "home", "e")
    response = boss.post(url, {"ends": ["home", "home"], "reason": "再次更正"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "match_downstream_played"
    assert s.match("SF-1").winner_id == sf.away_id


def test_bye_goes_through_for_three_teams():
    s = Setup(teams=3)
    bye = [m for m in Match.objects.filter(match_event__event=s.event, round=1) if m.status == Match.Status.BYE]
    assert len(bye) == 1
    assert bye[0].winner_id is not None
    assert s.match("F").home_id == bye[0].winner_id


def roster(s, entry, genders, weight="70"):
    people = [ContestantFactory(competition=s.competition, team=entry.team, gender=g) for g in genders]
    org = client_for(s.organiser)
    members = [{"contestant": p.pk} for p in people]
    assert org.put(f"/api/v1/entries/{entry.pk}/roster/", {"members": members}, format="json").status_code == 200
    weights = [{"contestant": p.pk, "weight": weight} for p in people]
    assert (
        client_for(s.chief)
        .post(f"/api/v1/entries/{entry.pk}/weigh-in/", {"weights": weights}, format="json")
        .status_code
        == 200
    )


def test_gender_mix_rule_stops_the_start():
    s = Setup(pullers=2, men_required=1, women_required=1)
    sf = s.match("SF-1")
    home = next(e for e in s.entries if e.pk == sf.home_id)
    away = next(e for e in s.entries if e.pk == sf.away_id)
    roster(s, home, [Contestant.Gender.MALE, Contestant.Gender.MALE])
    roster(s, away, [Contestant.Gender.MALE, Contestant.Gender.FEMALE])
    response = s.end("SF-1", "home", "a")
    assert response.status_code == 409
    assert response.json()["code"] == "roster_gender_mix"


def test_roster_only_takes_team_members():
    s = Setup()
    stranger = ContestantFactory(competition=s.competition)
    response = client_for(s.organiser).put(
        f"/api/v1/entries/{s.entries[0].pk}/roster/", {"members": [{"contestant": stranger.pk}]}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "roster_not_team_member"


def test_redraw_refused_once_played():
    s = Setup()
    s.end("SF-1", "home", "a")
    response = client_for(s.organiser).post(f"/api/v1/events/{s.event.pk}/matches/draw/", {}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "matches_started"


def test_public_bracket_hidden_shows_nothing():
    s = Setup()
    s.competition.publication = Competition.Publication.HIDDEN
    s.competition.save()
    data = client_for().get(f"/api/v1/events/{s.event.pk}/matches/public/").json()
    assert data == {"event": s.event.pk, "policy": "hidden", "hidden": True}


def test_public_bracket_not_public_shows_nothing_and_page_is_404():
    s = Setup()
    s.competition.is_public = False
    s.competition.save()
    data = client_for().get(f"/api/v1/events/{s.event.pk}/matches/public/").json()
    assert data["hidden"] is True
    assert "rounds" not in data
    assert client_for().get(f"/matches/events/{s.event.pk}/").status_code == 404


def test_public_bracket_frozen_shows_results_confirmed_before_the_freeze():
    s = Setup()
    s.end("SF-1", "home", "a")
    s.end("SF-1", "home", "b")
    s.confirm("SF-1")
    Match.objects.filter(pk=s.match("SF-1").pk).update(confirmed_at=timezone.now() - timedelta(hours=1))
    s.competition.publication = Competition.Publication.FROZEN
    s.competition.frozen_at = timezone.now() - timedelta(minutes=30)
    s.competition.save()
    s.end("SF-2", "away", "c")
    s.end("SF-2", "away", "d")
    s.confirm("SF-2")
    data = client_for().get(f"/api/v1/events/{s.event.pk}/matches/public/").json()
    final = next(m for r in data["rounds"] for m in r["matches"] if m["key"] == "F")
    assert final["home"]["id"] == s.match("SF-1").winner_id
    assert final["away"] is None  # SF-2 was confirmed after the freeze
    sf2 = next(m for r in data["rounds"] for m in r["matches"] if m["key"] == "SF-2")
    assert sf2["winner"] is None


def test_public_page_renders_for_public_event():
    s = Setup()
    response = client_for().get(f"/matches/events/{s.event.pk}/")
    assert response.status_code == 200
    assert b'id="bracket-root"' in response.content
    assert f"/api/v1/events/{s.event.pk}/matches/public/".encode() in response.content


def test_weight_limit_uses_pullers_total():
    s = Setup(pullers=2, weight_limit="150.00")
    sf = s.match("SF-1")
    for entry in s.entries:
        if entry.pk in (sf.home_id, sf.away_id):
            roster(s, entry, [Contestant.Gender.MALE] * 2, weight="74.9")
    assert s.end("SF-1", "home", "a").status_code == 200
    assert Decimal("74.9") * 2 < Decimal(150)


def test_placings_feed_certificate_award_requests():
    from certificates.batches import requests_for_event

    s = Setup()
    for key, idem in (("SF-1", "a"), ("SF-2", "b"), ("3P", "c"), ("F", "d")):
        s.end(key, "home", idem + "1")
        s.end(key, "home", idem + "2")
        assert s.confirm(key).status_code == 200
    requests = requests_for_event(s.event, include_participation=False)
    final, third = s.match("F"), s.match("3P")
    by_team = {r.holder_team.pk: r.award_level for r in requests}
    entry_team = {e.pk: e.team_id for e in s.entries}
    assert by_team == {
        entry_team[final.home_id]: 1,
        entry_team[final.away_id]: 2,
        entry_team[third.home_id]: 3,
    }
    assert {r.kind for r in requests} == {"team"}


@pytest.mark.parametrize("teams", [2, 4])
def test_match_list_query_count_does_not_grow(teams, django_assert_num_queries):
    s = Setup(teams=teams)
    client = client_for(s.referee)
    with django_assert_num_queries(4):
        response = client.get(f"/api/v1/events/{s.event.pk}/matches/")
    assert len(response.json()) == (1 if teams == 2 else 4)
