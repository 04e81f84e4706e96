"""Pong in pure JAX, step for step equal to PufferLib 2.0.2's pong.h (float32, same op order).

Functional API: `reset(seed_or_key) -> (state, obs)`, `step(state, action) -> (state, obs,
reward, done)`; batch with `jax.vmap` (or `reset_batch`/`step_batch`); every function is
jit-able and has no Python control flow on traced values.

Quirks of the reference kept on purpose (see cases/pong/README.md):
- the ball starts at x = width/5 moving right (towards the agent's paddle, the right one) with
  vy = (rand() % 2 - 1) * ball_initial_speed_y, i.e. 0 or -1 times the speed, never +1;
- a point ends the step at once (no more frameskip frames) and does not recompute the
  observation: after a non-terminal point the observation is the previous frame's (stale);
  after the last point of an episode reset() recomputes it for the new episode;
- score observations are unsigned integer divisions score / max_score: 0 unless equal;
- the ball is clipped into the field only after a right-paddle hit; a left-paddle hit leaves
  it at x < 0; a wall hit flips vy without moving the ball back;
- the action is read as unsigned: 1 up (+1), 2 down (-1), anything else still;
- `fabsf(vy) < 0.01` compares in double: for a float32 that is `|vy| <= float32(0.01)`;
- win, paddle_dir and the log survive reset_round; reset() zeroes the log only.

XLA rewrites `a / broadcast(b)` as `a * broadcast(1 / b)`, which is not IEEE division, so every
division goes through `_div`, whose divisor XLA cannot prove to be a broadcast.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from envs.pongjax import glibc_rand
from envs.pongjax.glibc_rand import RandState

F32 = jnp.float32
_VY_MIN_ABS = np.float32(0.01)
_BOUNCE_REWARD = np.float32(0.1)


class Params(NamedTuple):
    """pong.h's constructor parameters (PufferLib 2.0.2 defaults)."""

    width: Any = np.float32(500.0)
    height: Any = np.float32(640.0)
    paddle_width: Any = np.float32(20.0)
    paddle_height: Any = np.float32(70.0)
    ball_width: Any = np.float32(32.0)
    ball_height: Any = np.float32(32.0)
    paddle_speed: Any = np.float32(8.0)
    ball_initial_speed_x: Any = np.float32(10.0)
    ball_initial_speed_y: Any = np.float32(1.0)
    ball_max_speed_y: Any = np.float32(13.0)
    ball_speed_y_increment: Any = np.float32(3.0)
    max_score: Any = np.uint32(21)
    frameskip: Any = np.int32(1)


def make_params(**overrides: float | int) -> Params:
    """Params with the reference's dtypes (float32; max_score uint32; frameskip int32)."""
    base = Params()._asdict()
    base.update(overrides)
    typed = {k: np.asarray(v, dtype=np.asarray(Params()._asdict()[k]).dtype) for k, v in base.items()}
    return Params(**typed)


DEFAULT_PARAMS = make_params()


class PongState(NamedTuple):
    """Every field of pong.h's Pong struct, its buffers and its glibc stream (same names as the shim)."""

    paddle_yl: jax.Array
    paddle_yr: jax.Array
    ball_x: jax.Array
    ball_y: jax.Array
    ball_vx: jax.Array
    ball_vy: jax.Array
    score_l: jax.Array
    score_r: jax.Array
    width: jax.Array
    height: jax.Array
    paddle_width: jax.Array
    paddle_height: jax.Array
    ball_width: jax.Array
    ball_height: jax.Array
    paddle_speed: jax.Array
    ball_initial_speed_x: jax.Array
    ball_initial_speed_y: jax.Array
    ball_max_speed_y: jax.Array
    ball_speed_y_increment: jax.Array
    max_score: jax.Array
    min_paddle_y: jax.Array
    max_paddle_y: jax.Array
    paddle_dir: jax.Array
    tick: jax.Array
    n_bounces: jax.Array
    win: jax.Array
    frameskip: jax.Array
    log_episode_return: jax.Array
    log_episode_length: jax.Array
    log_score: jax.Array
    obs: jax.Array
    reward: jax.Array
    terminal: jax.Array
    rng_rptr: jax.Array
    rng_table: jax.Array


STATE_DTYPES: dict[str, Any] = {
    **{name: np.float32 for name in PongState._fields},
    "score_l": np.uint32,
    "score_r": np.uint32,
    "max_score": np.uint32,
    "tick": np.int32,
    "n_bounces": np.int32,
    "win": np.int32,
    "frameskip": np.int32,
    "terminal": np.uint8,
    "rng_rptr": np.int32,
    "rng_table": np.uint32,
}
STATE_SHAPES: dict[str, tuple[int, ...]] = {name: () for name in PongState._fields} | {
    "obs": (8,),
    "rng_table": (31,),
}


def state_from_numpy(values: dict[str, Any]) -> PongState:
    """A PongState from a dict of every field (cast to the declared dtypes)."""
    return PongState(**{k: jnp.asarray(np.asarray(values[k], dtype=STATE_DTYPES[k])) for k in PongState._fields})


def state_to_numpy(state: PongState) -> dict[str, np.ndarray]:
    """Every field as a numpy array (leading batch axes kept)."""
    return {k: np.asarray(v) for k, v in state._asdict().items()}


def _div(a: jax.Array, b: jax.Array) -> jax.Array:
    """IEEE a / b: the NaN-guarded divisor stops XLA turning it into a reciprocal multiply."""
    return a / jnp.where(jnp.isnan(a), jnp.float32(jnp.nan), b)


def _clamp(x: jax.Array, lo: jax.Array, hi: jax.Array) -> jax.Array:
    """fminf(fmaxf(x, lo), hi) for non-NaN operands."""
    return jnp.minimum(jnp.maximum(x, lo), hi)


def paddle_dir_for(action: jax.Array) -> jax.Array:
    """Action read as unsigned int: 1 -> +1 (up), 2 -> -1 (down), anything else -> 0."""
    act = jnp.asarray(action).astype(jnp.int32).astype(jnp.uint32)
    return jnp.where(act == 1, F32(1.0), jnp.where(act == 2, F32(-1.0), F32(0.0)))


def paddle_limits(height: jax.Array, paddle_height: jax.Array) -> tuple[jax.Array, jax.Array]:
    """init(): min_paddle_y = -paddle_height / 2, max_paddle_y = height - paddle_height / 2."""
    two = F32(2.0)
    return _div(-paddle_height, two), height - _div(paddle_height, two)


def move_paddles(
    paddle_yl: jax.Array, paddle_yr: jax.Array, ball_y: jax.Array, paddle_dir: jax.Array,
    paddle_speed: jax.Array, paddle_height: jax.Array, min_paddle_y: jax.Array, max_paddle_y: jax.Array,
) -> tuple[jax.Array, jax.Array]:
    """One frame of paddle motion: agent (right) by speed*dir, opponent (left) tracks the ball; clamp both."""
    yr = paddle_yr + paddle_speed * paddle_dir
    delta = ball_y - (paddle_yl + _div(paddle_height, F32(2.0)))
    delta = _clamp(delta, -paddle_speed, paddle_speed)
    yl = paddle_yl + delta
    yr = _clamp(yr, min_paddle_y, max_paddle_y)
    yl = _clamp(yl, min_paddle_y, max_paddle_y)
    return yl, yr


def move_ball(
    ball_x: jax.Array, ball_y: jax.Array, ball_vx: jax.Array, ball_vy: jax.Array
) -> tuple[jax.Array, jax.Array]:
    """Ball position after one frame."""
    return ball_x + ball_vx, ball_y + ball_vy


def wall_bounce(ball_y: jax.Array, ball_vy: jax.Array, ball_height: jax.Array, height: jax.Array) -> jax.Array:
    """vy flipped when the ball is below 0 or its top above the field (position untouched)."""
    hit = (ball_y < 0) | (ball_y + ball_height > height)
    return jnp.where(hit, -ball_vy, ball_vy)


def paddle_overlap(
    ball_y: jax.Array, ball_height: jax.Array, paddle_y: jax.Array, paddle_height: jax.Array
) -> jax.Array:
    """Strict vertical overlap of ball and paddle (the paddle-hit test of both sides)."""
    return (ball_y + ball_height > paddle_y) & (ball_y < paddle_y + paddle_height)


def right_paddle_spin(
    ball_vy: jax.Array, paddle_dir: jax.Array, ball_speed_y_increment: jax.Array, ball_max_speed_y: jax.Array
) -> jax.Array:
    """vy after the agent's paddle hits: += increment * dir, clamp to +-max, never ~horizontal."""
    vy = ball_vy + ball_speed_y_increment * paddle_dir
    vy = _clamp(vy, -ball_max_speed_y, ball_max_speed_y)
    return jnp.where(jnp.abs(vy) <= _VY_MIN_ABS, ball_speed_y_increment, vy)


def clip_ball(
    ball_x: jax.Array, ball_y: jax.Array, width: jax.Array, height: jax.Array,
    ball_width: jax.Array, ball_height: jax.Array,
) -> tuple[jax.Array, jax.Array]:
    """Ball clamped into the field (done only after a right-paddle hit)."""
    return (
        _clamp(ball_x, F32(0.0), width - ball_width),
        _clamp(ball_y, F32(0.0), height - ball_height),
    )


def compute_observations(s: PongState) -> jax.Array:
    """pong.h compute_observations(): 8 floats, score entries by unsigned integer division."""
    span = s.max_paddle_y - s.min_paddle_y
    two = F32(2.0)
    return jnp.stack([
        _div(s.paddle_yl - s.min_paddle_y, span),
        _div(s.paddle_yr - s.min_paddle_y, span),
        _div(s.ball_x, s.width),
        _div(s.ball_y, s.height),
        _div(s.ball_vx + s.ball_initial_speed_x, two * s.ball_initial_speed_x),
        _div(s.ball_vy + s.ball_max_speed_y, two * s.ball_max_speed_y),
        jax.lax.div(s.score_l, s.max_score).astype(F32),
        jax.lax.div(s.score_r, s.max_score).astype(F32),
    ])


def start_vy(rand_value: jax.Array, ball_initial_speed_y: jax.Array) -> jax.Array:
    """(rand() % 2 - 1) * ball_initial_speed_y: 0 or -speed."""
    return (jax.lax.rem(rand_value, jnp.int32(2)) - jnp.int32(1)).astype(F32) * ball_initial_speed_y


def reset_round(s: PongState, rand_value: jax.Array) -> PongState:
    """pong.h reset_round() given its rand() value: paddles and ball to the start, tick and bounces 0."""
    two = F32(2.0)
    paddle_y = _div(s.height, two) - _div(s.paddle_height, two)
    return s._replace(
        paddle_yl=paddle_y,
        paddle_yr=paddle_y,
        ball_x=_div(s.width, F32(5.0)),
        ball_y=_div(s.height, two) - _div(s.ball_height, two),
        ball_vx=s.ball_initial_speed_x,
        ball_vy=start_vy(rand_value, s.ball_initial_speed_y),
        tick=jnp.int32(0),
        n_bounces=jnp.int32(0),
    )


def reset_episode(s: PongState, rand_value: jax.Array) -> PongState:
    """pong.h reset(): zero the log, reset_round, zero the scores, compute the observation."""
    zero = F32(0.0)
    s = s._replace(log_episode_return=zero, log_episode_length=zero, log_score=zero)
    s = reset_round(s, rand_value)
    s = s._replace(score_l=jnp.uint32(0), score_r=jnp.uint32(0))
    return s._replace(obs=compute_observations(s))


def _rng(s: PongState) -> RandState:
    return RandState(table=s.rng_table, rptr=s.rng_rptr)


def _with_rng(s: PongState, rng: RandState) -> PongState:
    return s._replace(rng_table=rng.table, rng_rptr=rng.rptr)


def _select(pred: jax.Array, a: PongState, b: PongState) -> PongState:
    return jax.tree_util.tree_map(lambda x, y: jnp.where(pred, x, y), a, b)


def frame(s: PongState) -> tuple[PongState, jax.Array, jax.Array]:
    """One frameskip iteration up to (not including) reset_round: (state, scored, terminal)."""
    yl, yr = move_paddles(
        s.paddle_yl, s.paddle_yr, s.ball_y, s.paddle_dir, s.paddle_speed, s.paddle_height,
        s.min_paddle_y, s.max_paddle_y,
    )
    x, y = move_ball(s.ball_x, s.ball_y, s.ball_vx, s.ball_vy)
    vy = wall_bounce(y, s.ball_vy, s.ball_height, s.height)
    vx = s.ball_vx
    n_bounces = s.n_bounces

    left = x < 0
    left_hit = left & paddle_overlap(y, s.ball_height, yl, s.paddle_height)
    left_point = left & ~left_hit
    vx = jnp.where(left_hit, -vx, vx)
    n_bounces = n_bounces + left_hit.astype(jnp.int32)

    right = ~left_point & (x + s.ball_width > s.width)
    right_hit = right & paddle_overlap(y, s.ball_height, yr, s.paddle_height)
    right_point = right & ~right_hit
    vx = jnp.where(right_hit, -vx, vx)
    n_bounces = n_bounces + right_hit.astype(jnp.int32)
    reward = jnp.where(right_hit, _BOUNCE_REWARD, s.reward)
    vy = jnp.where(right_hit, right_paddle_spin(vy, s.paddle_dir, s.ball_speed_y_increment, s.ball_max_speed_y), vy)
    cx, cy = clip_ball(x, y, s.width, s.height, s.ball_width, s.ball_height)
    x = jnp.where(right_hit, cx, x)
    y = jnp.where(right_hit, cy, y)

    score_r = s.score_r + left_point.astype(jnp.uint32)
    score_l = s.score_l + right_point.astype(jnp.uint32)
    one = F32(1.0)
    out = s._replace(
        paddle_yl=yl, paddle_yr=yr, ball_x=x, ball_y=y, ball_vx=vx, ball_vy=vy,
        n_bounces=n_bounces, score_l=score_l, score_r=score_r,
        win=jnp.where(left_point, jnp.int32(1), jnp.where(right_point, jnp.int32(0), s.win)),
        reward=jnp.where(left_point, one, jnp.where(right_point, -one, reward)),
        log_episode_return=jnp.where(
            left_point, s.log_episode_return + one,
            jnp.where(right_point, s.log_episode_return - one, s.log_episode_return)),
        log_score=jnp.where(left_point, s.log_score + one, jnp.where(right_point, s.log_score - one, s.log_score)),
    )
    scored = left_point | right_point
    terminal = (left_point & (score_r == s.max_score)) | (right_point & (score_l == s.max_score))
    out = out._replace(obs=jnp.where(scored, s.obs, compute_observations(out)))
    return out, scored, terminal


def begin_step(s: PongState, action: jax.Array, max_frameskip: int = 1) -> tuple[PongState, jax.Array, jax.Array]:
    """Everything of pong.h step() before its rand() draw: (state, needs_draw, terminal).

    Runs min(state.frameskip, max_frameskip) frames (max_frameskip is static), stopping at
    the first point.
    """
    s = s._replace(
        tick=s.tick + 1,
        log_episode_length=s.log_episode_length + F32(1.0),
        reward=F32(0.0),
        terminal=jnp.uint8(0),
        paddle_dir=paddle_dir_for(action),
    )
    scored = jnp.bool_(False)
    terminal = jnp.bool_(False)
    for i in range(max_frameskip):
        active = ~scored & (i < s.frameskip)
        nxt, f_scored, f_terminal = frame(s)
        s = _select(active, nxt, s)
        terminal = terminal | (active & f_terminal)
        scored = scored | (active & f_scored)
    return s, scored, terminal


def finish_step(s: PongState, scored: jax.Array, terminal: jax.Array, rand_value: jax.Array) -> PongState:
    """The end of pong.h step(): reset() after the last point, reset_round() after any other point."""
    after_point = reset_round(s, rand_value)
    after_episode = reset_episode(s, rand_value)
    s = _select(terminal, after_episode, _select(scored, after_point, s))
    return s._replace(terminal=terminal.astype(jnp.uint8))


def step(
    state: PongState, action: jax.Array, max_frameskip: int = 1
) -> tuple[PongState, jax.Array, jax.Array, jax.Array]:
    """pong.h step() on one environment with its own glibc stream: (state, obs, reward, done)."""
    s, scored, terminal = begin_step(state, action, max_frameskip)
    rng, value = glibc_rand.rand_if(_rng(s), scored)
    s = finish_step(_with_rng(s, rng), scored, terminal, value)
    return s, s.obs, s.reward, s.terminal.astype(jnp.bool_)


def seed_from(seed_or_key: Any) -> jax.Array:
    """uint32 seed from an int seed or a JAX PRNG key (new-style or raw uint32[2])."""
    if isinstance(seed_or_key, (int, np.integer)):
        return jnp.asarray(np.uint32(int(seed_or_key) & 0xFFFFFFFF))
    arr = jnp.asarray(seed_or_key)
    if jnp.issubdtype(arr.dtype, jax.dtypes.prng_key):
        return jax.random.bits(arr, (), jnp.uint32)
    if arr.shape == (2,) and arr.dtype == jnp.uint32:
        return jax.random.bits(arr, (), jnp.uint32)
    return arr.astype(jnp.uint32)


def initial_state(params: Params, rng: RandState) -> PongState:
    """A Pong struct as CyPong builds it and init() completes it, before reset()."""
    p = Params(*[jnp.asarray(v) for v in params])
    min_y, max_y = paddle_limits(p.height.astype(F32), p.paddle_height.astype(F32))
    zero = F32(0.0)
    return PongState(
        paddle_yl=zero, paddle_yr=zero, ball_x=zero, ball_y=zero, ball_vx=zero, ball_vy=zero,
        score_l=jnp.uint32(0), score_r=jnp.uint32(0),
        width=p.width.astype(F32), height=p.height.astype(F32),
        paddle_width=p.paddle_width.astype(F32), paddle_height=p.paddle_height.astype(F32),
        ball_width=p.ball_width.astype(F32), ball_height=p.ball_height.astype(F32),
        paddle_speed=p.paddle_speed.astype(F32),
        ball_initial_speed_x=p.ball_initial_speed_x.astype(F32),
        ball_initial_speed_y=p.ball_initial_speed_y.astype(F32),
        ball_max_speed_y=p.ball_max_speed_y.astype(F32),
        ball_speed_y_increment=p.ball_speed_y_increment.astype(F32),
        max_score=p.max_score.astype(jnp.uint32),
        min_paddle_y=min_y, max_paddle_y=max_y, paddle_dir=zero,
        tick=jnp.int32(0), n_bounces=jnp.int32(0), win=jnp.int32(0),
        frameskip=p.frameskip.astype(jnp.int32),
        log_episode_return=zero, log_episode_length=zero, log_score=zero,
        obs=jnp.zeros(8, F32), reward=zero, terminal=jnp.uint8(0),
        rng_rptr=rng.rptr, rng_table=rng.table,
    )


def reset(seed_or_key: Any, params: Params = DEFAULT_PARAMS) -> tuple[PongState, jax.Array]:
    """A fresh env: init(), srand(seed), reset(). Returns (state, obs)."""
    rng = glibc_rand.srand(seed_from(seed_or_key))
    s = initial_state(params, rng)
    rng, value = glibc_rand.rand(rng)
    s = reset_episode(_with_rng(s, rng), value)
    return s, s.obs


reset_batch = jax.vmap(reset, in_axes=(0, None))
"""reset over a batch of seeds (one glibc stream per env)."""

step_batch = jax.vmap(step, in_axes=(0, 0, None))
"""step over a batch of envs (one glibc stream per env)."""


class SharedPong(NamedTuple):
    """N envs drawing from one glibc stream in env order, as CyPong's vectorised loop does.

    envs is a batched PongState whose rng fields are unused; rng is the one stream.
    """

    envs: PongState
    rng: RandState


def _coeffs(n: int) -> jax.Array:
    return jnp.asarray(glibc_rand.sequence_coefficients(n + 2 * glibc_rand.DEG + 1))


def reset_shared(seed: Any, n: int, params: Params = DEFAULT_PARAMS) -> tuple[SharedPong, jax.Array]:
    """srand(seed) then reset() of envs 0..n-1 in order (n static). Returns (state, obs[n, 8])."""
    rng = glibc_rand.srand(seed_from(seed))
    rng, values = glibc_rand.draw_masked_shared(rng, jnp.ones(n, jnp.bool_), _coeffs(n))
    base = initial_state(params, rng)
    envs = jax.tree_util.tree_map(lambda x: jnp.broadcast_to(x, (n, *jnp.shape(x))), base)
    envs = jax.vmap(reset_episode)(envs, values)
    return SharedPong(envs=envs, rng=rng), envs.obs


def step_shared(
    state: SharedPong, actions: jax.Array, max_frameskip: int = 1
) -> tuple[SharedPong, jax.Array, jax.Array, jax.Array]:
    """step() of every env in order on one glibc stream: (state, obs, reward, done)."""
    n = actions.shape[0]
    envs, scored, terminal = jax.vmap(begin_step, in_axes=(0, 0, None))(state.envs, actions, max_frameskip)
    rng, values = glibc_rand.draw_masked_shared(state.rng, scored, _coeffs(n))
    envs = jax.vmap(finish_step)(envs, scored, terminal, values)
    return SharedPong(envs=envs, rng=rng), envs.obs, envs.reward, envs.terminal.astype(jnp.bool_)


def rollout(
    state: PongState, actions: jax.Array, max_frameskip: int = 1
) -> tuple[PongState, tuple[jax.Array, jax.Array, jax.Array]]:
    """lax.scan of step over actions[T] (or vmapped): (final state, (obs[T], reward[T], done[T]))."""

    def body(s: PongState, a: jax.Array) -> tuple[PongState, tuple[jax.Array, jax.Array, jax.Array]]:
        s, obs, reward, done = step(s, a, max_frameskip)
        return s, (obs, reward, done)

    return jax.lax.scan(body, state, actions)
