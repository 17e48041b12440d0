"""Live fan-out benchmark: real Daphne on Redis, N real WebSocket spectators, M marks.

It:
- makes a throwaway SQLite database (migrate + one public event with a judge);
- starts a private redis-server and ``--processes`` Daphne processes on it;
- connects N spectators (``websockets`` clients, spread over ``--client-procs`` client
  processes and over the Daphne processes, as nginx would spread them);
- posts M marks through the REST API, one at a time, as a judge's tablet does;
- records, for every spectator and every mark, the time from the POST returning to
  the spectator receiving the frame with that version;
- does it twice in the same run: first with the process-local hub (the default path),
  then with the stock Channels path (``?fanout=stock``: every consumer in the group).

Prints one JSON line: spectators, marks, p50_ms, p99_ms, max_ms, lost, server_cpu_s
(hub pass, all Daphne processes), stock_p50_ms, stock_p99_ms, stock_max_ms, stock_lost,
ratio (stock p99 / hub p99), processes.

    .venv/bin/python bench/live_fanout.py --spectators 1000 --marks 20
"""

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import queue
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DAPHNE = Path(sys.executable).with_name("daphne")


def log(message: str) -> None:
    print(f"[live_fanout {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(check, timeout=30.0, what="server"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not come up")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------- fixtures


def setup_database(env: dict, entries: int) -> dict:
    """Migrate a fresh database and create a public event with ``entries`` entries and one judge."""
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    os.environ.update(env)
    import django

    django.setup()
    from decimal import Decimal

    from django.middleware.csrf import get_random_string
    from django.test import Client

    from tests.factories import judged_event_factory

    judged = judged_event_factory(
        entries=entries, judges=1, criteria=[{"code": "look", "title": "观感", "max_value": Decimal("100")}]
    )
    client = Client()
    client.force_login(judged.judges[0])
    csrf = get_random_string(32)
    return {
        "event": judged.event.pk,
        "entries": [entry.pk for entry in judged.entries],
        "cookie": f"sessionid={client.cookies['sessionid'].value}; csrftoken={csrf}",
        "csrf": csrf,
    }


def post_mark(base_url: str, fixture: dict, entry: int, value: str, key: str) -> None:
    body = json.dumps({"marks": [{"entry": entry, "criterion": "look", "value": value}]}).encode()
    request = urllib.request.Request(  # noqa: S310 - http://127.0.0.1 only
        f"{base_url}/api/v1/events/{fixture['event']}/marks/",
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "Cookie": fixture["cookie"],
            "X-CSRFToken": fixture["csrf"],
            "Origin": base_url,
            "Idempotency-Key": key,
        },
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        response.read()


# ---------------------------------------------------------------- spectators


def spectator_worker(urls, origin_by_url, count, ready, go, results, connect_concurrency):
    """A client process: open ``count`` sockets, then record when each frame version arrives."""
    from websockets.asyncio.client import connect

    async def main():
        received: list[dict[int, float]] = [{} for _ in range(count)]
        semaphore = asyncio.Semaphore(connect_concurrency)
        sockets = [None] * count

        async def open_one(index):
            url = urls[index % len(urls)]
            async with semaphore:
                error = None
                for attempt in range(10):
                    try:
                        sockets[index] = await connect(
                            url,
                            origin=origin_by_url[url],
                            proxy=None,
                            compression=None,
                            open_timeout=60,
                            ping_interval=None,
                            max_queue=None,
                        )
                        return
                    except Exception as exc:
                        error = exc
                        await asyncio.sleep(min(5.0, 0.2 * 2**attempt))
                raise RuntimeError(f"could not connect: {error!r}")

        async def listen(index):
            ws = sockets[index]
            try:
                async for text in ws:
                    now = time.monotonic()
                    frame = json.loads(text)
                    version = frame.get("version")
                    if version is not None and version not in received[index]:
                        received[index][version] = now
            except Exception:
                return

        await asyncio.gather(*(open_one(i) for i in range(count)))
        tasks = [asyncio.create_task(listen(i)) for i in range(count)]
        ready.put(count)
        await asyncio.to_thread(go.wait)
        for ws in sockets:
            await ws.close()
        for task in tasks:
            task.cancel()
        results.put(received)

    asyncio.run(main())


def run_pass(args, fixture, servers, *, stock: bool, first_version: int, marks: list):
    """Connect the spectators, post the marks, return (latencies_ms, from_send_ms, lost, cpu_s).

    ``latencies_ms`` run from the POST returning (negative: the frame beat the HTTP
    response, since the broadcast happens in the request, after commit);
    ``from_send_ms`` from the POST being sent (the whole path: save, recompute, fan-out).
    """
    query = "?fanout=stock" if stock else ""
    urls = [f"ws://127.0.0.1:{port}/ws/events/{fixture['event']}/{query}" for port, _ in servers]
    origin_by_url = {url: f"http://127.0.0.1:{port}" for url, (port, _) in zip(urls, servers, strict=True)}
    ctx = mp.get_context("fork")
    ready, results, go = ctx.Queue(), ctx.Queue(), ctx.Event()
    per_proc = [args.spectators // args.client_procs] * args.client_procs
    per_proc[0] += args.spectators - sum(per_proc)
    workers = []
    for index, count in enumerate(per_proc):
        # Spread each worker's sockets over the Daphne processes, starting at a different one.
        rotated = urls[index % len(urls) :] + urls[: index % len(urls)]
        worker = ctx.Process(
            target=spectator_worker,
            args=(rotated, origin_by_url, count, ready, go, results, args.connect_concurrency),
            daemon=True,
        )
        worker.start()
        workers.append(worker)
    for _ in workers:
        while True:
            try:
                ready.get(timeout=1)
                break
            except queue.Empty:
                if any(worker.exitcode not in (None, 0) for worker in workers):
                    raise RuntimeError("a spectator process failed") from None
    log(f"{'stock' if stock else 'hub'}: {args.spectators} spectators connected")
    time.sleep(args.settle)  # let the hub freeze GC after the connection burst
    cpu_before = sum(cpu_seconds(proc.pid) for _, proc in servers)
    base_url = f"http://127.0.0.1:{servers[0][0]}"
    posted_at, sent_at = {}, {}
    for offset, (entry, value) in enumerate(marks):
        sent_at[first_version + offset] = time.monotonic()
        post_mark(base_url, fixture, entry, value, f"bench-{stock}-{offset}")
        posted_at[first_version + offset] = time.monotonic()
        time.sleep(args.gap)
    time.sleep(args.drain)
    cpu = sum(cpu_seconds(proc.pid) for _, proc in servers) - cpu_before
    go.set()
    received = []
    for _ in workers:
        received.extend(results.get(timeout=120))
    for worker in workers:
        worker.join(timeout=30)
    latencies, from_send, lost = [], [], 0
    for version in posted_at:
        arrivals = [client[version] for client in received if version in client]
        if arrivals:
            log(
                f"v{version}: POST {1000 * (posted_at[version] - sent_at[version]):.0f} ms, first/last frame "
                f"{1000 * (min(arrivals) - sent_at[version]):.0f}/{1000 * (max(arrivals) - sent_at[version]):.0f} ms"
            )
    for client in received:
        for version, returned in posted_at.items():
            if version in client:
                latencies.append((client[version] - returned) * 1000)
                from_send.append((client[version] - sent_at[version]) * 1000)
            else:
                lost += 1
    return latencies, from_send, lost, cpu


def percentile(values, q):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summary(latencies):
    return {
        "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p99_ms": round(percentile(latencies, 0.99), 1) if latencies else None,
        "max_ms": round(max(latencies), 1) if latencies else None,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--spectators", type=int, default=100)
    parser.add_argument("--marks", type=int, default=10)
    parser.add_argument("--processes", type=int, default=1, help="Daphne processes")
    parser.add_argument("--client-procs", type=int, default=2, help="spectator client processes")
    parser.add_argument("--connect-concurrency", type=int, default=50)
    parser.add_argument("--gap", type=float, default=None, help="seconds between marks (default grows with N)")
    parser.add_argument("--settle", type=float, default=2.0)
    parser.add_argument("--drain", type=float, default=None)
    parser.add_argument("--skip-stock", action="store_true", help="measure the hub only")
    args = parser.parse_args()
    args.gap = args.gap if args.gap is not None else max(0.3, args.spectators / 2000)
    args.drain = args.drain if args.drain is not None else max(1.0, args.spectators / 1000)

    workdir = Path(tempfile.mkdtemp(prefix="live-fanout-"))
    redis_port = free_port()
    redis_server = shutil.which("redis-server")
    if redis_server is None:
        sys.exit("redis-server is required")
    redis_proc = subprocess.Popen(
        [redis_server, "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    servers = []
    try:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
            "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
            "DEBUG": "0",
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
        entries = max(args.marks * 2 + 1, 30)
        fixture = setup_database(env, entries)
        for _ in range(args.processes):
            port = free_port()
            proc = subprocess.Popen(
                [str(DAPHNE), "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=open(workdir / f"daphne-{port}.log", "wb"),  # noqa: SIM115 - lives as long as the server
            )
            servers.append((port, proc))
        for port, _ in servers:
            wait_until(lambda port=port: socket.create_connection(("127.0.0.1", port), timeout=1).close() or True)

        values = [f"{50 + (i * 37) % 50}.5" for i in range(args.marks * 2)]
        hub_marks = list(zip(fixture["entries"][: args.marks], values[: args.marks], strict=True))
        stock_marks = list(zip(fixture["entries"][args.marks : 2 * args.marks], values[args.marks :], strict=True))
        # Warm up every process (imports, DB connections, the board cache) outside the measurement.
        warm_entry = fixture["entries"][-1]
        post_mark(f"http://127.0.0.1:{servers[0][0]}", fixture, warm_entry, "1", "bench-warm-up")
        for port, _ in servers:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/live/events/{fixture['event']}/standings.json").read()
        latencies, from_send, lost, cpu = run_pass(
            args, fixture, servers, stock=False, first_version=2, marks=hub_marks
        )
        result = {
            "spectators": args.spectators,
            "marks": args.marks,
            **summary(latencies),
            "lost": lost,
            "server_cpu_s": round(cpu, 2),
            "processes": args.processes,
            "p99_from_send_ms": summary(from_send)["p99_ms"],
        }
        if not args.skip_stock:
            stock, stock_from_send, stock_lost, stock_cpu = run_pass(
                args, fixture, servers, stock=True, first_version=args.marks + 2, marks=stock_marks
            )
            stock_summary = summary(stock)
            result.update({f"stock_{key}": value for key, value in stock_summary.items()})
            result.update(
                stock_lost=stock_lost,
                stock_server_cpu_s=round(stock_cpu, 2),
                stock_p99_from_send_ms=summary(stock_from_send)["p99_ms"],
            )
            # The ratio compares the whole path (from the POST being sent), which is never negative.
            hub_p99 = result["p99_from_send_ms"]
            stock_p99 = result["stock_p99_from_send_ms"]
            result["ratio"] = round(stock_p99 / hub_p99, 2) if hub_p99 and stock_p99 else None
        print(json.dumps(result))
    finally:
        for _, proc in servers:
            proc.terminate()
        for _, proc in servers:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        redis_proc.terminate()
        redis_proc.wait(timeout=10)
        if os.environ.get("BENCH_KEEP"):
            log(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
