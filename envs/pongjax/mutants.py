"""Deliberately broken copies of envs/pongjax: one small semantic change each, for mutation scores.

A mutant is a source patch (one exact snippet replaced, which must occur exactly once) of
env.py or glibc_rand.py, executed into a fresh module with env.py's API, so it plugs into
`PongJax(env=build_mutant(name))`. Nothing here is imported by the faithful candidate.
"""

from __future__ import annotations

import types
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

_HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Mutant:
    """One patch: in `target` ("env" or "glibc_rand"), replace `old` (unique) with `new`."""

    name: str
    description: str
    old: str
    new: str
    target: str = "env"
    note: str = ""


MUTANTS: tuple[Mutant, ...] = (
    Mutant("wall_bottom_le", "bottom wall test < 0 becomes <= 0",
           "hit = (ball_y < 0) |", "hit = (ball_y <= 0) |"),
    Mutant("wall_top_ge", "top wall test > height becomes >=",
           "(ball_y + ball_height > height)", "(ball_y + ball_height >= height)"),
    Mutant("paddle_overlap_ge", "paddle hit test: ball bottom > paddle becomes >= (off-by-one bounce)",
           "(ball_y + ball_height > paddle_y)", "(ball_y + ball_height >= paddle_y)"),
    Mutant("paddle_overlap_le", "paddle hit test: ball < paddle top becomes <=",
           "(ball_y < paddle_y + paddle_height)", "(ball_y <= paddle_y + paddle_height)"),
    Mutant("spin_sign", "agent's paddle adds -increment*dir to vy",
           "vy = ball_vy + ball_speed_y_increment * paddle_dir", "vy = ball_vy - ball_speed_y_increment * paddle_dir"),
    Mutant("spin_no_clamp", "vy no longer clamped to +-ball_max_speed_y after a hit",
           "vy = _clamp(vy, -ball_max_speed_y, ball_max_speed_y)", "vy = vy"),
    Mutant("spin_allows_horizontal", "the |vy| < 0.01 fix-up is dropped",
           "return jnp.where(jnp.abs(vy) <= _VY_MIN_ABS, ball_speed_y_increment, vy)", "return vy"),
    Mutant("agent_paddle_unclamped", "the agent's paddle is not clamped to the field",
           "    yr = _clamp(yr, min_paddle_y, max_paddle_y)\n", ""),
    Mutant("opponent_unlimited", "the opponent's move is not limited to paddle_speed",
           "delta = _clamp(delta, -paddle_speed, paddle_speed)", "delta = delta"),
    Mutant("opponent_tracks_top", "the opponent aims its paddle's bottom edge, not its centre, at the ball",
           "delta = ball_y - (paddle_yl + _div(paddle_height, F32(2.0)))", "delta = ball_y - paddle_yl"),
    Mutant("actions_swapped", "action 1 moves down and 2 up",
           "jnp.where(act == 1, F32(1.0), jnp.where(act == 2, F32(-1.0), F32(0.0)))",
           "jnp.where(act == 1, F32(-1.0), jnp.where(act == 2, F32(1.0), F32(0.0)))"),
    Mutant("paddle_speed_plus_one", "the agent's paddle moves paddle_speed + 1 per frame",
           "yr = paddle_yr + paddle_speed * paddle_dir", "yr = paddle_yr + (paddle_speed + F32(1.0)) * paddle_dir"),
    Mutant("ball_clip_missing", "the ball is not clipped into the field after a right-paddle hit",
           "    x = jnp.where(right_hit, cx, x)\n    y = jnp.where(right_hit, cy, y)\n", ""),
    Mutant("bounce_reward_value", "the bounce reward is 0.125 instead of float32(0.1)",
           "_BOUNCE_REWARD = np.float32(0.1)", "_BOUNCE_REWARD = np.float32(0.125)"),
    Mutant("reciprocal_division", "divisions as a * (1 / b), what XLA does to a / broadcast(b)",
           "return a / jnp.where(jnp.isnan(a), jnp.float32(jnp.nan), b)", "return a * (F32(1.0) / b)"),
    Mutant("obs_bfloat16", "observations rounded through bfloat16 (a precision loss)",
           "        jax.lax.div(s.score_r, s.max_score).astype(F32),\n    ])",
           "        jax.lax.div(s.score_r, s.max_score).astype(F32),\n    ]).astype(jnp.bfloat16).astype(F32)"),
    Mutant("score_obs_float", "score observations as float division (fixing the integer-division quirk)",
           "jax.lax.div(s.score_l, s.max_score).astype(F32),",
           "_div(s.score_l.astype(F32), s.max_score.astype(F32)),"),
    Mutant("stale_obs_fixed", "the observation is recomputed on a scoring frame (the stale-obs quirk fixed)",
           "out = out._replace(obs=jnp.where(scored, s.obs, compute_observations(out)))",
           "out = out._replace(obs=compute_observations(out))"),
    Mutant("start_vy_symmetric", "the serve goes up or down (+-speed) instead of 0 or -speed",
           "(jax.lax.rem(rand_value, jnp.int32(2)) - jnp.int32(1))",
           "(jax.lax.rem(rand_value, jnp.int32(2)) * jnp.int32(2) - jnp.int32(1))"),
    Mutant("start_x_center", "the serve starts at width / 2 instead of width / 5",
           "ball_x=_div(s.width, F32(5.0)),", "ball_x=_div(s.width, F32(2.0)),"),
    Mutant("extra_rng_draw", "two rand() draws per point instead of one",
           "rng, value = glibc_rand.rand_if(_rng(s), scored)",
           "rng, value = glibc_rand.rand_if(glibc_rand.rand_if(_rng(s), scored)[0], scored)"),
    Mutant("rng_draw_every_step", "rand() drawn every step, used only on points",
           "rng, value = glibc_rand.rand_if(_rng(s), scored)", "rng, value = glibc_rand.rand_if(_rng(s), True)"),
    Mutant("warmup_short", "srand discards 309 outputs instead of 310",
           "WARMUP_DRAWS = 10 * DEG", "WARMUP_DRAWS = 10 * DEG - 1", target="glibc_rand"),
    Mutant("srand_zero_kept", "srand(0) is not mapped to srand(1)",
           "seed = jnp.where(seed == 0, jnp.uint32(1), seed)", "seed = seed", target="glibc_rand",
           note="killed only when seed 0 is among the seeds"),
    Mutant("terminal_no_full_reset", "the last point only resets the round (scores, log and obs stay)",
           "s = _select(terminal, after_episode, _select(scored, after_point, s))",
           "s = _select(scored, after_point, s)"),
    Mutant("lose_at_20", "the episode ends when the opponent reaches max_score - 1",
           "(right_point & (score_l == s.max_score))", "(right_point & (score_l + 1 == s.max_score))"),
    Mutant("win_at_20", "the episode ends when the agent reaches max_score - 1",
           "(left_point & (score_r == s.max_score))", "(left_point & (score_r + 1 == s.max_score))",
           note="only the agent's points reach this code: needs a scoring policy or constructed states"),
    Mutant("tick_not_reset", "reset_round keeps tick",
           "        tick=jnp.int32(0),\n        n_bounces=jnp.int32(0),\n    )",
           "        tick=s.tick,\n        n_bounces=jnp.int32(0),\n    )"),
    Mutant("left_bounce_uncounted", "opponent hits are not counted in n_bounces",
           "n_bounces = n_bounces + left_hit.astype(jnp.int32)", "n_bounces = n_bounces"),
    Mutant("episode_length_frozen", "log.episode_length is not incremented",
           "log_episode_length=s.log_episode_length + F32(1.0),", "log_episode_length=s.log_episode_length,"),
    Mutant("reward_sticks", "the reward buffer is not zeroed at the start of a step",
           "        reward=F32(0.0),\n        terminal=jnp.uint8(0),", "        terminal=jnp.uint8(0),"),
    Mutant("win_flag_wrong", "an agent's point sets win = 0",
           "jnp.where(left_point, jnp.int32(1), jnp.where(right_point, jnp.int32(0), s.win))",
           "jnp.where(left_point, jnp.int32(0), jnp.where(right_point, jnp.int32(0), s.win))",
           note="only the agent's points reach this code: needs a scoring policy or constructed states"),
    Mutant("right_hit_uses_left_paddle", "the agent's hit test uses the opponent's paddle",
           "right_hit = right & paddle_overlap(y, s.ball_height, yr, s.paddle_height)",
           "right_hit = right & paddle_overlap(y, s.ball_height, yl, s.paddle_height)"),
    Mutant("frameskip_no_early_stop", "frames after a point still run",
           "active = ~scored & (i < s.frameskip)", "active = i < s.frameskip",
           note="equivalent at frameskip 1 (the default): needs a frameskip > 1 configuration"),
)

BY_NAME: dict[str, Mutant] = {m.name: m for m in MUTANTS}


def _patched(path: Path, mutant: Mutant) -> str:
    src = path.read_text()
    count = src.count(mutant.old)
    if count != 1:
        raise ValueError(f"mutant {mutant.name}: snippet occurs {count} times in {path.name}, expected once")
    return src.replace(mutant.old, mutant.new)


@lru_cache(maxsize=None)
def build_mutant(name: str) -> types.ModuleType:
    """A module with env.py's API carrying mutant `name`'s single change."""
    mutant = BY_NAME[name]
    rand_mod = None
    if mutant.target == "glibc_rand":
        rand_mod = types.ModuleType(f"envs.pongjax.mutant_{name}_glibc_rand")
        exec(compile(_patched(_HERE / "glibc_rand.py", mutant), f"<mutant {name}: glibc_rand.py>", "exec"),
             rand_mod.__dict__)
        env_src = (_HERE / "env.py").read_text()
    else:
        env_src = _patched(_HERE / "env.py", mutant)
    module = types.ModuleType(f"envs.pongjax.mutant_{name}")
    module.__dict__["__file__"] = None
    exec(compile(env_src, f"<mutant {name}: env.py>", "exec"), module.__dict__)
    if rand_mod is not None:
        module.__dict__["glibc_rand"] = rand_mod
    return module
