"""The `tcg` case through the tiers: L3 lockstep (the default run; 1,000 games by the named command in
README.md), batched and inject runners, L1 pairs through the property tier, and mutants caught at their
first divergent step."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from adapters.tcg import TcgJax, TcgRef
from adapters.tcg_mutants import TcgJaxMutPrng
from cases.tcg.case import CASE
from cases.tcg.components import PAIRS
from envs.tcg.state import GAME_FIELDS, PLAYER_FIELDS
from equivcheck.pytest_plugin import assert_equivalent
from equivcheck.schema import STEP_FIELDS


def _episodes(request: pytest.FixtureRequest, default: int) -> int:
    return request.config.getoption("--episodes") or default


def test_schema_declares_every_snapshot_field() -> None:
    ref = TcgRef()
    ref.reset(1)
    snap = ref.snapshot()
    assert set(snap) == set(CASE.schema.compared_fields) - set(STEP_FIELDS)
    assert len(snap) == len(GAME_FIELDS) + 1 + 2 * len(PLAYER_FIELDS) + 4


@pytest.mark.tier("rollout")
def test_rollout_lockstep(equivcheck_run: Any, request: pytest.FixtureRequest) -> None:
    """The default run: 50 games, every field every step; every liveness condition met (the case's count,
    chosen so that a missed condition has probability below 1e-4: see cases/tcg/case.py)."""
    report = equivcheck_run("tcg", "rollout", "tcgjax", episodes=_episodes(request, CASE.episodes))
    assert_equivalent(report)
    assert report.liveness and all(report.liveness.values()), report.liveness
    assert report.tiers[0].steps > 20 * report.tiers[0].episodes


@pytest.mark.tier("rollout")
def test_rollout_batched_and_inject(equivcheck_run: Any, request: pytest.FixtureRequest) -> None:
    for kwargs in ({"batch": 4, "episodes": _episodes(request, 4)}, {"runner": "inject", "episodes": 2}):
        report = equivcheck_run("tcg", "rollout", "tcgjax", save_corpus=False, **kwargs)
        tier = report.tiers[0]
        assert tier.status == "equivalent" and not tier.divergences, report.error or tier.divergences[0].headline()
        assert tier.steps > 20 * tier.episodes


@pytest.mark.tier("property")
def test_component_pairs(equivcheck_run: Any) -> None:
    """Every rule and card-effect pair on a few drawn states each (the full count: --tier property)."""
    report = equivcheck_run("tcg", "property", "tcgjax", max_examples=3)
    assert_equivalent(report)
    assert report.tiers[0].examples >= 3 * len(PAIRS)


def _first_difference(mutant: TcgJax, seed: int, actions: list) -> tuple[int, set[str]]:
    good = TcgJax()
    good.reset(seed)
    mutant.reset(seed)
    if CASE.schema.compare(good.snapshot(), mutant.snapshot()):
        return 0, {d.path for d in CASE.schema.compare(good.snapshot(), mutant.snapshot())}
    for t, action in enumerate(actions, start=1):
        good.step(np.asarray(action))
        mutant.step(np.asarray(action))
        diffs = CASE.schema.compare(good.snapshot(), mutant.snapshot())
        if diffs:
            return t, {d.path for d in diffs}
    return -1, set()


@pytest.mark.tier("rollout")
def test_prng_mutant_caught_at_its_first_divergent_step(equivcheck_run: Any) -> None:
    """xorshift's first shift 12: the shuffles differ at reset; the report names step 0 and the prng field."""
    report = equivcheck_run("tcg", "rollout", TcgJaxMutPrng.name, episodes=2, save_corpus=False, shrink=False)
    assert report.status == "divergent", report.status
    div = report.divergences[0]
    assert div.crash is None
    step, fields = _first_difference(TcgJaxMutPrng(), div.episode_seed, div.actions)
    assert step == div.step
    assert "prng" in {d.path for d in div.diffs} and {d.path for d in div.diffs} == fields
