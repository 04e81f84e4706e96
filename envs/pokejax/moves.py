"""Running one move in the Gen 1 turn engine: Showdown's useMove -> useMoveInner -> tryMoveHit -> moveHit.

`use_move` is what runs once the BeforeMove handlers let the Pokemon act: PP (from the slot
`side.lastSelectedMoveSlot`, trunc(pp - 1, 6)), `lastMove`, `lastDamage` zeroed (except the
SKIP_LASTDAMAGE moves), the move's family branch (`lax.switch` over movefx.FAMILIES), then
AfterMoveSelf when the target still has HP. Inside a damaging move the draws come in
Showdown's order: accuracy `randomChance(t, 256)`, crit, damage roll (damage.get_damage), then
the secondary `randomChance(chance, 256)` when the target survived (not rolled at all for a
par/brn/frz secondary against a target of the move's type), then the setStatus tie draw and the
sleep length when a status lands.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
from jax import lax

from envs.pokejax import bide, damage, metronome, prng, stats, status, transform, trapping, volatiles
from envs.pokejax import movefx as mfx
from envs.pokejax.movefx import (FAM_BOOST, FAM_DAMAGE, FAM_SELF, FAM_STATUS, FAM_TRANSFORM, SEC_BOOST, SEC_CONFUSION,
                                 SEC_FLINCH, SEC_NONE, SEC_STATUS, movefx)
from envs.pokejax.tables import NOMOVE_ROW, tables

State = dict[str, Any]
STRUGGLE = 165
NOMOVE = -1
"""state.NOMOVE: the side's lastSelectedMove before it selected any."""


def _arr(x: Any, dtype: Any = jnp.int32) -> jax.Array:
    return jnp.asarray(x, dtype)


def apply_boosts(st: State, side: Any, i: Any, deltas: Any, cond: Any) -> tuple[State, jax.Array]:
    """`battle.boost(deltas)` on team member i when `cond`: each stat through stats.boost; (state, any changed)."""
    deltas = _arr(deltas)
    cond = jnp.asarray(cond)
    stage = st["boosts"][side, i].astype(jnp.int32)
    mod = st["modified"][side, i].astype(jnp.int32)
    stored = st["stats"][side, i].astype(jnp.int32)
    success = jnp.asarray(False)
    for k in range(7):
        acc_eva = k >= 5
        new_stage, new_mod, result = stats.boost(stored[min(k, 4)], mod[min(k, 4)], stage[k], deltas[k], acc_eva)
        on = cond & (deltas[k] != 0)
        stage = stage.at[k].set(jnp.where(on, new_stage, stage[k]))
        if not acc_eva:
            mod = mod.at[k].set(jnp.where(on, new_mod, mod[k]))
        success = success | (on & (result == stats.CHANGED))
    return {**st, "boosts": st["boosts"].at[side, i].set(stage.astype(jnp.int8)),
            "modified": st["modified"].at[side, i].set(mod.astype(jnp.int16))}, success


def _accuracy(st: State, side: Any, move: Any, fail: Any = False, sure: Any = False) -> tuple[State, jax.Array]:
    """tryMoveHit up to its accuracy draw against the foe: (state, the move goes on to hit).

    Type immunity (unless the move ignores it), `fail` (a TryImmunity handler said no) and an OHKO
    move against a faster foe fail without a draw; a missed roll zeroes lastDamage.
    """
    t = tables()
    foe = 1 - side
    u = st["active"][side].astype(jnp.int32)
    d = st["active"][foe].astype(jnp.int32)
    mtype = _arr(t.move_type)[move]
    dtypes = st["types"][foe, d].astype(jnp.int32)
    _, immune = damage.type_effectiveness(mtype, dtypes[0], dtypes[1])
    kind, threshold = damage.accuracy_check(
        _arr(t.move_accuracy)[move], st["boosts"][side, u, 5], st["boosts"][foe, d, 6],
        immune=immune & ~jnp.asarray(t.move_ignore_immunity)[move], ohko=jnp.asarray(t.move_ohko)[move],
        user_speed=st["modified"][side, u, 4], target_speed=st["modified"][foe, d, 4], sleep_on_recharging=sure,
        acc255=_arr(t.move_acc255)[move])
    # Fly/Dig: the semi-invulnerable foe is missed (no draw) by all but Swift and moves on the user
    hidden = (volatiles.has(st, foe, "invulnerability") & ~jnp.asarray(t.move_target_self)[move]
              & (move != t.move_index("swift")))
    kind = jnp.where(jnp.asarray(fail) | hidden, damage.ACC_FAIL, kind)
    # Thrash/Petal Dance and Rage: the accuracy starts from the value stored in the volatile (255 at
    # first) and the stage-modified result is stored back (the Gen 1 accuracy bug)
    rolls = kind == damage.ACC_ROLL
    klm, krg = volatiles.key("lockedmove", "accuracy"), volatiles.key("rage", "accuracy")
    lm, rg = volatiles.has(st, side, "lockedmove"), volatiles.has(st, side, "rage")
    table = jnp.asarray(damage.ACC_STAGE_PERCENT, jnp.int32)
    base = jnp.where(rg, st[krg][side], st[klm][side]).astype(jnp.int32)
    a = base * table[st["boosts"][side, u, 5].astype(jnp.int32) + 6] // 100
    a = jnp.clip(a * table[6 - st["boosts"][foe, d, 6].astype(jnp.int32)] // 100, 1, 255)
    threshold = jnp.where(rolls & (lm | rg), a, threshold)
    st = {**st, klm: st[klm].at[side].set(jnp.where(rolls & lm, threshold, st[klm][side]).astype(jnp.int16)),
          krg: st[krg].at[side].set(jnp.where(rolls & rg, threshold, st[krg][side]).astype(jnp.int16))}
    rolled, hit = prng.random_chance(st["prng"], threshold, 256)
    missed = rolls & ~hit  # a missed roll zeroes lastDamage, even for the SKIP_LASTDAMAGE moves
    st = {**st, "prng": jnp.where(rolls, rolled, st["prng"]), "last_damage": jnp.where(missed, 0, st["last_damage"])}
    return st, jnp.where(rolls, hit, kind == damage.ACC_NOCHECK)


def _rage_boosts(st: State, side: Any, i: Any, times: Any) -> State:
    """Rage's onHit on a raging Pokemon: +1 Attack per hit taken (`times`), while its stage is below +6."""
    def one(k: jax.Array, s: State) -> State:
        go = volatiles.has(s, side, "rage") & (k < times) & (s["boosts"][side, i, 0] < 6)
        return apply_boosts(s, side, i, jnp.asarray([1, 0, 0, 0, 0, 0, 0]), go)[0]
    # rare: behind a cond, so a step without Rage does not pay for the loop (a select under vmap)
    return lax.cond(volatiles.has(st, side, "rage") & (times > 0), lambda s: lax.fori_loop(0, 5, one, s),
                    lambda s: s, st)


def _secondary(st: State, side: Any, move: Any, hit: Any, thaw_hit: Any) -> State:
    """The move's secondary effect on the foe (rolled when the hit reached it and it survived), then
    the thaw of a frozen foe by a Fire move with a brn secondary (`thaw_hit`: the move hit at all)."""
    t = tables()
    fx = movefx()
    foe = 1 - side
    d = st["active"][foe].astype(jnp.int32)
    kind = _arr(fx.sec_kind)[move]
    sec_status = _arr(fx.sec_status)[move]
    typed = (sec_status == status.PAR) | (sec_status == status.BRN) | (sec_status == status.FRZ)
    same_type = status.has_type(st, foe, d, _arr(t.move_type)[move])
    roll = hit & (kind != SEC_NONE) & (st["hp"][foe, d] > 0) & ~(typed & same_type)
    drawn, proc = prng.random_chance(st["prng"], _arr(t.move_secondary_chance)[move], 256)
    st = {**st, "prng": jnp.where(roll, drawn, st["prng"])}
    proc = roll & proc
    st, ok = status.set_status(st, foe, d, sec_status, True,
                               proc & (kind == SEC_STATUS) & (st["status"][foe, d] == status.NONE))
    st = status.status_drop(st, foe, d, ok)
    st = status.add_confusion(st, foe, proc & (kind == SEC_CONFUSION))
    flinch = proc & (kind == SEC_FLINCH)
    st = volatiles.with_flag(st, foe, "flinch", flinch | volatiles.has(st, foe, "flinch"))
    st = volatiles.with_flag(st, foe, "mustrecharge", ~flinch & volatiles.has(st, foe, "mustrecharge"))
    st, changed = apply_boosts(st, foe, d, _arr(fx.sec_boosts)[move], proc & (kind == SEC_BOOST))
    # Gen 1: a stat change re-applies the par/brn drop of the Pokemon whose turn it is not (here the foe)
    st = status.status_drop(st, foe, d, changed)
    thaw = thaw_hit & _arr(fx.thaws, bool)[move] & (st["status"][foe, d] == status.FRZ)
    return status.cure(st, foe, d, thaw)


def _damage_family(st: State, side: Any, move: Any) -> State:
    """A damaging move against the foe: accuracy, hit count, damage (fixed, OHKO, level, Super Fang,
    Psywave or the formula; every hit of a multi-hit move deals the first hit's damage), drain or
    recoil, the secondary, thaw; Self-Destruct/Explosion faint the user, a Jump Kick that fails crashes."""
    t = tables()
    fx = movefx()
    foe = 1 - side
    u = st["active"][side].astype(jnp.int32)
    d = st["active"][foe].astype(jnp.int32)
    # Thrash/Petal Dance (tryMoveHit's start): the lock counts down, and its last turn confuses the user
    # anew (random(2, 6)); a new lock draws its length random(2, 4) and stores accuracy 255
    locks = _arr(fx.locks, bool)[move]
    locked = volatiles.has(st, side, "lockedmove")
    klt, klm, kla = (volatiles.key("lockedmove", c) for c in ("time", "move", "accuracy"))
    time = st[klt][side].astype(jnp.int32) - 1
    ends = locks & locked & (time == 0)
    drawn, length = prng.random_range(st["prng"], 2, 4)
    new_lock = locks & ~locked
    st = {**st, "prng": jnp.where(new_lock, drawn, st["prng"]),
          klt: st[klt].at[side].set(jnp.where(new_lock, length, jnp.where(locks & locked, time, st[klt][side])).astype(jnp.int16)),
          klm: st[klm].at[side].set(jnp.where(new_lock, move, st[klm][side]).astype(jnp.int16)),
          kla: st[kla].at[side].set(jnp.where(new_lock, 255, st[kla][side]).astype(jnp.int16))}
    st = volatiles.with_flag(st, side, "lockedmove", locked | new_lock)
    st = volatiles.with_flag(st, side, "confusion", volatiles.has(st, side, "confusion") & ~ends)
    st = status.add_confusion(st, side, ends)
    # partial trapping: the move ends the foe's recharge (onTryMove); its trap makes the source's moves sure hits
    trap = _arr(fx.traps, bool)[move]
    st = trapping.try_move(st, side, trap)
    repeat = trapping.repeating(st, side, trap)
    dream_fail = _arr(fx.dream, bool)[move] & ((st["status"][foe, d] != status.SLP) | volatiles.has(st, foe, "substitute"))
    st, hit = _accuracy(st, side, move, dream_fail, volatiles.has(st, foe, "partiallytrapped"))
    lo = _arr(t.move_multihit)[move, 0]
    hi = _arr(t.move_multihit)[move, 1]
    s_hits, hits = damage.multihit_count(st["prng"], lo, hi)
    multi = lo > 0
    st = {**st, "prng": jnp.where(hit & multi, s_hits, st["prng"])}
    hits = jnp.where(multi, hits, 1)
    level = st["level"][side, u].astype(jnp.int32)
    fixed = _arr(fx.fixed)[move]
    s_psy, psy = prng.random_range(st["prng"], 1, (3 * level) // 2)
    psywave = fixed == mfx.FIXED_PSYWAVE
    st = {**st, "prng": jnp.where(hit & psywave, s_psy, st["prng"])}
    hp = st["hp"][foe, d].astype(jnp.int32)
    # Counter (Desync Clause Mod view): the foe side did not select Counter, the move it last used is
    # Normal/Fighting with power, and lastDamage > 0: twice lastDamage; otherwise it fails (no damage)
    counter = fixed == mfx.FIXED_COUNTER
    last_used = st["side_last_move"][foe].astype(jnp.int32)
    works = ((st["last_enemy_selected_move"][foe] != t.move_index("counter"))
             & _arr(fx.counterable, bool)[jnp.maximum(last_used, 0)] & (last_used > 0) & (st["last_damage"] > 0))
    hit = hit & ~(counter & ~works)
    fixed = jnp.where(psywave, psy, jnp.where(fixed == mfx.FIXED_SUPERFANG, jnp.maximum(hp // 2, 1),
                      jnp.where(counter, 2 * st["last_damage"], fixed)))
    mtype = _arr(t.move_type)[move]
    physical = _arr(t.move_category)[move] == 0
    atk_i = jnp.where(physical, 0, 2)
    def_i = jnp.where(physical, 1, 3)
    base_spe = _arr(t.base_stats)[st["species"][side, u].astype(jnp.int32), 5]
    s2, dmg, _, _ = damage.get_damage(
        st["prng"], level=level, power=_arr(t.move_power)[move], move_type=mtype,
        physical=physical, crit_ratio=_arr(t.move_crit_ratio)[move], user_base_speed=base_spe,
        user_types=st["types"][side, u], attack=st["modified"][side, u, atk_i], attack_raw=st["base_stored"][side, u, atk_i],
        target_types=st["types"][foe, d], defense=st["modified"][foe, d, def_i], defense_raw=st["base_stored"][foe, d, def_i],
        focus_energy=volatiles.has(st, side, "focusenergy"),
        screen=jnp.where(physical, volatiles.has(st, foe, "reflect"), volatiles.has(st, foe, "lightscreen")),
        selfdestruct=jnp.asarray(t.move_selfdestruct)[move], fixed_damage=fixed, ohko=jnp.asarray(t.move_ohko)[move],
        ignore_immunity=jnp.asarray(t.move_ignore_immunity)[move], partial_trap=trap)
    # a repeated trapping hit deals the stored damage, with no crit or damage draw
    s2 = jnp.where(repeat, st["prng"], s2)
    dmg = jnp.where(repeat, trapping.stored_damage(st, side, move), dmg)
    per_hit = jnp.maximum(dmg, 0)
    had_sub = volatiles.has(st, foe, "substitute")
    body = hit & ~had_sub
    last = jnp.int32(0)
    survived = jnp.int32(0)  # hits after which the foe still had HP (Rage's onHit boosts)
    for j in range(5):
        on = body & (j < hits) & (hp > 0)
        dealt = jnp.minimum(per_hit, hp)
        hp = hp - jnp.where(on, dealt, 0)
        last = jnp.where(on, dealt, last)
        survived = survived + (on & (hp > 0))
    # Substitute (gen1 condition onTryHit): every hit takes the uncapped damage off the substitute
    # (multi-hit: until it breaks); lastDamage is the uncapped damage; the foe itself is not hit
    ksub = volatiles.key("substitute", "hp")
    sub_hp = st[ksub][foe].astype(jnp.int32)
    up = hit & had_sub
    for j in range(5):
        on = up & (j < hits)
        sub_hp = sub_hp - jnp.where(on, jnp.minimum(per_hit, sub_hp), 0)
        up = up & (sub_hp > 0)
    broke = hit & had_sub & ~up
    st = {**st, "prng": jnp.where(hit, s2, st["prng"]), "hp": st["hp"].at[foe, d].set(hp.astype(jnp.int16)),
          "last_damage": jnp.where(body, last, jnp.where(hit & had_sub, per_hit, st["last_damage"])).astype(jnp.int32),
          ksub: st[ksub].at[foe].set(jnp.where(hit & had_sub, sub_hp, st[ksub][foe]).astype(jnp.int16))}
    st = volatiles.with_flag(st, foe, "substitute", had_sub & ~broke)
    st = trapping.after_hit(st, side, move, trap, hit, body)
    # drain and recoil use the damage dealt, or the uncapped damage while the substitute holds
    amount = jnp.where(body, last, jnp.where(up, per_hit, 0))
    drained = jnp.where(_arr(fx.drain, bool)[move] & (amount > 0), jnp.maximum(amount // 2, 1), 0)
    uhp = st["hp"][side, u].astype(jnp.int32)
    st = {**st, "last_damage": jnp.where(drained > 0, drained, st["last_damage"]),  # Gen 1 counts the heal
          "hp": st["hp"].at[side, u].set(jnp.minimum(uhp + drained, st["maxhp"][side, u]).astype(jnp.int16))}
    # Hyper Beam: the self volatile on a hit (not when it broke a substitute); its AfterMove drops it
    # again when the foe fainted
    recharge = _arr(fx.recharge, bool)[move] & ((body & (st["hp"][foe, d] > 0)) | up)
    st = volatiles.with_flag(st, side, "mustrecharge", recharge | volatiles.has(st, side, "mustrecharge"))
    # Rage: the user locks into Rage on a hit (not one that broke a substitute), accuracy 255 stored
    start_rage = _arr(fx.rages, bool)[move] & (body | up) & ~volatiles.has(st, side, "rage")
    krg = volatiles.key("rage", "accuracy")
    st = {**st, krg: st[krg].at[side].set(jnp.where(start_rage, 255, st[krg][side]).astype(jnp.int16))}
    st = volatiles.with_flag(st, side, "rage", start_rage | volatiles.has(st, side, "rage"))
    # a raging foe hit by a damaging move (each hit of a multi-hit move; not Explosion) gains +1 Attack
    st = _rage_boosts(st, foe, d, jnp.where(jnp.asarray(t.move_selfdestruct)[move], 0, survived))
    # recoil (gen4 applyRecoilDamage): max(1, floor(dealt * a / b)) to the user, not counted as lastDamage
    num, den = _arr(fx.recoil)[move, 0], _arr(fx.recoil)[move, 1]
    recoil = jnp.where((num > 0) & (amount > 0), jnp.maximum(amount * num // den, 1), 0)
    st = status.damage(st, side, u, recoil)
    st = _secondary(st, side, move, body, hit)
    # behind an intact substitute only a confusion secondary is rolled
    conf = up & (_arr(fx.sec_kind)[move] == SEC_CONFUSION)
    drawn, proc = prng.random_chance(st["prng"], _arr(t.move_secondary_chance)[move], 256)
    st = {**st, "prng": jnp.where(conf, drawn, st["prng"])}
    st = status.add_confusion(st, foe, conf & proc)
    # Self-Destruct/Explosion: the user faints after the hit, or when it missed or the foe was immune,
    # but not when it broke a substitute
    st = _rage_boosts(st, foe, d, jnp.where(jnp.asarray(t.move_selfdestruct)[move], 1, 0))  # hit or miss
    boom = jnp.asarray(t.move_selfdestruct)[move] & ~broke
    st = {**st, "hp": st["hp"].at[side, u].set(jnp.where(boom, 0, st["hp"][side, u]))}
    # Jump Kick / High Jump Kick failed: 1 HP of crash damage, which Gen 1 counts as lastDamage
    crash = _arr(fx.crash, bool)[move] & ~hit
    return status.direct_damage(st, side, 1, crash)


def _status_family(st: State, side: Any, move: Any) -> State:
    """A status move on the foe: the major status ones (Thunder Wave, Spore, Toxic, ...) unless the foe
    has a status (a sleep move always lands on a foe that must recharge, replacing its status and the
    recharge), Confuse Ray/Supersonic (confusion), Leech Seed (Grass is immune, no draw)."""
    fx = movefx()
    t = tables()
    foe = 1 - side
    d = st["active"][foe].astype(jnp.int32)
    new = _arr(fx.status)[move]
    recharging = (new == status.SLP) & volatiles.has(st, foe, "mustrecharge")
    grass = _arr(fx.seeds, bool)[move] & status.has_type(st, foe, d, t.types.index("Grass"))
    st, hit = _accuracy(st, side, move, grass, recharging)
    # a substitute blocks poisoning and confusion moves (not paralysis, sleep or Leech Seed)
    blocked = volatiles.has(st, foe, "substitute") & ((new == status.PSN) | (new == status.TOX)
                                                        | _arr(fx.confuses, bool)[move])
    hit = hit & ~blocked
    st, ok = status.set_status(st, foe, d, new, True,
                               hit & (new != 0) & (recharging | (st["status"][foe, d] == status.NONE)))
    st = status.status_drop(st, foe, d, ok & ~recharging)
    st = volatiles.with_flag(st, foe, "mustrecharge", ~(ok & recharging) & volatiles.has(st, foe, "mustrecharge"))
    st = status.add_confusion(st, foe, hit & _arr(fx.confuses, bool)[move])
    seed = hit & _arr(fx.seeds, bool)[move]
    st = volatiles.with_flag(st, foe, "leechseed", seed | volatiles.has(st, foe, "leechseed"))
    # Mimic: a random one of the foe's current moves (`sample`) replaces the Mimic slot, keeping its PP
    mimic = hit & _arr(fx.mimics, bool)[move]
    foe_moves = st["moves"][foe, d].astype(jnp.int32)
    drawn, k = prng.random(st["prng"], jnp.sum(foe_moves > 0))
    u = st["active"][side].astype(jnp.int32)
    slot = st["last_selected_slot"][side].astype(jnp.int32)
    copied = foe_moves[k]
    st = {**st, "prng": jnp.where(mimic, drawn, st["prng"]),
          "moves": st["moves"].at[side, u, slot].set(jnp.where(mimic, copied, st["moves"][side, u, slot]).astype(jnp.int16)),
          "maxpp": st["maxpp"].at[side, u, slot].set(
              jnp.where(mimic, transform.slot_max_pp(copied, slot, transform.set_slots(st, side, u)),
                        st["maxpp"][side, u, slot]).astype(jnp.int8))}
    return _disable(st, side, move, hit)


def _disable(st: State, side: Any, move: Any, hit: Any) -> State:
    """Disable (gen1): on a hit, unless the foe has no move with PP (onTryHit) or is disabled already, a
    random slot with PP (`sample`) is disabled for `random(1, 9)` of its move attempts; hit or miss, a
    raging foe below +6 Attack gains +1 (useMoveInner after tryMoveHit)."""
    foe = 1 - side
    d = st["active"][foe].astype(jnp.int32)
    dis = _arr(movefx().disables, bool)[move]
    with_pp = (st["moves"][foe, d] > 0) & (st["pp"][foe, d] > 0)
    go = hit & dis & jnp.any(with_pp) & ~volatiles.has(st, foe, "disable")
    s1, k = prng.random(st["prng"], jnp.sum(with_pp))
    slot = jnp.argmax(jnp.cumsum(with_pp.astype(jnp.int32)) == k + 1).astype(jnp.int32)
    s2, time = prng.random_range(s1, 1, 9)
    kt, km, ks = (volatiles.key("disable", c) for c in ("time", "move", "slot"))
    st = {**st, "prng": jnp.where(go, s2, st["prng"]),
          kt: st[kt].at[foe].set(jnp.where(go, time, st[kt][foe]).astype(jnp.int16)),
          km: st[km].at[foe].set(jnp.where(go, st["moves"][foe, d, slot], st[km][foe]).astype(jnp.int16)),
          ks: st[ks].at[foe].set(jnp.where(go, slot, st[ks][foe]).astype(jnp.int16))}
    st = volatiles.with_flag(st, foe, "disable", go | volatiles.has(st, foe, "disable"))
    return _rage_boosts(st, foe, d, jnp.where(dis, 1, 0))


def _boost_family(st: State, side: Any, move: Any) -> State:
    """A stat-stage move on the user or the foe (Swords Dance, Growl, ...; Roar/Whirlwind: no stages).

    Mist on the foe drops its negative stages. A stage change that worked re-applies the par/brn
    drop of the user's foe (Gen 1); Minimize and Defense Curl then add their volatile.
    """
    fx = movefx()
    foe = 1 - side
    self_t = jnp.asarray(tables().move_target_self)[move]
    tgt = jnp.where(self_t, side, foe)
    i = st["active"][tgt].astype(jnp.int32)
    st, hit = _accuracy(st, side, move)
    deltas = _arr(fx.boosts)[move]
    hit = hit & ~(~self_t & volatiles.has(st, tgt, "substitute") & jnp.any(deltas != 0))  # blocked by a substitute
    mist = ~self_t & volatiles.has(st, tgt, "mist")
    deltas = jnp.where(mist & (deltas < 0), 0, deltas)
    st, changed = apply_boosts(st, tgt, i, deltas, hit)
    st = status.status_drop(st, foe, st["active"][foe].astype(jnp.int32), changed)
    extra = jnp.where(changed, _arr(fx.boost_volatile)[move], 0)
    return {**st, "vol": st["vol"].at[tgt].set(st["vol"][tgt] | extra)}


def _recovery_fails(st: State, side: Any, u: Any) -> jax.Array:
    """Recover/Soft-Boiled/Rest fail at full HP, and at maxhp - 255 or - 511 unless hp % 256 == 0 (Gen 1)."""
    hp = st["hp"][side, u].astype(jnp.int32)
    maxhp = st["maxhp"][side, u].astype(jnp.int32)
    return (hp == maxhp) | (((hp == maxhp - 255) | (hp == maxhp - 511)) & (hp % 256 != 0))


def _haze(st: State, side: Any) -> State:
    """Haze: every active loses its stages (stats recomputed without the par/brn drops); the foe is
    cured (a sleeping or frozen foe's queued move becomes `cannotmove`); a badly poisoned user becomes
    poisoned (a setStatus: one tie draw); Speeds recached; Haze's volatiles removed."""
    gone = sum(volatiles.BIT[n] for n in ("disable", "confusion", "mist", "focusenergy", "leechseed", "lightscreen",
                                          "reflect", "residualdmg"))
    for p in range(2):
        a = st["active"][p].astype(jnp.int32)
        st = {**st, "boosts": st["boosts"].at[p, a].set(0), "modified": st["modified"].at[p, a].set(st["stats"][p, a])}
        other = side != p
        cur = st["status"][p, a]
        stuck = other & ((cur == status.SLP) | (cur == status.FRZ))
        cm = jnp.int16(-2)
        st = {**st, "last_selected_move": st["last_selected_move"].at[p].set(jnp.where(stuck, cm, st["last_selected_move"][p])),
              "last_enemy_selected_move": st["last_enemy_selected_move"].at[p].set(
                  jnp.where(stuck, cm, st["last_enemy_selected_move"][p]))}
        st = status.cure(st, p, a, other & (cur != status.NONE))
        st, _ = status.set_status(st, p, a, status.PSN, False, st["status"][p, a] == status.TOX, ignore_immunity=True)
        st = {**st, "speed": st["speed"].at[p, a].set(st["modified"][p, a, 4]),
              "vol": st["vol"].at[p].set(st["vol"][p] & ~gone)}
    return st


def _self_family(st: State, side: Any, move: Any) -> State:
    """Moves on the user with an effect of their own: Mist, Focus Energy, Reflect, Light Screen,
    Recover/Soft-Boiled, Rest, Haze; Teleport and Splash do nothing."""
    kind = _arr(movefx().self_kind)[move]
    u = st["active"][side].astype(jnp.int32)
    for k, name in ((mfx.SELF_MIST, "mist"), (mfx.SELF_FOCUSENERGY, "focusenergy"), (mfx.SELF_REFLECT, "reflect"),
                    (mfx.SELF_LIGHTSCREEN, "lightscreen")):
        st = volatiles.with_flag(st, side, name, (kind == k) | volatiles.has(st, side, name))
    fails = _recovery_fails(st, side, u)
    hp = st["hp"][side, u].astype(jnp.int32)
    maxhp = st["maxhp"][side, u].astype(jnp.int32)
    healed = jnp.where((kind == mfx.SELF_RECOVER) & ~fails, jnp.minimum(hp + maxhp // 2, maxhp), hp)
    st = {**st, "hp": st["hp"].at[side, u].set(healed.astype(jnp.int16))}
    st, slept = status.set_status(st, side, u, status.SLP, False, (kind == mfx.SELF_REST) & ~fails)
    two = jnp.where(slept, 2, st["status_turns"][side, u]).astype(jnp.int8)
    st = {**st, "status_turns": st["status_turns"].at[side, u].set(two),
          "status_start": st["status_start"].at[side, u].set(jnp.where(slept, 2, st["status_start"][side, u]).astype(jnp.int8)),
          "hp": st["hp"].at[side, u].set(jnp.where(slept, maxhp, st["hp"][side, u]).astype(jnp.int16))}
    # Substitute: fails with one up or below a quarter of max HP; else a substitute of maxhp/4 + 1 HP
    # (it ends a partial trap) and the user loses maxhp/4 (nothing when maxhp <= 3), maybe fainting
    ksub = volatiles.key("substitute", "hp")
    make = ((kind == mfx.SELF_SUBSTITUTE) & ~volatiles.has(st, side, "substitute")
            & (4 * st["hp"][side, u].astype(jnp.int32) >= maxhp))
    st = {**st, ksub: st[ksub].at[side].set(jnp.where(make, maxhp // 4 + 1, st[ksub][side]).astype(jnp.int16))}
    st = volatiles.with_flag(st, side, "substitute", make | volatiles.has(st, side, "substitute"))
    st = volatiles.with_flag(st, side, "partiallytrapped", ~make & volatiles.has(st, side, "partiallytrapped"))
    st = status.damage(st, side, u, jnp.where(make & (maxhp > 3), maxhp // 4, 0))
    # Conversion: the user takes the foe's current types (it targets the foe: a Fly/Dig-invulnerable one is missed)
    f = st["active"][1 - side].astype(jnp.int32)
    conv = (kind == mfx.SELF_CONVERSION) & ~volatiles.has(st, 1 - side, "invulnerability")
    st = {**st, "types": st["types"].at[side, u].set(jnp.where(conv, st["types"][1 - side, f], st["types"][side, u]))}
    st = bide.start(st, side, kind == mfx.SELF_BIDE)
    return lax.cond(kind == mfx.SELF_HAZE, lambda x: _haze(x, side), lambda x: x, st)


def _call_family(st: State, side: Any, move: Any) -> tuple[State, jax.Array]:
    """Mirror Move: the foe's lastMove (not Mirror Move); Metronome: a sampled move (metronome.py). The
    called move becomes the side's selected move and is used next; returns (state, the called move or
    0 when it fails)."""
    foe = 1 - side
    f = st["active"][foe].astype(jnp.int32)
    last = st["last_move"][foe, f].astype(jnp.int32)
    called = jnp.where((last > 0) & (last != tables().move_index("mirrormove")), last, 0)
    is_metronome = move == tables().move_index("metronome")
    st, sampled = metronome.pick(st, is_metronome)
    called = jnp.where(is_metronome, sampled, called)
    go = called > 0
    return {**st, "last_selected_move": st["last_selected_move"].at[side].set(
                jnp.where(go, called, st["last_selected_move"][side]).astype(jnp.int16)),
            "last_enemy_selected_move": st["last_enemy_selected_move"].at[side].set(
                jnp.where(go, called, st["last_enemy_selected_move"][side]).astype(jnp.int16))}, called


FAMILY_BRANCHES = {FAM_DAMAGE: _damage_family, FAM_STATUS: _status_family, FAM_BOOST: _boost_family,
                   FAM_SELF: _self_family, FAM_TRANSFORM: transform.transform_family}


def _use_one(st: State, side: Any, move: Any, nested: Any) -> tuple[State, jax.Array, jax.Array]:
    """One useMove: PP (the selected slot; a move called by Mirror Move spends none, a called two-turn
    move gives one back), lastMove, lastDamage, the move's family. Returns (state, AfterMoveSelf runs,
    the move it calls)."""
    t = tables()
    fx = movefx()
    foe = 1 - side
    u = st["active"][side].astype(jnp.int32)
    # two-turn moves (Gen 1 TWO_TURN_MOVES): the charging turn (onTryMove) adds twoturnmove (and, for
    # Fly/Dig, invulnerability) and stops before lastDamage, PP and lastMove; the second turn removes them
    two_turn = _arr(fx.two_turn, bool)[move]
    charged = volatiles.has(st, side, "twoturnmove")
    charging = two_turn & ~charged
    slot = st["last_selected_slot"][side].astype(jnp.int32)
    pp = st["pp"][side, u, slot].astype(jnp.int32)
    locked = (volatiles.has(st, side, "lockedmove") | volatiles.has(st, side, "rage")  # getLockedMove: no PP
              | volatiles.has(st, side, "partialtrappinglock"))
    pp = jnp.where(nested, jnp.where(two_turn, (pp + 1) % 64, pp),
                   jnp.where((move == STRUGGLE) | charging | (locked & ~charged), pp, (pp - 1) % 64))
    kt = volatiles.key("twoturnmove", "move")
    pp = jnp.where(st["moves"][side, u, slot] > 0, pp, st["pp"][side, u, slot])  # getMoveSlot: no slot, no PP
    st = transform.mirror_pp_glitch(st, side, nested)
    shown = jnp.where(move == NOMOVE_ROW, t.move_index("fissure"), move)  # `nomove` runs as a changed Fissure
    st = {**st, "pp": st["pp"].at[side, u, slot].set(pp.astype(jnp.int8)),
          "last_move": st["last_move"].at[side, u].set(
              jnp.where(charging, st["last_move"][side, u], shown).astype(jnp.int16)),
          "side_last_move": st["side_last_move"].at[side].set(shown.astype(jnp.int16)),
          kt: st[kt].at[side].set(jnp.where(charging, move, st[kt][side]).astype(jnp.int16))}
    st = volatiles.with_flag(st, side, "twoturnmove", charging)
    invuln = volatiles.has(st, side, "invulnerability")
    st = volatiles.with_flag(st, side, "invulnerability",
                             jnp.where(charging, invuln | _arr(fx.invulnerable, bool)[move], invuln & ~(two_turn & charged)))
    st = {**st, "last_damage": jnp.where(_arr(fx.skip_last_damage, bool)[move] | charging, st["last_damage"], 0)}
    branches = [lambda s, f=FAMILY_BRANCHES[k]: (f(s, side, move), jnp.int32(0)) for k in sorted(FAMILY_BRANCHES)]
    branches.append(lambda s: _call_family(s, side, move))
    branches.append(lambda s: (s, jnp.int32(0)))  # the charging turn: nothing more (one switch, not a cond around one)
    calls = (move == t.move_index("mirrormove")) | (move == t.move_index("metronome"))
    family = jnp.where(calls, len(FAMILY_BRANCHES), _arr(fx.family)[move])
    st, called = lax.switch(jnp.where(charging, len(branches) - 1, family), branches, st)
    # AfterMove: a Thrash lock whose counter ran out ends
    klt = volatiles.key("lockedmove", "time")
    st = volatiles.with_flag(st, side, "lockedmove", volatiles.has(st, side, "lockedmove") & (st[klt][side] > 0))
    st = trapping.after_move(st, side)
    self_target = jnp.asarray(t.move_target_self)[move]
    d = st["active"][foe].astype(jnp.int32)
    target_hp = jnp.where(self_target, st["hp"][side, u], st["hp"][foe, d])
    return st, target_hp > 0, called


CALL_DEPTH = 8
"""Most moves one action uses: the move, then what Mirror Move/Metronome call (Metronome -> Mirror
Move -> ... chains; a chain past 8 needs 1/163 draws in a row and is cut)."""


def use_move(st: State, side: Any, move: Any) -> tuple[State, jax.Array]:
    """The move once BeforeMove let it through, and the moves Mirror Move and Metronome call (a while
    loop, so the move code is traced once). Returns (state, AfterMoveSelf runs): after the last move
    used, when its target still has HP (a Mirror Move or Metronome that called a move skips its own).
    `nomove` (the side never selected a move: a Pokemon thawed before its queued "Fight") runs NOMOVE_ROW."""

    def cond(carry: tuple[jax.Array, State, jax.Array, jax.Array]) -> jax.Array:
        return (carry[2] > 0) & (carry[0] < CALL_DEPTH)

    def body(carry: tuple[jax.Array, State, jax.Array, jax.Array]) -> tuple[jax.Array, State, jax.Array, jax.Array]:
        k, st, cur, _ = carry
        new, new_ams, called = _use_one(st, side, cur, k >= 1)
        return k + 1, new, called, new_ams

    move = jnp.asarray(move, jnp.int32)
    move = jnp.where(move == NOMOVE, NOMOVE_ROW, move)
    _, st, _, ams = lax.while_loop(cond, body, (jnp.int32(0), st, move, jnp.asarray(True)))
    return st, ams
