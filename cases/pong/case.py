"""The Pong case: PufferLib 2.0.2's C Pong (pong-c) against the pure-JAX port (pong-jax).

Every field is compared exactly (the port is bit-exact), the glibc stream (rng.table, rng.rptr)
included, every step. L1 pairs live in cases/pong/components.py; L2 scenarios start from states
restored into both sides; L3 uses a scripted player mixed with random actions (random actions
alone never score against pong.h's opponent); L4 trains a linear policy on a truncated horizon.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import strategies as st

from adapters.pong_c.fields import DTYPES, SHAPES
from cases.pong import components as c
from envs.pongjax.scripted import spin_action
from equivcheck.case import Case, ComponentPair, Invariant, Scenario, TransferSpec, changes, happens
from equivcheck.schema import Field, Schema

CORPUS = Path(__file__).parent / "corpus"

_DOCS = {
    "paddle.yl": "opponent's (left) paddle, tracks the ball", "paddle.yr": "agent's (right) paddle",
    "paddle.dir": "agent's last direction (+1 up, -1 down)", "ball.x": "ball position", "ball.y": "ball position",
    "ball.vx": "ball speed", "ball.vy": "ball speed (spin changes it)", "score.l": "opponent's points",
    "score.r": "agent's points", "tick": "steps since the last serve", "n_bounces": "paddle hits since the serve",
    "win": "1 when the agent won the last point", "obs": "observation buffer (stale after a point)",
    "reward": "the step's reward", "terminal": "terminal buffer", "rng.table": "glibc rand() table",
    "rng.rptr": "glibc rand() rear index",
}

SCHEMA = Schema(
    [Field(path, DTYPES[path].name, SHAPES[path], doc=_DOCS.get(path, "")) for path in DTYPES],
    version="1",
)


class MixedPlayer:
    """The rollout policy: per point, the spin player (wins points) or random actions (loses them).

    The first point of an episode is played with spin, the second randomly; later points spin
    with a per-episode probability (0.1 or 0.9), so episodes end in ~2,000-9,000 steps, both
    scores move, and some episodes reach the agent's 20th and 21st points. A new point is seen
    in the observation: the ball jumps back to the serve position.
    """

    def __init__(self, space: Any, rng: np.random.Generator) -> None:
        self.rng = rng
        self.p_spin = float(rng.choice([0.1, 0.9]))
        self.prev_x: float | None = None
        self.points = 0
        self.spin = True

    def __call__(self, t: int, obs: Any, mask: Any) -> int:
        x = float(np.asarray(obs)[2])
        if self.prev_x is None or x < self.prev_x - 0.3 or (self.prev_x < 0.05 and x > 0.15):
            self.spin = self.points == 0 or (self.points > 1 and self.rng.random() < self.p_spin)
            self.points += 1
        self.prev_x = x
        if self.spin:
            return spin_action(obs, self.rng, 0.02)
        return int(self.rng.integers(3))


def _grew(path: str) -> Any:
    """Predicate: `path` increased on this step (False when a snapshot lacks it)."""
    return lambda prev, cur: path in prev and path in cur and int(cur[path]) > int(prev[path])


LIVENESS = [
    changes("the ball moves", "ball.x"),
    happens("the agent scores (score.r grows)", _grew("score.r")),
    happens("the opponent scores (score.l grows)", _grew("score.l")),
    happens("a positive point reward (+1)", lambda prev, cur: float(cur["reward"]) > 0.5),
    happens("a negative point reward (-1)", lambda prev, cur: float(cur["reward"]) < -0.5),
    happens("the agent hits the ball (+0.1)", lambda prev, cur: 0.0 < float(cur["reward"]) < 0.5),
    happens("an episode ends", lambda prev, cur: bool(cur["terminated"])),
]

COVERAGE_EVENTS = (
    "agent hits the ball (+0.1)", "opponent returns the ball", "wall bounce", "agent scores", "opponent scores",
    "agent wins the game", "opponent wins the game",
)


def coverage(prev: dict[str, Any], action: Any, cur: dict[str, Any]) -> list[str]:
    """Pong's events on one reference step: paddle hits on each side, wall bounces, points, games won."""
    reward = float(cur["reward"])
    vx0, vx1 = float(prev["ball.vx"]), float(cur["ball.vx"])
    vy0, vy1 = float(prev["ball.vy"]), float(cur["ball.vy"])
    point = abs(reward) > 0.5
    events = []
    if 0.0 < reward < 0.5:
        events.append("agent hits the ball (+0.1)")
    if not point and vx0 < 0 < vx1:
        events.append("opponent returns the ball")
    if not point and np.sign(vx0) == np.sign(vx1) and vy0 * vy1 < 0:
        events.append("wall bounce")
    if point:
        events.append("agent scores" if reward > 0 else "opponent scores")
        if cur["terminated"]:
            events.append("agent wins the game" if reward > 0 else "opponent wins the game")
    return events


COMPONENTS = [
    ComponentPair("paddle motion, tracking and clamp", c.ref_paddles, c.cand_paddles, c.paddle_inputs(),
                  bind=True, max_examples=150),
    ComponentPair("ball motion and wall bounce", c.ref_wall, c.cand_wall, c.wall_inputs(), bind=True,
                  max_examples=150),
    ComponentPair("agent paddle hit, spin, clip", c.ref_right_hit, c.cand_right_hit, c.right_hit_inputs(),
                  bind=True, max_examples=200),
    ComponentPair("speed increment and clamp", c.ref_spin, c.cand_spin, c.spin_inputs(), bind=True,
                  max_examples=150),
    ComponentPair("opponent paddle hit", c.ref_left_hit, c.cand_left_hit, c.left_hit_inputs(), bind=True,
                  max_examples=150),
    ComponentPair("observation", c.ref_observation, c.cand_observation, c.observation_inputs(), bind=True,
                  max_examples=100),
    ComponentPair("serve (reset_round)", c.ref_serve, c.cand_serve, c.serve_inputs(), bind=True, max_examples=60),
    ComponentPair("glibc rand() emulation", c.ref_rand, c.cand_rand,
                  st.tuples(c.SEEDS, st.integers(0, c.DRAWS)), bind=True, max_examples=60),
    ComponentPair("reset(seed)", c.ref_reset, c.cand_reset, c.SEEDS, bind=True, max_examples=40),
    ComponentPair("reset with parameters", c.ref_reset_params, c.cand_reset_params, c.reset_params_inputs(),
                  bind=True, max_examples=40),
    ComponentPair("scoring step (points, terminal, auto-reset)", c.ref_transition, c.cand_transition,
                  c.scoring_inputs(), bind=True, max_examples=150),
    ComponentPair("step from states near walls and paddles", c.ref_transition, c.cand_transition,
                  c.step_inputs(), bind=True, max_examples=200),
]

INVARIANTS = [
    Invariant("paddles stay in the field", c.paddles_stay_in_field, c.paddle_inputs(), bind=True, max_examples=100),
    Invariant("0.01 < |vy| <= max after a hit", c.spin_stays_bounded, c.spin_inputs(), bind=True, max_examples=100),
]


def _state(overrides: dict[str, Any]) -> Any:
    return lambda: c.construct(overrides)


_FAR_LEFT = {"ball.x": 5.0, "ball.vx": -10.0, "paddle.yl": 0.0, "ball.y": 500.0, "ball.vy": 0.0}
_FAR_RIGHT = {"ball.x": 465.0, "ball.vx": 10.0, "paddle.yr": 0.0, "ball.y": 500.0, "ball.vy": 0.0}

SCENARIOS = [
    Scenario("serve from seed 0 (srand(0) == srand(1))", actions=[0, 1, 2] * 20, seed=0),
    Scenario("rally along the top wall", actions=[1] * 30 + [0] * 20 + [2] * 30,
             state=_state({"ball.x": 300.0, "ball.y": 600.0, "ball.vx": 10.0, "ball.vy": 7.0, "paddle.yr": 560.0})),
    Scenario("rally: spin hits on both walls", actions=([1] * 12 + [2] * 12) * 6,
             state=_state({"ball.x": 420.0, "ball.y": 300.0, "ball.vx": 10.0, "ball.vy": 4.0, "paddle.yr": 290.0})),
    Scenario("exact contact: ball top == paddle bottom", actions=[0, 0, 0],
             state=_state({"ball.x": 460.0, "ball.vx": 10.0, "ball.y": 268.0, "ball.vy": 0.0, "paddle.yr": 300.0})),
    Scenario("exact contact: ball bottom == paddle top", actions=[0, 0, 0],
             state=_state({"ball.x": 460.0, "ball.vx": 10.0, "ball.y": 370.0, "ball.vy": 0.0, "paddle.yr": 300.0})),
    Scenario("vy 12 hit by an upward paddle (clamp to 13)", actions=[1, 0, 0, 0],
             state=_state({"ball.x": 460.0, "ball.vx": 10.0, "ball.y": 300.0, "ball.vy": 12.0, "paddle.yr": 280.0})),
    Scenario("vy -12 hit by a downward paddle (clamp to -13)", actions=[2, 0, 0, 0],
             state=_state({"ball.x": 460.0, "ball.vx": 10.0, "ball.y": 300.0, "ball.vy": -12.0, "paddle.yr": 300.0})),
    Scenario("vy -3 hit upward: never horizontal", actions=[1, 0],
             state=_state({"ball.x": 460.0, "ball.vx": 10.0, "ball.y": 300.0, "ball.vy": -3.0, "paddle.yr": 290.0})),
    Scenario("opponent returns the ball (n_bounces)", actions=[0] * 5,
             state=_state({"ball.x": 5.0, "ball.vx": -10.0, "ball.y": 300.0, "ball.vy": 0.0, "paddle.yl": 285.0})),
    Scenario("agent's 20th point (score.r = 19)", actions=[0] * 3, state=_state({**_FAR_LEFT, "score.r": 19})),
    Scenario("agent wins at 21 (score.r = 20)", actions=[0] * 3, state=_state({**_FAR_LEFT, "score.r": 20})),
    Scenario("opponent's 20th point (score.l = 19)", actions=[0] * 3, state=_state({**_FAR_RIGHT, "score.l": 19})),
    Scenario("opponent wins at 21 (score.l = 20)", actions=[0] * 3, state=_state({**_FAR_RIGHT, "score.l": 20})),
    Scenario("a point in frame 3 of frameskip 4", actions=[1, 2, 0],
             state=_state({**_FAR_LEFT, "ball.x": 25.0, "config.frameskip": 4})),
    Scenario("stale observation after a point", actions=[2] * 6, state=_state({**_FAR_LEFT, "win": 0})),
]


def _features(obs: Any) -> np.ndarray:
    """Ball centre minus paddle centre (in paddle heights), the ball's x and vertical speed."""
    o = np.asarray(obs, dtype=np.float64)
    gap = (o[3] * 640.0 + 16.0) - o[1] * 640.0
    return np.array([gap / 70.0, o[2], o[5] - 0.5])


TRANSFER = TransferSpec(margin=1.0, featurise=_features, train_episodes=2, train_iterations=3, population=8,
                        eval_episodes=10, max_steps=300)
"""CI size: a 300-step horizon on both sides. `python -m cases.pong.full transfer` runs TRANSFER_FULL."""

TRANSFER_FULL = TransferSpec(margin=1.0, featurise=_features, train_episodes=4, train_iterations=6, population=12,
                             eval_episodes=30, max_steps=2000)

CASE = Case(
    name="pong",
    reference="pong-c",
    candidates=["pong-jax"],
    schema=SCHEMA,
    liveness=LIVENESS,
    components=COMPONENTS,
    invariants=INVARIANTS,
    scenarios=SCENARIOS,
    transfer=TRANSFER,
    episodes=10,
    steps=10_000,
    runner="lockstep",
    corpus_dir=CORPUS,
    description="PufferLib's C Pong vs pure-JAX Pong: every struct field and the glibc stream, exact",
    policy=MixedPlayer,
    coverage=coverage,
    coverage_events=COVERAGE_EVENTS,
)
