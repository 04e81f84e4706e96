"""Action policies for the rollout tier: seeded uniform over legal actions, and replay of a list."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

from equivcheck.adapter import ActionSpace


class Policy(Protocol):
    """Chooses the action of step `t` given the reference's observation and legal mask."""

    def __call__(self, t: int, obs: Any, mask: np.ndarray | None) -> Any: ...


class UniformPolicy:
    """Uniform over the legal actions (the whole space without a mask), from a seeded generator."""

    def __init__(self, space: ActionSpace, rng: np.random.Generator) -> None:
        self.space = space
        self.rng = rng

    def __call__(self, t: int, obs: Any, mask: np.ndarray | None) -> Any:
        return self.space.sample(self.rng, mask)


class ReplayPolicy:
    """Replays a recorded action list; `exhausted` is true once every action was used."""

    def __init__(self, actions: Sequence[Any]) -> None:
        self.actions = list(actions)

    def __len__(self) -> int:
        return len(self.actions)

    def __call__(self, t: int, obs: Any, mask: np.ndarray | None) -> Any:
        return self.actions[t]


def describe(factory: Any) -> str:
    """The rollout policy in one line for the report: its name and the first line of its docstring.

    `factory` is a case's `policy` (a class or function building one episode's policy); None is
    the default uniform policy.
    """
    if factory is None:
        factory = UniformPolicy
    name = getattr(factory, "__qualname__", None) or type(factory).__name__
    module = getattr(factory, "__module__", "")
    doc = (getattr(factory, "__doc__", None) or "").strip().splitlines()
    text = f"{module}.{name}" if module and module != __name__ else name
    return f"{text}: {doc[0].strip()}" if doc else text


def to_plain(action: Any) -> Any:
    """An action as plain JSON-able Python (int, float or nested lists)."""
    arr = np.asarray(action)
    return arr.item() if arr.shape == () else arr.tolist()


def from_plain(action: Any, space: ActionSpace) -> Any:
    """Rebuild an action of `space` from its plain form."""
    if hasattr(space, "n"):
        arr = np.asarray(action)
        return int(arr) if arr.shape == () else arr.astype(np.int64)
    return np.asarray(action, dtype=getattr(space, "dtype", "float32"))
