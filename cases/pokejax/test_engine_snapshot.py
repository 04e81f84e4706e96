"""state.from_showdown_snapshot against Showdown: a PokeJAX battle can start from any Showdown state.

Before every step of a lockstep battle the PokeJAX state is rebuilt from Showdown's snapshot;
the rebuilt state must map back onto that snapshot (the round trip on state.COVERED) and the
step from it must match Showdown's next snapshot, so nothing the engine needs is missing from
the covered fields (for these pools).
"""

from __future__ import annotations

import pytest

from cases.pokejax.test_engine import run_battle, every_move
from cases.pokejax.test_engine_volatiles import substitute_moves, two_turn_moves


@pytest.mark.parametrize("seed", range(2))
def test_rebuilt_every_step_stays_in_lockstep(seed: int) -> None:
    moves = [m for m in every_move() if m != "counter"]
    assert run_battle(seed, 40, moves=moves, rebuild=True) >= 1


@pytest.mark.parametrize(("seed", "pool"), [(11000, substitute_moves), (11001, two_turn_moves)])
def test_rebuilt_volatile_battles(seed: int, pool) -> None:
    moves = [m for m in pool() if m != "counter"]
    assert run_battle(seed, 40, max_size=4, moves=moves, rebuild=True) >= 1
