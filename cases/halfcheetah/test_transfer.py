"""L4 on HalfCheetah: CEM over a linear policy on each side, evaluated on both; TOST at margin 100.

The CI spec is small (population 8, 3 iterations, 100-step episodes); the case's TransferSpec holds it.
"""

from __future__ import annotations

import pytest

from equivcheck.pytest_plugin import assert_equivalent


@pytest.mark.tier("transfer")
@pytest.mark.parametrize("cand", ["mujoco-mjx", "cheetah-jax"])
def test_transfer(equivcheck_run, cand: str) -> None:
    report = equivcheck_run("halfcheetah", "transfer", cand)
    assert_equivalent(report)
    stats = report.tiers[0].stats
    assert set(stats) == {"trained_on_ref", "trained_on_cand"}
    assert all(s["margin"] == 100.0 for s in stats.values())
