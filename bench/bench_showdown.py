"""Showdown throughput: battles and turns per second through the adapter vs inside Node alone.

Both sides play the same battles (seeds from adapters.showdown.derive_seeds) with the same
deterministic policy (driver.js policyPick, ported below), and must agree on every battle's turn
count and final PRNG state: the proof that both did the same work. Each job is pinned to one core.

    python bench/bench_showdown.py --battles 100 --batch 50 --jobs 1
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adapters.showdown import Showdown, derive_seeds, ensure_installed
from adapters.showdown.node import HERE, node_runtime

M32 = 0xFFFFFFFF


def policy_pick(seed: int, step: int, player: int, legal: np.ndarray) -> int:
    """driver.js policyPick: a fixed hash of (seed, step, player) picks one legal action."""
    if legal.size == 0:
        return 0
    h = (((seed ^ 0x9E3779B9) & M32) * 0x85EBCA6B) & M32
    h = (h + step * 0xC2B2AE35) & M32
    h = (h + (player + 1) * 0x27D4EB2F) & M32
    h ^= h >> 15
    h = (h * 0x2C1B3C6D) & M32
    h ^= h >> 12
    return int(legal[h % legal.size])


def specs(seeds: list[int], fmt: str) -> list[dict]:
    """The driver's battle specs for `seeds` (policy seed = the battle's integer seed)."""
    out = []
    for seed in seeds:
        s = derive_seeds(seed)
        out.append({"format": fmt, "seed": s["battle"], "p1seed": s["p1"], "p2seed": s["p2"], "policy_seed": seed})
    return out


def pin(core: int | None) -> None:
    """Pin this process (and the Node processes it starts) to one core."""
    if core is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {core})


def warmup_seeds(n: int) -> list[int]:
    """Seeds of the untimed warm-up battles (disjoint from the measured ones)."""
    return list(range(10**6, 10**6 + n))


def run_node(seeds: list[int], fmt: str, max_steps: int, core: int | None, warmup: int = 0) -> dict:
    """The battles inside Node alone (adapters/showdown/bench.js)."""
    pin(core)
    modules = ensure_installed()
    runtime = node_runtime()
    payload = json.dumps(
        {"battles": specs(seeds, fmt), "warmup": specs(warmup_seeds(warmup), fmt), "max_steps": max_steps}
    )
    out = subprocess.run(
        [str(runtime.node), str(HERE / "bench.js"), "--modules", str(modules)],
        input=payload,
        capture_output=True,
        text=True,
        check=True,
    )
    res = json.loads(out.stdout)
    res["checksum"] = [(r["turns"], tuple(r["prng"])) for r in res["results"]]
    return res


def run_adapter(seeds: list[int], fmt: str, max_steps: int, batch: int, core: int | None, warmup: int = 0) -> dict:
    """The same battles through the Showdown adapter, `batch` battles per round trip."""
    pin(core)
    with Showdown(fmt, restorable=False) as adapter:
        if warmup:
            _play(adapter, warmup_seeds(warmup), max_steps, batch)
        return _play(adapter, seeds, max_steps, batch)


def _play(adapter: Showdown, seeds: list[int], max_steps: int, batch: int) -> dict:
    """Play `seeds` in chunks of `batch`; time only the stepping (not the final PRNG read)."""
    checksum, turns, steps = [], 0, 0
    seconds = 0.0
    for start in range(0, len(seeds), batch):
        chunk = seeds[start : start + batch]
        t0 = time.perf_counter()
        adapter.reset_batch(chunk)
        n = len(chunk)
        step = np.zeros(n, dtype=np.int64)
        done = np.zeros(n, dtype=bool)
        final_turn = np.zeros(n, dtype=np.int64)
        actions = np.zeros((n, 2), dtype=np.int64)
        while not done.all():
            masks = adapter.legal_actions_batch()
            for i in np.flatnonzero(~done):
                for p in (0, 1):
                    actions[i, p] = policy_pick(chunk[i], int(step[i]), p, np.flatnonzero(masks[i, p]))
            result = adapter.step_batch(actions)
            step[~done] += 1
            final_turn = result.info["turn"]
            done |= result.terminated | result.truncated | (step >= max_steps)
        seconds += time.perf_counter() - t0
        for snap, t in zip(adapter.snapshot_list(), final_turn, strict=True):
            checksum.append((int(t), tuple(int(x) for x in snap["prng"])))
        turns += int(final_turn.sum())
        steps += int(step.sum())
    return {"seconds": seconds, "battles": len(seeds), "turns": turns, "steps": steps, "checksum": checksum}


def _job(kind: str, seeds: list[int], fmt: str, max_steps: int, batch: int, core: int | None, warmup: int) -> dict:
    if kind == "node":
        return run_node(seeds, fmt, max_steps, core, warmup)
    return run_adapter(seeds, fmt, max_steps, batch, core, warmup)


def measure(kind: str, seeds: list[int], fmt: str, max_steps: int, batch: int, jobs: int, warmup: int) -> dict:
    """Run `kind` over `seeds` split across `jobs` processes (one core each)."""
    if jobs == 1:
        return _job(kind, seeds, fmt, max_steps, batch, 0, warmup)
    parts = [seeds[j::jobs] for j in range(jobs)]
    cores = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else list(range(jobs))
    with ProcessPoolExecutor(jobs) as pool:
        futures = [
            pool.submit(_job, kind, part, fmt, max_steps, batch, cores[j % len(cores)], warmup)
            for j, part in enumerate(parts)
        ]
        results = [f.result() for f in futures]
    merged: dict = {"seconds": max(r["seconds"] for r in results), "battles": 0, "turns": 0, "steps": 0, "checksum": []}
    order = {}
    for part, r in zip(parts, results, strict=True):
        merged["battles"] += r["battles"]
        merged["turns"] += r["turns"]
        merged["steps"] += r["steps"]
        order.update(zip(part, r["checksum"], strict=True))
    merged["checksum"] = [order[s] for s in seeds]
    return merged


def main(argv: list[str] | None = None) -> int:
    """Print node-alone vs adapter throughput and the adapter's overhead; exit 1 if the work differs."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--format", default="gen1randombattle")
    ap.add_argument("--battles", type=int, default=100)
    ap.add_argument("--batch", type=int, default=50, help="battles per adapter round trip")
    ap.add_argument("--jobs", type=int, default=1, help="processes, each pinned to one core")
    ap.add_argument("--max-steps", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1000, help="first battle seed")
    ap.add_argument("--warmup", type=int, default=10, help="untimed battles played first on each side")
    ap.add_argument("--repeat", type=int, default=3, help="measurements per side, alternating; the best counts")
    ap.add_argument("--json", action="store_true", help="print one JSON line instead of a table")
    args = ap.parse_args(argv)
    ensure_installed(lambda msg: print(msg, file=sys.stderr))
    seeds = list(range(args.seed, args.seed + args.battles))
    best: dict[str, dict] = {}
    for _ in range(max(1, args.repeat)):
        for kind in ("node", "adapter"):
            res = measure(kind, seeds, args.format, args.max_steps, args.batch, args.jobs, args.warmup)
            if kind not in best or res["seconds"] < best[kind]["seconds"]:
                best[kind] = res
    node, adapter = best["node"], best["adapter"]
    same_work = node["checksum"] == adapter["checksum"]
    rows = {}
    for name, r in (("node", node), ("adapter", adapter)):
        rows[name] = {
            "battles_per_s": r["battles"] / r["seconds"],
            "turns_per_s": r["turns"] / r["seconds"],
            "steps_per_s": r["steps"] / r["seconds"],
            "seconds": r["seconds"],
            "turns": r["turns"],
        }
    overhead = node["battles"] / node["seconds"]
    overhead = overhead / rows["adapter"]["battles_per_s"] - 1.0
    summary = {
        "format": args.format,
        "battles": args.battles,
        "batch": args.batch,
        "jobs": args.jobs,
        "repeat": args.repeat,
        "node_version": node_runtime().version,
        "same_work": same_work,
        "overhead": overhead,
        **{f"{k}_{m}": v for k, row in rows.items() for m, v in row.items()},
    }
    if args.json:
        print(json.dumps(summary))
    else:
        print(
            f"{args.format}: {args.battles} battles, batch {args.batch}, jobs {args.jobs}, "
            f"Node {summary['node_version']}"
        )
        for name, row in rows.items():
            print(
                f"  {name:8s} {row['battles_per_s']:8.1f} battles/s {row['turns_per_s']:9.0f} turns/s "
                f"{row['steps_per_s']:9.0f} steps/s ({row['turns']} turns in {row['seconds']:.2f} s)"
            )
        print(f"  adapter overhead: {overhead * 100:+.1f}%  same work (turns + final PRNG per battle): {same_work}")
    return 0 if same_work else 1


if __name__ == "__main__":
    raise SystemExit(main())
