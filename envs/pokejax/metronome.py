"""Gen 1 Metronome as Showdown 0.11.11's gen1 mod runs it: which move it calls.

Its onHit takes the moves of the Gen 1 dex with the `metronome` flag (every Gen 1 move but
Metronome and Struggle: 163), sorted by number, and `sample`s one (a single `random(163)`). The
side's lastSelectedMove and lastEnemySelectedMove become that move and it is used at once
(moves.use_move's nested use: no PP of its own, a two-turn move gives one PP back to Metronome's
slot); Metronome's own AfterMove/AfterMoveSelf never run. Its onHit returns nothing, so its hit
counts as a success: a partial-trapping lock the called move started stays (traced: Metronome ->
Wrap leaves `partialtrappinglock` on the user).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from envs.pokejax import prng
from envs.pokejax.tables import tables

State = dict[str, Any]


@lru_cache(maxsize=1)
def pool() -> np.ndarray:
    """Move numbers Metronome can call, in Showdown's sorted order (by move number)."""
    t = tables()
    nums = [i for i in range(1, len(t.move_ids)) if t.move_data[i]["flags"].get("metronome")]
    return np.asarray(sorted(nums, key=lambda i: t.move_data[i]["num"]), np.int32)


def pick(st: State, cond: Any) -> tuple[State, jax.Array]:
    """The `sample` of the called move when `cond`: (state, move number, or 0 without the draw)."""
    moves = jnp.asarray(pool())
    drawn, k = prng.random(st["prng"], moves.shape[0])
    go = jnp.asarray(cond)
    return {**st, "prng": jnp.where(go, drawn, st["prng"])}, jnp.where(go, moves[k], 0)
