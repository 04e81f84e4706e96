"""Pure-JAX Pong, step for step equal to PufferLib 2.0.2's C pong.h (see env.py for the quirks)."""

from envs.pongjax.env import (
    DEFAULT_PARAMS,
    Params,
    PongState,
    SharedPong,
    clip_ball,
    compute_observations,
    frame,
    make_params,
    move_ball,
    move_paddles,
    paddle_dir_for,
    paddle_overlap,
    reset,
    reset_batch,
    reset_episode,
    reset_round,
    reset_shared,
    right_paddle_spin,
    rollout,
    start_vy,
    step,
    step_batch,
    step_shared,
    wall_bounce,
)
from envs.pongjax.glibc_rand import RandState, rand, rand_n, srand

__all__ = [
    "DEFAULT_PARAMS", "Params", "PongState", "RandState", "SharedPong", "clip_ball",
    "compute_observations", "frame", "make_params", "move_ball", "move_paddles", "paddle_dir_for",
    "paddle_overlap", "rand", "rand_n", "reset", "reset_batch", "reset_episode", "reset_round",
    "reset_shared", "right_paddle_spin", "rollout", "srand", "start_vy", "step", "step_batch",
    "step_shared", "wall_bounce",
]
