"""HalfCheetah-v5's environment step on the JAX physics: frame skip, reward, observation.

Gymnasium's step: ctrl = action, `frame_skip` physics steps, reward = forward weight x (x after -
x before) / (timestep x frame_skip) - control weight x |action|^2, observation qpos[1:] ++ qvel, never
terminated (the 1000-step truncation and the reset noise, drawn on the host exactly as Gymnasium
draws it, live in the adapter). The state carries MuJoCo's warm start (the last solver qacc).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

from envs.cheetahjax import physics
from envs.cheetahjax.model import Model

FRAME_SKIP = 5
FORWARD_REWARD_WEIGHT = 1.0
CTRL_COST_WEIGHT = 0.1
RESET_NOISE_SCALE = 0.1


class Params(NamedTuple):
    """Gymnasium's semantic knobs (the mutants change one each); a pytree, so they are kernel arguments."""

    frame_skip: int = FRAME_SKIP
    forward_reward_weight: float = FORWARD_REWARD_WEIGHT
    ctrl_cost_weight: float = CTRL_COST_WEIGHT
    reset_noise_scale: float = RESET_NOISE_SCALE
    stale_x: bool = False
    """Mutant switch: measure x after frame_skip - 1 physics steps (Brax's one-substep-stale x)."""


class State(NamedTuple):
    """qpos (9), qvel (9) and the warm start of the constraint solver (9)."""

    qpos: Any
    qvel: Any
    warmstart: Any


def init(qpos: Any, qvel: Any) -> State:
    """A state at (qpos, qvel) with MuJoCo's fresh warm start (zeros)."""
    qpos = jnp.asarray(qpos)
    return State(qpos, jnp.asarray(qvel, qpos.dtype), jnp.zeros_like(qpos))


def observation(state: State) -> Any:
    """Gymnasium's observation: qpos without x, then qvel."""
    return jnp.concatenate([state.qpos[..., 1:], state.qvel], axis=-1)


def step(m: Model, p: Params, state: State, action: Any) -> tuple[State, Any]:
    """One environment step: (next state, reward)."""
    x_before = state.qpos[0]

    def sub(_: Any, carry: tuple[State, Any]) -> tuple[State, Any]:
        s, _x_prev = carry
        qpos, qvel, warm = physics.step(m, s.qpos, s.qvel, action, s.warmstart)
        return State(qpos, qvel, warm), s.qpos[0]

    state, x_prev = jax.lax.fori_loop(0, p.frame_skip, sub, (state, x_before))
    x_after = jnp.where(p.stale_x, x_prev, state.qpos[0])
    dt = m.timestep * p.frame_skip
    action = action.astype(state.qpos.dtype)
    reward = p.forward_reward_weight * (x_after - x_before) / dt - p.ctrl_cost_weight * jnp.sum(action * action)
    return state, reward.astype(state.qpos.dtype)
