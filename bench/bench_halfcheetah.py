"""HalfCheetah throughput: MuJoCo (Gymnasium, 1 and N processes) vs our JAX port, MJX and Brax by batch size.

    python bench/bench_halfcheetah.py [--max-batch 32768] [--backends mujoco,mjx,brax-mjx,...]
                                      [--seconds 2] [--calls 1] [--max-seconds-per-batch 300]
                                      [--jobs 2] [--json PATH]

Env steps per second (one env step = 5 physics steps of 0.01 s; Brax positional/spring: 16 of
0.003125 s). MuJoCo is the reference adapter (Gymnasium's HalfCheetah-v5) stepping uniform random
actions, in one process and in `--jobs` processes. The port (cheetah-jax), MJX and Brax step B envs
per call with the case adapters' own jitted, vmapped kernels, one child process per backend (batch 1, 4, 16, ... up to
`--max-batch`). Per batch: reset, one warm-up call (it compiles; the compile is timed apart from
the compile events JAX records), then timed calls, each blocked on, until `--seconds` have passed
and at least `--calls` were made. A backend stops growing its batch when the next batch is
predicted to take longer than `--max-seconds-per-batch`, or when a batch overruns it (the child is
killed): the row says which. Each row ends with the env steps it timed and a checksum of the final
x positions, so a reader can see the work was done.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import resource
import sys
import time
from dataclasses import asdict, dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

BACKENDS = ("mujoco", "cheetah-jax", "cheetah-jax-x64", "mjx", "mjx-x64", "brax-mjx", "brax-generalized",
            "brax-positional", "brax-spring")
# jaxlib's batched Cholesky (MJX's Newton solver) deadlocks on 2 cores when XLA runs two at once at
# batch >= 1024; XLA's non-concurrency scheduler keeps them apart (see cases/halfcheetah/README.md).
XLA_FLAGS = "--xla_cpu_enable_concurrency_optimized_scheduler=false"
MAX_CALLS = 100_000
STARTUP_GRACE_S = 120.0


@dataclass
class Row:
    """One measurement; `status` is "ok" or why the batch was not measured."""

    backend: str
    batch: int
    status: str = "ok"
    jit_s: float = 0.0
    compile_cold_s: float = 0.0
    reset_s: float = 0.0
    calls: int = 0
    run_s: float = 0.0
    steps: int = 0
    sps: float = 0.0
    checksum: float = 0.0
    rss_mb: float = 0.0


def _rss_mb() -> float:
    """Peak resident memory of this process (MiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _mujoco_worker(seconds: float, seed: int) -> tuple[int, float, float]:
    """Step the reference adapter for `seconds` in 1000-step episodes; (env steps, elapsed, checksum)."""
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
    """MuJoCo in 1 process and in `jobs` processes (spawned; their steps are summed over the busiest one's time)."""
    steps, elapsed, checksum = _mujoco_worker(seconds, 0)
    rows = [Row("mujoco (1 process)", 1, calls=steps, run_s=elapsed, steps=steps, sps=steps / elapsed,
                checksum=checksum, rss_mb=_rss_mb())]
    if jobs > 1:
        start = time.perf_counter()
        with mp.get_context("spawn").Pool(jobs) as pool:
            outs = pool.starmap(_mujoco_worker, [(seconds, 1000 * j) for j in range(jobs)])
        wall = time.perf_counter() - start
        total = sum(o[0] for o in outs)
        busy = max(o[1] for o in outs)
        rows.append(Row(f"mujoco ({jobs} processes)", jobs, jit_s=wall - busy, calls=total, run_s=busy,
                        steps=total, sps=total / busy, checksum=sum(o[2] for o in outs)))
    return rows


class CompileClock:
    """Sums JAX's compile events: tracing, lowering, backend compile (or cache load), and compile time a cache hit saved."""

    EVENTS = ("/jax/core/compile/jaxpr_trace_duration", "/jax/core/compile/jaxpr_to_mlir_module_duration",
              "/jax/core/compile/backend_compile_duration")
    SAVED = "/jax/compilation_cache/compile_time_saved_sec"

    def __init__(self) -> None:
        from jax import monitoring

        self.spent = self.saved = 0.0
        monitoring.register_event_duration_secs_listener(self._record)

    def _record(self, event: str, duration: float, **_: Any) -> None:
        if event in self.EVENTS:
            self.spent += duration
        elif event == self.SAVED:
            self.saved += duration

    def clear(self) -> None:
        """Start a new batch size."""
        self.spent = self.saved = 0.0


class Batched:
    """reset(B) / step() / block() / x() over one JAX backend's adapter kernels."""

    def __init__(self, backend: str) -> None:
        import jax

        self.jax = jax
        self.mjx = backend.startswith("mjx")
        self.port = backend.startswith("cheetah-jax")
        if self.port:
            from adapters.cheetah_jax import CheetahJax, CheetahJaxX64

            self.adapter = CheetahJaxX64() if backend == "cheetah-jax-x64" else CheetahJax()
        elif self.mjx:
            from adapters.mjx_halfcheetah import MjxHalfCheetah, MjxHalfCheetahX64

            self.adapter = MjxHalfCheetahX64() if backend == "mjx-x64" else MjxHalfCheetah()
        else:
            from adapters import brax_halfcheetah as bh

            classes = (bh.BraxMjx, bh.BraxGeneralized, bh.BraxPositional, bh.BraxSpring)
            self.adapter = {c.name: c for c in classes}[backend]()

    def reset(self, batch: int) -> None:
        """B envs at Gymnasium's start states (seeds 0..B-1) and a fixed uniform action batch on the device."""
        self.adapter.reset_batch(np.arange(batch))
        rng = np.random.default_rng(batch)
        self.actions = self.jax.device_put(rng.uniform(-1, 1, size=(batch, 6)).astype(np.float32))
        self.block()

    def step(self) -> None:
        ad = self.adapter
        if self.port:
            ad.state, _ = ad.k.step_batch(ad.knobs, ad.p, ad.state, self.actions)
        elif self.mjx:
            ad.d, _ = ad.k.step_batch(ad.d, self.actions, ad.weights, ad.params.frame_skip)
        else:
            ad.state = ad.k.step_batch(ad.state, self.actions)

    def block(self) -> None:
        self.jax.block_until_ready(self.adapter.d if self.mjx else self.adapter.state)

    def x(self) -> np.ndarray:
        ad = self.adapter
        if self.port:
            return np.asarray(ad.state.qpos[:, 0])
        return np.asarray(ad.d.qpos[:, 0] if self.mjx else ad.state.pipeline_state.q[:, 0])



def measure(runner: Batched, clock: CompileClock, backend: str, batch: int, seconds: float, calls: int) -> Row:
    """Reset, one warm-up call (compiles), then timed calls until `seconds` passed and at least `calls` were made."""
    clock.clear()
    start = time.perf_counter()
    runner.reset(batch)
    reset_s = time.perf_counter() - start
    runner.step()
    runner.block()
    done, start = 0, time.perf_counter()
    while done < calls or (time.perf_counter() - start < seconds and done < MAX_CALLS):
        runner.step()
        runner.block()
        done += 1
    run_s = time.perf_counter() - start
    return Row(backend, batch, jit_s=clock.spent, compile_cold_s=clock.spent + clock.saved, reset_s=reset_s,
               calls=done, run_s=run_s, steps=done * batch, sps=done * batch / run_s,
               checksum=float(np.sum(runner.x())), rss_mb=_rss_mb())


def predicted_s(last: Row, batch: int, calls: int) -> float:
    """Seconds the next batch should take: JIT as before, reset (less JIT) and calls linear in the batch."""
    grow = batch / last.batch
    return last.jit_s + max(0.0, last.reset_s - last.jit_s) * grow + (1 + calls) * last.run_s / last.calls * grow


def _child(backend: str, batches: list[int], seconds: float, calls: int, limit: float, conn: Connection) -> None:
    """Measure `backend` at growing batches, sending the device, then each Row, then None."""
    import jax

    conn.send(f"{jax.devices()[0]} (jax {jax.__version__})")
    clock = CompileClock()
    runner = Batched(backend)
    last = None
    for batch in batches:
        guess = predicted_s(last, batch, calls) if last else 0.0
        if guess > limit:
            conn.send(Row(backend, batch, status=f"skipped: predicted {guess:.0f} s > {limit:g} s"))
            break
        last = measure(runner, clock, backend, batch, seconds, calls)
        conn.send(last)
    conn.send(None)


def bench_batched(backend: str, batches: list[int], seconds: float, calls: int, limit: float,
                  report: Any) -> list[Row]:
    """Run `_child` for `backend` in a spawned process; a batch that overruns `limit` seconds ends it."""
    ctx = mp.get_context("spawn")
    here, there = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(backend, batches, seconds, calls, limit, there), daemon=True)
    proc.start()
    there.close()
    rows: list[Row] = []
    pending = list(batches)
    deadline = limit + STARTUP_GRACE_S
    while pending:
        if not here.poll(deadline):
            rows.append(Row(backend, pending[0], status=f"timeout: no result in {deadline:g} s, stopped"))
            proc.kill()
            break
        try:
            msg = here.recv()
        except EOFError:
            proc.join(5)
            rows.append(Row(backend, pending[0], status=f"died: child exit code {proc.exitcode}"))
            break
        if msg is None:
            break
        if isinstance(msg, str):
            report(f"{backend}: {msg}")
            continue
        rows.append(msg)
        report(line(msg))
        pending.pop(0)
        deadline = limit
        if msg.status != "ok":
            break
    proc.join(10)
    if proc.is_alive():
        proc.kill()
    return rows


def line(r: Row) -> str:
    """One markdown table row."""
    if r.status != "ok":
        return f"| {r.backend} | {r.batch} | {r.status} | | | | | | | |"
    return (f"| {r.backend} | {r.batch} | {r.sps:,.0f} | {r.jit_s:.1f} | {r.compile_cold_s:.1f} | {r.reset_s:.1f} "
            f"| {r.calls} | {r.run_s:.2f} | {r.steps:,} | {r.checksum:.6g} |")


HEADER = ("| backend | batch | env steps/s | JIT s | cold compile s | reset s | timed calls | run s | env steps "
          "| checksum (sum of x) |\n|---|---|---|---|---|---|---|---|---|---|")


def batch_sizes(max_batch: int) -> list[int]:
    """1, 4, 16, ... up to `max_batch`, and `max_batch` itself."""
    return sorted({4**k for k in range(12) if 4**k <= max_batch} | {max_batch})


def summary(rows: list[Row]) -> list[str]:
    """Best env steps/s per backend, and its ratio to MuJoCo in one process (same run)."""
    ok = [r for r in rows if r.status == "ok"]
    base = next((r.sps for r in ok if r.backend == "mujoco (1 process)"), None)
    out = []
    for name in dict.fromkeys(r.backend for r in ok):
        best = max((r for r in ok if r.backend == name), key=lambda r: r.sps)
        ratio = f" = {best.sps / base:.3g} x mujoco (1 process)" if base else ""
        out.append(f"  {name}: {best.sps:,.0f} at batch {best.batch}{ratio}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-batch", type=int, default=32768, help="largest batch (powers of 4 from 1, and this)")
    parser.add_argument("--backends",
                        default="mujoco,cheetah-jax,mjx,brax-mjx,brax-generalized,brax-positional,brax-spring",
                        help=f"comma-separated, from {','.join(BACKENDS)}")
    parser.add_argument("--seconds", type=float, default=2.0, help="timed seconds per batch (after the warm-up call)")
    parser.add_argument("--calls", type=int, default=1, help="at least this many timed calls per batch")
    parser.add_argument("--max-seconds-per-batch", type=float, default=300.0,
                        help="stop growing a backend's batch past this (predicted, or overrun: the child is killed)")
    parser.add_argument("--jobs", type=int, default=2, help="MuJoCo processes for the parallel row")
    parser.add_argument("--xla-flags", default=XLA_FLAGS, help="appended to XLA_FLAGS for the JAX children")
    parser.add_argument("--json", default=None)
    args = parser.parse_args(argv)
    names = [b.strip() for b in args.backends.split(",") if b.strip()]
    unknown = set(names) - set(BACKENDS)
    if unknown:
        parser.error(f"unknown backends: {', '.join(sorted(unknown))}")
    batches = batch_sizes(args.max_batch)
    os.environ["XLA_FLAGS"] = f"{os.environ.get('XLA_FLAGS', '')} {args.xla_flags}".strip()
    log: list[str] = []

    def report(text: str) -> None:
        log.append(text)
        print(text, flush=True)

    report(f"{platform.node()}: {os.cpu_count()} CPUs; batches {batches}; >= {args.seconds:g} s and >= {args.calls} "
           f"timed calls each; limit {args.max_seconds_per_batch:g} s per batch; XLA_FLAGS={os.environ['XLA_FLAGS']}")
    report(HEADER)
    started = time.perf_counter()
    rows: list[Row] = []
    if "mujoco" in names:
        for row in bench_mujoco(args.seconds, args.jobs):
            rows.append(row)
            report(line(row))
    for name in names:
        if name != "mujoco":
            rows.extend(bench_batched(name, batches, args.seconds, args.calls, args.max_seconds_per_batch, report))
    report(f"\nbest env steps/s per backend ({time.perf_counter() - started:.0f} s in all):")
    for text in summary(rows):
        report(text)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps({"args": vars(args), "log": log, "rows": [asdict(r) for r in rows]},
                                              indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
