"""The case's rollout player: a seeded random player that prefers doing things to ending its turn.

Uniformly random actions end most turns at once and most games at the 30-turn limit (measured: 279
of 300 random games drawn), so wins of both players and knock-outs would be rare. This player
attacks when it can (probability 0.9), otherwise takes a uniformly random legal action other than
`end turn` (probability 0.85), else ends the turn. One episode in four (drawn when the player is made)
is played passively (0.3 and 0.5), so that some games reach the 30-turn limit.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from envs.tcg.actions import ATTACK, END

P_ATTACK = 0.9
P_ACT = 0.85
PASSIVE = (0.3, 0.5)
P_PASSIVE = 0.25


class EagerPolicy:
    """Chooses the acting player's action from the joint mask; the waiting player's entry is 0."""

    def __init__(self, space: Any, rng: np.random.Generator) -> None:
        self.space, self.rng = space, rng
        self.probs = PASSIVE if rng.random() < P_PASSIVE else (P_ATTACK, P_ACT)

    def __call__(self, t: int, obs: Any, mask: np.ndarray | None) -> np.ndarray:
        joint = np.zeros(2, np.int64)
        if mask is None:
            return joint
        for p in range(2):
            row = np.asarray(mask[p], bool)
            if row.any():
                joint[p] = choose(row, self.rng, *self.probs)
        return joint


def choose(row: np.ndarray, rng: np.random.Generator, p_attack: float = P_ATTACK, p_act: float = P_ACT) -> int:
    """One eager choice from a legal row."""
    attacks = np.flatnonzero(row[ATTACK:ATTACK + 2])
    if attacks.size and rng.random() < p_attack:
        return ATTACK + int(rng.choice(attacks))
    others = np.flatnonzero(row)
    others = others[others != END]
    if others.size and (not row[END] or rng.random() < p_act):
        return int(rng.choice(others))
    return END
