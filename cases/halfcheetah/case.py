"""HalfCheetah: Gymnasium's HalfCheetah-v5 on MuJoCo (reference) against MJX, Brax's four pipelines and
our own JAX port (cheetah-jax, envs/cheetahjax).

Continuous, chaotic physics: fields agree within an L-infinity epsilon (1e-3 by default, the
published criterion; `make_case(eps, overrides)` sets it per field), and the inject runner is the
default, so each transition is judged from the reference's own state. Lockstep runs measure how
long free-running trajectories stay within epsilon (`python -m cases.halfcheetah.horizon`).
"""

from __future__ import annotations

import dataclasses

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
PORT = "cheetah-jax"
PORT64 = "cheetah-jax-x64"
PORT_MUTANTS = tuple(f"cheetah-jax-mut-{n}" for n in (
    "gear", "damping", "stiffness", "armature", "nolimit", "nofriction", "noshins", "eulerdamp", "frameskip",
    "stalex", "ctrlcost", "nonoise"))
"""Mutants of the port (float64 builds, one semantic change each; adapters/cheetah_jax.py)."""
PORT_FAMILY = (PORT64, *PORT_MUTANTS)
"""float64 builds of the port: the L1 pairs with float64 tolerances apply to them."""


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
    Scenario("a shin on the floor", actions=[[0.0] * 6] * 2 + _script(2, 4),
             state=lambda: _state([0.0, -0.34, 0.2, 0, 0.7, 0, 0, -1.1, 0], [0.5, -0.5, 0, 0, 0, 0, 0, 0, 0])),
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
        *port_components(s),
    ]


def port_components(s: float = 1.0) -> list[ComponentPair]:
    """L1 pairs of the JAX port: MuJoCo's functions against the port's on `far_states` (far from reset too).

    float64 (PORT_FAMILY): tolerances about 10x above the worst of 300 random far states (mass matrix
    8.9e-15, bias 2.5e-12, kinematics 8.9e-16, contacts 8.9e-16; constraint forces 6.5e-7 and one
    step's qvel 1.3e-6 relative, where MuJoCo's own solver tolerance speaks). float32 (PORT): the smooth
    components only (measured 3.2e-6, 6.1e-4 on forces near 1000, 5.8e-7, 6.2e-7); its constraint solve
    differs by up to 5 % relative at extreme states (deep penetration at 30 rad/s), so constraint and
    step pairs are float64 only.
    """
    f64, f32 = PORT_FAMILY, (PORT,)
    states = comp.far_states()
    pairs = []
    for fam, tol in ((f64, {"M": (1e-10, 1e-10), "bias": (1e-9, 1e-10), "kin": (1e-12, 0), "con": (1e-12, 0)}),
                     (f32, {"M": (1e-5, 1e-5), "bias": (1e-3, 2e-4), "kin": (1e-5, 0), "con": (1e-5, 0)})):
        x64 = fam is f64
        tag = "float64" if x64 else "float32"
        pairs += [
            ComponentPair(f"port {tag}: mass matrix (mj_fullM)", comp.ref_port_mass, comp.cand_port("M"), states,
                          Approx(atol=tol["M"][0] * s, rtol=tol["M"][1] * s), fam, 100, bind=True),
            ComponentPair(f"port {tag}: bias forces (mj_rne, qfrc_bias)", comp.ref_port_bias,
                          comp.cand_port("qfrc_bias"), states,
                          Approx(atol=tol["bias"][0] * s, rtol=tol["bias"][1] * s), fam, 100, bind=True),
            ComponentPair(f"port {tag}: kinematics (mj_kinematics: xpos, pitch)", comp.ref_port_kinematics,
                          comp.cand_port_kinematics, states, Approx(atol=tol["kin"][0] * s), fam, 100, bind=True),
            ComponentPair(f"port {tag}: floor contacts (mj_collision)",
                          lambda q, v, u, x64=x64: comp.ref_port_contacts(q, v, u, x64), comp.cand_port_contacts,
                          states, Approx(atol=tol["con"][0] * s), fam, 100, bind=True),
        ]
    pairs += [
        ComponentPair("port float64: constraint solve (qfrc_constraint, qacc)", comp.ref_port_constraint,
                      comp.cand_port(("qfrc_constraint", "qacc")), states, Approx(atol=1e-5 * s, rtol=1e-4 * s),
                      f64, 100, bind=True),
        ComponentPair("port float64: one integrator step (mj_step: qpos, qvel)", comp.ref_port_step,
                      comp.cand_port(("next_qpos", "next_qvel"), {"next_qpos": "qpos", "next_qvel": "qvel"}),
                      states, Approx(atol=1e-5 * s, rtol=1e-5 * s), f64, 100, bind=True),
    ]
    return pairs


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
        candidates=[MJX, MJX64, PORT, PORT64, *BRAX, *MUTANTS, *PORT_MUTANTS],
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
            Invariant("port: mass matrix symmetric positive definite", comp.port_spd, comp.far_states(),
                      (PORT, *PORT_FAMILY), 100, bind=True),
        ],
        scenarios=SCENARIOS,
        transfer=TransferSpec(margin=100.0, train_episodes=2, train_iterations=3, population=8, eval_episodes=10,
                              max_steps=100),
        episodes=3,
        steps=300,
        runner="inject",
        stateful_steps=stateful_steps,
        corpus_dir=CORPUS,
        description="HalfCheetah-v5: MuJoCo vs MJX, Brax and our JAX port, L-infinity epsilon, inject runner",
    )


CASE = make_case()

FLOAT32_OVERRIDES = {"qvel": 5e-2, "obs": 5e-2}
"""Per-field tolerances under which float32 MJX agrees on every measured transition: 97 of 100,000
inject transitions leave 1e-3 in qvel (at most 0.032), none leaves 5e-2; every other field keeps 1e-3."""

FLOAT32 = dataclasses.replace(make_case(overrides=FLOAT32_OVERRIDES, name="halfcheetah-f32", stateful_steps=L2_STEPS),
                              variant_of="halfcheetah")
"""The float32 variant: `equivcheck diff --case halfcheetah-f32 --ref mujoco-halfcheetah --cand mujoco-mjx ...`."""
