"""L1 on HalfCheetah: MuJoCo's mass matrix, bias forces, body positions and contacts against MJX's, and
against the JAX port's (plus its constraint solve and one integrator step) at far-from-reset states."""

from __future__ import annotations

import pytest

from equivcheck.pytest_plugin import assert_equivalent


@pytest.mark.tier("property")
@pytest.mark.parametrize("cand", ["mujoco-mjx", "mujoco-mjx-x64", "cheetah-jax", "cheetah-jax-x64"])
def test_components(equivcheck_run, cand: str) -> None:
    report = equivcheck_run("halfcheetah", "property", cand, max_examples=40)
    assert_equivalent(report)
    assert report.tiers[0].examples >= 5 * 40


@pytest.mark.tier("property")
def test_brax_has_no_mjx_components(equivcheck_run) -> None:
    """L1 compares MuJoCo's functions with MJX's: Brax's pipelines are judged at L2-L4 only."""
    report = equivcheck_run("halfcheetah", "property", "brax-generalized")
    assert report.tiers[0].status == "not applicable"
    assert report.tiers[0].items_skipped and all(s.kind == "declared" for s in report.tiers[0].items_skipped)
