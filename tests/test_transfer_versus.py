"""The transfer tier's two-player pieces: Versus seats and per-action linear features."""

from __future__ import annotations

import numpy as np

from equivcheck.adapter import Discrete
from equivcheck.tiers.transfer import LinearPolicy, Versus


def test_versus_gives_each_seat_its_own_mask_row_and_waits_with_zero() -> None:
    seen = []

    def first_legal(obs: object, mask: np.ndarray | None) -> int:
        seen.append(mask.copy())
        return int(np.flatnonzero(mask)[0])

    def last_legal(obs: object, mask: np.ndarray | None) -> int:
        return int(np.flatnonzero(mask)[-1])

    versus = Versus(first_legal, last_legal)
    mask = np.array([[False, True, True], [True, True, False]])
    assert versus(None, mask).tolist() == [1, 1]
    np.testing.assert_array_equal(seen[0], mask[0])
    waiting = np.array([[False, False, False], [False, False, True]])
    assert versus(None, waiting).tolist() == [0, 2]


def test_versus_observe_sees_the_bound_env() -> None:
    versus = Versus(lambda view, m: view, lambda view, m: view + 1, observe=lambda env, obs: env["x"] + obs)
    versus.begin({"x": 3})
    assert versus(1, None).tolist() == [4, 5]


def test_per_action_features_share_one_weight_vector() -> None:
    feats = np.array([[1.0, 0.0], [0.0, 1.0], [2.0, 2.0]])
    policy = LinearPolicy(np.array([1.0, -1.0]), np.zeros(()), Discrete(3), lambda obs: feats)
    assert policy(None, None) == 0
    assert policy(None, np.array([False, True, True])) == 2
    assert LinearPolicy(np.array([-1.0, 1.0]), np.zeros(()), Discrete(3), lambda obs: feats)(None, None) == 1
