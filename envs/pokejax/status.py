"""Gen 1 major status (par, slp, brn, psn, tox, frz) as Showdown 0.11.11's gen1 mod runs it.

Setting a status (`pokemon.setStatus`): nothing happens to a Pokemon with the same status or
(psn/tox) of the Poison type; otherwise the SetStatus event runs, and its two handlers (the
format's Sleep Clause Mod and Freeze Clause Mod) tie, so sorting them costs one `random(0, 2)`
every time, whatever the Speeds; the clauses then refuse a second foe-induced sleeper or a
second frozen Pokemon on the target's side. Sleep draws its length `random(1, 8)` on start;
Toxic starts the `residualdmg` volatile with counter 0.

Before a move (`onBeforeMove`, by priority): frz (can't move), slp (counter - 1, can't move,
also the turn it reaches 0), partiallytrapped (can't move), flinch, par (`randomChance(63, 256)`:
fully paralyzed), then a trap lock on a foe that left ends. A frozen or sleeping Pokemon loses `lastMove`. After its move, or its failed attempt (`AfterMoveSelf`):
the residualdmg counter + 1 (brn/psn/tox), a sleeper at 0 wakes, then brn/psn take
max(1, maxhp / 16) times the counter (1 without residualdmg) and tox the same times the counter.
On a switch-in, tox becomes psn and brn/psn take max(1, maxhp / 16) unless the side had a
faint this turn.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from envs.pokejax import prng, stats, volatiles
from envs.pokejax.tables import tables

NONE, PAR, SLP, BRN, PSN, TOX, FRZ, FNT = range(8)
SPE, ATK = 4, 0

State = dict[str, Any]


def _i(x: Any) -> jax.Array:
    return jnp.asarray(x, jnp.int32)


def has_type(st: State, side: Any, i: Any, type_index: Any) -> jax.Array:
    """Whether team member i of side has the type (its current types)."""
    types = st["types"][side, i].astype(jnp.int32)
    return (types[0] == type_index) | (types[1] == type_index)


def set_status(st: State, side: Any, i: Any, status: Any, from_foe: Any, cond: Any = True,
               ignore_immunity: bool = False) -> tuple[State, jax.Array]:
    """`setStatus(status)` on team member i of side when `cond`; returns (state, it was set)."""
    status = _i(status)
    cur = st["status"][side, i].astype(jnp.int32)
    poison = tables().types.index("Poison")
    immune = ((status == PSN) | (status == TOX)) & has_type(st, side, i, poison) & (not ignore_immunity)
    reach = jnp.asarray(cond) & (st["hp"][side, i] > 0) & (cur != status) & ~immune
    drawn, _ = prng.random_range(st["prng"], 0, 2)
    s = jnp.where(reach, drawn, st["prng"])
    team_status = st["status"][side].astype(jnp.int32)
    alive = st["hp"][side] > 0
    sleep_clause = jnp.any(alive & (team_status == SLP) & st["status_foe"][side])
    freeze_clause = jnp.any(team_status == FRZ)
    blocked = jnp.asarray(from_foe) & (((status == SLP) & sleep_clause) | ((status == FRZ) & freeze_clause))
    ok = reach & ~blocked
    s2, length = prng.random_range(s, 1, 8)
    s = jnp.where(ok & (status == SLP), s2, s)
    turns = jnp.where(status == SLP, length, 0)
    st = {**st, "prng": s,
          "status": st["status"].at[side, i].set(jnp.where(ok, status, cur).astype(jnp.int8)),
          "status_turns": st["status_turns"].at[side, i].set(
              jnp.where(ok, turns, st["status_turns"][side, i]).astype(jnp.int8)),
          "status_start": st["status_start"].at[side, i].set(
              jnp.where(ok, turns, st["status_start"][side, i]).astype(jnp.int8)),
          "status_foe": st["status_foe"].at[side, i].set(jnp.where(ok, from_foe, st["status_foe"][side, i]))}
    tox = ok & (status == TOX)
    st = volatiles.with_flag(st, side, "residualdmg", tox | volatiles.has(st, side, "residualdmg"))
    k = volatiles.key("residualdmg", "counter")
    st = {**st, k: st[k].at[side].set(jnp.where(tox, 0, st[k][side]).astype(jnp.int16))}
    return st, ok


def status_drop(st: State, side: Any, i: Any, cond: Any) -> State:
    """The par Speed quarter or brn Attack half on team member i's modified stat, when `cond`."""
    cur = st["status"][side, i].astype(jnp.int32)
    par = jnp.asarray(cond) & (cur == PAR)
    brn = jnp.asarray(cond) & (cur == BRN)
    mod = st["modified"][side, i].astype(jnp.int32)
    mod = mod.at[SPE].set(jnp.where(par, stats.status_drop(mod[SPE], True), mod[SPE]))
    mod = mod.at[ATK].set(jnp.where(brn, stats.status_drop(mod[ATK], False), mod[ATK]))
    return {**st, "modified": st["modified"].at[side, i].set(mod.astype(jnp.int16))}


def cure(st: State, side: Any, i: Any, cond: Any) -> State:
    """`cureStatus` when `cond` and the Pokemon has HP: no status, statusState emptied."""
    c = jnp.asarray(cond) & (st["hp"][side, i] > 0)
    def upd(k: str, v: Any) -> jax.Array:
        return st[k].at[side, i].set(jnp.where(c, v, st[k][side, i]).astype(st[k].dtype))
    return {**st, "status": upd("status", NONE), "status_turns": upd("status_turns", 0),
            "status_start": upd("status_start", 0), "status_foe": upd("status_foe", False)}


def add_confusion(st: State, side: Any, cond: Any) -> State:
    """addVolatile('confusion') on side's active when `cond`: nothing if already confused, else time = random(2, 6)."""
    go = jnp.asarray(cond) & ~volatiles.has(st, side, "confusion")
    drawn, time = prng.random_range(st["prng"], 2, 6)
    k = volatiles.key("confusion", "time")
    st = {**st, "prng": jnp.where(go, drawn, st["prng"]), k: st[k].at[side].set(jnp.where(go, time, st[k][side]).astype(jnp.int16))}
    return volatiles.with_flag(st, side, "confusion", go | volatiles.has(st, side, "confusion"))


def direct_damage(st: State, side: Any, amount: Any, cond: Any) -> State:
    """Gen 1 `directDamage` of confusion or a Jump Kick crash to side's active, when `cond` and it has HP.

    It counts as lastDamage. Behind its own substitute the Pokemon takes nothing; the foe's
    substitute, if any, takes the damage instead (and may break).
    """
    u = st["active"][side].astype(jnp.int32)
    foe = 1 - side
    go = jnp.asarray(cond) & (st["hp"][side, u] > 0)
    amount = jnp.maximum(_i(amount), 1)
    own = volatiles.has(st, side, "substitute")
    foe_sub = own & volatiles.has(st, foe, "substitute")
    k = volatiles.key("substitute", "hp")
    left = st[k][foe].astype(jnp.int32) - amount
    hit_sub = go & foe_sub
    st = {**st, "last_damage": jnp.where(go, amount, st["last_damage"]),
          k: st[k].at[foe].set(jnp.where(hit_sub, left, st[k][foe]).astype(jnp.int16))}
    st = volatiles.with_flag(st, foe, "substitute", volatiles.has(st, foe, "substitute") & ~(hit_sub & (left <= 0)))
    return damage(st, side, u, jnp.where(go & ~own, amount, 0))


def _confusion_self_hit(st: State, side: Any, u: Any, hurt: Any) -> State:
    """The confusion self-hit (40 power, typeless, modified Attack and Defense, no roll): direct damage."""
    level = st["level"][side, u].astype(jnp.int32)
    atk = st["modified"][side, u, 0].astype(jnp.int32)
    dfn = st["modified"][side, u, 1].astype(jnp.int32)
    dmg = ((2 * level // 5 + 2) * atk * 40 // dfn) // 50 + 2
    st = direct_damage(st, side, dmg, hurt)
    for name in ("bide", "twoturnmove", "invulnerability", "partialtrappinglock", "lockedmove"):
        st = volatiles.with_flag(st, side, name, ~hurt & volatiles.has(st, side, name))
    return st


def before_move(st: State, side: Any, move: Any) -> tuple[State, jax.Array]:
    """The BeforeMove handlers of side's active Pokemon about to use `move`, by priority: (state, it
    cannot move).

    frz (12), slp (10), flinch (8), mustrecharge (7: removed), disable (6), confusion (3: counter - 1; at 0 it
    ends and the move goes on, else `randomChance(128, 256)` false is a self-hit), par (2).
    """
    u = st["active"][side].astype(jnp.int32)
    cur = st["status"][side, u].astype(jnp.int32)
    frz = cur == FRZ
    slp = cur == SLP
    trapped = ~frz & ~slp & volatiles.has(st, side, "partiallytrapped")  # partiallytrapped (9)
    flinch = ~frz & ~slp & ~trapped & volatiles.has(st, side, "flinch")
    recharge = ~frz & ~slp & ~trapped & ~flinch & volatiles.has(st, side, "mustrecharge")
    st = {**st, "status_turns": st["status_turns"].at[side, u].add(jnp.where(slp, -1, 0).astype(jnp.int8)),
          "last_move": st["last_move"].at[side, u].set(jnp.where(frz | slp, 0, st["last_move"][side, u]))}
    st = volatiles.with_flag(st, side, "mustrecharge", ~recharge & volatiles.has(st, side, "mustrecharge"))
    blocked = frz | slp | trapped | flinch | recharge
    # Disable (6): one attempt counted; at 0 it ends, else the disabled move is stopped (and its charge)
    dis = ~blocked & volatiles.has(st, side, "disable")
    kd = volatiles.key("disable", "time")
    dtime = st[kd][side].astype(jnp.int32) - jnp.where(dis, 1, 0)
    st = {**st, kd: st[kd].at[side].set(dtime.astype(jnp.int16))}
    st = volatiles.with_flag(st, side, "disable", ~(dis & (dtime == 0)) & volatiles.has(st, side, "disable"))
    stop = dis & (dtime != 0) & (jnp.asarray(move) == st[volatiles.key("disable", "move")][side])
    st = volatiles.with_flag(st, side, "twoturnmove", ~stop & volatiles.has(st, side, "twoturnmove"))
    blocked = blocked | stop
    conf = ~blocked & volatiles.has(st, side, "confusion")
    k = volatiles.key("confusion", "time")
    time = st[k][side].astype(jnp.int32) - jnp.where(conf, 1, 0)
    ends = conf & (time == 0)
    st = {**st, k: st[k].at[side].set(time.astype(jnp.int16))}
    st = volatiles.with_flag(st, side, "confusion", ~ends & volatiles.has(st, side, "confusion"))
    rolls = conf & ~ends
    drawn, calm = prng.random_chance(st["prng"], 128, 256)
    st = {**st, "prng": jnp.where(rolls, drawn, st["prng"])}
    hurt = rolls & ~calm
    st = _confusion_self_hit(st, side, u, hurt)
    blocked = blocked | hurt
    par = ~blocked & (cur == PAR)
    drawn, full = prng.random_chance(st["prng"], 63, 256)
    st = {**st, "prng": jnp.where(par, drawn, st["prng"])}
    stopped = par & full  # full paralysis also ends a charge (not Fly/Dig's invulnerability), Bide, locks
    for name in ("bide", "twoturnmove", "partialtrappinglock", "lockedmove"):
        st = volatiles.with_flag(st, side, name, ~stopped & volatiles.has(st, side, name))
    # partialtrappinglock (0): a lock on a Pokemon that is no longer the foe's active ends
    gone = st["active"][1 - side].astype(jnp.int32) != st[volatiles.key("partialtrappinglock", "locked")][side]
    lock = volatiles.has(st, side, "partialtrappinglock")
    st = volatiles.with_flag(st, side, "partialtrappinglock", lock & ~(~blocked & ~stopped & gone))
    return st, blocked | stopped


def after_move_self(st: State, side: Any) -> State:
    """AfterMoveSelf on side's active Pokemon: toxic counter, waking, brn/psn/tox damage."""
    u = st["active"][side].astype(jnp.int32)
    cur = st["status"][side, u].astype(jnp.int32)
    rd = volatiles.has(st, side, "residualdmg")
    k = volatiles.key("residualdmg", "counter")
    hurt = (cur == BRN) | (cur == PSN) | (cur == TOX)
    counter = st[k][side].astype(jnp.int32) + jnp.where(rd & hurt, 1, 0)
    st = {**st, k: st[k].at[side].set(counter.astype(jnp.int16))}
    st = cure(st, side, u, (cur == SLP) & (st["status_turns"][side, u] <= 0))
    maxhp = st["maxhp"][side, u].astype(jnp.int32)
    dmg = jnp.maximum(maxhp // 16, 1) * jnp.where(rd, counter, 1)
    st = damage(st, side, u, jnp.where(hurt, dmg, 0))
    # Leech Seed (priority 1): only while the seeder's slot holds a Pokemon with HP; it bumps the toxic
    # counter again and heals the seeder by the full amount, whatever the seeded Pokemon had left
    foe = 1 - side
    f = st["active"][foe].astype(jnp.int32)
    seeded = volatiles.has(st, side, "leechseed") & (st["hp"][foe, f] > 0) & ~st["fainted"][foe, f]
    counter = st[k][side].astype(jnp.int32) + jnp.where(seeded & rd, 1, 0)
    st = {**st, k: st[k].at[side].set(counter.astype(jnp.int16))}
    leech = jnp.where(seeded, jnp.maximum(maxhp // 16, 1) * jnp.where(rd, counter, 1), 0)
    st = damage(st, side, u, leech)
    fhp = st["hp"][foe, f].astype(jnp.int32)
    healed = jnp.minimum(fhp + leech, st["maxhp"][foe, f].astype(jnp.int32))
    return {**st, "hp": st["hp"].at[foe, f].set(healed.astype(jnp.int16))}


def damage(st: State, side: Any, i: Any, amount: Any) -> State:
    """Residual damage (no lastDamage): at least 1 when nonzero, capped at the HP left."""
    hp = st["hp"][side, i].astype(jnp.int32)
    amount = _i(amount)
    return {**st, "hp": st["hp"].at[side, i].set(jnp.maximum(hp - amount, 0).astype(jnp.int16))}


def switch_in(st: State, side: Any, forced: Any) -> State:
    """runSwitch's status part: tox turns into psn (SwitchIn), then brn/psn damage (AfterSwitchInSelf)."""
    u = st["active"][side].astype(jnp.int32)
    cur = st["status"][side, u].astype(jnp.int32)
    cur = jnp.where(cur == TOX, PSN, cur)
    st = {**st, "status": st["status"].at[side, u].set(cur.astype(jnp.int8))}
    maxhp = st["maxhp"][side, u].astype(jnp.int32)
    hurt = ((cur == BRN) | (cur == PSN)) & ~jnp.asarray(forced)
    return damage(st, side, u, jnp.where(hurt, jnp.maximum(maxhp // 16, 1), 0))
