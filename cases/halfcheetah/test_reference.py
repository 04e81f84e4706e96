"""The reference adapter is Gymnasium's HalfCheetah-v5, step for step, and its restore is exact."""

from __future__ import annotations

import numpy as np
import pytest

from adapters.mujoco_halfcheetah import (
    CTRL_COST_WEIGHT,
    FRAME_SKIP,
    HORIZON,
    RESET_NOISE_SCALE,
    MujocoHalfCheetah,
    reset_noise,
    rng_words,
)
from cases.halfcheetah.components import JOINT_RANGES


def test_adapter_equals_gymnasium_make_for_a_whole_episode() -> None:
    """Bit for bit against the fully wrapped `gymnasium.make` env, truncation at 1000 included."""
    import gymnasium

    env = gymnasium.make("HalfCheetah-v5")
    ad = MujocoHalfCheetah()
    obs_g, _ = env.reset(seed=123)
    obs_a = ad.reset(123)
    assert np.array_equal(obs_g, obs_a)
    rng = np.random.default_rng(0)
    for t in range(1, HORIZON + 1):
        action = rng.uniform(-1, 1, 6).astype(np.float32)
        g = env.step(action)
        a = ad.step(action)
        assert np.array_equal(g[0], a.obs) and g[1] == a.reward, t
        assert (g[2], g[3]) == (a.terminated, a.truncated), t
    assert a.truncated and t == HORIZON


def test_gymnasium_defaults_are_the_documented_ones() -> None:
    env = MujocoHalfCheetah().env
    assert env.frame_skip == FRAME_SKIP
    assert env._forward_reward_weight == 1.0
    assert env._ctrl_cost_weight == CTRL_COST_WEIGHT
    assert env._reset_noise_scale == RESET_NOISE_SCALE
    assert env._exclude_current_positions_from_observation
    assert np.array_equal(env.model.jnt_range[3:], JOINT_RANGES)


@pytest.mark.parametrize("seed", [0, 7, 2**31 - 1])
def test_reset_noise_is_gymnasiums(seed: int) -> None:
    """default_rng(seed) drawn as Gymnasium draws it gives the reference's initial state and generator state."""
    ad = MujocoHalfCheetah()
    ad.reset(seed)
    dq, dv, gen = reset_noise(seed)
    snap = ad.snapshot()
    assert np.array_equal(snap["qpos"], ad.env.init_qpos + dq)
    assert np.array_equal(snap["qvel"], ad.env.init_qvel + dv)
    assert np.array_equal(snap["rng"], rng_words(gen))


def test_restore_then_step_equals_stepping_on() -> None:
    ad, other = MujocoHalfCheetah(), MujocoHalfCheetah()
    ad.reset(3)
    other.reset(99)
    rng = np.random.default_rng(1)
    for _ in range(40):
        ad.step(rng.uniform(-1, 1, 6).astype(np.float32))
    other.restore(ad.snapshot())
    action = rng.uniform(-1, 1, 6).astype(np.float32)
    a, b = ad.step(action), other.step(action)
    assert a.reward == b.reward
    for key, value in ad.snapshot().items():
        assert np.array_equal(value, other.snapshot()[key]), key
