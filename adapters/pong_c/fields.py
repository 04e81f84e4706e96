"""The Pong snapshot layout shared by pong-c and pong-jax: struct field name -> schema path.

Every field of pong.h's Pong struct (log pointers aside), its observation/reward/terminal
buffers and the glibc rand() state. Both adapters emit exactly these paths, dtypes and shapes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

PATHS: dict[str, str] = {
    "paddle_yl": "paddle.yl",
    "paddle_yr": "paddle.yr",
    "ball_x": "ball.x",
    "ball_y": "ball.y",
    "ball_vx": "ball.vx",
    "ball_vy": "ball.vy",
    "score_l": "score.l",
    "score_r": "score.r",
    "width": "config.width",
    "height": "config.height",
    "paddle_width": "config.paddle_width",
    "paddle_height": "config.paddle_height",
    "ball_width": "config.ball_width",
    "ball_height": "config.ball_height",
    "paddle_speed": "config.paddle_speed",
    "ball_initial_speed_x": "config.ball_initial_speed_x",
    "ball_initial_speed_y": "config.ball_initial_speed_y",
    "ball_max_speed_y": "config.ball_max_speed_y",
    "ball_speed_y_increment": "config.ball_speed_y_increment",
    "max_score": "config.max_score",
    "min_paddle_y": "config.min_paddle_y",
    "max_paddle_y": "config.max_paddle_y",
    "paddle_dir": "paddle.dir",
    "tick": "tick",
    "n_bounces": "n_bounces",
    "win": "win",
    "frameskip": "config.frameskip",
    "log_episode_return": "log.episode_return",
    "log_episode_length": "log.episode_length",
    "log_score": "log.score",
    "obs": "obs",
    "reward": "reward",
    "terminal": "terminal",
    "rng_rptr": "rng.rptr",
    "rng_table": "rng.table",
}
FIELDS: dict[str, str] = {path: name for name, path in PATHS.items()}

DTYPES: dict[str, np.dtype] = {path: np.dtype(np.float32) for path in FIELDS}
DTYPES.update({
    "score.l": np.dtype(np.uint32),
    "score.r": np.dtype(np.uint32),
    "config.max_score": np.dtype(np.uint32),
    "tick": np.dtype(np.int32),
    "n_bounces": np.dtype(np.int32),
    "win": np.dtype(np.int32),
    "config.frameskip": np.dtype(np.int32),
    "terminal": np.dtype(np.uint8),
    "rng.rptr": np.dtype(np.int32),
    "rng.table": np.dtype(np.uint32),
})
SHAPES: dict[str, tuple[int, ...]] = {path: () for path in FIELDS} | {"obs": (8,), "rng.table": (31,)}


def to_snapshot(fields: Mapping[str, Any], batch: bool = False) -> dict[str, np.ndarray]:
    """Struct-named values -> schema paths with the declared dtypes (leading batch axis if batch)."""
    out = {}
    for name, path in PATHS.items():
        arr = np.asarray(fields[name], dtype=DTYPES[path])
        expected = SHAPES[path]
        if (arr.shape[1:] if batch else arr.shape) != expected:
            raise ValueError(f"{path}: shape {arr.shape} does not match {expected}")
        out[path] = arr
    return out


def from_snapshot(snapshot: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """Schema paths -> struct-named values (every path required)."""
    missing = [p for p in FIELDS if p not in snapshot]
    if missing:
        raise KeyError(f"snapshot lacks {', '.join(missing)}")
    return {name: np.asarray(snapshot[path], dtype=DTYPES[path]) for path, name in FIELDS.items()}
