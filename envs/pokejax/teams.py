"""The gen1randombattle team generator (Showdown 0.11.11's RandomGen1Teams.randomTeam) in JAX.

The algorithm follows data/random-battles/gen1/teams.ts step by step, with the random source
pluggable: `draw(src, n) -> (src, k)` gives k in [0, n).

- `generate_showdown(state)`: Showdown's own PRNG (envs.pokejax.prng) as the source, so a team
  from the PRNG state of a seed is the team Showdown's generator makes from that seed, draw for
  draw (and the final PRNG state matches).
- `generate(key)`: jax.random as the source, for training; same distribution.

Draws, in Showdown's order: one `sample` of the type pool (unused outside monotype, but drawn);
then `sampleNoReplace` on the species pool (swap-with-last removal) until six pass the limits (at
most two per type, two per weakness among Electric/Psychic/Water/Ice/Ground/Fire, one level-100
Pokemon; rejects are kept and drawn from last); per set: `randomChance(1, 2)` for the combo moves
(when the species has some), `sample` of the exclusive moves, the essential moves, then
`sampleNoReplace` on the move pool until four distinct moves, and a Fisher-Yates `shuffle` of
the moves. EVs 255 and IVs 30, HP EVs lowered while the HP is a multiple of 4 with Substitute,
Attack EV 0 and IV 2 when no move uses the Attack stat (and no Mimic or Transform).

A team is a dict of arrays: species (6,) dex numbers, level (6,), moves (6, 4) move numbers in
Showdown's order, evs and ivs (6, 6) in hp/atk/def/spa/spd/spe order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from envs.pokejax import prng
from envs.pokejax.tables import PHYSICAL, load, tables

TEAM = 6
MOVES = 4
Draw = Callable[[Any, jax.Array], tuple[Any, jax.Array]]


@dataclass(frozen=True)
class SetData:
    """The random-battle data as padded arrays, in Showdown's key order."""

    species: np.ndarray
    level: np.ndarray
    types: np.ndarray
    weak: np.ndarray
    pool: np.ndarray
    pool_len: np.ndarray
    exclusive: np.ndarray
    exclusive_len: np.ndarray
    essential: np.ndarray
    essential_len: np.ndarray
    combo: np.ndarray
    combo_len: np.ndarray
    no_attack_stat: np.ndarray
    type_pool: int
    substitute: int
    mimic: int
    transform: int


def _pad(rows: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    width = max(1, max(len(r) for r in rows))
    out = np.full((len(rows), width), -1, np.int32)
    for i, r in enumerate(rows):
        out[i, :len(r)] = r
    return out, np.asarray([len(r) for r in rows], np.int32)


@lru_cache(maxsize=1)
def set_data() -> SetData:
    """Read randbats.json into arrays."""
    rb, t = load("randbats"), tables()
    sets = rb["sets"]
    mv = lambda ids: [t.move_index(m) for m in ids]  # noqa: E731
    pool, pool_len = _pad([mv(s["moves"]) for s in sets])
    exclusive, exclusive_len = _pad([mv(s["exclusiveMoves"]) for s in sets])
    essential, essential_len = _pad([mv(s["essentialMoves"]) for s in sets])
    combo, combo_len = _pad([mv(s["comboMoves"]) for s in sets])
    weak_types = rb["weakness_types"]
    weak = np.asarray([[w in s["weaknesses"] for w in weak_types] for s in sets], bool)
    n_moves = len(t.move_ids)
    no_attack = np.zeros(n_moves, bool)
    for i in range(1, n_moves):
        m = t.move_data[i]
        no_attack[i] = bool("damageCallback" in m.get("callbacks", []) or m.get("damage")
                            or t.move_category[i] != PHYSICAL)
    return SetData(
        species=np.asarray([s["num"] for s in sets], np.int32),
        level=np.asarray([s["level"] or rb["default_level"] for s in sets], np.int32),
        types=t.species_types[[s["num"] for s in sets]].astype(np.int32),
        weak=weak, pool=pool, pool_len=pool_len, exclusive=exclusive, exclusive_len=exclusive_len,
        essential=essential, essential_len=essential_len, combo=combo, combo_len=combo_len,
        no_attack_stat=no_attack, type_pool=len(rb["type_pool"]), substitute=t.move_index("substitute"),
        mimic=t.move_index("mimic"), transform=t.move_index("transform"),
    )


def _add(moves: jax.Array, count: jax.Array, move: jax.Array, ok: jax.Array) -> tuple[jax.Array, jax.Array]:
    """Set.add on an ordered set of at most 4 moves (no-op when present, full, or not ok)."""
    fresh = ok & (count < MOVES) & ~jnp.any(moves == move)
    return jnp.where(fresh, moves.at[jnp.minimum(count, MOVES - 1)].set(move), moves), count + fresh


def _random_set(src: Any, i: jax.Array, draw: Draw, d: SetData) -> tuple[Any, dict]:
    """randomSet(species i): (source, {moves (4,), evs (6,), ivs (6,)})."""
    moves = jnp.full(MOVES, -1, jnp.int32)
    count = jnp.int32(0)
    combo_len = jnp.asarray(d.combo_len)[i]
    has_combo = (combo_len > 0) & (combo_len <= MOVES)
    src2, coin = draw(src, jnp.int32(2))
    src = _select(has_combo, src2, src)
    take = has_combo & (coin < 1)
    for k in range(d.combo.shape[1]):
        moves, count = _add(moves, count, jnp.asarray(d.combo)[i, k], take & (k < combo_len))
    ex_len = jnp.asarray(d.exclusive_len)[i]
    use_ex = (count < MOVES) & (ex_len > 0)
    src2, k = draw(src, jnp.maximum(ex_len, 1))
    src = _select(use_ex, src2, src)
    moves, count = _add(moves, count, jnp.asarray(d.exclusive)[i, k], use_ex)
    es_len = jnp.asarray(d.essential_len)[i]
    for k in range(d.essential.shape[1]):
        moves, count = _add(moves, count, jnp.asarray(d.essential)[i, k], (k < es_len) & (count < MOVES))
    pool = jnp.asarray(d.pool)[i]
    plen = jnp.asarray(d.pool_len)[i]

    def pool_cond(c: tuple) -> jax.Array:
        return (c[2] < MOVES) & (c[4] > 0)

    def pool_body(c: tuple) -> tuple:
        s, mv, cnt, pl, n = c
        s, k = draw(s, n)
        move = pl[k]
        pl = pl.at[k].set(pl[n - 1])
        mv, cnt = _add(mv, cnt, move, jnp.bool_(True))
        return s, mv, cnt, pl, n - 1

    src, moves, count, _, _ = lax.while_loop(pool_cond, pool_body, (src, moves, count, pool, plen))

    def shuffle_body(j: int, c: tuple) -> tuple:
        s, mv = c
        active = j < count - 1
        s2, r = draw(s, jnp.maximum(count - j, 1))
        r = jnp.where(active, r + j, j)
        a, b = mv[j], mv[r]
        return _select(active, s2, s), mv.at[j].set(b).at[r].set(a)

    src, moves = lax.fori_loop(0, MOVES, shuffle_body, (src, moves))

    level = jnp.asarray(d.level)[i]
    base_hp = jnp.asarray(tables().base_stats[:, 0], jnp.int32)[jnp.asarray(d.species)[i]]
    has_sub = jnp.any(moves == d.substitute)

    def hp_cond(ev: jax.Array) -> jax.Array:
        hp = (2 * base_hp + 30 + ev // 4 + 100) * level // 100 + 10
        return has_sub & (ev > 3) & (hp % 4 == 0)

    ev_hp = lax.while_loop(hp_cond, lambda ev: ev - 4, jnp.int32(255))
    live = moves >= 0
    no_attack = jnp.all(~live | jnp.asarray(d.no_attack_stat)[jnp.maximum(moves, 0)])
    no_attack = no_attack & ~jnp.any(moves == d.mimic) & ~jnp.any(moves == d.transform)
    evs = jnp.asarray([255] * 6, jnp.int32).at[0].set(ev_hp).at[1].set(jnp.where(no_attack, 0, 255))
    ivs = jnp.asarray([30] * 6, jnp.int32).at[1].set(jnp.where(no_attack, 2, 30))
    return src, {"moves": moves, "evs": evs, "ivs": ivs}


def _select(cond: jax.Array, a: Any, b: Any) -> Any:
    return jax.tree_util.tree_map(lambda x, y: jnp.where(cond, x, y), a, b)


def random_team(src: Any, draw: Draw) -> tuple[Any, dict]:
    """randomTeam(): (source, team dict). Works with any draw function (see module doc)."""
    d = set_data()
    n = len(d.species)
    src, _ = draw(src, jnp.int32(d.type_pool))
    team = {
        "index": jnp.full(TEAM, -1, jnp.int32), "moves": jnp.full((TEAM, MOVES), -1, jnp.int32),
        "evs": jnp.zeros((TEAM, 6), jnp.int32), "ivs": jnp.zeros((TEAM, 6), jnp.int32),
    }
    types, weak, level = jnp.asarray(d.types), jnp.asarray(d.weak), jnp.asarray(d.level)

    def put(team: dict, size: jax.Array, i: jax.Array, s: dict) -> dict:
        return {"index": team["index"].at[size].set(i), "moves": team["moves"].at[size].set(s["moves"]),
                "evs": team["evs"].at[size].set(s["evs"]), "ivs": team["ivs"].at[size].set(s["ivs"])}

    def cond(c: tuple) -> jax.Array:
        return (c[2] > 0) & (c[4] < TEAM)

    def body(c: tuple) -> tuple:
        s, pool, plen, team, size, tcount, wcount, n100, rej, rlen = c
        s, k = draw(s, plen)
        i = pool[k]
        pool = pool.at[k].set(pool[plen - 1])
        ty = types[i]
        tcounts = jnp.where(ty >= 0, tcount[jnp.maximum(ty, 0)], 0)
        reject = jnp.any(tcounts >= 2)
        reject |= jnp.any(weak[i] & (wcount >= 2))
        reject |= (level[i] == 100) & (n100 >= 1)
        s2, new_set = _random_set(s, i, draw, d)
        s = _select(reject, s, s2)
        team = _select(reject, team, put(team, size, i, new_set))
        add = ~reject
        for slot in range(2):
            t = ty[slot]
            tcount = tcount.at[jnp.maximum(t, 0)].add(jnp.where(add & (t >= 0), 1, 0))
        wcount = wcount + jnp.where(add, weak[i].astype(jnp.int32), 0)
        n100 = n100 + jnp.where(add & (level[i] == 100), 1, 0)
        rej = jnp.where(reject, rej.at[rlen].set(i), rej)
        return (s, pool, plen - 1, team, size + add, tcount, wcount, n100, rej, rlen + reject)

    init = (src, jnp.arange(n, dtype=jnp.int32), jnp.int32(n), team, jnp.int32(0),
            jnp.zeros(len(tables().types), jnp.int32), jnp.zeros(weak.shape[1], jnp.int32), jnp.int32(0),
            jnp.full(n, -1, jnp.int32), jnp.int32(0))
    src, _, _, team, size, _, _, _, rej, rlen = lax.while_loop(cond, body, init)

    def rcond(c: tuple) -> jax.Array:
        return (c[2] < TEAM) & (c[4] > 0)

    def rbody(c: tuple) -> tuple:
        s, team, size, rej, rlen = c
        s, k = draw(s, rlen)
        i = rej[k]
        rej = rej.at[k].set(rej[rlen - 1])
        s, new_set = _random_set(s, i, draw, d)
        return s, put(team, size, i, new_set), size + 1, rej, rlen - 1

    src, team, size, _, _ = lax.while_loop(rcond, rbody, (src, team, size, rej, rlen))
    idx = jnp.maximum(team["index"], 0)
    out = {"species": jnp.asarray(d.species)[idx], "level": level[idx], "moves": team["moves"],
           "evs": team["evs"], "ivs": team["ivs"]}
    return src, out


def showdown_draw(state: prng.State, n: jax.Array) -> tuple[prng.State, jax.Array]:
    """Showdown's PRNG as the source: random(n)."""
    return prng.random(state, jnp.asarray(n).astype(jnp.uint32))


def key_draw(key: jax.Array, n: jax.Array) -> tuple[jax.Array, jax.Array]:
    """jax.random as the source: a uniform integer in [0, n)."""
    key, sub = jax.random.split(key)
    return key, jax.random.randint(sub, (), 0, jnp.maximum(n, 1), dtype=jnp.int32)


@jax.jit
def generate_showdown(state: prng.State) -> tuple[prng.State, dict]:
    """The team Showdown's generator makes from PRNG state `state` (its seed), and the state after."""
    return random_team(state, showdown_draw)


@jax.jit
def generate(key: jax.Array) -> dict:
    """A random gen1randombattle team from a jax.random key (vmap over keys for a batch)."""
    return random_team(key, key_draw)[1]
