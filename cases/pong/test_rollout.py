"""L3 on Pong: whole episodes of the mixed scripted/random player, every field every step, exact;
lockstep, inject and batched. The liveness conditions must turn a reference that does not move
(the shipped CyPong loaded naively, or a frozen pong-c) into an error, never a pass.

Full run: `equivcheck diff --ref pong-c --cand pong-jax --episodes 100` (see README.md).
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


def _episodes(request: pytest.FixtureRequest, default: int) -> int:
    return request.config.getoption("--episodes") or default


@pytest.mark.tier("rollout")
@pytest.mark.parametrize(("runner", "episodes"), [("lockstep", 2), ("inject", 1)])
def test_rollout(equivcheck_run, request: pytest.FixtureRequest, runner: str, episodes: int) -> None:  # noqa: ANN001
    report = equivcheck_run("pong", "rollout", "pong-jax", runner=runner, episodes=_episodes(request, episodes))
    assert_equivalent(report)
    assert report.liveness and all(report.liveness.values()), report.liveness


@pytest.mark.tier("rollout")
def test_rollout_batched(equivcheck_run, request: pytest.FixtureRequest) -> None:  # noqa: ANN001
    report = equivcheck_run("pong", "rollout", "pong-jax", batch=2, episodes=_episodes(request, 2))
    assert_equivalent(report)
    assert all(report.liveness.values()), report.liveness


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
    ("extra_rng_draw", "lockstep", "rng.table"),
    ("tick_not_reset", "inject", "tick"),
])
def test_rollout_catches(equivcheck_run, mutant: str, runner: str, field: str) -> None:  # noqa: ANN001
    report = equivcheck_run("pong", "rollout", register(mutant), runner=runner, episodes=1, steps=3000,
                            save_corpus=False, shrink=False)
    assert report.status == "divergent", report.error
    assert field in {d.path for d in report.divergences[0].diffs}
    if runner == "inject":
        assert len(report.divergences) > 1, "inject reports every faulty transition"
