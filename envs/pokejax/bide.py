"""Gen 1 Bide as Showdown 0.11.11's gen1 mod runs it: the `bide` volatile and its BeforeMove handler.

Using Bide (a self-targeting move: PP, lastMove, lastDamage zeroed, no accuracy draw) adds the
volatile with damage 0 and time `random(2, 4)`. While it lasts the Pokemon is semi-locked: its
side re-queues `lastSelectedMove` (engine `_choices`) and the request offers only action 0 plus
switches. Its BeforeMove handler (priority 0, after frz, slp, flinch, recharge, Disable, confusion
and paralysis, each of which stops it first and so skips the count) adds the battle's
`lastDamage`, whatever dealt it, and counts `time` down; the move itself never runs (no PP, no
lastMove). At 0 the Pokemon releases twice the stored damage onto the foe without accuracy,
crit, roll, type immunity (Ghosts are hit) or invulnerability check, or fails when nothing was
stored; either way the volatile ends. A foe's substitute takes the uncapped amount (and it is
`lastDamage`); otherwise the foe loses min(amount, HP), which is `lastDamage`, and a raging foe
that survives gains +1 Attack. A confusion self-hit or full paralysis ends Bide (status.py);
sleep, freeze, a flinch and Disable only pause it; switching and fainting clear it. With Disable
too, endTurn's DisableMove event costs a tie draw (`trapping.end_turn` sorts all its handlers).
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from envs.pokejax import prng, volatiles

State = dict[str, Any]
TIME, DAMAGE = volatiles.key("bide", "time"), volatiles.key("bide", "damage")


def start(st: State, side: Any, cond: Any) -> State:
    """addVolatile('bide') on side's active when `cond`: damage 0, time `random(2, 4)`."""
    go = jnp.asarray(cond) & ~volatiles.has(st, side, "bide")
    drawn, time = prng.random_range(st["prng"], 2, 4)
    st = {**st, "prng": jnp.where(go, drawn, st["prng"]),
          TIME: st[TIME].at[side].set(jnp.where(go, time, st[TIME][side]).astype(st[TIME].dtype)),
          DAMAGE: st[DAMAGE].at[side].set(jnp.where(go, 0, st[DAMAGE][side]).astype(st[DAMAGE].dtype))}
    return volatiles.with_flag(st, side, "bide", go | volatiles.has(st, side, "bide"))


def _release(st: State, side: Any, amount: jax.Array, go: jax.Array) -> State:
    """moveHit of the stored damage x2 onto the foe (substitute first), when `go`."""
    from envs.pokejax.moves import apply_boosts

    foe = 1 - side
    d = st["active"][foe].astype(jnp.int32)
    ksub = volatiles.key("substitute", "hp")
    sub = go & volatiles.has(st, foe, "substitute")
    sub_hp = st[ksub][foe].astype(jnp.int32)
    sub_left = sub_hp - jnp.minimum(amount, sub_hp)
    body = go & ~sub
    hp = st["hp"][foe, d].astype(jnp.int32)
    dealt = jnp.minimum(amount, hp)
    st = {**st, ksub: st[ksub].at[foe].set(jnp.where(sub, sub_left, sub_hp).astype(st[ksub].dtype)),
          "hp": st["hp"].at[foe, d].set(jnp.where(body, hp - dealt, hp).astype(st["hp"].dtype)),
          "last_damage": jnp.where(sub, amount, jnp.where(body, dealt, st["last_damage"])).astype(
              st["last_damage"].dtype)}
    st = volatiles.with_flag(st, foe, "substitute", volatiles.has(st, foe, "substitute") & ~(sub & (sub_left <= 0)))
    rage = body & (hp - dealt > 0) & volatiles.has(st, foe, "rage") & (st["boosts"][foe, d, 0] < 6)
    return apply_boosts(st, foe, d, jnp.asarray([1, 0, 0, 0, 0, 0, 0]), rage)[0]


def before_move(st: State, side: Any, blocked: Any) -> tuple[State, jax.Array]:
    """Bide's BeforeMove handler, reached when no earlier handler stopped the move (`blocked`):
    (state, the move is stopped). Stores lastDamage, counts down, releases or fails at 0."""
    on = ~jnp.asarray(blocked) & volatiles.has(st, side, "bide")
    stored = st[DAMAGE][side].astype(jnp.int32) + jnp.where(on, st["last_damage"].astype(jnp.int32), 0)
    time = st[TIME][side].astype(jnp.int32) - jnp.where(on, 1, 0)
    ends = on & (time == 0)
    st = {**st, DAMAGE: st[DAMAGE].at[side].set(stored.astype(st[DAMAGE].dtype)),
          TIME: st[TIME].at[side].set(time.astype(st[TIME].dtype))}
    st = _release(st, side, 2 * stored, ends & (stored > 0))
    st = volatiles.with_flag(st, side, "bide", volatiles.has(st, side, "bide") & ~ends)
    return st, jnp.asarray(blocked) | on
