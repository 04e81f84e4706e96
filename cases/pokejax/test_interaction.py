"""L2 of the PokeJAX case: the Gen 1 interactions of cases/pokejax/scenarios.py.

Each script is checked on the reference (it is legal at every step and its witness sees the
interaction happen), then all of them are compared with PokeJAX through the tier, and the
damage mutant must fail them at a named step and field.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

from cases.pokejax.case import CASE
from cases.pokejax.scenarios import INTERACTIONS, Interaction
from equivcheck import registry
from equivcheck.pytest_plugin import assert_equivalent


@pytest.fixture(scope="module")
def reference() -> Any:
    env = registry.make_adapter(CASE.reference)
    yield env
    env.close()


def play(env: Any, inter: Interaction) -> list[dict[str, Any]]:
    """The reference's snapshots before and after each step of the script; every action must be legal."""
    env.reset(inter.seed, inter.options())
    snaps = [env.snapshot()]
    for t, action in enumerate(inter.actions, start=1):
        mask = env.legal_actions()
        for p, a in enumerate(action):
            assert not mask[p].any() or mask[p][a], f"{inter.name}: step {t} player {p + 1} action {a} is illegal"
        done = env.step(np.asarray(action))[2]
        snaps.append(env.snapshot())
        if done:
            break
    return snaps


@pytest.mark.parametrize("inter", INTERACTIONS, ids=lambda i: i.name.split(":")[0])
def test_script_exercises_its_interaction_on_showdown(reference: Any, inter: Interaction) -> None:
    snaps = play(reference, inter)
    assert inter.witness(snaps), f"{inter.name}: the reference does not show it ({inter.shows})"


def test_witnesses_reject_a_battle_without_the_interaction(reference: Any) -> None:
    """A witness is not trivially true: each fails on a plain Tackle exchange."""
    plain = Interaction("plain", (("rattata", 50, ("tackle",)),), (("rattata", 50, ("tackle",)),),
                        ((0, 0),) * 4, seed=1, shows="", witness=lambda s: True)
    snaps = play(reference, plain)
    assert not [i.name for i in INTERACTIONS if i.witness(snaps)]


def _tier(equivcheck_run: Any, cand: str, only: Sequence[str]) -> Any:
    return equivcheck_run("pokejax", "interaction", cand, only=tuple(only), save_corpus=False)


@pytest.mark.tier("interaction")
def test_interactions_equivalent(equivcheck_run: Any) -> None:
    report = _tier(equivcheck_run, "pokejax", [i.name for i in INTERACTIONS])
    assert_equivalent(report)
    assert report.tiers[0].episodes == len(INTERACTIONS)
    assert report.tiers[0].steps >= 3 * len(INTERACTIONS)


COUNTER = INTERACTIONS[0].name


@pytest.mark.tier("interaction")
def test_damage_mutant_fails_counter_at_step_one(equivcheck_run: Any) -> None:
    """The damage roll one lower: Body Slam's damage, hence Counter's, differ at step 1."""
    report = _tier(equivcheck_run, "pokejax-mut-damage", [COUNTER])
    assert report.status == "divergent", report.error
    div = report.divergences[0]
    assert div.runner == f"scenario:{COUNTER}"
    assert div.step == 1
    assert {"p1.team.0.hp", "p2.team.0.hp"} <= {d.path for d in div.diffs}
