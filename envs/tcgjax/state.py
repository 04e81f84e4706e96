"""TCGJax's state: a dict of fixed-size arrays, envs/tcg/state.py's fields with a leading player axis.

`from_snapshot` / `to_snapshot` convert to and from the reference's flat snapshot, so both engines
are compared field by field and either can continue from the other's state.
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import numpy as np

from envs.tcg.state import GAME_FIELDS, PLAYER_FIELDS

State = dict[str, jnp.ndarray]


def from_snapshot(snap: dict[str, Any]) -> State:
    """A (host) state from a reference snapshot."""
    st = {name: np.stack([np.asarray(snap[f"p{i}.{name}"], np.int32) for i in range(2)]) for name, _ in PLAYER_FIELDS}
    st.update({k: np.int32(snap[k]) for k in GAME_FIELDS})
    st["prng"] = np.uint32(snap["prng"])
    return st


def to_snapshot(st: State) -> dict[str, Any]:
    """The reference's flat snapshot of one (unbatched) state."""
    host = {k: np.asarray(v) for k, v in st.items()}
    snap: dict[str, Any] = {k: np.int32(host[k]) for k in GAME_FIELDS}
    snap["prng"] = np.uint32(host["prng"])
    for name, _ in PLAYER_FIELDS:
        for i in range(2):
            snap[f"p{i}.{name}"] = host[name][i].astype(np.int32)
    return snap


def empty_state(decks: jnp.ndarray, energy_types: jnp.ndarray, n_types: jnp.ndarray, prng: jnp.ndarray) -> State:
    """Both decks unshuffled, nothing in play, turn 0 (engine.new_game continues from here)."""
    i32 = lambda shape, v=0: jnp.full(shape, v, jnp.int32)  # noqa: E731
    st = {name: i32((2, *shape), -1 if name in ("hand", "discard", "card", "stack", "tool", "placed_turn",
                                                 "energy_cur", "energy_next") else 0)
          for name, shape in PLAYER_FIELDS}
    st["deck"] = jnp.asarray(decks, jnp.int32)
    st["deck_n"] = i32((2,), 20)
    st["energy_types"] = jnp.asarray(energy_types, jnp.int32)
    st["n_types"] = jnp.asarray(n_types, jnp.int32)
    st.update({k: jnp.int32(0) for k in GAME_FIELDS})
    st["winner"] = jnp.int32(-1)
    st["prng"] = jnp.asarray(prng, jnp.uint32)
    return st
