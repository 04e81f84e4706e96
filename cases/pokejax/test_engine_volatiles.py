"""PokeJAX turn engine against Showdown: the volatile moves supported so far.

The lockstep of test_engine.py with teams from confusion (Confuse Ray, Supersonic, Psybeam and
Confusion secondaries, self-hits), Hyper Beam's recharge (cut by a flinch, a sleep move that
always lands), Leech Seed (with the Toxic counter), Haze clearing them, and partners.
"""

from __future__ import annotations

import pytest

from cases.pokejax.test_engine import run_battle


def volatile_moves() -> list[str]:
    """Confusion, recharge and Leech Seed with the moves that interact with them."""
    return ["confuseray", "supersonic", "psybeam", "confusion", "hyperbeam", "leechseed", "toxic", "spore", "sing",
            "haze", "headbutt", "bite", "swordsdance", "agility", "thunderwave", "recover", "rest", "bodyslam",
            "seismictoss", "explosion"]


@pytest.mark.parametrize("seed", range(4000, 4004))
def test_lockstep_volatile_moves(seed: int) -> None:
    assert run_battle(seed, 80, max_size=4, moves=volatile_moves()) >= 1


def counter_moves() -> list[str]:
    """Counter with Normal/Fighting attacks, others, Conversion and switches' lastDamage."""
    return ["counter", "bodyslam", "submission", "seismictoss", "hyperbeam", "doubleedge", "surf", "psychic",
            "conversion", "thunderwave", "drillpeck", "karatechop", "lowkick", "explosion", "rest", "agility"]


@pytest.mark.parametrize("seed", range(5000, 5002))
def test_lockstep_counter_pool(seed: int) -> None:
    assert run_battle(seed, 80, max_size=4, moves=counter_moves()) >= 1


def substitute_moves() -> list[str]:
    """Substitute against every kind of move it blocks, lets through or breaks on."""
    return ["substitute", "bodyslam", "hyperbeam", "psybeam", "toxic", "thunderwave", "sleeppowder", "leechseed",
            "confuseray", "growl", "screech", "megadrain", "dreameater", "doubleedge", "pinmissile", "explosion",
            "seismictoss", "counter", "jumpkick", "fissure", "icebeam", "flamethrower", "recover", "swordsdance"]


@pytest.mark.parametrize("seed", range(6000, 6003))
def test_lockstep_substitute_pool(seed: int) -> None:
    assert run_battle(seed, 80, max_size=4, moves=substitute_moves()) >= 1


def two_turn_moves() -> list[str]:
    """The two-turn moves (Fly/Dig invulnerable) with what stops or meets them."""
    return ["skyattack", "solarbeam", "skullbash", "razorwind", "fly", "dig", "swift", "thunderwave", "confuseray",
            "bodyslam", "bite", "counter", "substitute", "seismictoss", "toxic", "sleeppowder", "jumpkick", "haze"]


@pytest.mark.parametrize("seed", range(7000, 7003))
def test_lockstep_two_turn_pool(seed: int) -> None:
    assert run_battle(seed, 80, max_size=4, moves=two_turn_moves()) >= 1


def mimic_moves() -> list[str]:
    """Mimic against varied movesets, with switches restoring the slot."""
    return ["mimic", "bodyslam", "thunderbolt", "psychic", "recover", "toxic", "earthquake", "poisongas", "hyperbeam",
            "substitute", "skyattack", "counter", "amnesia", "reflect"]


@pytest.mark.parametrize("seed", range(8000, 8002))
def test_lockstep_mimic_pool(seed: int) -> None:
    assert run_battle(seed, 80, max_size=4, moves=mimic_moves()) >= 1


def mirror_moves() -> list[str]:
    """Mirror Move copying damaging, status, two-turn, multi-hit and self moves."""
    return ["mirrormove", "bodyslam", "thunderbolt", "skyattack", "fly", "doublekick", "swordsdance", "thunderwave",
            "hyperbeam", "explosion", "mimic", "counter", "substitute", "recover", "spore", "confuseray", "drillpeck",
            "toxic", "leechseed", "seismictoss"]


@pytest.mark.parametrize("seed", range(9000, 9002))
def test_lockstep_mirror_move_pool(seed: int) -> None:
    assert run_battle(seed, 80, max_size=4, moves=mirror_moves()) >= 1


def lock_moves() -> list[str]:
    """Thrash/Petal Dance and Rage (the stored-accuracy bug) with what interrupts or feeds them."""
    return ["thrash", "petaldance", "rage", "doubleteam", "sandattack", "thunderwave", "confuseray", "spore",
            "pinmissile", "explosion", "substitute", "bodyslam", "haze", "swift", "recover"]


@pytest.mark.parametrize("seed", range(9500, 9502))
def test_lockstep_lock_pool(seed: int) -> None:
    assert run_battle(seed, 80, max_size=4, moves=lock_moves()) >= 1


def disable_moves() -> list[str]:
    """Disable against locks, two-turn moves, Rage, Mimic slots, low PP, Haze and switches."""
    return ["disable", "bodyslam", "thunderbolt", "skyattack", "rage", "thrash", "mimic", "haze", "hyperbeam",
            "recover", "confuseray", "thunderwave", "spore", "seismictoss", "mirrormove", "substitute", "fly"]


@pytest.mark.parametrize("seed", range(9700, 9703))
def test_lockstep_disable_pool(seed: int) -> None:
    assert run_battle(seed, 80, max_size=4, moves=disable_moves()) >= 1


def disable_lock_moves() -> list[str]:
    """Disable against the locked moves, the only way a disabled move is still attempted (and stopped)."""
    return ["disable", "skyattack", "solarbeam", "thrash", "petaldance", "rage", "fly", "dig", "skullbash", "bodyslam"]


@pytest.mark.parametrize("seed", [9706, 9707])
def test_lockstep_disable_stops_locked_moves(seed: int) -> None:
    assert run_battle(seed, 80, max_size=4, moves=disable_lock_moves()) >= 1
