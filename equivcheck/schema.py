"""The declared comparable state: field path -> dtype, shape, oracle; normalisers; known differences.

A dtype or shape mismatch, a missing or an extra field is a divergence (a FieldDiff), never a
crash. Comparison has a fast path (identical values, checked with a few cheap operations) so the
lockstep runner's overhead stays in microseconds per step.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from equivcheck.oracles.base import Oracle
from equivcheck.oracles.exact import Exact
from equivcheck.report.model import FieldDiff

_MISSING = object()
STEP_FIELDS = ("reward", "terminated", "truncated")
"""Step outputs merged into every compared snapshot under these names."""


@dataclass(frozen=True)
class Field:
    """One comparable field. dtype is a numpy dtype name or 'str'; shape () means scalar."""

    path: str
    dtype: str = "int64"
    shape: tuple[int, ...] = ()
    oracle: Oracle = field(default_factory=Exact)
    doc: str = ""


@dataclass(frozen=True)
class KnownDifference:
    """A documented, accepted difference: the fields (glob patterns) and why.

    With `normalise`, both values pass through it before comparison; without, the fields are
    excluded from comparison and the report lists them as ignored.
    """

    id: str
    fields: tuple[str, ...]
    reason: str
    normalise: Callable[[Any], Any] | None = None

    def matches(self, path: str) -> bool:
        """True when `path` is one of this entry's fields."""
        return any(fnmatch.fnmatchcase(path, pat) for pat in self.fields)


def tolerance_of(oracle: Oracle) -> float | None:
    """An oracle's fixed error bound: atol when rtol is 0, or max_ulps; None when it has none."""
    if hasattr(oracle, "atol") and getattr(oracle, "rtol", 0) == 0:
        return float(oracle.atol)
    if hasattr(oracle, "max_ulps"):
        return float(oracle.max_ulps)
    return None


def value_signature(value: Any) -> tuple[str, tuple[int, ...]]:
    """(dtype name, shape) of a snapshot value; Python scalars map to bool/int64/float64/str."""
    if isinstance(value, np.ndarray | np.generic):
        return value.dtype.name, tuple(value.shape)
    if isinstance(value, bool):
        return "bool", ()
    if isinstance(value, int):
        return "int64", ()
    if isinstance(value, float):
        return "float64", ()
    if isinstance(value, str):
        return "str", ()
    arr = np.asarray(value)
    return arr.dtype.name, tuple(arr.shape)


def _dtype_ok(declared: str, value: Any, actual: str) -> bool:
    """Numpy values must match exactly; a Python scalar matches any dtype of its kind."""
    if declared in ("any", actual):
        return True
    if isinstance(value, np.ndarray | np.generic) or declared == "str" or actual == "str":
        return False
    kind = np.dtype(declared).kind
    if isinstance(value, bool):
        return kind == "b"
    if isinstance(value, int):
        return kind in "iu"
    if isinstance(value, float):
        return kind == "f"
    return False


class Schema:
    """A case's comparable state. `compare` returns the FieldDiffs between two snapshots."""

    def __init__(
        self,
        fields: Iterable[Field],
        known: Iterable[KnownDifference] = (),
        normalisers: Mapping[str, Callable[[Any], Any]] | None = None,
        version: str = "1",
    ) -> None:
        self.version = version
        declared = {f.path: f for f in fields}
        for name in STEP_FIELDS:
            declared.setdefault(name, Field(name, "float64" if name == "reward" else "bool", ()))
        self.fields: dict[str, Field] = declared
        self.known = list(known)
        self.normalisers: dict[str, Callable[[Any], Any]] = dict(normalisers or {})
        self.ignored: set[str] = set()
        for path in self.fields:
            for kd in self.known:
                if kd.matches(path):
                    if kd.normalise is None:
                        self.ignored.add(path)
                    else:
                        self.normalisers[path] = kd.normalise
        self._plan = [
            (path, f.oracle, isinstance(f.oracle, Exact) and path not in self.normalisers)
            for path, f in self.fields.items()
            if path not in self.ignored
        ]
        self._n_compared = len(self._plan)

    @property
    def compared_fields(self) -> list[str]:
        """Paths actually compared (declared minus ignored known differences)."""
        return [p for p, _, _ in self._plan]

    def approx_fields(self) -> list[str]:
        """Paths judged by a non-exact oracle (their errors are tracked over steps)."""
        return [p for p, oracle, _ in self._plan if not isinstance(oracle, Exact)]

    def validate(self, snap: Mapping[str, Any], side: str) -> list[FieldDiff]:
        """Check one side's snapshot against the declaration: dtype, shape, missing fields."""
        diffs: list[FieldDiff] = []
        for path, _, _ in self._plan:
            if path not in snap:
                continue
            value = snap[path]
            f = self.fields[path]
            dtype, shape = value_signature(value)
            if not _dtype_ok(f.dtype, value, dtype) or (f.shape != ("any",) and shape != tuple(f.shape)):
                declared = f"{f.dtype}{list(f.shape)}"
                got = f"{dtype}{list(shape)}"
                ref, cand = (got, declared) if side == "ref" else (declared, got)
                diffs.append(FieldDiff(path, ref, cand, kind="schema", oracle=f"declared {declared}"))
        return diffs

    def compare(
        self,
        ref: Mapping[str, Any],
        cand: Mapping[str, Any],
        errors: dict[str, float] | None = None,
        full: bool = False,
    ) -> list[FieldDiff]:
        """FieldDiffs between two snapshots (empty when they agree).

        `full` also checks both sides against the declared dtype and shape (the runners do this
        on an episode's first step). `errors`, when given, receives the error of non-exact fields.
        """
        diffs: list[FieldDiff] = self.validate(ref, "ref") + self.validate(cand, "cand") if full else []
        for path, oracle, fast in self._plan:
            r = ref.get(path, _MISSING)
            c = cand.get(path, _MISSING)
            if fast and type(r) is type(c):
                if type(r) is np.ndarray:
                    if r.shape == c.shape and r.dtype == c.dtype and r.tobytes() == c.tobytes():
                        continue
                elif r is not _MISSING and r == c:
                    continue
            diff = self._compare_field(path, oracle, r, c, errors)
            if diff is not None:
                diffs.append(diff)
        if len(ref) > self._n_compared or len(cand) > self._n_compared or full:
            diffs.extend(self._extra_fields(ref, cand))
        return diffs

    def _compare_field(
        self, path: str, oracle: Oracle, r: Any, c: Any, errors: dict[str, float] | None
    ) -> FieldDiff | None:
        if r is _MISSING or c is _MISSING:
            if r is _MISSING and c is _MISSING:
                if path in STEP_FIELDS:
                    return None
                return FieldDiff(path, "<missing>", "<missing>", kind="missing", oracle="declared field")
            return FieldDiff(
                path,
                "<missing>" if r is _MISSING else r,
                "<missing>" if c is _MISSING else c,
                kind="missing",
                oracle="declared field",
            )
        norm = self.normalisers.get(path)
        if norm is not None:
            r, c = norm(r), norm(c)
        r_sig, c_sig = value_signature(r), value_signature(c)
        if r_sig[1] != c_sig[1]:
            return FieldDiff(path, r, c, kind="shape", oracle=f"shape {list(r_sig[1])} vs {list(c_sig[1])}")
        if (r_sig[0] == "str") != (c_sig[0] == "str") or (
            isinstance(r, np.ndarray | np.generic) and isinstance(c, np.ndarray | np.generic) and r_sig[0] != c_sig[0]
        ):
            return FieldDiff(path, r, c, kind="dtype", oracle=f"dtype {r_sig[0]} vs {c_sig[0]}")
        ok, err = oracle.check(r, c)
        if errors is not None and err is not None and not isinstance(oracle, Exact):
            errors[path] = err
        if ok:
            return None
        return FieldDiff(path, r, c, kind="value", oracle=oracle.describe(), error=err)

    def _extra_fields(self, ref: Mapping[str, Any], cand: Mapping[str, Any]) -> list[FieldDiff]:
        diffs = []
        for side, snap in (("ref", ref), ("cand", cand)):
            for path in snap:
                if path not in self.fields:
                    value = snap[path]
                    r, c = (value, "<absent>") if side == "ref" else ("<absent>", value)
                    diffs.append(FieldDiff(path, r, c, kind="extra", oracle="undeclared field"))
        return diffs

    def compare_batch(
        self,
        ref: Mapping[str, np.ndarray],
        cand: Mapping[str, np.ndarray],
        active: np.ndarray,
        errors: dict[str, np.ndarray] | None = None,
    ) -> dict[int, list[FieldDiff]]:
        """Compare B episodes at once: one numpy operation per field; returns diffs per episode index."""
        out: dict[int, list[FieldDiff]] = {}
        for path, oracle, _ in self._plan:
            r = ref.get(path, _MISSING)
            c = cand.get(path, _MISSING)
            if r is _MISSING or c is _MISSING:
                if r is _MISSING and c is _MISSING and path in STEP_FIELDS:
                    continue
                for b in np.flatnonzero(active):
                    out.setdefault(int(b), []).append(
                        FieldDiff(path, "<missing>" if r is _MISSING else r[b], "<missing>" if c is _MISSING else c[b], kind="missing")
                    )
                continue
            norm = self.normalisers.get(path)
            if norm is not None:
                r, c = norm(r), norm(c)
            r, c = np.asarray(r), np.asarray(c)
            if r.dtype.kind in "USO" and c.dtype.kind in "USO":
                r, c = r.astype(object), c.astype(object)
            if r.shape != c.shape or r.dtype != c.dtype:
                kind = "shape" if r.shape != c.shape else "dtype"
                for b in np.flatnonzero(active):
                    out.setdefault(int(b), []).append(
                        FieldDiff(path, r[b] if r.shape[:1] == active.shape else r, c[b] if c.shape[:1] == active.shape else c,
                                  kind=kind, oracle=f"{r.dtype}{list(r.shape[1:])} vs {c.dtype}{list(c.shape[1:])}")
                    )
                continue
            ok, err = oracle.check_batch(r, c)
            if errors is not None and err is not None:
                errors[path] = err
            bad = np.flatnonzero(active & ~ok)
            for b in bad:
                e = None if err is None else float(err[b])
                out.setdefault(int(b), []).append(FieldDiff(path, r[b], c[b], oracle=oracle.describe(), error=e))
        return out

    def visible(self, snap: Mapping[str, Any] | None) -> dict[str, Any] | None:
        """A snapshot without the ignored known-difference fields (what reports show)."""
        if snap is None:
            return None
        return {k: v for k, v in snap.items() if k not in self.ignored}

    def describe_compared(self) -> list[dict[str, str]]:
        """Every compared field with its oracle (and the normaliser applied first, when any), for the report."""
        out = []
        for path, oracle, _ in self._plan:
            entry = next((kd for kd in self.known if kd.normalise is not None and kd.matches(path)), None)
            how = oracle.describe()
            if entry is not None:
                how = f"{how} after normaliser {entry.id}"
            elif path in self.normalisers:
                how = f"{how} after a normaliser"
            out.append({"field": path, "oracle": how})
        return out

    def describe_ignored(self) -> list[dict[str, str]]:
        """Every declared field left out of comparison, with the known difference that excludes it."""
        out = []
        for path in self.fields:
            if path in self.ignored:
                kd = next(k for k in self.known if k.normalise is None and k.matches(path))
                out.append({"field": path, "id": kd.id, "reason": kd.reason})
        return out

    def describe_known(self) -> list[dict[str, str]]:
        """The known differences, for the report."""
        return [
            {"id": kd.id, "fields": ", ".join(kd.fields), "reason": kd.reason,
             "handling": "normalised" if kd.normalise else "ignored"}
            for kd in self.known
        ]
