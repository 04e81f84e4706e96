"""The card pool (envs/tcg/data/cards.json) as numeric tables: the one place both engines read card facts from.

Effect names of docs/tcg-rules.md section 10 become small integer codes here, with their
parameters in fixed columns, so the Python engine can look them up by name and the JAX engine
can dispatch on them inside its compiled step.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parent / "data" / "cards.json"
TYPES = ("Grass", "Fire", "Water", "Lightning", "Psychic", "Fighting", "Darkness", "Metal", "Colorless")
N_ENERGY = 8
COLORLESS = 8
COST_LETTERS = "GRWLPFDMC"
"""Cost symbols in type order (R is Fire, as printed on the cards; C is Colorless)."""
STATUSES = ("poisoned", "burned", "asleep", "paralyzed", "confused")

KINDS = ("pokemon", "item", "supporter", "tool")
ATTACK_EFFECTS = ("none", "coin_bonus", "coins_times", "until_tails", "heal_self", "discard_energy",
                  "discard_all_energy", "status", "status_coin", "bench_each", "recoil", "per_bench_type",
                  "zone_attach", "search_type", "extra_energy_bonus", "draw")
ABILITY_EFFECTS = ("none", "heal_all", "zone_to_active", "poison_active")
TRAINER_EFFECTS = ("none", "poke_ball", "potion", "x_speed", "red_card", "professors_research", "misty", "erika",
                   "giovanni", "leaf", "cyrus", "giant_cape", "rocky_helmet")
MAX_ATTACKS = 2


def _arg(value: object) -> int:
    """An effect argument as an int: a number, a type name (its index) or a status name (its index)."""
    if isinstance(value, str):
        return TYPES.index(value) if value in TYPES else STATUSES.index(value)
    return int(value)


@dataclass(frozen=True)
class Tables:
    """One row per card id (numpy int32 arrays; -1 where a field does not apply)."""

    names: tuple[str, ...]
    kind: np.ndarray
    ptype: np.ndarray
    stage: np.ndarray
    name_id: np.ndarray
    evolves_from: np.ndarray
    """name_id of the Pokemon this one evolves from, -1 for Basics and Trainers."""
    ex: np.ndarray
    hp: np.ndarray
    retreat: np.ndarray
    weakness: np.ndarray
    n_attacks: np.ndarray
    atk_cost: np.ndarray
    """(cards, 2, 9): energy of each type the attack needs, Colorless in column 8."""
    atk_damage: np.ndarray
    atk_effect: np.ndarray
    atk_args: np.ndarray
    """(cards, 2, 3) effect arguments (types and statuses as indices)."""
    ability: np.ndarray
    ability_arg: np.ndarray
    trainer: np.ndarray

    @property
    def n_cards(self) -> int:
        """How many cards the pool has."""
        return len(self.names)

    def card_id(self, name: str) -> int:
        """The id of the (first) card with this name."""
        return self.names.index(name)


@lru_cache(maxsize=1)
def tables() -> Tables:
    """Read cards.json once."""
    cards = json.loads(DATA.read_text())["cards"]
    n = len(cards)
    unique = sorted({c["name"] for c in cards})
    col = lambda: np.full(n, -1, np.int32)  # noqa: E731
    kind, ptype, stage, name_id, evo, ex, hp, retreat, weak = (col() for _ in range(9))
    n_atk, ability, ability_arg, trainer = col(), col(), col(), col()
    cost = np.zeros((n, MAX_ATTACKS, 9), np.int32)
    dmg = np.zeros((n, MAX_ATTACKS), np.int32)
    eff = np.zeros((n, MAX_ATTACKS), np.int32)
    args = np.zeros((n, MAX_ATTACKS, 3), np.int32)
    for c in cards:
        i = c["id"]
        kind[i] = KINDS.index(c["kind"])
        name_id[i] = unique.index(c["name"])
        if c["kind"] != "pokemon":
            trainer[i] = TRAINER_EFFECTS.index(c["effect"])
            continue
        ptype[i], stage[i], ex[i] = TYPES.index(c["type"]), c["stage"], int(c["ex"])
        hp[i], retreat[i] = c["hp"], c["retreat"]
        weak[i] = TYPES.index(c["weakness"]) if c["weakness"] else -1
        evo[i] = unique.index(c["evolves_from"]) if c["evolves_from"] else -1
        n_atk[i] = len(c["attacks"])
        for k, atk in enumerate(c["attacks"]):
            for letter in atk["cost"]:
                cost[i, k, COST_LETTERS.index(letter)] += 1
            dmg[i, k] = atk["damage"]
            eff[i, k] = ATTACK_EFFECTS.index(atk["effect"])
            for j, value in enumerate((atk.get("args") or {}).values()):
                args[i, k, j] = _arg(value)
        ab = c.get("ability")
        ability[i] = ABILITY_EFFECTS.index(ab["effect"]) if ab else 0
        ability_arg[i] = _arg(next(iter((ab.get("args") or {"x": 0}).values()))) if ab else 0
    return Tables(tuple(c["name"] for c in cards), kind, ptype, stage, name_id, evo, ex, hp, retreat, weak,
                  n_atk, cost, dmg, eff, args, ability, ability_arg, trainer)
