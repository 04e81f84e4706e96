"""Mutants of the MJX candidate and of the JAX port (one semantic change each): the tiers must catch every one.

The MJX mutants are float32 builds, so they run under the float32 variant (qvel/obs at 5e-2): what is
caught is the semantic change, not float32 rounding. The port's mutants are float64 builds judged by
the strict case (1e-3 everywhere).
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


PORT_INJECT = {
    "cheetah-jax-mut-gear": (1, {"qpos", "qvel", "obs", "reward"}),
    "cheetah-jax-mut-damping": (1, {"qpos", "qvel", "obs", "reward"}),
    "cheetah-jax-mut-stiffness": (1, {"qpos", "qvel", "obs"}),
    "cheetah-jax-mut-armature": (1, {"qpos", "qvel", "obs", "reward"}),
    "cheetah-jax-mut-eulerdamp": (1, {"qpos", "qvel", "obs", "reward"}),
    "cheetah-jax-mut-frameskip": (1, {"qpos", "qvel", "obs", "reward"}),
    "cheetah-jax-mut-stalex": (1, {"reward"}),
    "cheetah-jax-mut-ctrlcost": (1, {"reward"}),
    "cheetah-jax-mut-nonoise": (0, {"qpos", "qvel", "obs", "rng"}),
}
"""Port mutants (float64 builds, strict 1e-3 case) that L3 inject catches on the first steps of any episode."""

PORT_SCENARIO = {
    "cheetah-jax-mut-nolimit": "joint limits hit",
    "cheetah-jax-mut-nofriction": "falling on the back",
    "cheetah-jax-mut-noshins": "a shin on the floor",
}
"""Port mutants of contacts and limits: the L2 start that reaches the missing physics catches them."""


@pytest.mark.tier("rollout")
@pytest.mark.parametrize("mutant", sorted(PORT_INJECT))
def test_inject_kills_port_mutant(equivcheck_run, mutant: str) -> None:
    report = equivcheck_run("halfcheetah", "rollout", mutant, episodes=1, steps=5, shrink=False, save_corpus=False)
    assert report.status == "divergent", report.status
    step, fields = PORT_INJECT[mutant]
    first = report.divergences[0]
    assert first.step == step
    seen = {d.path for d in first.diffs}
    assert seen and seen <= fields, seen  # which fields leave 1e-3 on that step depends on the drawn episode


@pytest.mark.tier("interaction")
@pytest.mark.parametrize("mutant", sorted(PORT_SCENARIO))
def test_scenario_kills_port_mutant(mutant: str) -> None:
    """The named start diverges within its 4-6 step script (the faithful port passes it: test_interaction)."""
    from cases.halfcheetah.case import CASE
    from equivcheck import registry
    from equivcheck.tiers.interaction import run_scenario

    scenario = next(s for s in CASE.scenarios if s.name == PORT_SCENARIO[mutant])
    result = run_scenario(registry.make_adapter(CASE.reference), registry.make_adapter(mutant), CASE.schema, scenario)
    assert result.divergences and {"qpos", "qvel"} <= {d.path for d in result.divergences[0].diffs}


def test_every_port_mutant_is_tested() -> None:
    """The kill tests above cover every mutant the case lists (python -m cases.halfcheetah.mutants: all tiers)."""
    from cases.halfcheetah.case import PORT_MUTANTS

    assert set(PORT_INJECT) | set(PORT_SCENARIO) == set(PORT_MUTANTS)
