"""Toy integer environment: a walker on a line of 10 cells, deterministic.

Reference (`WalkRef`, plain Python) and candidate (`WalkBatch`, numpy over a batch axis) are
written independently, as a real port would be. Actions: 0 left, 1 right, 2 stay, 3 jump +2
(illegal on cells 8 and 9). Reaching cell 9 pays +1 and ends the episode; bumping the left
wall costs 1; 40 steps truncate.
"""

from __future__ import annotations

from typing import Any

import numpy as np

SIZE = 10
GOAL = SIZE - 1
HORIZON = 40
N_ACTIONS = 4


def start_cell(seed: int) -> int:
    """The start cell of an episode: seed-determined, never the goal."""
    return seed % (SIZE - 1)


class WalkRef:
    """The reference: one episode, plain Python integers."""

    def reset(self, seed: int) -> dict[str, Any]:
        self.x = start_cell(seed)
        self.t = 0
        self.bumps = 0
        self.total = 0
        self.done = False
        return self.state()

    def legal(self) -> list[bool]:
        return [True, True, True, self.x < GOAL - 1]

    def step(self, action: int) -> tuple[int, bool, bool]:
        if action == 0:
            if self.x == 0:
                self.bumps += 1
                reward = -1
            else:
                self.x -= 1
                reward = 0
        else:
            self.x = min(self.x + {1: 1, 2: 0, 3: 2}[action], GOAL)
            reward = 1 if self.x == GOAL else 0
        self.t += 1
        self.total += reward
        terminated = self.x == GOAL
        truncated = not terminated and self.t >= HORIZON
        self.done = terminated or truncated
        return reward, terminated, truncated

    def state(self) -> dict[str, Any]:
        return {"x": self.x, "t": self.t, "bumps": self.bumps, "total": self.total}

    def set_state(self, state: dict[str, Any]) -> None:
        self.x, self.t = int(state["x"]), int(state["t"])
        self.bumps, self.total = int(state["bumps"]), int(state["total"])


class WalkBatch:
    """The candidate: B episodes as int64 arrays, stepped with vectorised numpy."""

    moves = np.array([-1, 1, 0, 2], dtype=np.int64)

    def reset(self, seeds: np.ndarray) -> dict[str, np.ndarray]:
        seeds = np.asarray(seeds, dtype=np.int64)
        self.x = seeds % (SIZE - 1)
        self.t = np.zeros_like(self.x)
        self.bumps = np.zeros_like(self.x)
        self.total = np.zeros_like(self.x)
        return self.state()

    def legal(self) -> np.ndarray:
        mask = np.ones((self.x.size, N_ACTIONS), dtype=bool)
        mask[:, 3] = self.x < GOAL - 1
        return mask

    def step(self, actions: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        actions = np.asarray(actions, dtype=np.int64)
        bump = (actions == 0) & (self.x == 0)
        self.x = self.clamp(self.x + self.moves[actions])
        reward = np.where(bump, -1, np.where((actions != 0) & (self.x == GOAL), 1, 0))
        self.bumps = self.bumps + bump
        self.t = self.t + 1
        self.total = self.total + reward
        terminated = self.x == GOAL
        truncated = ~terminated & (self.t >= HORIZON)
        return reward, terminated, truncated

    @staticmethod
    def clamp(x: np.ndarray) -> np.ndarray:
        return np.clip(x, 0, GOAL)

    def state(self) -> dict[str, np.ndarray]:
        return {"x": self.x, "t": self.t, "bumps": self.bumps, "total": self.total}

    def set_state(self, state: dict[str, Any]) -> None:
        for key in ("x", "t", "bumps", "total"):
            setattr(self, key, np.atleast_1d(np.asarray(state[key], dtype=np.int64)).copy())


def ref_clamp(x: int) -> int:
    """The reference's movement bound, as an L1 component."""
    return max(0, min(x, GOAL))


def ref_reward(x_before: int, action: int) -> int:
    """The reference's reward for one action from cell `x_before` (L1 component)."""
    env = WalkRef()
    env.reset(0)
    env.x = x_before
    reward, _, _ = env.step(action)
    return reward


def cand_reward(env_cls: type, x_before: int, action: int) -> int:
    """The candidate's reward for one action from cell `x_before` (L1 component)."""
    env = env_cls()
    env.reset(np.zeros(1, dtype=np.int64))
    env.x = np.array([x_before], dtype=np.int64)
    reward, _, _ = env.step(np.array([action]))
    return int(reward[0])
