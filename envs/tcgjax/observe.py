"""Per-player observations in JAX: envs/tcg/observe.py's layout built from the state arrays."""

from __future__ import annotations

import jax.numpy as jnp

from envs.tcgjax.state import State


def _side(s: State, p: jnp.ndarray) -> jnp.ndarray:
    per_slot = jnp.concatenate([s["card"][p][:, None], s["damage"][p][:, None], s["energy"][p],
                                s["tool"][p][:, None], s["placed_turn"][p][:, None], s["ability_used"][p][:, None]],
                               axis=1)
    return jnp.concatenate([jnp.stack([s["poisoned"][p], s["burned"][p], s["rot"][p]]), per_slot.reshape(-1)])


def observe(s: State, me: int) -> jnp.ndarray:
    """Player `me`'s view (OBS_SIZE int32)."""
    op = 1 - me
    head = jnp.stack([s["turn"], (s["acting"] == me).astype(jnp.int32), s["phase"],
                      (s["first"] == me).astype(jnp.int32), s["points"][me], s["points"][op], s["hand_n"][me],
                      s["hand_n"][op], s["deck_n"][me], s["deck_n"][op], s["energy_cur"][me], s["energy_next"][me],
                      s["energy_next"][op], s["supporter_used"][me], s["retreated"][me], s["giovanni"][me],
                      s["retreat_reduction"][me], s["pending"][me], s["pending"][op], s["winner"]]).astype(jnp.int32)
    return jnp.concatenate([head, s["hand"][me], _side(s, me), _side(s, op), s["discard"][me], s["discard"][op],
                            s["energy_types"][me], s["energy_types"][op]]).astype(jnp.int32)


def observe_both(s: State) -> jnp.ndarray:
    """(2, OBS_SIZE): each player's view."""
    return jnp.stack([observe(s, 0), observe(s, 1)])
