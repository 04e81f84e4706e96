"""The toy cases through the pytest plugin: `pytest --tier=rollout cases/toy`."""

from __future__ import annotations

import pytest

from equivcheck.pytest_plugin import assert_equivalent

PAIRS = [("toy-walk", "toy-walk-cand"), ("toy-mass", "toy-mass-cand"), ("toy-dice", "toy-dice-cand")]


@pytest.mark.tier("property")
@pytest.mark.parametrize(("case", "cand"), PAIRS)
def test_property(equivcheck_run, case: str, cand: str) -> None:  # noqa: ANN001
    assert_equivalent(equivcheck_run(case, "property", cand))


@pytest.mark.tier("interaction")
@pytest.mark.parametrize(("case", "cand"), PAIRS)
def test_interaction(equivcheck_run, case: str, cand: str) -> None:  # noqa: ANN001
    assert_equivalent(equivcheck_run(case, "interaction", cand))


@pytest.mark.tier("rollout")
@pytest.mark.parametrize(("case", "cand"), PAIRS)
def test_rollout(equivcheck_run, case: str, cand: str) -> None:  # noqa: ANN001
    report = equivcheck_run(case, "rollout", cand)
    assert_equivalent(report)
    assert all(report.liveness.values()) and report.liveness


@pytest.mark.tier("transfer")
@pytest.mark.parametrize(("case", "cand"), PAIRS)
def test_transfer(equivcheck_run, case: str, cand: str) -> None:  # noqa: ANN001
    assert_equivalent(equivcheck_run(case, "transfer", cand))
