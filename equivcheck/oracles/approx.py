"""Approximate equality for float fields: absolute/relative tolerance, or units in the last place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from equivcheck.oracles.base import reduce_rows


@dataclass(frozen=True)
class Approx:
    """|cand - ref| <= atol + rtol * |ref|, element-wise; NaN agrees only with NaN. Error is L-infinity."""

    atol: float = 1e-6
    rtol: float = 0.0

    def check(self, ref: Any, cand: Any) -> tuple[bool, float | None]:
        """Compare two scalars or same-shape arrays; error is the largest absolute difference."""
        r = np.asarray(ref, dtype=np.float64)
        c = np.asarray(cand, dtype=np.float64)
        if r.shape != c.shape:
            return False, None
        ok, err = self._elementwise(r, c)
        return bool(np.all(ok)), float(np.max(err)) if err.size else 0.0

    def check_batch(self, ref: np.ndarray, cand: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """Vectorised over a leading batch axis."""
        ok, err = self._elementwise(np.asarray(ref, np.float64), np.asarray(cand, np.float64))
        return reduce_rows(ok, np.all), reduce_rows(err, np.max)

    def _elementwise(self, r: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        both_nan = np.isnan(r) & np.isnan(c)
        with np.errstate(invalid="ignore"):
            err = np.where(both_nan, 0.0, np.abs(c - r))
            ok = both_nan | (err <= self.atol + self.rtol * np.abs(r))
        return ok, np.nan_to_num(err, nan=np.inf)

    def describe(self) -> str:
        return f"atol={self.atol:g} rtol={self.rtol:g}"


@dataclass(frozen=True)
class Ulp:
    """At most `max_ulps` representable floats apart (in the reference's float width)."""

    max_ulps: int = 4

    def check(self, ref: Any, cand: Any) -> tuple[bool, float | None]:
        """Compare through the integer distance between the two floats' bit patterns."""
        r, c = np.asarray(ref), np.asarray(cand)
        if r.shape != c.shape:
            return False, None
        dist = ulp_distance(r, c)
        return bool(np.all(dist <= self.max_ulps)), float(np.max(dist)) if dist.size else 0.0

    def check_batch(self, ref: np.ndarray, cand: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """Vectorised over a leading batch axis; error is the ULP distance."""
        dist = ulp_distance(np.asarray(ref), np.asarray(cand)).astype(np.float64)
        return reduce_rows(dist <= self.max_ulps, np.all), reduce_rows(dist, np.max)

    def describe(self) -> str:
        return f"ulps<={self.max_ulps}"


def ulp_distance(ref: np.ndarray, cand: np.ndarray) -> np.ndarray:
    """Number of representable floats between ref and cand (NaN vs NaN is 0, NaN vs number is huge)."""
    dtype = np.float32 if ref.dtype == np.float32 else np.float64
    itype = np.int32 if dtype == np.float32 else np.int64
    r = np.ascontiguousarray(ref, dtype=dtype)
    c = np.ascontiguousarray(cand, dtype=dtype)

    def ordered(x: np.ndarray) -> np.ndarray:
        bits = x.view(itype).astype(np.int64)
        return np.where(bits < 0, np.int64(np.iinfo(itype).min) - bits, bits)

    dist = np.abs(ordered(r) - ordered(c)).astype(np.float64)
    r_nan, c_nan = np.isnan(r), np.isnan(c)
    dist = np.where(r_nan & c_nan, 0.0, dist)
    return np.where(r_nan ^ c_nan, np.inf, dist)
