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


OPEN_DIVERGENCE = (68236, [
    [{"species": "paras", "level": 100, "moves": ["substitute", "growth", "mimic", "rest"]},
     {"species": "charizard", "level": 70, "moves": ["mimic", "substitute", "cut", "bide"]},
     {"species": "bulbasaur", "level": 100, "moves": ["mimic", "bide", "substitute", "bodyslam"]},
     {"species": "seel", "level": 50, "moves": ["mimic", "substitute", "strength", "aurorabeam"]},
     {"species": "seaking", "level": 100, "moves": ["mimic", "substitute", "swift", "agility"]},
     {"species": "gengar", "level": 100, "moves": ["mimic", "substitute"]}],
    [{"species": "muk", "level": 30, "moves": ["mimic", "megadrain", "disable", "substitute"]},
     {"species": "nidoranf", "level": 100, "moves": ["mimic"]},
     {"species": "staryu", "level": 70, "moves": ["substitute", "mimic", "rest"]}]])
"""The battle this test drew on 2026-12-03 (theme 'transform'): at step 8 Showdown has last_damage 1 and
p2's Muk at 99 HP, PokeJAX last_damage 0 and 98 HP. An open engine divergence (Mimic / Substitute / Bide)."""


@pytest.mark.tier("rollout")
@pytest.mark.xfail(strict=True, reason="open PokeJAX divergence found by the legal-team generator (OPEN_DIVERGENCE)")
def test_open_divergence_found_by_the_generator(sides: Any) -> None:
    ref, cand = sides
    seed, teams = OPEN_DIVERGENCE
    result = play(ref, cand, seed, teams)
    assert not result.divergences, result.divergences[0].diffs[:3]


@pytest.mark.tier("rollout")
@pytest.mark.xfail(strict=False, reason="until the OPEN_DIVERGENCE is fixed in the engine, a drawn battle may reach it")
def test_generated_teams_lockstep(sides: Any, equivcheck_run) -> None:  # noqa: ANN001
    steps = lockstep_generated(sides, equivcheck_run.seed)
    assert len(steps) == EXAMPLES and sum(steps) >= 5 * EXAMPLES, steps

