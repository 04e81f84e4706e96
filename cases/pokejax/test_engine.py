"""PokeJAX turn engine against Showdown: battles of every Gen 1 move in lockstep.

Teams are built from explicit sets drawing from every Gen 1 move but Struggle (the case's dex,
cases/pokejax/data/gen1_legal.json, never the engine's own list); players pick random legal actions from a
seeded generator; after every step every field the case compares (PRNG state included) and the
legal masks must equal the Showdown adapter's snapshot. Speed ties are forced in some battles
(mirror leads) so the tie draws are exercised. `run_battle(seed, steps, max_size=7)` by hand
checks longer battles of up to six Pokemon a side.
"""

from __future__ import annotations

import numpy as np
import pytest

from cases.pokejax.case import compared_paths
from cases.pokejax.legal import dex, packed
from envs.pokejax import api, engine, state

SPECIES = ("tauros", "chansey", "snorlax", "alakazam", "starmie", "gengar", "rhydon", "jolteon", "exeggutor",
           "zapdos", "dugtrio", "persian", "kingler", "golem", "dragonite", "lapras", "mewtwo", "pidgeot", "arcanine",
           "jynx", "nidoking", "cloyster", "electrode", "articuno", "moltres", "tentacruel", "venusaur")


def every_move() -> list[str]:
    """Every Gen 1 move but Struggle, from the case's dex (what is tested is not asked of the engine)."""
    return [m for m in dex().moves if m != "struggle"]


def random_teams(rng: np.random.Generator, mirror: bool, max_size: int = 4,
                 moves: list[str] | None = None) -> list[list[dict]]:
    moves = every_move() if moves is None else moves
    teams = []
    for _ in range(2):
        size = int(rng.integers(1, max_size))
        team = []
        for sp in rng.choice(SPECIES, size=size, replace=False):
            n = int(rng.integers(1, 5))
            team.append({"species": str(sp), "level": int(rng.integers(50, 101)),
                         "moves": [str(m) for m in rng.choice(moves, size=n, replace=False)]})
        teams.append(team)
    if mirror:
        teams[1][0] = dict(teams[0][0])
    return teams


def diff(ours: dict, theirs: dict) -> list[str]:
    """Every field the case compares (masks aside, checked by lockstep), as 'path: pokejax .. showdown ..'."""
    bad = []
    for k in _FIELDS:
        a, b = ours[k], theirs[k]
        if isinstance(a, str) or isinstance(b, str):
            same = a == b
        else:
            same = np.array_equal(np.asarray(a), np.asarray(b))
        if not same:
            bad.append(f"{k}: pokejax {a!r} showdown {b!r}")
    return bad


_API_MASK = None
_FIELDS = [k for k in compared_paths() if not k.startswith("mask.")]


def lockstep(teams: list[list[dict]], seed: int, max_steps: int = 80, rng: np.random.Generator | None = None,
             script: list[tuple[int, int]] | None = None, rebuild: bool = False) -> list[dict]:
    """Play `teams` on Showdown and PokeJAX from battle `seed`, comparing every field the case compares and
    both legal masks (engine.legal_mask and the API's JAX one) before each step; returns Showdown's
    compared snapshots. Actions: `script` (each must be legal; it ends the battle early), else random
    legal ones from `rng`. rebuild: before every step, replace the PokeJAX state by
    `state.from_showdown_snapshot` of Showdown's snapshot (checked to map back onto it, masks too)."""
    from adapters.showdown.adapter import Showdown, derive_seeds

    global _API_MASK
    if _API_MASK is None:
        _API_MASK = engine.jit(api.legal_mask)
    env = Showdown(teams=[packed(t) for t in teams])
    snaps: list[dict] = []
    try:
        env.reset(seed)
        st = engine.reset(teams, derive_seeds(seed)["battle"])
        step = engine.jitted_step()
        plan = [*script, None] if script is not None else [None] * max_steps
        for n, acts in enumerate(plan):
            snap = env.snapshot()
            snaps.append(snap)
            mask = np.stack([snap["mask.p1"], snap["mask.p2"]])
            for label in ("", " rebuilt") if rebuild else ("",):
                bad = diff(state.to_snapshot(st), snap)
                assert not bad, f"seed {seed} step {n}{label} teams {teams}:\n" + "\n".join(bad[:20])
                assert np.array_equal(engine.legal_mask(st), mask), f"seed {seed} step {n}{label}: mask"
                assert np.array_equal(np.asarray(_API_MASK(st)), mask), f"seed {seed} step {n}{label}: API mask"
                if label == "" and rebuild:
                    st = state.from_showdown_snapshot(snap)
            if snap["ended"] or (script is not None and acts is None):
                break
            if acts is None:
                acts = [rng.choice(np.flatnonzero(m)) if m.any() else 0 for m in mask]
            acts = np.asarray(acts)
            assert all(mask[s, a] or not mask[s].any() for s, a in enumerate(acts)), f"step {n}: {acts} illegal"
            env.step(acts)
            st = step(st, acts)
    finally:
        env.close()
    return snaps


def steps_compared(snaps: list[dict]) -> int:
    """The steps a `lockstep` run played (its last snapshot is the end, or the step limit's last state)."""
    return len(snaps) - 1 if snaps[-1]["ended"] else len(snaps)


def run_battle(seed: int, max_steps: int = 80, max_size: int = 4, moves: list[str] | None = None,
               rebuild: bool = False) -> int:
    """One random battle (random_teams from a move pool) in lockstep; the number of steps compared."""
    rng = np.random.default_rng(seed)
    teams = random_teams(rng, mirror=seed % 2 == 0, max_size=max_size, moves=moves)
    return steps_compared(lockstep(teams, seed, max_steps, rng=rng, rebuild=rebuild))


@pytest.mark.parametrize("seed", range(6))
def test_lockstep_supported_moves(seed: int) -> None:
    assert run_battle(seed) >= 1, "the battle must last at least one compared step"


def test_step_program_stays_small() -> None:
    """The lowered step stays under 40,000 StableHLO lines (29,919 with all 165 moves, 22,865 with 158;
    jit then takes 14-75 s on 2 busy cores). A size bound, not a timer: it guards compile time without a
    flaky timed test."""
    import jax

    teams = [[{"species": "tauros", "moves": ["bodyslam", "hyperfang"]}], [{"species": "snorlax", "moves": ["rest"]}]]
    st = engine.reset(teams, "gen5,0123456789abcdef")
    lines = jax.jit(engine.step).lower(st, np.zeros(2, np.int32)).as_text().count("\n")
    assert 1000 < lines < 40_000, lines
