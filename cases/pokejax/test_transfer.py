"""L4 of the PokeJAX case at a small size: a linear policy trained (CEM) on Showdown and on PokeJAX
against the highest-expected-damage player, evaluated on both over the same seeds, TOST at 0.02
on the win rate. The case's own counts run with
`equivcheck diff --ref showdown --cand pokejax --tier transfer` (README.md).

The equivalence test cannot fail by chance: PokeJAX replays every battle exactly, so every paired
return difference is 0 and the TOST is decided without sampling. The mutant test can: L4 sees
`pokejax-mut-half-damage-p1` only through battles whose return it changes, so it runs enough
evaluation battles that missing every one has probability below 1e-4 (CATCH_BATTLES below).
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import Any

import numpy as np
import pytest

from adapters.pokejax import PokeJax
from cases.pokejax.case import CASE
from cases.pokejax.transfer import (FEATURES, MARGIN, PRIOR, TRANSFER, HalfDamageToP1, features, heuristic,
                                    register_mutants, view)
from equivcheck import registry
from equivcheck.pytest_plugin import assert_equivalent
from equivcheck.tiers.transfer import Versus, cem_train, episode_return
from tests import power

SMALL = "pokejax-transfer-small"
CATCH = "pokejax-transfer-catch"

FLIPS = (FLIPS_CHANGED, FLIPS_BATTLES) = (75, 196)
"""`python -m cases.pokejax.transfer --flip-rate 196 1000` (battle seeds 1000-1195): the mutant changed
FLIPS_CHANGED of FLIPS_BATTLES returns of the PRIOR policy (70 of them up: 66 losses became wins)."""
FLIP_RATE = power.rate_lower(*FLIPS)
"""Per-battle chance (lower 99.9% bound) that the mutant changes the PRIOR policy's return."""
CATCH_BATTLES = power.trials_needed(FLIP_RATE)
"""Evaluation battles of the mutant test: L4 misses the mutant only if all of them keep their return."""
CATCH_MISS = power.all_miss(FLIP_RATE, CATCH_BATTLES)


@pytest.fixture(scope="module", autouse=True)
def small_case() -> None:
    """The case with CI-size TransferSpecs and the L4 mutant registered: SMALL (one CEM step of two
    policies, 6 evaluation battles: exact, so their number does not matter) and CATCH, whose search
    starts at PRIOR with no spread so that both sides' policy is PRIOR, the policy FLIPS measured (its
    battles are then independent trials), with CATCH_BATTLES evaluation battles."""
    spec = replace(TRANSFER, train_episodes=1, train_iterations=1, population=2, eval_episodes=6, max_steps=300)
    registry.register_case(SMALL, replace(CASE, transfer=spec))
    prior = partial(cem_train, opponent=partial(heuristic, "p2"), observe=view, init=PRIOR, init_std=0.0)
    catch = replace(TRANSFER, train_episodes=1, train_iterations=1, population=2, eval_episodes=CATCH_BATTLES,
                    max_steps=300, trainer=prior)
    registry.register_case(CATCH, replace(CASE, transfer=catch))
    register_mutants()


def test_case_declares_the_win_rate_margin() -> None:
    assert CASE.transfer is TRANSFER
    assert TRANSFER.margin == MARGIN == 2 * 0.02
    assert TRANSFER.eval_episodes >= 100


def test_heuristic_beats_the_first_legal_move_on_showdown() -> None:
    """The opponent is a real player: the first legal move loses to it most of the time, and the
    features read a legal move's damage from the snapshot."""
    env = registry.make_adapter(CASE.reference)
    try:
        naive = Versus(lambda v, m: int(np.flatnonzero(m)[0]), partial(heuristic, "p2"), view)
        returns = [episode_return(env, naive, seed, 300) for seed in range(8)]
        env.reset(0)
        x = features(env.snapshot())
    finally:
        env.close()
    assert np.mean(returns) < -0.5, returns
    assert x.shape == (9, len(FEATURES))
    assert x[:4, FEATURES.index("move")].sum() >= 1 and x[:4, FEATURES.index("damage")].max() > 0


@pytest.mark.tier("transfer")
def test_transfer_equivalent(equivcheck_run: Any) -> None:
    report = equivcheck_run(SMALL, "transfer", "pokejax")
    assert_equivalent(report)
    stats = report.tiers[0].stats
    assert set(stats) == {"trained_on_ref", "trained_on_cand"}
    for side in stats.values():
        assert side["mean_on_ref"] == side["mean_on_cand"]


def test_half_damage_mutant_gives_p1_back_half_its_loss() -> None:
    """What the mutant is: after a step, p1's standing Pokemon have half their HP loss back, p2's none."""
    good, mutant = PokeJax(), HalfDamageToP1()
    hurt = 0
    for seed in range(6):
        for env in (good, mutant):
            env.reset(seed)
        before = np.asarray(good.state["hp"])
        for env in (good, mutant):
            env.step(np.zeros(2, np.int64))
        after, mutated = np.asarray(good.state["hp"]), np.asarray(mutant.state["hp"])
        lost = before[0] - after[0]
        back = np.where((lost > 0) & (after[0] > 0), lost // 2, 0)
        np.testing.assert_array_equal(mutated[0], after[0] + back)
        np.testing.assert_array_equal(mutated[1], after[1])
        hurt += int(back.any())
    assert hurt >= 1, "no seed hurt p1 at step 1: the check saw nothing"


def test_catch_size_meets_the_budget() -> None:
    """Any changed return fails the TOST at this size, so the miss bound is the chance that none changes."""
    assert CATCH_MISS < power.BUDGET
    assert 0.1 < FLIP_RATE < FLIPS_CHANGED / FLIPS_BATTLES
    assert power.tost_sees_any_change(CATCH_BATTLES, (1, 2), MARGIN)


@pytest.mark.tier("transfer")
@pytest.mark.seed_sensitive(bound=CATCH_MISS, why="a return changed in one of CATCH_BATTLES battles")
def test_transfer_catches_half_damage_to_p1(equivcheck_run: Any) -> None:
    """The mutant changes a battle's return with probability >= FLIP_RATE; any changed return fails the
    paired TOST at this size (test_catch_size_meets_the_budget), so L4 misses it with probability at
    most (1 - FLIP_RATE)^CATCH_BATTLES < 1e-4 (counting the Showdown-side policy's battles alone).
    Which way the win rate moves in so few battles is left to the case's full run (README: 0.48 ->
    0.885); test_half_damage_mutant_gives_p1_back_half_its_loss pins what the mutant does."""
    report = equivcheck_run(CATCH, "transfer", HalfDamageToP1.name, save_corpus=False)
    assert report.status == "divergent", report.error
    paths = {d.path for div in report.divergences for d in div.diffs}
    assert paths and paths <= {"return[trained on ref]", "return[trained on cand]"}, paths
