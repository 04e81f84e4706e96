"""L2 on HalfCheetah: scripted starts (on the back, a foot touching down, joint limits, truncation, a shin down)
and Hypothesis' stateful search, in lockstep from states restored into both sides.

float32 MJX leaves the 1e-3 band within 3 free-running steps after a hard contact, so it runs
under the float32 variant (qvel/obs at 5e-2) with 4-step searches; the float64 build runs the
strict case with the full 20 steps.
"""

from __future__ import annotations

import numpy as np
import pytest

from cases.halfcheetah.case import CASE, L2_STEPS
from equivcheck import registry
from equivcheck.pytest_plugin import assert_equivalent
from equivcheck.tiers.interaction import run_scenario


@pytest.mark.tier("interaction")
@pytest.mark.parametrize(("case", "cand", "steps"),
                         [("halfcheetah-f32", "mujoco-mjx", L2_STEPS), ("halfcheetah", "mujoco-mjx-x64", 20),
                          ("halfcheetah-f32", "cheetah-jax", L2_STEPS), ("halfcheetah", "cheetah-jax-x64", 20)])
def test_interaction(equivcheck_run, case: str, cand: str, steps: int) -> None:
    from equivcheck import registry

    assert registry.get_case(case).stateful_steps == steps
    report = equivcheck_run(case, "interaction", cand)
    assert_equivalent(report)
    assert report.tiers[0].episodes == len(CASE.scenarios)


@pytest.mark.tier("interaction")
def test_scenarios_reach_their_events() -> None:
    """The constructed starts do what their names say on the reference: contact, limits, truncation."""
    ref = registry.make_adapter(CASE.reference)
    by_name = {s.name: s for s in CASE.scenarios}
    model, data = ref.env.model, ref.env.data
    events: dict[str, set[str]] = {}
    for name, scenario in by_name.items():
        ref.reset(scenario.seed)
        if scenario.state is not None:
            ref.restore(scenario.state())
        seen = events.setdefault(name, set())
        for action in scenario.actions:
            out = ref.step(np.asarray(action, np.float32))
            joints = data.qpos[3:]
            lo, hi = model.jnt_range[3:, 0], model.jnt_range[3:, 1]
            if data.ncon:
                seen.add("contact")
            if {4, 7} & {int(g) for g in data.contact.geom2[:data.ncon]}:
                seen.add("shin contact")
            if np.any(joints <= lo + 0.01) or np.any(joints >= hi - 0.01):
                seen.add("limit")
            if abs(np.cos(data.qpos[2])) > 0.5 and np.cos(data.qpos[2]) < 0:
                seen.add("upside down")
            if out.truncated:
                seen.add("truncated")
    assert {"contact", "upside down"} <= events["falling on the back"]
    assert "contact" in events["a foot touching down"]
    assert "limit" in events["joint limits hit"]
    assert "truncated" in events["truncation at 1000 steps"]
    assert "shin contact" in events["a shin on the floor"]
    assert L2_STEPS >= 2


@pytest.mark.tier("interaction")
def test_float32_is_the_reason_mjx_leaves_epsilon_after_an_impact() -> None:
    """A 3-step script after a hard touchdown (found by the stateful search): float32 MJX ends far
    further from MuJoCo than the float64 build of the same code, which stays within 1e-6."""
    scenario = next(s for s in CASE.scenarios if s.name == "a foot touching down")
    actions = [[0.25, 1.0, 0.25, -1.0, -1.0, -0.75], [-0.75, -0.25, -0.75, -0.75, 0.25, 1.0],
               [0.5, 0.5, -1.0, 0.25, 0.75, 0.75]]
    errors = {}
    for cand in ("mujoco-mjx", "mujoco-mjx-x64"):
        ref, ad = registry.make_adapter(CASE.reference), registry.make_adapter(cand)
        for side in (ref, ad):
            side.reset(0)
            side.restore(scenario.state())
        for action in actions:
            ref.step(np.asarray(action, np.float32))
            ad.step(np.asarray(action, np.float32))
        errors[cand] = float(np.max(np.abs(ref.snapshot()["qvel"] - ad.snapshot()["qvel"])))
    assert errors["mujoco-mjx-x64"] < 1e-6, errors
    assert errors["mujoco-mjx"] > 100 * errors["mujoco-mjx-x64"], errors


@pytest.mark.tier("interaction")
@pytest.mark.parametrize("cand", ["brax-generalized", "brax-spring"])
def test_brax_scenarios_diverge(cand: str) -> None:
    """Brax's own physics leaves the reference on the first step of the constructed starts."""
    ref, ad = registry.make_adapter(CASE.reference), registry.make_adapter(cand)
    scenario = next(s for s in CASE.scenarios if s.name == "falling on the back")
    result = run_scenario(ref, ad, CASE.schema, scenario)
    assert result.divergences and result.divergences[0].step == 1
