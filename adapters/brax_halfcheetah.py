"""Brax's own halfcheetah (`brax.envs.get_environment("halfcheetah", backend=...)`), one adapter per pipeline.

Stepping, reward and observation are Brax's (`env.step`, jitted; batched through vmap). Only the
start differs from Brax's reset: the noise is drawn on the host with numpy's default_rng(seed)
exactly as Gymnasium draws it, and the state is built with `env.pipeline_init(q, qd)`, so every
candidate starts from the reference's state. Restore builds a fresh pipeline state the same way.

Brax's halfcheetah is its own model (brax/envs/assets/half_cheetah.xml: 4 solver iterations,
shins that never touch the floor, brax-only constraint parameters), and the positional and
spring pipelines also use a 0.003125 s timestep x 16 frames and other actuator gears. They are
expected to differ from Gymnasium's HalfCheetah-v5; the case measures by how much.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any, ClassVar

import numpy as np

from adapters.mujoco_halfcheetah import (
    ACTION_SPACE,
    HORIZON,
    RESET_NOISE_SCALE,
    package_version,
    reset_noise,
    initial_batch,
    restore_clock,
    rng_words,
)
from equivcheck.adapter import Adapter, StepResult, file_sha256
from equivcheck.errors import SetupError


def _brax() -> tuple[Any, Any, Any]:
    try:
        import jax
        import jax.numpy as jnp
        from brax import envs
    except ImportError as exc:
        raise SetupError("the Brax candidates need the mujoco extra: pip install -e '.[mujoco]'") from exc
    return jax, jnp, envs


class BraxKernels:
    """Jitted start/step of one Brax pipeline, scalar and vmapped; built once per process."""

    def __init__(self, backend: str) -> None:
        jax, jnp, envs = _brax()
        from adapters.mjx_halfcheetah import enable_compilation_cache

        enable_compilation_cache(jax)
        self.env = env = envs.get_environment("halfcheetah", backend=backend)
        key = jax.random.PRNGKey(0)

        def start(q: Any, qd: Any) -> Any:
            state = env.reset(key)
            ps = env.pipeline_init(q.astype(state.pipeline_state.q.dtype), qd.astype(state.pipeline_state.qd.dtype))
            return state.replace(pipeline_state=ps, obs=jnp.concatenate([ps.q[1:], ps.qd]))

        self.start = jax.jit(start)
        self.step = jax.jit(env.step)
        self.start_batch = jax.jit(jax.vmap(start))
        self.step_batch = jax.jit(jax.vmap(env.step))
        self.init_q = np.asarray(env.sys.init_q, dtype=np.float64)
        self.nv = int(env.sys.qd_size())


@cache
def brax_kernels(backend: str) -> BraxKernels:
    """The kernels of one pipeline (jit caches the compiled code after the first call)."""
    return BraxKernels(backend)


class BraxHalfCheetah(Adapter):
    """Brax halfcheetah on one pipeline; subclasses fix `backend`."""

    name = "brax"
    backend: ClassVar[str] = "generalized"
    action_space = ACTION_SPACE

    def __init__(self) -> None:
        self.k = brax_kernels(self.backend)
        self.state: Any = None
        self.gens: list[np.random.Generator] = []
        self.t = np.zeros(1, dtype=np.int64)

    def _initial(self, seed: int) -> tuple[np.ndarray, np.ndarray, np.random.Generator]:
        dq, dv, gen = reset_noise(int(seed), RESET_NOISE_SCALE, self.k.init_q.size, self.k.nv)
        return self.k.init_q + dq, dv, gen

    def reset(self, seed: int, options: Mapping[str, Any] | None = None) -> np.ndarray:
        q, qd, gen = self._initial(seed)
        self.gens = [gen]
        self.state = self.k.start(np.asarray(q, np.float32), np.asarray(qd, np.float32))
        self.t = np.zeros(1, dtype=np.int64)
        return np.asarray(self.state.obs, np.float64)

    def step(self, action: Any) -> StepResult:
        action = self.action_space.validate(action)
        self.state = self.k.step(self.state, action)
        self.t += 1
        return StepResult(np.asarray(self.state.obs, np.float64), float(self.state.reward), False,
                          bool(self.t[0] >= HORIZON), {})

    def snapshot(self) -> dict[str, Any]:
        ps = self.state.pipeline_state
        return {
            "qpos": np.asarray(ps.q, np.float64),
            "qvel": np.asarray(ps.qd, np.float64),
            "obs": np.asarray(self.state.obs, np.float64),
            "t": int(self.t[0]),
            "rng": rng_words(self.gens[0]),
        }

    def restore(self, snapshot: Mapping[str, Any]) -> None:
        """A fresh pipeline state at (qpos, qvel) through pipeline_init; t and rng when given."""
        self.state = self.k.start(np.asarray(snapshot["qpos"], np.float32), np.asarray(snapshot["qvel"], np.float32))
        self.t = restore_clock(snapshot, self.t, self.gens[0])

    def reset_batch(self, seeds: np.ndarray) -> np.ndarray:
        starts = [self._initial(int(s)) for s in np.asarray(seeds).ravel()]
        self.gens, q, qd = initial_batch(starts)
        self.state = self.k.start_batch(q.astype(np.float32), qd.astype(np.float32))
        self.t = np.zeros(len(starts), dtype=np.int64)
        return np.asarray(self.state.obs, np.float64)

    def step_batch(self, actions: np.ndarray) -> StepResult:
        self.state = self.k.step_batch(self.state, np.asarray(actions, np.float32))
        self.t += 1
        return StepResult(np.asarray(self.state.obs, np.float64), np.asarray(self.state.reward, np.float64),
                          np.zeros(self.t.size, bool), self.t >= HORIZON, {})

    def snapshot_batch(self) -> dict[str, np.ndarray]:
        ps = self.state.pipeline_state
        return {
            "qpos": np.asarray(ps.q, np.float64),
            "qvel": np.asarray(ps.qd, np.float64),
            "obs": np.asarray(self.state.obs, np.float64),
            "t": self.t.copy(),
            "rng": np.stack([rng_words(g) for g in self.gens]),
        }

    def versions(self) -> dict[str, str]:
        import jax
        from brax import envs

        return {
            "backend": f"brax halfcheetah, {self.backend} pipeline",
            "brax": package_version("brax"),
            "mujoco": package_version("mujoco"),
            "jax": jax.__version__,
            "device": str(jax.devices()[0]),
            "timestep_x_frames": f"{float(self.k.env.sys.opt.timestep):g} x {int(self.k.env._n_frames)}",
            "env_sha256": file_sha256(envs.half_cheetah.__file__)[:16],
            "sha256": file_sha256(__file__)[:16],
        }


class BraxMjx(BraxHalfCheetah):
    """Brax halfcheetah on the mjx pipeline."""

    name = "brax-mjx"
    backend = "mjx"


class BraxGeneralized(BraxHalfCheetah):
    """Brax halfcheetah on the generalized pipeline."""

    name = "brax-generalized"
    backend = "generalized"


class BraxPositional(BraxHalfCheetah):
    """Brax halfcheetah on the positional pipeline."""

    name = "brax-positional"
    backend = "positional"


class BraxSpring(BraxHalfCheetah):
    """Brax halfcheetah on the spring pipeline."""

    name = "brax-spring"
    backend = "spring"
