"""PokeJAX turn engine against Showdown: Gen 1 partial trapping (Wrap, Bind, Fire Spin, Clamp) in lockstep.

Every Pokemon carries a trapping move next to what meets it: switches (random legal actions switch
often), Counter, Substitute, Hyper Beam, Mirror Move, paralysis, sleep, confusion, Thrash, Rage,
Fly, Disable, Haze; Ghosts (Wrap/Bind deal 0 but still trap) and Fire types against Fire Spin. Each
battle must show the lock (`partialtrappinglock`) and the trap, so a pool that never traps fails;
after every step the state (PRNG included) and both legal masks (engine.legal_mask and the API's JAX
mask) equal Showdown's.
"""

from __future__ import annotations

import numpy as np
import pytest

from cases.pokejax.test_engine import SPECIES, lockstep, steps_compared
from envs.pokejax import engine

TRAPS = ("wrap", "bind", "firespin", "clamp")
PARTNERS = ("bodyslam", "counter", "substitute", "thunderwave", "hyperbeam", "mirrormove", "surf", "flamethrower",
            "psychic", "seismictoss", "toxic", "sleeppowder", "confuseray", "rest", "stunspore", "bite", "quickattack",
            "haze", "disable", "leechseed", "fly", "thrash", "rage", "explosion", "agility", "doubleteam")
TRAP_SPECIES = tuple(sorted(set(SPECIES) | {"gengar", "haunter", "gastly", "charizard", "flareon", "ninetales",
                                             "rapidash", "magmar"}))
TRAP_VOLATILES = ("partialtrappinglock", "partiallytrapped", "fakepartiallytrapped")


def trap_teams(rng: np.random.Generator, max_size: int, partners: tuple[str, ...] = PARTNERS) -> list[list[dict]]:
    """Two random teams (mirror leads half the time) where every set holds one trapping move."""
    teams = []
    for _ in range(2):
        team = []
        for sp in rng.choice(TRAP_SPECIES, size=int(rng.integers(1, max_size)), replace=False):
            n = int(rng.integers(1, 5))
            mv = [str(rng.choice(TRAPS))] + [str(m) for m in rng.choice(partners, size=n - 1, replace=False)]
            rng.shuffle(mv)
            team.append({"species": str(sp), "level": int(rng.integers(50, 101)), "moves": mv})
        teams.append(team)
    if rng.integers(2):
        teams[1][0] = dict(teams[0][0])
    return teams


def play_trapping(seed: int, max_steps: int = 120, max_size: int = 5, rebuild: bool = False,
                  partners: tuple[str, ...] = PARTNERS) -> tuple[int, set[str]]:
    """One lockstep battle of trap_teams; returns (steps compared, trap volatiles seen on an active)."""
    rng = np.random.default_rng(seed)
    teams = trap_teams(rng, max_size, partners)
    snaps = lockstep(teams, seed, max_steps, rng=rng, rebuild=rebuild)
    seen = {v for snap in snaps for p in ("p1", "p2")
            for v in snap[f"{p}.team.{snap[f'{p}.active']}.volatiles"].split(",")} & set(TRAP_VOLATILES)
    return steps_compared(snaps), seen


def test_trapping_moves_supported() -> None:
    assert all(engine.supported_move(m) for m in TRAPS)


@pytest.mark.parametrize("seed", range(100, 103))
def test_lockstep_trapping_pool(seed: int) -> None:
    steps, seen = play_trapping(seed)
    assert steps >= 1 and {"partialtrappinglock", "partiallytrapped"} <= seen, seen


@pytest.mark.parametrize("seed", (104,))
def test_lockstep_trapping_rebuilt_from_snapshot(seed: int) -> None:
    """The lock's target and the trap's maybeLocked mark, absent from the snapshot, are rebuilt right (without
    Rage, Thrash and Counter, whose stored accuracy and side.lastMove the snapshot cannot give back)."""
    partners = tuple(m for m in PARTNERS if m not in ("rage", "thrash", "counter"))
    steps, seen = play_trapping(seed, rebuild=True, partners=partners)
    assert steps >= 1 and "partialtrappinglock" in seen, seen
