"""PokeJAX turn engine against Showdown: damaging moves with an effect of their own.

The lockstep of test_engine.py with teams from multi-hit moves (Twineedle included), drain
(Dream Eater with the sleep moves that enable it), fixed damage (Seismic Toss, Night Shade,
Dragon Rage, Sonic Boom, Super Fang, Psywave), OHKO moves, Self-Destruct/Explosion (double
faints, ties), Jump Kick/High Jump Kick crashes, recoil, high-crit moves and Swift.
"""

from __future__ import annotations

import pytest

from cases.pokejax.test_engine import run_battle


def special_moves() -> list[str]:
    """The special damaging moves and a few partners."""
    return ["doubleslap", "cometpunch", "furyattack", "pinmissile", "spikecannon", "barrage", "furyswipes",
            "doublekick", "bonemerang", "twineedle", "absorb", "megadrain", "leechlife", "dreameater", "spore",
            "hypnosis", "seismictoss", "nightshade", "dragonrage", "sonicboom", "superfang", "psywave", "guillotine",
            "horndrill", "fissure", "selfdestruct", "explosion", "jumpkick", "highjumpkick", "takedown", "doubleedge",
            "submission", "swift", "karatechop", "slash", "crabhammer", "razorleaf", "reflect", "lightscreen",
            "focusenergy", "agility", "doubleteam", "thunderwave"]


@pytest.mark.parametrize("seed", range(3000, 3004))
def test_lockstep_special_moves(seed: int) -> None:
    assert run_battle(seed, 80, max_size=4, moves=special_moves()) >= 1
