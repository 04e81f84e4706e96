"""L1 component pairs for PokeJAX: Showdown's own functions (through components.js) vs the JAX ones.

Each pair's reference calls Showdown 0.11.11 in Node (adapters.pokejax_components) and its
candidate calls envs.pokejax; outputs are plain dicts compared exactly, key by key.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from hypothesis import strategies as st
from jax import lax

from adapters.pokejax_components import showdown_components
from equivcheck.case import ComponentPair
from envs.pokejax import damage, prng, stats
from envs.pokejax.tables import PHYSICAL, STAT_NAMES, STATUS, tables

MAX_CALLS = 24
SHUFFLE_MAX = 8
OPS = ("random", "random_n", "random_mn", "chance", "sample", "shuffle")
BOOST_NAMES = ("atk", "def", "spa", "spd", "spe", "accuracy", "evasion")

# ---------------------------------------------------------------------------------------------
# PRNG: a program of calls, run by Showdown's PRNG and by a jitted lax.scan + lax.switch.

_words = st.lists(st.integers(0, 0xFFFF), min_size=4, max_size=4)
_n = st.integers(1, prng.MAX_N)


@st.composite
def _call(draw: Any) -> list:
    kind = draw(st.sampled_from(OPS))
    if kind == "random":
        return ["random"]
    if kind == "random_n":
        return ["random", draw(st.one_of(st.integers(1, 300), _n))]
    if kind == "random_mn":
        m = draw(st.integers(0, prng.MAX_N - 1))
        return ["random", m, draw(st.integers(m + 1, min(m + prng.MAX_N, 2 * prng.MAX_N)))]
    if kind == "chance":
        den = draw(st.one_of(st.just(256), st.integers(1, 300), _n))
        return ["chance", draw(st.integers(0, den)), den]
    if kind == "sample":
        return ["sample", draw(st.integers(1, 300))]
    length = draw(st.integers(1, SHUFFLE_MAX))
    start = draw(st.integers(0, length))
    return ["shuffle", length, start, draw(st.integers(start, length))]


PRNG_STRATEGY = st.tuples(_words, st.lists(_call(), min_size=1, max_size=MAX_CALLS))


def _encode(calls: list[list]) -> np.ndarray:
    prog = np.zeros((MAX_CALLS, 4), np.int64)
    prog[:, 0] = -1
    for i, call in enumerate(calls):
        name, args = call[0], list(call[1:])
        if name == "random":
            op = ("random", "random_n", "random_mn")[len(args)]
        else:
            op = name
        prog[i, 0] = OPS.index(op)
        prog[i, 1:1 + len(args)] = args
    return prog


@jax.jit
def _run_program(seed_words: jax.Array, prog: jax.Array) -> tuple[jax.Array, jax.Array, jax.Array]:
    """Run encoded calls: (final words, value per call (uint32), shuffled arrays per call)."""
    base = jnp.arange(SHUFFLE_MAX, dtype=jnp.int32)

    def branch(fn: Any) -> Any:
        def run(args: tuple) -> tuple:
            state, a, b, c = args
            state, val, arr = fn(state, a, b, c)
            return state, jnp.asarray(val).astype(jnp.uint32), arr
        return run

    branches = [
        branch(lambda s, a, b, c: (*prng.random_float(s), base)),
        branch(lambda s, a, b, c: (*prng.random(s, a.astype(jnp.uint32)), base)),
        branch(lambda s, a, b, c: (*prng.random_range(s, a, b), base)),
        branch(lambda s, a, b, c: (*prng.random_chance(s, a, b), base)),
        branch(lambda s, a, b, c: (*prng.sample_index(s, a.astype(jnp.uint32)), base)),
        branch(lambda s, a, b, c: (lambda r: (r[0], 0, r[1]))(prng.shuffle(s, base, b, c))),
    ]

    def step(state: jax.Array, row: jax.Array) -> tuple:
        op = row[0]
        a, b, c = row[1], row[2], row[3]
        new_state, val, arr = lax.switch(jnp.maximum(op, 0), branches, (state, a, b, c))
        live = op >= 0
        return jnp.where(live, new_state, state), (jnp.where(live, val, 0), arr)

    state, (vals, arrs) = lax.scan(step, prng.from_words(seed_words), prog)
    return prng.words(state), vals, arrs


def ref_prng(seed: list[int], calls: list[list]) -> dict:
    """Showdown's PRNG making the calls."""
    r = showdown_components().prng([{"seed": seed, "calls": calls}])[0]
    return {"out": r["out"], "seed": r["seed"]}


def cand_prng(seed: list[int], calls: list[list]) -> dict:
    """PokeJAX's PRNG making the same calls."""
    prog = _encode(calls)
    words, vals, arrs = _run_program(jnp.asarray(seed, jnp.int32), jnp.asarray(prog, jnp.int32))
    vals, arrs = np.asarray(vals), np.asarray(arrs)
    out: list[Any] = []
    for i, call in enumerate(calls):
        if call[0] == "random" and len(call) == 1:
            out.append(int(vals[i]) / 2**32)
        elif call[0] == "chance":
            out.append(bool(vals[i]))
        elif call[0] == "shuffle":
            out.append([int(x) for x in arrs[i, :call[1]]])
        else:
            out.append(int(vals[i]))
    return {"out": out, "seed": [int(w) for w in np.asarray(words)]}


# ---------------------------------------------------------------------------------------------
# Stats and stages.

_species = st.integers(1, 151)
_level = st.integers(1, 100)
_ivs = st.lists(st.integers(0, 31), min_size=6, max_size=6)
_evs = st.lists(st.integers(0, 255), min_size=6, max_size=6)


def _set(species: int, level: int, ivs: list[int] | None = None, evs: list[int] | None = None) -> dict:
    out: dict[str, Any] = {"species": tables().species_ids[species], "level": level}
    if ivs is not None:
        out["ivs"] = dict(zip(STAT_NAMES, ivs, strict=True))
    if evs is not None:
        out["evs"] = dict(zip(STAT_NAMES, evs, strict=True))
    return out


def _stats(species: int, level: int, ivs: list[int] | None = None, evs: list[int] | None = None) -> np.ndarray:
    return np.asarray(_calc_stats(jnp.asarray(tables().base_stats[species], jnp.int32),
                                  jnp.asarray(ivs or [30] * 6), jnp.asarray(evs or [255] * 6), level))


_calc_stats = jax.jit(stats.calc_stats)
_boost = jax.jit(stats.boost)

STATS_STRATEGY = st.tuples(_species, _level, _ivs, _evs)


def ref_stats(species: int, level: int, ivs: list[int], evs: list[int]) -> dict:
    """maxhp and storedStats of the Pokemon Showdown's Gen 1 battle builds from the set."""
    return showdown_components().stats([_set(species, level, ivs, evs)])[0]


def cand_stats(species: int, level: int, ivs: list[int], evs: list[int]) -> dict:
    """stats.calc_stats on the species' base stats."""
    return dict(zip(STAT_NAMES, (int(x) for x in _stats(species, level, ivs, evs)), strict=True))


BOOST_STRATEGY = st.tuples(
    _species, _level, st.sampled_from(BOOST_NAMES), st.integers(-6, 6),
    st.one_of(st.none(), st.just(999), st.just(1), st.integers(1, 999)), st.integers(-6, 6),
)


def _changed(value: Any) -> int:
    if value is True:
        return stats.CHANGED
    if value is False:
        return stats.UNCHANGED
    return stats.AT_LIMIT


def ref_boost(species: int, level: int, stat: str, stage: int, modified: int | None, delta: int) -> dict:
    """Gen 1 pokemon.boostBy({stat: delta}) from the given stage and modified stat."""
    mon: dict[str, Any] = {"set": _set(species, level), "boosts": {stat: stage}}
    if modified is not None and stat not in ("accuracy", "evasion"):
        mon["modified"] = {stat: modified}
    r = showdown_components().boost([{"mon": mon, "stat": stat, "delta": delta}])[0]
    out = {"changed": _changed(r["changed"]), "stage": r["boosts"][stat]}
    if stat not in ("accuracy", "evasion"):
        out["modified"] = r["modified"][stat]
    return out


def cand_boost(species: int, level: int, stat: str, stage: int, modified: int | None, delta: int) -> dict:
    """stats.boost on the same stat."""
    acc_eva = stat in ("accuracy", "evasion")
    stored = 0 if acc_eva else int(_stats(species, level)[STAT_NAMES.index(stat)])
    mod = stored if modified is None else modified
    new_stage, new_mod, res = _boost(stored, mod, stage, delta, acc_eva)
    out = {"changed": int(res), "stage": int(new_stage)}
    if not acc_eva:
        out["modified"] = int(new_mod)
    return out


# ---------------------------------------------------------------------------------------------
# Type effectiveness.

def _type_names() -> list[str]:
    return [*tables().types, "???"]


@st.composite
def _typing(draw: Any) -> tuple[str, list[str]]:
    names = list(tables().types)
    first = draw(st.sampled_from(names))
    second = draw(st.one_of(st.none(), st.sampled_from([n for n in names if n != first])))
    return draw(st.sampled_from(_type_names())), [first] if second is None else [first, second]


EFFECTIVENESS_STRATEGY = _typing()


def ref_effectiveness(atk: str, defending: list[str]) -> dict:
    """dex.getEffectiveness and !dex.getImmunity."""
    return showdown_components().effectiveness([(atk, defending)])[0]


def cand_effectiveness(atk: str, defending: list[str]) -> dict:
    """damage.type_effectiveness."""
    t = tables()
    t2 = t.type_index(defending[1]) if len(defending) > 1 else -1
    eff, imm = damage.type_effectiveness(t.type_index(atk), t.type_index(defending[0]), t2)
    return {"eff": int(eff), "immune": bool(imm)}


# ---------------------------------------------------------------------------------------------
# Damage (with the crit and damage rolls) and accuracy.

@lru_cache(maxsize=1)
def damaging_moves() -> tuple[int, ...]:
    """Moves getDamage handles without state: not Status, no damageCallback (Counter, Psywave, Super Fang)."""
    t = tables()
    return tuple(i for i in range(1, len(t.move_ids)) if t.move_category[i] != STATUS
                 and "damageCallback" not in t.move_data[i].get("callbacks", []))


@lru_cache(maxsize=1)
def accuracy_moves() -> tuple[int, ...]:
    """Moves whose accuracy check depends on nothing but boosts, speeds and types (no TryImmunity
    handler, no Thrash/Petal Dance lock whose stored accuracy replaces the move's)."""
    t = tables()
    out = []
    for i in range(1, len(t.move_ids)):
        m = t.move_data[i]
        if "onTryImmunity" in m.get("callbacks", []) or m.get("self", {}).get("volatileStatus") == "lockedmove":
            continue
        out.append(i)
    return tuple(out)


_stat_override = st.one_of(st.none(), st.integers(1, 999), st.integers(1000, 2047),
                           st.sampled_from([1, 255, 256, 511, 512, 1023, 1024, 1025]))


@st.composite
def _duel(draw: Any, speed: Any = _stat_override) -> dict:
    return {
        "seed": draw(_words),
        "attacker": (draw(_species), draw(_level), draw(st.lists(st.integers(0, 15), min_size=6, max_size=6))),
        "defender": (draw(_species), draw(_level), draw(st.lists(st.integers(0, 15), min_size=6, max_size=6))),
        "atk_mod": draw(_stat_override), "def_mod": draw(_stat_override),
        "atk_spe": draw(speed), "def_spe": draw(speed),
        "acc_stage": draw(st.integers(-6, 6)), "eva_stage": draw(st.integers(-6, 6)),
        "focus": draw(st.booleans()), "screen": draw(st.booleans()),
    }


DAMAGE_STRATEGY = st.tuples(_duel(), st.sampled_from(damaging_moves()))
ACCURACY_STRATEGY = st.tuples(_duel(), st.sampled_from(accuracy_moves()))
OHKO_STRATEGY = st.tuples(_duel(speed=st.integers(100, 102)),
                          st.sampled_from([i for i in accuracy_moves() if tables().move_ohko[i]]))


def _stat_keys(move: int) -> tuple[str, str]:
    return ("atk", "def") if tables().move_category[move] == PHYSICAL else ("spa", "spd")


def _mons(d: dict, move: int) -> tuple[dict, dict]:
    akey, dkey = _stat_keys(move)
    attacker: dict[str, Any] = {"set": _set(d["attacker"][0], d["attacker"][1], [2 * v for v in d["attacker"][2]])}
    defender: dict[str, Any] = {"set": _set(d["defender"][0], d["defender"][1], [2 * v for v in d["defender"][2]])}
    attacker["modified"] = {k: v for k, v in ((akey, d["atk_mod"]), ("spe", d["atk_spe"])) if v is not None}
    defender["modified"] = {k: v for k, v in ((dkey, d["def_mod"]), ("spe", d["def_spe"])) if v is not None}
    attacker["boosts"] = {"accuracy": d["acc_stage"]}
    defender["boosts"] = {"evasion": d["eva_stage"]}
    attacker["volatiles"] = ["focusenergy"] if d["focus"] else []
    defender["volatiles"] = [("reflect" if akey == "atk" else "lightscreen")] if d["screen"] else []
    return attacker, defender


def ref_damage(d: dict, move: int) -> dict:
    """Gen 1 actions.getDamage from the seed: damage (false -> -1, undefined -> -2), crit, crit threshold, seed."""
    attacker, defender = _mons(d, move)
    r = showdown_components().damage([{"seed": d["seed"], "attacker": attacker, "defender": defender,
                                       "move": tables().move_ids[move]}])[0]
    dmg = r["damage"]
    dmg = damage.FAILED if dmg is False else damage.NO_DAMAGE if dmg is None else int(dmg)
    crit_rolls = [e for e in r["trace"] if e[0] == "chance" and e[2] == 256]
    return {"damage": dmg, "crit": r["crit"], "crit_threshold": crit_rolls[0][1] if crit_rolls else 0,
            "seed": r["seed"]}


@jax.jit
def _get_damage(seed: jax.Array, args: dict) -> tuple:
    state, dmg, crit, threshold = damage.get_damage(prng.from_words(seed), **args)
    return prng.words(state), dmg, crit, threshold


def _side(d: dict, who: str, move: int) -> tuple[np.ndarray, int | None, int | None]:
    species, level, dvs = d[who]
    stored = _stats(species, level, [2 * v for v in dvs])
    key = _stat_keys(move)[0 if who == "attacker" else 1]
    return stored, d["atk_mod" if who == "attacker" else "def_mod"], STAT_NAMES.index(key)


def cand_damage(d: dict, move: int) -> dict:
    """damage.get_damage on the same duel."""
    t = tables()
    a_stored, a_mod, a_idx = _side(d, "attacker", move)
    d_stored, d_mod, d_idx = _side(d, "defender", move)
    args = {
        "level": d["attacker"][1], "power": int(t.move_power[move]), "move_type": int(t.move_type[move]),
        "physical": bool(t.move_category[move] == PHYSICAL), "crit_ratio": int(t.move_crit_ratio[move]),
        "user_base_speed": int(t.base_stats[d["attacker"][0], 5]),
        "user_types": t.species_types[d["attacker"][0]].astype(np.int32),
        "attack": a_mod if a_mod is not None else int(a_stored[a_idx]), "attack_raw": int(a_stored[a_idx]),
        "target_types": t.species_types[d["defender"][0]].astype(np.int32),
        "defense": d_mod if d_mod is not None else int(d_stored[d_idx]), "defense_raw": int(d_stored[d_idx]),
        "focus_energy": d["focus"], "screen": d["screen"], "selfdestruct": bool(t.move_selfdestruct[move]),
        "partial_trap": bool(t.move_partial_trap[move]), "fixed_damage": int(t.move_damage[move]),
        "ohko": bool(t.move_ohko[move]), "ignore_immunity": bool(t.move_ignore_immunity[move]),
    }
    words, dmg, crit, threshold = _get_damage(jnp.asarray(d["seed"], jnp.int32), args)
    return {"damage": int(dmg), "crit": bool(crit), "crit_threshold": int(threshold),
            "seed": [int(w) for w in np.asarray(words)]}


def ref_accuracy(d: dict, move: int) -> dict:
    """What Gen 1 tryMoveHit does before the hit: roll (with its threshold), nocheck or fail."""
    attacker, defender = _mons(d, move)
    r = showdown_components().accuracy([{"attacker": attacker, "defender": defender,
                                         "move": tables().move_ids[move]}])[0]
    kind = {"roll": damage.ACC_ROLL, "nocheck": damage.ACC_NOCHECK, "fail": damage.ACC_FAIL}[r["kind"]]
    return {"kind": kind, "threshold": r.get("num", 0), "den": r.get("den", 256 if kind == damage.ACC_ROLL else 0)}


_accuracy = jax.jit(damage.accuracy_check)


def cand_accuracy(d: dict, move: int) -> dict:
    """damage.accuracy_check on the same duel."""
    t = tables()
    a_stored = _stats(d["attacker"][0], d["attacker"][1], [2 * v for v in d["attacker"][2]])
    d_stored = _stats(d["defender"][0], d["defender"][1], [2 * v for v in d["defender"][2]])
    dt = t.species_types[d["defender"][0]]
    _, immune = damage.type_effectiveness(int(t.move_type[move]), int(dt[0]), int(dt[1]))
    kind, threshold = _accuracy(
        int(t.move_accuracy[move]), d["acc_stage"], d["eva_stage"], ohko=bool(t.move_ohko[move]),
        target_self=bool(t.move_target_self[move]), immune=bool(immune) and not t.move_ignore_immunity[move],
        user_speed=d["atk_spe"] if d["atk_spe"] is not None else int(a_stored[5]),
        target_speed=d["def_spe"] if d["def_spe"] is not None else int(d_stored[5]),
    )
    return {"kind": int(kind), "threshold": int(threshold), "den": 256 if int(kind) == damage.ACC_ROLL else 0}


PAIRS = {
    "prng": ComponentPair("prng: Gen5RNG calls", ref_prng, cand_prng, PRNG_STRATEGY, max_examples=60),
    "stats": ComponentPair("stats: statModify", ref_stats, cand_stats, STATS_STRATEGY, max_examples=60),
    "boost": ComponentPair("stats: gen1 boostBy", ref_boost, cand_boost, BOOST_STRATEGY, max_examples=150),
    "effectiveness": ComponentPair("types: effectiveness and immunity", ref_effectiveness, cand_effectiveness,
                                   EFFECTIVENESS_STRATEGY, max_examples=80),
    "damage": ComponentPair("damage: gen1 getDamage with crit and damage rolls", ref_damage, cand_damage,
                            DAMAGE_STRATEGY, max_examples=150),
    "accuracy": ComponentPair("accuracy: gen1 tryMoveHit check", ref_accuracy, cand_accuracy, ACCURACY_STRATEGY,
                              max_examples=120),
    "accuracy_ohko": ComponentPair("accuracy: gen1 OHKO speed check", ref_accuracy, cand_accuracy, OHKO_STRATEGY,
                                   max_examples=40),
}
