"""L2 of the TCG case: scripted interactions from constructed states (restored into both engines).

Each scenario starts from a seed's game at turn 3 or later (so evolution is allowed), rewrites the
two Actives, hands and decks so the interaction must happen, and scripts the actions. `witness`
checks on the reference's snapshots that the interaction really happened (test_interaction.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from envs.tcg.actions import encode
from envs.tcg.cards import TYPES, tables
from envs.tcg.decks import seed_decks
from envs.tcg.env import TcgEnv
from envs.tcg.state import Game, Slot
from equivcheck.case import Scenario

Snap = dict[str, Any]


def base(seed: int) -> TcgEnv:
    """A seed's game advanced to turn 3 by ending turns (promotions cannot occur: nobody attacks)."""
    env = TcgEnv()
    env.reset(seed, seed_decks(seed))
    while env.game.turn < 3:
        env.step(encode("end"))
    return env


def pokemon(name: str, damage: int = 0, energy: dict[str, int] | None = None, placed: int = 0) -> Slot:
    """A Slot holding the named card (as the top of a stack of its stage)."""
    t = tables()
    c = t.card_id(name)
    stack = [-1, -1, -1]
    stack[int(t.stage[c])] = c
    e = [0] * 8
    for k, v in (energy or {}).items():
        e[TYPES.index(k)] = v
    return Slot(card=c, stack=stack, damage=damage, energy=e, placed_turn=placed)


def ids(*names: str) -> list[int]:
    """Card ids of names."""
    return [tables().card_id(n) for n in names]


@dataclass
class Interaction:
    """A constructed state (`setup` rewrites a base game), its script (the acting player's actions) and a witness."""

    name: str
    seed: int
    setup: Callable[[Game], None]
    script: tuple[tuple[str, int, int], ...]
    witness: Callable[[list[Snap]], bool]

    def state(self) -> Snap:
        """The constructed snapshot."""
        env = base(self.seed)
        self.setup(env.game)
        return env.snapshot()

    def actions(self) -> list[list[int]]:
        """Joint actions, the acting player's entry filled in by replaying on the reference."""
        env = TcgEnv()
        env.restore(self.state())
        out = []
        for kind, i, j in self.script:
            a = encode(kind, i, j)
            joint = [0, 0]
            joint[env.game.acting] = a
            out.append(joint)
            env.step(a)
        return out


def _me(g: Game) -> Any:
    return g.players[g.current]


def _opp(g: Game) -> Any:
    return g.players[1 - g.current]


def _evolve_then_status(g: Game) -> None:
    me, opp = _me(g), _opp(g)
    me.slots[0] = pokemon("Ralts", damage=10, placed=1)
    me.poisoned = 1
    me.hand = ids("Kirlia") + me.hand[:3]
    opp.slots[0] = pokemon("Ekans", energy={"Darkness": 1})
    opp.rot = 0


def _supporter_then_item(g: Game) -> None:
    me = _me(g)
    me.hand = ids("Professor’s Research", "Poké Ball")
    me.supporter_used = 0
    me.deck = ids("Pikachu", "Potion", "Voltorb", "X Speed", "Giovanni", "Meowth") + me.deck[6:]


def _poison_ko(g: Game) -> None:
    me, opp = _me(g), _opp(g)
    me.slots[0] = pokemon("Weedle", damage=40)
    me.poisoned = 1
    me.slots[1] = pokemon("Caterpie")
    opp.slots[0] = pokemon("Pikachu")


def _forced_promotion(g: Game) -> None:
    me, opp = _me(g), _opp(g)
    me.slots[0] = pokemon("Pikachu ex", energy={"Lightning": 2})
    me.slots[1] = pokemon("Pikachu")
    me.slots[2] = pokemon("Voltorb")
    opp.slots[0] = pokemon("Bulbasaur", damage=60)
    opp.slots[1] = Slot()
    opp.slots[2] = pokemon("Squirtle")
    opp.slots[3] = pokemon("Eevee")


def _energy_emptied(g: Game) -> None:
    me, opp = _me(g), _opp(g)
    me.slots[0] = pokemon("Raichu", energy={"Lightning": 3})
    opp.slots[0] = pokemon("Snorlax")


def _deck_out(g: Game) -> None:
    for p in g.players:
        p.hand = p.hand[:4]
        p.deck = []


def _sum(snaps: list[Snap], key: str, i: int) -> list[int]:
    return [int(np.asarray(s[f"p{i}.{key}"]).sum()) for s in snaps]


INTERACTIONS = [
    Interaction("evolution then status: Ralts evolves (poison cleared), then Ekans poisons Kirlia", 11,
                _evolve_then_status, (("play", 0, 0), ("end", 0, 0), ("attack", 0, 0), ("end", 0, 0)),
                lambda s: int(s[1][f"p{int(s[0]['current'])}.poisoned"]) == 0
                and int(s[3][f"p{int(s[0]['current'])}.poisoned"]) == 1),
    Interaction("Supporter then Item: Professor's Research draws 2, then Poke Ball finds a Basic", 12,
                _supporter_then_item, (("play", 0, 0), ("play", 0, 0), ("end", 0, 0)),
                lambda s: _sum(s, "hand_n", int(s[0]["current"]))[1] == 3
                and int(s[1][f"p{int(s[0]['current'])}.supporter_used"]) == 1),
    Interaction("a knock-out between turns by poison, then the promotion", 13, _poison_ko,
                (("end", 0, 0), ("promote", 1, 0), ("end", 0, 0)),
                lambda s: int(s[1]["phase"]) == 1 and _sum(s, "points", 1 - int(s[0]["current"]))[1] == 1),
    Interaction("a promotion forced after a knock-out by an attack", 14, _forced_promotion,
                (("attack", 0, 0), ("promote", 2, 0), ("end", 0, 0)),
                lambda s: int(s[1]["phase"]) == 1 and int(s[1]["acting"]) != int(s[0]["current"])),
    Interaction("an energy-discard attack empties the Active (Thunderbolt)", 15, _energy_emptied,
                (("attack", 0, 0), ("end", 0, 0)),
                lambda s: _sum(s, "energy", int(s[0]["current"]))[1] == 0 and _sum(s, "energy", int(s[0]["current"]))[0] == 3),
    Interaction("a deck-out: no draw, the game goes on", 16, _deck_out,
                (("end", 0, 0), ("end", 0, 0), ("end", 0, 0)),
                lambda s: all(int(x["phase"]) != 2 for x in s) and _sum(s, "hand_n", 0)[-1] <= 4),
]

SCENARIOS = [Scenario(i.name, i.actions(), seed=i.seed, state=i.state) for i in INTERACTIONS]
