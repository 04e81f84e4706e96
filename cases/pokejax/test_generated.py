"""L3 over legal Gen 1 teams (cases/pokejax/legal.py) in the default suite: a few Hypothesis-drawn
battles in lockstep, every step and every compared field (the large run is `python -m
cases.pokejax.sweep --teams generated --battles 500`, README.md). A divergence shrinks to the
smallest teams that still diverge. The battles Hypothesis draws follow the master seed, so a
failure replays with `--seed MASTER`."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from hypothesis import seed as hypothesis_seed

from cases.pokejax import legal
from cases.pokejax.case import CASE
from cases.pokejax.sweep import describe_teams, play
from equivcheck import registry

EXAMPLES = 6


@pytest.fixture(scope="module")
def sides() -> Any:
    ref, cand = registry.make_adapter(CASE.reference), registry.make_adapter("pokejax")
    yield ref, cand
    ref.close()
    cand.close()


def lockstep_generated(sides: Any, master: int, cand: Any = None, examples: int = EXAMPLES) -> list[int]:
    """Play `examples` drawn battles; raise AssertionError (shrunk by Hypothesis) at a divergence."""
    ref, good = sides
    cand = good if cand is None else cand
    steps: list[int] = []

    @hypothesis_seed(master)
    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(legal.battles(), st.integers(0, 2**31 - 1))
    def check(battle: tuple[str, list], seed: int) -> None:
        result = play(ref, cand, seed, battle[1])
        steps.append(result.steps)
        if result.divergences:
            div = result.divergences[0]
            raise AssertionError(f"battle seed {seed} theme {battle[0]} step {div.step}: {div.crash or ''}\n"
                                 f"{describe_teams(battle[1])}\n"
                                 + "\n".join(f"    {d.path}: showdown={d.ref!r} candidate={d.cand!r}"
                                             for d in div.diffs[:6]) + f"\n    actions {div.actions}")

    check()
    return steps


@pytest.mark.tier("rollout")
def test_generated_teams_lockstep(sides: Any, equivcheck_run) -> None:  # noqa: ANN001
    steps = lockstep_generated(sides, equivcheck_run.seed)
    assert len(steps) == EXAMPLES and sum(steps) >= 5 * EXAMPLES, steps

