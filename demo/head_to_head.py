"""Demo head-to-head events: the city workers' games tug-of-war (41 teams, 738 athletes), part-way
through, and a company sports day (8 teams of 16: tug-of-war finished, a ball game under way).

Set-up goes through the matches services (configuration, the draw, the schedule); the
results already played are written in bulk (ends, winners, confirmations) and the
bracket is then advanced once with ``bracket_advance``, so ``seed_demo`` stays fast.
Everything random comes from the demo's one ``random.Random``.
"""

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from competitions.models import Competition, Contestant, Entry, Event, JudgeAssignment, Team
from matches.groups import AWAY, HOME
from matches.models import End, Match, MatchEvent, RosterMember
from matches.services import bracket_advance, match_event_configure, matches_draw

TUG_PULLERS = 10  # "5 men and 5 women" on the rope
TUG_SUBSTITUTES = 8
TUG_WEIGHT_LIMIT = Decimal("700.0")
SPORTS_DEPARTMENTS = ("生产一部", "生产二部", "设备部", "质检部", "物流部", "研发中心", "销售部", "综合管理部")


def _people(competition, team, people, region: str, rng, *, men: int, women: int) -> list[Contestant]:
    return [
        Contestant(
            competition=competition,
            organisation=team.organisation,
            team=team,
            job_title=rng.choice(("一线职工", "班组长", "技术员", "操作工")),
            **people.person(region, gender),
        )
        for gender in ["M"] * men + ["F"] * women
    ]


def _rosters(entries, contestants_by_team, rng, *, pullers_men: int, pullers_women: int) -> None:
    """Roster: the first men and women pull, the rest are substitutes; everyone weighed in."""
    weighed = timezone.now() - datetime.timedelta(hours=3)
    rows = []
    for entry in entries:
        people = contestants_by_team[entry.team_id]
        men = [p for p in people if p.gender == "M"]
        women = [p for p in people if p.gender == "F"]
        pulling = set(men[:pullers_men] + women[:pullers_women])
        for p in people:
            kg = Decimal(rng.randint(66, 84) if p.gender == "M" else rng.randint(50, 63))
            rows.append(
                RosterMember(entry=entry, contestant=p, substitute=p not in pulling, weight=kg, weighed_at=weighed)
            )
    RosterMember.objects.bulk_create(rows)


def _play(match_event: MatchEvent, matches, rng: random.Random, referee, chief, *, with_scores=False) -> None:
    """Write the results of ``matches`` (best of N, random but plausible), confirmed by the chief."""
    need = match_event.best_of // 2 + 1
    ends, at = [], timezone.now() - datetime.timedelta(hours=2)
    for m in matches:
        won = {HOME: 0, AWAY: 0}
        number = 0
        while max(won.values()) < need:
            number += 1
            side = HOME if rng.random() < 0.55 else AWAY
            won[side] += 1
            score = {}
            if with_scores:
                high, low = rng.randint(15, 21), rng.randint(6, 14)
                score = {"home_score": high if side == HOME else low, "away_score": low if side == HOME else high}
            ends.append(End(match=m, number=number, winner=side, recorded_by=referee, **score))
        m.winner_id = m.home_id if won[HOME] == need else m.away_id
        m.status = Match.Status.CONFIRMED
        m.confirmed_at, m.confirmed_by = at, chief
        m.version = number + 2
    End.objects.bulk_create(ends)
    Match.objects.bulk_update(matches, ["winner", "status", "confirmed_at", "confirmed_by", "version"])
    bracket_advance(match_event)


def _playable(match_event: MatchEvent, **filters):
    return list(match_event.matches.filter(status=Match.Status.SCHEDULED, **filters).order_by("order"))


def tug_of_war(units, users, people, rng, *, districts, industry_unions, organiser, referee, chief, host):
    competition = Competition.objects.create(
        title="2026年重庆市职工运动会拔河比赛",
        slug="TUG",
        year=2026,
        host=host,
        venue="重庆市体育馆",
        starts_on=datetime.date(2026, 12, 5),
        ends_on=datetime.date(2026, 12, 6),
        status=Competition.Status.RUNNING,
        is_public=True,
    )
    event = Event.objects.create(
        competition=competition,
        code="tug",
        title="拔河（男女混合，五男五女）",
        kind=Event.Kind.TEAM,
        position=1,
        description="小组单循环，各组前两名进入淘汰赛；三局两胜；上场10人（5男5女），体重合计不超过700公斤。",
    )
    teams = []
    for _name, short, _region in districts:
        teams += [Team(competition=competition, organisation=units[short], name=f"{short}{n}队") for n in "一二三"]
    for _name, short in industry_unions:
        teams += [Team(competition=competition, organisation=units[short], name=f"{short}{n}队") for n in "一二"]
    teams = Team.objects.bulk_create(teams)
    region = {short: code for _n, short, code in districts}
    contestants = []
    for team in teams:
        code = region.get(team.organisation.short_name, "500103")
        contestants += _people(competition, team, people, code, rng, men=9, women=9)
    contestants = Contestant.objects.bulk_create(contestants)
    by_team: dict[int, list] = {}
    for c in contestants:
        by_team.setdefault(c.team_id, []).append(c)
    entries = Entry.objects.bulk_create(
        [Entry(event=event, team=t, status=Entry.Status.CHECKED_IN, code=f"T{i:02d}") for i, t in enumerate(teams, 1)]
    )
    _rosters(entries, by_team, rng, pullers_men=5, pullers_women=5)
    _staff(competition, event, organiser=organiser, referee=referee, chief=chief, units=units)
    match_event = match_event_configure(
        actor=organiser,
        event=event,
        format=MatchEvent.Format.GROUPS_KNOCKOUT,
        best_of=3,
        group_count=8,
        placings_to=8,
        third_place=True,
        pullers=TUG_PULLERS,
        weight_limit=TUG_WEIGHT_LIMIT,
        men_required=5,
        women_required=5,
        courts=4,
        slot_minutes=12,
        starts_at=datetime.datetime(2026, 12, 5, 8, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=8))),
    )
    match_event = matches_draw(actor=organiser, event=event, seed="20261205-tug")
    # Part-way: every group match played, then the first half of the round of 16.
    _play(match_event, _playable(match_event, stage=Match.Stage.GROUP), rng, referee, chief)
    r16 = _playable(match_event, stage=Match.Stage.KNOCKOUT, round=1)
    _play(match_event, r16[: len(r16) // 2], rng, referee, chief)
    # One team still to play came back 1 kg over at the weigh-in: it cannot start until fixed.
    waiting = _playable(match_event, stage=Match.Stage.KNOCKOUT, round=1)[-1]
    pullers = RosterMember.objects.filter(entry_id=waiting.home_id, substitute=False)
    total = sum(r.weight for r in pullers)
    heaviest = max(pullers, key=lambda r: r.weight)
    heaviest.weight += TUG_WEIGHT_LIMIT - total + 1
    heaviest.save(update_fields=["weight"])
    return competition


def sports_day(units, users, people, rng, *, enterprise, organiser, referee, chief):
    competition = Competition.objects.create(
        title="2026年公司职工趣味运动会",
        slug="SPORTS",
        year=2026,
        host=enterprise,
        venue="公司体育场",
        starts_on=datetime.date(2026, 11, 28),
        ends_on=datetime.date(2026, 11, 28),
        status=Competition.Status.RUNNING,
        is_public=True,
    )
    tug = Event.objects.create(
        competition=competition,
        code="tug",
        title="拔河",
        kind=Event.Kind.TEAM,
        position=1,
        description="8队单败淘汰，三局两胜，决出1-8名。",
    )
    ball = Event.objects.create(
        competition=competition,
        code="ball",
        title="趣味篮球",
        kind=Event.Kind.TEAM,
        position=2,
        description="两组单循环，各组前两名交叉半决赛；一局定胜负，记比分。",
    )
    teams = Team.objects.bulk_create(
        Team(competition=competition, organisation=enterprise, name=name) for name in SPORTS_DEPARTMENTS
    )
    contestants = []
    for team in teams:
        contestants += _people(competition, team, people, "500112", rng, men=10, women=6)
    Contestant.objects.bulk_create(contestants)
    codes = {tug: "A", ball: "B"}
    for event in (tug, ball):
        Entry.objects.bulk_create(
            Entry(event=event, team=t, status=Entry.Status.CHECKED_IN, code=f"{codes[event]}{i:02d}")
            for i, t in enumerate(teams, 1)
        )
        _staff(competition, event, organiser=organiser, referee=referee, chief=chief, units=units)
    start = datetime.datetime(2026, 11, 28, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
    tug_me = match_event_configure(
        actor=organiser,
        event=tug,
        format=MatchEvent.Format.KNOCKOUT,
        best_of=3,
        placings_to=8,
        third_place=True,
        pullers=8,
        courts=2,
        starts_at=start,
    )
    tug_me = matches_draw(actor=organiser, event=tug, seed="20261128-tug")
    while playable := _playable(tug_me):
        _play(tug_me, playable, rng, referee, chief)
    ball_me = match_event_configure(
        actor=organiser,
        event=ball,
        format=MatchEvent.Format.GROUPS_KNOCKOUT,
        best_of=1,
        group_count=2,
        third_place=True,
        courts=2,
        slot_minutes=20,
        starts_at=start + datetime.timedelta(hours=3),
    )
    ball_me = matches_draw(actor=organiser, event=ball, seed="20261128-ball")
    group_matches = _playable(ball_me, stage=Match.Stage.GROUP)
    _play(ball_me, group_matches[:8], rng, referee, chief, with_scores=True)
    return competition


def _staff(competition, event, *, organiser, referee, chief, units) -> None:
    role = JudgeAssignment.Role
    rows = [
        JudgeAssignment(user=referee, competition=competition, event=event, role=role.JUDGE),
        JudgeAssignment(user=chief, competition=competition, event=event, role=role.CHIEF_JUDGE),
    ]
    if not JudgeAssignment.objects.filter(user=organiser, competition=competition, role=role.ORGANISER).exists():
        rows.append(JudgeAssignment(user=organiser, competition=competition, role=role.ORGANISER))
    JudgeAssignment.objects.bulk_create(rows)
