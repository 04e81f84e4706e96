"""The Adapter protocol: one backend (reference or candidate) behind one interface.

The framework never knows which language is behind an adapter. Required: reset, step,
snapshot, versions. Optional capabilities are detected by `supports(adapter, name)`:
legal_actions, restore (inject mode, L2 from constructed states), and the batch trio
reset_batch / step_batch / snapshot_batch (a JAX candidate steps B episodes in one call).
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, NamedTuple

import numpy as np

from equivcheck.errors import ActionError

Snapshot = dict[str, Any]
"""Flat mapping of schema field path ("ball.x", "scores.left") to a numpy array or scalar."""


def _as_array(action: Any) -> np.ndarray:
    """np.asarray, with a ragged or unconvertible action as an ActionError."""
    try:
        return np.asarray(action)
    except (TypeError, ValueError) as exc:
        raise ActionError(f"an action must be a number or a rectangular array, got {action!r}") from exc


@dataclass(frozen=True)
class Discrete:
    """Integer actions 0..n-1."""

    n: int

    def validate(self, action: Any) -> int:
        """Return the action as an int, or raise ActionError naming what is wrong."""
        arr = _as_array(action)
        if arr.shape != () or not np.issubdtype(arr.dtype, np.integer):
            raise ActionError(f"expected one integer action in [0, {self.n}), got {action!r}")
        value = int(arr)
        if not 0 <= value < self.n:
            raise ActionError(f"action {value} out of range [0, {self.n})")
        return value

    def sample(self, rng: np.random.Generator, mask: np.ndarray | None = None) -> int:
        """Uniform over the legal actions (all, when mask is None)."""
        if mask is None:
            return int(rng.integers(self.n))
        legal = np.flatnonzero(mask)
        if legal.size == 0:
            raise ActionError("no legal action in mask")
        return int(rng.choice(legal))


@dataclass(frozen=True)
class Box:
    """Continuous actions in [low, high] of a fixed shape."""

    shape: tuple[int, ...]
    low: float = -1.0
    high: float = 1.0
    dtype: str = "float32"

    def validate(self, action: Any) -> np.ndarray:
        """Return the action as an array of the declared shape inside [low, high], or raise ActionError.

        The bounds are enforced, not clipped: a backend that clips (MuJoCo's ctrlrange) and one that
        does not would otherwise differ on an input neither side declares valid.
        """
        try:
            arr = np.asarray(action, dtype=self.dtype)
        except (TypeError, ValueError) as exc:
            raise ActionError(f"expected a numeric action of shape {tuple(self.shape)}, got {action!r}") from exc
        if arr.shape != tuple(self.shape):
            raise ActionError(f"expected action of shape {tuple(self.shape)}, got {arr.shape}")
        if not np.all(np.isfinite(arr)):
            raise ActionError("action contains NaN or inf")
        outside = (arr < self.low) | (arr > self.high)
        if outside.any():
            i = int(np.flatnonzero(outside.ravel())[0])
            raise ActionError(f"action component {i} is {arr.ravel()[i]:g}, outside [{self.low:g}, {self.high:g}]")
        return arr

    def sample(self, rng: np.random.Generator, mask: np.ndarray | None = None) -> np.ndarray:
        """Uniform in the box (mask is ignored)."""
        return rng.uniform(self.low, self.high, size=self.shape).astype(self.dtype)


@dataclass(frozen=True)
class JointDiscrete:
    """`players` integer actions, each in 0..n-1, as an int array of shape (players,).

    Masks have shape (players, n). A mask row with no legal action means that player has
    nothing to choose this step (a two-player game's "wait"): its action is ignored, and
    `sample` gives it 0.
    """

    n: int
    players: int = 2

    @property
    def shape(self) -> tuple[int, ...]:
        """The shape of one joint action."""
        return (self.players,)

    def validate(self, action: Any) -> np.ndarray:
        """Return the action as an int64 array of shape (players,), or raise ActionError."""
        arr = _as_array(action)
        if arr.shape != (self.players,) or not (arr.size == 0 or np.issubdtype(arr.dtype, np.integer)):
            raise ActionError(
                f"expected {self.players} integer actions (one per player) in [0, {self.n}), got {action!r}"
            )
        arr = arr.astype(np.int64)
        bad = (arr < 0) | (arr >= self.n)
        if bad.any():
            player = int(np.flatnonzero(bad)[0])
            raise ActionError(f"action {int(arr[player])} of player {player + 1} out of range [0, {self.n})")
        return arr

    def sample(self, rng: np.random.Generator, mask: np.ndarray | None = None) -> np.ndarray:
        """Uniform over each player's legal actions (all, when mask is None); 0 for a waiting player."""
        if mask is None:
            return rng.integers(self.n, size=self.players).astype(np.int64)
        mask = np.asarray(mask, dtype=bool)
        if mask.shape != (self.players, self.n):
            raise ActionError(f"expected a mask of shape {(self.players, self.n)}, got {mask.shape}")
        out = np.zeros(self.players, dtype=np.int64)
        for p in range(self.players):
            legal = np.flatnonzero(mask[p])
            if legal.size:
                out[p] = int(rng.choice(legal))
        return out

    def check_legal(self, action: np.ndarray, mask: np.ndarray) -> None:
        """Raise ActionError when an acting player's action is not legal under `mask`."""
        for p in range(self.players):
            row = mask[p]
            if row.any() and not row[action[p]]:
                legal = ",".join(str(i) for i in np.flatnonzero(row))
                raise ActionError(f"illegal action {int(action[p])} for player {p + 1} (legal: {legal})")


ActionSpace = Discrete | Box | JointDiscrete


class StepResult(NamedTuple):
    """What step() returns, Gymnasium's five-tuple."""

    obs: Any
    reward: Any
    terminated: Any
    truncated: Any
    info: dict


class Adapter(ABC):
    """One backend. Subclass, set `name` and `action_space`, implement the four required methods."""

    name: ClassVar[str] = "adapter"
    action_space: ActionSpace

    @classmethod
    def setup(cls, progress: Any = None) -> None:
        """Install what the backend needs outside pip (npm packages, downloaded wheels); idempotent.

        Called by `equivcheck setup NAME` and automatically before first use. Raise SetupError
        with one line saying what to install when it cannot.
        """

    @abstractmethod
    def reset(self, seed: int, options: Mapping[str, Any] | None = None) -> Any:
        """Start an episode from `seed`; return the first observation."""

    @abstractmethod
    def step(self, action: Any) -> StepResult:
        """Advance one step; return (obs, reward, terminated, truncated, info)."""

    @abstractmethod
    def snapshot(self) -> Snapshot:
        """The schema's fields for the current state, as numpy arrays or Python scalars."""

    @abstractmethod
    def versions(self) -> dict[str, str]:
        """Backend name, version and a build/file hash, printed in every report."""

    def close(self) -> None:
        """Release processes or handles; the default does nothing."""

    def __enter__(self) -> Adapter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


OPTIONAL_CAPABILITIES = ("legal_actions", "restore", "reset_batch", "step_batch", "snapshot_batch")


def supports(adapter: Any, capability: str) -> bool:
    """True when `adapter` implements an optional capability (a method of that name)."""
    if capability == "batch":
        return all(callable(getattr(adapter, m, None)) for m in ("reset_batch", "step_batch", "snapshot_batch"))
    return callable(getattr(adapter, capability, None))


def file_sha256(path: str | Path) -> str:
    """Hex sha256 of a file: the fingerprint adapters put in versions()."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def stack_snapshots(rows: Sequence[Mapping[str, Any]]) -> dict[str, np.ndarray]:
    """Per-battle snapshots as batch columns: numeric fields stacked, text fields as object arrays."""
    out: dict[str, np.ndarray] = {}
    for key, value in rows[0].items():
        if isinstance(value, str):
            col = np.empty(len(rows), dtype=object)
            col[:] = [r[key] for r in rows]
            out[key] = col
        else:
            out[key] = np.stack([r[key] for r in rows])
    return out
