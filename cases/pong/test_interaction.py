"""L2 on Pong: scripted scenarios from states restored into both sides, then the stateful search;
the scenario mutants (exact contact, the 21st point, a point mid-frameskip) must be caught."""

from __future__ import annotations

import pytest

from cases.pong.mutation_score import register
from equivcheck.pytest_plugin import assert_equivalent


@pytest.mark.tier("interaction")
def test_interaction(equivcheck_run) -> None:  # noqa: ANN001
    report = equivcheck_run("pong", "interaction", "pong-jax")
    assert_equivalent(report)
    assert report.tiers[0].episodes >= 15, "every scenario runs"


@pytest.mark.tier("interaction")
@pytest.mark.parametrize(("mutant", "scenario"), [
    ("paddle_overlap_ge", "exact contact: ball top == paddle bottom"),
    ("spin_no_clamp", "vy 12 hit by an upward paddle (clamp to 13)"),
    ("win_at_20", "agent's 20th point (score.r = 19)"),
    ("frameskip_no_early_stop", "a point in frame 3 of frameskip 4"),
    ("stale_obs_fixed", "stale observation after a point"),
])
def test_interaction_catches(equivcheck_run, mutant: str, scenario: str) -> None:  # noqa: ANN001
    report = equivcheck_run("pong", "interaction", register(mutant), save_corpus=False)
    assert report.status == "divergent", report.error
    assert f"scenario:{scenario}" in {d.runner for d in report.divergences}
