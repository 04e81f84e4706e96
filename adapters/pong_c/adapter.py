"""pong-c: the reference, PufferLib 2.0.2's own pong.h compiled with our shim, as an Adapter."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import numpy as np

from adapters.pong_c import build
from adapters.pong_c.fields import from_snapshot, to_snapshot
from adapters.pong_c.lib import PongHandle, PongParams, load_library
from equivcheck.adapter import Adapter, Discrete, StepResult, file_sha256
from equivcheck.errors import ActionError

ACTIONS = Discrete(3)


def _params(options: Mapping[str, Any] | None, default: PongParams) -> PongParams:
    overrides = dict((options or {}).get("params", {}))
    if not overrides:
        return default
    return dataclasses.replace(default, **overrides)


class PongC(Adapter):
    """PufferLib's C Pong (one env; the batch trio runs N envs, one glibc stream each).

    reset(seed) is what a fresh CyPong does after srand(seed): init(), then reset(); the
    reward and terminal buffers are zeroed. options={"params": {...}} overrides PongParams.
    """

    name = "pong-c"
    action_space = ACTIONS

    def __init__(self, params: PongParams | None = None) -> None:
        load_library()
        self.params = params or PongParams()
        self.handle = PongHandle(1, self.params)
        self.batch: PongHandle | None = None
        self._restored = False

    @classmethod
    def setup(cls, progress: Any = None) -> None:
        """Download the pufferlib wheel, extract pong.h, build the shim (idempotent)."""
        build.ensure_installed(progress)

    def _fresh(self, handle: PongHandle, i: int, seed: int) -> None:
        handle.init(i)
        handle.srand(int(seed) & 0xFFFFFFFF, i)
        handle.reset(i)
        handle.rewards[i] = 0.0
        handle.terminals[i] = 0

    def reset(self, seed: int, options: Mapping[str, Any] | None = None) -> np.ndarray:
        """init(), srand(seed), reset(): the first observation."""
        params = _params(options, self.params)
        if params != self.handle.params or self._restored:
            self.handle.close()
            self.handle = PongHandle(1, params)
            self._restored = False
        self._fresh(self.handle, 0, seed)
        return self.handle.obs[0].copy()

    def step(self, action: Any) -> StepResult:
        """One pong.h step() with `action` (0 still, 1 up, 2 down)."""
        a = self.action_space.validate(action)
        self.handle.step(np.array([a], dtype=np.int32))
        return StepResult(
            self.handle.obs[0].copy(), np.float32(self.handle.rewards[0]), bool(self.handle.terminals[0]), False, {}
        )

    def snapshot(self) -> dict[str, np.ndarray]:
        """Every struct field, obs/reward/terminal and the glibc stream (adapters.pong_c.fields)."""
        return to_snapshot(self.handle.get(0))

    def restore(self, snapshot: Mapping[str, Any]) -> None:
        """Overwrite every field, the buffers and the glibc stream from a snapshot.

        A restored state may carry other config.* values; the next reset() starts from the
        constructor's parameters again (a fresh handle), as pong-jax's reset does.
        """
        self.handle.set(from_snapshot(snapshot), 0)
        self._restored = True

    def legal_actions(self) -> np.ndarray:
        """All three actions are always legal."""
        return np.ones(self.action_space.n, dtype=bool)

    def reset_batch(self, seeds: np.ndarray) -> np.ndarray:
        """len(seeds) envs, env b with its own glibc stream seeded by seeds[b]."""
        seeds = np.asarray(seeds).reshape(-1)
        if self.batch is None or self.batch.n != seeds.size or self.batch.params != self.params:
            if self.batch is not None:
                self.batch.close()
            self.batch = PongHandle(seeds.size, self.params, per_env_rng=True)
        for i, seed in enumerate(seeds):
            self._fresh(self.batch, i, int(seed))
        return self.batch.obs.copy()

    def step_batch(self, actions: np.ndarray) -> StepResult:
        """One step of every env of the batch."""
        if self.batch is None:
            raise ActionError("step_batch before reset_batch")
        acts = _validate_batch(actions, self.batch.n, self.action_space.n)
        self.batch.step(acts)
        return StepResult(
            self.batch.obs.copy(), self.batch.rewards.copy(), self.batch.terminals.astype(bool),
            np.zeros(self.batch.n, dtype=bool), {},
        )

    def snapshot_batch(self) -> dict[str, np.ndarray]:
        """snapshot() of every env, stacked on a leading axis."""
        if self.batch is None:
            raise ActionError("snapshot_batch before reset_batch")
        rows = [self.batch.get(i) for i in range(self.batch.n)]
        return to_snapshot({k: np.stack([r[k] for r in rows]) for k in rows[0]}, batch=True)

    def versions(self) -> dict[str, str]:
        """pufferlib version and sha256 of the wheel, pong.h, the shipped cy_pong and our shim."""
        shim = build.ensure_installed()
        return {
            "backend": "PufferLib pong.h (C) via equivcheck shim",
            "pufferlib": build.PUFFERLIB_VERSION,
            "wheel_sha256": file_sha256(build.wheel_path()),
            "pong_h_sha256": file_sha256(build.pong_h_path()),
            "cy_pong_sha256": file_sha256(build.cy_pong_path()),
            "shim_source_sha256": file_sha256(build.SHIM_SOURCE),
            "shim_sha256": file_sha256(shim),
        }

    def close(self) -> None:
        """Free the C environments."""
        self.handle.close()
        if self.batch is not None:
            self.batch.close()
            self.batch = None


def _validate_batch(actions: Any, n: int, n_actions: int) -> np.ndarray:
    """(n,) integer actions in [0, n_actions), or ActionError."""
    arr = np.asarray(actions)
    if arr.shape != (n,) or not np.issubdtype(arr.dtype, np.integer):
        raise ActionError(f"expected {n} integer actions, got shape {arr.shape} dtype {arr.dtype}")
    if arr.size and (arr.min() < 0 or arr.max() >= n_actions):
        raise ActionError(f"actions out of range [0, {n_actions}): {arr[(arr < 0) | (arr >= n_actions)][:5]}")
    return arr.astype(np.int32)
