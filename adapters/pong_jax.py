"""pong-jax: the candidate, envs/pongjax (pure JAX), as an Adapter with restore and the batch trio.

`env` may be any module-like object with pongjax.env's `reset`, `step`, `state_from_numpy`
and `state_to_numpy` (mutants are built that way).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from types import ModuleType
from typing import Any

import jax
import numpy as np

from adapters.pong_c.fields import from_snapshot, to_snapshot
from adapters.pong_c.adapter import _validate_batch
from equivcheck.adapter import Adapter, Discrete, StepResult, file_sha256
from equivcheck.errors import ActionError
from envs.pongjax import env as pong_env


class PongJax(Adapter):
    """Pure-JAX Pong: one env through step(), B envs (one glibc stream each) through step_batch()."""

    name = "pong-jax"
    action_space = Discrete(3)
    source_modules = ("envs.pongjax.env", "envs.pongjax.glibc_rand")

    def __init__(self, params: pong_env.Params | None = None, env: ModuleType | Any = pong_env,
                 max_frameskip: int | None = None) -> None:
        self.env = env
        self.params = params if params is not None else env.DEFAULT_PARAMS
        self.max_frameskip = int(max_frameskip or max(1, int(self.params.frameskip)))
        self._reset = jax.jit(env.reset)
        self._reset_batch = jax.jit(jax.vmap(env.reset, in_axes=(0, None)))
        self._compile_steps()
        self.state: Any = None
        self.batch: Any = None

    def _compile_steps(self) -> None:
        self._step = jax.jit(partial(self.env.step, max_frameskip=self.max_frameskip))
        self._step_batch = jax.jit(jax.vmap(partial(self.env.step, max_frameskip=self.max_frameskip)))

    def _need_frameskip(self, frameskip: Any) -> None:
        wanted = int(np.max(np.asarray(frameskip)))
        if wanted > self.max_frameskip:
            self.max_frameskip = wanted
            self._compile_steps()

    def reset(self, seed: int, options: Mapping[str, Any] | None = None) -> np.ndarray:
        """init(), srand(seed), reset(): the first observation. options={"params": {...}}."""
        params = self.params
        if options and options.get("params"):
            params = self.env.make_params(**{**self.params._asdict(), **options["params"]})
            self._need_frameskip(params.frameskip)
        self.state, obs = self._reset(np.uint32(int(seed) & 0xFFFFFFFF), params)
        return np.asarray(obs)

    def step(self, action: Any) -> StepResult:
        """One step with `action` (0 still, 1 up, 2 down)."""
        a = self.action_space.validate(action)
        self.state, obs, reward, done = self._step(self.state, np.int32(a))
        return StepResult(np.asarray(obs), np.float32(reward), bool(done), False, {})

    def snapshot(self) -> dict[str, np.ndarray]:
        """The same fields as pong-c's snapshot."""
        return to_snapshot(self.env.state_to_numpy(self.state))

    def restore(self, snapshot: Mapping[str, Any]) -> None:
        """Continue from a snapshot (of either adapter)."""
        values = from_snapshot(snapshot)
        self._need_frameskip(values["frameskip"])
        self.state = self.env.state_from_numpy(values)

    def legal_actions(self) -> np.ndarray:
        """All three actions are always legal."""
        return np.ones(self.action_space.n, dtype=bool)

    def reset_batch(self, seeds: np.ndarray) -> np.ndarray:
        """len(seeds) envs, env b with its own glibc stream seeded by seeds[b]."""
        seeds = (np.asarray(seeds).astype(np.int64).reshape(-1) & 0xFFFFFFFF).astype(np.uint32)
        self.batch, obs = self._reset_batch(seeds, self.params)
        return np.asarray(obs)

    def step_batch(self, actions: np.ndarray) -> StepResult:
        """One step of every env of the batch."""
        if self.batch is None:
            raise ActionError("step_batch before reset_batch")
        n = int(self.batch.tick.shape[0])
        acts = _validate_batch(actions, n, self.action_space.n)
        self.batch, obs, reward, done = self._step_batch(self.batch, acts)
        return StepResult(np.asarray(obs), np.asarray(reward), np.asarray(done), np.zeros(n, dtype=bool), {})

    def snapshot_batch(self) -> dict[str, np.ndarray]:
        """snapshot() of every env, stacked on a leading axis."""
        if self.batch is None:
            raise ActionError("snapshot_batch before reset_batch")
        return to_snapshot(self.env.state_to_numpy(self.batch), batch=True)

    def versions(self) -> dict[str, str]:
        """JAX version and sha256 of the env sources."""
        from envs.pongjax import glibc_rand

        return {
            "backend": "envs/pongjax (JAX)",
            "jax": jax.__version__,
            "jax_backend": jax.default_backend(),
            "env_module": getattr(self.env, "__name__", type(self.env).__name__),
            "env_sha256": file_sha256(getattr(self.env, "__file__", None) or pong_env.__file__),
            "glibc_rand_sha256": file_sha256(glibc_rand.__file__),
        }
