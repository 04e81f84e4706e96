"""Legal Gen 1 teams over every move and species: the inputs that reach the rare rules.

The random-battle sets never hold some moves and combinations, so the case also plays hand-free
explicit teams: each member a Gen 1 species at a level it can be, with 1-4 distinct moves it can
know in Gen 1 at that level (cases/pokejax/data/gen1_legal.json, extracted from Showdown's own
dex and learnsets by extract_legal.py; never from the engine). A battle is drawn under a *theme*:
"any" (species and moves uniform: every move and species is reachable) or a pool of rare
interactions (trapping, Bide, Metronome/Mirror Move, Transform, Counter, ...), whose members
prefer the pool's moves they can learn.

One builder serves two sources of choices: `battles()` is a Hypothesis strategy (failures shrink
toward the first species, move and theme), `battle_of_seed(seed)` draws the same way from a
numpy generator (the named sweep, `python -m cases.pokejax.sweep`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from hypothesis import strategies as st

T = TypeVar("T")
Pick = Callable[[Sequence[T]], T]
"""Chooses one element of a non-empty sequence (Hypothesis's draw, or a seeded generator)."""

DATA = Path(__file__).resolve().parent / "data" / "gen1_legal.json"
LEVELS = (100, 100, 100, 90, 80, 70, 60, 50, 30)
SIZES = (1, 1, 2, 2, 3, 3, 4, 5, 6)
MOVE_COUNTS = (4, 4, 4, 4, 3, 2, 1)

THEMES: dict[str, tuple[str, ...]] = {
    "any": (),
    "trapping": ("wrap", "bind", "firespin", "clamp"),
    "trap-disable-bide": ("wrap", "bind", "firespin", "clamp", "disable", "bide"),
    "bide": ("bide", "counter", "substitute", "seismictoss", "dragonrage", "sonicboom", "fissure", "hyperbeam"),
    "metronome-mirror": ("metronome", "mirrormove", "bide", "counter", "transform", "mimic", "rage"),
    "transform": ("transform", "mimic", "conversion", "haze", "disable", "substitute", "metronome"),
    "counter": ("counter", "seismictoss", "bodyslam", "hyperbeam", "quickattack", "doublekick", "pinmissile"),
    "substitute": ("substitute", "hyperbeam", "explosion", "selfdestruct", "leechseed", "toxic", "thunderwave",
                   "sleeppowder", "confuseray", "doubleslap", "superfang", "psywave"),
    "disable": ("disable", "thrash", "petaldance", "rage", "razorwind", "solarbeam", "skyattack", "fly", "dig",
                "hyperbeam", "mimic", "metronome"),
    "rage": ("rage", "disable", "bide", "counter", "leechseed", "thunderwave", "confuseray"),
    "multi-hit": ("doubleslap", "cometpunch", "furyattack", "furyswipes", "pinmissile", "spikecannon", "barrage",
                  "doublekick", "twineedle", "bonemerang", "substitute", "bide", "counter"),
    "ohko": ("fissure", "horndrill", "guillotine", "agility", "substitute", "bide", "counter"),
    "recoil": ("doubleedge", "takedown", "submission", "jumpkick", "highjumpkick", "explosion",
               "selfdestruct", "substitute", "minimize", "doubleteam", "sandattack", "smokescreen"),
    "sleep-freeze": ("spore", "sleeppowder", "hypnosis", "lovelykiss", "sing", "rest", "icebeam", "blizzard",
                     "icepunch", "firepunch", "ember", "flamethrower", "fireblast", "firespin", "haze", "dreameater"),
    "freeze-thaw": ("icebeam", "blizzard", "icepunch", "ember", "flamethrower", "fireblast", "firepunch"),
    "haze": ("haze", "swordsdance", "amnesia", "minimize", "doubleteam", "agility", "growth", "toxic", "leechseed",
             "confuseray", "reflect", "lightscreen", "focusenergy", "mist", "thunderwave"),
    "leech-toxic": ("leechseed", "toxic", "poisonpowder", "poisongas", "smog", "sludge", "ember",
                    "rest", "recover", "softboiled", "substitute"),
    "two-turn": ("fly", "dig", "solarbeam", "skullbash", "skyattack", "razorwind", "swift", "thunderwave",
                 "mirrormove", "counter", "transform", "conversion"),
    "status-immunity": ("thunderwave", "thunderbolt", "bodyslam", "lick", "stunspore", "glare", "poisonpowder",
                        "toxic", "earthquake", "seismictoss", "nightshade", "karatechop", "lowkick", "submission"),
    "stat-limits": ("swordsdance", "amnesia", "agility", "growth", "sharpen", "meditate", "barrier", "acidarmor",
                    "withdraw", "harden", "growl", "leer", "tailwhip", "screech", "stringshot", "kinesis",
                    "thunderwave", "focusenergy"),
}
"""Theme -> the moves its members prefer (unknown or unlearnable names are ignored per species)."""


@dataclass(frozen=True)
class Dex:
    """The extracted Gen 1 data: every move id, the 151 species and what each can learn (at what level)."""

    moves: tuple[str, ...]
    species: tuple[str, ...]
    learnset: Mapping[str, Mapping[str, int]]
    types: Mapping[str, tuple[str, ...]]
    version: str


@lru_cache(maxsize=1)
def dex() -> Dex:
    """The case's Gen 1 dex (cases/pokejax/data/gen1_legal.json)."""
    data = json.loads(DATA.read_text())
    return Dex(tuple(data["moves"]), tuple(s["id"] for s in data["species"]),
               {s["id"]: dict(s["learnset"]) for s in data["species"]},
               {s["id"]: tuple(s["types"]) for s in data["species"]}, data["version"])


def legal_moves(species: str, level: int) -> list[str]:
    """The moves `species` can know at `level` in Gen 1 (sorted)."""
    return sorted(m for m, lv in dex().learnset[species].items() if lv <= level)


def _learners(theme: str) -> list[str]:
    """Species that can learn at least one move of `theme` (at level 100)."""
    pool = set(THEMES[theme])
    return [s for s in dex().species if pool & set(dex().learnset[s])]


def member(pick: Pick, theme: str, taken: set[str]) -> dict[str, Any]:
    """One legal member: species (new to the team), level, 1-4 distinct moves; under a theme it prefers the pool."""
    themed = bool(THEMES[theme]) and pick((True, True, False))
    choices = _learners(theme) if themed else list(dex().species)
    species = pick([s for s in choices if s not in taken] or [s for s in dex().species if s not in taken])
    level = pick(LEVELS)
    legal = legal_moves(species, level) or legal_moves(species, 100)
    if not legal_moves(species, level):
        level = 100
    pool = [m for m in THEMES[theme] if m in legal]
    moves: list[str] = []
    for _ in range(min(pick(MOVE_COUNTS), len(legal))):
        prefer = [m for m in pool if m not in moves]
        from_pool = bool(prefer) and (not moves or pick((True, False)))
        moves.append(pick(prefer if from_pool else [m for m in legal if m not in moves]))
    return {"species": species, "level": level, "moves": moves}


def team(pick: Pick, theme: str) -> list[dict[str, Any]]:
    """A legal team of 1-6 distinct species."""
    out: list[dict[str, Any]] = []
    for _ in range(pick(SIZES)):
        out.append(member(pick, theme, {m["species"] for m in out}))
    return out


def battle(pick: Pick, theme: str | None = None) -> tuple[str, list[list[dict[str, Any]]]]:
    """(theme, [p1 team, p2 team]) drawn with `pick` (the theme too, unless given)."""
    name = pick(tuple(THEMES)) if theme is None else theme
    return name, [team(pick, name), team(pick, name)]


@st.composite
def battles(draw: Callable[[Any], Any], theme: str | None = None) -> tuple[str, list[list[dict[str, Any]]]]:
    """Hypothesis strategy of (theme, two legal teams)."""
    return battle(lambda seq: draw(st.sampled_from(list(seq))), theme)


def battle_of_seed(seed: int, theme: str | None = None) -> tuple[str, list[list[dict[str, Any]]]]:
    """The battle drawn from numpy's generator seeded with `seed` (the same builder as `battles`)."""
    rng = np.random.default_rng(seed)
    return battle(lambda seq: seq[int(rng.integers(len(seq)))], theme)


def packed(team_sets: Sequence[Mapping[str, Any]]) -> str:
    """Showdown's packed team format of a team (the reset option `teams`); EVs 255, IVs 30 and level 100
    unless a set says otherwise (hand-built test teams often give species and moves only)."""
    rows = []
    for m in team_sets:
        evs = ",".join(str(v) for v in m.get("evs", (255,) * 6))
        ivs = ",".join(str(v) for v in m.get("ivs", (30,) * 6))
        rows.append(f"{m.get('name', m['species'])}|{m['species']}||noability|{','.join(m['moves'])}|Serious|"
                    f"{evs}||{ivs}||{int(m.get('level', 100))}|")
    return "]".join(rows)


def options(teams: Sequence[Sequence[Mapping[str, Any]]]) -> dict[str, list[str]]:
    """Both sides' reset options of a battle: {"teams": [packed p1, packed p2]}."""
    return {"teams": [packed(t) for t in teams]}
