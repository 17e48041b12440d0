from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from competitions.draw_services import draw_replay
from competitions.models import Competition, Contestant, Draw, Entry, Event, JudgeAssignment, Organisation, Team
from competitions.selectors import is_chief_judge, is_organiser, judge_assignment
from config.errors import DomainError
from demo.data import DEMO_PASSWORD, id_number_check_char, is_valid_id_number
from scoring.models import Criterion, Mark
from tests.factories import MarkFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115 - closed with the process


def test_id_number_check_char_matches_gb11643_example():
    # The worked example of GB 11643-1999: 11010519491231002X.
    assert id_number_check_char("11010519491231002") == "X"
    assert is_valid_id_number("11010519491231002X") is True
    assert is_valid_id_number("110105194912310021") is False
    assert is_valid_id_number("11010519491331002X") is False  # month 13


def test_seed_demo_builds_drone_competition(seeded):
    drone = Competition.objects.get(slug="DRONE")
    assert drone.status == Competition.Status.RUNNING
    assert drone.is_public is True
    assert drone.host.name == "重庆市总工会"
    assert Organisation.objects.filter(kind=Organisation.Kind.DISTRICT, parent=drone.host).count() == 11
    assert Team.objects.filter(competition=drone).count() == 18
    assert Team.objects.filter(competition=drone).values("organisation").distinct().count() == 11
    assert Contestant.objects.filter(competition=drone).count() == 36
    assert all(team.members.count() == 2 for team in Team.objects.filter(competition=drone))
    assert list(drone.events.values_list("code", "kind")) == [("team", "team"), ("individual", "individual")]
    assert Entry.objects.filter(event__code="team", event__competition=drone).count() == 18
    assert Entry.objects.filter(event__code="individual", event__competition=drone).count() == 36


def test_seed_demo_contestants_have_valid_unique_personal_data(seeded):
    contestants = list(Contestant.objects.all())
    # Drone 36 + cooking 20, tug-of-war 41 teams of 18, sports day 8 teams of 16.
    assert len(contestants) == 56 + 738 + 128
    assert all(is_valid_id_number(c.id_number) for c in contestants)
    assert len({c.id_number for c in contestants}) == len(contestants)
    assert all(len(c.phone) == 11 and c.phone.startswith("1") for c in contestants)
    # The 17th digit is odd for men and even for women.
    assert all(int(c.id_number[16]) % 2 == (1 if c.gender == "M" else 0) for c in contestants)
    assert all(2 <= len(c.name) <= 3 for c in contestants)


def test_seed_demo_draws_codes_and_stations(seeded):
    for event in Event.objects.filter(competition__slug__in=["DRONE", "COOKING"]):
        entries = list(event.entries.all())
        codes = [e.code for e in entries]
        assert len(set(codes)) == len(entries)
        assert all(code != "" for code in codes)
        slots = {(e.station, e.start_order) for e in entries}
        assert len(slots) == len(entries)
        assert all(1 <= e.station <= event.stations for e in entries)
        assert {e.status for e in entries} == {Entry.Status.CHECKED_IN}
        assert sorted(event.draws.values_list("kind", flat=True)) == [Draw.Kind.CODE, Draw.Kind.STATION]
        assert [draw_replay(draw=draw)["matches"] for draw in event.draws.all()] == [True, True]


def test_seed_demo_marking_schemes_follow_the_rules(seeded):
    individual = Event.objects.get(competition__slug="DRONE", code="individual")
    assert individual.scheme.theory_weight == Decimal("0.3000")
    criteria = {c.code: c for c in individual.scheme.criteria.all()}
    assert list(criteria) == ["theory", "preflight", "drop", "rescue"]
    assert criteria["theory"].part == Criterion.Part.THEORY
    assert criteria["preflight"].kind == Criterion.Kind.JUDGEMENT
    assert (criteria["preflight"].aggregation, criteria["preflight"].trim) == (Criterion.Aggregation.TRIMMED_MEAN, 1)
    assert criteria["drop"].kind == Criterion.Kind.MEASUREMENT
    assert (criteria["rescue"].kind, criteria["rescue"].penalty_per_unit) == (Criterion.Kind.TIME, Decimal("5.000"))

    hot_dish = Event.objects.get(competition__slug="COOKING", code="hot-dish")
    dish = [(c.title, c.max_value, c.kind) for c in hot_dish.scheme.criteria.all()]
    assert dish == [
        ("观感", Decimal("20.000"), "judgement"),
        ("味感", Decimal("40.000"), "judgement"),
        ("营养卫生", Decimal("20.000"), "judgement"),
        ("实用性", Decimal("20.000"), "judgement"),
        ("超时扣分", Decimal("30.000"), "deduction"),
    ]
    assert hot_dish.scheme.criteria.get(code="overtime").penalty_per_unit == Decimal("0.500")
    assert Entry.objects.filter(event=hot_dish).count() == 20


def test_seed_demo_users_have_their_roles(seeded):
    users = get_user_model().objects
    drone = Competition.objects.get(slug="DRONE")
    individual = drone.events.get(code="individual")
    admin = users.get(username="admin")
    assert (admin.is_superuser, admin.check_password(DEMO_PASSWORD)) == (True, True)
    organiser = users.get(username="organiser")
    assert (organiser.is_staff, is_organiser(organiser, drone)) == (True, True)
    assert is_chief_judge(users.get(username="chief"), individual) is True
    assert is_chief_judge(users.get(username="judge1"), individual) is False
    assert judge_assignment(users.get(username="judge1"), individual).role == JudgeAssignment.Role.JUDGE
    panel = JudgeAssignment.objects.filter(event=individual, role=JudgeAssignment.Role.JUDGE)
    assert panel.count() == 5
    assert panel.values("organisation").distinct().count() == 5  # at most one judge per unit
    # Conflict of interest is real: a judge's unit also fields a team.
    assert Team.objects.filter(competition=drone, organisation__in=panel.values("organisation")).exists() is True


def test_seed_demo_twice_does_not_duplicate(seeded):
    first = sorted(Contestant.objects.values_list("name", "id_number"))
    organisations = Organisation.objects.count()
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Competition.objects.filter(slug__in=["DRONE", "COOKING"]).count() == 2
    assert sorted(Contestant.objects.values_list("name", "id_number")) == first
    assert Organisation.objects.count() == organisations
    assert get_user_model().objects.filter(username__startswith="judge").count() == 10


def test_seed_demo_prints_the_logins(capsys):
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "演示账号 Demo logins" in out
    assert f"密码 password（全部 all）: {DEMO_PASSWORD}" in out
    lines = [line.split()[0] for line in out.splitlines() if line.startswith("  judge")]
    assert lines == [f"judge{n}" for n in range(1, 11)]


def test_seed_demo_scale_builds_the_district_contest():
    call_command("seed_demo", "--scale", stdout=open("/dev/null", "w"))  # noqa: SIM115
    district = Competition.objects.get(slug="DISTRICT")
    assert district.events.count() == 14
    assert Contestant.objects.filter(competition=district).count() == 1514
    assert Entry.objects.filter(event__competition=district).count() == 1514
    assert Entry.objects.filter(event__competition=district, code="").count() == 0
    assert Draw.objects.filter(event__competition=district).count() == 28
    assert Criterion.objects.filter(scheme__event__competition=district).count() == 28
    electricians = district.events.get(code="electrician")
    assert electricians.entries.count() == 148
    assert [draw_replay(draw=draw)["matches"] for draw in electricians.draws.all()] == [True, True]


def test_seed_demo_keeps_a_competition_that_has_marks(seeded, capsys):
    drone, cooking = Competition.objects.get(slug="DRONE"), Competition.objects.get(slug="COOKING")
    entry = Entry.objects.filter(event__competition=drone, event__code="individual").first()
    judge = get_user_model().objects.get(username="judge1")
    mark = MarkFactory(entry=entry, criterion=entry.event.scheme.criteria.get(code="preflight"), judge=judge)
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert Competition.objects.get(slug="DRONE").pk == drone.pk
    assert Mark.objects.filter(pk=mark.pk).exists() is True
    # The cooking contest comes with its panel's marks, so it is kept as well.
    assert Competition.objects.get(slug="COOKING").pk == cooking.pk
    assert [line.split()[0] for line in out.splitlines() if "has marks, kept" in line] == ["DRONE", "COOKING"]
    assert [line.split()[0] for line in out.splitlines() if line.startswith("  judge")][:5] == [
        f"judge{n}" for n in range(1, 6)
    ]


def test_seed_demo_cooking_panel_has_marked_the_first_dishes_without_conflicts(seeded):
    from scoring.models import MarkHistory

    event = Event.objects.get(competition__slug="COOKING", code="hot-dish")
    marks = Mark.objects.filter(entry__event=event).select_related("entry__contestant")
    units = dict(JudgeAssignment.objects.filter(event=event).values_list("user_id", "organisation_id"))
    marked = {mark.entry.start_order for mark in marks}
    assert marked == set(range(1, 15))
    assert [m.pk for m in marks if m.entry.contestant.organisation_id == units[m.judge_id]] == []
    assert MarkHistory.objects.filter(mark__entry__event=event).count() == marks.count()


def test_seed_demo_shows_the_results_chain_one_event_final_and_certified_one_blind(seeded):
    from certificates.models import Certificate
    from scoring.models import ReviewItem
    from scoring.results_selectors import event_results_final

    drone = Competition.objects.get(slug="DRONE")
    team, individual = drone.events.get(code="team"), drone.events.get(code="individual")
    hot_dish = Event.objects.get(competition__slug="COOKING", code="hot-dish")
    assert (event_results_final(team), team.decoded_at is not None) == (True, True)
    assert ReviewItem.objects.filter(event=team).count() == 10 + 2  # top 10 + ceil(15% of 8)
    assert set(Certificate.objects.filter(event=team).values_list("kind", flat=True)) == {"team"}
    assert Certificate.objects.filter(event=team).count() == 6  # 1 first, 2 second, 3 third
    for event in (individual, hot_dish):
        assert (event_results_final(event), event.decoded_at) == (False, None)


def test_seed_demo_tug_of_war_is_part_way_through(seeded):
    from matches.models import Match, MatchEvent, RosterMember
    from matches.services import roster_check

    tug = MatchEvent.objects.get(event__competition__slug="TUG")
    assert tug.groups.count() == 8
    assert tug.event.entries.count() == 41
    group = tug.matches.filter(stage=Match.Stage.GROUP)
    assert group.exclude(status=Match.Status.CONFIRMED).count() == 0
    r16 = tug.matches.filter(stage=Match.Stage.KNOCKOUT, round=1)
    assert r16.filter(status=Match.Status.CONFIRMED).count() == 4
    assert r16.filter(status=Match.Status.SCHEDULED).count() == 4
    assert RosterMember.objects.filter(entry__event=tug.event, substitute=False).count() == 41 * 10
    waiting = r16.filter(status=Match.Status.SCHEDULED).order_by("order").last()
    with pytest.raises(DomainError) as excinfo:
        roster_check(match_event=tug, entry=waiting.home)
    assert excinfo.value.code == "roster_overweight"
    sports = MatchEvent.objects.get(event__competition__slug="SPORTS", event__code="tug")
    assert sports.matches.get(key="F").status == Match.Status.CONFIRMED
