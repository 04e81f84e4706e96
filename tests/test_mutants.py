"""Every tier catches the mutants meant for it, and passes the faithful candidates."""

from __future__ import annotations

import pytest

from tests.conftest import run_pair
from tests.mutants import MUTANTS

FAITHFUL = {"toy-walk": "toy-walk-cand", "toy-mass": "toy-mass-cand", "toy-dice": "toy-dice-cand"}
ALL_RUNS = ("property", "interaction", "rollout-lockstep", "rollout-inject", "transfer")


@pytest.mark.parametrize("case_name", sorted(FAITHFUL))
@pytest.mark.parametrize("tier_run", ALL_RUNS)
def test_faithful_candidate_is_equivalent(case_name: str, tier_run: str) -> None:
    report = run_pair(case_name, FAITHFUL[case_name], tier_run, seed=3)
    assert report.status == "equivalent", [d.headline() for d in report.divergences] or report.error
    assert report.tiers[0].status == "equivalent"
    assert report.tiers[0].episodes + report.tiers[0].examples > 0


@pytest.mark.parametrize(
    ("mutant", "tier_run"),
    [(name, tier) for name, m in MUTANTS.items() for tier in m.caught_by],
)
def test_mutant_is_caught(mutant: str, tier_run: str) -> None:
    report = run_pair(MUTANTS[mutant].case, mutant, tier_run, seed=3)
    assert report.status == "divergent", f"{tier_run} missed {mutant}: {report.error}"
    assert report.exit_code == 1
    first = report.divergences[0]
    assert first.diffs or first.crash
    assert first.repro


def test_each_toy_has_five_mutants() -> None:
    per_case: dict[str, int] = {}
    for m in MUTANTS.values():
        per_case[m.case] = per_case.get(m.case, 0) + 1
    assert per_case and all(n >= 5 for n in per_case.values()), per_case
    assert set(per_case) == set(FAITHFUL)


def test_drift_mutant_separates_the_runners() -> None:
    """A per-step error below tolerance: inject passes every transition, lockstep sees it grow."""
    inject = run_pair("toy-mass", "mut-mass-force-drift", "rollout-inject", seed=3)
    lockstep = run_pair("toy-mass", "mut-mass-force-drift", "rollout-lockstep", seed=3)
    assert inject.status == "equivalent"
    assert lockstep.status == "divergent"
    curve = lockstep.divergences[0].error_curve
    assert curve["vel"] and curve["vel"][-1] > 1e-5 > curve["vel"][0]


def test_inject_reports_every_faulty_transition() -> None:
    lockstep = run_pair("toy-walk", "mut-walk-bump-free", "rollout-lockstep", seed=5)
    inject = run_pair("toy-walk", "mut-walk-bump-free", "rollout-inject", seed=5)
    per_episode = {}
    for d in inject.divergences:
        per_episode[d.episode] = per_episode.get(d.episode, 0) + 1
    assert max(per_episode.values()) > 1, "inject should report later faulty steps of the same episode"
    assert all(d.diffs[0].path in ("reward", "total") for d in inject.divergences)
    assert len(inject.divergences) > len(lockstep.divergences)
