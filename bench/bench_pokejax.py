"""Steps per second: the PokeJAX engine (envs/pokejax.api, vmap) at batch 1..65,536 vs Showdown through its adapter.

    python bench/bench_pokejax.py [--batches 1,16,256,4096,65536] [--showdown 64] [--core 0] [--width 64]

Both sides play the same battles: integer seeds 0..B-1, each with the battle seed of
derive_seeds and the case's teams (adapters/pokejax_teams.py), and the same seeded pseudo-random
legal actions (bench_showdown.policy_pick's hash of (seed, step, player), computed in JAX inside
the compiled loop and in numpy for Showdown). A step is one decision of both players (a turn, or
the forced switch after a faint); only steps of battles still running are counted. The first
--showdown battles are played by Showdown (one Node process, the batch API, one round trip per
step) and by PokeJAX, and must agree on every battle's step count, final turn and final PRNG
state; every JAX batch must agree with the others on the battles they share. JIT compile time is
reported apart; the process (and Node) is pinned to one core (--core) so the CPU numbers are per
core. GPU rows are added when JAX sees a GPU.

Two ways to run a batch in one compiled call: `vmap` steps all battles together until the last one
ends (lax.cond/switch turn into selects that compute every branch: the accelerator way), `map`
plays them one after another (lax.map; each step takes only its own branches: the CPU way). A
batch predicted (from the previous one) to take longer than --budget seconds is skipped and said so.
Under vmap a finished battle still occupies its slot until the longest one ends ("battle slots
stepped/s" is batch x loop steps / time). `refill` is what a training loop that resets finished
battles gets: --width vmapped slots (default 64), each finished battle's slot taking the next
battle of the batch, so the batch's B battles are all played and checked like the other modes'.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
from jax import lax  # noqa: E402

from adapters.pokejax_teams import _battles, describe  # noqa: E402
from adapters.showdown.adapter import derive_seeds  # noqa: E402
from bench.bench_showdown import policy_pick  # noqa: E402
from envs.pokejax import api, engine, prng  # noqa: E402

MAX_STEPS = 1000


def seed_states(seeds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(battle (B, 2), players (B, 2, 2)) uint32 PRNG states of derive_seeds, parsed in numpy."""
    def words(seed: str) -> list[int]:
        h = seed[5:21]
        return [int(h[i:i + 4], 16) for i in range(0, 16, 4)]

    derived = [derive_seeds(int(s)) for s in seeds]
    w = np.array([[words(d[r]) for r in ("battle", "p1", "p2")] for d in derived], np.uint32)
    states = np.stack([(w[..., 0] << 16) | w[..., 1], (w[..., 2] << 16) | w[..., 3]], axis=-1)
    return states[:, 0], states[:, 1:]


def make_battles(n: int, chunk: int = 4096) -> tuple[dict, np.ndarray, float]:
    """The started states of battles 0..n-1 (host numpy), their seeds, and the seconds it took."""
    start = time.perf_counter()
    seeds = np.arange(n, dtype=np.int64)
    battle, players = seed_states(seeds)
    parts = []
    init = engine.jit(jax.vmap(api.init_state))
    for lo in range(0, n, chunk):
        teams = _battles(jnp.asarray(players[lo:lo + chunk]))
        parts.append(jax.tree.map(np.asarray, init(teams, jnp.asarray(battle[lo:lo + chunk]))))
    states = jax.tree.map(lambda *xs: np.concatenate(xs), *parts)
    return states, seeds, time.perf_counter() - start


def policy_jax(seeds: jax.Array, t: jax.Array, masks: jax.Array) -> jax.Array:
    """policy_pick in JAX: (B,) uint32 seeds, step t, (B, 2, 9) masks -> (B, 2) actions (0 when waiting)."""
    u = jnp.uint32
    h = (seeds ^ u(0x9E3779B9)) * u(0x85EBCA6B)
    h = h + t.astype(u) * u(0xC2B2AE35)
    h = h[:, None] + (jnp.arange(2, dtype=u) + u(1)) * u(0x27D4EB2F)
    h = h ^ (h >> 15)
    h = h * u(0x2C1B3C6D)
    h = h ^ (h >> 12)
    count = masks.sum(-1).astype(u)
    k = (h % jnp.maximum(count, u(1))).astype(jnp.int32)
    rank = jnp.cumsum(masks, axis=-1) - 1
    pick = jnp.argmax(masks & (rank == k[..., None]), axis=-1)
    return jnp.where(count > 0, pick, 0).astype(jnp.int32)


def _run_vmap(states: dict, seeds: jax.Array) -> tuple[dict, jax.Array]:
    """All battles stepped together (vmap; lax.cond/switch become selects over every branch), until all end."""
    step = jax.vmap(lambda s, a: api.step(s, a)[0])
    legal = jax.vmap(api.legal_mask)

    def cond(c: tuple) -> jax.Array:
        st, t, _ = c
        return (t < MAX_STEPS) & ~jnp.all(st["ended"])

    def body(c: tuple) -> tuple:
        st, t, n = c
        acts = policy_jax(seeds, t, legal(st))
        return step(st, acts), t + 1, n + (~st["ended"]).astype(jnp.int32)

    st, t, n = lax.while_loop(cond, body, (states, jnp.int32(0), jnp.zeros(seeds.shape, jnp.int32)))
    return st, n, t


def _one_battle(st: dict, seed: jax.Array) -> tuple[dict, jax.Array]:
    """One battle played to its end (unbatched: lax.cond/switch take one branch)."""
    def cond(c: tuple) -> jax.Array:
        s, t = c
        return (t < MAX_STEPS) & ~s["ended"]

    def body(c: tuple) -> tuple:
        s, t = c
        acts = policy_jax(seed[None], t, api.legal_mask(s)[None])[0]
        return api.step(s, acts)[0], t + 1

    return lax.while_loop(cond, body, (st, jnp.int32(0)))


def _run_map(states: dict, seeds: jax.Array) -> tuple[dict, jax.Array]:
    """The battles one after another (lax.map), each to its end: the CPU way for a branchy step."""
    st, n = lax.map(lambda x: _one_battle(*x), (states, seeds))
    return st, n, jnp.max(n)


REFILL_WIDTH = 64
"""Slots of the `refill` mode: battles stepped together, each finished one replaced by the next."""


def _run_refill(states: dict, seeds: jax.Array) -> tuple[dict, jax.Array, jax.Array]:
    """The battles through REFILL_WIDTH vmapped slots; a slot whose battle ended takes the next one
    (what a training loop that resets finished battles does), so no slot idles until the batch ends."""
    n = seeds.shape[0]
    width = min(REFILL_WIDTH, n)
    step = jax.vmap(lambda s, a: api.step(s, a)[0])
    legal = jax.vmap(api.legal_mask)

    def cond(c: tuple) -> jax.Array:
        return jnp.any(c[1] < n)

    def body(c: tuple) -> tuple:
        st, idx, t, nxt, final, steps, loops = c
        live = idx < n
        acts = policy_jax(seeds[jnp.minimum(idx, n - 1)], t, legal(st))
        st = step(st, acts)
        t = t + live.astype(jnp.int32)
        done = live & (st["ended"] | (t >= MAX_STEPS))
        put = jnp.where(done, idx, n)  # out of range: dropped
        final = jax.tree.map(lambda f, x: f.at[put].set(x, mode="drop"), final, st)
        steps = steps.at[put].set(t, mode="drop")
        new_idx = nxt + jnp.cumsum(done) - 1
        take = done & (new_idx < n)
        fresh = jax.tree.map(lambda x: x[jnp.minimum(new_idx, n - 1)], states)
        st = jax.tree.map(lambda a, b: jnp.where(take.reshape((-1,) + (1,) * (a.ndim - 1)), b, a), st, fresh)
        idx = jnp.where(done, jnp.where(take, new_idx, n), idx)
        t = jnp.where(done, 0, t)
        return st, idx, t, nxt + jnp.sum(done), final, steps, loops + 1

    first = jax.tree.map(lambda x: x[:width], states)
    init = (first, jnp.arange(width), jnp.zeros(width, jnp.int32), jnp.int32(width), states,
            jnp.zeros(n, jnp.int32), jnp.int32(0))
    _, _, _, _, final, steps, loops = lax.while_loop(cond, body, init)
    return final, steps, loops


RUNS = {"vmap": _run_vmap, "map": _run_map, "refill": _run_refill}
"""How a batch is run inside one compiled call: (states, seeds) -> (final states, steps per battle, loop steps)."""


def bench_jax(states: dict, seeds: np.ndarray, mode: str, device: Any, seconds: float = 1.0) -> dict:
    """Compile (timed apart) and run one batch on `device`; the best of the runs made in `seconds` (at least one)."""
    s = jax.device_put(states, device)
    sd = jax.device_put(jnp.asarray(seeds.astype(np.uint32)), device)
    t0 = time.perf_counter()
    compiled = engine.jit(RUNS[mode]).lower(s, sd).compile()
    compile_s = time.perf_counter() - t0
    best, out, spent, runs = float("inf"), None, 0.0, 0
    while runs < 1 or (spent < seconds and runs < 50):
        t0 = time.perf_counter()
        out = compiled(s, sd)
        jax.block_until_ready(out)
        took = time.perf_counter() - t0
        best, spent, runs = min(best, took), spent + took, runs + 1
    final, n, loops = jax.tree.map(np.asarray, out)
    steps = int(n.sum())
    slots = {"vmap": len(seeds), "refill": min(REFILL_WIDTH, len(seeds))}.get(mode, 0) * int(loops) or steps
    return {"batch": len(seeds), "mode": mode, "device": str(device.platform), "compile_s": compile_s,
            "run_s": best, "steps": steps, "steps_per_s": steps / best, "slot_steps_per_s": slots / best,
            "bytes_per_battle": api.state_bytes(states) / len(seeds), "final": final, "n": n}


def bench_showdown(seeds: np.ndarray) -> dict:
    """The same battles through the Showdown adapter (batch API, one Node process)."""
    from adapters.showdown.adapter import Showdown

    env = Showdown()
    try:
        t0 = time.perf_counter()
        env.reset_batch(seeds.tolist())
        reset_s = time.perf_counter() - t0
        n = np.zeros(len(seeds), np.int64)
        t0 = time.perf_counter()
        for t in range(MAX_STEPS):
            masks = env.legal_actions_batch()
            live = masks.any(axis=(1, 2))
            if not live.any():
                break
            acts = np.array([[policy_pick(int(s), t, p, np.flatnonzero(m[p])) for p in range(2)]
                             for s, m in zip(seeds, masks, strict=True)], np.int64)
            env.step_batch(acts)
            n += live
        run_s = time.perf_counter() - t0
        snap = env.snapshot_batch()
    finally:
        env.close()
    return {"reset_s": reset_s, "run_s": run_s, "steps": int(n.sum()), "steps_per_s": n.sum() / run_s, "n": n,
            "prng": np.asarray(snap["prng"]), "turn": np.asarray(snap["turn"])}


def pin(core: int | None) -> None:
    """Pin this process (and the Node process it starts) to one core."""
    if core is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {core})


def _check_same_work(sd: dict, jx: dict, k: int) -> bool:
    """Showdown and a JAX run agree on the first k battles: steps, final turn, final PRNG state."""
    same = (np.array_equal(sd["n"], jx["n"][:k]) and np.array_equal(sd["turn"], jx["final"]["turn"][:k])
            and np.array_equal(sd["prng"], np.asarray(prng.words(jnp.asarray(jx["final"]["prng"][:k])))))
    print(f"  same work as Showdown on battles 0-{k - 1} ({jx['device']} {jx['mode']} B={jx['batch']}): steps, "
          f"final turns and final PRNG states {'equal' if same else 'DIFFER'}", flush=True)
    return same


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print one line per configuration (and --out JSON)."""
    global REFILL_WIDTH
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batches", default="1,16,256,4096,65536")
    ap.add_argument("--showdown", type=int, default=64, help="battles played by Showdown too (checked equal)")
    ap.add_argument("--modes", default="map,vmap,refill",
                    help="map: battles one after another (lax.map); vmap: together; refill: --width slots, refilled")
    ap.add_argument("--width", type=int, default=REFILL_WIDTH, help="slots of the refill mode")
    ap.add_argument("--budget", type=float, default=150.0,
                    help="skip a batch whose run is predicted (from the previous batch) to take longer (seconds)")
    ap.add_argument("--core", type=int, default=0, help="pin to this core (-1: no pinning)")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args(argv)
    if args.width < 1:
        ap.error(f"--width must be at least 1 (got {args.width})")
    REFILL_WIDTH = args.width
    pin(None if args.core < 0 else args.core)
    batches = sorted(int(b) for b in args.batches.split(","))
    modes = args.modes.split(",")
    devices = [jax.devices("cpu")[0]] + [d for d in jax.devices() if d.platform == "gpu"][:1]
    print(f"jax {jax.__version__}, devices {[str(d) for d in devices]}, affinity "
          f"{sorted(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else '?'}, load {os.getloadavg()}")
    print(f"teams: {describe()[:150]}")

    k = args.showdown
    n_max = max(batches + [k])
    states, seeds, setup_s = make_battles(n_max)
    per_battle = api.state_bytes(states) / n_max
    print(f"setup (teams + states of {n_max} battles): {setup_s:.1f} s; state {per_battle:.0f} bytes per battle, "
          f"{per_battle * 65536 / 2**20:.1f} MiB for 65,536", flush=True)
    sd = bench_showdown(seeds[:k])
    print(f"showdown (adapter, one Node process, batch {k}): {sd['steps_per_s']:,.0f} steps/s ({sd['steps']} steps "
          f"in {sd['run_s']:.2f} s; reset {sd['reset_s']:.2f} s)", flush=True)

    rows, finals, skipped = [], {}, []
    for device in devices:
        for mode in modes:
            rate = None
            for b in batches:
                predicted = None if rate is None else b * (sd["steps"] / k) / rate
                if predicted is not None and predicted > args.budget:
                    skipped.append({"device": device.platform, "mode": mode, "batch": b, "predicted_s": predicted})
                    print(f"{device.platform:4} {mode:4} B={b:6d}: skipped (predicted {predicted:,.0f} s > "
                          f"--budget {args.budget:.0f} s)", flush=True)
                    continue
                sub = jax.tree.map(lambda x, b=b: x[:b], states)
                r = bench_jax(sub, seeds[:b], mode, device)
                rate = r["steps_per_s"]
                finals[(device.platform, mode, b)] = r
                rows.append({key: v for key, v in r.items() if key not in ("final", "n")})
                print(f"{r['device']:4} {mode:4} B={b:6d}: {rate:12,.0f} steps/s ({r['steps']} steps in "
                      f"{r['run_s']:.3f} s; compile {r['compile_s']:.1f} s; {r['slot_steps_per_s']:,.0f} battle "
                      f"slots stepped/s)", flush=True)
                if b >= k and not _check_same_work(sd, r, k):
                    raise SystemExit("Showdown and PokeJAX did different work: the numbers are not comparable")
    ref = finals[max(finals, key=lambda key: key[2])]
    for key, r in finals.items():
        b = key[2]
        assert np.array_equal(r["n"], ref["n"][:b]), f"{key}: step counts differ from the largest batch"
        assert np.array_equal(r["final"]["prng"], ref["final"]["prng"][:b]), f"{key}: final PRNG states differ"
    print("all JAX runs agree on their shared battles (steps and final PRNG states)")
    if not any(b >= k for (_, _, b) in finals):
        raise SystemExit(f"no JAX batch covered the {k} Showdown battles: the work was not checked")
    for device in devices:
        best = max((r for r in rows if r["device"] == device.platform), key=lambda r: r["steps_per_s"])
        print(f"best {device.platform}: {best['steps_per_s']:,.0f} steps/s ({best['mode']}, B={best['batch']}) = "
              f"{best['steps_per_s'] / sd['steps_per_s']:,.1f}x Showdown through the adapter", flush=True)
    if args.out:
        args.out.write_text(json.dumps({
            "rows": rows, "skipped": skipped, "setup_s": setup_s, "bytes_per_battle": per_battle,
            "showdown": {key: v for key, v in sd.items() if key not in ("n", "prng", "turn")} | {"battles": k},
            "load": os.getloadavg()}, indent=1, default=float))


if __name__ == "__main__":
    main()
