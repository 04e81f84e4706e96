"""TCGJax's functional API: init and step of one game, vmapped for batches, and a refill step for training.

    state = init(seed, decks, energy_types, n_types)             # one game (jit it)
    state, obs, reward, done, mask = step(state, action)         # the acting player's action
    states = jax.vmap(init)(...); jax.vmap(step)(states, actions) # B games
    step_refill(states, actions, fresh)                          # finished games replaced by `fresh`

Rewards: +1 when player 0 wins, -1 when player 1 wins, 0 otherwise (on the step the game ends).
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from envs.tcg.state import OVER
from envs.tcgjax import engine, prng
from envs.tcgjax.observe import observe_both

__all__ = ["init", "init_view", "view", "step", "step_refill", "observe_both", "init_batch", "init_view_batch",
           "view_batch", "step_batch", "legal_batch"]
from envs.tcgjax.state import State


def init(seed: Any, decks: Any, energy_types: Any, n_types: Any) -> State:
    """A new game: decks (2, 20) card ids, energy_types (2, 3) padded with -1, n_types (2,)."""
    return engine.new_game(prng.seed_state(seed), jnp.asarray(decks, jnp.int32), jnp.asarray(energy_types, jnp.int32),
                           jnp.asarray(n_types, jnp.int32))


def view(s: State) -> tuple[jnp.ndarray, jnp.ndarray]:
    """(both observations, legal mask) of a state."""
    return observe_both(s), engine.legal_mask(s)


def init_view(seed: Any, decks: Any, energy_types: Any, n_types: Any) -> tuple[State, jnp.ndarray, jnp.ndarray]:
    """init, with the first observations and legal mask (one compiled call for a reset)."""
    s = init(seed, decks, energy_types, n_types)
    return (s, *view(s))


def reward_of(s: State) -> jnp.ndarray:
    """+1 / -1 / 0 from the winner (0 while the game goes on)."""
    over = s["phase"] == OVER
    return jnp.where(over & (s["winner"] == 0), 1.0, jnp.where(over & (s["winner"] == 1), -1.0, 0.0)).astype(jnp.float32)


def step(s: State, action: Any) -> tuple[State, jnp.ndarray, jnp.ndarray, jnp.ndarray, jnp.ndarray]:
    """Apply the acting player's action; a finished game stays as it is. (state, obs, reward, done, mask)."""
    was_over = s["phase"] == OVER
    nxt = engine.select(was_over, s, engine.apply(s, action))
    done = nxt["phase"] == OVER
    reward = jnp.where(was_over, 0.0, reward_of(nxt)).astype(jnp.float32)
    return nxt, observe_both(nxt), reward, done, engine.legal_mask(nxt)


def step_refill(s: State, action: Any, fresh: State) -> tuple[State, jnp.ndarray, jnp.ndarray, jnp.ndarray, jnp.ndarray]:
    """Batched step where every game that ends is replaced by the matching game of `fresh` (the training loop's API)."""
    nxt, obs, reward, done, mask = jax.vmap(step)(s, action)
    refilled = jax.vmap(engine.select)(done, fresh, nxt)
    return refilled, jax.vmap(observe_both)(refilled), reward, done, jax.vmap(engine.legal_mask)(refilled)


init_batch = jax.vmap(init)
init_view_batch = jax.vmap(init_view)
view_batch = jax.vmap(view)
step_batch = jax.vmap(step)
legal_batch = jax.vmap(engine.legal_mask)
