"""TCGJax's card effects: envs/tcg/effects.py translated; dispatch by effect code with lax.switch."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
from jax import lax

from envs.tcg.state import ASLEEP, CONFUSED, DECK, PARALYZED
from envs.tcgjax import prng
from envs.tcgjax.engine import State, View, draw, get, is_basic, put, select, swap_slots, take_random, clear_conditions
from envs.tcgjax.tables import ABIL, ATK, TR, tables

WATER, GRASS = 2, 0
GIOVANNI_BONUS = 10
WEAKNESS_BONUS = 20
HELMET_DAMAGE = 20
ROT_OF_STATUS = np.asarray([0, 0, ASLEEP, PARALYZED, CONFUSED], np.int32)
"""Status index (poisoned, burned, asleep, paralyzed, confused) to the rotation condition."""


def heal(v: View, j: jnp.ndarray, amount: jnp.ndarray) -> View:
    """Remove up to `amount` damage at position j."""
    return {**v, "damage": v["damage"].at[j].set(jnp.maximum(v["damage"][j] - amount, 0))}


def inflict(v: View, status: jnp.ndarray, when: jnp.ndarray = True) -> View:
    """A special condition on the Active (0 poisoned, 1 burned, else the rotation it replaces)."""
    return {**v,
            "poisoned": jnp.where(when & (status == 0), 1, v["poisoned"]),
            "burned": jnp.where(when & (status == 1), 1, v["burned"]),
            "rot": jnp.where(when & (status >= 2), jnp.asarray(ROT_OF_STATUS)[jnp.clip(status, 0, 4)], v["rot"])}


# ---- attacks ----------------------------------------------------------------------------------

def attack(s: State, k: jnp.ndarray) -> State:
    """Attack k of the current player's Active: modifiers, the hit, the effect, Rocky Helmet."""
    t = tables()
    p = s["current"]
    me, opp = get(s, p), get(s, 1 - p)
    c = me["card"][0]
    effect = t.atk_effect[c, k]
    a, b, n = t.atk_args[c, k, 0], t.atk_args[c, k, 1], t.atk_args[c, k, 2]
    base = t.atk_damage[c, k]
    rng = s["prng"]
    rng, bonus_coin = prng.maybe_coin(rng, effect == ATK["coin_bonus"])
    rng, h = prng.heads(rng, a, when=effect == ATK["coins_times"])
    rng, tails_h = prng.until_tails(rng, effect == ATK["until_tails"])
    bench_count = jnp.sum((me["card"][1:] >= 0) & (t.ptype[jnp.maximum(me["card"][1:], 0)] == a))
    damage = base + jnp.where(bonus_coin, a, 0)
    damage = jnp.where(effect == ATK["coins_times"], base * h, damage)
    damage = jnp.where(effect == ATK["until_tails"], base * tails_h, damage)
    damage = jnp.where(effect == ATK["per_bench_type"], base * bench_count, damage)
    damage = jnp.where((effect == ATK["extra_energy_bonus"]) & (me["energy"][0][jnp.clip(b, 0, 7)] >= n),
                       base + a, damage)
    weak = t.weakness[opp["card"][0]] == t.ptype[c]
    dealt = jnp.where(damage > 0, damage + GIOVANNI_BONUS * me["giovanni"] + WEAKNESS_BONUS * weak, 0)
    opp = {**opp, "damage": opp["damage"].at[0].add(dealt)}
    s = put(put({**s, "prng": rng}, p, me), 1 - p, opp)
    s = lax.switch(effect, POST, s, a, b)
    tool = opp["tool"][0]
    helmet = (tool >= 0) & (t.trainer[jnp.maximum(tool, 0)] == TR["rocky_helmet"]) & (dealt > 0)
    return {**s, "damage": s["damage"].at[p, 0].add(jnp.where(helmet, HELMET_DAMAGE, 0))}


def _none(s: State, a: jnp.ndarray, b: jnp.ndarray) -> State:
    return s


def _me(s: State) -> tuple[jnp.ndarray, View]:
    return s["current"], get(s, s["current"])


def _heal_self(s: State, a: jnp.ndarray, b: jnp.ndarray) -> State:
    p, v = _me(s)
    return put(s, p, heal(v, 0, a))


def _discard_energy(s: State, a: jnp.ndarray, b: jnp.ndarray) -> State:
    p, v = _me(s)
    bb = jnp.clip(b, 0, 7)
    return put(s, p, {**v, "energy": v["energy"].at[0, bb].add(-jnp.minimum(a, v["energy"][0, bb]))})


def _discard_all_energy(s: State, a: jnp.ndarray, b: jnp.ndarray) -> State:
    p, v = _me(s)
    return put(s, p, {**v, "energy": v["energy"].at[0].set(0)})


def _status(s: State, a: jnp.ndarray, b: jnp.ndarray) -> State:
    o = 1 - s["current"]
    return put(s, o, inflict(get(s, o), a))


def _status_coin(s: State, a: jnp.ndarray, b: jnp.ndarray) -> State:
    rng, heads = prng.coin(s["prng"])
    o = 1 - s["current"]
    return put({**s, "prng": rng}, o, inflict(get(s, o), a, heads))


def _bench_each(s: State, a: jnp.ndarray, b: jnp.ndarray) -> State:
    o = 1 - s["current"]
    v = get(s, o)
    hit = (v["card"] >= 0) & (jnp.arange(4) > 0)
    return put(s, o, {**v, "damage": v["damage"] + jnp.where(hit, a, 0)})


def _recoil(s: State, a: jnp.ndarray, b: jnp.ndarray) -> State:
    p, v = _me(s)
    return put(s, p, {**v, "damage": v["damage"].at[0].add(a)})


def _zone_attach(s: State, a: jnp.ndarray, b: jnp.ndarray) -> State:
    t = tables()
    rng, h = prng.heads(s["prng"], a)
    p, v = _me(s)
    fits = (v["card"] >= 0) & (t.ptype[jnp.maximum(v["card"], 0)] == b) & (jnp.arange(4) > 0)
    j = jnp.argmax(fits)
    v = {**v, "energy": v["energy"].at[j, jnp.clip(b, 0, 7)].add(jnp.where(jnp.any(fits), h, 0))}
    return put({**s, "prng": rng}, p, v)


def _search_type(s: State, a: jnp.ndarray, b: jnp.ndarray) -> State:
    t = tables()
    p, v = _me(s)
    d = jnp.maximum(v["deck"], 0)
    v, rng = take_random(v, s["prng"], (v["deck"] >= 0) & (t.kind[d] == 0) & (t.ptype[d] == a))
    return put({**s, "prng": rng}, p, v)


def _draw(s: State, a: jnp.ndarray, b: jnp.ndarray) -> State:
    p, v = _me(s)
    for i in range(2):
        v = draw(v, i < a)
    return put(s, p, v)


POST = tuple({"heal_self": _heal_self, "discard_energy": _discard_energy, "discard_all_energy": _discard_all_energy,
              "status": _status, "status_coin": _status_coin, "bench_each": _bench_each, "recoil": _recoil,
              "zone_attach": _zone_attach, "search_type": _search_type, "draw": _draw}.get(name, _none)
             for name in ATK)
"""One post-damage function per attack effect code (identity for the damage modifiers)."""


# ---- abilities --------------------------------------------------------------------------------

def ability_legal(v: View, opp: View) -> jnp.ndarray:
    """(4,) whether each position's ability may be used now (occupancy and once-a-turn checked by the caller)."""
    t = tables()
    cards = jnp.maximum(v["card"], 0)
    code = t.ability[cards]
    damaged = jnp.any((v["card"] >= 0) & (v["damage"] > 0))
    to_active = t.ptype[cards[0]] == t.ability_arg[cards]
    poison = (jnp.arange(4) == 0) & (opp["poisoned"] == 0)
    return jnp.where(code == ABIL["heal_all"], damaged,
                     jnp.where(code == ABIL["zone_to_active"], to_active,
                               jnp.where(code == ABIL["poison_active"], poison, False)))


def ability(s: State, j: jnp.ndarray) -> State:
    """Use the ability of the current player's Pokemon at position j."""
    t = tables()
    p = s["current"]
    v, opp = get(s, p), get(s, 1 - p)
    c = v["card"][j]
    code = t.ability[c]
    v = {**v, "ability_used": v["ability_used"].at[j].set(1)}
    healed = {**v, "damage": jnp.where(v["card"] >= 0, jnp.maximum(v["damage"] - 20, 0), v["damage"])}
    attached = {**v, "energy": v["energy"].at[0, jnp.clip(t.ability_arg[c], 0, 7)].add(1)}
    v = select(code == ABIL["heal_all"], healed, select(code == ABIL["zone_to_active"], attached, v))
    opp = {**opp, "poisoned": jnp.where(code == ABIL["poison_active"], 1, opp["poisoned"])}
    return put(put(s, p, v), 1 - p, opp)


# ---- trainers ---------------------------------------------------------------------------------

def trainer_legal(code: jnp.ndarray, v: View, opp: View, target: jnp.ndarray) -> jnp.ndarray:
    """Whether a trainer with effect `code` may be played on `target` (broadcasting code against target)."""
    t = tables()
    card = v["card"][target]
    occupied = card >= 0
    ptype = t.ptype[jnp.maximum(card, 0)]
    damaged = v["damage"][target] > 0
    untargeted = target == 0
    cases = {
        "poke_ball": untargeted, "x_speed": untargeted, "red_card": untargeted, "professors_research": untargeted,
        "giovanni": untargeted, "leaf": untargeted,
        "potion": occupied & damaged,
        "misty": occupied & (ptype == WATER),
        "erika": occupied & (ptype == GRASS) & damaged,
        "cyrus": (target > 0) & (opp["card"][target] >= 0) & (opp["damage"][target] > 0),
        "giant_cape": occupied & (v["tool"][target] < 0),
        "rocky_helmet": occupied & (v["tool"][target] < 0),
    }
    out = jnp.zeros(jnp.broadcast_shapes(jnp.shape(code), jnp.shape(target)), bool)
    for name, ok in cases.items():
        out = jnp.where(code == TR[name], ok, out)
    return out


def _tr_none(s: State, target: jnp.ndarray) -> State:
    return s


def _poke_ball(s: State, target: jnp.ndarray) -> State:
    p, v = _me(s)
    v, rng = take_random(v, s["prng"], is_basic(v["deck"]))
    return put({**s, "prng": rng}, p, v)


def _potion(s: State, target: jnp.ndarray) -> State:
    p, v = _me(s)
    return put(s, p, heal(v, target, 20))


def _x_speed(s: State, target: jnp.ndarray) -> State:
    p, v = _me(s)
    return put(s, p, {**v, "retreat_reduction": v["retreat_reduction"] + 1})


def _red_card(s: State, target: jnp.ndarray) -> State:
    o = 1 - s["current"]
    v = get(s, o)
    deck, n = v["deck"], v["deck_n"]
    for i in range(v["hand"].shape[0]):
        pos = jnp.minimum(n + i, DECK - 1)
        deck = deck.at[pos].set(jnp.where(i < v["hand_n"], v["hand"][i], deck[pos]))
    n = n + v["hand_n"]
    rng, deck = prng.shuffle(s["prng"], deck, n)
    v = {**v, "deck": deck, "deck_n": n, "hand": jnp.full_like(v["hand"], -1), "hand_n": jnp.int32(0)}
    for _ in range(3):
        v = draw(v)
    return put({**s, "prng": rng}, o, v)


def _professors_research(s: State, target: jnp.ndarray) -> State:
    p, v = _me(s)
    return put(s, p, draw(draw(v)))


def _misty(s: State, target: jnp.ndarray) -> State:
    rng, h = prng.until_tails(s["prng"])
    p, v = _me(s)
    return put({**s, "prng": rng}, p, {**v, "energy": v["energy"].at[target, WATER].add(h)})


def _erika(s: State, target: jnp.ndarray) -> State:
    p, v = _me(s)
    return put(s, p, heal(v, target, 50))


def _giovanni(s: State, target: jnp.ndarray) -> State:
    p, v = _me(s)
    return put(s, p, {**v, "giovanni": jnp.int32(1)})


def _leaf(s: State, target: jnp.ndarray) -> State:
    p, v = _me(s)
    return put(s, p, {**v, "retreat_reduction": v["retreat_reduction"] + 2})


def _cyrus(s: State, target: jnp.ndarray) -> State:
    o = 1 - s["current"]
    return put(s, o, clear_conditions(swap_slots(get(s, o), 0, target)))


TRAINERS = tuple({"poke_ball": _poke_ball, "potion": _potion, "x_speed": _x_speed, "red_card": _red_card,
                  "professors_research": _professors_research, "misty": _misty, "erika": _erika,
                  "giovanni": _giovanni, "leaf": _leaf, "cyrus": _cyrus}.get(name, _tr_none) for name in TR)
"""One function per trainer effect code (tools act elsewhere: identity here)."""


def trainer(s: State, code: jnp.ndarray, target: jnp.ndarray) -> State:
    """A played Item's or Supporter's effect (lax.switch on its code)."""
    return lax.switch(jnp.maximum(code, 0), TRAINERS, s, target)
