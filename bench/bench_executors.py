"""`diff` throughput by executor: --jobs 1, local --jobs N, and --executor ray with N actors, on Pong
and the Showdown self-check; and Ray's overhead per shard.

    python bench/bench_executors.py [--cases pong,showdown-self] [--episodes 16] [--jobs 2]
                                    [--actors 1,2,4] [--shards 40] [--json PATH]

Each row runs the rollout tier in this process through `session.run_diff` (no shrinking, no corpus)
from a fixed master seed and reports episodes per second over the whole tier, start-up included
(spawning workers, each building and compiling its own adapters), plus the verdict and the
divergence count, which must agree across executors. The Ray runtime is local (num_cpus = the
most actors asked for); its start is timed once, apart. The overhead row runs `--shards` trivial
tasks on the actors and divides the wall time by the shards: the round trip a shard pays.
`--actors` lists the actor counts for the scaling rows (more actors than cores share the cores:
the row shows the cost of that, not the speed of a bigger cluster).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PAIRS = {"pong": ("pong-c", "pong-jax"), "showdown-self": ("showdown", "showdown-shadow")}


@dataclass
class Row:
    """One measured configuration."""

    case: str
    executor: str
    workers: int
    episodes: int
    seconds: float
    episodes_per_s: float
    status: str
    divergences: int


def _trivial(x: int) -> int:
    return x


def run_diff_row(case: str, executor: str, workers: int, episodes: int, seed: int) -> Row:
    """One rollout run of the case's pair; the executor and workers as given."""
    from equivcheck import registry
    from equivcheck.context import RunConfig
    from equivcheck.session import build_context, run_diff

    ref, cand = PAIRS[case]
    cfg = RunConfig(tiers=("rollout",), episodes=episodes, master_seed=seed, jobs=workers, executor=executor,
                    shrink=False, save_corpus=False)
    ctx = build_context(registry.get_case(case), ref, cand, cfg)
    start = time.perf_counter()
    report = run_diff(ctx)
    seconds = time.perf_counter() - start
    done = report.tiers[0].episodes if report.tiers else 0
    return Row(case, executor, workers, done, round(seconds, 2), round(done / seconds, 3), report.status,
               len(report.divergences))


def shard_overhead(actors: int, shards: int) -> float:
    """Seconds per shard of a trivial task on `actors` warm Ray actors (the round trip alone)."""
    from equivcheck.executors.ray import RayExecutor

    RayExecutor(actors).run(_trivial, range(actors), lambda r: None)
    start = time.perf_counter()
    RayExecutor(actors).run(_trivial, range(shards), lambda r: None)
    return (time.perf_counter() - start) / shards


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="pong,showdown-self")
    parser.add_argument("--episodes", type=int, default=16)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--actors", default="1,2")
    parser.add_argument("--shards", type=int, default=40)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    actors = [int(a) for a in args.actors.split(",")]
    print(f"{platform.node()}: {os.cpu_count()} cores, python {platform.python_version()}", flush=True)

    from equivcheck.executors.ray import connect

    start = time.perf_counter()
    connect(None, max([args.jobs, *actors]))
    ray_start = time.perf_counter() - start
    print(f"local Ray runtime started in {ray_start:.1f} s", flush=True)

    rows: list[Row] = []
    for case in args.cases.split(","):
        plan = [("local", 1), ("local", args.jobs)] + [("ray", n) for n in actors]
        for executor, workers in plan:
            row = run_diff_row(case, executor, workers, args.episodes, args.seed)
            rows.append(row)
            print(f"{row.case:14} {row.executor:6} x{row.workers}: {row.episodes} episodes in {row.seconds:7.2f} s"
                  f" = {row.episodes_per_s:7.3f} ep/s  {row.status} ({row.divergences} divergences)", flush=True)
    overhead = {n: shard_overhead(n, args.shards) for n in actors}
    for n, secs in overhead.items():
        print(f"ray overhead per shard with {n} actors: {secs * 1000:.1f} ms", flush=True)
    if args.json:
        args.json.write_text(json.dumps({"ray_start_s": ray_start, "rows": [asdict(r) for r in rows],
                                         "shard_overhead_s": overhead}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
