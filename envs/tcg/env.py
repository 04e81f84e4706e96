"""TcgEnv: the reference engine behind a Gymnasium-style API.

    env = TcgEnv()
    obs, info = env.reset(seed=1, decks=[META["pikachu-ex"], META["mewtwo-gardevoir"]])
    obs, reward, terminated, truncated, info = env.step(action)   # action of info["acting"]

Observations are (2, OBS_SIZE): row p is what player p may see. Rewards: +1 player 0 wins,
-1 player 1 wins, 0 otherwise. `action_mask()` is (2, N_ACTIONS), the acting player's row set.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from envs.tcg import engine
from envs.tcg.actions import N_ACTIONS
from envs.tcg.decks import Deck, is_legal
from envs.tcg.observe import observe
from envs.tcg.state import DRAW, NO_WINNER, OVER, Game, from_snapshot, to_snapshot


def reward_of(winner: int) -> float:
    """+1 when player 0 won, -1 when player 1 won, else 0."""
    return {0: 1.0, 1: -1.0}.get(winner, 0.0) if winner not in (NO_WINNER, DRAW) else 0.0


class TcgEnv:
    """One game of the reference engine."""

    n_actions = N_ACTIONS

    def __init__(self) -> None:
        self.game: Game | None = None

    def reset(self, seed: int, decks: Sequence[Deck]) -> tuple[np.ndarray, dict[str, Any]]:
        """A new game of two legal decks from `seed`."""
        if len(decks) != 2 or not all(is_legal(d) for d in decks):
            raise ValueError("reset needs two legal decks (20 cards, at most 2 of a name, a Basic, 1-3 energy types)")
        self.game = engine.new_game(seed, [list(d.cards) for d in decks], [list(d.energy) for d in decks])
        return self.observations(), self.info()

    def step(self, action: int) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        """Apply the acting player's action; ValueError when it is not legal."""
        game = self._game()
        if game.phase == OVER or not engine.is_legal(game, int(action)):
            raise ValueError(f"action {action} is not legal now")
        engine.step(game, int(action))
        done = game.phase == OVER
        return self.observations(), reward_of(game.winner) if done else 0.0, done, False, self.info()

    def action_mask(self) -> np.ndarray:
        """(2, N_ACTIONS) bool."""
        return np.asarray(engine.legal_mask(self._game()), bool)

    def observations(self) -> np.ndarray:
        """(2, OBS_SIZE) int32: each player's view."""
        snap = to_snapshot(self._game())
        return np.stack([observe(snap, 0), observe(snap, 1)])

    def snapshot(self) -> dict[str, Any]:
        """The full state as flat numpy fields (envs/tcg/state.py)."""
        return to_snapshot(self._game())

    def restore(self, snap: dict[str, Any]) -> None:
        """Continue from a snapshot."""
        self.game = from_snapshot(snap)

    def info(self) -> dict[str, Any]:
        """Turn, acting player, phase, winner."""
        g = self._game()
        return {"turn": g.turn, "acting": g.acting, "phase": g.phase, "winner": g.winner}

    def _game(self) -> Game:
        if self.game is None:
            raise RuntimeError("call reset first")
        return self.game
