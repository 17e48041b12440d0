"""A real seven-judge panel, checked to the cent against the official results.

Sydney 2000 Olympic Games, men's 3 m springboard, 26 September 2000: the
medallists' semifinal (5 dives) and final (6 dives). The final standing was
semifinal + final, and Xiong Ni beat Fernando Platas by 0.30 points.

- Judge-by-judge marks and degrees of difficulty: the data set of Emerson,
  Seltzer and Lin, "Assessing Judging Bias: An Example From the 2000 Olympic
  Games", The American Statistician 63(2), 2009 (``Diving2000.csv``, rows
  ``M3mSB`` / ``Semi`` and ``Final``).
- Official figures: totals 708.72 (Xiong Ni), 708.42 (Platas) and 703.20
  (Saoutine); Xiong's last dive 81.60 "from 7.5s up to one 9.0"; Saoutine's
  last dive 65.10. Reported by the Los Angeles Times ("China Finds Some Relief
  in Victory", 27 Sep 2000) and china.org.cn / 21dnn.com ("Xiong Ni Wins
  Men's 3m Springboard Gold", 27 Sep 2000).

The 2000 rule differs from today's: seven judges, drop the single highest and
lowest, *sum* the middle five, × degree of difficulty × 0.6. In the engine that
is ``trimmed_sum`` with ``trim=1`` and a per-dive multiplier of DD × 0.6
declared by each diver (``EntryInfo.attempt_multipliers``).
"""

from decimal import Decimal as D

import pytest

from scoring.aggregation import Criterion, MarkValue, criterion_result
from scoring.standings import EntryInfo, Policy, Scheme, compute_standings
from tests.scoring.incremental import IncrementalStandings

pytestmark = []

SIXTY_PERCENT = D("0.6")

# diver -> [(DD, seven judges' marks)], semifinal dives 1-5 then final dives 1-6
DIVES = {
    "XIONG Ni (CHN)": [
        ("1.6", "8 8.5 7.5 7.5 8 7.5 8"),
        ("2.1", "8 8 7 8.5 8 7.5 7"),
        ("1.8", "8.5 8.5 8 9 8 8.5 8.5"),
        ("1.9", "8.5 8 8 8 8.5 8 8"),
        ("2.1", "8.5 8 8.5 8.5 9 8 8.5"),
        ("3.1", "8 9 8.5 8.5 8.5 8.5 8.5"),
        ("3.0", "8.5 8 8 9 8 8 8"),
        ("3.0", "9 9 9 9 9.5 9 9"),
        ("3.4", "8 8 8 8.5 8 8 8"),
        ("3.3", "8.5 8 8 9 8.5 8.5 8"),
        ("3.4", "7.5 8.5 8 9 8 8 7.5"),
    ],
    "PLATAS Fernando (MEX)": [
        ("1.6", "9 8 8 9 9 8.5 8.5"),
        ("1.8", "8 7.5 8 8 8 7.5 8"),
        ("1.9", "8 7.5 7 7.5 7 8 8"),
        ("2.1", "8.5 8 8 8 8.5 8 8"),
        ("2.1", "9 9.5 8.5 8.5 9 8.5 9.5"),
        ("3.1", "8.5 9 8.5 9 9 9 9"),
        ("3.0", "8.5 8 8.5 8.5 8 8 8.5"),
        ("3.0", "9.5 8.5 9 9 9 8 8.5"),
        ("3.0", "9 8.5 8.5 8.5 8 8 8"),
        ("3.1", "9 8.5 8 9 7.5 8.5 8.5"),
        ("3.4", "8.5 8 8.5 8 7.5 8.5 8"),
    ],
    "SAOUTINE Dmitri (RUS)": [
        ("1.6", "9 8.5 8.5 8.5 8.5 8.5 8.5"),
        ("1.8", "9 9 8.5 8.5 9 8.5 8"),
        ("1.9", "8 8.5 8 9 9 8 8.5"),
        ("2.1", "8 8 8 9 9 8 8.5"),
        ("2.1", "8 8 8.5 9 8.5 8 8.5"),
        ("3.1", "8.5 9 9.5 9.5 9 8.5 9.5"),
        ("3.3", "9 9.5 9 9 8.5 9 8.5"),
        ("3.0", "7 7.5 7.5 8.5 7.5 7.5 7"),
        ("3.0", "8.5 9 9.5 9.5 8.5 9 9"),
        ("3.4", "7 7 7.5 8.5 8 7.5 8"),
        ("3.5", "6 6.5 6 6 6.5 5.5 6.5"),
    ],
}

DIVES_CRITERION = Criterion(
    "dives",
    "跳水",
    "judgement",
    D(10),
    step=D("0.5"),
    aggregation="trimmed_sum",
    trim=1,
    attempts=11,
    panel_size=7,
)
SCHEME = Scheme((DIVES_CRITERION,))


def entries():
    return [
        EntryInfo(diver, attempt_multipliers={"dives": tuple(D(dd) * SIXTY_PERCENT for dd, _ in dives)})
        for diver, dives in DIVES.items()
    ]


def marks():
    return [
        MarkValue(diver, "dives", f"J{judge}", attempt, D(mark))
        for diver, dives in DIVES.items()
        for attempt, (_, panel) in enumerate(dives, start=1)
        for judge, mark in enumerate(panel.split(), start=1)
    ]


@pytest.mark.parametrize(
    ("diver", "official"),
    [
        # 7.5 8.5 8 9 8 8 7.5: drop 9 and one 7.5 -> 40 x 3.4 x 0.6 = 81.60
        ("XIONG Ni (CHN)", D("81.60")),
        # 6 6.5 6 6 6.5 5.5 6.5: drop 6.5 and 5.5 -> 31 x 3.5 x 0.6 = 65.10
        ("SAOUTINE Dmitri (RUS)", D("65.10")),
    ],
)
def test_real_panel_last_dive_matches_the_official_score(diver, official):
    declared = next(e for e in entries() if e.entry_id == diver).attempt_multipliers["dives"]
    result = criterion_result(DIVES_CRITERION, [m for m in marks() if m.entry_id == diver], declared)
    assert result.attempt_scores[10] == official


def test_real_panel_official_totals_to_the_cent():
    medals = Policy(award_counts=(1, 1, 1))
    standings = compute_standings(SCHEME, entries(), marks(), medals)
    assert [(row.entry_id, row.total, row.rank, row.award, row.complete) for row in standings.rows] == [
        ("XIONG Ni (CHN)", D("708.72"), 1, 1, True),
        ("PLATAS Fernando (MEX)", D("708.42"), 2, 2, True),
        ("SAOUTINE Dmitri (RUS)", D("703.20"), 3, 3, True),
    ]
    assert standings.row("XIONG Ni (CHN)").total - standings.row("PLATAS Fernando (MEX)").total == D("0.30")


def test_real_panel_live_board_reaches_the_same_result_dive_by_dive():
    live = IncrementalStandings(SCHEME, entries(), Policy())
    for mark in marks():
        live.apply(mark)
    assert live.standings() == compute_standings(SCHEME, entries(), marks(), Policy())


def test_real_panel_before_the_last_dive_xiong_needed_81_30():
    # The LA Times: "With one dive to go ... Xiong needed to score 81.30 points to beat ... Platas".
    before_last = [m for m in marks() if not (m.entry_id == "XIONG Ni (CHN)" and m.attempt == 11)]
    standings = compute_standings(SCHEME, entries(), before_last, Policy())
    xiong = standings.row("XIONG Ni (CHN)")
    assert xiong.complete is False
    assert standings.row("PLATAS Fernando (MEX)").total - xiong.total == D("81.30")
