"""Gen 1 stats as Showdown 0.11.11 computes them: stat calculation, stat stages, status drops.

All functions are pure JAX on integer arrays (elementwise, so they vmap and broadcast).

- Stats (`battle.statModify`, natures neutral): HP = floor((2B + IV + floor(EV/4) + 100) * L / 100) + 10,
  other = floor((2B + IV + floor(EV/4)) * L / 100) + 5. Showdown writes a DV d as the even IV 2d
  (the Pokemon constructor masks IVs with 30) and stat experience as EV 0-255; the gen1 random
  battle sets use IV 30 (DV 15) and EV 255 everywhere, Attack IV 2 and EV 0 for sets without
  physical attacks.
- Stages (the gen1 mod's `pokemon.boostBy`): the modified stat is recomputed from the stored stat
  with the multipliers 2/2..8/2 (+0..+6) and 100/66/50/40/33/28/25 per cent (-0..-6), floored and
  at least 1, capped at 999 only when the stage went up; boosting a stat already at 999 (lowering
  one at 1) moves the stage by delta - 1 toward it instead (delta + 1) and recomputes nothing.
- Paralysis and burn (`modifyStat`): modified Speed x 0.25, Attack x 0.5, floored, at least 1.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

UNCHANGED, CHANGED, AT_LIMIT = 0, 1, 2
NEG_STAGE_PERCENT = (100, 66, 50, 40, 33, 28, 25)


def _i32(x: object) -> jax.Array:
    return jnp.asarray(x, jnp.int32)


def calc_stat(base: object, iv: object, ev: object, level: object, is_hp: object) -> jax.Array:
    """One stat from base stat, IV (Showdown's 0-31, masked to even), EV (0-255) and level."""
    iv = jnp.clip(_i32(iv), 0, 31) & 30
    ev = jnp.clip(_i32(ev), 0, 255)
    core = 2 * _i32(base) + iv + ev // 4
    hp = (core + 100) * _i32(level) // 100 + 10
    other = core * _i32(level) // 100 + 5
    return jnp.where(jnp.asarray(is_hp, bool), hp, other)


def calc_stats(base: object, ivs: object, evs: object, level: object) -> jax.Array:
    """The six stats (hp, atk, def, spa, spd, spe) from (..., 6) base stats, IVs, EVs and a level."""
    is_hp = jnp.arange(6) == 0
    return calc_stat(base, ivs, evs, jnp.asarray(level)[..., None], is_hp)


def stage_stat(stored: object, stage: object) -> jax.Array:
    """floor(stored x the stage multiplier), at least 1 (gen1 `modifyStat` after a stage change)."""
    stored, stage = _i32(stored), _i32(stage)
    up = stored * (2 + jnp.maximum(stage, 0)) // 2
    pct = jnp.asarray(NEG_STAGE_PERCENT, jnp.int32)[jnp.clip(-stage, 0, 6)]
    down = stored * pct // 100
    return jnp.maximum(jnp.where(stage >= 0, up, down), 1)


def boost(stored: object, modified: object, stage: object, delta: object,
          acc_eva: object = False) -> tuple[jax.Array, jax.Array, jax.Array]:
    """Gen 1 `boostBy` on one stat: (new stage, new modified stat, result).

    result is UNCHANGED (Showdown's false: already at +6/-6, or delta 0 on a stat), CHANGED
    (true) or AT_LIMIT (Showdown's 0: a boost at 999 or a drop at 1). Accuracy and evasion
    (`acc_eva`) only move their stage, clamped to -6..6.
    """
    stored, modified, stage, delta = _i32(stored), _i32(modified), _i32(stage), _i32(delta)
    blocked = ((delta > 0) & (stage >= 6)) | ((delta < 0) & (stage <= -6))
    moved = jnp.clip(stage + delta, -6, 6)
    at_limit = ((delta > 0) & (modified == 999)) | ((delta < 0) & (modified == 1))
    limit_stage = jnp.where(delta > 0, moved - 1, moved + 1)
    recomputed = stage_stat(stored, moved)
    recomputed = jnp.where((delta > 0) & (recomputed > 999), 999, recomputed)
    stat_stage = jnp.where(at_limit, limit_stage, moved)
    stat_result = jnp.where(delta == 0, UNCHANGED, jnp.where(at_limit, AT_LIMIT, CHANGED))
    stat_modified = jnp.where(stat_result == CHANGED, recomputed, modified)
    acc_eva = jnp.asarray(acc_eva, bool)
    new_stage = jnp.where(blocked, stage, jnp.where(acc_eva, moved, stat_stage))
    new_modified = jnp.where(blocked | acc_eva, modified, stat_modified)
    result = jnp.where(blocked, UNCHANGED, jnp.where(acc_eva, CHANGED, stat_result))
    return new_stage, new_modified, result


def status_drop(modified: object, quarter: object) -> jax.Array:
    """Paralysis (quarter=True: Speed x 0.25) or burn (Attack x 0.5) on a modified stat, at least 1."""
    modified = _i32(modified)
    return jnp.maximum(jnp.where(jnp.asarray(quarter, bool), modified // 4, modified // 2), 1)
