"""The fixed integer action space of docs/tcg-rules.md section 8 (57 actions, one acting player)."""

from __future__ import annotations

from typing import NamedTuple

from envs.tcg.state import BENCH, HAND, POSITIONS

END = 0
PLAY = 1
"""PLAY + 4 * hand slot + target."""
ATTACH = PLAY + HAND * POSITIONS
RETREAT = ATTACH + POSITIONS
ATTACK = RETREAT + BENCH
ABILITY = ATTACK + 2
PROMOTE = ABILITY + POSITIONS
N_ACTIONS = PROMOTE + BENCH
KINDS = ("end", "play", "attach", "retreat", "attack", "ability", "promote")


class Action(NamedTuple):
    """A decoded action: its kind, and its hand slot / position / attack index and target."""

    kind: str
    index: int = 0
    target: int = 0


def decode(a: int) -> Action:
    """The action an integer stands for."""
    if a == END:
        return Action("end")
    if a < ATTACH:
        return Action("play", (a - PLAY) // POSITIONS, (a - PLAY) % POSITIONS)
    if a < RETREAT:
        return Action("attach", a - ATTACH)
    if a < ATTACK:
        return Action("retreat", a - RETREAT + 1)
    if a < ABILITY:
        return Action("attack", a - ATTACK)
    if a < PROMOTE:
        return Action("ability", a - ABILITY)
    return Action("promote", a - PROMOTE + 1)


def encode(kind: str, index: int = 0, target: int = 0) -> int:
    """The integer of an action (bench positions are 1-3 for retreat and promote)."""
    base = {"end": END, "attach": ATTACH, "attack": ATTACK, "ability": ABILITY}
    if kind == "play":
        return PLAY + index * POSITIONS + target
    if kind in ("retreat", "promote"):
        return (RETREAT if kind == "retreat" else PROMOTE) + index - 1
    return base[kind] + index
