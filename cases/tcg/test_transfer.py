"""L4 of the TCG case at a small size: CEM on each backend against the eager heuristic, evaluated on both
over the same seeds, TOST at 0.05 on the win rate. The case's counts: `equivcheck diff --ref tcg --cand
tcgjax --tier transfer`."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from cases.tcg.case import CASE
from cases.tcg.transfer import FEATURES, features, heuristic
from envs.tcg.actions import ATTACK, END, N_ACTIONS


def test_features_and_heuristic() -> None:
    x = features(np.zeros((2, 10)))
    assert x.shape == (N_ACTIONS, len(FEATURES)) and np.all(x[:, :7].sum(axis=1) == 1)
    row = np.zeros(N_ACTIONS, bool)
    row[[END, ATTACK]] = True
    picks = {heuristic(np.full((2, 3), k), row) for k in range(40)}
    assert ATTACK in picks


@pytest.mark.tier("transfer")
def test_transfer_small(equivcheck_run: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """A small copy (2 train episodes, 2 iterations of 4, 40 evaluation games): the two backends play the
    same games move for move, so the paired differences are 0 and TOST is decided by equality."""
    monkeypatch.setattr(CASE, "transfer", replace(CASE.transfer, train_episodes=2, train_iterations=2, population=4,
                                                  eval_episodes=40))
    report = equivcheck_run("tcg", "transfer", "tcgjax", save_corpus=False)
    tier = report.tiers[0]
    assert tier.status == "equivalent", report.error or tier.divergences
    for name in ("trained_on_ref", "trained_on_cand"):
        stats = tier.stats[name]
        assert stats["mean_on_ref"] == stats["mean_on_cand"]
