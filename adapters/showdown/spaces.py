"""JointDiscrete: one integer action per player, stepped together (a two-player turn)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from equivcheck.errors import ActionError


@dataclass(frozen=True)
class JointDiscrete:
    """`players` integer actions, each in 0..n-1, as an int array of shape (players,).

    Masks have shape (players, n). A mask row with no legal action means that player has
    nothing to choose this step (Showdown's "wait" request): its action is ignored, and
    `sample` gives it 0.
    """

    n: int
    players: int = 2

    @property
    def shape(self) -> tuple[int, ...]:
        """The shape of one joint action."""
        return (self.players,)

    def validate(self, action: Any) -> np.ndarray:
        """Return the action as an int64 array of shape (players,), or raise ActionError."""
        arr = np.asarray(action)
        if arr.shape != (self.players,) or not (arr.size == 0 or np.issubdtype(arr.dtype, np.integer)):
            raise ActionError(
                f"expected {self.players} integer actions (one per player) in [0, {self.n}), got {action!r}"
            )
        arr = arr.astype(np.int64)
        bad = (arr < 0) | (arr >= self.n)
        if bad.any():
            player = int(np.flatnonzero(bad)[0])
            raise ActionError(f"action {int(arr[player])} of player {player + 1} out of range [0, {self.n})")
        return arr

    def sample(self, rng: np.random.Generator, mask: np.ndarray | None = None) -> np.ndarray:
        """Uniform over each player's legal actions (all, when mask is None); 0 for a waiting player."""
        if mask is None:
            return rng.integers(self.n, size=self.players).astype(np.int64)
        mask = np.asarray(mask, dtype=bool)
        if mask.shape != (self.players, self.n):
            raise ActionError(f"expected a mask of shape {(self.players, self.n)}, got {mask.shape}")
        out = np.zeros(self.players, dtype=np.int64)
        for p in range(self.players):
            legal = np.flatnonzero(mask[p])
            if legal.size:
                out[p] = int(rng.choice(legal))
        return out

    def check_legal(self, action: np.ndarray, mask: np.ndarray) -> None:
        """Raise ActionError when an acting player's action is not legal under `mask`."""
        for p in range(self.players):
            row = mask[p]
            if row.any() and not row[action[p]]:
                legal = ",".join(str(i) for i in np.flatnonzero(row))
                raise ActionError(f"illegal action {int(action[p])} for player {p + 1} (legal: {legal})")
