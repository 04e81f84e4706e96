"""Random-battle teams restricted to the moves the engine implements (engine.supported_move).

Every move for which `engine.supported_move` is false is replaced, slot by slot in order, by the
first move that is supported and not already in the set from (1) the species' own random-battle
moves (randbats.json: moves, exclusive, essential, combo, in that order), then (2) the supported
moves in move-number order (Struggle excepted: no set has it), starting at a place that depends on the species and slot
((dex * 4 + slot) mod count), so fallbacks vary. Level, EVs and IVs stay as generated. Once every
move is supported, `substitute` changes nothing: since Transform (Ditto's and Mew's sets, the last
one) is exact, every gen1randombattle move is, so `substituted_moves()` is empty and the teams are
Showdown's own; the rule stays for moves an engine change might gate again. The supported set is
read once per process.
"""

from __future__ import annotations

from functools import lru_cache

import jax
import jax.numpy as jnp
import numpy as np

from envs.pokejax import engine
from envs.pokejax.tables import load, tables

Teams = dict
"""api.Teams: species, level, moves, ivs, evs arrays of one battle (2 sides)."""


@lru_cache(maxsize=1)
def supported() -> np.ndarray:
    """(moves,) bool: move number -> the engine implements it (asked once per process)."""
    t = tables()
    return np.array([i > 0 and engine.supported_move(t.move_ids[i]) for i in range(len(t.move_ids))])


@lru_cache(maxsize=1)
def _tables() -> tuple[np.ndarray, np.ndarray]:
    """(pool (species, P): supported random-battle moves of each species, -1 padded; fallback (F,))."""
    t = tables()
    ok = supported()
    rows: dict[int, list[int]] = {}
    for s in load("randbats")["sets"]:
        ids = [m for key in ("moves", "exclusiveMoves", "essentialMoves", "comboMoves") for m in s[key]]
        nums = [t.move_index(m) for m in dict.fromkeys(ids)]
        rows[s["num"]] = [m for m in nums if ok[m]]
    width = max(1, max((len(r) for r in rows.values()), default=1))
    pool = np.full((len(t.species_ids), width), -1, np.int32)
    for num, r in rows.items():
        pool[num, :len(r)] = r
    fallback = np.flatnonzero(ok)
    return pool, fallback[fallback != t.move_index("struggle")].astype(np.int32)


def substitute(teams: Teams) -> Teams:
    """Replace the unsupported moves of one battle's `Teams` (module doc); jittable and vmap-able."""
    pool_np, fallback_np = _tables()
    ok = jnp.asarray(supported())
    pool, fallback = jnp.asarray(pool_np), jnp.asarray(fallback_np)
    species = jnp.asarray(teams["species"], jnp.int32)
    moves = jnp.asarray(teams["moves"], jnp.int32)
    n_fb = fallback.shape[0]

    def one(dex: jax.Array, mv: jax.Array) -> jax.Array:
        for k in range(mv.shape[0]):
            m = mv[k]
            need = (m > 0) & ~ok[m]
            start = (dex * 4 + k) % n_fb
            cands = jnp.concatenate([pool[dex], fallback[(jnp.arange(n_fb) + start) % n_fb]])
            free = (cands > 0) & ~jnp.any(cands[:, None] == mv[None, :], axis=1)
            mv = mv.at[k].set(jnp.where(need, cands[jnp.argmax(free)], m))
        return mv

    new = jax.vmap(jax.vmap(one))(species, moves)
    return {**teams, "moves": new}


@lru_cache(maxsize=1)
def substituted_moves() -> tuple[str, ...]:
    """The random-battle moves the engine lacks: every occurrence in a team is substituted."""
    t = tables()
    ok = supported()
    ids = {m for s in load("randbats")["sets"] for key in ("moves", "exclusiveMoves", "essentialMoves", "comboMoves")
           for m in s[key]}
    return tuple(sorted(m for m in ids if not ok[t.move_index(m)]))
