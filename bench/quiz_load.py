"""Quiz load: N concurrent participants against two real Daphne processes on PostgreSQL with the psycopg pool.

Each simulated participant does what the phone page does: GET the quiz page (CSRF cookie), sign in
(name, mobile, unit), start, then 20 answers, each after a think time, each one PUT of
``/answers/<position>/`` with a rising revision, then submit. The client is an asyncio HTTP/1.1
client of our own (keep-alive, one connection per participant, as a phone has), lighter than
Locust: 1,000 participants cost it well under one core, which matters on a 2-core machine where
the servers need the rest.

Set-up: a scratch database ``quiz_load_<pid>`` (dropped at the end) on ``BENCH_POSTGRES_URL``,
migrated, with a 200-question bank and a round of 20 questions per paper; two Daphne processes
with ``DATABASE_POOL_MAX`` connections each; participants split between them (the proxy's job in
production). ``QUIZ_RATE_PER_ADDRESS`` is lifted, since every simulated phone comes from 127.0.0.1.

Keys: ``participants``, ``attempts`` (submitted), ``answers`` (saves acknowledged),
``answer_p50_ms``/``answer_p99_ms``, ``submit_p99_ms``, ``errors`` (non-2xx or failed requests),
``lost_answers`` (acknowledged saves whose value the database does not hold after submit),
``server_cpu_s`` (user+system CPU of both Daphne processes during the run), plus ``writes_per_s``
and ``wall_s``. Options by environment: ``QUIZ_LOAD_PARTICIPANTS`` (1000), ``QUIZ_LOAD_THINK_S``
(mean think time, 4.5), ``QUIZ_LOAD_RAMP_S`` (30). Run under ``flock /tmp/bench.lock``.
"""

import asyncio
import io
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PARTICIPANTS = int(os.environ.get("QUIZ_LOAD_PARTICIPANTS", "1000"))
THINK_S = float(os.environ.get("QUIZ_LOAD_THINK_S", "4.5"))
RAMP_S = float(os.environ.get("QUIZ_LOAD_RAMP_S", "30"))
POOL = int(os.environ.get("QUIZ_LOAD_POOL", "20"))
PORTS = (8761, 8762)
QUESTIONS = 20
DAPHNE = Path(sys.executable).with_name("daphne")


class Http:
    """One keep-alive HTTP/1.1 connection with a cookie jar: what one phone holds."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.reader = self.writer = None

    async def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, bytes]:
        payload = json.dumps(body).encode() if body is not None else b""
        headers = [
            f"{method} {path} HTTP/1.1",
            f"Host: 127.0.0.1:{self.port}",
            "Accept: application/json",
            f"Content-Length: {len(payload)}",
        ]
        if body is not None:
            headers.append("Content-Type: application/json")
        if "csrftoken" in self.cookies:
            headers.append(f"X-CSRFToken: {self.cookies['csrftoken']}")
        if self.cookies:
            headers.append("Cookie: " + "; ".join(f"{key}={value}" for key, value in self.cookies.items()))
        for attempt in range(2):
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
            try:
                self.writer.write(("\r\n".join(headers) + "\r\n\r\n").encode() + payload)
                await self.writer.drain()
                return await self._response()
            except (ConnectionError, asyncio.IncompleteReadError):
                self.close()
                if attempt:
                    raise
        raise AssertionError("unreachable")

    async def _response(self) -> tuple[int, bytes]:
        status_line = await self.reader.readuntil(b"\r\n")
        status = int(status_line.split()[1])
        length, chunked, keep = None, False, True
        while True:
            line = (await self.reader.readuntil(b"\r\n")).decode("latin-1").strip()
            if not line:
                break
            name, _, value = line.partition(":")
            name, value = name.lower(), value.strip()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding" and "chunked" in value.lower():
                chunked = True
            elif name == "connection" and value.lower() == "close":
                keep = False
            elif name == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        if chunked:
            body = b""
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).strip(), 16)
                body += await self.reader.readexactly(size + 2)
                if size == 0:
                    break
            body = body[:-2]
        elif length is not None:
            body = await self.reader.readexactly(length)
        else:
            body = await self.reader.read()
            keep = False
        if not keep:
            self.close()
        return status, body

    def close(self):
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


class Stats:
    def __init__(self):
        self.answer_ms: list[float] = []
        self.submit_ms: list[float] = []
        self.errors = 0
        self.error_samples: list[str] = []
        self.acknowledged: dict[int, dict[str, str]] = {}  # attempt id → position → displayed value
        self.submitted = 0

    def error(self, what: str):
        self.errors += 1
        if len(self.error_samples) < 5:
            self.error_samples.append(what)


async def participant(number: int, round_id: int, unit_id: int, stats: Stats, rng: random.Random):
    await asyncio.sleep(rng.uniform(0, RAMP_S))
    http = Http(PORTS[number % len(PORTS)])
    try:
        status, _body = await http.request("GET", f"/quiz/{round_id}/")
        if status != 200:
            return stats.error(f"page {status}")
        sign_in = {"name": f"职工{number}", "mobile": f"139{number:08d}", "unit": unit_id}
        status, body = await http.request("POST", f"/api/v1/quiz/rounds/{round_id}/sign-in/", sign_in)
        if status != 200:
            return stats.error(f"sign-in {status} {body[:120]!r}")
        status, body = await http.request("POST", f"/api/v1/quiz/rounds/{round_id}/attempts/")
        if status != 201:
            return stats.error(f"start {status} {body[:120]!r}")
        attempt = json.loads(body)
        sent = stats.acknowledged.setdefault(attempt["id"], {})
        for position, question in enumerate(attempt["questions"]):
            await asyncio.sleep(rng.uniform(0.2, 2 * THINK_S - 0.2))
            value = "工会" if question["kind"] == "fill" else rng.choice("AB")
            started = time.perf_counter()
            status, body = await http.request(
                "PUT",
                f"/api/v1/quiz/attempts/{attempt['id']}/answers/{position}/",
                {"value": value, "rev": position + 1},
            )
            if status != 200:
                stats.error(f"answer {status} {body[:120]!r}")
                continue
            stats.answer_ms.append((time.perf_counter() - started) * 1000)
            sent[str(position)] = value
        started = time.perf_counter()
        status, body = await http.request("POST", f"/api/v1/quiz/attempts/{attempt['id']}/submit/")
        if status != 200:
            return stats.error(f"submit {status} {body[:120]!r}")
        stats.submit_ms.append((time.perf_counter() - started) * 1000)
        stats.submitted += 1
    except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
        stats.error(f"{type(exc).__name__}: {exc}")
    finally:
        http.close()


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _percentile(values: list[float], fraction: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * fraction))], 1)


def _seed():
    from django.utils import timezone

    from competitions.models import Competition, Organisation
    from quizzes.bank import stem_key
    from quizzes.models import Question, Round

    host = Organisation.objects.create(name="市总工会", kind="federation")
    unit = Organisation.objects.create(name="某区总工会", kind="district", parent=host)
    competition = Competition.objects.create(title="网上知识竞赛", slug="QUIZ", year=2026, host=host)
    kinds = ["single", "single", "true_false", "fill", "multiple"]
    Question.objects.bulk_create(
        Question(
            competition=competition,
            kind=kinds[n % 5],
            stem=f"第{n}题",
            stem_key=stem_key(f"第{n}题"),
            options=["甲", "乙", "丙", "丁"] if kinds[n % 5] in ("single", "multiple") else [],
            answer={"single": "A", "multiple": "AB", "true_false": "A", "fill": "工会"}[kinds[n % 5]],
        )
        for n in range(200)
    )
    now = timezone.now()
    round_ = Round.objects.create(
        competition=competition,
        title="第一轮",
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(hours=2),
        draw_rules=[{"count": QUESTIONS}],
        attempts_per_day=5,
        attempts_total=5,
        min_seconds_per_question=0,
    )
    return round_.pk, unit.pk


def _lost(stats: Stats) -> int:
    from quizzes import papers
    from quizzes.models import Attempt

    lost = 0
    kinds = {"s": "single", "m": "multiple", "t": "true_false", "f": "fill"}
    for attempt in Attempt.objects.filter(pk__in=list(stats.acknowledged)).iterator():
        for position, value in stats.acknowledged[attempt.pk].items():
            saved = attempt.answers.get(position)
            kind = kinds[attempt.kinds[int(position)]]
            if saved is None or saved[0] != papers.to_original(kind, value, attempt.option_orders[int(position)]):
                lost += 1
    return lost


def main() -> None:
    name = f"quiz_load_{os.getpid()}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    servers: list[subprocess.Popen] = []
    logs = Path(tempfile.mkdtemp(prefix=f"{name}-"))  # the two servers' stderr, kept for a failed run
    try:
        env = os.environ | {
            "DATABASE_URL": ADMIN_URL.rsplit("/", 1)[0] + "/" + name,
            "DATABASE_POOL_MAX": str(POOL),
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "0",
            "SECRET_KEY": "quiz-load-bench-" + "x" * 40,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "QUIZ_RATE_PER_ADDRESS": "1000000/min",
            "LOG_LEVEL": "WARNING",
        }
        env.pop("REDIS_URL", None)
        os.environ.update({key: env[key] for key in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")})
        os.environ.pop("REDIS_URL", None)
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connections

        call_command("migrate", verbosity=0, stdout=io.StringIO())
        round_id, unit_id = _seed()
        connections.close_all()
        for port in PORTS:
            servers.append(
                subprocess.Popen(
                    [str(DAPHNE), "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"],
                    cwd=ROOT,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=open(logs / f"daphne-{port}.log", "ab"),  # noqa: SIM115 - closed with the process
                )
            )
        _wait_for_ports()
        cpu_before = sum(_cpu_s(server.pid) for server in servers)
        stats = Stats()
        rng = random.Random(15)
        started = time.perf_counter()

        async def run():
            await asyncio.gather(
                *(
                    participant(number, round_id, unit_id, stats, random.Random(rng.random()))
                    for number in range(PARTICIPANTS)
                )
            )

        asyncio.run(run())
        wall = time.perf_counter() - started
        cpu = sum(_cpu_s(server.pid) for server in servers) - cpu_before
        figures = {
            "participants": PARTICIPANTS,
            "attempts": stats.submitted,
            "answers": len(stats.answer_ms),
            "answer_p50_ms": _percentile(stats.answer_ms, 0.50),
            "answer_p99_ms": _percentile(stats.answer_ms, 0.99),
            "submit_p99_ms": _percentile(stats.submit_ms, 0.99),
            "errors": stats.errors,
            "lost_answers": _lost(stats),
            "server_cpu_s": round(cpu, 1),
            "writes_per_s": round((len(stats.answer_ms) + 3 * stats.submitted) / wall, 1),
            "wall_s": round(wall, 1),
            "answer_mean_ms": round(statistics.fmean(stats.answer_ms), 1) if stats.answer_ms else None,
            "load_avg": round(os.getloadavg()[0], 1),
        }
        if stats.error_samples:
            figures["error_samples"] = stats.error_samples
        connections.close_all()
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print(json.dumps(figures, ensure_ascii=False))


def _wait_for_ports(timeout: float = 30) -> None:
    import socket

    deadline = time.monotonic() + timeout
    for port in PORTS:
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)


if __name__ == "__main__":
    main()
