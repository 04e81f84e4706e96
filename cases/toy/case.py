"""The toy cases: an integer walker, a float point mass, a stochastic dice game.

They exist to prove the checker (tests/ runs their deliberately broken mutants) and to give a
new user a diff that runs in seconds.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from hypothesis import strategies as st

from equivcheck.case import Case, ComponentPair, Invariant, Scenario, TransferSpec, changes, happens
from equivcheck.oracles.approx import Approx
from equivcheck.schema import Field, Schema
from envs.toy import dice, mass, walk

CORPUS = Path(__file__).parent / "corpus"


def _walk_state(x: int, t: int = 0) -> dict:
    return {"x": x, "t": t, "bumps": 0, "total": 0}


WALK_EVENTS = ("left", "bump the left wall", "right", "stay", "jump", "reach the goal", "truncated at the horizon")


def walk_coverage(prev: dict, action: object, cur: dict) -> list[str]:
    """The walker's events: each action (a left move into the wall is a bump), the goal, truncation."""
    move = ("left", "right", "stay", "jump")[int(np.asarray(action))]
    events = ["bump the left wall" if move == "left" and cur["bumps"] > prev["bumps"] else move]
    if cur["terminated"]:
        events.append("reach the goal")
    if cur["truncated"]:
        events.append("truncated at the horizon")
    return events


WALK = Case(
    name="toy-walk",
    reference="toy-walk-ref",
    candidates=["toy-walk-cand"],
    schema=Schema([
        Field("x", "int64", doc="cell 0..9"),
        Field("t", "int64", doc="steps taken"),
        Field("bumps", "int64", doc="left-wall bumps"),
        Field("total", "int64", doc="return so far"),
        Field("reward", "float64"),
    ]),
    liveness=[
        changes("the walker moves", "x"),
        happens("the goal is reached", lambda prev, cur: cur["terminated"]),
        happens("a wall bump costs", lambda prev, cur: cur["reward"] < 0),
    ],
    components=[
        ComponentPair("clamp", walk.ref_clamp, lambda ad, x: int(ad.env.clamp(np.array([x]))[0]),
                      st.integers(-5, 15), bind=True),
        ComponentPair("reward", walk.ref_reward, lambda ad, x, a: walk.cand_reward(type(ad.env), x, a),
                      st.tuples(st.integers(0, walk.GOAL - 1), st.integers(0, 2)), bind=True),
    ],
    invariants=[
        Invariant("cell stays on the board",
                  lambda ad, x, a: 0 <= ad.env.clamp(np.array([x + ad.env.moves[a]]))[0] <= walk.GOAL,
                  st.tuples(st.integers(0, walk.GOAL - 1), st.integers(0, 3)), bind=True),
    ],
    scenarios=[
        Scenario("left wall", actions=[0, 0, 1, 0], state=lambda: _walk_state(0)),
        Scenario("jump to goal", actions=[3], state=lambda: _walk_state(7)),
        Scenario("truncation", actions=[2, 2], state=lambda: _walk_state(3, walk.HORIZON - 2)),
    ],
    transfer=TransferSpec(margin=0.5, featurise=lambda obs: np.array([float(obs), 1.0]), max_steps=walk.HORIZON,
                          train_episodes=4, train_iterations=4, population=10, eval_episodes=20),
    episodes=60,
    steps=walk.HORIZON,
    corpus_dir=CORPUS,
    description="integer walker: exact comparison, legal masks, batch candidate",
    coverage=walk_coverage,
    coverage_events=WALK_EVENTS,
)

_F = Approx(atol=1e-5, rtol=0.0)

MASS_EVENTS = ("bounce off a side wall (x)", "bounce off the top or bottom wall (y)", "truncated at the horizon")


def mass_coverage(prev: dict, action: object, cur: dict) -> list[str]:
    """The point mass's events: a bounce on each axis (velocity flips past the wall), truncation."""
    events = []
    for axis, name in enumerate(MASS_EVENTS[:2]):
        flipped = np.sign(cur["vel"][axis]) == -np.sign(prev["vel"][axis]) != 0
        if flipped and abs(float(cur["pos"][axis])) > 1.0:
            events.append(name)
    if cur["truncated"]:
        events.append(MASS_EVENTS[2])
    return events

MASS = Case(
    name="toy-mass",
    reference="toy-mass-ref",
    candidates=["toy-mass-cand"],
    schema=Schema([
        Field("pos", "float32", (2,), _F),
        Field("vel", "float32", (2,), _F),
        Field("t", "int64"),
        Field("reward", "float64", oracle=_F),
    ]),
    liveness=[
        changes("the mass moves", "pos"),
        happens("a wall bounce", lambda prev, cur: bool(np.any(np.sign(cur["vel"]) == -np.sign(prev["vel"]))
                                                         and np.any(np.abs(cur["pos"]) > 1.0))),
    ],
    components=[
        ComponentPair(
            "reflect",
            lambda p, v: mass.ref_reflect(np.array(p, np.float32), np.array(v, np.float32)),
            lambda ad, p, v: ad.env.reflect(np.array(p, np.float32), np.array(v, np.float32)),
            st.tuples(st.lists(st.floats(-1.5, 1.5, width=32), min_size=2, max_size=2),
                      st.lists(st.floats(-1, 1, width=32), min_size=2, max_size=2)),
            oracle=Approx(atol=1e-6), bind=True,
        ),
    ],
    scenarios=[
        Scenario("into the right wall", actions=[[1.0, 0.0]] * 6,
                 state=lambda: {"pos": np.array([1.15, 0.0], np.float32), "vel": np.array([1.5, 0.0], np.float32), "t": 0}),
        Scenario("into the bottom wall", actions=[[0.0, -1.0]] * 6,
                 state=lambda: {"pos": np.array([0.0, -1.15], np.float32), "vel": np.array([0.0, -1.5], np.float32), "t": 0}),
    ],
    transfer=TransferSpec(margin=5.0, max_steps=mass.HORIZON, train_episodes=3, train_iterations=3, population=8,
                          eval_episodes=20),
    episodes=10,
    steps=mass.HORIZON,
    runner="inject",
    corpus_dir=CORPUS,
    description="float point mass: approximate comparison, inject runner, error curves",
    coverage=mass_coverage,
    coverage_events=MASS_EVENTS,
)

DICE_EVENTS = ("roll", "bust (roll of 1)", "bank", "reach the target", "out of turns")


def dice_coverage(prev: dict, action: object, cur: dict) -> list[str]:
    """The dice game's events: a roll (and a bust), a bank, the two ways a game ends."""
    events = ["roll" if int(np.asarray(action)) == 1 else "bank"]
    if events[0] == "roll" and cur["last"] == 1:
        events.append("bust (roll of 1)")
    if cur["terminated"]:
        events.append("reach the target")
    if cur["truncated"]:
        events.append("out of turns")
    return events


DICE = Case(
    name="toy-dice",
    reference="toy-dice-ref",
    candidates=["toy-dice-cand"],
    schema=Schema([
        Field("rng", "uint64", doc="LCG state: compared every step"),
        Field("score", "int64"),
        Field("pot", "int64"),
        Field("turn", "int64"),
        Field("last", "int64", doc="last die face, 0 after banking"),
        Field("reward", "float64"),
    ]),
    liveness=[
        changes("the generator advances", "rng"),
        happens("a bust (roll of 1)", lambda prev, cur: cur["last"] == 1),
        happens("a bank pays", lambda prev, cur: cur["reward"] > 0),
    ],
    components=[
        ComponentPair("die", dice.lcg_die, lambda ad, state: dice.cand_die_face(type(ad.env), state),
                      st.integers(0, dice.MASK), bind=True),
    ],
    scenarios=[
        Scenario("roll then bank", actions=[1, 1, 0, 1, 0], seed=7),
        Scenario("near the target", actions=[1, 1, 1, 0],
                 state=lambda: {"rng": 12345, "score": 27, "pot": 0, "turn": 3, "last": 0}),
    ],
    transfer=TransferSpec(margin=3.0, featurise=lambda obs: np.concatenate([np.asarray(obs, np.float64) / 10.0, [1.0]]),
                          max_steps=200, train_episodes=6, train_iterations=4, population=10, eval_episodes=200),
    episodes=30,
    steps=200,
    corpus_dir=CORPUS,
    description="stochastic dice: RNG state in the schema",
    coverage=dice_coverage,
    coverage_events=DICE_EVENTS,
)
