"""Gen 1 Transform (Showdown 0.11.11 `pokemon.transformInto`, gen 1 branches), exact draw for draw.

Transform has accuracy `true` and power 0: no draw at all, it passes a substitute and reaches a
Fly/Dig-invulnerable foe (the gen1 invulnerability handler lets it through), and it fails only on a
fainted foe (impossible in Gen 1, whose faint clears the queue); a transformed foe can be copied.
The user takes the foe's current species (the snapshot's `species`), current types, storedStats,
modifiedStats (the foe's par/brn drops included, the user's own lost) and boosts; its move slots
become the foe's moves with 5 PP each and maxpp `calculatePP(move, ppUps[i])`, where only the
user's own set slots have 3 PP Ups (a slot past them has the move's base PP). HP, level, status and
volatiles stay. `setSpecies` first caches `pokemon.speed` as the Speed the foe's species would have
with the user's own IVs, EVs and level (eachEvent ties read it until the next `updateSpeed`).
Crits keep the set's species and `baseStoredStats` (state `species`, `base_stored`).

While transformed, PP is spent on the copied slots only (`deductPP` syncs a virtual slot back to
the set only when not transformed); the set's PP waits in `base_pp` and comes back with the set's
moves, species, types and stats at `clearVolatile` (switch-out, faint). A Move called by Mirror
Move gives the set's slot `lastSelectedMoveSlot` one PP back (mod 64) while transformed (Showdown's
Transform + Mirror Move PP glitch).
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from envs.pokejax.tables import tables

State = dict[str, Any]
SPE = 4


def _i32(x: Any) -> jax.Array:
    return jnp.asarray(x, jnp.int32)


def current_species(st: State, side: Any, i: Any) -> jax.Array:
    """`pokemon.species`: the species transformed into, else the set's."""
    ts = st["transform_species"][side, i].astype(jnp.int32)
    return jnp.where(ts > 0, ts, st["species"][side, i].astype(jnp.int32))


def set_slots(st: State, side: Any, i: Any) -> jax.Array:
    """How many move slots the set has (`ppUps.length`: the slots with PP Ups)."""
    return jnp.sum(st["base_moves"][side, i] > 0)


def slot_max_pp(move: Any, slot: Any, n_set: Any) -> jax.Array:
    """`calculatePP(move, ppUps[slot] || 0)`: 3 PP Ups on the set's slots, none past them."""
    from envs.pokejax.movefx import movefx

    t = tables()
    return jnp.where(slot < n_set, _i32(movefx().max_pp)[move], _i32(t.move_pp)[move])


def transform_family(st: State, side: Any, move: Any) -> State:
    """Transform's hit: the user (side's active) copies its foe (module doc). Draws nothing."""
    t = tables()
    foe = 1 - side
    u = st["active"][side].astype(jnp.int32)
    d = st["active"][foe].astype(jnp.int32)
    species = current_species(st, foe, d)
    level = st["level"][side, u].astype(jnp.int32)
    speed = (2 * _i32(t.base_stats)[species, 5] + st["spe_extra"][side, u].astype(jnp.int32)) * level // 100 + 5
    foe_moves = st["moves"][foe, d].astype(jnp.int32)
    slots = jnp.arange(4)
    maxpp = jnp.where(foe_moves > 0, slot_max_pp(foe_moves, slots, set_slots(st, side, u)), 0)
    pp = jnp.where(foe_moves > 0, jnp.minimum(5, _i32(t.move_pp)[foe_moves]), 0)
    first = st["transform_species"][side, u] == 0
    return {**st,
            "base_pp": st["base_pp"].at[side, u].set(jnp.where(first, st["pp"][side, u], st["base_pp"][side, u])),
            "transform_species": st["transform_species"].at[side, u].set(species.astype(jnp.int16)),
            "types": st["types"].at[side, u].set(st["types"][foe, d]),
            "stats": st["stats"].at[side, u].set(st["stats"][foe, d]),
            "modified": st["modified"].at[side, u].set(st["modified"][foe, d]),
            "boosts": st["boosts"].at[side, u].set(st["boosts"][foe, d]),
            "moves": st["moves"].at[side, u].set(foe_moves.astype(jnp.int16)),
            "pp": st["pp"].at[side, u].set(pp.astype(jnp.int8)),
            "maxpp": st["maxpp"].at[side, u].set(maxpp.astype(jnp.int8)),
            "speed": st["speed"].at[side, u].set(speed.astype(jnp.int16))}


def restore(st: State, side: Any, i: Any) -> State:
    """The transform part of `clearVolatile` for team member i: the set's PP and stored stats come back."""
    on = st["transform_species"][side, i] > 0
    return {**st, "pp": st["pp"].at[side, i].set(jnp.where(on, st["base_pp"][side, i], st["pp"][side, i])),
            "stats": st["stats"].at[side, i].set(st["base_stored"][side, i]),
            "transform_species": st["transform_species"].at[side, i].set(0)}


def mirror_pp_glitch(st: State, side: Any, nested: Any) -> State:
    """A move called by Mirror Move while transformed: the set's slot `lastSelectedMoveSlot` gains one PP."""
    u = st["active"][side].astype(jnp.int32)
    slot = st["last_selected_slot"][side].astype(jnp.int32)
    on = jnp.asarray(nested) & (st["transform_species"][side, u] > 0) & (slot < set_slots(st, side, u))
    cur = st["base_pp"][side, u, slot].astype(jnp.int32)
    return {**st, "base_pp": st["base_pp"].at[side, u, slot].set(jnp.where(on, (cur + 1) % 64, cur).astype(jnp.int8))}


def transform_only(st: State, side: int) -> jax.Array:
    """(6,) bool: each of `side`'s Pokemon has only Transform now (the Endless Battle Clause's test)."""
    tr = tables().move_index("transform")
    m = st["moves"][side]
    return jnp.all((m == 0) | (m == tr), axis=-1)
