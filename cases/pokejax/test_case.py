"""The `pokejax` case: Showdown vs PokeJAX in lockstep (the default run is small; the 1,000-battle
run is `equivcheck diff --ref showdown --cand pokejax --episodes 1000 --jobs 2`, see
README.md), its schema, its L1 pairs, and mutants caught at their first divergent step."""

from __future__ import annotations

import numpy as np
import pytest

from adapters.pokejax import PokeJax, PokeJaxMutCrit, PokeJaxMutDamage
from adapters.showdown import schema_fields
from cases.pokejax.case import CASE, MASKS, NOT_MODELLED, NOT_MODELLED_FIELDS, compared_paths
from envs.pokejax.state import COVERED
from equivcheck.pytest_plugin import assert_equivalent
from equivcheck.schema import STEP_FIELDS


def test_schema_compares_every_field_but_the_case_list() -> None:
    """The case fixes what is compared (every Showdown field but NOT_MODELLED_FIELDS, masks included);
    the engine's snapshot covers all of it."""
    schema = CASE.schema
    declared = {p for p, _, _ in schema_fields()}
    assert set(schema.compared_fields) == set(compared_paths()) | set(STEP_FIELDS)
    assert set(MASKS) <= set(compared_paths()) and "prng" in compared_paths()
    not_compared = declared - set(compared_paths())
    assert len(not_compared) == 107 and not_compared <= schema.ignored
    kd = next(k for k in schema.known if k.id == "not-modelled")
    assert kd.reason == NOT_MODELLED and tuple(kd.fields) == NOT_MODELLED_FIELDS
    assert {p for p in declared if kd.matches(p)} == not_compared
    assert set(compared_paths()) <= set(COVERED) | set(MASKS)


def _episodes(request: pytest.FixtureRequest, default: int) -> int:
    return request.config.getoption("--episodes") or default


@pytest.mark.tier("rollout")
def test_rollout_lockstep(equivcheck_run, request: pytest.FixtureRequest) -> None:  # noqa: ANN001
    """The case's default run (16 battles: both players win one unless a 2^-15 chance fails the liveness)."""
    report = equivcheck_run("pokejax", "rollout", "pokejax", episodes=_episodes(request, CASE.episodes))
    assert_equivalent(report)
    assert report.liveness and all(report.liveness.values()), report.liveness
    assert report.tiers[0].steps > 10 * report.tiers[0].episodes


def _assert_tier_equivalent(report) -> None:  # noqa: ANN001
    """Every compared step equal (liveness over so few battles is left to test_rollout_lockstep)."""
    tier = report.tiers[0]
    assert tier.status == "equivalent" and not tier.divergences, report.error or tier.divergences[0].headline()
    assert tier.steps > 10 * tier.episodes


@pytest.mark.tier("rollout")
def test_rollout_inject(equivcheck_run, request: pytest.FixtureRequest) -> None:  # noqa: ANN001
    """Inject: the candidate restored to Showdown's state before every step (state.from_showdown_snapshot);
    every transition equal."""
    report = equivcheck_run("pokejax", "rollout", "pokejax", runner="inject", episodes=_episodes(request, 2))
    _assert_tier_equivalent(report)


@pytest.mark.tier("rollout")
def test_rollout_batched(equivcheck_run, request: pytest.FixtureRequest) -> None:  # noqa: ANN001
    report = equivcheck_run("pokejax", "rollout", "pokejax", batch=4, episodes=_episodes(request, 4))
    _assert_tier_equivalent(report)


@pytest.mark.tier("interaction")
def test_interaction_scenarios_and_search(equivcheck_run) -> None:  # noqa: ANN001
    """The scripted scenarios (explicit teams: Speed ties, priority, immunity, forced switch, Struggle)
    and a short stateful search from them and from seeds."""
    report = equivcheck_run("pokejax", "interaction", "pokejax", max_examples=3, save_corpus=False)
    assert_equivalent(report)
    assert report.tiers[0].episodes == len(CASE.scenarios)
    assert report.tiers[0].steps >= 20


@pytest.mark.tier("property")
def test_component_pairs_run_through_the_case(equivcheck_run) -> None:  # noqa: ANN001
    report = equivcheck_run("pokejax", "property", "pokejax", max_examples=8,
                            only=("damage: gen1 getDamage with crit and damage rolls", "prng: Gen5RNG calls"))
    assert_equivalent(report)
    assert report.tiers[0].examples >= 2


def _first_difference(mutant: PokeJax, seed: int, actions: list) -> tuple[int, set[str]]:
    """Replay `actions` on the engine and the mutant: the first step whose snapshots differ, and the fields."""
    good = PokeJax()
    good.reset(seed)
    mutant.reset(seed)
    for t, action in enumerate(actions, start=1):
        good.step(np.asarray(action))
        mutant.step(np.asarray(action))
        diffs = CASE.schema.compare(good.snapshot(), mutant.snapshot())
        if diffs:
            return t, {d.path for d in diffs}
    return -1, set()


@pytest.mark.tier("rollout")
@pytest.mark.parametrize("mutant", [PokeJaxMutCrit, PokeJaxMutDamage])
def test_mutant_caught_at_its_first_divergent_step(equivcheck_run, mutant: type) -> None:  # noqa: ANN001
    report = equivcheck_run("pokejax", "rollout", mutant.name, episodes=2, save_corpus=False, shrink=False)
    assert report.status == "divergent", report.status
    div = report.divergences[0]
    assert div.crash is None and div.step > 0
    step, fields = _first_difference(mutant(), div.episode_seed, div.actions)
    assert step == div.step
    assert {d.path for d in div.diffs} == fields
    assert any(f == "last_damage" or f.endswith(".hp") for f in fields), fields
