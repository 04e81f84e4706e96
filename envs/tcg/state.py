"""The game state of the reference engine and its flat snapshot (the schema both engines emit).

A Player holds a deck (top card last), a hand, a discard pile and four field positions (0 the
Active, 1-3 the bench); the Active's special conditions live on the Player. Empty entries are -1.
`FIELDS` is the snapshot layout: the JAX engine keeps the same names as arrays with a leading
player axis.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

DECK = 20
HAND = 10
POSITIONS = 4
BENCH = 3
N_ENERGY = 8
WIN_POINTS = 3
TURN_LIMIT = 30
MAIN, PROMOTE, OVER = 0, 1, 2
"""Phases: the acting player's main phase, a pending promotion, the game is over."""
ROT_NONE, ASLEEP, PARALYZED, CONFUSED = 0, 1, 2, 3
"""The Active's rotation condition (they replace each other); Poisoned and Burned are separate flags."""
NO_WINNER, DRAW = -1, 2

PLAYER_FIELDS: tuple[tuple[str, tuple[int, ...]], ...] = (
    ("deck", (DECK,)), ("deck_n", ()), ("hand", (HAND,)), ("hand_n", ()), ("discard", (DECK,)), ("discard_n", ()),
    ("points", ()), ("energy_types", (3,)), ("n_types", ()), ("energy_cur", ()), ("energy_next", ()),
    ("supporter_used", ()), ("retreated", ()), ("giovanni", ()), ("retreat_reduction", ()),
    ("poisoned", ()), ("burned", ()), ("rot", ()), ("pending", ()),
    ("card", (POSITIONS,)), ("stack", (POSITIONS, 3)), ("damage", (POSITIONS,)), ("energy", (POSITIONS, N_ENERGY)),
    ("tool", (POSITIONS,)), ("placed_turn", (POSITIONS,)), ("ability_used", (POSITIONS,)),
)
"""Per-player fields: snapshot key p{0,1}.NAME, int32 of this shape."""
GAME_FIELDS: tuple[str, ...] = ("turn", "current", "acting", "first", "phase", "winner")
"""Scalar int32 fields; plus `prng` (uint32)."""


@dataclass
class Slot:
    """One field position: the top card, the cards under it by stage, damage, energy by type, tool."""

    card: int = -1
    stack: list[int] = field(default_factory=lambda: [-1, -1, -1])
    damage: int = 0
    energy: list[int] = field(default_factory=lambda: [0] * N_ENERGY)
    tool: int = -1
    placed_turn: int = -1
    ability_used: int = 0

    @property
    def empty(self) -> bool:
        """True when no Pokemon is here."""
        return self.card < 0


@dataclass
class Player:
    """One player's cards, field, Energy Zone, per-turn flags and the Active's conditions."""

    deck: list[int] = field(default_factory=list)
    hand: list[int] = field(default_factory=list)
    discard: list[int] = field(default_factory=list)
    slots: list[Slot] = field(default_factory=lambda: [Slot() for _ in range(POSITIONS)])
    points: int = 0
    energy_types: list[int] = field(default_factory=list)
    energy_cur: int = -1
    energy_next: int = -1
    supporter_used: int = 0
    retreated: int = 0
    giovanni: int = 0
    retreat_reduction: int = 0
    poisoned: int = 0
    burned: int = 0
    rot: int = ROT_NONE
    pending: int = 0

    def clear_conditions(self) -> None:
        """The Active left the Active spot or evolved: no special conditions."""
        self.poisoned = self.burned = 0
        self.rot = ROT_NONE

    def in_play(self) -> int:
        """How many Pokemon this player has in play."""
        return sum(not s.empty for s in self.slots)


@dataclass
class Game:
    """Both players, the turn, who acts, the phase, the winner and the PRNG state."""

    players: list[Player]
    prng: int
    turn: int = 0
    current: int = 0
    acting: int = 0
    first: int = 0
    phase: int = MAIN
    winner: int = NO_WINNER


def _pad(values: list[int], n: int) -> list[int]:
    return list(values) + [-1] * (n - len(values))


def to_snapshot(game: Game) -> dict[str, Any]:
    """The flat snapshot: p{i}.FIELD per PLAYER_FIELDS, the GAME_FIELDS and prng."""
    snap: dict[str, Any] = {k: np.int32(getattr(game, k)) for k in GAME_FIELDS}
    snap["prng"] = np.uint32(game.prng)
    for i, p in enumerate(game.players):
        row = {
            "deck": _pad(p.deck, DECK), "deck_n": len(p.deck), "hand": _pad(p.hand, HAND), "hand_n": len(p.hand),
            "discard": _pad(p.discard, DECK), "discard_n": len(p.discard), "points": p.points,
            "energy_types": _pad(p.energy_types, 3), "n_types": len(p.energy_types), "energy_cur": p.energy_cur,
            "energy_next": p.energy_next, "supporter_used": p.supporter_used, "retreated": p.retreated,
            "giovanni": p.giovanni, "retreat_reduction": p.retreat_reduction, "poisoned": p.poisoned,
            "burned": p.burned, "rot": p.rot, "pending": p.pending,
            "card": [s.card for s in p.slots], "stack": [s.stack for s in p.slots],
            "damage": [s.damage for s in p.slots], "energy": [s.energy for s in p.slots],
            "tool": [s.tool for s in p.slots], "placed_turn": [s.placed_turn for s in p.slots],
            "ability_used": [s.ability_used for s in p.slots],
        }
        for name, shape in PLAYER_FIELDS:
            snap[f"p{i}.{name}"] = np.asarray(row[name], np.int32).reshape(shape)
    return snap


def from_snapshot(snap: dict[str, Any]) -> Game:
    """The Game a snapshot describes (the inverse of to_snapshot)."""
    players = []
    for i in range(2):
        g = lambda name, i=i: np.asarray(snap[f"p{i}.{name}"]).tolist()  # noqa: E731
        slots = [Slot(g("card")[j], g("stack")[j], g("damage")[j], g("energy")[j], g("tool")[j],
                      g("placed_turn")[j], g("ability_used")[j]) for j in range(POSITIONS)]
        players.append(Player(
            deck=g("deck")[:g("deck_n")], hand=g("hand")[:g("hand_n")], discard=g("discard")[:g("discard_n")],
            slots=slots, points=g("points"), energy_types=g("energy_types")[:g("n_types")],
            energy_cur=g("energy_cur"), energy_next=g("energy_next"), supporter_used=g("supporter_used"),
            retreated=g("retreated"), giovanni=g("giovanni"), retreat_reduction=g("retreat_reduction"),
            poisoned=g("poisoned"), burned=g("burned"), rot=g("rot"), pending=g("pending")))
    return Game(players, int(snap["prng"]), **{k: int(snap[k]) for k in GAME_FIELDS})
