"""Adapters for the toy environments (envs/toy): the framework's own test pairs and demo.

Each candidate takes `env_cls`, so the tests' deliberately broken mutants are subclasses of
the faithful candidate with one semantic change.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from equivcheck.adapter import Adapter, Box, Discrete, StepResult, file_sha256
from envs.toy import dice, mass, walk

import equivcheck


def _versions(backend: str, module: Any) -> dict[str, str]:
    return {"backend": backend, "version": equivcheck.__version__, "sha256": file_sha256(module.__file__)[:16]}


class ToyWalkRef(Adapter):
    """Reference of the walker (plain Python)."""

    name = "toy-walk-ref"
    action_space = Discrete(walk.N_ACTIONS)

    def __init__(self) -> None:
        self.env = walk.WalkRef()

    def reset(self, seed: int, options: Mapping[str, Any] | None = None) -> Any:
        self.env.reset(seed)
        return self.env.x

    def step(self, action: Any) -> StepResult:
        action = self.action_space.validate(action)
        reward, terminated, truncated = self.env.step(action)
        return StepResult(self.env.x, reward, terminated, truncated, {})

    def snapshot(self) -> dict[str, Any]:
        return self.env.state()

    def legal_actions(self) -> np.ndarray:
        return np.array(self.env.legal())

    def restore(self, snapshot: Mapping[str, Any]) -> None:
        self.env.set_state(snapshot)

    def versions(self) -> dict[str, str]:
        return _versions("toy-walk python reference", walk)


class ToyWalkCand(Adapter):
    """Candidate of the walker: vectorised numpy, with the batch trio (scalar calls use batch 1)."""

    name = "toy-walk-cand"
    action_space = Discrete(walk.N_ACTIONS)
    source_modules = ("envs.toy.walk:WalkBatch",)

    def __init__(self, env_cls: type = walk.WalkBatch) -> None:
        self.env = env_cls()

    def reset(self, seed: int, options: Mapping[str, Any] | None = None) -> Any:
        self.env.reset(np.array([seed], dtype=np.int64))
        return self.env.x[0]

    def step(self, action: Any) -> StepResult:
        action = self.action_space.validate(action)
        reward, terminated, truncated = self.env.step(np.array([action]))
        return StepResult(self.env.x[0], int(reward[0]), bool(terminated[0]), bool(truncated[0]), {})

    def snapshot(self) -> dict[str, Any]:
        return {k: v[0] for k, v in self.env.state().items()}

    def legal_actions(self) -> np.ndarray:
        return self.env.legal()[0]

    def restore(self, snapshot: Mapping[str, Any]) -> None:
        self.env.set_state(snapshot)

    def reset_batch(self, seeds: np.ndarray) -> np.ndarray:
        self.env.reset(np.asarray(seeds, dtype=np.int64))
        return self.env.x

    def step_batch(self, actions: np.ndarray) -> StepResult:
        actions = np.asarray(actions)
        if actions.shape != self.env.x.shape:
            from equivcheck.errors import ActionError

            raise ActionError(f"expected actions of shape {self.env.x.shape}, got {actions.shape}")
        reward, terminated, truncated = self.env.step(actions)
        return StepResult(self.env.x, reward, terminated, truncated, {})

    def snapshot_batch(self) -> dict[str, np.ndarray]:
        return dict(self.env.state())

    def versions(self) -> dict[str, str]:
        return _versions(f"toy-walk numpy candidate ({type(self.env).__name__})", walk)


class _Scalar(Adapter):
    """Shared body of the mass and dice adapters: an env object with reset/step/state/set_state."""

    backend = ""
    module: Any = None

    def __init__(self, env_cls: type) -> None:
        self.env = env_cls()

    def reset(self, seed: int, options: Mapping[str, Any] | None = None) -> Any:
        self.env.reset(seed)
        return self.observe()

    def observe(self) -> np.ndarray:
        state = self.env.state()
        return np.concatenate([np.ravel(np.asarray(state[k], dtype=np.float64)) for k in sorted(state)])

    def step(self, action: Any) -> StepResult:
        action = self.action_space.validate(action)
        reward, terminated, truncated = self.env.step(action)
        return StepResult(self.observe(), reward, terminated, truncated, {})

    def snapshot(self) -> dict[str, Any]:
        return self.env.state()

    def restore(self, snapshot: Mapping[str, Any]) -> None:
        self.env.set_state(snapshot)

    def versions(self) -> dict[str, str]:
        return _versions(f"{self.backend} ({type(self.env).__name__})", self.module)


class ToyMassRef(_Scalar):
    """Reference of the point mass."""

    name = "toy-mass-ref"
    action_space = Box((2,), -1.0, 1.0)
    backend, module = "toy-mass python reference", mass

    def __init__(self) -> None:
        super().__init__(mass.MassRef)


class ToyMassCand(_Scalar):
    """Candidate of the point mass."""

    name = "toy-mass-cand"
    action_space = Box((2,), -1.0, 1.0)
    backend, module = "toy-mass numpy candidate", mass
    source_modules = ("envs.toy.mass:MassCand", "envs.toy.mass:reflect")

    def __init__(self, env_cls: type = mass.MassCand) -> None:
        super().__init__(env_cls)


class ToyDiceRef(_Scalar):
    """Reference of the dice game."""

    name = "toy-dice-ref"
    action_space = Discrete(2)
    backend, module = "toy-dice python reference", dice

    def __init__(self) -> None:
        super().__init__(dice.DiceRef)

    def observe(self) -> np.ndarray:
        s = self.env.state()
        return np.array([s["score"], s["pot"], s["turn"], s["last"]], dtype=np.float64)


class ToyDiceCand(ToyDiceRef):
    """Candidate of the dice game."""

    name = "toy-dice-cand"
    backend = "toy-dice numpy candidate"
    source_modules = ("envs.toy.dice:DiceCand",)

    def __init__(self, env_cls: type = dice.DiceCand) -> None:
        _Scalar.__init__(self, env_cls)
