"""Gen 1 damage, critical hits, type effectiveness and accuracy as Showdown 0.11.11's gen1 mod does them.

Translated from the behaviour of `data/mods/gen1/scripts.ts` (actions.getDamage, tryMoveHit)
and `sim/dex.ts` (getEffectiveness, getImmunity). Pure JAX on integer arrays: every function is
elementwise over its inputs and vmap-able; the PRNG state (envs.pokejax.prng) goes in and out.

Draw order inside getDamage: the critical-hit roll `randomChance(c, 256)` (only when c > 0), then
the damage roll `random(217, 256)` (only when the damage before it is above 1). Immunity, OHKO,
fixed-damage moves and the first hit of a Normal partial-trapping move on a Ghost draw nothing.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from envs.pokejax import prng
from envs.pokejax.tables import tables

FAILED = -1
NO_DAMAGE = -2
OHKO_DAMAGE = 65535
ACC_ROLL, ACC_NOCHECK, ACC_FAIL = 0, 1, 2
ACC_STAGE_PERCENT = (25, 28, 33, 40, 50, 66, 100, 150, 200, 250, 300, 350, 400)


def _i32(x: object) -> jax.Array:
    return jnp.asarray(x, jnp.int32)


def _chart() -> tuple[jax.Array, jax.Array]:
    t = tables()
    return jnp.asarray(t.effectiveness, jnp.int32), jnp.asarray(t.immune)


def type_effectiveness(atk_type: object, def_type1: object, def_type2: object) -> tuple[jax.Array, jax.Array]:
    """(sum of per-type effectiveness in -2..2, immune) of a move type against one or two types.

    def_type2 = -1 for a single-typed target; the typeless `???` (index 15) is neutral to all.
    """
    eff, imm = _chart()
    a, t1, t2 = _i32(atk_type), _i32(def_type1), _i32(def_type2)
    has2 = t2 >= 0
    t2c = jnp.maximum(t2, 0)
    total = eff[a, t1] + jnp.where(has2, eff[a, t2c], 0)
    immune = imm[a, t1] | (has2 & imm[a, t2c])
    return total, immune


def crit_chance(base_speed: object, focus_energy: object, crit_ratio: object) -> jax.Array:
    """Gen 1 critical-hit threshold out of 256 (0: no roll): from the user's species' base Speed."""
    c = _i32(base_speed) // 2
    c = jnp.where(jnp.asarray(focus_energy, bool), c // 2, jnp.clip(c * 2, 1, 255))
    ratio = _i32(crit_ratio)
    c = jnp.where(ratio == 1, c // 2, jnp.where(ratio == 2, jnp.clip(c * 4, 1, 255), c))
    return c


def accuracy_check(accuracy: object, acc_stage: object, eva_stage: object, *, ohko: object = False,
                   target_self: object = False, sleep_on_recharging: object = False, immune: object = False,
                   user_speed: object = 0, target_speed: object = 0, acc255: object = None,
                   ) -> tuple[jax.Array, jax.Array]:
    """(kind, threshold) of tryMoveHit's accuracy check, before any volatile overrides.

    kind is ACC_FAIL (type immunity, or an OHKO move against a faster target: no draw), ACC_NOCHECK
    (accuracy `true`, -1 here, or a sleep move against a recharging target) or ACC_ROLL: Showdown
    draws randomChance(threshold, 256), threshold = floor(acc * 255 / 100) scaled by the user's
    accuracy and the target's evasion stage (each floor(x * pct / 100)), clamped to 1..255, plus 1
    for moves that target the user. `immune` is the type immunity of a move that does not ignore it.
    `acc255`, when given, is floor(acc * 255 / 100) itself (a move whose accuracy is not a whole percent).
    """
    acc = _i32(accuracy)
    table = jnp.asarray(ACC_STAGE_PERCENT, jnp.int32)
    a = acc * 255 // 100 if acc255 is None else _i32(acc255)
    a = a * table[_i32(acc_stage) + 6] // 100
    a = a * table[-_i32(eva_stage) + 6] // 100
    a = jnp.clip(a, 1, 255) + jnp.asarray(target_self, jnp.int32)
    always = (acc < 0) | jnp.asarray(sleep_on_recharging, bool)
    fail = jnp.asarray(immune, bool) | (jnp.asarray(ohko, bool) & (_i32(target_speed) > _i32(user_speed)))
    kind = jnp.where(fail, ACC_FAIL, jnp.where(always, ACC_NOCHECK, ACC_ROLL))
    return kind, jnp.where(kind == ACC_ROLL, a, 0)


def get_damage(state: prng.State, *, level: object, power: object, move_type: object, physical: object,
               crit_ratio: object, user_base_speed: object, user_types: object, attack: object, attack_raw: object,
               target_types: object, defense: object, defense_raw: object, focus_energy: object = False,
               screen: object = False, selfdestruct: object = False, partial_trap: object = False,
               fixed_damage: object = 0, ohko: object = False, ignore_immunity: object = False,
               ) -> tuple[prng.State, jax.Array, jax.Array, jax.Array]:
    """Gen 1 `actions.getDamage(source, target, move)`: (state, damage, crit, crit threshold).

    damage is FAILED (-1, Showdown's false: type immunity), NO_DAMAGE (-2, undefined: power 0) or
    the damage (not yet capped at the target's HP). `attack`/`defense` are the modified stats
    (modifiedStats of the move's category: atk/def or spa/spd), `*_raw` the unmodified ones
    (baseStoredStats, used on a critical hit); `screen` is Reflect (physical) or Light Screen
    (special) on the target; `fixed_damage` is the move's fixed damage (-1: the user's level);
    user_types/target_types are (2,) type indices with -1 for none.
    """
    level, power, mtype = _i32(level), _i32(power), _i32(move_type)
    user_types, target_types = _i32(user_types), _i32(target_types)
    _, immune = type_effectiveness(mtype, target_types[..., 0], target_types[..., 1])
    immune = immune & ~jnp.asarray(ignore_immunity, bool)
    fixed = _i32(fixed_damage)
    ghost = tables().types.index("Ghost")
    normal = tables().types.index("Normal")
    trap_ghost = (jnp.asarray(partial_trap, bool) & (mtype == normal)
                  & ((target_types[..., 0] == ghost) | (target_types[..., 1] == ghost)))
    early = immune | jnp.asarray(ohko, bool) | (fixed != 0) | trap_ghost | (power <= 0)
    early_damage = jnp.where(immune, FAILED, jnp.where(jnp.asarray(ohko, bool), OHKO_DAMAGE,
                   jnp.where(fixed == -1, level, jnp.where(fixed > 0, fixed,
                   jnp.where(trap_ghost, 0, NO_DAMAGE)))))

    threshold = crit_chance(user_base_speed, focus_energy, crit_ratio)
    rolled_state, crit_roll = prng.random_chance(state, threshold, 256)
    rolls_crit = ~early & (threshold > 0)
    state = jnp.where(rolls_crit[..., None], rolled_state, state)
    crit = rolls_crit & crit_roll

    lvl = jnp.where(crit, level * 2, level) % 256
    atk = jnp.where(crit, _i32(attack_raw), _i32(attack))
    dfn = jnp.where(crit, _i32(defense_raw), _i32(defense) * jnp.where(jnp.asarray(screen, bool), 2, 1))
    big = (atk >= 256) | (dfn >= 256)
    atk = jnp.where(big, jnp.maximum((atk // 4) % 256, 1), atk)
    dfn = jnp.where(big, (dfn // 4) % 256, dfn)
    dfn = jnp.where(big & (dfn == 0), 1, dfn)
    dfn = jnp.where(jnp.asarray(selfdestruct, bool) & jnp.asarray(physical, bool), jnp.maximum(dfn // 2, 1), dfn)

    dmg = (lvl * 2 // 5 + 2) * power * atk // jnp.maximum(dfn, 1)
    dmg = jnp.clip(dmg // 50, 0, 997) + 2
    typeless = tables().typeless
    stab = (mtype != typeless) & ((user_types[..., 0] == mtype) | (user_types[..., 1] == mtype))
    dmg = jnp.where(stab, dmg + dmg // 2, dmg)
    eff, _ = _chart()
    for k in range(2):
        t = target_types[..., k]
        e = jnp.where(t >= 0, eff[mtype, jnp.maximum(t, 0)], 0)
        dmg = jnp.where(e > 0, dmg * 20 // 10, jnp.where(e < 0, dmg * 5 // 10, dmg))

    rolled_state, roll = prng.random_range(state, 217, 256)
    rolls_damage = ~early & (dmg > 1)
    state = jnp.where(rolls_damage[..., None], rolled_state, state)
    dmg = jnp.where(rolls_damage, dmg * roll // 255, dmg)
    return state, jnp.where(early, early_damage, dmg), crit, jnp.where(early, 0, threshold)


def multihit_count(state: prng.State, low: object, high: object) -> tuple[prng.State, jax.Array]:
    """Hits of a multi-hit move: [2, 5] samples [2, 2, 2, 3, 3, 3, 4, 5]; a fixed count draws nothing."""
    low, high = _i32(low), _i32(high)
    s_sample, k = prng.random(state, 8)
    hits = jnp.asarray([2, 2, 2, 3, 3, 3, 4, 5], jnp.int32)[k]
    s_range, r = prng.random_range(state, low, high + 1)
    two_five = (low == 2) & (high == 5)
    ranged = (low != high) & ~two_five
    state = jnp.where(two_five[..., None], s_sample, jnp.where(ranged[..., None], s_range, state))
    return state, jnp.where(two_five, hits, jnp.where(ranged, r, low))
