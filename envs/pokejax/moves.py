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

from envs.pokejax import damage, prng, stats, status, volatiles
from envs.pokejax.movefx import FAM_DAMAGE, FAM_STATUS, SEC_BOOST, SEC_FLINCH, SEC_NONE, SEC_STATUS, movefx
from envs.pokejax.tables import tables

State = dict[str, Any]
STRUGGLE = 165


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


def _accuracy(st: State, side: Any, move: Any) -> tuple[State, jax.Array]:
    """tryMoveHit up to its accuracy draw against the foe: (state, the move goes on to hit)."""
    t = tables()
    foe = 1 - side
    u = st["active"][side].astype(jnp.int32)
    d = st["active"][foe].astype(jnp.int32)
    mtype = _arr(t.move_type)[move]
    dtypes = st["types"][foe, d].astype(jnp.int32)
    _, immune = damage.type_effectiveness(mtype, dtypes[0], dtypes[1])
    kind, threshold = damage.accuracy_check(
        _arr(t.move_accuracy)[move], st["boosts"][side, u, 5], st["boosts"][foe, d, 6],
        immune=immune & ~jnp.asarray(t.move_ignore_immunity)[move])
    rolled, hit = prng.random_chance(st["prng"], threshold, 256)
    rolls = kind == damage.ACC_ROLL
    missed = rolls & ~hit  # a missed roll zeroes lastDamage, even for the SKIP_LASTDAMAGE moves
    st = {**st, "prng": jnp.where(rolls, rolled, st["prng"]), "last_damage": jnp.where(missed, 0, st["last_damage"])}
    return st, jnp.where(rolls, hit, kind == damage.ACC_NOCHECK)


def _secondary(st: State, side: Any, move: Any, hit: Any) -> State:
    """The move's secondary effect on the foe (rolled when the foe survived the hit)."""
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
    flinch = proc & (kind == SEC_FLINCH)
    st = volatiles.with_flag(st, foe, "flinch", flinch | volatiles.has(st, foe, "flinch"))
    st = volatiles.with_flag(st, foe, "mustrecharge", ~flinch & volatiles.has(st, foe, "mustrecharge"))
    st, changed = apply_boosts(st, foe, d, _arr(fx.sec_boosts)[move], proc & (kind == SEC_BOOST))
    # Gen 1: a stat change re-applies the par/brn drop of the Pokemon whose turn it is not (here the foe)
    st = status.status_drop(st, foe, d, changed)
    thaw = hit & _arr(fx.thaws, bool)[move] & (st["status"][foe, d] == status.FRZ)
    return status.cure(st, foe, d, thaw)


def _damage_family(st: State, side: Any, move: Any) -> State:
    """A damaging move against the foe: accuracy, damage, secondary, thaw."""
    t = tables()
    foe = 1 - side
    u = st["active"][side].astype(jnp.int32)
    d = st["active"][foe].astype(jnp.int32)
    st, hit = _accuracy(st, side, move)
    mtype = _arr(t.move_type)[move]
    physical = _arr(t.move_category)[move] == 0
    atk_i = jnp.where(physical, 0, 2)
    def_i = jnp.where(physical, 1, 3)
    base_spe = _arr(t.base_stats)[st["species"][side, u].astype(jnp.int32), 5]
    s2, dmg, _, _ = damage.get_damage(
        st["prng"], level=st["level"][side, u], power=_arr(t.move_power)[move], move_type=mtype,
        physical=physical, crit_ratio=_arr(t.move_crit_ratio)[move], user_base_speed=base_spe,
        user_types=st["types"][side, u], attack=st["modified"][side, u, atk_i], attack_raw=st["stats"][side, u, atk_i],
        target_types=st["types"][foe, d], defense=st["modified"][foe, d, def_i], defense_raw=st["stats"][foe, d, def_i],
        focus_energy=volatiles.has(st, side, "focusenergy"))
    hp = st["hp"][foe, d].astype(jnp.int32)
    dealt = jnp.where(hit & (dmg > 0), jnp.minimum(dmg, hp), 0)
    st = {**st, "prng": jnp.where(hit, s2, st["prng"]), "hp": st["hp"].at[foe, d].set((hp - dealt).astype(jnp.int16)),
          "last_damage": jnp.where(hit, dealt, 0).astype(jnp.int32)}
    # recoil (gen4 applyRecoilDamage): max(1, floor(dealt * a / b)) to the user, not counted as lastDamage
    num, den = _arr(movefx().recoil)[move, 0], _arr(movefx().recoil)[move, 1]
    recoil = jnp.where((num > 0) & (dealt > 0), jnp.maximum(dealt * num // den, 1), 0)
    st = status.damage(st, side, u, recoil)
    return _secondary(st, side, move, hit)


def _status_family(st: State, side: Any, move: Any) -> State:
    """A status move (Thunder Wave, Spore, Toxic, ...): accuracy, then the status unless the foe has one."""
    foe = 1 - side
    d = st["active"][foe].astype(jnp.int32)
    st, hit = _accuracy(st, side, move)
    new = _arr(movefx().status)[move]
    st, ok = status.set_status(st, foe, d, new, True, hit & (st["status"][foe, d] == status.NONE))
    return status.status_drop(st, foe, d, ok)


FAMILY_BRANCHES = {FAM_DAMAGE: _damage_family, FAM_STATUS: _status_family}


def use_move(st: State, side: Any, move: Any) -> State:
    """The move once BeforeMove let it through: PP, lastMove, lastDamage, its effect, AfterMoveSelf."""
    t = tables()
    fx = movefx()
    foe = 1 - side
    u = st["active"][side].astype(jnp.int32)
    slot = st["last_selected_slot"][side].astype(jnp.int32)
    pp = st["pp"][side, u, slot].astype(jnp.int32)
    pp = jnp.where(move == STRUGGLE, pp, (pp - 1) % 64)
    st = {**st, "pp": st["pp"].at[side, u, slot].set(pp.astype(jnp.int8)),
          "last_move": st["last_move"].at[side, u].set(move.astype(jnp.int16)),
          "last_damage": jnp.where(_arr(fx.skip_last_damage, bool)[move], st["last_damage"], 0)}
    branches = [lambda s, f=FAMILY_BRANCHES[k]: f(s, side, move) for k in sorted(FAMILY_BRANCHES)]
    st = lax.switch(_arr(fx.family)[move], branches, st)
    self_target = jnp.asarray(t.move_target_self)[move]
    d = st["active"][foe].astype(jnp.int32)
    target_hp = jnp.where(self_target, st["hp"][side, u], st["hp"][foe, d])
    return lax.cond(target_hp > 0, lambda s: status.after_move_self(s, side), lambda s: s, st)
