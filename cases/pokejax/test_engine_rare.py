"""Regressions for divergences the legal-team runs found (cases/pokejax/sweep.py, README.md), each a
scripted battle (also an L2 scenario of the case) in lockstep through the case's adapters, with a
witness that Showdown really shows
the rule (so the battle cannot pass by not reaching it).

- `nomove`: a Pokemon that switched in (its side never selected a move) is frozen, then thawed by a
  Fire hit before its queued "Fight": Showdown's gen1 runMove turns `nomove` into a changed Fissure
  (102 power, `???`, Special, accuracy threshold 80, PP from the selected slot, lastMove `fissure`).
  The engine once ran nothing (step 2: prng, last_damage, the foe's hp, PP and last_move differed).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from cases.pokejax.case import CASE, NOMOVE
from equivcheck import registry
from equivcheck.policies import ReplayPolicy
from equivcheck.tiers.rollout import run_episode

SCENARIO = {s.name: s for s in CASE.scenarios}[NOMOVE]


@pytest.fixture(scope="module")
def sides() -> Any:
    ref, cand = registry.make_adapter(CASE.reference), registry.make_adapter("pokejax")
    yield ref, cand
    ref.close()
    cand.close()


def test_nomove_witness_on_showdown(sides: Any) -> None:
    ref, _ = sides
    ref.reset(SCENARIO.seed, SCENARIO.options)
    ref.step(np.asarray(SCENARIO.actions[0]))
    frozen = ref.snapshot()
    assert frozen["p1.team.1.status"] == "frz" and frozen["p1.last_selected_move"] == "nomove"
    ref.step(np.asarray(SCENARIO.actions[1]))
    thawed = ref.snapshot()
    assert thawed["p1.team.1.status"] == "" and thawed["p1.team.1.last_move"] == "fissure"
    assert int(thawed["p1.team.1.move.0.pp"]) == int(frozen["p1.team.1.move.0.pp"]) - 1


@pytest.mark.tier("rollout")
def test_nomove_lockstep(sides: Any) -> None:
    ref, cand = sides
    result = run_episode(ref, cand, CASE.schema, SCENARIO.seed, ReplayPolicy(SCENARIO.actions), len(SCENARIO.actions),
                         "lockstep", options=SCENARIO.options)
    assert result.steps >= 2
    assert not result.divergences, [(d.step, [(x.path, x.ref, x.cand) for x in d.diffs[:6]])
                                    for d in result.divergences]


@pytest.mark.tier("interaction")
def test_nomove_scenario_catches_the_engine_before_the_fix(equivcheck_run) -> None:  # noqa: ANN001
    """pokejax-mut-nomove (a thawed Pokemon with `nomove` does nothing) fails the L2 scenario at step 2."""
    report = equivcheck_run("pokejax", "interaction", "pokejax-mut-nomove", only=(NOMOVE,), save_corpus=False)
    assert report.status == "divergent", report.error
    div = report.divergences[0]
    assert div.step == 2
    assert {"last_damage", "p1.team.1.last_move", "p2.team.0.hp"} <= {d.path for d in div.diffs}
