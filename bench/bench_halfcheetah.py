"""HalfCheetah throughput: MuJoCo (Gymnasium, 1 and N processes) vs MJX and Brax by batch size, in one run.

    python bench/bench_halfcheetah.py [--max-batch 32768] [--backends mujoco,mjx,brax-mjx,...]
                                      [--seconds 2] [--jobs 2] [--json PATH]

Env steps per second (one env step = 5 physics steps of 0.01 s; Brax positional/spring: 16 of
0.003125 s). MuJoCo is the reference adapter (Gymnasium's HalfCheetah-v5) stepping uniform
random actions, in one process and in `--jobs` processes. MJX and Brax step B envs per call
with the case adapters' own jitted, vmapped kernels; the action batch stays on the device and
nothing is copied back until the end of a measurement. JIT time (the first reset + step at that
batch size) is reported apart from run time. Each row ends with the env-steps it did and a checksum
of the final x positions, so a reader can see the work was done.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

BACKENDS = ("mujoco", "mjx", "mjx-x64", "brax-mjx", "brax-generalized", "brax-positional", "brax-spring")


@dataclass
class Row:
    """One measurement."""

    backend: str
    batch: int
    jit_s: float
    run_s: float
    steps: int
    sps: float
    checksum: float


def _mujoco_worker(seconds: float, seed: int) -> tuple[int, float, float]:
    """Step the reference adapter for `seconds`; (env steps, elapsed, checksum)."""
    from adapters.mujoco_halfcheetah import MujocoHalfCheetah

    env = MujocoHalfCheetah()
    rng = np.random.default_rng(seed)
    actions = rng.uniform(-1, 1, size=(1000, 6)).astype(np.float32)
    env.reset(seed)
    steps, start, checksum = 0, time.perf_counter(), 0.0
    while time.perf_counter() - start < seconds:
        for i in range(1000):
            env.step(actions[i])
        steps += 1000
        checksum += float(env.env.data.qpos[0])
        env.reset(seed + steps)
    return steps, time.perf_counter() - start, checksum


def bench_mujoco(seconds: float, jobs: int) -> list[Row]:
    """MuJoCo in 1 process and in `jobs` processes (spawned; their steps are summed over the wall time)."""
    rows = []
    steps, elapsed, checksum = _mujoco_worker(seconds, 0)
    rows.append(Row("mujoco (1 process)", 1, 0.0, elapsed, steps, steps / elapsed, checksum))
    if jobs > 1:
        start = time.perf_counter()
        with mp.get_context("spawn").Pool(jobs) as pool:
            outs = pool.starmap(_mujoco_worker, [(seconds, 1000 * j) for j in range(jobs)])
        wall = time.perf_counter() - start
        total = sum(o[0] for o in outs)
        busy = max(o[1] for o in outs)
        rows.append(Row(f"mujoco ({jobs} processes)", jobs, wall - busy, busy, total, total / busy,
                        sum(o[2] for o in outs)))
    return rows


class _Batched:
    """reset(B) / step() / x() over one JAX backend's kernels."""

    def __init__(self, backend: str) -> None:
        import jax

        self.jax = jax
        self.backend = backend
        if backend.startswith("mjx"):
            from adapters.mjx_halfcheetah import MjxHalfCheetah, MjxHalfCheetahX64

            self.adapter = MjxHalfCheetahX64() if backend == "mjx-x64" else MjxHalfCheetah()
        else:
            from adapters import brax_halfcheetah

            cls = {c.name: c for c in (brax_halfcheetah.BraxMjx, brax_halfcheetah.BraxGeneralized,
                                       brax_halfcheetah.BraxPositional, brax_halfcheetah.BraxSpring)}[backend]
            self.adapter = cls()

    def reset(self, batch: int) -> None:
        ad = self.adapter
        ad.reset_batch(np.arange(batch))
        rng = np.random.default_rng(batch)
        self.actions = self.jax.device_put(rng.uniform(-1, 1, size=(batch, 6)).astype(np.float32))

    def step(self) -> None:
        ad = self.adapter
        if self.backend.startswith("mjx"):
            ad.d, _ = ad.k.step_batch(ad.d, self.actions, ad.weights, ad.params.frame_skip)
        else:
            ad.state = ad.k.step_batch(ad.state, self.actions)

    def block(self) -> None:
        ad = self.adapter
        self.jax.block_until_ready(ad.d if self.backend.startswith("mjx") else ad.state)

    def x(self) -> np.ndarray:
        ad = self.adapter
        return np.asarray(ad.d.qpos[:, 0] if self.backend.startswith("mjx") else ad.state.pipeline_state.q[:, 0])


def bench_batched(backend: str, batches: list[int], seconds: float) -> list[Row]:
    """SPS of `backend` at each batch size; JIT (first reset + step) timed apart."""
    rows = []
    runner = _Batched(backend)
    for batch in batches:
        start = time.perf_counter()
        runner.reset(batch)
        runner.step()
        runner.block()
        jit_s = time.perf_counter() - start
        steps, start = 0, time.perf_counter()
        while True:
            for _ in range(10):
                runner.step()
            runner.block()
            steps += 10
            if time.perf_counter() - start >= seconds:
                break
        run_s = time.perf_counter() - start
        rows.append(Row(backend, batch, jit_s, run_s, steps * batch, steps * batch / run_s,
                        float(np.sum(runner.x()))))
        print(_line(rows[-1]), flush=True)
    return rows


def _line(r: Row) -> str:
    return (f"| {r.backend} | {r.batch} | {r.sps:,.0f} | {r.jit_s:.1f} | {r.run_s:.1f} | {r.steps:,} "
            f"| {r.checksum:.4g} |")


HEADER = "| backend | batch | env steps/s | JIT s | run s | env steps | checksum (sum of x) |\n|---|---|---|---|---|---|---|"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-batch", type=int, default=32768, help="largest batch (powers of 4 from 1, and this)")
    parser.add_argument("--backends", default="mujoco,mjx,brax-mjx,brax-generalized,brax-positional,brax-spring",
                        help=f"comma-separated, from {','.join(BACKENDS)}")
    parser.add_argument("--seconds", type=float, default=2.0, help="timed seconds per measurement")
    parser.add_argument("--jobs", type=int, default=2, help="MuJoCo processes for the parallel row")
    parser.add_argument("--json", default=None)
    args = parser.parse_args(argv)
    names = [b.strip() for b in args.backends.split(",") if b.strip()]
    unknown = set(names) - set(BACKENDS)
    if unknown:
        parser.error(f"unknown backends: {', '.join(sorted(unknown))}")
    batches = sorted({b for b in (4**k for k in range(9)) if b <= args.max_batch} | {args.max_batch})
    import jax

    print(f"device: {jax.devices()[0]} ({os.cpu_count()} CPUs); batches {batches}; {args.seconds:g} s each")
    print(HEADER, flush=True)
    rows: list[Row] = []
    if "mujoco" in names:
        for row in bench_mujoco(args.seconds, args.jobs):
            rows.append(row)
            print(_line(row), flush=True)
    for name in names:
        if name != "mujoco":
            rows.extend(bench_batched(name, batches, args.seconds))
    print("\nbest env steps/s per backend:")
    for name in dict.fromkeys(r.backend for r in rows):
        best = max((r for r in rows if r.backend == name), key=lambda r: r.sps)
        print(f"  {name}: {best.sps:,.0f} at batch {best.batch}")
    if args.json:
        Path(args.json).write_text(json.dumps({"device": str(jax.devices()[0]), "rows": [asdict(r) for r in rows]},
                                              indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
