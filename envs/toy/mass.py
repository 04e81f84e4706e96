"""Toy float environment: a 2-D point mass pushed by a force, with drag and bouncing walls.

float32 throughout, as a JAX port would be. Reference in plain numpy scalars per axis;
candidate written array-wise. Reward is minus the distance to the origin; 60 steps truncate.
"""

from __future__ import annotations

from typing import Any

import numpy as np

DT = np.float32(0.05)
DRAG = np.float32(0.98)
WALL = np.float32(1.2)
HORIZON = 60


def start(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Seeded start position and velocity (float32)."""
    rng = np.random.default_rng(seed)
    pos = rng.uniform(-1.0, 1.0, size=2).astype(np.float32)
    vel = rng.uniform(-0.5, 0.5, size=2).astype(np.float32)
    return pos, vel


class MassRef:
    """The reference: axis by axis, float32 scalars."""

    def reset(self, seed: int) -> None:
        pos, vel = start(seed)
        self.pos = [np.float32(p) for p in pos]
        self.vel = [np.float32(v) for v in vel]
        self.t = 0

    def step(self, force: np.ndarray) -> tuple[float, bool, bool]:
        for i in range(2):
            self.vel[i] = np.float32(self.vel[i] * DRAG + np.float32(force[i]) * DT)
            self.pos[i] = np.float32(self.pos[i] + self.vel[i] * DT)
            if self.pos[i] > WALL:
                self.pos[i], self.vel[i] = np.float32(WALL - (self.pos[i] - WALL)), -self.vel[i]
            elif self.pos[i] < -WALL:
                self.pos[i], self.vel[i] = np.float32(-WALL - (self.pos[i] + WALL)), -self.vel[i]
        self.t += 1
        reward = -float(np.sqrt(np.float32(self.pos[0] * self.pos[0] + self.pos[1] * self.pos[1])))
        return reward, False, self.t >= HORIZON

    def state(self) -> dict[str, Any]:
        return {"pos": np.array(self.pos, dtype=np.float32), "vel": np.array(self.vel, dtype=np.float32), "t": self.t}

    def set_state(self, state: dict[str, Any]) -> None:
        self.pos = [np.float32(p) for p in np.asarray(state["pos"])]
        self.vel = [np.float32(v) for v in np.asarray(state["vel"])]
        self.t = int(state["t"])


class MassCand:
    """The candidate: whole-vector float32 arithmetic."""

    def reset(self, seed: int) -> None:
        self.pos, self.vel = start(seed)
        self.t = 0

    def step(self, force: np.ndarray) -> tuple[float, bool, bool]:
        self.vel = (self.vel * DRAG + np.asarray(force, np.float32) * DT).astype(np.float32)
        self.pos = (self.pos + self.vel * DT).astype(np.float32)
        self.pos, self.vel = self.reflect(self.pos, self.vel)
        self.t += 1
        reward = -float(np.sqrt(np.float32(np.sum(self.pos * self.pos, dtype=np.float32))))
        return reward, False, self.t >= HORIZON

    @staticmethod
    def reflect(pos: np.ndarray, vel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Bounce off the walls (the candidate's component, compared in L1)."""
        return reflect(pos, vel)

    def state(self) -> dict[str, Any]:
        return {"pos": self.pos.copy(), "vel": self.vel.copy(), "t": self.t}

    def set_state(self, state: dict[str, Any]) -> None:
        self.pos = np.asarray(state["pos"], dtype=np.float32).copy()
        self.vel = np.asarray(state["vel"], dtype=np.float32).copy()
        self.t = int(state["t"])


def reflect(pos: np.ndarray, vel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Bounce off the walls at +-WALL (candidate component, compared in L1)."""
    over, under = pos > WALL, pos < -WALL
    pos = np.where(over, WALL - (pos - WALL), np.where(under, -WALL - (pos + WALL), pos)).astype(np.float32)
    vel = np.where(over | under, -vel, vel).astype(np.float32)
    return pos, vel


def ref_reflect(pos: np.ndarray, vel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The reference's bounce, one axis at a time (L1 component)."""
    env = MassRef()
    env.reset(0)
    env.pos = [np.float32(p) for p in pos]
    env.vel = [np.float32(v) for v in vel]
    out_p, out_v = [], []
    for i in range(2):
        p, v = env.pos[i], env.vel[i]
        if p > WALL:
            p, v = np.float32(WALL - (p - WALL)), -v
        elif p < -WALL:
            p, v = np.float32(-WALL - (p + WALL)), -v
        out_p.append(p)
        out_v.append(v)
    return np.array(out_p, np.float32), np.array(out_v, np.float32)
