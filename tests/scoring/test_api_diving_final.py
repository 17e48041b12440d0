"""A real published diving result, reproduced to the cent through the REST API as a client would.

Sydney 2000 Olympic Games, men's 3 m springboard, 26 September 2000 (semifinal + final,
11 dives per diver): Xiong Ni 708.72, Fernando Platas 708.42, Dmitri Saoutine 703.20.
Judge-by-judge marks and degrees of difficulty come from Emerson, Seltzer and Lin,
"Assessing Judging Bias: An Example From the 2000 Olympic Games", The American
Statistician 63(2), 2009 (``Diving2000.csv``); the official totals from the Los Angeles
Times and china.org.cn, 27 September 2000 (see ``test_engine_real_panel.py``, whose data
this test reuses).

The 2000 rule: seven judges, drop the single highest and lowest, sum the middle five,
× the dive's degree of difficulty, × 0.6. Here that is a criterion with
``trimmed_sum``/``trim=1``, ``panel_size=7`` and ``weight=0.6``, and each diver's own
degrees of difficulty declared per dive through ``/declared-attempts/``. Today's rule
(drop 2 + 2, sum the middle 3, × DD, no 0.6) is the same path with ``trim=2`` and
weight 1: ``test_todays_rule_drop_two_and_two`` checks it on the worked example
published by KSHB ("Diving 101: Scoring", 10 March 2021): 7.5 8.0 7.0 7.5 8.5 7.0 8.0
on a 307C of DD 3.5 → (7.5 + 7.5 + 8.0) × 3.5 = 80.50.

Only the roster (event, entries, judges) comes from factories; the scheme, the dive
lists and every judge's marks go through the API, and the totals come back from the
standings endpoint.
"""

import pytest

from tests.factories import judged_event_factory
from tests.helpers import client_for
from tests.scoring.test_engine_real_panel import DIVES

pytestmark = pytest.mark.django_db

OFFICIAL = {
    "XIONG Ni (CHN)": "708.72",
    "PLATAS Fernando (MEX)": "708.42",
    "SAOUTINE Dmitri (RUS)": "703.20",
}


def diving_event(*, divers: int, dives: int, trim: int, weight: str):
    """An event with seven judges and a scheme with one ``dives`` criterion, made through the API."""
    judged = judged_event_factory(entries=divers, judges=7, criteria=[])
    organiser = client_for(judged.organiser)
    assert organiser.delete(f"/api/v1/schemes/{judged.scheme.pk}/").status_code == 204
    scheme = {
        "event": judged.event.pk,
        "decimals": 2,
        "criteria": [
            {
                "code": "dives",
                "title": "跳水",
                "kind": "judgement",
                "min_value": "0",
                "max_value": "10",
                "step": "0.5",
                "aggregation": "trimmed_sum",
                "trim": trim,
                "panel_size": 7,
                "attempts": dives,
                "weight": weight,
            }
        ],
    }
    response = organiser.post("/api/v1/schemes/", scheme, format="json")
    assert response.status_code == 201, response.json()
    return judged


def test_sydney_2000_mens_3m_springboard_totals_to_the_cent():
    judged = diving_event(divers=3, dives=11, trim=1, weight="0.6")
    event = judged.event
    entry_of = dict(zip(DIVES, judged.entries, strict=True))

    dive_lists = [
        {"entry": entry_of[diver].pk, "criterion": "dives", "attempt": n, "label": f"第{n}跳", "difficulty": dd}
        for diver, dives in DIVES.items()
        for n, (dd, _panel) in enumerate(dives, start=1)
    ]
    response = client_for(judged.organiser).post(
        f"/api/v1/events/{event.pk}/declared-attempts/", {"attempts": dive_lists}, format="json"
    )
    assert response.status_code == 200, response.json()

    for j, judge in enumerate(judged.judges):
        marks = [
            {"entry": entry_of[diver].code, "criterion": "dives", "attempt": n, "value": panel.split()[j]}
            for diver, dives in DIVES.items()
            for n, (_dd, panel) in enumerate(dives, start=1)
        ]
        response = client_for(judge).post(
            f"/api/v1/events/{event.pk}/marks/", {"marks": marks}, format="json", headers={"Idempotency-Key": f"J{j}"}
        )
        assert response.status_code == 200, response.json()

    body = client_for(judged.organiser).get(f"/api/v1/events/{event.pk}/standings/").json()
    diver_of = {entry.pk: diver for diver, entry in entry_of.items()}
    assert [(diver_of[r["entry"]], r["total"], r["rank"], r["complete"]) for r in body["rows"]] == [
        ("XIONG Ni (CHN)", OFFICIAL["XIONG Ni (CHN)"], 1, True),
        ("PLATAS Fernando (MEX)", OFFICIAL["PLATAS Fernando (MEX)"], 2, True),
        ("SAOUTINE Dmitri (RUS)", OFFICIAL["SAOUTINE Dmitri (RUS)"], 3, True),
    ]
    assert body["complete"] is True

    # The dive lists are frozen now that marking has started.
    late = client_for(judged.organiser).post(
        f"/api/v1/events/{event.pk}/declared-attempts/", {"attempts": dive_lists[:1]}, format="json"
    )
    assert (late.status_code, late.json()["code"]) == (409, "declared_attempts_frozen")


def test_todays_rule_drop_two_and_two():
    judged = diving_event(divers=1, dives=1, trim=2, weight="1")
    event, entry = judged.event, judged.entries[0]
    declared = {"entry": entry.pk, "criterion": "dives", "attempt": 1, "label": "307C", "difficulty": "3.5"}
    organiser = client_for(judged.organiser)
    assert (
        organiser.post(
            f"/api/v1/events/{event.pk}/declared-attempts/", {"attempts": [declared]}, format="json"
        ).status_code
        == 200
    )
    panel = ["7.5", "8.0", "7.0", "7.5", "8.5", "7.0", "8.0"]
    for j, (judge, value) in enumerate(zip(judged.judges, panel, strict=True)):
        mark = {"entry": entry.code, "criterion": "dives", "value": value}
        response = client_for(judge).post(
            f"/api/v1/events/{event.pk}/marks/", {"marks": [mark]}, format="json", headers={"Idempotency-Key": f"k{j}"}
        )
        assert response.status_code == 200
        standings = organiser.get(f"/api/v1/events/{event.pk}/standings/").json()["rows"][0]
        # Provisional until the seventh mark is in.
        assert standings["complete"] is (j == 6)
    assert standings["total"] == "80.50"
