"""Gen 1 partial trapping (Wrap, Bind, Fire Spin, Clamp) as Showdown 0.11.11's gen1 mod runs it.

The user of a trapping move gets `partialtrappinglock` when its first hit lands (moveHit's self
effect: `sample([2, 2, 2, 3, 3, 3, 4, 5])` as duration and totalDuration, the hit's lastDamage
stored as damage, the foe as `locked`); the foe gets `partiallytrapped` (duration 2, restarted by
every hit), which stops its move (BeforeMove priority 9) and makes its choice `cannotmove`. The
repeated hits never miss (the trap's onAccuracy) and deal the stored damage with no draw; they
spend no PP (a semi-locked move). The lock's AfterMove ends it when the target fainted, restarts
the foe's trap (marking it `maybeLocked` after the first hit), or on its last turn gives both
`fakepartiallytrapped` (not after a 5-turn lock). Full paralysis and a confusion self-hit end
the lock; a new foe (switch) ends it before the move, which then hits the newcomer afresh.
Every trapping move removes the foe's recharge first, hit or miss. The Residual speed-sorts the
duration volatiles (flinch, the three trap volatiles): each tied group of k costs k - 1 draws.
endTurn drops a lock whose target lost its trap, a trap whose source lost its lock, and a fake
trap whose counterpart lost its own; its DisableMove event then draws for each group of tied
handlers. A locked user or a trapped Pokemon whose side does not
know it yet (not `maybeLocked`) is offered only action 0 (Showdown's single-move request).
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from envs.pokejax import prng, volatiles
from envs.pokejax.tables import tables

State = dict[str, Any]
LENGTHS = (2, 2, 2, 3, 3, 3, 4, 5)
DURATION_VOLATILES = ("flinch", "partiallytrapped", "fakepartiallytrapped", "partialtrappinglock")
K_LOCK_DUR = volatiles.key("partialtrappinglock", "duration")
K_LOCK_TOTAL = volatiles.key("partialtrappinglock", "totalDuration")
K_LOCK_DMG = volatiles.key("partialtrappinglock", "damage")
K_LOCK_MOVE = volatiles.key("partialtrappinglock", "move")
K_LOCK_TARGET = volatiles.key("partialtrappinglock", "locked")
K_TRAP_DUR = volatiles.key("partiallytrapped", "duration")
K_TRAP_ML = volatiles.key("partiallytrapped", "maybelocked")
K_FAKE_DUR = volatiles.key("fakepartiallytrapped", "duration")


def _set(st: State, k: str, side: Any, cond: Any, value: Any) -> State:
    return {**st, k: st[k].at[side].set(jnp.where(cond, value, st[k][side]).astype(st[k].dtype))}


def _trap_foe(st: State, foe: Any, cond: Any, maybe_locked: Any = False) -> State:
    """addVolatile('partiallytrapped') on `foe` when `cond` and it has HP: new or restarted, duration 2;
    `maybe_locked` marks it (a mark stays for the volatile's life)."""
    d = st["active"][foe].astype(jnp.int32)
    go = jnp.asarray(cond) & (st["hp"][foe, d] > 0)
    had = volatiles.has(st, foe, "partiallytrapped")
    flag = jnp.where(had, st[K_TRAP_ML][foe], 0) | jnp.asarray(maybe_locked).astype(jnp.int16)
    st = _set(st, K_TRAP_DUR, foe, go, 2)
    st = _set(st, K_TRAP_ML, foe, go, flag)
    return volatiles.with_flag(st, foe, "partiallytrapped", go | had)


def try_move(st: State, side: Any, trap: Any) -> State:
    """The trapping moves' onTryMove: the foe's recharge ends, whether the move hits or not."""
    foe = 1 - side
    return volatiles.with_flag(st, foe, "mustrecharge", ~jnp.asarray(trap) & volatiles.has(st, foe, "mustrecharge"))


def repeating(st: State, side: Any, trap: Any) -> jax.Array:
    """Whether this trapping move is a repeated hit (the user holds the lock on the current foe)."""
    return jnp.asarray(trap) & volatiles.has(st, side, "partialtrappinglock")


def stored_damage(st: State, side: Any, move: Any) -> jax.Array:
    """A repeated hit's damage: the stored damage, or 0 for a Normal move on a Ghost (checked first)."""
    t = tables()
    foe = 1 - side
    d = st["active"][foe].astype(jnp.int32)
    types = st["types"][foe, d].astype(jnp.int32)
    ghost = t.types.index("Ghost")
    normal = jnp.asarray(t.move_type, jnp.int32)[move] == t.types.index("Normal")
    on_ghost = normal & ((types[0] == ghost) | (types[1] == ghost))
    return jnp.where(on_ghost, 0, st[K_LOCK_DMG][side].astype(jnp.int32))


def after_hit(st: State, side: Any, move: Any, trap: Any, hit: Any, body: Any) -> State:
    """moveHit of a trapping move that got past accuracy (`hit`): the foe's own trap volatile when the
    body was hit (`body`), then the lock (self effect, also behind a substitute): a new one samples its
    length, stores lastDamage and traps the foe. A miss removes the user's lock (tryMoveHit)."""
    foe = 1 - side
    trap = jnp.asarray(trap)
    st = _trap_foe(st, foe, trap & body)
    new = trap & hit & ~volatiles.has(st, side, "partialtrappinglock")
    drawn, k = prng.sample_index(st["prng"], len(LENGTHS))
    length = jnp.asarray(LENGTHS, jnp.int32)[k]
    st = {**st, "prng": jnp.where(new, drawn, st["prng"])}
    st = _set(st, K_LOCK_DUR, side, new, length)
    st = _set(st, K_LOCK_TOTAL, side, new, length)
    st = _set(st, K_LOCK_DMG, side, new, st["last_damage"])
    st = _set(st, K_LOCK_MOVE, side, new, move)
    st = _set(st, K_LOCK_TARGET, side, new, st["active"][foe])
    st = volatiles.with_flag(st, side, "partialtrappinglock", (new | volatiles.has(st, side, "partialtrappinglock"))
                             & ~(trap & ~hit))
    return _trap_foe(st, foe, new)


def after_move(st: State, side: Any) -> State:
    """The lock's AfterMove: a fainted target ends it; the last turn (duration 1) gives both actives
    `fakepartiallytrapped` unless the lock was 5 turns long; otherwise the foe's trap restarts, marked
    maybeLocked once the lock has hit before."""
    foe = 1 - side
    d = st["active"][foe].astype(jnp.int32)
    lock = volatiles.has(st, side, "partialtrappinglock")
    dead = st["hp"][foe, d] <= 0
    dur = st[K_LOCK_DUR][side].astype(jnp.int32)
    total = st[K_LOCK_TOTAL][side].astype(jnp.int32)
    st = volatiles.with_flag(st, side, "partialtrappinglock", lock & ~dead)
    fake = lock & ~dead & (dur == 1) & (total != 5)
    for s in (side, foe):
        new = fake & ~volatiles.has(st, s, "fakepartiallytrapped")
        st = _set(st, K_FAKE_DUR, s, new, 2)
        st = volatiles.with_flag(st, s, "fakepartiallytrapped", new | volatiles.has(st, s, "fakepartiallytrapped"))
    return _trap_foe(st, foe, lock & ~dead & (dur != 1), total - dur > 0)


def residual(st: State) -> State:
    """The Residual's duration volatiles: the speed sort's tie draws (a tied group of k handlers costs
    k - 1), then each duration counts down and the volatile ends at 0 (flinch lasts 1)."""
    a = st["active"].astype(jnp.int32)
    n = [sum(volatiles.has(st, s, name).astype(jnp.int32) for name in DURATION_VOLATILES) for s in range(2)]
    tie = st["speed"][0, a[0]] == st["speed"][1, a[1]]
    draws = jnp.where(tie, jnp.maximum(n[0] + n[1] - 1, 0), jnp.maximum(n[0] - 1, 0) + jnp.maximum(n[1] - 1, 0))
    s = st["prng"]
    for k in range(2 * len(DURATION_VOLATILES) - 1):
        s = jnp.where(k < draws, prng.next_u32(s)[0], s)
    st = {**st, "prng": s}
    for side in range(2):
        st = volatiles.with_flag(st, side, "flinch", False)
        for name, k in (("partiallytrapped", K_TRAP_DUR), ("fakepartiallytrapped", K_FAKE_DUR),
                        ("partialtrappinglock", K_LOCK_DUR)):
            on = volatiles.has(st, side, name)
            left = st[k][side].astype(jnp.int32) - 1
            st = _set(st, k, side, on, left)
            st = volatiles.with_flag(st, side, name, on & (left > 0))
    return st


def end_turn(st: State) -> State:
    """endTurn (Gen 1), p1 then p2: a lock whose target is gone or lost its trap ends; a trap whose
    source lost its lock ends; a fake trap whose counterpart lost its own ends."""
    for side in range(2):
        foe = 1 - side
        same = st["active"][foe].astype(jnp.int32) == st[K_LOCK_TARGET][side]
        keep = same & volatiles.has(st, foe, "partiallytrapped")
        st = volatiles.with_flag(st, side, "partialtrappinglock", keep & volatiles.has(st, side, "partialtrappinglock"))
        st = volatiles.with_flag(st, side, "partiallytrapped", volatiles.has(st, foe, "partialtrappinglock")
                                 & volatiles.has(st, side, "partiallytrapped"))
        st = volatiles.with_flag(st, side, "fakepartiallytrapped", volatiles.has(st, foe, "fakepartiallytrapped")
                                 & volatiles.has(st, side, "fakepartiallytrapped"))
    # then each active's DisableMove event: its handlers tie by priority (Disable, the lock and Bide at 0;
    # the trap and the fake trap at 1); shuffling a tied group of k costs k - 1 draws
    for side in range(2):
        for group in (("disable", "partialtrappinglock", "bide"), ("partiallytrapped", "fakepartiallytrapped")):
            k = sum(volatiles.has(st, side, name).astype(jnp.int32) for name in group)
            for d in range(1, len(group)):
                st = {**st, "prng": jnp.where(k > d, prng.next_u32(st["prng"])[0], st["prng"])}
    return st


def fight_only(st: State) -> jax.Array:
    """(2,) bool: the request offers a single move (action 0) for the trap: the user of a lock or a
    trapped Pokemon that is not `maybeLocked` (the lock has 2+ hits behind it, the trap was restarted
    after a repeated hit, or a fake trap is on)."""
    out = []
    for side in range(2):
        lock = volatiles.has(st, side, "partialtrappinglock")
        trap = volatiles.has(st, side, "partiallytrapped")
        maybe = ((lock & (st[K_LOCK_TOTAL][side] - st[K_LOCK_DUR][side] > 1))
                 | (trap & (st[K_TRAP_ML][side] != 0)) | volatiles.has(st, side, "fakepartiallytrapped"))
        out.append((lock | trap) & ~maybe)
    return jnp.stack(out)


def from_snapshot(out: dict[str, Any]) -> None:
    """Fill the counters the snapshot lacks (in place, numpy): the lock's target is the foe's active,
    and a trap is maybeLocked when its source's lock has hit at least twice."""
    for side in range(2):
        foe = 1 - side
        out[K_LOCK_TARGET][side] = out["active"][foe]
        foe_lock = int(out["vol"][foe]) & volatiles.BIT["partialtrappinglock"]
        hits = int(out[K_LOCK_TOTAL][foe]) - int(out[K_LOCK_DUR][foe])
        out[K_TRAP_ML][side] = np.int16(bool(foe_lock) and hits > 1)
