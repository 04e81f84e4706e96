"""PokeJAX turn engine against Showdown: stat stages, screens, Haze, Mist, Focus Energy, healing.

The lockstep of test_engine.py with teams drawn from a pool weighted towards the stage and
self-targeting moves (Swords Dance, Growl, Amnesia, Minimize, Reflect, Light Screen, Haze, Mist,
Focus Energy, Recover, Soft-Boiled, Rest, Roar, ...) plus a few status and damaging moves, so
the 999 and stage-limit quirks, the par/brn re-application after a stage change, Haze's cures
and the recovery failures come up.
"""

from __future__ import annotations

import pytest

from cases.pokejax.test_engine import run_battle, every_move
from envs.pokejax.movefx import FAM_BOOST, FAM_SELF, movefx
from envs.pokejax.tables import tables

PARTNERS = ("thunderwave", "toxic", "spore", "glare", "bodyslam", "psychic", "blizzard", "earthquake", "surf",
            "hyperfang", "struggle")


def stage_moves() -> list[str]:
    """The stage/self moves the engine supports, plus a few status and damaging partners."""
    t = tables()
    fx = movefx()
    fam = [m for m in every_move() if fx.family[t.move_index(m)] in (FAM_BOOST, FAM_SELF)]
    return fam + [m for m in PARTNERS if m in every_move()]


@pytest.mark.parametrize("seed", range(1000, 1004))
def test_lockstep_stage_moves(seed: int) -> None:
    assert run_battle(seed, 80, max_size=4, moves=stage_moves()) >= 1


def haze_moves() -> list[str]:
    """A small pool where Haze meets sleep, freeze, Toxic, Rest and stages often."""
    return ["haze", "spore", "toxic", "rest", "recover", "swordsdance", "agility", "thunderwave", "icebeam", "mist",
            "growl", "reflect", "lightscreen", "focusenergy", "slash", "minimize", "defensecurl"]


@pytest.mark.parametrize("seed", range(2000, 2002))
def test_lockstep_haze_pool(seed: int) -> None:
    assert run_battle(seed, 80, max_size=3, moves=haze_moves()) >= 1
