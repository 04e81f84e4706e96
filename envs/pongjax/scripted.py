"""A scripted Pong player that reads only the observation: it tracks the ball and spins it.

Random actions never score against pong.h's opponent (it tracks the ball at paddle_speed and
only misses balls faster than that), so liveness checks ("both scores change", "rewards of
both signs") need a player that wins points: pushing the paddle along the ball's vertical
direction at each hit raises |vy| by ball_speed_y_increment up to ball_max_speed_y, which the
opponent cannot follow. With epsilon > 0 it also loses points.
"""

from __future__ import annotations

import numpy as np

WIDTH, HEIGHT, PADDLE_H, BALL_H = 500.0, 640.0, 70.0, 32.0
MIN_Y, MAX_Y = -PADDLE_H / 2, HEIGHT - PADDLE_H / 2


def spin_action(obs: np.ndarray, rng: np.random.Generator | None = None, epsilon: float = 0.0) -> int:
    """0 still, 1 up, 2 down, for the default parameters; random with probability epsilon."""
    if rng is not None and epsilon > 0 and rng.random() < epsilon:
        return int(rng.integers(3))
    obs = np.asarray(obs, dtype=np.float64)
    paddle_center = obs[1] * (MAX_Y - MIN_Y) + MIN_Y + PADDLE_H / 2
    ball_center = obs[3] * HEIGHT + BALL_H / 2
    ball_x = obs[2] * WIDTH
    moving_right = obs[4] > 0.5
    if moving_right and ball_x > 380 and abs(ball_center - paddle_center) < 30:
        return 1 if obs[5] >= 0.5 else 2
    if ball_center > paddle_center + 4:
        return 1
    if ball_center < paddle_center - 4:
        return 2
    return 0
