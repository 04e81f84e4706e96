"""Shared fixtures: register the mutants, run one tier of a toy case quickly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import tests.mutants  # noqa: F401 - registers the mutant adapters
from equivcheck import registry
from equivcheck.session import RunConfig, build_context, run_diff

RUNS = {
    "property": ("property", None),
    "interaction": ("interaction", None),
    "rollout": ("rollout", None),
    "rollout-lockstep": ("rollout", "lockstep"),
    "rollout-inject": ("rollout", "inject"),
    "transfer": ("transfer", None),
}


def run_pair(case_name: str, cand: str, tier_run: str = "rollout", seed: int = 0, **overrides: Any) -> Any:
    """Run one tier (optionally one runner) of a toy case against `cand`; returns the Report."""
    tier, runner = RUNS[tier_run]
    case = registry.get_case(case_name)
    overrides.setdefault("save_corpus", False)
    config = RunConfig(tiers=(tier,), runner=overrides.pop("runner", runner), master_seed=seed, **overrides)
    return run_diff(build_context(case, overrides.pop("ref", case.reference), cand, config))


@pytest.fixture
def tmp_reports(tmp_path: Path) -> Path:
    """A report directory for one test."""
    return tmp_path / "reports"
