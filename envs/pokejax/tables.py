"""PokeJAX's static tables as numpy arrays, read from the generated JSON in envs/pokejax/data/.

Indices: a species is its dex number (1-151, 0 = none); a move is its number (1-165, 0 = none;
Struggle is 165); the move columns have one more row, NOMOVE_ROW (166): the move a thawed Pokemon
uses when its side never selected one (Showdown's gen1 `nomove`: Fissure's id, 102 power, `???`,
Special, accuracy 81/256 of 100, i.e. threshold 80, 10 PP); `move_ids`/`move_data` stop at 165. A type is its place in TYPES (alphabetical, 0-14), NO_TYPE (-1) marks a
missing second type and TYPELESS (15) is Showdown's `???` (Bide, confusion damage). Arrays are
int16/int8 so they can be closed over by jitted code cheaply.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

DATA = Path(__file__).resolve().parent / "data"
STAT_NAMES = ("hp", "atk", "def", "spa", "spd", "spe")
CATEGORIES = ("Physical", "Special", "Status")
PHYSICAL, SPECIAL, STATUS = 0, 1, 2
NO_TYPE = -1
ACC_ALWAYS = -1
DAMAGE_LEVEL = -1
NOMOVE_ROW = 166
"""The extra move row: what Showdown's gen1 runMove makes of `nomove` (data/mods/gen1/scripts.ts)."""


def load(name: str) -> dict[str, Any]:
    """One generated JSON file (without the .json)."""
    return json.loads((DATA / f"{name}.json").read_text())


@dataclass(frozen=True)
class Tables:
    """Species, moves and the type chart as arrays indexed by number."""

    types: tuple[str, ...]
    species_ids: tuple[str, ...]
    base_stats: np.ndarray
    species_types: np.ndarray
    move_ids: tuple[str, ...]
    move_type: np.ndarray
    move_category: np.ndarray
    move_power: np.ndarray
    move_accuracy: np.ndarray
    move_acc255: np.ndarray
    move_pp: np.ndarray
    move_priority: np.ndarray
    move_crit_ratio: np.ndarray
    move_damage: np.ndarray
    move_ohko: np.ndarray
    move_selfdestruct: np.ndarray
    move_ignore_immunity: np.ndarray
    move_target_self: np.ndarray
    move_partial_trap: np.ndarray
    move_multihit: np.ndarray
    move_secondary_chance: np.ndarray
    move_data: tuple[dict[str, Any], ...]
    effectiveness: np.ndarray
    immune: np.ndarray

    @property
    def typeless(self) -> int:
        """The index of Showdown's typeless `???`."""
        return len(self.types)

    def type_index(self, name: str) -> int:
        """Index of a type name (`???` is TYPELESS)."""
        return self.typeless if name == "???" else self.types.index(name)

    def species_index(self, species_id: str) -> int:
        """Dex number of a species id."""
        return self.species_ids.index(species_id)

    def move_index(self, move_id: str) -> int:
        """Number of a move id."""
        return self.move_ids.index(move_id)


def secondary_chance_256(secondary: dict[str, Any]) -> int:
    """Gen 1's secondary-effect threshold out of 256: ceil(chance * 256 / 100), one less for confusion."""
    chance = secondary.get("chance")
    if chance is None:
        return 256
    value = -(-chance * 256 // 100)
    return value - 1 if secondary.get("volatileStatus") == "confusion" else value


@lru_cache(maxsize=1)
def tables() -> Tables:
    """The tables (read once)."""
    sp, mv, tc = load("species"), load("moves"), load("typechart")
    types = tuple(sp["types"])
    n_species = len(sp["species"]) + 1
    base = np.zeros((n_species, 6), np.int16)
    stypes = np.full((n_species, 2), NO_TYPE, np.int8)
    ids = [""] * n_species
    for s in sp["species"]:
        i = s["num"]
        ids[i] = s["id"]
        base[i] = [s["baseStats"][k] for k in STAT_NAMES]
        for k, t in enumerate(s["types"]):
            stypes[i, k] = types.index(t)
    moves = mv["moves"]
    n_moves = len(moves) + 1
    assert n_moves == NOMOVE_ROW, n_moves
    cols = {name: np.zeros(n_moves + 1, np.int16) for name in (
        "type", "category", "power", "accuracy", "acc255", "pp", "priority", "crit_ratio", "damage", "ohko",
        "selfdestruct", "ignore_immunity", "target_self", "partial_trap", "secondary_chance")}
    multihit = np.zeros((n_moves + 1, 2), np.int8)
    move_ids = [""] * n_moves
    data: list[dict[str, Any]] = [{}] * n_moves
    for m in moves:
        i = m["num"]
        move_ids[i], data[i] = m["id"], m
        cols["type"][i] = len(types) if m["type"] == "???" else types.index(m["type"])
        cols["category"][i] = CATEGORIES.index(m["category"])
        cols["power"][i] = m["basePower"]
        cols["accuracy"][i] = ACC_ALWAYS if m["accuracy"] is True else m["accuracy"]
        cols["acc255"][i] = ACC_ALWAYS if m["accuracy"] is True else m["accuracy"] * 255 // 100
        cols["pp"][i] = m["pp"]
        cols["priority"][i] = m["priority"]
        cols["crit_ratio"][i] = m["critRatio"]
        dmg = m.get("damage", 0)
        cols["damage"][i] = DAMAGE_LEVEL if dmg == "level" else dmg
        cols["ohko"][i] = bool(m.get("ohko"))
        cols["selfdestruct"][i] = bool(m.get("selfdestruct"))
        cols["ignore_immunity"][i] = m.get("ignoreImmunity") is True
        cols["target_self"][i] = m["target"] == "self"
        cols["partial_trap"][i] = m.get("self", {}).get("volatileStatus") == "partialtrappinglock"
        secs = m.get("secondaries") or []
        cols["secondary_chance"][i] = secondary_chance_256(secs[0]) if secs else 0
        hits = m.get("multihit", 0)
        multihit[i] = hits if isinstance(hits, list) else [hits, hits]
    fissure = move_ids.index("fissure")
    for name, value in (("type", len(types)), ("category", SPECIAL), ("power", 102), ("accuracy", 32),
                        ("acc255", 81 * 255 // 256), ("pp", 10),
                        ("crit_ratio", cols["crit_ratio"][fissure])):
        cols[name][NOMOVE_ROW] = value
    return Tables(
        types=types, species_ids=tuple(ids), base_stats=base, species_types=stypes, move_ids=tuple(move_ids),
        move_type=cols["type"].astype(np.int8), move_category=cols["category"].astype(np.int8),
        move_power=cols["power"], move_accuracy=cols["accuracy"], move_acc255=cols["acc255"],
        move_pp=cols["pp"].astype(np.int8),
        move_priority=cols["priority"].astype(np.int8), move_crit_ratio=cols["crit_ratio"].astype(np.int8),
        move_damage=cols["damage"], move_ohko=cols["ohko"].astype(bool),
        move_selfdestruct=cols["selfdestruct"].astype(bool), move_ignore_immunity=cols["ignore_immunity"].astype(bool),
        move_target_self=cols["target_self"].astype(bool), move_partial_trap=cols["partial_trap"].astype(bool),
        move_multihit=multihit, move_secondary_chance=cols["secondary_chance"], move_data=tuple(data),
        effectiveness=np.asarray(tc["effectiveness"], np.int8), immune=np.asarray(tc["immune"], bool),
    )
