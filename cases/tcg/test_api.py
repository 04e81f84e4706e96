"""TCGJax's training API: step_refill replaces every game that ends by the matching fresh game, and the
observation hides the opponent's hand and deck."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from envs.tcg.decks import deck_arrays, seed_decks
from envs.tcg.env import TcgEnv
from envs.tcg.observe import HEADER
from envs.tcg.state import OVER, HAND
from envs.tcgjax import api


def _batch(seeds: list[int]) -> dict:
    arrays = [deck_arrays(seed_decks(s)) for s in seeds]
    cols = [jnp.asarray(np.stack([np.asarray(a[i]) for a in arrays]), jnp.int32) for i in range(3)]
    return api.init_batch(jnp.asarray(seeds, jnp.uint32), *cols)


def test_step_refill_replaces_finished_games() -> None:
    """(Compiles the vmapped step: minutes on a busy CPU the first time, then from JAX's persistent cache.)"""
    from adapters.mjx_halfcheetah import enable_compilation_cache

    enable_compilation_cache(jax)
    states, fresh = _batch([1, 2]), _batch([101, 102])
    over = jax.tree.map(lambda x: x, states)
    over["phase"] = over["phase"].at[0].set(OVER)
    step = jax.jit(api.step_refill)
    nxt, obs, reward, done, mask = step(over, jnp.zeros(2, jnp.int32), fresh)
    assert bool(done[0]) and not bool(done[1]) and float(reward[0]) == 0.0
    assert all(np.array_equal(np.asarray(nxt[k][0]), np.asarray(fresh[k][0])) for k in nxt)
    assert int(nxt["turn"][1]) == int(states["turn"][1]) + 1
    assert mask.shape == (2, 2, 57) and obs.shape[:2] == (2, 2)


def test_observation_hides_the_opponents_hand() -> None:
    """Changing player 1's hand and deck order changes player 1's view only."""
    env = TcgEnv()
    env.reset(4, seed_decks(4))
    before = env.observations()
    p1 = env.game.players[1]
    p1.hand[0] = (p1.hand[0] + 1) % 89
    p1.deck = list(reversed(p1.deck))
    after = env.observations()
    assert np.array_equal(before[0], after[0])
    hand = slice(len(HEADER), len(HEADER) + HAND)
    assert not np.array_equal(before[1][hand], after[1][hand])
