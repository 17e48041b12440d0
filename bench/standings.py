"""Benchmark the pure scoring engine on a synthetic event.

Builds ENTRIES entries × CRITERIA criteria × JUDGES judges (panels that drop
the high and the low mark and average the rest, as in Chinese practice), then
times

- ``full_ms``: one ``compute_standings`` over every mark, handed over grouped
  (a ``MarkSet``), as ``scoring.selectors.event_standings`` does: it groups
  the rows while it reads them from the database;
- ``full_from_list_ms``: the same recompute from a flat list of marks
  (``compute_standings`` groups them first), and ``group_ms``, the grouping
  alone (``group_marks``);
- ``partial_ms``: the grouped recompute of the same event part-way through
  marking (``--missing`` percent of the marks left out, 1 by default: cells
  of several sizes, what the live board recomputes mid-event);

Prints one JSON line with the medians over ``--repeat`` runs: wall time
(``full_ms``) and CPU time of this process
(``full_cpu_ms``, from ``time.process_time``). On a
shared machine wall time includes waiting for a core; to compare runs made
under different load, ``calibration_ms`` is the median CPU time of a plain
1,000,000-iteration ``for`` loop in a function, and ``load_avg`` the
1-minute load average at the start.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scoring.aggregation import Criterion, MarkValue
from scoring.standings import EntryInfo, Policy, Scheme, compute_standings, group_marks


def build_event(entries: int, criteria: int, judges: int, seed: int = 2024):
    rng = random.Random(seed)
    trim = 1 if judges >= 3 else 0
    scheme_criteria = [
        Criterion(
            f"c{index}",
            f"criterion {index}",
            "judgement",
            Decimal(20),
            step=Decimal("0.5"),
            aggregation="trimmed_mean" if trim else "mean",
            trim=trim,
            panel_size=judges,
        )
        for index in range(criteria)
    ]
    scheme = Scheme(tuple(scheme_criteria))
    infos = [EntryInfo(entry_id, organisation_id=entry_id % 40) for entry_id in range(1, entries + 1)]
    marks = []
    # One Decimal per distinct value, as scoring.selectors.event_standings hands them over
    # (it converts each distinct database value once).
    values: dict[int, Decimal] = {}
    for info in infos:
        for criterion in scheme_criteria:
            for judge in range(judges):
                half_points = rng.randint(20, 40)
                value = values.get(half_points)
                if value is None:
                    value = values[half_points] = Decimal(half_points) / 2
                marks.append(MarkValue(info.entry_id, criterion.code, judge, 1, value))
    return scheme, infos, marks


def median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 2)


def calibration_loop() -> None:
    for _ in range(1_000_000):
        pass


def timed(function, wall: list[float], cpu: list[float]):
    started_cpu = time.process_time()
    started = time.perf_counter()
    result = function()
    wall.append(time.perf_counter() - started)
    cpu.append(time.process_time() - started_cpu)
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--criteria", type=int, default=10)
    parser.add_argument("--judges", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--missing", type=float, default=1.0, help="percent of marks left out for partial_ms")
    args = parser.parse_args(argv)

    load_avg = os.getloadavg()[0]
    scheme, infos, marks = build_event(args.entries, args.criteria, args.judges)
    policy = Policy(award_mode="percent")

    calibration, calibration_cpu = [], []
    full, full_cpu = [], []
    from_list, from_list_cpu = [], []
    grouping, grouping_cpu = [], []
    partial, partial_cpu = [], []
    keep = random.Random(11)
    some_marks = group_marks(scheme, [mark for mark in marks if keep.random() * 100 >= args.missing])
    for _ in range(args.repeat):
        # Interleaved, so a change of load hits the calibration and the recompute alike.
        timed(calibration_loop, calibration, calibration_cpu)
        grouped = timed(lambda: group_marks(scheme, marks), grouping, grouping_cpu)
        standings = timed(lambda grouped=grouped: compute_standings(scheme, infos, grouped, policy), full, full_cpu)
        if timed(lambda: compute_standings(scheme, infos, marks, policy), from_list, from_list_cpu) != standings:
            raise SystemExit("the recompute from a flat list differs from the grouped one")
        timed(lambda: compute_standings(scheme, infos, some_marks, policy), partial, partial_cpu)

    print(
        json.dumps(
            {
                "entries": args.entries,
                "marks": len(marks),
                "full_ms": median_ms(full),
                "full_from_list_ms": median_ms(from_list),
                "group_ms": median_ms(grouping),
                "partial_ms": median_ms(partial),
                "full_cpu_ms": median_ms(full_cpu),
                "full_from_list_cpu_ms": median_ms(from_list_cpu),
                "calibration_ms": median_ms(calibration_cpu),
                "load_avg": round(load_avg, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
