"""The toy cases through the pytest plugin: `pytest --tier=rollout cases/toy`.

Only the rollout test can fail by chance: the faithful candidates are exact (L4's paired returns are
identical, so its TOST is decided without sampling), but a rollout whose random episodes miss a
liveness condition is vacuous. Its episode counts come from the measured per-episode rates below.
"""

from __future__ import annotations

import pytest

from equivcheck import registry
from equivcheck.pytest_plugin import assert_equivalent
from tests import power

PAIRS = [("toy-walk", "toy-walk-cand"), ("toy-mass", "toy-mass-cand"), ("toy-dice", "toy-dice-cand")]

MEASURED = 1000
HELD = {
    "toy-walk": {"the walker moves": 1000, "the goal is reached": 989, "a wall bump costs": 82},
    "toy-mass": {"the mass moves": 1000, "a wall bounce": 388},
    "toy-dice": {"the generator advances": 1000, "a bust (roll of 1)": 790, "a bank pays": 1000},
}
"""Episodes of MEASURED in which each liveness condition held:
`python scripts/liveness_rates.py CASE --episodes 1000 --first 5000`."""
EPISODES = {case: max(power.liveness_episodes(held, MEASURED), registry.get_case(case).episodes)
            for case, held in HELD.items()}
"""Rollout episodes per toy: the case's default where it suffices (toy-walk's 60 left a 1-in-150 chance
of never bumping into the wall), else the fewest with a vacuous-run bound below 1e-4."""


@pytest.mark.tier("property")
@pytest.mark.parametrize(("case", "cand"), PAIRS)
def test_property(equivcheck_run, case: str, cand: str) -> None:  # noqa: ANN001
    assert_equivalent(equivcheck_run(case, "property", cand))


@pytest.mark.tier("interaction")
@pytest.mark.parametrize(("case", "cand"), PAIRS)
def test_interaction(equivcheck_run, case: str, cand: str) -> None:  # noqa: ANN001
    assert_equivalent(equivcheck_run(case, "interaction", cand))


def _vacuous(case: str) -> float:
    return power.vacuous(HELD[case], MEASURED, EPISODES[case])


@pytest.mark.tier("rollout")
@pytest.mark.parametrize(("case", "cand"), [
    pytest.param(case, cand, marks=pytest.mark.seed_sensitive(bound=_vacuous(case), why="liveness in EPISODES"))
    for case, cand in PAIRS])
def test_rollout(equivcheck_run, request: pytest.FixtureRequest, case: str, cand: str) -> None:  # noqa: ANN001
    report = equivcheck_run(case, "rollout", cand, episodes=request.config.getoption("--episodes") or EPISODES[case])
    assert_equivalent(report)
    assert all(report.liveness.values()) and report.liveness


@pytest.mark.tier("transfer")
@pytest.mark.parametrize(("case", "cand"), PAIRS)
def test_transfer(equivcheck_run, case: str, cand: str) -> None:  # noqa: ANN001
    assert_equivalent(equivcheck_run(case, "transfer", cand))
