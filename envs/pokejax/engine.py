"""PokeJAX turn engine, first slice: Showdown 0.11.11 gen1randombattle turns with damaging moves.

Covered (exact against Showdown, PRNG state included, see cases/pokejax/test_engine.py):
damaging moves with no secondary effect, no special effect and fixed power (the
`SIMPLE_MOVES` predicate), switching, fainting and the forced switch after it, win, move order
by priority then Speed with Showdown's tie draws, PP use. Out of scope for now (the state has no
room for them yet): status, volatiles, secondary effects, stat stages, every move with an effect
of its own (multi-hit, recoil, drain, two-turn, recharge, trapping, fixed damage, OHKO, ...),
Struggle, and a battle where a move is chosen with 0 PP.

The draw sequence of one turn, as the components.js `trace` op shows it (cases/pokejax/README.md):

1. the queue sort: one `random(0, 2)` when both actions tie (both switches at equal Speed, or
   both moves at equal priority and Speed); 1 means p2 acts first;
2. the `beforeTurn` action: eachEvent BeforeTurn, then eachEvent Update;
3. each action: a switch is the `switch` action then its `runSwitch` action, each followed by
   eachEvent Update; a move: accuracy `randomChance(t, 256)` (unless immune), crit
   `randomChance(c, 256)`, damage `random(217, 256)` (damage.get_damage), then eachEvent Update;
   a faint clears the queue (Gen 1) and requests the replacement, with no Update;
4. the residual action: eachEvent Update; then the turn ends.

Every eachEvent costs one `random(0, 2)` (a 2-element shuffle) when the two active Pokemon have
the same Speed, none otherwise. The forced switch after a faint is `instaswitch` + `runSwitch`,
each followed by an Update, then the turn ends (the residual was cleared with the queue).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from envs.pokejax import damage, prng
from envs.pokejax.state import REQ_MOVE, REQ_NONE, REQ_SWITCH, State, new_battle
from envs.pokejax.tables import tables

SPE = 4
FNT = 7  # index of "fnt" in state.STATUSES


def supported_move(move_id: str) -> bool:
    """Whether the engine implements this move exactly (the set grows with each engine slice)."""
    t = tables()
    m = t.move_data[t.move_index(move_id)]
    base = {"accuracy", "basePower", "category", "critRatio", "flags", "id", "name", "num", "pp", "priority",
            "secondaries", "target", "type"}
    extra = set(m) - base - ({"ignoreImmunity"} if m.get("ignoreImmunity") is not True else set())
    return (m["category"] in ("Physical", "Special") and m["basePower"] > 0 and not m["secondaries"]
            and not extra and m["target"] in ("normal", "any", "allAdjacentFoes", "allAdjacent"))


def _shuffle2(st: State) -> State:
    """One eachEvent: a 2-element shuffle (one draw) when the two actives' Speeds tie."""
    a0 = st["active"][0].astype(jnp.int32)
    a1 = st["active"][1].astype(jnp.int32)
    tie = st["modified"][0, a0, SPE] == st["modified"][1, a1, SPE]
    drawn, _ = prng.random_range(st["prng"], 0, 2)
    return {**st, "prng": jnp.where(tie, drawn, st["prng"])}


def start_draws(state: prng.State, speed1: Any, speed2: Any) -> prng.State:
    """The draws of the battle's start: four when the leads' Speeds tie, none otherwise."""
    s = state
    for _ in range(4):
        s, _ = prng.next_u32(s)
    return jnp.where(jnp.asarray(speed1 == speed2), s, state)


def reset(teams: Sequence[Sequence[Mapping[str, Any]]], seed: str | Sequence[int]) -> State:
    """A started battle (Showdown's state after `start`) from two teams of sets and the battle seed."""
    st = new_battle(teams, seed)
    st["prng"] = start_draws(st["prng"], st["modified"][0, 0, SPE], st["modified"][1, 0, SPE])
    return st


def _switch(st: State, side: jax.Array, pos: jax.Array) -> State:
    """Switch `side`'s active Pokemon with the one at party position pos (1-5)."""
    order = st["order"]
    old = order[side, 0].astype(jnp.int32)
    new = order[side, pos].astype(jnp.int32)
    order = order.at[side, 0].set(new.astype(jnp.int8)).at[side, pos].set(old.astype(jnp.int8))
    boosts = st["boosts"].at[side, old].set(0)
    modified = st["modified"].at[side, old].set(st["stats"][side, old])
    status = st["status"].at[side, old].set(jnp.where(st["fainted"][side, old], 0, st["status"][side, old]))
    active_turns = st["active_turns"].at[side, new].set(0)
    st = {**st, "order": order, "active": st["active"].at[side].set(new.astype(jnp.int8)), "boosts": boosts,
          "modified": modified, "status": status, "active_turns": active_turns}
    # the old one's lastMove goes with clearVolatile; runSwitch (gen <= 2) clears every active's lastMove
    lm = st["last_move"].at[side, old].set(0)
    for s in range(2):
        lm = lm.at[s, st["active"][s].astype(jnp.int32)].set(0)
    st = {**st, "last_move": lm}
    return _shuffle2(_shuffle2(st))


def _move(st: State, side: jax.Array, slot: jax.Array) -> tuple[State, jax.Array]:
    """`side` uses its move in `slot` on the foe; returns (state, the foe fainted)."""
    t = tables()
    foe = 1 - side
    u = st["active"][side].astype(jnp.int32)
    d = st["active"][foe].astype(jnp.int32)
    move = st["moves"][side, u, slot].astype(jnp.int32)
    pp = st["pp"].at[side, u, slot].set(((st["pp"][side, u, slot].astype(jnp.int32) - 1) % 64).astype(jnp.int8))
    st = {**st, "pp": pp, "last_move": st["last_move"].at[side, u].set(move.astype(jnp.int16))}

    mtype = jnp.asarray(t.move_type, jnp.int32)[move]
    cat = jnp.asarray(t.move_category, jnp.int32)[move]
    physical = cat == 0
    utypes = st["types"][side, u].astype(jnp.int32)
    dtypes = st["types"][foe, d].astype(jnp.int32)
    _, immune = damage.type_effectiveness(mtype, dtypes[0], dtypes[1])
    kind, threshold = damage.accuracy_check(
        jnp.asarray(t.move_accuracy, jnp.int32)[move], st["boosts"][side, u, 5], st["boosts"][foe, d, 6],
        immune=immune & ~jnp.asarray(t.move_ignore_immunity)[move])
    rolled, hit = prng.random_chance(st["prng"], threshold, 256)
    rolls = kind == damage.ACC_ROLL
    s = jnp.where(rolls, rolled, st["prng"])
    hit = jnp.where(rolls, hit, kind == damage.ACC_NOCHECK)

    atk_i = jnp.where(physical, 0, 2)
    def_i = jnp.where(physical, 1, 3)
    base_spe = jnp.asarray(t.base_stats, jnp.int32)[st["species"][side, u].astype(jnp.int32), 5]
    s2, dmg, _, _ = damage.get_damage(
        s, level=st["level"][side, u], power=jnp.asarray(t.move_power, jnp.int32)[move], move_type=mtype,
        physical=physical, crit_ratio=jnp.asarray(t.move_crit_ratio, jnp.int32)[move], user_base_speed=base_spe,
        user_types=utypes, attack=st["modified"][side, u, atk_i], attack_raw=st["stats"][side, u, atk_i],
        target_types=dtypes, defense=st["modified"][foe, d, def_i], defense_raw=st["stats"][foe, d, def_i])
    s = jnp.where(hit, s2, s)
    hp = st["hp"][foe, d].astype(jnp.int32)
    dealt = jnp.where(hit & (dmg > 0), jnp.minimum(dmg, hp), 0)
    new_hp = hp - dealt
    fainted = hit & (dealt > 0) & (new_hp == 0)
    st = {**st, "prng": s, "hp": st["hp"].at[foe, d].set(new_hp.astype(jnp.int16)),
          "last_damage": dealt.astype(jnp.int32)}  # useMoveInner zeroes lastDamage before the hit
    return st, fainted


def _faint(st: State, side: jax.Array) -> State:
    """The active Pokemon of `side` faints: the queue is cleared, a replacement is requested or the foe wins."""
    a = st["active"][side].astype(jnp.int32)
    left = st["pokemon_left"][side] - 1
    lost = left <= 0
    request = jnp.where(lost, jnp.asarray([REQ_NONE, REQ_NONE], jnp.int8),
                        jnp.where(jnp.arange(2) == side, REQ_SWITCH, REQ_NONE).astype(jnp.int8))
    return {**st, "fainted": st["fainted"].at[side, a].set(True), "status": st["status"].at[side, a].set(jnp.where(lost, st["status"][side, a], FNT)),  # checkFainted not reached once ended
            "last_move": st["last_move"].at[side, a].set(0),  # faint clears the volatiles and lastMove
            "pokemon_left": st["pokemon_left"].at[side].set(left.astype(jnp.int8)), "request": request,
            "ended": st["ended"] | lost, "winner": jnp.where(lost, (1 - side).astype(jnp.int8), st["winner"])}


def _end_turn(st: State) -> State:
    """endTurn: the turn counter and the actives' activeTurns."""
    at = st["active_turns"]
    for s in range(2):
        at = at.at[s, st["active"][s].astype(jnp.int32)].add(1)
    return {**st, "turn": st["turn"] + 1, "active_turns": at, "request": jnp.full((2,), REQ_MOVE, jnp.int8)}


def _action(st: State, side: jax.Array, act: jax.Array, stopped: jax.Array) -> tuple[State, jax.Array]:
    """Run one queued action of `side` unless the queue was cleared (`stopped`)."""

    def do_switch(st: State) -> tuple[State, jax.Array]:
        return _switch(st, side, act - 3), jnp.asarray(False)

    def do_move(st: State) -> tuple[State, jax.Array]:
        st, fainted = _move(st, side, act)
        st = lax.cond(fainted, lambda x: _faint(x, 1 - side), _shuffle2, st)
        return st, fainted

    def skip(st: State) -> tuple[State, jax.Array]:
        return st, jnp.asarray(False)

    branch = jnp.where(stopped, 0, jnp.where(act >= 4, 1, 2))
    st, fainted = lax.switch(branch, [skip, do_switch, do_move], st)
    return st, stopped | fainted


def _turn(st: State, actions: jax.Array) -> State:
    """A normal turn: both players chose a move (0-3) or a switch (4-8)."""
    t = tables()
    acts = actions.astype(jnp.int32)
    is_switch = acts >= 4
    u = st["active"].astype(jnp.int32)
    moves = jnp.stack([st["moves"][s, u[s], jnp.minimum(acts[s], 3)] for s in range(2)]).astype(jnp.int32)
    lsm = jnp.where(is_switch, st["last_selected_move"], moves.astype(jnp.int16))
    st = {**st, "last_selected_move": lsm}
    speed = jnp.stack([st["modified"][s, u[s], SPE] for s in range(2)]).astype(jnp.int32)
    prio = jnp.where(is_switch, 0, jnp.asarray(t.move_priority, jnp.int32)[moves])
    same_kind = is_switch[0] == is_switch[1]
    tie = same_kind & (prio[0] == prio[1]) & (speed[0] == speed[1])
    drawn, j = prng.random_range(st["prng"], 0, 2)
    st = {**st, "prng": jnp.where(tie, drawn, st["prng"])}
    p2_first = jnp.where(
        ~same_kind, is_switch[1],
        jnp.where(tie, j == 1, (prio[1] > prio[0]) | ((prio[1] == prio[0]) & (speed[1] > speed[0]))))
    first = p2_first.astype(jnp.int32)
    second = 1 - first
    st = _shuffle2(_shuffle2(st))  # beforeTurn: eachEvent BeforeTurn, eachEvent Update
    st, stopped = _action(st, first, acts[first], jnp.asarray(False))
    st, stopped = _action(st, second, acts[second], stopped)
    # residual (nothing to do in this slice) + Update, then endTurn; skipped after a faint
    return lax.cond(stopped, lambda x: x, lambda x: _end_turn(_shuffle2(x)), st)


def _forced(st: State, actions: jax.Array) -> State:
    """The replacement after a faint: the requested side switches (4-8); then the turn ends."""
    side = jnp.argmax(st["request"] == REQ_SWITCH).astype(jnp.int32)
    st = _switch(st, side, actions[side].astype(jnp.int32) - 3)
    return _end_turn(st)


def step(state: State, actions: Any) -> State:
    """One decision step: a turn, or the forced switch when a side must replace a fainted Pokemon.

    actions: (2,) int, 0-3 move slot, 4-8 switch to party position 2-6 (FIELDS.md); a waiting
    player's action is ignored. A battle that ended is returned unchanged.
    """
    actions = jnp.asarray(actions, jnp.int32)
    forced = jnp.any(state["request"] == REQ_SWITCH)
    new = lax.cond(forced, _forced, _turn, state, actions)
    return jax.tree.map(lambda a, b: jnp.where(state["ended"], a, b), state, new)


def legal_mask(state: State) -> np.ndarray:
    """(2, 9) legal actions of one (unbatched) state, as the Showdown adapter's masks (this slice)."""
    s = {k: np.asarray(v) for k, v in state.items()}
    mask = np.zeros((2, 9), bool)
    if s["ended"]:
        return mask
    for side in range(2):
        a = int(s["active"][side])
        req = int(s["request"][side])
        if req == REQ_MOVE:
            mask[side, :4] = s["moves"][side, a] > 0
        if req in (REQ_MOVE, REQ_SWITCH):
            for pos in range(1, 6):
                i = int(s["order"][side, pos])
                mask[side, 3 + pos] = i >= 0 and not s["fainted"][side, i]
    return mask



_STEP = None


def jitted_step() -> Any:
    """`step` under jax.jit (compiled once per process)."""
    global _STEP
    if _STEP is None:
        _STEP = jax.jit(step)
    return _STEP
