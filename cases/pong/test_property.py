"""L1 on Pong: component pairs (reference = pong.h stepped from a constructed state or its own C
functions, candidate = the JAX components) and candidate invariants; some mutants it must catch."""

from __future__ import annotations

import dataclasses

import pytest

from cases.pong.case import CASE
from cases.pong.mutation_score import register
from equivcheck import registry
from equivcheck.pytest_plugin import assert_equivalent


@pytest.mark.tier("property")
def test_property(equivcheck_run) -> None:  # noqa: ANN001
    report = equivcheck_run("pong", "property", "pong-jax")
    assert_equivalent(report)
    assert report.tiers[0].examples >= 1000


@pytest.mark.tier("property")
@pytest.mark.parametrize(("mutant", "component"), [
    ("actions_swapped", "paddle motion, tracking and clamp"),
    ("warmup_short", "glibc rand() emulation"),
    ("obs_bfloat16", "observation"),
])
def test_property_catches(equivcheck_run, mutant: str, component: str) -> None:  # noqa: ANN001
    """The one component pair that targets the mutant's change finds it (a one-pair copy of the case)."""
    name = f"pong-l1-{mutant}"
    pairs = [p for p in CASE.components if p.name == component]
    registry.register_case(name, dataclasses.replace(CASE, name=name, components=pairs, invariants=(),
                                                     corpus_dir=None))
    report = equivcheck_run(name, "property", register(mutant), save_corpus=False)
    assert report.status == "divergent", report.error
    assert [d.runner for d in report.divergences] == [component]


@pytest.mark.tier("property")
@pytest.mark.parametrize(("mutant_id", "component"), [
    ("envs.pongjax.env:arith:d0297d12", "serve (reset_round)"),
    ("envs.pongjax.env:dtype:e8cb0cea", "reset with parameters"),
])
def test_component_catches_a_mutate_survivor(equivcheck_run, mutant_id: str, component: str) -> None:  # noqa: ANN001
    """Survivors of `equivcheck mutate` (cases/pong/README.md): `* ball_initial_speed_y` written `/` (equal at
    speed 1) and a float16 `ball_width` default (exact at 32); the components that draw parameters catch them."""
    from functools import partial
    from pathlib import Path
    from types import ModuleType

    from adapters.pong_jax import PongJax
    from envs.pongjax import env as pong_env
    from equivcheck.mutate.operators import Mutator

    operator = mutant_id.split(":")[-2]
    mutator = Mutator(Path(pong_env.__file__).read_text(), "envs.pongjax.env", operators=(operator,))
    (mutant,) = [m for m in mutator.mutants() if m.id == mutant_id]
    module = ModuleType(f"envs.pongjax.mutate_{operator}")
    exec(compile(mutant.source, f"<mutant {mutant_id}: env.py>", "exec"), module.__dict__)  # noqa: S102
    adapter = f"pong-jax-{mutant_id.replace(':', '-')}"
    registry.register_adapter(adapter, partial(PongJax, env=module))
    name = f"pong-l1-{mutant_id}"
    pairs = [p for p in CASE.components if p.name == component]
    registry.register_case(name, dataclasses.replace(CASE, name=name, components=pairs, invariants=(),
                                                     corpus_dir=None))
    report = equivcheck_run(name, "property", adapter, save_corpus=False)
    assert report.status == "divergent", report.error
    assert [d.runner for d in report.divergences] == [component]
