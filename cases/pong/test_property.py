"""L1 on Pong: component pairs (reference = pong.h stepped from a constructed state or its own C
functions, candidate = the JAX components) and candidate invariants; some mutants it must catch."""

from __future__ import annotations

import dataclasses

import pytest

from cases.pong.case import CASE
from cases.pong.mutation_score import register
from cases.pong.catch_rates import MUTANT_PAIRS
from equivcheck import registry
from equivcheck.pytest_plugin import assert_equivalent
from tests import power

DRAWN = 300
DIFFER = {"actions_swapped": 181, "warmup_short": 300, "obs_bfloat16": 282}
"""Inputs of DRAWN on which each mutant's component differs: `python -m cases.pong.catch_rates --examples 300`."""


def miss(mutant: str) -> float:
    """Chance that the pair's max_examples inputs all agree on the mutant (examples as independent draws)."""
    pair = next(p for p in CASE.components if p.name == MUTANT_PAIRS[mutant])
    return power.all_miss(power.rate_lower(DIFFER[mutant], DRAWN), pair.max_examples)


@pytest.mark.tier("property")
def test_property(equivcheck_run) -> None:  # noqa: ANN001
    report = equivcheck_run("pong", "property", "pong-jax")
    assert_equivalent(report)
    assert report.tiers[0].examples >= 1000


@pytest.mark.tier("property")
@pytest.mark.parametrize(("mutant", "component"), [
    pytest.param(mutant, component,
                 marks=pytest.mark.seed_sensitive(bound=miss(mutant), why="one input of max_examples"))
    for mutant, component in MUTANT_PAIRS.items()
])
def test_property_catches(equivcheck_run, mutant: str, component: str) -> None:  # noqa: ANN001
    """The one component pair that targets the mutant's change finds it (a one-pair copy of the case);
    it misses only if every drawn input agrees: below 1e-30 for each mutant (`miss`)."""
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
