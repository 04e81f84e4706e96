"""L4 of the TCG case: a linear policy (player 0) trained against a heuristic player, on each backend,
evaluated on both over the same seeds; TOST margin 0.05 on the win rate (0.10 on the return).

Features are per action (one row per action, FEATURES), computed from the observation of the acting
player (both backends give the same observation layout, envs/tcg/observe.py), so the policy sees only
what player 0 may see.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np

from cases.tcg.policy import choose
from envs.tcg.actions import ABILITY, ATTACH, ATTACK, END, N_ACTIONS, PLAY, PROMOTE, RETREAT
from equivcheck.case import TransferSpec
from equivcheck.tiers.transfer import cem_train

MARGIN = 0.10
"""TOST margin on the return (+1/-1/0): 0.05 on the win rate."""
FEATURES = ("end", "play", "attach", "retreat", "attack", "ability", "promote", "attack index")


def features(obs: Any) -> np.ndarray:
    """(N_ACTIONS, len(FEATURES)): one-hot action kinds and the attack index (the linear policy scores rows)."""
    x = np.zeros((N_ACTIONS, len(FEATURES)))
    bounds = (END, PLAY, ATTACH, RETREAT, ATTACK, ABILITY, PROMOTE, N_ACTIONS)
    for k in range(7):
        x[bounds[k]:bounds[k + 1], k] = 1.0
    x[ATTACK + 1, 7] = 1.0
    return x


def heuristic(obs: Any, mask: np.ndarray | None) -> int:
    """Player 1: the case's eager player with a fixed seed per decision (attacks when it can)."""
    row = np.ones(N_ACTIONS, bool) if mask is None else np.asarray(mask, bool)
    view = np.asarray(obs)
    own = view[1] if view.ndim == 2 else view
    return choose(row, np.random.default_rng(int(own.sum()) & 0xFFFF))


PRIOR = np.array([-1.0, 0.5, 1.0, 0.0, 2.0, 0.5, 0.5, 0.2])


def trainer() -> Any:
    """cem_train from PRIOR against the heuristic."""
    return partial(cem_train, opponent=heuristic, init=PRIOR, init_std=0.5)


TRANSFER = TransferSpec(margin=MARGIN, featurise=features, train_episodes=4, train_iterations=3, population=8,
                        eval_episodes=100, max_steps=600, trainer=trainer())
