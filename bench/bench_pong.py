"""Steps per second: PufferLib's C Pong (reference) vs envs/pongjax (candidate), from one run.

    python bench/bench_pong.py [--max-batch 65536] [--c-envs 1024] [--seconds 1.0]

Environment only, and with a small MLP policy (8 -> 32 -> 3, greedy): for the candidate fused
into the same lax.scan, for the reference a numpy forward pass per step in a Python loop.
JIT compile time is reported apart from run time. Before timing, both sides run the same
seeds and actions and must end in identical states (same work, checked by a state checksum).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402

from adapters.pong_c.lib import PongHandle  # noqa: E402
from envs.pongjax import env as pong_env  # noqa: E402

HIDDEN = 32


def mlp_params(seed: int = 0) -> dict[str, np.ndarray]:
    """A fixed random 8 -> HIDDEN -> 3 MLP."""
    rng = np.random.default_rng(seed)
    return {
        "w1": (rng.standard_normal((8, HIDDEN)) / np.sqrt(8)).astype(np.float32),
        "b1": np.zeros(HIDDEN, np.float32),
        "w2": (rng.standard_normal((HIDDEN, 3)) / np.sqrt(HIDDEN)).astype(np.float32),
        "b2": np.zeros(3, np.float32),
    }


def mlp_numpy(p: dict[str, np.ndarray], obs: np.ndarray) -> np.ndarray:
    """Greedy actions for a batch of observations (numpy)."""
    h = np.tanh(obs @ p["w1"] + p["b1"])
    return np.argmax(h @ p["w2"] + p["b2"], axis=-1).astype(np.int32)


def mlp_jax(p: dict[str, jax.Array], obs: jax.Array) -> jax.Array:
    """Greedy actions for a batch of observations (JAX)."""
    h = jnp.tanh(obs @ p["w1"] + p["b1"])
    return jnp.argmax(h @ p["w2"] + p["b2"], axis=-1).astype(jnp.int32)


def _hash_actions(t: jax.Array, b: int) -> jax.Array:
    """Cheap deterministic pseudo-random actions for step t of b envs (no memory traffic)."""
    x = (t.astype(jnp.uint32) * jnp.uint32(b) + jnp.arange(b, dtype=jnp.uint32)) * jnp.uint32(2654435761)
    return ((x >> 16) % jnp.uint32(3)).astype(jnp.int32)


def _numpy_hash_actions(t: int, b: int) -> np.ndarray:
    x = (np.uint64(t) * np.uint64(b) + np.arange(b, dtype=np.uint64)) * np.uint64(2654435761)
    return (((x & np.uint64(0xFFFFFFFF)) >> np.uint64(16)) % np.uint64(3)).astype(np.int32)


def _time_best(fn: Callable[[], Any], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def _steps_for(batch: int, seconds: float, guess_sps: float) -> int:
    return int(max(16, min(20_000, seconds * guess_sps / batch)))


def c_env_only(n: int, seconds: float) -> float:
    """SPS of the shim stepping n envs (one shared glibc stream, as CyPong) with precomputed actions."""
    h = PongHandle(n)
    h.srand(1)
    h.reset()
    steps = _steps_for(n, seconds, 3e7)
    actions = np.random.default_rng(0).integers(0, 3, size=(steps, n)).astype(np.int32)
    h.step_many(actions[: max(1, steps // 10)])
    elapsed = _time_best(lambda: h.step_many(actions), 2)
    h.close()
    return steps * n / elapsed


def c_with_mlp(n: int, seconds: float) -> float:
    """SPS of the shim with a numpy MLP choosing every action (Python loop per step)."""
    h = PongHandle(n)
    h.srand(1)
    h.reset()
    p = mlp_params()
    steps = _steps_for(n, seconds, 1e5 if n == 1 else 5e6)

    def run() -> None:
        for _ in range(steps):
            h.step(mlp_numpy(p, h.obs))

    elapsed = _time_best(run, 2)
    h.close()
    return steps * n / elapsed


def shipped_env_only(n: int, seconds: float) -> float | None:
    """SPS of the wheel's own CyPong (Python loop of CyPong.step()), or None if it cannot load."""
    try:
        from adapters.pong_c.cypong import ShippedPong

        env = ShippedPong(n)
    except Exception:
        return None
    env.reset(1)
    steps = _steps_for(n, seconds, 1e7)
    actions = np.random.default_rng(0).integers(0, 3, size=(steps, n)).astype(np.int32)

    def run() -> None:
        for a in actions:
            env.actions[:] = a
            env.env.step()

    return steps * n / _time_best(run, 2)


def jax_bench(batch: int, seconds: float, policy: bool) -> tuple[float, float]:
    """(SPS, compile seconds) of pongjax over `batch` envs in one jitted lax.scan."""
    steps = _steps_for(batch, seconds, 2e7 if batch >= 4096 else 2e6)
    p = {k: jnp.asarray(v) for k, v in mlp_params().items()}
    step_b = jax.vmap(pong_env.step, in_axes=(0, 0, None))

    def run(state: pong_env.PongState, obs: jax.Array) -> tuple[pong_env.PongState, jax.Array]:
        def body(carry: tuple[pong_env.PongState, jax.Array, jax.Array], t: jax.Array) -> tuple[Any, None]:
            s, o, acc = carry
            a = mlp_jax(p, o) if policy else _hash_actions(t, batch)
            s, o, r, _ = step_b(s, a, 1)
            return (s, o, acc + r), None

        (state, obs, acc), _ = jax.lax.scan(body, (state, obs, jnp.zeros(batch, jnp.float32)), jnp.arange(steps))
        return state, acc

    state, obs = jax.jit(pong_env.reset_batch)(jnp.arange(batch, dtype=jnp.uint32), pong_env.DEFAULT_PARAMS)
    start = time.perf_counter()
    compiled = jax.jit(run).lower(state, obs).compile()
    compile_s = time.perf_counter() - start
    jax.block_until_ready(compiled(state, obs))
    elapsed = _time_best(lambda: jax.block_until_ready(compiled(state, obs)), 2)
    return steps * batch / elapsed, compile_s


def same_work_check(n: int = 64, steps: int = 500) -> str:
    """Run both sides on the same seeds and actions; return the shared state checksum or raise."""
    h = PongHandle(n, per_env_rng=True)
    for i in range(n):
        h.init(i)
        h.srand(i, i)
        h.reset(i)
    for t in range(steps):
        h.step(_numpy_hash_actions(t, n))
    ref = [h.get(i) for i in range(n)]
    h.close()
    state, _ = pong_env.reset_batch(jnp.arange(n, dtype=jnp.uint32), pong_env.DEFAULT_PARAMS)

    def body(s: pong_env.PongState, t: jax.Array) -> tuple[pong_env.PongState, None]:
        s, _, _, _ = jax.vmap(pong_env.step, in_axes=(0, 0, None))(s, _hash_actions(t, n), 1)
        return s, None

    final, _ = jax.jit(lambda s: jax.lax.scan(body, s, jnp.arange(steps)))(state)
    cand = pong_env.state_to_numpy(final)
    digest = hashlib.sha256()
    for name in pong_env.PongState._fields:
        want = np.stack([r[name] for r in ref])
        if not np.array_equal(want, cand[name]):
            raise SystemExit(f"not equivalent: field {name} differs after {steps} steps; refusing to benchmark")
        digest.update(want.tobytes())
    return digest.hexdigest()[:16]


def _fmt(x: float | None) -> str:
    if x is None:
        return "n/a"
    if x >= 1e6:
        return f"{x / 1e6:.2f}M"
    if x >= 1e3:
        return f"{x / 1e3:.1f}k"
    return f"{x:.0f}"


def _print_table(title: str, header: list[str], rows: list[list[str]]) -> None:
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:
        widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
        print(f"\n{title}")
        print("  ".join(h.rjust(w) for h, w in zip(header, widths, strict=True)))
        for r in rows:
            print("  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)))
        return
    table = Table(title=title)
    for h in header:
        table.add_column(h, justify="right")
    for r in rows:
        table.add_row(*r)
    Console().print(table)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--max-batch", type=int, default=65536, help="largest candidate batch (default 65536)")
    parser.add_argument("--c-envs", type=int, default=1024, help="N for the reference's N-env rows")
    parser.add_argument("--seconds", type=float, default=1.0, help="target seconds per measurement")
    args = parser.parse_args(argv)

    checksum = same_work_check()
    print(f"jax {jax.__version__} on {jax.default_backend()} ({jax.devices()[0].device_kind}); "
          f"same-work check passed, state checksum {checksum}")

    n = args.c_envs
    c1, cn = c_env_only(1, args.seconds), c_env_only(n, args.seconds)
    m1, mn = c_with_mlp(1, args.seconds), c_with_mlp(n, args.seconds)
    shipped = shipped_env_only(n, args.seconds)
    _print_table(
        "reference: PufferLib pong.h (C, one thread)",
        ["backend", "envs", "env-only SPS", "with MLP SPS"],
        [
            ["shim (pong.h)", "1", _fmt(c1), _fmt(m1)],
            ["shim (pong.h)", str(n), _fmt(cn), _fmt(mn)],
            ["shipped CyPong, Python loop", str(n), _fmt(shipped), "-"],
        ],
    )

    batches = sorted({b for b in (1, 8, 64, 512, 4096, 32768, 65536) if b <= args.max_batch} | {args.max_batch})
    rows = []
    for batch in batches:
        sps, comp = jax_bench(batch, args.seconds, policy=False)
        psps, pcomp = jax_bench(batch, args.seconds, policy=True)
        rows.append([
            str(batch), _fmt(sps), f"{comp:.2f}", f"{sps / c1:.2f}x", f"{sps / cn:.2f}x",
            _fmt(psps), f"{pcomp:.2f}", f"{psps / mn:.2f}x",
        ])
    _print_table(
        f"candidate: envs/pongjax ({jax.default_backend()}), lax.scan; ratios against the reference above",
        ["batch", "env SPS", "jit s", "vs C 1", f"vs C {n}", "MLP SPS", "jit s", f"vs C+MLP {n}"],
        rows,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
