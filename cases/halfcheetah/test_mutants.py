"""Mutants of the MJX candidate (one semantic change each): the tiers must catch every one.

They are float32 builds, so they run under the float32 variant (qvel/obs at 5e-2): what is caught is
the semantic change, not float32 rounding.
"""

from __future__ import annotations

import pytest


EXPECTED = {
    "mujoco-mjx-mut-frameskip": (1, {"qpos", "qvel", "obs", "reward"}),
    "mujoco-mjx-mut-ctrlcost": (1, {"reward"}),
    "mujoco-mjx-mut-nonoise": (0, {"qpos", "qvel", "obs", "rng"}),
    "mujoco-mjx-mut-obsx": (0, {"obs"}),
}


@pytest.mark.tier("rollout")
@pytest.mark.parametrize("mutant", sorted(EXPECTED))
def test_inject_kills_mutant(equivcheck_run, mutant: str) -> None:
    report = equivcheck_run("halfcheetah-f32", "rollout", mutant, episodes=1, steps=10, shrink=False, save_corpus=False)
    assert report.status == "divergent", report.status
    step, fields = EXPECTED[mutant]
    first = report.divergences[0]
    assert first.step == step
    assert {d.path for d in first.diffs} == fields


@pytest.mark.tier("interaction")
@pytest.mark.parametrize("mutant", ["mujoco-mjx-mut-frameskip", "mujoco-mjx-mut-ctrlcost"])
def test_scenarios_kill_step_mutants(equivcheck_run, mutant: str) -> None:
    report = equivcheck_run("halfcheetah-f32", "interaction", mutant, steps=2, shrink=False, save_corpus=False)
    assert report.status == "divergent", report.status
