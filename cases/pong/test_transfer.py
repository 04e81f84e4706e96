"""L4 on Pong: a linear policy trained (CEM, 300-step horizon on both sides) on each backend and
evaluated on both; TOST at margin 1.0. Full size: `python -m cases.pong.full transfer`."""

from __future__ import annotations

import pytest

from cases.pong.mutation_score import register
from equivcheck.pytest_plugin import assert_equivalent


@pytest.mark.tier("transfer")
def test_transfer(equivcheck_run) -> None:  # noqa: ANN001
    report = equivcheck_run("pong", "transfer", "pong-jax")
    assert_equivalent(report)
    stats = report.tiers[0].stats
    assert set(stats) == {"trained_on_ref", "trained_on_cand"}


@pytest.mark.tier("transfer")
def test_transfer_catches_swapped_actions(equivcheck_run) -> None:  # noqa: ANN001
    report = equivcheck_run("pong", "transfer", register("actions_swapped"), save_corpus=False)
    assert report.status == "divergent", report.error
