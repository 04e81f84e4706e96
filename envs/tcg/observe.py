"""Per-player observations: what one player may see (their hand; of the opponent only counts and the public field).

A flat int32 vector from the snapshot's fields; the JAX engine builds the same vector from its arrays.
Layout: HEADER, own hand, then for self and opponent the Active's conditions and each position's
card, damage, energy (8), tool, placed_turn and ability_used, then both discard piles and Energy Zone types.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from envs.tcg.state import DECK, HAND, POSITIONS

HEADER = ("turn", "is_acting", "phase", "is_first", "points", "opp.points", "hand_n", "opp.hand_n", "deck_n",
          "opp.deck_n", "energy_cur", "energy_next", "opp.energy_next", "supporter_used", "retreated", "giovanni",
          "retreat_reduction", "pending", "opp.pending", "winner")
SIDE = 3 + POSITIONS * 13
OBS_SIZE = len(HEADER) + HAND + 2 * SIDE + 2 * DECK + 2 * 3


def _side(snap: dict[str, Any], p: int) -> list[int]:
    g = lambda k: np.asarray(snap[f"p{p}.{k}"])  # noqa: E731
    out = [int(g("poisoned")), int(g("burned")), int(g("rot"))]
    for j in range(POSITIONS):
        out += [int(g("card")[j]), int(g("damage")[j]), *g("energy")[j].tolist(), int(g("tool")[j]),
                int(g("placed_turn")[j]), int(g("ability_used")[j])]
    return out


def observe(snap: dict[str, Any], me: int) -> np.ndarray:
    """Player `me`'s observation (OBS_SIZE int32) of a snapshot."""
    op = 1 - me
    s = lambda p, k: int(np.asarray(snap[f"p{p}.{k}"]))  # noqa: E731
    head = [int(snap["turn"]), int(int(snap["acting"]) == me), int(snap["phase"]), int(int(snap["first"]) == me),
            s(me, "points"), s(op, "points"), s(me, "hand_n"), s(op, "hand_n"), s(me, "deck_n"), s(op, "deck_n"),
            s(me, "energy_cur"), s(me, "energy_next"), s(op, "energy_next"), s(me, "supporter_used"),
            s(me, "retreated"), s(me, "giovanni"), s(me, "retreat_reduction"), s(me, "pending"), s(op, "pending"),
            int(snap["winner"])]
    parts = [head, np.asarray(snap[f"p{me}.hand"]).tolist(), _side(snap, me), _side(snap, op),
             np.asarray(snap[f"p{me}.discard"]).tolist(), np.asarray(snap[f"p{op}.discard"]).tolist(),
             np.asarray(snap[f"p{me}.energy_types"]).tolist(), np.asarray(snap[f"p{op}.energy_types"]).tolist()]
    return np.asarray([x for part in parts for x in part], np.int32)
