"""A Gymnasium-style single-battle wrapper around envs.pokejax.api (one side learns, a policy plays the other)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from envs.pokejax import engine
from envs.pokejax.api import N_ACTIONS, OBS_SIZE, legal_mask, observe, reset, step, team_arrays
from envs.pokejax.state import State

try:
    import gymnasium as _gym

    _EnvBase: Any = _gym.Env
except ImportError:  # gymnasium is optional: the wrapper keeps the same methods without it
    _gym = None
    _EnvBase = object

Opponent = Callable[[np.ndarray, np.ndarray, np.random.Generator], int]
"""An opponent policy: (its observation, its legal mask (9,), a generator) -> its action."""


def random_opponent(obs: np.ndarray, mask: np.ndarray, rng: np.random.Generator) -> int:
    """Uniform over the legal actions."""
    return int(rng.choice(np.flatnonzero(mask)))


class PokeJaxEnv(_EnvBase):
    """One battle with Gymnasium's API: the agent plays `player` (0 = p1), `opponent` plays the other.

    reset(seed, options) -> (obs, info); step(action) -> (obs, reward, terminated, truncated, info).
    obs is the agent's row of `observe` (int16, OBS_SIZE); info["action_mask"] is its legal mask.
    Steps where only the opponent chooses (its forced switch) are played inside step(). Teams are
    random-battle teams drawn from the seed unless options={"teams": Teams or two lists of sets}.
    Truncated after `max_steps` decisions.
    """

    metadata: dict[str, Any] = {"render_modes": []}

    def __init__(self, opponent: Opponent = random_opponent, player: int = 0, max_steps: int = 1000) -> None:
        self.opponent = opponent
        self.player = int(player)
        self.max_steps = int(max_steps)
        if _gym is not None:
            self.action_space = _gym.spaces.Discrete(N_ACTIONS)
            self.observation_space = _gym.spaces.Box(-32768, 32767, (OBS_SIZE,), np.int16)
        self._reset = engine.jit(reset)
        self._step = engine.jit(step)
        self._rng = np.random.default_rng()
        self.state: State | None = None
        self._obs = np.zeros((2, OBS_SIZE), np.int16)
        self._legal = np.zeros((2, N_ACTIONS), bool)
        self._steps = 0

    def reset(self, *, seed: int | None = None, options: Mapping[str, Any] | None = None) -> tuple[np.ndarray, dict]:
        """A new battle; seed fixes the teams, the battle's PRNG and the opponent's generator."""
        if _gym is not None:
            super().reset(seed=seed)
            self._rng = self.np_random
        else:
            self._rng = np.random.default_rng(seed)
        teams = (options or {}).get("teams")
        if teams is not None and not isinstance(teams, Mapping):
            teams = team_arrays(teams)
        self.state = self._reset(jax.random.key(int(self._rng.integers(2**62))), teams)
        self._obs, self._legal = np.asarray(observe(self.state)), np.asarray(legal_mask(self.state))
        self._steps = 0
        return self._obs[self.player], self._info()

    def _info(self) -> dict[str, Any]:
        return {"action_mask": self._legal[self.player].copy(), "turn": int(self.state["turn"])}

    def step(self, action: int) -> tuple[np.ndarray, float, bool, bool, dict]:
        """The agent's action (ignored while it waits); the opponent's is chosen here."""
        if self.state is None:
            raise RuntimeError("call reset before step")
        me, foe = self.player, 1 - self.player
        if self._legal[me].any() and not (0 <= int(action) < N_ACTIONS and self._legal[me, int(action)]):
            raise ValueError(f"illegal action {action} (legal: {np.flatnonzero(self._legal[me]).tolist()})")
        total, done = 0.0, False
        acting = True
        while acting:
            acts = np.zeros(2, np.int32)
            acts[me] = int(action) if self._legal[me].any() else 0
            if self._legal[foe].any():
                acts[foe] = self.opponent(self._obs[foe], self._legal[foe], self._rng)
            self.state, obs, rew, done_arr, legal = self._step(self.state, jnp.asarray(acts))
            self._obs, self._legal = np.asarray(obs), np.asarray(legal)
            total += float(rew[me])
            done = bool(done_arr)
            self._steps += 1
            acting = not done and not self._legal[me].any() and self._steps < self.max_steps
        truncated = not done and self._steps >= self.max_steps
        return self._obs[me], total, done, truncated, self._info()
