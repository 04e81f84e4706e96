"""Statistical oracles for distributions whose draws cannot be matched one by one: TOST, KS, chi-square.

All three wrap scipy.stats. TOST certifies *equivalence* (p < alpha means equivalent); KS and
chi-square test *difference* (p >= alpha means no evidence the distributions differ).
"""

from __future__ import annotations

import math
import warnings
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats as sps

__all__ = [
    "KS",
    "TOST",
    "ChiSquare",
    "StatResult",
    "chi_square_test",
    "count_categories",
    "ks_2samp_test",
    "tost",
]


@dataclass
class StatResult:
    """Outcome of one statistical comparison; `equivalent_or_same` is the verdict."""

    test: str
    statistic: float
    p_value: float
    equivalent_or_same: bool
    detail: dict[str, Any] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return self.equivalent_or_same

    def summary(self) -> str:
        """One line for reports, such as 'tost: equivalent (t=4.1, p=0.0003)'."""
        verdict = self.detail.get("verdict") or ("same" if self.equivalent_or_same else "different")
        return f"{self.test}: {verdict} (stat={self.statistic:.4g}, p={self.p_value:.4g})"


def _sample(values: Any, name: str, minimum: int) -> np.ndarray:
    arr = np.asarray(values, dtype=np.float64).ravel()
    if arr.size < minimum:
        raise ValueError(f"{name} needs at least {minimum} values, got {arr.size}")
    return arr


def tost(a: Any, b: Any, margin: float, alpha: float = 0.05) -> StatResult:
    """Two one-sided Welch t-tests of |mean(a) - mean(b)| < margin; equivalent when max(p) < alpha."""
    if not margin > 0:
        raise ValueError(f"margin must be positive, got {margin}")
    x, y = _sample(a, "a", 2), _sample(b, "b", 2)
    detail: dict[str, Any] = {"margin": float(margin), "alpha": float(alpha), "n_a": int(x.size), "n_b": int(y.size)}
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        detail["verdict"] = "invalid: non-finite values"
        return StatResult("tost", 0.0, 1.0, False, detail)
    diff = float(x.mean() - y.mean())
    detail.update(mean_a=float(x.mean()), mean_b=float(y.mean()), mean_diff=diff)
    const_a, const_b = bool(np.all(x == x[0])), bool(np.all(y == y[0]))
    var_a = 0.0 if const_a else float(x.var(ddof=1))
    var_b = 0.0 if const_b else float(y.var(ddof=1))
    detail.update(var_a=var_a, var_b=var_b)
    if const_a and const_b:
        diff = float(x[0] - y[0])
        detail.update(mean_a=float(x[0]), mean_b=float(y[0]), mean_diff=diff)
        gap = margin - abs(diff)
        equivalent = gap > 0
        detail.update(degenerate="zero variance on both sides", verdict="equivalent" if equivalent else "not equivalent")
        statistic = math.inf if equivalent else (-math.inf if gap < 0 else 0.0)
        return StatResult("tost", statistic, 0.0 if equivalent else 1.0, equivalent, detail)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Precision loss", category=RuntimeWarning)
        lower = sps.ttest_ind(x + margin, y, equal_var=False, alternative="greater")
        upper = sps.ttest_ind(x - margin, y, equal_var=False, alternative="less")
    t_lower, t_upper = float(lower.statistic), float(upper.statistic)
    p_lower, p_upper = float(lower.pvalue), float(upper.pvalue)
    p_value = max(p_lower, p_upper)
    equivalent = p_value < alpha
    se = math.sqrt(var_a / x.size + var_b / y.size)
    half_width = _t_quantile(alpha, float(lower.df)) * se
    detail.update(
        t_lower=t_lower,
        t_upper=t_upper,
        p_lower=p_lower,
        p_upper=p_upper,
        df=float(lower.df),
        se=se,
        ci=[diff - half_width, diff + half_width],
        ci_level=1.0 - 2.0 * alpha,
        verdict="equivalent" if equivalent else "not equivalent",
    )
    statistic = min(t_lower, -t_upper)
    return StatResult("tost", statistic, p_value, equivalent, detail)


def _t_quantile(alpha: float, df: float) -> float:
    return float(sps.t.ppf(1.0 - alpha, df))


def ks_2samp_test(a: Any, b: Any, alpha: float = 0.05) -> StatResult:
    """Two-sample Kolmogorov-Smirnov test; 'same' when p >= alpha."""
    x, y = _sample(a, "a", 1), _sample(b, "b", 1)
    detail: dict[str, Any] = {"alpha": float(alpha), "n_a": int(x.size), "n_b": int(y.size)}
    if np.isnan(x).any() or np.isnan(y).any():
        detail["verdict"] = "invalid: NaN values"
        return StatResult("ks", 1.0, 0.0, False, detail)
    res = sps.ks_2samp(x, y)
    p_value = float(res.pvalue)
    same = p_value >= alpha
    detail.update(
        location=float(getattr(res, "statistic_location", math.nan)),
        sign=int(getattr(res, "statistic_sign", 0)),
        verdict="same" if same else "different",
    )
    if not math.isfinite(detail["location"]):
        del detail["location"]
    return StatResult("ks", float(res.statistic), p_value, same, detail)


def count_categories(samples: Iterable[Any]) -> dict[Hashable, int]:
    """Count categorical outcomes; arrays and lists become tuples so they can be keys."""
    if isinstance(samples, np.ndarray):
        samples = samples.tolist()
    counts: Counter[Hashable] = Counter()
    for value in samples:
        counts[_hashable(value)] += 1
    return dict(counts)


def _hashable(value: Any) -> Hashable:
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, list | tuple):
        return tuple(_hashable(v) for v in value)
    return value


def _table(counts_a: Any, counts_b: Any) -> tuple[list[Any], np.ndarray]:
    if isinstance(counts_a, Mapping) != isinstance(counts_b, Mapping):
        raise TypeError("counts_a and counts_b must both be mappings or both be arrays")
    if isinstance(counts_a, Mapping):
        categories = list(dict.fromkeys([*counts_a, *counts_b]))
        row_a = [counts_a.get(c, 0) for c in categories]
        row_b = [counts_b.get(c, 0) for c in categories]
    else:
        row_a, row_b = list(np.ravel(counts_a)), list(np.ravel(counts_b))
        if len(row_a) != len(row_b):
            raise ValueError(f"count arrays differ in length: {len(row_a)} vs {len(row_b)}")
        categories = list(range(len(row_a)))
    table = np.array([row_a, row_b], dtype=np.float64)
    if table.size and (np.any(table < 0) or not np.all(np.isfinite(table))):
        raise ValueError("counts must be finite and non-negative")
    return categories, table


def chi_square_test(counts_a: Any, counts_b: Any, alpha: float = 0.05, correction: bool = True) -> StatResult:
    """Chi-square homogeneity test on the 2xK table of counts (categories absent on both sides dropped)."""
    categories, table = _table(counts_a, counts_b)
    keep = table.sum(axis=0) > 0 if table.size else np.zeros(0, bool)
    kept = [c for c, k in zip(categories, keep, strict=True) if k]
    table = table[:, keep]
    totals = table.sum(axis=1)
    if np.any(totals == 0):
        raise ValueError(f"each side needs at least one observation (totals {totals.tolist()})")
    detail: dict[str, Any] = {
        "alpha": float(alpha),
        "categories": kept,
        "dropped": [c for c, k in zip(categories, keep, strict=True) if not k],
        "counts_a": table[0].astype(int).tolist(),
        "counts_b": table[1].astype(int).tolist(),
    }
    if len(kept) == 1:
        detail.update(dof=0, degenerate="single category on both sides", verdict="same")
        return StatResult("chi2", 0.0, 1.0, True, detail)
    res = sps.chi2_contingency(table, correction=correction)
    p_value = float(res.pvalue)
    same = p_value >= alpha
    min_expected = float(res.expected_freq.min())
    detail.update(
        dof=int(res.dof),
        expected_a=res.expected_freq[0].tolist(),
        expected_b=res.expected_freq[1].tolist(),
        min_expected=min_expected,
        verdict="same" if same else "different",
    )
    if min_expected < 5:
        detail["warning"] = "expected count below 5: the chi-square approximation is rough"
    return StatResult("chi2", float(res.statistic), p_value, same, detail)


@dataclass(frozen=True)
class TOST:
    """Distribution oracle: sample means equivalent within +-margin (two one-sided Welch t-tests)."""

    margin: float
    alpha: float = 0.05

    def check_samples(self, ref_samples: Any, cand_samples: Any) -> StatResult:
        """TOST of the reference's samples against the candidate's."""
        return tost(ref_samples, cand_samples, self.margin, self.alpha)

    def describe(self) -> str:
        """Short text for reports."""
        return f"tost margin={self.margin:g} alpha={self.alpha:g}"


@dataclass(frozen=True)
class KS:
    """Distribution oracle: two-sample Kolmogorov-Smirnov, same when p >= alpha."""

    alpha: float = 0.05

    def check_samples(self, ref_samples: Any, cand_samples: Any) -> StatResult:
        """KS test of the reference's samples against the candidate's."""
        return ks_2samp_test(ref_samples, cand_samples, self.alpha)

    def describe(self) -> str:
        """Short text for reports."""
        return f"ks alpha={self.alpha:g}"


@dataclass(frozen=True)
class ChiSquare:
    """Distribution oracle for categorical outcomes: chi-square homogeneity, same when p >= alpha."""

    alpha: float = 0.05

    def check_samples(self, ref_samples: Any, cand_samples: Any) -> StatResult:
        """Samples are raw outcomes (counted here) or mappings category -> count."""
        a = ref_samples if isinstance(ref_samples, Mapping) else count_categories(ref_samples)
        b = cand_samples if isinstance(cand_samples, Mapping) else count_categories(cand_samples)
        return chi_square_test(a, b, self.alpha)

    def describe(self) -> str:
        """Short text for reports."""
        return f"chi2 alpha={self.alpha:g}"
