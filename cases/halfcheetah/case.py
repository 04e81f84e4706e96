"""HalfCheetah: Gymnasium's HalfCheetah-v5 on MuJoCo (reference) against MJX and Brax's four pipelines.

Continuous, chaotic physics: fields agree within an L-infinity epsilon (1e-3 by default, the
published criterion; `make_case(eps, overrides)` sets it per field), and the inject runner is the
default, so each transition is judged from the reference's own state. Lockstep runs measure how
long free-running trajectories stay within epsilon (`python -m cases.halfcheetah.horizon`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from cases.halfcheetah import components as comp
from equivcheck.case import Case, ComponentPair, Invariant, Scenario, TransferSpec, changes, happens
from equivcheck.oracles.approx import Approx
from equivcheck.schema import Field, Schema

CORPUS = Path(__file__).parent / "corpus"
EPSILON = 1e-3
"""L-infinity tolerance of every float field (the published criterion)."""
HORIZON = 1000
MJX = "mujoco-mjx"
MJX64 = "mujoco-mjx-x64"
MUTANTS = ("mujoco-mjx-mut-frameskip", "mujoco-mjx-mut-ctrlcost", "mujoco-mjx-mut-nonoise", "mujoco-mjx-mut-obsx")
BRAX = ("brax-mjx", "brax-generalized", "brax-positional", "brax-spring")
MJX_FAMILY = (MJX, MJX64, *MUTANTS)
"""Candidates whose adapter exposes MJX's functions (`components`) for L1."""


def _state(qpos: list[float], qvel: list[float] | None = None, t: int = 0) -> dict[str, Any]:
    return {"qpos": np.array(qpos, np.float64), "qvel": np.array(qvel or [0.0] * 9, np.float64), "t": t}


def _limit_hit(prev: Mapping[str, Any], cur: Mapping[str, Any]) -> bool:
    joints = np.asarray(cur["qpos"])[3:]
    return bool(np.any(joints <= comp.JOINT_RANGES[:, 0] + 0.01) or np.any(joints >= comp.JOINT_RANGES[:, 1] - 0.01))


def _script(n: int, seed: int) -> list[list[float]]:
    """A fixed pseudo-random action script (uniform in [-1, 1]^6)."""
    rng = np.random.default_rng(seed)
    return rng.uniform(-1.0, 1.0, size=(n, 6)).round(3).tolist()


L2_STEPS = 4
"""Stateful-search length for L2 in the float32 variant: free-running float32 vs float64 trajectories leave 1e-3
after 5 steps at the earliest (median 14), so longer lockstep scripts measure chaos, not composition."""

SCENARIOS = [
    Scenario("falling on the back", actions=[[0.0] * 6] * 3 + _script(3, 1),
             state=lambda: _state([0.0, -0.5, np.pi - 0.2, 0, 0, 0, 0, 0, 0], [0.5, -1.5, 0.3, 0, 0, 0, 0, 0, 0])),
    Scenario("a foot touching down", actions=[[0.0] * 6] * 2 + [[0.5, -0.5, 0.5, -0.5, 0.5, -0.5]] * 2,
             state=lambda: _state([0.0, 0.02, 0.1, 0, 0, 0, 0, 0, 0], [1.0, -1.5, 0, 0, 0, 0, 0, 0, 0])),
    Scenario("joint limits hit", actions=[[1.0] * 6] * 2 + [[-1.0] * 6] * 2,
             state=lambda: _state([0.0, 0.05, 0.0, *(comp.JOINT_RANGES[:, 1] - 0.02)],
                                  [0, 0, 0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0])),
    Scenario("truncation at 1000 steps", actions=_script(3, 2),
             state=lambda: _state([0.0] * 9, t=HORIZON - 2)),
    Scenario("seeded start", actions=_script(4, 3), seed=11),
]


def components(eps_scale: float = 1.0) -> list[ComponentPair]:
    """L1 pairs: MuJoCo's functions against the candidate adapter's (MJX's) at Hypothesis-drawn states."""
    s = eps_scale
    return [
        ComponentPair("mass matrix (mj_fullM)", comp.ref_mass_matrix, lambda ad, q, v: ad.components(q, v)["M"],
                      comp.states(), Approx(atol=1e-5 * s, rtol=1e-5 * s), MJX_FAMILY, 100, bind=True),
        ComponentPair("bias forces (qfrc_bias)", comp.ref_bias, lambda ad, q, v: ad.components(q, v)["qfrc_bias"],
                      comp.states(), Approx(atol=1e-4 * s, rtol=2e-5 * s), MJX_FAMILY, 100, bind=True),
        ComponentPair("forward kinematics (xpos)", comp.ref_xpos, lambda ad, q, v: ad.components(q, v)["xpos"],
                      comp.states(), Approx(atol=1e-5 * s), MJX_FAMILY, 100, bind=True),
        ComponentPair("contacts (count, geoms, positions)", comp.ref_contacts, comp.cand_contacts,
                      comp.states(), Approx(atol=1e-5 * s), MJX_FAMILY, 100, bind=True),
    ]


def make_case(eps: float = EPSILON, overrides: Mapping[str, float] | None = None, name: str = "halfcheetah",
              stateful_steps: int = 20) -> Case:
    """The case with L-infinity tolerance `eps` on every float field, `overrides` per field (path -> atol)."""
    tol = {"qpos": eps, "qvel": eps, "obs": eps, "reward": eps, **(overrides or {})}
    fields = [
        Field("qpos", "float64", (9,), Approx(atol=tol["qpos"]), "rootx, rootz, rooty, then the six joints"),
        Field("qvel", "float64", (9,), Approx(atol=tol["qvel"]), "their velocities"),
        Field("obs", "float64", (17,), Approx(atol=tol["obs"]), "qpos without x, then qvel"),
        Field("reward", "float64", (), Approx(atol=tol["reward"]), "forward velocity minus 0.1 |a|^2"),
        Field("t", "int64", (), doc="steps since reset (truncation at 1000)"),
        Field("rng", "uint64", (4,), doc="PCG64 state of the reset generator: state hi/lo, increment hi/lo"),
    ]
    return Case(
        name=name,
        reference="mujoco-halfcheetah",
        candidates=[MJX, MJX64, *BRAX, *MUTANTS],
        schema=Schema(fields),
        liveness=[
            changes("the cheetah moves", "qpos"),
            happens("a step earns forward reward", lambda prev, cur: cur["reward"] > 0.0),
            happens("a step costs (reward < 0)", lambda prev, cur: cur["reward"] < 0.0),
            happens("a joint reaches its limit", _limit_hit),
        ],
        components=components(),
        invariants=[
            Invariant("mass matrix symmetric positive definite", comp.spd, comp.states(), MJX_FAMILY, 100, bind=True),
        ],
        scenarios=SCENARIOS,
        transfer=TransferSpec(margin=100.0, train_episodes=2, train_iterations=3, population=8, eval_episodes=10,
                              max_steps=100),
        episodes=3,
        steps=300,
        runner="inject",
        stateful_steps=stateful_steps,
        corpus_dir=CORPUS,
        description="HalfCheetah-v5: MuJoCo vs MJX and Brax, L-infinity epsilon, inject runner",
    )


CASE = make_case()

FLOAT32_OVERRIDES = {"qvel": 5e-2, "obs": 5e-2}
"""Per-field tolerances under which float32 MJX agrees on every measured transition: 97 of 100,000
inject transitions leave 1e-3 in qvel (at most 0.032), none leaves 5e-2; every other field keeps 1e-3."""

FLOAT32 = make_case(overrides=FLOAT32_OVERRIDES, name="halfcheetah-f32", stateful_steps=L2_STEPS)
"""The float32 variant: `equivcheck diff --case halfcheetah-f32 --ref mujoco-halfcheetah --cand mujoco-mjx ...`."""
