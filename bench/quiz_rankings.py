"""Quiz rankings at city scale: 400,000 finished attempts in PostgreSQL, and how fast the organiser's reads are.

Builds a scratch database (``quiz_rankings_<pid>``, dropped at the end) on the PostgreSQL at
``BENCH_POSTGRES_URL`` (default ``postgres://postgres@127.0.0.1:5432/postgres``), migrates it,
and COPYs in one round: 84 units (12 districts × 6 enterprises under a federation),
150,000 participants, 400,000 finished attempts of 20 questions (answers packed as JSON, as
the product stores them) and the per-participant ``Result`` aggregate the submit keeps. Then
it times the product's own selectors, warm, median of 7 runs:

- ``individual_rank_ms``: the top 50 of the individual ranking (``selectors.ranking``);
- ``unit_participation_ms``: participation and average score of every unit, rolled up the tree;
- ``my_rank_ms``: one participant's rank (``selectors.my_rank``), for a mid-table participant.

Prints one JSON line. Run under ``flock /tmp/bench.lock`` on a shared machine.
"""

import io
import json
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
ATTEMPTS = int(os.environ.get("QUIZ_BENCH_ATTEMPTS", "400000"))
PARTICIPANTS = ATTEMPTS * 3 // 8
RUNS = 7


def _scratch_url(name: str) -> str:
    return ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def _copy(cursor, table: str, columns: list[str], rows) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _build(rng: random.Random):
    from django.db import connection
    from django.utils import timezone

    from competitions.models import Competition, Organisation
    from quizzes.models import Question, Round, UnitHeadcount

    federation = Organisation.objects.create(name="市总工会", kind="federation")
    units = []
    for district in range(12):
        parent = Organisation.objects.create(name=f"第{district + 1}区总工会", kind="district", parent=federation)
        units.append(parent)
        units += [
            Organisation.objects.create(name=f"第{district + 1}区第{number + 1}企业", parent=parent)
            for number in range(6)
        ]
    UnitHeadcount.objects.bulk_create(
        UnitHeadcount(organisation=unit, headcount=rng.randrange(500, 20000)) for unit in units
    )
    competition = Competition.objects.create(title="网上知识竞赛", slug="QUIZ", year=2026, host=federation)
    Question.objects.bulk_create(
        Question(
            competition=competition,
            kind="single",
            stem=f"题{n}",
            stem_key=f"{n:064d}",
            options=["甲", "乙", "丙", "丁"],
            answer="A",
        )
        for n in range(300)
    )
    question_ids = list(Question.objects.values_list("id", flat=True))
    now = timezone.now()
    round_ = Round.objects.create(
        competition=competition,
        title="第一轮",
        opens_at=now - timedelta(days=10),
        closes_at=now,
        draw_rules=[{"count": 20}],
    )
    unit_ids = [unit.pk for unit in units]
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor  # psycopg's own cursor, for COPY
        first_participant = 1
        participant_units = [rng.choice(unit_ids) for _ in range(PARTICIPANTS)]
        _copy(
            cursor,
            "quizzes_participant",
            ["id", "competition_id", "name", "mobile", "unit_id", "provider", "subject", "created_at"],
            (
                (first_participant + n, competition.pk, f"职工{n}", f"1{n:010d}", participant_units[n], "", "", now)
                for n in range(PARTICIPANTS)
            ),
        )
        best: dict[int, tuple] = {}
        counts: dict[int, int] = {}

        def attempts():
            for n in range(ATTEMPTS):
                participant = first_participant + (n if n < PARTICIPANTS else rng.randrange(PARTICIPANTS))
                counts[participant] = counts.get(participant, 0) + 1
                started = now - timedelta(seconds=rng.randrange(10 * 86400))
                duration = rng.randrange(120_000, 600_000)
                correct = min(20, int(rng.betavariate(5, 2) * 21))
                paper = rng.sample(question_ids, 20)
                answers = {str(position): ["A" if position < correct else "B", 1] for position in range(20)}
                key = (correct * 5, -duration)
                if participant not in best or key > best[participant][0]:
                    best[participant] = (key, n + 1)
                yield (
                    n + 1,
                    round_.pk,
                    participant,
                    counts[participant],
                    started.date(),
                    rng.getrandbits(62),
                    json.dumps(paper),
                    json.dumps([[0, 1, 2, 3]] * 20),
                    "s" * 20,
                    json.dumps(answers),
                    "submitted",
                    started,
                    started + timedelta(minutes=10),
                    started + timedelta(milliseconds=duration),
                    duration,
                    correct * 5,
                    100,
                    correct,
                    False,
                )

        _copy(
            cursor,
            "quizzes_attempt",
            [
                "id",
                "round_id",
                "participant_id",
                "number",
                "day",
                "seed",
                "question_ids",
                "option_orders",
                "kinds",
                "answers",
                "status",
                "started_at",
                "deadline",
                "finished_at",
                "duration_ms",
                "score",
                "max_score",
                "correct",
                "flagged",
            ],
            attempts(),
        )
        _copy(
            cursor,
            "quizzes_result",
            [
                "round_id",
                "participant_id",
                "unit_id",
                "attempt_id",
                "ranked",
                "score",
                "duration_ms",
                "attempts",
                "updated_at",
            ],
            (
                (
                    round_.pk,
                    participant,
                    participant_units[participant - first_participant],
                    attempt_id,
                    True,
                    key[0],
                    -key[1],
                    counts[participant],
                    now,
                )
                for participant, (key, attempt_id) in best.items()
            ),
        )
        for table in ("quizzes_participant", "quizzes_attempt"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")  # noqa: S608 - two constant table names
        cursor.execute("ANALYZE")
    return round_


def _median_ms(function) -> float:
    function()  # warm
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(samples), 1)


def main() -> None:
    name = f"quiz_rankings_{os.getpid()}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        os.environ["DATABASE_URL"] = _scratch_url(name)
        os.environ.pop("REDIS_URL", None)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        import django

        django.setup()
        from django.core.management import call_command

        from quizzes import selectors
        from quizzes.models import Result

        call_command("migrate", verbosity=0, stdout=io.StringIO())
        started = time.perf_counter()
        round_ = _build(random.Random(15))
        build_s = time.perf_counter() - started
        middle = (
            Result.objects.filter(round=round_)
            .order_by("-score", "duration_ms")
            .values_list("participant_id", flat=True)[Result.objects.filter(round=round_).count() // 2]
        )
        figures = {
            "attempts": round_.attempts.count(),
            "participants": Result.objects.filter(round=round_).count(),
            "individual_rank_ms": _median_ms(lambda: selectors.ranking(round_, limit=50)),
            "unit_participation_ms": _median_ms(lambda: selectors.unit_participation(round_)),
            "my_rank_ms": _median_ms(lambda: selectors.my_rank(round_, middle)),
            "build_s": round(build_s, 1),
        }
        from django.db import connections

        connections.close_all()
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
