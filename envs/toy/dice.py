"""Toy stochastic environment: push-your-luck dice with its RNG state in the schema.

Each turn the player rolls (action 1) or banks (action 0). A roll of 1 loses the turn's pot;
banking adds the pot to the score. The game ends at 30 points or after 25 turns. The RNG is a
64-bit LCG whose state is a compared field, as the design asks for every stochastic env.
"""

from __future__ import annotations

from typing import Any

import numpy as np

MULT = 6364136223846793005
INC = 1442695040888963407
MASK = (1 << 64) - 1
TARGET = 30
MAX_TURNS = 25


def lcg_next(state: int) -> int:
    """One step of the reference LCG on a Python int."""
    return (state * MULT + INC) & MASK


def lcg_die(state: int) -> tuple[int, int]:
    """(new state, die face 1..6) from the high bits (reference)."""
    state = lcg_next(state)
    return state, (state >> 33) % 6 + 1


class DiceRef:
    """The reference: Python integers."""

    def reset(self, seed: int) -> None:
        self.rng = lcg_next(seed & MASK)
        self.score = 0
        self.pot = 0
        self.turn = 0
        self.last = 0

    def step(self, action: int) -> tuple[float, bool, bool]:
        reward = 0.0
        if action == 1:
            self.rng, self.last = lcg_die(self.rng)
            if self.last == 1:
                self.pot = 0
                self.turn += 1
            else:
                self.pot += self.last
        else:
            self.score += self.pot
            reward = float(self.pot)
            self.pot = 0
            self.turn += 1
            self.last = 0
        terminated = self.score >= TARGET
        truncated = not terminated and self.turn >= MAX_TURNS
        return reward, terminated, truncated

    def state(self) -> dict[str, Any]:
        return {"rng": np.uint64(self.rng), "score": self.score, "pot": self.pot, "turn": self.turn, "last": self.last}

    def set_state(self, state: dict[str, Any]) -> None:
        self.rng = int(state["rng"])
        for key in ("score", "pot", "turn", "last"):
            setattr(self, key, int(state[key]))


class DiceCand:
    """The candidate: numpy uint64 arithmetic (wrapping) for the generator."""

    def reset(self, seed: int) -> None:
        self.rng = self._next(np.uint64(seed & MASK))
        self.score = self.pot = self.turn = self.last = 0

    @staticmethod
    def _next(state: np.uint64) -> np.uint64:
        with np.errstate(over="ignore"):
            return np.uint64(state * np.uint64(MULT) + np.uint64(INC))

    def die(self) -> int:
        self.rng = self._next(self.rng)
        return int((self.rng >> np.uint64(33)) % np.uint64(6)) + 1

    def step(self, action: int) -> tuple[float, bool, bool]:
        reward = 0.0
        if action == 1:
            self.last = self.die()
            self.pot, self.turn = (0, self.turn + 1) if self.last == 1 else (self.pot + self.last, self.turn)
        else:
            reward = float(self.pot)
            self.score, self.pot, self.turn, self.last = self.score + self.pot, 0, self.turn + 1, 0
        terminated = self.score >= TARGET
        return reward, terminated, (not terminated) and self.turn >= MAX_TURNS

    def state(self) -> dict[str, Any]:
        return {"rng": np.uint64(self.rng), "score": self.score, "pot": self.pot, "turn": self.turn, "last": self.last}

    def set_state(self, state: dict[str, Any]) -> None:
        self.rng = np.uint64(int(state["rng"]))
        for key in ("score", "pot", "turn", "last"):
            setattr(self, key, int(state[key]))


def cand_die_face(env_cls: type, state: int) -> tuple[int, int]:
    """Candidate's (new state, face) from a state, as an L1 component."""
    env = env_cls()
    env.rng = np.uint64(state)
    face = env.die()
    return int(env.rng), face
