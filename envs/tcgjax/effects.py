"""TCGJax's card effects: envs/tcg/effects.py translated; dispatch by effect code with lax.switch."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
from jax import lax

from envs.tcg.state import ASLEEP, CONFUSED, DECK, PARALYZED
from envs.tcgjax import prng
from envs.tcgjax.engine import View, clear_conditions, draw, is_basic, swap_slots, take_random
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


# ---- attacks: functions of (me, opp, prng) views, me the attacker's player ----------------------

Views = tuple[View, View, jnp.ndarray]


def attack(me: View, opp: View, rng: jnp.ndarray, k: jnp.ndarray) -> Views:
    """Attack k of me's Active: damage modifiers, the hit, the effect (lax.switch), Rocky Helmet."""
    t = tables()
    c = me["card"][0]
    effect = t.atk_effect[c, k]
    a, b, n = t.atk_args[c, k, 0], t.atk_args[c, k, 1], t.atk_args[c, k, 2]
    base = t.atk_damage[c, k]
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
    me, opp, rng = lax.switch(effect, POST, me, opp, rng, a, b)
    tool = opp["tool"][0]
    helmet = (tool >= 0) & (t.trainer[jnp.maximum(tool, 0)] == TR["rocky_helmet"]) & (dealt > 0)
    return {**me, "damage": me["damage"].at[0].add(jnp.where(helmet, HELMET_DAMAGE, 0))}, opp, rng


def _none(me: View, opp: View, rng: jnp.ndarray, a: jnp.ndarray, b: jnp.ndarray) -> Views:
    return me, opp, rng


def _heal_self(me: View, opp: View, rng: jnp.ndarray, a: jnp.ndarray, b: jnp.ndarray) -> Views:
    return heal(me, 0, a), opp, rng


def _discard_energy(me: View, opp: View, rng: jnp.ndarray, a: jnp.ndarray, b: jnp.ndarray) -> Views:
    bb = jnp.clip(b, 0, 7)
    return {**me, "energy": me["energy"].at[0, bb].add(-jnp.minimum(a, me["energy"][0, bb]))}, opp, rng


def _discard_all_energy(me: View, opp: View, rng: jnp.ndarray, a: jnp.ndarray, b: jnp.ndarray) -> Views:
    return {**me, "energy": me["energy"].at[0].set(0)}, opp, rng


def _status(me: View, opp: View, rng: jnp.ndarray, a: jnp.ndarray, b: jnp.ndarray) -> Views:
    return me, inflict(opp, a), rng


def _status_coin(me: View, opp: View, rng: jnp.ndarray, a: jnp.ndarray, b: jnp.ndarray) -> Views:
    rng, heads = prng.coin(rng)
    return me, inflict(opp, a, heads), rng


def _bench_each(me: View, opp: View, rng: jnp.ndarray, a: jnp.ndarray, b: jnp.ndarray) -> Views:
    hit = (opp["card"] >= 0) & (jnp.arange(4) > 0)
    return me, {**opp, "damage": opp["damage"] + jnp.where(hit, a, 0)}, rng


def _recoil(me: View, opp: View, rng: jnp.ndarray, a: jnp.ndarray, b: jnp.ndarray) -> Views:
    return {**me, "damage": me["damage"].at[0].add(a)}, opp, rng


def _zone_attach(me: View, opp: View, rng: jnp.ndarray, a: jnp.ndarray, b: jnp.ndarray) -> Views:
    t = tables()
    rng, h = prng.heads(rng, a)
    fits = (me["card"] >= 0) & (t.ptype[jnp.maximum(me["card"], 0)] == b) & (jnp.arange(4) > 0)
    j = jnp.argmax(fits)
    return {**me, "energy": me["energy"].at[j, jnp.clip(b, 0, 7)].add(jnp.where(jnp.any(fits), h, 0))}, opp, rng


def _search_type(me: View, opp: View, rng: jnp.ndarray, a: jnp.ndarray, b: jnp.ndarray) -> Views:
    t = tables()
    d = jnp.maximum(me["deck"], 0)
    me, rng = take_random(me, rng, (me["deck"] >= 0) & (t.kind[d] == 0) & (t.ptype[d] == a))
    return me, opp, rng


def _draw(me: View, opp: View, rng: jnp.ndarray, a: jnp.ndarray, b: jnp.ndarray) -> Views:
    for i in range(2):
        me = draw(me, i < a)
    return me, opp, rng


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


def ability(me: View, opp: View, j: jnp.ndarray) -> tuple[View, View]:
    """Use the ability of me's Pokemon at position j."""
    t = tables()
    c = me["card"][j]
    code = t.ability[c]
    me = {**me, "ability_used": me["ability_used"].at[j].set(1)}
    healed = jnp.where(me["card"] >= 0, jnp.maximum(me["damage"] - 20, 0), me["damage"])
    me = {**me, "damage": jnp.where(code == ABIL["heal_all"], healed, me["damage"]),
          "energy": me["energy"].at[0, jnp.clip(t.ability_arg[c], 0, 7)].add(
              jnp.where(code == ABIL["zone_to_active"], 1, 0))}
    opp = {**opp, "poisoned": jnp.where(code == ABIL["poison_active"], 1, opp["poisoned"])}
    return me, opp


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


def _tr_none(me: View, opp: View, rng: jnp.ndarray, target: jnp.ndarray) -> Views:
    return me, opp, rng


def _poke_ball(me: View, opp: View, rng: jnp.ndarray, target: jnp.ndarray) -> Views:
    me, rng = take_random(me, rng, is_basic(me["deck"]))
    return me, opp, rng


def _potion(me: View, opp: View, rng: jnp.ndarray, target: jnp.ndarray) -> Views:
    return heal(me, target, 20), opp, rng


def _x_speed(me: View, opp: View, rng: jnp.ndarray, target: jnp.ndarray) -> Views:
    return {**me, "retreat_reduction": me["retreat_reduction"] + 1}, opp, rng


def _red_card(me: View, opp: View, rng: jnp.ndarray, target: jnp.ndarray) -> Views:
    deck, n = opp["deck"], opp["deck_n"]
    for i in range(opp["hand"].shape[0]):
        pos = jnp.minimum(n + i, DECK - 1)
        deck = deck.at[pos].set(jnp.where(i < opp["hand_n"], opp["hand"][i], deck[pos]))
    n = n + opp["hand_n"]
    rng, deck = prng.shuffle(rng, deck, n)
    opp = {**opp, "deck": deck, "deck_n": n, "hand": jnp.full_like(opp["hand"], -1), "hand_n": jnp.int32(0)}
    for _ in range(3):
        opp = draw(opp)
    return me, opp, rng


def _professors_research(me: View, opp: View, rng: jnp.ndarray, target: jnp.ndarray) -> Views:
    return draw(draw(me)), opp, rng


def _misty(me: View, opp: View, rng: jnp.ndarray, target: jnp.ndarray) -> Views:
    rng, h = prng.until_tails(rng)
    return {**me, "energy": me["energy"].at[target, WATER].add(h)}, opp, rng


def _erika(me: View, opp: View, rng: jnp.ndarray, target: jnp.ndarray) -> Views:
    return heal(me, target, 50), opp, rng


def _giovanni(me: View, opp: View, rng: jnp.ndarray, target: jnp.ndarray) -> Views:
    return {**me, "giovanni": jnp.int32(1)}, opp, rng


def _leaf(me: View, opp: View, rng: jnp.ndarray, target: jnp.ndarray) -> Views:
    return {**me, "retreat_reduction": me["retreat_reduction"] + 2}, opp, rng


def _cyrus(me: View, opp: View, rng: jnp.ndarray, target: jnp.ndarray) -> Views:
    return me, clear_conditions(swap_slots(opp, 0, target)), rng


TRAINERS = tuple({"poke_ball": _poke_ball, "potion": _potion, "x_speed": _x_speed, "red_card": _red_card,
                  "professors_research": _professors_research, "misty": _misty, "erika": _erika,
                  "giovanni": _giovanni, "leaf": _leaf, "cyrus": _cyrus}.get(name, _tr_none) for name in TR)
"""One function per trainer effect code (tools act elsewhere: identity here)."""


def trainer(me: View, opp: View, rng: jnp.ndarray, code: jnp.ndarray, target: jnp.ndarray) -> Views:
    """A played Item's or Supporter's effect (lax.switch on its code)."""
    return lax.switch(jnp.maximum(code, 0), TRAINERS, me, opp, rng, target)
