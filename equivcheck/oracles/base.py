"""The oracle protocol: decides whether a reference value and a candidate value agree."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class Oracle(Protocol):
    """Per-field judge. `check` handles one pair; `check_batch` a leading batch axis in one numpy op."""

    def check(self, ref: Any, cand: Any) -> tuple[bool, float | None]:
        """(agree, error): error is a float distance where one makes sense, else None."""
        ...

    def check_batch(self, ref: np.ndarray, cand: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """(agree[B], error[B] or None) for arrays with a leading batch axis B."""
        ...

    def describe(self) -> str:
        """Short text for reports, such as 'exact' or 'atol=1e-3 rtol=0'."""
        ...


def reduce_rows(values: np.ndarray, fn: Any) -> np.ndarray:
    """Apply a reduction (np.all, np.max) over every axis but the first, keeping shape (B,)."""
    if values.ndim <= 1:
        return values
    return fn(values.reshape(values.shape[0], -1), axis=1)
