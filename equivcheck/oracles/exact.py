"""Exact equality: the default for discrete games. NaN equals NaN; values must match exactly."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from equivcheck.oracles.base import reduce_rows


def _is_float(value: Any) -> bool:
    return isinstance(value, float) or (isinstance(value, np.ndarray | np.generic) and value.dtype.kind in "fc")


@dataclass(frozen=True)
class Exact:
    """Bit-for-bit agreement of values (0.0 == -0.0 and NaN == NaN count as equal)."""

    def check(self, ref: Any, cand: Any) -> tuple[bool, float | None]:
        """Exact comparison of scalars, strings, sequences or arrays of the same shape."""
        if isinstance(ref, np.ndarray) or isinstance(cand, np.ndarray):
            r, c = np.asarray(ref), np.asarray(cand)
            if r.shape != c.shape:
                return False, None
            if r.tobytes() == c.tobytes() and r.dtype == c.dtype:
                return True, 0.0
            try:
                ok = bool(np.array_equal(r, c, equal_nan=r.dtype.kind in "fc" and c.dtype.kind in "fc"))
            except TypeError:
                ok = bool(np.array_equal(r, c))
            return ok, (0.0 if ok else _max_abs(r, c))
        if isinstance(ref, dict | list | tuple) and isinstance(cand, dict | list | tuple):
            return nested_equal(ref, cand), None
        if ref == cand:
            return True, 0.0
        if _is_float(ref) and _is_float(cand) and ref != ref and cand != cand:
            return True, 0.0
        return False, _max_abs(ref, cand)

    def check_batch(self, ref: np.ndarray, cand: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """One vectorised equality per field over the batch axis."""
        eq = ref == cand
        if ref.dtype.kind in "fc":
            eq = eq | (np.isnan(ref) & np.isnan(cand))
        return reduce_rows(eq, np.all), None

    def describe(self) -> str:
        return "exact"


def nested_equal(ref: Any, cand: Any) -> bool:
    """Deep equality of nested dicts and lists (NaN equal to NaN), through deepdiff."""
    from deepdiff import DeepDiff

    return not DeepDiff(ref, cand, ignore_nan_inequality=True, ignore_type_in_groups=[(list, tuple)])


def _max_abs(ref: Any, cand: Any) -> float | None:
    """Largest absolute difference for numeric values, else None."""
    try:
        r = np.asarray(ref, dtype=np.float64)
        c = np.asarray(cand, dtype=np.float64)
        if r.shape != c.shape:
            return None
        return float(np.max(np.abs(r - c))) if r.size else 0.0
    except (TypeError, ValueError):
        return None
