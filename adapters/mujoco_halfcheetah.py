"""Reference HalfCheetah: Gymnasium's own HalfCheetah-v5 (MuJoCo), behind the Adapter interface.

The environment is `gymnasium.make("HalfCheetah-v5").unwrapped`, stepped as Gymnasium steps it
(frame skip 5, forward-reward weight 1.0, control cost 0.1, reset noise 0.1, observation
without x); the adapter counts steps and truncates at the registered 1000-step limit, as the
TimeLimit wrapper would. Snapshot: qpos, qvel, obs, t and `rng`, the state of the numpy
Generator that reset drew its noise from (PCG64: state and increment as four uint64 words).

The shared helpers (`reset_noise`, `model_path`, the Gymnasium constants) are what the
candidates use to start from the very same state: numpy's `default_rng(seed)`, the generator
Gymnasium's `reset(seed=...)` builds, draws uniform position noise then normal velocity noise.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from importlib import metadata
from typing import Any

import numpy as np

from equivcheck.adapter import Adapter, Box, StepResult, file_sha256
from equivcheck.errors import SetupError

ENV_ID = "HalfCheetah-v5"
FRAME_SKIP = 5
FORWARD_REWARD_WEIGHT = 1.0
CTRL_COST_WEIGHT = 0.1
RESET_NOISE_SCALE = 0.1
HORIZON = 1000
NQ, NV, NU = 9, 9, 6
OBS_DIM = NQ - 1 + NV
ACTION_SPACE = Box((NU,), -1.0, 1.0, "float32")
_MASK64 = (1 << 64) - 1


def model_path() -> str:
    """Path of the half_cheetah.xml that the installed Gymnasium ships (loaded at run time, never copied)."""
    try:
        import gymnasium
    except ImportError as exc:
        raise SetupError("HalfCheetah needs the mujoco extra: pip install -e '.[mujoco]'") from exc
    return os.path.join(os.path.dirname(gymnasium.__file__), "envs", "mujoco", "assets", "half_cheetah.xml")


def rng_words(gen: np.random.Generator) -> np.ndarray:
    """A PCG64 generator's state as four uint64 words: state high, state low, increment high, increment low."""
    st = gen.bit_generator.state["state"]
    s, inc = int(st["state"]), int(st["inc"])
    return np.array([s >> 64, s & _MASK64, inc >> 64, inc & _MASK64], dtype=np.uint64)


def restore_clock(snapshot: Mapping[str, Any], t: np.ndarray, gen: np.random.Generator) -> np.ndarray:
    """The step counter and reset generator a candidate's restore() takes from a snapshot (t returned)."""
    if "rng" in snapshot:
        set_rng_words(gen, snapshot["rng"])
    return np.array([int(snapshot["t"])], dtype=np.int64) if "t" in snapshot else t


def initial_batch(starts: list[tuple[np.ndarray, np.ndarray, np.random.Generator]],
                  ) -> tuple[list[np.random.Generator], np.ndarray, np.ndarray]:
    """(generators, qpos (B, 9), qvel (B, 9)) from per-seed (qpos, qvel, generator) starts."""
    return [g for _, _, g in starts], np.stack([q for q, _, _ in starts]), np.stack([v for _, v, _ in starts])


def set_rng_words(gen: np.random.Generator, words: Any) -> None:
    """Put four uint64 words (see `rng_words`) back into a PCG64 generator; the cached half-word is cleared."""
    w = [int(x) for x in np.asarray(words, dtype=np.uint64)]
    state = gen.bit_generator.state
    state["state"] = {"state": (w[0] << 64) | w[1], "inc": (w[2] << 64) | w[3]}
    state["has_uint32"] = 0
    state["uinteger"] = 0
    gen.bit_generator.state = state


def reset_noise(seed: int, scale: float = RESET_NOISE_SCALE, nq: int = NQ, nv: int = NV
                ) -> tuple[np.ndarray, np.ndarray, np.random.Generator]:
    """Gymnasium's HalfCheetah reset noise for `seed`: (qpos noise, qvel noise, the generator after drawing)."""
    gen = np.random.default_rng(seed)
    dq = gen.uniform(low=-scale, high=scale, size=nq)
    dv = scale * gen.standard_normal(nv)
    return dq, dv, gen


def package_version(name: str) -> str:
    """Installed version of a distribution, or 'absent'."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "absent"


class MujocoHalfCheetah(Adapter):
    """Gymnasium HalfCheetah-v5 on MuJoCo: the reference."""

    name = "mujoco-halfcheetah"
    action_space = ACTION_SPACE

    def __init__(self) -> None:
        try:
            import gymnasium
        except ImportError as exc:
            raise SetupError("HalfCheetah needs the mujoco extra: pip install -e '.[mujoco]'") from exc
        made = gymnasium.make(ENV_ID)
        self.env = made.unwrapped
        self.horizon = int(made.spec.max_episode_steps or HORIZON)
        self.t = 0
        self.last_obs = np.zeros(OBS_DIM)

    def reset(self, seed: int, options: Mapping[str, Any] | None = None) -> np.ndarray:
        self.last_obs, _ = self.env.reset(seed=int(seed))
        self.t = 0
        return self.last_obs

    def step(self, action: Any) -> StepResult:
        action = self.action_space.validate(action)
        obs, reward, terminated, _, info = self.env.step(action)
        self.t += 1
        self.last_obs = obs
        return StepResult(obs, float(reward), bool(terminated), self.t >= self.horizon, info)

    def snapshot(self) -> dict[str, Any]:
        data = self.env.data
        return {
            "qpos": data.qpos.copy(),
            "qvel": data.qvel.copy(),
            "obs": np.asarray(self.env._get_obs(), dtype=np.float64),
            "t": self.t,
            "rng": rng_words(self.env.np_random),
        }

    def restore(self, snapshot: Mapping[str, Any]) -> None:
        """Set qpos/qvel and run forward (Gymnasium's set_state); t and rng when given."""
        self.env.set_state(np.asarray(snapshot["qpos"], np.float64), np.asarray(snapshot["qvel"], np.float64))
        self.t = int(snapshot.get("t", self.t))
        if "rng" in snapshot:
            set_rng_words(self.env.np_random, snapshot["rng"])

    def versions(self) -> dict[str, str]:
        import gymnasium
        import mujoco

        return {
            "backend": f"gymnasium {ENV_ID} on mujoco",
            "mujoco": mujoco.__version__,
            "gymnasium": gymnasium.__version__,
            "model_sha256": file_sha256(model_path())[:16],
            "env_sha256": file_sha256(os.path.join(os.path.dirname(model_path()), "..", "half_cheetah_v5.py"))[:16],
        }
