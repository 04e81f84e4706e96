"""The false-failure bounds of tests/power.py against scipy's own intervals and the tier's TOST."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sps

from equivcheck.oracles.stats import tost
from tests import power


def test_rate_bounds_are_one_sided_clopper_pearson() -> None:
    ci = sps.binomtest(27, 80).proportion_ci(confidence_level=1 - 2 * (1 - power.CONFIDENCE), method="exact")
    assert power.rate_lower(27, 80) == pytest.approx(ci.low, rel=1e-9)
    assert power.rate_upper(27, 80) == pytest.approx(ci.high, rel=1e-9)
    assert power.rate_lower(0, 50) == 0.0 and power.rate_upper(50, 50) == 1.0
    assert power.rate_upper(0, 1000) == pytest.approx(1 - (1 - power.CONFIDENCE) ** (1 / 1000))
    with pytest.raises(ValueError):
        power.rate_lower(5, 4)


def test_trials_needed_is_the_smallest_count_under_budget() -> None:
    for rate in (0.01, 0.0575, 0.187, 0.5, 0.97):
        n = power.trials_needed(rate)
        assert power.all_miss(rate, n) < power.BUDGET <= power.all_miss(rate, n - 1)
    assert power.trials_needed(1.0) == 1


def test_vacuous_is_the_union_over_conditions() -> None:
    held = {"rare": 82, "common": 989}
    n = power.liveness_episodes(held, 1000)
    assert power.vacuous(held, 1000, n) < power.BUDGET <= power.vacuous(held, 1000, n - 1)
    assert power.vacuous(held, 1000, n) == pytest.approx(
        power.all_miss(power.rate_lower(82, 1000), n) + power.all_miss(power.rate_lower(989, 1000), n))
    assert power.at_most(0, 10, 0.1) == pytest.approx(0.9**10)
    with pytest.raises(ValueError, match="never held"):
        power.liveness_episodes({"never": 0}, 100)


def test_tost_sees_any_change_agrees_with_the_tier_statistic() -> None:
    """A single changed return of 1 in 45 fails the TOST at 0.04; in 200 returns it no longer does."""
    n = 45
    assert power.tost_sees_any_change(n, (1, 2), 0.04)
    rng = np.random.default_rng(0)
    for _ in range(200):
        diffs = np.zeros(n)
        k = int(rng.integers(1, 6))
        diffs[rng.choice(n, k, replace=False)] = rng.choice([-2, -1, 1, 2], k)
        assert not tost(diffs, np.zeros(n), margin=0.04).equivalent_or_same, diffs
    wide = np.zeros(200)
    wide[0] = 1.0
    assert tost(wide, np.zeros(200), margin=0.04).equivalent_or_same
    assert not power.tost_sees_any_change(200, (1,), 0.04)
