"""PokeJAX turn engine: Showdown 0.11.11 gen1randombattle turns, exact draw for draw.

Covered (exact against Showdown, PRNG state included, see cases/pokejax/test_engine*.py): the
moves of `supported_move` (movefx.SUPPORTED: damaging moves with or without a status, flinch or
stat-drop secondary, and the status moves), major status with its before-move checks, residual
damage and switch-in damage, switching, fainting and the forced switch after it, win, move order
by priority then Speed with Showdown's tie draws, PP use from `side.lastSelectedMoveSlot`, the
Gen 1 choice bookkeeping (lastSelectedMove, lastEnemySelectedMove, the "Fight" of a sleeping or
frozen Pokemon that re-queues the side's last selected move).

The draw sequence of one turn, as the components.js `trace` op shows it (cases/pokejax/README.md):

1. the queue sort: one `random(0, 2)` when both actions tie (both switches at equal Speed, or
   both moves at equal priority and Speed); 1 means p2 acts first;
2. the `beforeTurn` action: eachEvent BeforeTurn, then eachEvent Update;
3. each action: a switch is the `switch` action then its `runSwitch` action, each followed by
   eachEvent Update; a move: its BeforeMove checks (moves.py, status.py), then the move; then
   eachEvent Update; a faint clears the queue (Gen 1) and requests the replacement, with no Update;
4. the residual action: `updateSpeed`, the Residual durations (flinch ends), eachEvent Update;
   then the turn ends.

Every eachEvent costs one `random(0, 2)` (a 2-element shuffle) when the two active Pokemon's
cached `pokemon.speed` are equal, none otherwise. Showdown refreshes that cache (`updateSpeed`)
only when choices are committed, when a Pokemon switches in (insertChoice of its runSwitch) and
at the residual, so a paralysis or a Speed stage change mid-turn changes ties late. The
forced switch after a faint is `instaswitch` + `runSwitch`, each followed by an Update, then
the turn ends (the residual was cleared with the queue).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from envs.pokejax import bide, moves, prng, status, transform, trapping, volatiles
from envs.pokejax.movefx import movefx
from envs.pokejax.state import CANNOTMOVE, REQ_MOVE, REQ_NONE, REQ_SWITCH, State, new_battle
from envs.pokejax.tables import tables

SPE = 4
FNT = status.FNT
STRUGGLE = moves.STRUGGLE


def supported_move(move_id: str) -> bool:
    """Whether the engine implements this move exactly (the set grows with each engine slice)."""
    t = tables()
    return bool(movefx().supported[t.move_index(move_id)])


def disabled_slots(st: State, side: Any) -> jax.Array:
    """(4,) bool: the move slot Disable blocks for `side`'s active (Showdown's moveSlot.disabled)."""
    on = volatiles.has(st, side, "disable")
    return on & (jnp.arange(4) == st[volatiles.key("disable", "slot")][side])


def _shuffle2(st: State) -> State:
    """One eachEvent: a 2-element shuffle (one draw) when the actives' cached Speeds tie."""
    a0 = st["active"][0].astype(jnp.int32)
    a1 = st["active"][1].astype(jnp.int32)
    tie = st["speed"][0, a0] == st["speed"][1, a1]
    drawn, _ = prng.random_range(st["prng"], 0, 2)
    return {**st, "prng": jnp.where(tie, drawn, st["prng"])}


def _update_speed(st: State) -> State:
    """`battle.updateSpeed`: each unfainted active caches its modified Speed."""
    speed = st["speed"]
    for s in range(2):
        a = st["active"][s].astype(jnp.int32)
        speed = speed.at[s, a].set(jnp.where(st["fainted"][s, a], speed[s, a], st["modified"][s, a, SPE]))
    return {**st, "speed": speed}


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
    return start_clause(st)


def start_clause(st: State) -> State:
    """The start's endTurn checks the Endless Battle Clause too: two teams of only Transform tie at once."""
    tie = _no_progress(st)
    return {**st, "ended": st["ended"] | tie, "winner": jnp.where(tie, jnp.int8(-1), st["winner"]),
            "request": jnp.where(tie, jnp.int8(REQ_NONE), st["request"]).astype(jnp.int8)}


def _clear_volatile(st: State, side: Any, i: Any) -> State:
    """`clearVolatile` of team member i: boosts, volatiles, lastMove, Transform go; stats reset with par/brn drops."""
    species_types = jnp.asarray(tables().species_types)[st["species"][side, i].astype(jnp.int32)]
    st = transform.restore(st, side, i)
    st = {**st, "boosts": st["boosts"].at[side, i].set(0), "modified": st["modified"].at[side, i].set(st["stats"][side, i]),
          "types": st["types"].at[side, i].set(species_types),
          "moves": st["moves"].at[side, i].set(st["base_moves"][side, i]),
          "maxpp": st["maxpp"].at[side, i].set(st["base_maxpp"][side, i]),
          "speed": st["speed"].at[side, i].set(st["stats"][side, i, SPE]),
          "last_move": st["last_move"].at[side, i].set(0)}
    st = status.status_drop(st, side, i, True)
    return volatiles.clear_all(st, side)


def _switch(st: State, side: Any, pos: Any) -> State:
    """The `switch` action: `side`'s active Pokemon swaps with the one at party position pos (1-5)."""
    order = st["order"]
    old = order[side, 0].astype(jnp.int32)
    new = order[side, pos].astype(jnp.int32)
    gone = st["fainted"][side, old]
    st = lax.cond(gone, lambda x: x, lambda x: _clear_volatile(x, side, old), st)
    order = order.at[side, 0].set(new.astype(jnp.int8)).at[side, pos].set(old.astype(jnp.int8))
    # switchIn queues runSwitch with insertChoice, which refreshes the newcomer's cached Speed
    return {**st, "order": order, "active": st["active"].at[side].set(new.astype(jnp.int8)),
            "status": st["status"].at[side, old].set(jnp.where(gone, 0, st["status"][side, old])),
            "active_turns": st["active_turns"].at[side, new].set(0),
            "speed": st["speed"].at[side, new].set(st["modified"][side, new, SPE])}


def _run_switch(st: State, side: Any, forced: Any) -> State:
    """The `runSwitch` action (Gen 1): every active loses lastMove, the slot index resets, status on entry."""
    lm = st["last_move"]
    for s in range(2):
        lm = lm.at[s, st["active"][s].astype(jnp.int32)].set(0)
    st = {**st, "last_move": lm, "last_selected_slot": st["last_selected_slot"].at[side].set(0)}
    return status.switch_in(st, side, forced)


def _faint(st: State, side: Any) -> State:
    """The active Pokemon of `side` faints (faintMessages): volatiles cleared, a side may lose."""
    a = st["active"][side].astype(jnp.int32)
    st = _clear_volatile(st, side, a)
    left = st["pokemon_left"][side] - 1
    lost = left <= 0
    return {**st, "fainted": st["fainted"].at[side, a].set(True),
            "pokemon_left": st["pokemon_left"].at[side].set(left.astype(jnp.int8)),
            "ended": st["ended"] | lost, "winner": jnp.where(lost, (1 - side).astype(jnp.int8), st["winner"])}


def _after_action(st: State, first: Any) -> tuple[State, jax.Array]:
    """After an action: faints (the queue is cleared, switches requested) or eachEvent Update."""
    down = []
    for k in range(2):
        s = (first + k) % 2
        a = st["active"][s].astype(jnp.int32)
        hit0 = (st["hp"][s, a] == 0) & ~st["fainted"][s, a]
        st = lax.cond(hit0, lambda x, s=s: _faint(x, s), lambda x: x, st)
        down.append(hit0)
    any_down = down[0] | down[1]
    for k in range(2):  # checkFainted marks them `fnt`, unless the battle ended first
        s = (first + k) % 2
        a = st["active"][s].astype(jnp.int32)
        st = {**st, "status": st["status"].at[s, a].set(jnp.where(down[k] & ~st["ended"], FNT, st["status"][s, a]))}
    tie = st["ended"] & (st["pokemon_left"][0] <= 0) & (st["pokemon_left"][1] <= 0)
    st = {**st, "winner": jnp.where(tie, jnp.int8(-1), st["winner"])}
    sides = jnp.arange(2)
    fainted_side = jnp.where(sides == first, down[0], down[1])
    request = jnp.where(st["ended"], REQ_NONE, jnp.where(fainted_side, REQ_SWITCH, REQ_NONE)).astype(jnp.int8)
    st = {**st, "request": jnp.where(any_down, request, st["request"])}
    shuffled = _shuffle2(st)
    return {**st, "prng": jnp.where(any_down, st["prng"], shuffled["prng"])}, any_down


def _no_progress(st: State) -> jax.Array:
    """Gen 1 Endless Battle Clause: every Pokemon of both sides is fainted, frozen, or out of PP
    against a team of only Ghosts, or has only Transform against a team that has only Transform."""
    ghost = tables().types.index("Ghost")
    sides = []
    for s in range(2):
        foe_ghosts = jnp.all(st["fainted"][1 - s] | jnp.any(st["types"][1 - s] == ghost, axis=-1))
        no_pp = jnp.all((st["pp"][s] == 0) | (st["moves"][s] == 0), axis=-1)
        foe_transform = jnp.all(st["fainted"][1 - s] | transform.transform_only(st, 1 - s))
        stuck = (st["fainted"][s] | (st["status"][s] == status.FRZ) | (no_pp & foe_ghosts)
                 | (transform.transform_only(st, s) & foe_transform))
        sides.append(jnp.all(stuck))
    return sides[0] & sides[1]


def _end_turn(st: State) -> State:
    """endTurn: the turn counter and the actives' activeTurns; the Endless Battle Clause's tie (no
    progress possible, or past turn 1000); otherwise move requests. Gen 1 drops broken partial traps first."""
    st = trapping.end_turn(st)
    at = st["active_turns"]
    for s in range(2):
        at = at.at[s, st["active"][s].astype(jnp.int32)].add(1)
    turn = st["turn"] + 1
    tie = _no_progress(st) | (turn > 1000)
    return {**st, "turn": turn, "active_turns": at, "ended": st["ended"] | tie,
            "winner": jnp.where(tie, jnp.int8(-1), st["winner"]),
            "request": jnp.full((2,), REQ_MOVE, jnp.int8) * ~tie}


def _run_move(st: State, side: Any, move: Any) -> State:
    """A move action: the BeforeMove checks, then the move, or only AfterMoveSelf when it cannot move.

    A `cannotmove` action (Haze on a sleeping or frozen foe that had yet to move) skips BeforeMove.
    """
    cannot = st["last_selected_move"][side] == CANNOTMOVE
    def checks(x: State) -> tuple[State, jax.Array]:
        x, blocked = status.before_move(x, side, move)
        return bide.before_move(x, side, blocked)

    st, blocked = lax.cond(cannot, lambda x: (x, jnp.asarray(True)), checks, st)
    st, ams = lax.cond(blocked, lambda x: (x, jnp.asarray(True)), lambda x: moves.use_move(x, side, move), st)
    # AfterMoveSelf: after the move when its target kept HP, and after a move that could not happen
    return lax.cond(ams, lambda x: status.after_move_self(x, side), lambda x: x, st)


def _action(st: State, side: Any, act: Any, move: Any, stopped: Any) -> tuple[State, jax.Array]:
    """Run one queued action of `side` (a switch, or the queued move) unless the queue was cleared."""

    def do_switch(st: State) -> State:
        return _run_switch(_shuffle2(_switch(st, side, act - 3)), side, False)

    def do_move(st: State) -> State:
        return _run_move(st, side, move)

    def skip(st: State) -> State:
        return st

    branch = jnp.where(stopped, 0, jnp.where(act >= 4, 1, 2))
    st = lax.switch(branch, [skip, do_switch, do_move], st)
    # faints after a move are checked foe first (the target fell before the user's recoil or explosion)
    first = jnp.where(act >= 4, side, 1 - side)
    st, fainted = lax.cond(stopped, lambda x: (x, jnp.asarray(False)), lambda x: _after_action(x, first), st)
    return st, stopped | fainted


def _choices(st: State, acts: jax.Array) -> tuple[State, jax.Array]:
    """Gen 1 `side.commitChoices`: the move each side's action queues and the selected-move bookkeeping."""
    queued, lsm, slot, enemy = [], [], [], []
    for s in range(2):
        a = st["active"][s].astype(jnp.int32)
        act = acts[s]
        cur = st["status"][s, a]
        # "Fight" while asleep/frozen, or the Recharge lock: the side's last selected move is queued again
        fight = ((cur == status.SLP) | (cur == status.FRZ) | volatiles.has(st, s, "mustrecharge")
                 | volatiles.has(st, s, "twoturnmove") | volatiles.has(st, s, "lockedmove") | volatiles.has(st, s, "rage")
                 | volatiles.has(st, s, "partialtrappinglock") | volatiles.has(st, s, "bide"))
        # partially trapped (and not locked, asleep or frozen): "Fight" queues `cannotmove`
        trapped = ~fight & volatiles.has(st, s, "partiallytrapped")
        usable = (st["moves"][s, a] > 0) & (st["pp"][s, a] > 0) & ~disabled_slots(st, s)
        struggle = ~jnp.any(usable)
        chosen = st["moves"][s, a, jnp.minimum(act, 3)].astype(jnp.int32)
        old_lsm = st["last_selected_move"][s].astype(jnp.int32)
        old_slot = st["last_selected_slot"][s].astype(jnp.int32)
        new_lsm = jnp.where(trapped, CANNOTMOVE, jnp.where(fight, old_lsm, jnp.where(struggle, STRUGGLE, chosen)))
        new_slot = jnp.where(fight | struggle | trapped, old_slot, act)
        new_enemy = jnp.where(trapped, CANNOTMOVE, jnp.where(fight, st["moves"][s, a, old_slot].astype(jnp.int32),
                                                             jnp.where(struggle, STRUGGLE, chosen)))
        is_move = act < 4
        queued.append(new_lsm)
        lsm.append(jnp.where(is_move, new_lsm, old_lsm))
        slot.append(jnp.where(is_move, new_slot, old_slot))
        enemy.append(jnp.where(is_move, new_enemy, st["last_enemy_selected_move"][s]))
    st = {**st, "last_selected_move": jnp.stack(lsm).astype(jnp.int16),
          "last_selected_slot": jnp.stack(slot).astype(jnp.int8),
          "last_enemy_selected_move": jnp.stack(enemy).astype(jnp.int16)}
    return st, jnp.stack(queued)


def _residual(st: State) -> State:
    """The residual action: updateSpeed, the Residual durations (flinch ends, the trap volatiles count
    down; their speed sort's tie draws), then eachEvent Update."""
    return _shuffle2(trapping.residual(_update_speed(st)))


def _turn(st: State, actions: jax.Array) -> State:
    """A normal turn: both players chose a move (0-3) or a switch (4-8)."""
    t = tables()
    acts = actions.astype(jnp.int32)
    st = _update_speed(st)
    st, queued = _choices(st, acts)
    is_switch = acts >= 4
    u = st["active"].astype(jnp.int32)
    speed = jnp.stack([st["modified"][s, u[s], SPE] for s in range(2)]).astype(jnp.int32)
    move_prio = jnp.asarray(t.move_priority, jnp.int32)[jnp.maximum(queued, 0)]
    prio = jnp.where(is_switch | (queued <= 0), 0, move_prio)
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

    def one(k: jax.Array, carry: tuple[State, jax.Array]) -> tuple[State, jax.Array]:
        side = jnp.where(k == 0, first, second)
        return _action(carry[0], side, acts[side], queued[side], carry[1])

    # a loop, not two calls, so the action's code is traced (and compiled) once
    st, stopped = lax.fori_loop(0, 2, one, (st, jnp.asarray(False)))
    return lax.cond(stopped, lambda x: x, lambda x: _end_turn(_residual(x)), st)


def _forced_one(st: State, actions: jax.Array) -> State:
    """One side replaces its fainted Pokemon: instaswitch, Update, runSwitch, Update."""
    side = jnp.argmax(st["request"] == REQ_SWITCH).astype(jnp.int32)
    st = _shuffle2(_switch(st, side, actions[side].astype(jnp.int32) - 3))
    return _shuffle2(_run_switch(st, side, True))


def _forced_both(st: State, actions: jax.Array) -> State:
    """Both sides replace a fainted Pokemon: the two instaswitches sorted by the fainted ones' Speed
    (a tie draws), no Update between them; the second one's runSwitch is inserted among the first
    one's by the newcomers' Speed (a tie draws `random(0, 2)`: 0 puts it first); Update after each."""
    u = st["active"].astype(jnp.int32)
    old = jnp.stack([st["modified"][s, u[s], SPE] for s in range(2)]).astype(jnp.int32)
    drawn, j = prng.random_range(st["prng"], 0, 2)
    tie = old[0] == old[1]
    st = {**st, "prng": jnp.where(tie, drawn, st["prng"])}
    first = jnp.where(tie, j == 1, old[1] > old[0]).astype(jnp.int32)
    second = 1 - first
    st = _switch(st, first, actions[first].astype(jnp.int32) - 3)
    st = _switch(st, second, actions[second].astype(jnp.int32) - 3)
    u = st["active"].astype(jnp.int32)
    new = jnp.stack([st["speed"][s, u[s]] for s in range(2)]).astype(jnp.int32)
    drawn, k = prng.random_range(st["prng"], 0, 2)
    tie = new[0] == new[1]
    st = {**st, "prng": jnp.where(tie, drawn, st["prng"])}
    second_first = jnp.where(tie, k == 0, new[second] > new[first])
    a = jnp.where(second_first, second, first)
    st = _shuffle2(st)
    st = _shuffle2(_run_switch(st, a, True))
    return _shuffle2(_run_switch(st, 1 - a, True))


def _forced(st: State, actions: jax.Array) -> State:
    """The replacement after a faint: the requested side(s) switch (4-8); then the turn ends."""
    st = _update_speed(st)
    both = jnp.all(st["request"] == REQ_SWITCH)
    return _end_turn(lax.cond(both, _forced_both, _forced_one, st, actions))


def step(state: State, actions: Any) -> State:
    """One decision step: a turn, or the forced switch when a side must replace a fainted Pokemon.

    actions: (2,) int, 0-3 move slot, 4-8 switch to party position 2-6 (FIELDS.md); a waiting
    player's action is ignored. A battle that ended is returned unchanged.
    """
    actions = jnp.asarray(actions, jnp.int32)
    forced = jnp.any(state["request"] == REQ_SWITCH)
    branch = jnp.where(state["ended"], 0, jnp.where(forced, 1, 2))
    return lax.switch(branch, [lambda st, _: st, _forced, _turn], state, actions)


def legal_mask(state: State) -> np.ndarray:
    """(2, 9) legal actions of one (unbatched) state, as the Showdown adapter's masks."""
    s = {k: np.asarray(v) for k, v in state.items()}
    mask = np.zeros((2, 9), bool)
    if s["ended"]:
        return mask
    fight_only = np.asarray(trapping.fight_only(state))
    for side in range(2):
        a = int(s["active"][side])
        req = int(s["request"][side])
        locked = bool(int(s["vol"][side]) & sum(volatiles.BIT[n] for n in ("mustrecharge", "twoturnmove", "lockedmove",
                                                                           "rage")))
        if req == REQ_MOVE:
            usable = (s["moves"][side, a] > 0) & (s["pp"][side, a] > 0) & ~np.asarray(disabled_slots(state, side))
            semi = bool(int(s["vol"][side]) & volatiles.BIT["bide"])  # Bide: action 0, switches stay legal
            if (locked or semi or fight_only[side] or int(s["status"][side, a]) in (status.SLP, status.FRZ)
                    or not usable.any()):
                mask[side, 0] = True
            else:
                mask[side, :4] = usable
        if req == REQ_SWITCH or (req == REQ_MOVE and not locked):
            for pos in range(1, 6):
                i = int(s["order"][side, pos])
                mask[side, 3 + pos] = i >= 0 and not s["fainted"][side, i]
    return mask


COMPILER_OPTIONS = {"xla_cpu_copy_insertion_use_region_analysis": True}
"""XLA options for everything that compiles the engine. On CPU each lax.cond/while boundary copies the
state buffers XLA cannot prove free; region analysis drops most of them (a map-mode step ran about
1,050 thunks, 360 of them copies, before this and the cond restructuring; about 560 after)."""


def jit(fn: Any, **kwargs: Any) -> Any:
    """jax.jit with the engine's COMPILER_OPTIONS."""
    return jax.jit(fn, compiler_options=COMPILER_OPTIONS, **kwargs)


_STEP = None


def jitted_step() -> Any:
    """`step` under jit (compiled once per process)."""
    global _STEP
    if _STEP is None:
        _STEP = jit(step)
    return _STEP
