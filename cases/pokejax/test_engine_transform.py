"""PokeJAX Transform against Showdown in lockstep (envs/pokejax/transform.py).

Teams mix Ditto (Transform only), Mew and other species whose sets hold Transform about half the
time, with what meets it: stat-stage moves and Haze (copied boosts and stats), Disable and Mimic
on copied slots, Counter, Substitute, Fly/Dig (Transform reaches an invulnerable foe), Mirror
Move (copies Transform; the PP glitch), Conversion, paralysis and burn (the copied drops), and
switches (the set comes back). Every step compares state.COVERED (species, types, stats, moves,
PP, `transformed`, PRNG state ...) and the legal masks. `run_transform_battle(seed, steps,
max_size=7)` by hand sweeps longer battles.
"""

from __future__ import annotations

import numpy as np
import pytest

from cases.pokejax.test_engine import SPECIES, lockstep, steps_compared
from envs.pokejax import engine

POOL = ("swordsdance", "growl", "agility", "amnesia", "doubleteam", "haze", "disable", "mimic", "counter",
        "substitute", "fly", "dig", "mirrormove", "conversion", "thunderwave", "flamethrower", "bodyslam", "earthquake",
        "psychic", "hyperbeam", "seismictoss", "recover", "rest", "toxic", "thunderbolt", "explosion", "quickattack",
        "focusenergy", "reflect", "skyattack")


def transform_teams(rng: np.random.Generator, mirror: bool, max_size: int = 4,
                    ditto_only: bool = False) -> list[list[dict]]:
    """Two teams: Ditto with Transform only, Mew, other species; Transform in about half the other sets
    (ditto_only: Ditto is the only Pokemon with Transform)."""
    pool = list(POOL)
    teams = []
    for _ in range(2):
        size = int(rng.integers(1, max_size))
        names = list(rng.choice(SPECIES, size=size, replace=False))
        if rng.random() < 0.6:
            names[int(rng.integers(0, size))] = "ditto"
        if rng.random() < 0.4 and not ditto_only:
            names[int(rng.integers(0, size))] = "mew"
        team = []
        for sp in dict.fromkeys(names):
            level = int(rng.integers(50, 101))
            if sp == "ditto":
                team.append({"species": "ditto", "level": level, "moves": ["transform"]})
                continue
            n = int(rng.integers(1, 5))
            moves = [str(m) for m in rng.choice(pool, size=n, replace=False)]
            if (rng.random() < 0.5 or sp == "mew") and not ditto_only:
                moves[int(rng.integers(0, n))] = "transform"
            team.append({"species": str(sp), "level": level, "moves": list(dict.fromkeys(moves))})
        teams.append(team)
    if mirror:
        teams[1][0] = dict(teams[0][0])
    return teams


def run_transform_battle(seed: int, max_steps: int = 80, max_size: int = 4, rebuild: bool = False) -> tuple[int, int]:
    """One lockstep battle; returns (steps compared, steps with a transformed Pokemon in Showdown).

    rebuild: before every step the state is rebuilt by `state.from_showdown_snapshot` (its guess of a
    transformed Pokemon's set is exact for Ditto only, so use it with Ditto as the only transformer).
    """
    rng = np.random.default_rng(seed)
    teams = transform_teams(rng, mirror=seed % 2 == 0, max_size=max_size, ditto_only=rebuild)
    snaps = lockstep(teams, seed, max_steps, rng=rng, rebuild=rebuild)
    seen = sum(any(snap[f"p{s}.team.{i}.transformed"] for s in (1, 2) for i in range(6)) for snap in snaps)
    return steps_compared(snaps), seen


def run_script(teams: list[list[dict]], seed: int, actions: list[tuple[int, int]]) -> list[dict]:
    """Play a scripted battle in lockstep (every step compared as above); returns Showdown's snapshots."""
    return lockstep(teams, seed, script=actions)


DITTO = {"species": "ditto", "level": 100, "moves": ["transform"]}


def test_mirror_move_while_transformed_gives_the_set_pp() -> None:
    """A transformed Ditto's Mirror Move (copied slot 0) calls Body Slam: Transform's PP (the set's slot 0)
    gains one back, seen after the switch-out (16 of 16, not 15)."""
    teams = [[DITTO, {"species": "snorlax", "moves": ["bodyslam"]}],
             [{"species": "pidgeot", "moves": ["mirrormove", "bodyslam"]}]]
    snaps = run_script(teams, 5, [(0, 1), (0, 1), (4, 1)])
    assert snaps[2]["p1.team.0.transformed"] and snaps[2]["p1.team.0.last_move"] == "bodyslam"
    assert not snaps[3]["p1.team.0.transformed"] and snaps[3]["p1.team.0.move.0.pp"] == 16


def test_mimic_past_the_set_slots_has_no_pp_ups() -> None:
    """Ditto (one set slot) transformed, then Mimic from copied slot 1: maxpp is the move's base PP."""
    teams = [[DITTO], [{"species": "snorlax", "moves": ["bodyslam", "mimic"]}]]
    snaps = run_script(teams, 2, [(0, 0), (1, 0)])
    assert snaps[2]["p1.team.0.move.1.id"] in ("bodyslam", "mimic")
    assert snaps[2]["p1.team.0.move.1.maxpp"] in (15, 10) and snaps[1]["p1.team.0.move.1.pp"] == 5


def test_transform_only_teams_tie_at_once() -> None:
    """Two teams of only Transform: the start's Endless Battle Clause ends the battle in a tie."""
    snaps = run_script([[DITTO], [dict(DITTO, level=90)]], 1, [])
    assert snaps[0]["ended"] and snaps[0]["winner"] == ""


def test_transform_is_supported() -> None:
    assert engine.supported_move("transform")


@pytest.mark.parametrize("seed", range(4))
def test_lockstep_transform_pool(seed: int) -> None:
    steps, seen = run_transform_battle(seed, max_steps=60, max_size=4)
    assert steps >= 1 and seen >= 1, "a Pokemon must be transformed in at least one compared step"
