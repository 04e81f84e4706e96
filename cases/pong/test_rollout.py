"""L3 on Pong: whole episodes of the mixed scripted/random player, every field every step, exact;
lockstep, inject and batched. The liveness conditions must turn a reference that does not move
(the shipped CyPong loaded naively, or a frozen pong-c) into an error, never a pass.

Full run: `equivcheck diff --ref pong-c --cand pong-jax --episodes 100` (see README.md).

Seed-sensitive: the lockstep test's liveness (rarely, the MixedPlayer never scores in an episode) and
the mutant tests (a mutant shows only once a point is played); their episode counts come from the
per-episode rates below (`scripts/liveness_rates.py`). The inject and batched tests check every
transition but leave liveness over so few episodes to the lockstep test.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cases.pong.case import CASE
from cases.pong.mutation_score import register
from cases.pong.naive import FrozenPongC
from equivcheck import registry
from equivcheck.pytest_plugin import assert_equivalent
from tests import power

MEASURED = 120
HELD = {"the ball moves": 120, "the agent scores (score.r grows)": 119, "the opponent scores (score.l grows)": 120,
        "a positive point reward (+1)": 119, "a negative point reward (-1)": 120,
        "the agent hits the ball (+0.1)": 120, "an episode ends": 120}
"""Episodes of MEASURED (at most 10,000 steps) meeting each liveness condition:
`python scripts/liveness_rates.py pong --episodes 120`: in one of them the agent never scored, so the
old inject test (one episode) was vacuous in about 1% of runs."""
LIVENESS_EPISODES = power.liveness_episodes(HELD, MEASURED)
LIVENESS_BOUND = power.vacuous(HELD, MEASURED, LIVENESS_EPISODES)

MUTANT_STEPS = 1500
MEASURED_SHORT = 300
SCORED_SHORT = {"agent": 295, "opponent": 300}
"""Episodes of MEASURED_SHORT cut at MUTANT_STEPS in which the agent, the opponent scored:
`python scripts/liveness_rates.py pong --episodes 300 --steps 1500`."""
NO_POINT = 1.0 - power.rate_lower(max(SCORED_SHORT.values()), MEASURED_SHORT)
"""Upper bound on the chance that a MUTANT_STEPS-step episode has no point."""
FEWER_THAN_TWO = power.union(*(1.0 - power.rate_lower(k, MEASURED_SHORT) for k in SCORED_SHORT.values()))
"""Upper bound on the chance that it has fewer than two points (it lacks the agent's or the opponent's)."""
MUTANT_EPISODES = {"extra_rng_draw": 3, "tick_not_reset": 4}


def _under_two_points(episodes: int) -> float:
    """Bound on fewer than two points in all: every episode has fewer than two, or all but one have none."""
    return min(FEWER_THAN_TWO**episodes, episodes * NO_POINT ** (episodes - 1))


MISSES = {"extra_rng_draw": NO_POINT ** MUTANT_EPISODES["extra_rng_draw"],
          "tick_not_reset": _under_two_points(MUTANT_EPISODES["tick_not_reset"])}
"""extra_rng_draw shows at the first point of an episode;
tick_not_reset at every point (inject re-syncs after each), and the test wants two divergences."""


def _episodes(request: pytest.FixtureRequest, default: int) -> int:
    return request.config.getoption("--episodes") or default


def _assert_tier_equivalent(report) -> None:  # noqa: ANN001
    """Every compared step equal (liveness over so few episodes is left to test_rollout_lockstep)."""
    tier = report.tiers[0]
    assert tier.status == "equivalent" and not tier.divergences, report.error or tier.divergences[0].headline()
    assert tier.steps > 1000 * tier.episodes


@pytest.mark.tier("rollout")
@pytest.mark.seed_sensitive(bound=LIVENESS_BOUND, why="liveness over LIVENESS_EPISODES episodes")
def test_rollout_lockstep(equivcheck_run, request: pytest.FixtureRequest) -> None:  # noqa: ANN001
    report = equivcheck_run("pong", "rollout", "pong-jax", episodes=_episodes(request, LIVENESS_EPISODES))
    assert_equivalent(report)
    assert report.liveness and all(report.liveness.values()), report.liveness


@pytest.mark.tier("rollout")
def test_rollout_inject(equivcheck_run, request: pytest.FixtureRequest) -> None:  # noqa: ANN001
    _assert_tier_equivalent(equivcheck_run("pong", "rollout", "pong-jax", runner="inject",
                                           episodes=_episodes(request, 1)))


@pytest.mark.tier("rollout")
def test_rollout_batched(equivcheck_run, request: pytest.FixtureRequest) -> None:  # noqa: ANN001
    _assert_tier_equivalent(equivcheck_run("pong", "rollout", "pong-jax", batch=2, episodes=_episodes(request, 2)))


def _naive_results() -> list[dict]:
    """`python -m cases.pong.naive` in a fresh process (the naive module's step is undefined behaviour:
    glibc's regexp `step` reads garbage; it returns at once in a quiet process, it may block in a busy one)."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "XLA_FLAGS": "--xla_cpu_multi_thread_eigen=false"}
    try:
        done = subprocess.run([sys.executable, "-m", "cases.pong.naive"], capture_output=True, text=True,
                              timeout=120, env=env, cwd=Path(__file__).resolve().parents[2])
    except subprocess.TimeoutExpired:
        pytest.skip("the naively loaded CyPong blocked inside glibc's regexp step (undefined behaviour)")
    if "cannot" in done.stderr and done.returncode:
        pytest.skip(f"the shipped cy_pong cannot be loaded here: {done.stderr.strip().splitlines()[-1]}")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.tier("rollout")
def test_naive_reference_is_an_error_not_a_pass() -> None:
    """Two naively loaded CyPongs agree on every step because neither moves: liveness says so; against
    the working reference (our shim) the naive one diverges at once."""
    alone, against_shim = _naive_results()
    assert alone["status"] == "error", alone
    assert "liveness" in alone["error"] and "the ball moves" in alone["error"] and "an episode ends" in alone["error"]
    assert not any(alone["liveness"].values())
    assert against_shim["status"] == "divergent" and against_shim["first_step"] == 1, against_shim


@pytest.mark.tier("rollout")
def test_frozen_reference_is_an_error_not_a_pass(equivcheck_run) -> None:  # noqa: ANN001
    registry.register_adapter(FrozenPongC.name, FrozenPongC)
    frozen = dataclasses.replace(CASE, name="pong-frozen", reference=FrozenPongC.name,
                                 candidates=[FrozenPongC.name], corpus_dir=None)
    registry.register_case("pong-frozen", frozen)
    report = equivcheck_run("pong-frozen", "rollout", FrozenPongC.name, episodes=1, steps=400, save_corpus=False)
    assert report.status == "error"
    assert "vacuous" in report.error and "the ball moves" in report.error


@pytest.mark.tier("rollout")
@pytest.mark.parametrize(("mutant", "runner", "field"), [
    pytest.param("extra_rng_draw", "lockstep", "rng.table",
                 marks=pytest.mark.seed_sensitive(bound=MISSES["extra_rng_draw"], why="a point in an episode")),
    pytest.param("tick_not_reset", "inject", "tick",
                 marks=pytest.mark.seed_sensitive(bound=MISSES["tick_not_reset"], why="two points in all")),
])
def test_rollout_catches(equivcheck_run, mutant: str, runner: str, field: str) -> None:  # noqa: ANN001
    report = equivcheck_run("pong", "rollout", register(mutant), runner=runner, episodes=MUTANT_EPISODES[mutant],
                            steps=MUTANT_STEPS, save_corpus=False, shrink=False)
    assert report.status == "divergent", report.error
    assert field in {d.path for d in report.divergences[0].diffs}
    if runner == "inject":
        assert len(report.divergences) > 1, "inject reports every faulty transition"
