"""Framework overhead per compared step (lockstep runner) and the batched comparison's scaling.

    python bench/bench_overhead.py [--steps 200000] [--fields 32]

A toy pair whose own step is nearly free, with a `--fields`-field snapshot (ints, floats and
small arrays). The overhead is the runner's time per step minus the same adapters driven by a
bare loop (step both, snapshot both), measured side by side in one process.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Mapping
from typing import Any

import numpy as np

from equivcheck.adapter import Adapter, Discrete, StepResult
from equivcheck.schema import Field, Schema
from equivcheck.policies import UniformPolicy
from equivcheck.tiers.rollout import run_episode


def make_fields(n: int) -> dict[str, Any]:
    """n snapshot values: a third Python ints, a third floats, a third small numpy arrays."""
    out: dict[str, Any] = {}
    for i in range(n):
        kind = i % 3
        if kind == 0:
            out[f"f{i}"] = i
        elif kind == 1:
            out[f"f{i}"] = float(i) / 3.0
        else:
            out[f"f{i}"] = np.arange(4, dtype=np.int32) + i
    return out


class NullPair(Adapter):
    """A backend whose step does almost nothing; snapshot returns a fresh dict of fixed fields."""

    name = "null"
    action_space = Discrete(4)

    def __init__(self, n_fields: int, horizon: int) -> None:
        self.fields = make_fields(n_fields)
        self.horizon = horizon
        self.t = 0

    def reset(self, seed: int, options: Mapping[str, Any] | None = None) -> Any:
        self.t = 0
        return 0

    def step(self, action: Any) -> StepResult:
        self.t += 1
        return StepResult(0, 0.0, False, self.t >= self.horizon, {})

    def snapshot(self) -> dict[str, Any]:
        return dict(self.fields)

    def versions(self) -> dict[str, str]:
        return {"backend": "null"}


def schema_for(fields: dict[str, Any]) -> Schema:
    decl = []
    for k, v in fields.items():
        if isinstance(v, np.ndarray):
            decl.append(Field(k, v.dtype.name, v.shape))
        else:
            decl.append(Field(k, "int64" if isinstance(v, int) else "float64"))
    return Schema(decl)


def bare_loop(ref: NullPair, cand: NullPair, steps: int, rng: np.random.Generator) -> float:
    """The adapters alone: what any harness must spend (seconds)."""
    policy = UniformPolicy(ref.action_space, rng)
    start = time.perf_counter()
    ref.reset(0)
    cand.reset(0)
    for t in range(steps):
        a = policy(t, None, None)
        ref.step(a)
        cand.step(a)
        ref.snapshot()
        cand.snapshot()
    return time.perf_counter() - start


def lockstep(ref: NullPair, cand: NullPair, schema: Schema, steps: int, rng: np.random.Generator) -> float:
    """The lockstep runner over the same adapters (seconds)."""
    start = time.perf_counter()
    ep = run_episode(ref, cand, schema, 0, UniformPolicy(ref.action_space, rng), steps, "lockstep")
    elapsed = time.perf_counter() - start
    assert ep.steps == steps and not ep.divergences, (ep.steps, ep.divergences[:1])
    return elapsed


def batch_compare(schema: Schema, fields: dict[str, Any], sizes: list[int], reps: int) -> list[tuple[int, float]]:
    """Seconds per compare_batch call for each batch size (all episodes equal: the full-work path)."""
    rows = []
    for B in sizes:
        ref = {k: np.broadcast_to(np.asarray(v), (B, *np.shape(v))).copy() for k, v in fields.items()}
        ref.update(reward=np.zeros(B), terminated=np.zeros(B, bool), truncated=np.zeros(B, bool))
        cand = {k: v.copy() for k, v in ref.items()}
        active = np.ones(B, bool)
        assert schema.compare_batch(ref, cand, active) == {}
        start = time.perf_counter()
        for _ in range(reps):
            schema.compare_batch(ref, cand, active)
        rows.append((B, (time.perf_counter() - start) / reps))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200_000)
    parser.add_argument("--fields", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    ref = NullPair(args.fields, args.steps)
    cand = NullPair(args.fields, args.steps)
    schema = schema_for(ref.fields)
    bare, runner = [], []
    for r in range(args.repeats):
        bare.append(bare_loop(ref, cand, args.steps, np.random.default_rng(r)))
        runner.append(lockstep(ref, cand, schema, args.steps, np.random.default_rng(r)))
    b, l = min(bare) / args.steps * 1e6, min(runner) / args.steps * 1e6
    print(f"lockstep, {args.fields}-field snapshot, {args.steps} steps, best of {args.repeats}:")
    print(f"  adapters alone      {b:8.2f} us/step")
    print(f"  lockstep runner     {l:8.2f} us/step")
    print(f"  framework overhead  {l - b:8.2f} us/step  (target < 20)")
    print(f"\nbatched comparison ({args.fields} fields + 3 step fields, one numpy op per field):")
    print(f"  {'B':>7} {'ms/call':>10} {'us/episode':>11}")
    for B, secs in batch_compare(schema, ref.fields, [1, 16, 256, 4096, 65536], 20):
        print(f"  {B:>7} {secs * 1e3:>10.3f} {secs / B * 1e6:>11.4f}")


if __name__ == "__main__":
    main()
