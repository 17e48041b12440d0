"""Standings, team standings, organisation awards, progress and variance alerts over the API."""

from decimal import Decimal

import pytest

from competitions.models import Competition, JudgeAssignment
from competitions.services import event_decode
from scoring import selectors, services
from scoring.aggregation import MarkValue
from scoring.models import Mark, Sheet
from scoring.services import MarkInput
from scoring.standings import EntryInfo, compute_standings
from tests.factories import (
    QuickUserFactory,
    TeamFactory,
    judged_event_factory,
)
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


def mark_all(panel, table):
    """``table[judge_index][entry_index] = (look, taste)``; one batch per judge."""
    for j, (judge, row) in enumerate(zip(panel.judges, table, strict=True)):
        marks = []
        for entry, (look, taste) in zip(panel.entries, row, strict=True):
            marks += [
                {"entry": entry.pk, "criterion": "look", "value": look},
                {"entry": entry.pk, "criterion": "taste", "value": taste},
            ]
        services.marks_submit(
            judge=judge, event=panel.event, marks=[MarkInput(**m) for m in marks], idempotency_key=f"batch-{j}"
        )


TABLE = [
    [("18", "35"), ("15", "30"), ("19.5", "38")],
    [("17", "36"), ("16", "31.5"), ("19", "37")],
    [("18.5", "34"), ("14.5", "30"), ("12", "39")],
]


@pytest.fixture
def panel():
    panel = judged_event_factory()
    mark_all(panel, TABLE)
    return panel


def test_standings_equal_a_full_recompute_by_the_pure_engine(panel):
    response = client_for(panel.organiser).get(f"/api/v1/events/{panel.event.pk}/standings/")

    expected = compute_standings(
        selectors.scheme_to_pure(panel.scheme),
        [EntryInfo(e.pk, e.status, e.contestant.organisation_id) for e in panel.entries],
        [
            MarkValue(m.entry_id, m.criterion.code, m.judge_id, m.attempt, m.value, m.penalty, m.status)
            for m in Mark.objects.select_related("criterion")
        ],
        selectors.scheme_policy(panel.scheme),
    )
    assert response.status_code == 200
    body = response.json()
    assert body["version"] == 3
    assert [(r["entry"], r["total"], r["rank"], r["award"]) for r in body["rows"]] == [
        (row.entry_id, str(row.total), row.rank, row.award) for row in expected.rows
    ]
    # By hand: entry 3 = (19.5+19+12)/3 + (38+37+39)/3 = 16.83 + 38.00; entry 1 = 17.83 + 35.00.
    codes = {e.pk: e.code for e in panel.entries}
    assert [(codes[r["entry"]], r["total"], r["award"]) for r in body["rows"]] == [
        ("A03", "54.83", 1),
        ("A01", "52.83", 2),
        ("A02", "45.67", 2),
    ]


def test_standings_never_pair_a_code_with_a_name_outside_organisers(panel):
    url = f"/api/v1/events/{panel.event.pk}/standings/"
    public = client_for().get(url)
    judge = client_for(panel.judges[0])
    chief = client_for(panel.chief).get(url).json()["rows"][0]
    organiser = client_for(panel.organiser).get(url).json()["rows"][0]

    common = ["award", "complete", "criterion_scores", "rank", "status", "total"]
    # Blind and not decoded: no standings for the public or the event's judges (the public board is sealed too);
    # the chief judge sees codes and stations, organisers everything.
    assert (public.status_code, public.json()["code"]) == (403, "standings_blind")
    assert (judge.get(url).status_code, judge.get(url).json()["code"]) == (403, "standings_blind")
    assert sorted(chief) == sorted([*common, "code", "station"])
    assert sorted(organiser) == sorted([*common, "entry", "code", "station", "name", "organisation"])


def test_standings_show_names_beside_codes_once_decoded(panel):
    event_decode(event=panel.event, actor=panel.chief)
    url = f"/api/v1/events/{panel.event.pk}/standings/"
    public = client_for().get(url).json()["rows"][0]
    judge = client_for(panel.judges[0]).get(url).json()["rows"][0]

    assert (public["code"], public["name"]) == (panel.entries[2].code, panel.entries[2].contestant.name)
    assert "entry" not in public
    assert "station" not in public
    assert (judge["code"], judge["name"], judge["station"]) == (
        panel.entries[2].code,
        panel.entries[2].contestant.name,
        panel.entries[2].station,
    )


def test_standings_of_an_event_that_is_not_blind_name_entries_without_codes(panel):
    panel.event.blind = False
    panel.event.save()
    public = client_for().get(f"/api/v1/events/{panel.event.pk}/standings/").json()["rows"][0]

    assert public["name"] == panel.entries[2].contestant.name
    assert "code" not in public
    assert "entry" not in public


def test_standings_hidden_policy_is_404_to_the_public_until_published(panel):
    event_decode(event=panel.event, actor=panel.chief)  # a blind event's standings are sealed until decoded
    panel.competition.publication = Competition.Publication.HIDDEN
    panel.competition.save()
    url = f"/api/v1/events/{panel.event.pk}/standings/"

    before = client_for().get(url)
    organiser = client_for(panel.organiser).get(url)
    Sheet.objects.filter(entry__event=panel.event).update(state=Sheet.State.PUBLISHED)
    after = client_for().get(url)

    assert (before.status_code, organiser.status_code, after.status_code) == (404, 200, 200)
    assert organiser.json()["version"] == 3


def test_standings_of_a_private_competition_are_404_to_the_public(panel):
    panel.competition.is_public = False
    panel.competition.save()

    response = client_for().get(f"/api/v1/events/{panel.event.pk}/standings/")

    assert response.status_code == 404


def test_event_award_rows_give_entries_ranks_and_awards(panel):
    rows = selectors.event_award_rows(event=panel.event)

    assert [(r["entry"], r["rank"], r["award"], r["total"]) for r in rows] == [
        (panel.entries[2], 1, 1, Decimal("54.83")),
        (panel.entries[0], 2, 2, Decimal("52.83")),
        (panel.entries[1], 3, 2, Decimal("45.67")),
    ]


def test_team_standings_sum_members_results(panel):
    team = TeamFactory(competition=panel.competition)
    for entry in panel.entries[:2]:
        entry.contestant.team = team
        entry.contestant.save()
    url = f"/api/v1/events/{panel.event.pk}/team-standings/"
    # Team totals add up the entries' totals, which the board shows by code: sealed until decoding.
    assert client_for().get(url).json()["code"] == "not_decoded"
    event_decode(event=panel.event, actor=panel.chief)

    response = client_for().get(url)

    assert response.json() == [
        {"team": team.pk, "name": team.name, "rank": 1, "award": 1, "total": "98.50", "status": "ok"}
    ]


def test_organisation_awards_use_the_points_table(panel):
    url = f"/api/v1/competitions/{panel.competition.pk}/organisation-awards/"
    assert client_for().get(url).json()["code"] == "not_decoded"
    event_decode(event=panel.event, actor=panel.chief)

    response = client_for().get(url)

    orgs = [e.contestant.organisation for e in panel.entries]
    assert [(r["organisation"], r["points"], r["rank"], r["awarded"]) for r in response.json()] == [
        (orgs[2].pk, 7, 1, True),
        (orgs[0].pk, 5, 2, True),
        (orgs[1].pk, 4, 3, True),
    ]


# --- progress and variance alerts ---------------------------------------------------------------------


def test_progress_lists_missing_marks_per_judge_and_entry():
    panel = judged_event_factory(entries=2, judges=2)
    services.marks_submit(
        judge=panel.judges[0],
        event=panel.event,
        marks=[MarkInput(entry=panel.entries[0].pk, criterion="look", value="10")],
        idempotency_key="one",
    )

    response = client_for(panel.chief).get(f"/api/v1/events/{panel.event.pk}/progress/")

    body = response.json()
    assert (body["expected"], body["missing"]) == (8, 7)
    assert [(j["judge"], j["missing"]) for j in body["by_judge"]] == [(panel.judges[0].pk, 3), (panel.judges[1].pk, 4)]
    assert [j["name"] for j in body["by_judge"]] == [judge.get_full_name() for judge in panel.judges]
    assert all(j["name"] != j["username"] for j in body["by_judge"])
    assert [(e["code"], e["missing"]) for e in body["by_entry"]] == [("A01", 3), ("A02", 4)]
    assert body["by_entry"][0]["cells"] == [
        {"criterion": "look", "attempt": 1, "judge": panel.judges[1].pk},
        {"criterion": "taste", "attempt": 1, "judge": panel.judges[0].pk},
        {"criterion": "taste", "attempt": 1, "judge": panel.judges[1].pk},
    ]


def test_progress_skips_cells_a_judge_must_recuse_from():
    panel = judged_event_factory(entries=2, judges=2)
    JudgeAssignment.objects.filter(user=panel.judges[1]).update(organisation=panel.entries[0].contestant.organisation)

    body = selectors.event_progress(event=panel.event)

    assert (body["expected"], [j["missing"] for j in body["by_judge"]]) == (6, [4, 2])


def test_progress_is_403_to_judges(panel):
    response = client_for(panel.judges[0]).get(f"/api/v1/events/{panel.event.pk}/progress/")

    assert (response.status_code, response.json()["code"]) == (403, "not_chief_judge")


def test_variance_alerts_flag_the_mark_far_from_the_panel(panel):
    response = client_for(panel.chief).get(f"/api/v1/events/{panel.event.pk}/variance-alerts/")

    # A02 taste: 30, 31.5, 30 → median 30, so 31.5 is 1.5 away; A03 look: 19.5, 19, 12 → 12 is 7 away.
    # Everything else is at most 1.00 from its panel's median, which is not more than the threshold.
    assert response.status_code == 200
    alerts = [
        (a["code"], a["criterion"], a["judge"], a["value"], a["panel_median"], a["deviation"]) for a in response.json()
    ]
    assert alerts == [
        ("A02", "taste", panel.judges[1].pk, "31.500", "30.000", "1.500"),
        ("A03", "look", panel.judges[2].pk, "12.000", "19.000", "7.000"),
    ]
    titles = {c.code: c.title for c in panel.criteria}
    assert [(a["criterion_title"], a["name"]) for a in response.json()] == [
        (titles["taste"], panel.judges[1].get_full_name() or panel.judges[1].username),
        (titles["look"], panel.judges[2].get_full_name() or panel.judges[2].username),
    ]


def test_variance_alerts_follow_the_configured_threshold(panel):
    panel.scheme.variance_threshold = Decimal("1.5")
    panel.scheme.save()
    looser = selectors.variance_alerts(event=panel.event)
    panel.scheme.variance_threshold = Decimal("0.5")
    panel.scheme.save()
    stricter = selectors.variance_alerts(event=panel.event)
    panel.scheme.variance_threshold = None
    panel.scheme.save()

    assert [(a["code"], a["criterion"]) for a in looser] == [("A03", "look")]
    j2, j3 = (judge.pk for judge in panel.judges[1:])
    assert sorted((a["code"], a["criterion"], a["judge"]) for a in stricter) == sorted(
        [
            ("A01", "look", j2),
            ("A01", "taste", j2),
            ("A01", "taste", j3),
            ("A02", "look", j2),
            ("A02", "taste", j2),
            ("A03", "look", j3),
            ("A03", "taste", j2),
            ("A03", "taste", j3),
        ]
    )
    assert selectors.variance_alerts(event=panel.event) == []


def test_variance_alerts_are_403_to_judges(panel):
    response = client_for(QuickUserFactory()).get(f"/api/v1/events/{panel.event.pk}/variance-alerts/")

    assert (response.status_code, response.json()["code"]) == (403, "not_chief_judge")


def test_standings_of_a_scheme_without_criteria_list_entries_unscored():
    panel = judged_event_factory(entries=2)
    panel.scheme.criteria.all().delete()

    result = selectors.event_standings(event=panel.event)

    assert [(row.entry_id, row.total, row.rank) for row in result.standings.rows] == [
        (panel.entries[0].pk, None, None),
        (panel.entries[1].pk, None, None),
    ]


def test_progress_recusal_counts_every_unit_the_judge_is_recorded_under():
    """The same rule as marks_submit: a unit on any of the judge's assignments in the competition."""
    panel = judged_event_factory(entries=2, judges=2)
    JudgeAssignment.objects.create(
        user=panel.judges[1],
        competition=panel.competition,
        role=JudgeAssignment.Role.CHIEF_JUDGE,
        organisation=panel.entries[0].contestant.organisation,
    )

    body = selectors.event_progress(event=panel.event)

    assert (body["expected"], [j["missing"] for j in body["by_judge"]]) == (6, [4, 2])


def test_progress_and_alerts_api_name_entries_by_code_only():
    panel = judged_event_factory(entries=2, judges=2)
    services.marks_submit(
        judge=panel.judges[0],
        event=panel.event,
        marks=[MarkInput(entry=panel.entries[0].pk, criterion="look", value="10")],
        idempotency_key="one",
    )
    chief = client_for(panel.chief)

    progress = chief.get(f"/api/v1/events/{panel.event.pk}/progress/").json()
    alerts = chief.get(f"/api/v1/events/{panel.event.pk}/variance-alerts/")

    assert [(row["code"], "entry" in row) for row in progress["by_entry"]] == [("A01", False), ("A02", False)]
    cells = progress["by_judge"][0]["cells"]
    assert [(cell["code"], cell["criterion"], "entry" in cell) for cell in cells] == [
        ("A01", "taste", False),
        ("A02", "look", False),
        ("A02", "taste", False),
    ]
    assert alerts.status_code == 200
