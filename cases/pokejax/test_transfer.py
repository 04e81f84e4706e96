"""L4 of the PokeJAX case at a small size: a linear policy trained (CEM) on Showdown and on PokeJAX
against the highest-expected-damage player, evaluated on both over the same seeds, TOST at 0.02
on the win rate. The case's own counts run with
`equivcheck diff --ref showdown-pokejax-teams --cand pokejax --tier transfer` (README.md)."""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import Any

import numpy as np
import pytest

from cases.pokejax.case import CASE
from cases.pokejax.transfer import FEATURES, MARGIN, TRANSFER, features, heuristic, register_mutants, view
from equivcheck import registry
from equivcheck.pytest_plugin import assert_equivalent
from equivcheck.tiers.transfer import Versus, episode_return

SMALL = "pokejax-transfer-small"


@pytest.fixture(scope="module", autouse=True)
def small_case() -> None:
    """The case with a CI-size TransferSpec (a few dozen battles a side) and the L4 mutant registered."""
    spec = replace(TRANSFER, train_episodes=2, train_iterations=2, population=4, eval_episodes=12, max_steps=300)
    registry.register_case(SMALL, replace(CASE, transfer=spec))
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


@pytest.mark.tier("transfer")
def test_transfer_catches_half_damage_to_p1(equivcheck_run: Any) -> None:
    """p1's Pokemon take half damage on the mutant: the policy's win rate rises there, TOST fails."""
    report = equivcheck_run(SMALL, "transfer", "pokejax-mut-half-damage-p1", save_corpus=False)
    assert report.status == "divergent", report.error
    stats = report.tiers[0].stats["trained_on_ref"]
    assert stats["mean_on_cand"] > stats["mean_on_ref"] + 0.2, stats
    assert "return[trained on ref]" in {d.path for div in report.divergences for d in div.diffs}
