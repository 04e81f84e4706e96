"""PokeJAX turn engine against Showdown: Bide and Metronome in lockstep.

Pools of random legal play (test_engine.run_battle) with Bide or Metronome and what meets them
(Counter, Substitute, Ghosts, sleep, switches, Hyper Beam, Mirror Move, multi-hit moves, Rage,
Disable, Haze), plus scripted battles whose witnesses say the rare paths really ran: a Bide
released onto a Ghost and onto a substitute, a Bide that stored nothing, Metronome calling
several different moves. Every step compares state.COVERED and both legal masks.
"""

from __future__ import annotations

import pytest

from cases.pokejax.test_engine import lockstep, run_battle


def play(teams: list[list[dict]], seed: int, script: list[tuple[int, int]]) -> list[dict]:
    """Lockstep over a fixed action script (each action must be legal); returns Showdown's snapshots."""
    return lockstep(teams, seed, script=script)


def _vol(snap: dict, side: str) -> list[str]:
    return snap[f"{side}.team.{int(snap[f'{side}.active'])}.volatiles"].split(",")


def test_bide_released_onto_a_ghost() -> None:
    """Snorlax bides through Gengar's Night Shades, then hits the Ghost for twice the stored damage
    (no type immunity); while biding only action 0 and switches are legal."""
    teams = [[{"species": "snorlax", "moves": ["bide", "bodyslam"]}, {"species": "chansey", "moves": ["softboiled"]}],
             [{"species": "gengar", "moves": ["nightshade"]}]]
    snaps = play(teams, 11, [(0, 0)] * 5)
    biding = [i for i, s in enumerate(snaps) if "bide" in _vol(s, "p1")]
    assert biding and all(snaps[i]["mask.p1"].tolist() == [1, 0, 0, 0, 1, 0, 0, 0, 0] for i in biding)
    end = biding[-1] + 1
    stored = int(snaps[end - 1]["p1.team.0.vol.bide.damage"]) + int(snaps[end - 1]["last_damage"])
    lost = int(snaps[end - 1]["p2.team.0.hp"]) - int(snaps[end]["p2.team.0.hp"])
    assert stored > 0 and lost == min(2 * stored, int(snaps[end - 1]["p2.team.0.hp"]))


def test_bide_into_a_substitute_and_bide_with_nothing_stored() -> None:
    """A released Bide breaks a substitute with the uncapped amount (which becomes lastDamage); a Bide
    whose foe only used status moves stores nothing and fails."""
    teams = [[{"species": "chansey", "moves": ["bide"]}],
             [{"species": "alakazam", "level": 60, "moves": ["substitute", "seismictoss"]}]]
    snaps = play(teams, 3, [(0, 0)] + [(0, 1)] * 4)
    broke = [i for i, (a, b) in enumerate(zip(snaps, snaps[1:]))
             if "substitute" in _vol(a, "p2") and "substitute" not in _vol(b, "p2")]
    assert broke, "the substitute must break"
    a, b = snaps[broke[0]], snaps[broke[0] + 1]
    stored = int(a["p1.team.0.vol.bide.damage"]) + 60
    assert "bide" in _vol(a, "p1") and int(b["last_damage"]) == 2 * stored > int(a["p2.team.0.vol.substitute.hp"])
    teams = [[{"species": "snorlax", "moves": ["bide"]}], [{"species": "jolteon", "moves": ["agility"]}]]
    snaps = play(teams, 5, [(0, 0)] * 4)
    ended = [b for a, b in zip(snaps, snaps[1:]) if "bide" in _vol(a, "p1") and "bide" not in _vol(b, "p1")]
    assert ended and all(int(s["p2.team.0.hp"]) == int(s["p2.team.0.maxhp"]) for s in snaps)


def test_metronome_calls_many_moves() -> None:
    """Metronome over several turns calls different moves (the side's selected move becomes each)."""
    teams = [[{"species": "chansey", "moves": ["metronome"]}], [{"species": "snorlax", "moves": ["splash"]}]]
    snaps = play(teams, 21, [(0, 0)] * 10)
    called = {s["p1.last_selected_move"] for s in snaps[1:]}
    assert len(called - {"metronome"}) >= 5, called


def bide_moves() -> list[str]:
    """Bide with what feeds it (multi-hit, fixed damage, OHKO on a substitute), stops or pauses it."""
    return ["bide", "bodyslam", "counter", "substitute", "seismictoss", "hyperbeam", "spore", "thunderwave",
            "confuseray", "lick", "nightshade", "doublekick", "pinmissile", "fissure", "rage", "mirrormove", "haze",
            "disable", "quickattack", "rest", "toxic", "leechseed", "fly", "explosion", "megadrain", "psychic"]


@pytest.mark.parametrize("seed", [100, 101, 102])
def test_lockstep_bide_pool(seed: int) -> None:
    assert run_battle(seed, 120, max_size=5, moves=bide_moves()) >= 1


def metronome_moves() -> list[str]:
    """Metronome with Mirror Move, Counter, Bide, Mimic, locks and two-turn moves it can call or meet."""
    return ["metronome", "bodyslam", "counter", "substitute", "mirrormove", "bide", "hyperbeam", "spore", "rage",
            "thrash", "mimic", "disable", "skyattack", "seismictoss", "confuseray", "thunderwave", "doublekick", "haze"]


@pytest.mark.parametrize("seed", [100, 101])
def test_lockstep_metronome_pool(seed: int) -> None:
    assert run_battle(seed, 120, max_size=5, moves=metronome_moves()) >= 1
