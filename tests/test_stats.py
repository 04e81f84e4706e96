"""Statistical oracles against values computed without scipy, plus their defining properties."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equivcheck.oracles.stats import (
    KS,
    TOST,
    ChiSquare,
    StatResult,
    chi_square_test,
    count_categories,
    ks_2samp_test,
    tost,
)


def student_t_sf(t: float, df: float) -> float:
    """P(T > t) by integrating the Student-t density with numpy (no scipy)."""
    log_c = math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)
    grid = np.linspace(t, max(abs(t), 1.0) * 1e3, 4_000_001)
    dens = np.exp(log_c - (df + 1) / 2 * np.log1p(grid**2 / df))
    return float(np.trapezoid(dens, grid))


def welch_by_hand(a: np.ndarray, b: np.ndarray, shift: float) -> tuple[float, float]:
    """Welch t-statistic of mean(a) + shift - mean(b), and the Welch-Satterthwaite df."""
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    t = (a.mean() + shift - b.mean()) / math.sqrt(va + vb)
    df = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
    return float(t), float(df)


def ecdf_max_gap(a: np.ndarray, b: np.ndarray) -> float:
    """KS statistic from the two empirical CDFs evaluated at every pooled point."""
    pooled = np.concatenate([a, b])
    fa = np.searchsorted(np.sort(a), pooled, side="right") / a.size
    fb = np.searchsorted(np.sort(b), pooled, side="right") / b.size
    return float(np.max(np.abs(fa - fb)))


A = np.array([5.1, 4.9, 5.6, 5.8, 6.0, 5.3, 5.5, 4.7, 5.2, 5.9])
B = np.array([5.0, 5.4, 5.7, 5.2, 4.8, 5.5, 6.1, 5.3])


class TestTost:
    def test_matches_hand_computed_welch(self) -> None:
        margin = 0.6
        res = tost(A, B, margin)
        t_lo, df = welch_by_hand(A, B, +margin)
        t_hi, _ = welch_by_hand(A, B, -margin)
        assert res.detail["t_lower"] == pytest.approx(t_lo, rel=1e-12)
        assert res.detail["t_upper"] == pytest.approx(t_hi, rel=1e-12)
        assert res.detail["df"] == pytest.approx(df, rel=1e-12)
        p_lo, p_hi = student_t_sf(t_lo, df), 1.0 - student_t_sf(t_hi, df)
        assert res.detail["p_lower"] == pytest.approx(p_lo, abs=1e-6)
        assert res.detail["p_upper"] == pytest.approx(p_hi, abs=1e-6)
        assert res.p_value == pytest.approx(max(p_lo, p_hi), abs=1e-6)
        assert res.statistic == pytest.approx(min(t_lo, -t_hi), rel=1e-12)
        assert res.test == "tost"
        assert res.equivalent_or_same == (res.p_value < 0.05)

    def test_verdict_flips_with_margin(self) -> None:
        assert tost(A, B, 0.6).equivalent_or_same
        assert not tost(A, B, 0.05).equivalent_or_same

    def test_confidence_interval_inside_margin_iff_equivalent(self) -> None:
        for margin in (0.05, 0.2, 0.3, 0.6):
            res = tost(A, B, margin)
            lo, hi = res.detail["ci"]
            assert (-margin < lo and hi < margin) == res.equivalent_or_same

    def test_identical_large_samples_equivalent(self) -> None:
        x = np.random.default_rng(1).normal(3.0, 2.0, 5000)
        res = tost(x, x.copy(), margin=0.2)
        assert res.equivalent_or_same and res.p_value < 1e-3

    def test_same_distribution_large_samples_equivalent(self) -> None:
        rng = np.random.default_rng(2)
        assert TOST(margin=0.1).check_samples(rng.normal(0, 1, 20000), rng.normal(0, 1, 20000))

    def test_means_three_margins_apart_not_equivalent(self) -> None:
        rng = np.random.default_rng(3)
        margin = 0.5
        res = tost(rng.normal(0, 1, 5000), rng.normal(3 * margin, 1, 5000), margin)
        assert not res.equivalent_or_same and res.p_value > 0.99

    def test_symmetric_and_shift_invariant(self) -> None:
        p = tost(A, B, 0.4).p_value
        assert tost(B, A, 0.4).p_value == pytest.approx(p, rel=1e-9)
        assert tost(A + 1000.0, B + 1000.0, 0.4).p_value == pytest.approx(p, rel=1e-6)

    @given(
        st.floats(-1e6, 1e6, allow_nan=False),
        st.floats(-1e6, 1e6, allow_nan=False),
        st.floats(1e-3, 1e3),
        st.integers(2, 50),
        st.integers(2, 50),
    )
    @settings(max_examples=200, deadline=None)
    def test_constants_without_nan(self, ca: float, cb: float, margin: float, na: int, nb: int) -> None:
        res = tost([ca] * na, [cb] * nb, margin)
        assert not math.isnan(res.statistic) and not math.isnan(res.p_value)
        assert res.equivalent_or_same == (abs(ca - cb) < margin)

    def test_zero_variance_one_side(self) -> None:
        res = tost([1.0] * 30, np.linspace(0.9, 1.1, 30), margin=0.5)
        assert res.equivalent_or_same and math.isfinite(res.statistic)

    def test_non_finite_samples_not_equivalent(self) -> None:
        res = tost([1.0, float("nan"), 2.0], [1.0, 2.0], margin=10)
        assert not res.equivalent_or_same and res.p_value == 1.0
        assert "non-finite" in res.detail["verdict"]

    def test_rejects_bad_arguments(self) -> None:
        with pytest.raises(ValueError, match="margin"):
            tost(A, B, 0.0)
        with pytest.raises(ValueError, match="at least 2"):
            tost([1.0], B, 1.0)


class TestKS:
    def test_separated_samples_exact_p(self) -> None:
        res = ks_2samp_test([1, 2, 3, 4], [5, 6, 7, 8])
        assert res.statistic == 1.0
        assert res.p_value == pytest.approx(2 / math.comb(8, 4))
        assert not res.equivalent_or_same

    def test_statistic_matches_ecdf(self) -> None:
        rng = np.random.default_rng(4)
        a, b = rng.normal(0, 1, 37), rng.normal(0.3, 1.5, 53)
        assert ks_2samp_test(a, b).statistic == pytest.approx(ecdf_max_gap(a, b), abs=1e-15)
        interleaved = ks_2samp_test([1, 3, 5, 7], [2, 4, 6, 8])
        assert interleaved.statistic == pytest.approx(0.25)
        assert interleaved.equivalent_or_same

    def test_large_sample_p_matches_kolmogorov_series(self) -> None:
        rng = np.random.default_rng(5)
        a, b = rng.normal(0, 1, 3000), rng.normal(0.05, 1, 3000)
        res = ks_2samp_test(a, b)
        lam = res.statistic * math.sqrt(a.size * b.size / (a.size + b.size))
        series = 2 * sum((-1) ** (k - 1) * math.exp(-2 * k * k * lam * lam) for k in range(1, 100))
        assert res.p_value == pytest.approx(series, abs=0.01)

    def test_same_distribution_same(self) -> None:
        rng = np.random.default_rng(6)
        assert KS().check_samples(rng.exponential(1, 4000), rng.exponential(1, 4000)).equivalent_or_same

    def test_different_distributions_rejected(self) -> None:
        rng = np.random.default_rng(7)
        n = 4000
        assert not KS().check_samples(rng.normal(0, 1, n), rng.normal(0.2, 1, n))
        assert not KS().check_samples(rng.normal(0, 1, n), rng.normal(0, 1.2, n))
        assert not KS().check_samples(rng.uniform(-math.sqrt(3), math.sqrt(3), n), rng.normal(0, 1, n))

    def test_nan_is_a_difference_not_a_crash(self) -> None:
        res = ks_2samp_test([1.0, float("nan")], [1.0, 2.0])
        assert not res.equivalent_or_same and not math.isnan(res.p_value)


class TestChiSquare:
    def test_textbook_2x3_without_correction(self) -> None:
        obs = np.array([[20, 30, 50], [30, 30, 40]], dtype=float)
        expected = obs.sum(1, keepdims=True) * obs.sum(0, keepdims=True) / obs.sum()
        stat = float(((obs - expected) ** 2 / expected).sum())
        res = chi_square_test({"a": 20, "b": 30, "c": 50}, {"a": 30, "b": 30, "c": 40})
        assert stat == pytest.approx(28 / 9)
        assert res.statistic == pytest.approx(stat)
        assert res.detail["dof"] == 2
        assert res.p_value == pytest.approx(math.exp(-stat / 2))
        assert res.equivalent_or_same

    def test_2x2_with_yates_correction(self) -> None:
        obs = np.array([[45, 55], [70, 30]], dtype=float)
        expected = obs.sum(1, keepdims=True) * obs.sum(0, keepdims=True) / obs.sum()
        stat = float(((np.abs(obs - expected) - 0.5) ** 2 / expected).sum())
        res = chi_square_test(np.array([45, 55]), np.array([70, 30]))
        assert res.statistic == pytest.approx(stat)
        assert res.p_value == pytest.approx(math.erfc(math.sqrt(stat / 2)))
        assert not res.equivalent_or_same

    def test_absent_categories_dropped(self) -> None:
        with_empty = chi_square_test({"a": 20, "b": 30, "z": 0, "c": 50}, {"a": 30, "b": 30, "c": 40, "y": 0})
        plain = chi_square_test([20, 30, 50], [30, 30, 40])
        assert with_empty.statistic == pytest.approx(plain.statistic)
        assert with_empty.detail["dof"] == 2
        assert set(with_empty.detail["dropped"]) == {"z", "y"}
        array_form = chi_square_test([20, 0, 30, 50], [30, 0, 30, 40])
        assert array_form.statistic == pytest.approx(plain.statistic) and array_form.detail["dropped"] == [1]

    def test_category_on_one_side_only_counts(self) -> None:
        res = chi_square_test({"a": 50, "b": 50}, {"a": 50, "b": 30, "c": 20})
        assert res.detail["dof"] == 2 and not res.equivalent_or_same

    def test_single_shared_category_is_same(self) -> None:
        res = chi_square_test({"win": 10}, {"win": 7})
        assert res.equivalent_or_same and res.p_value == 1.0 and res.statistic == 0.0

    def test_same_frequencies_same(self) -> None:
        rng = np.random.default_rng(8)
        p = [0.5, 0.3, 0.15, 0.05]
        ref, cand = rng.choice(4, 5000, p=p), rng.choice(4, 5000, p=p)
        assert ChiSquare().check_samples(ref, cand).equivalent_or_same

    def test_different_frequencies_rejected(self) -> None:
        rng = np.random.default_rng(9)
        ref = rng.choice(["win", "lose", "tie"], 5000, p=[0.45, 0.45, 0.10])
        cand = rng.choice(["win", "lose", "tie"], 5000, p=[0.50, 0.40, 0.10])
        res = ChiSquare().check_samples(list(ref), list(cand))
        assert not res.equivalent_or_same and res.p_value < 1e-3

    def test_count_categories_accepts_arrays(self) -> None:
        counts = count_categories([np.array([1, 2]), (1, 2), np.int64(3), 3])
        assert counts == {(1, 2): 2, 3: 2}

    def test_bad_input(self) -> None:
        with pytest.raises(ValueError, match="observation"):
            chi_square_test({"a": 0}, {"a": 3})
        with pytest.raises(ValueError, match="length"):
            chi_square_test([1, 2], [1, 2, 3])
        with pytest.raises(ValueError, match="non-negative"):
            chi_square_test([1, -2], [1, 2])


def test_oracles_describe_and_result_summary() -> None:
    assert TOST(0.02).describe() == "tost margin=0.02 alpha=0.05"
    assert KS(0.01).describe() == "ks alpha=0.01"
    assert ChiSquare().describe() == "chi2 alpha=0.05"
    res = KS().check_samples([1, 2, 3, 4], [5, 6, 7, 8])
    assert isinstance(res, StatResult) and "different" in res.summary()
