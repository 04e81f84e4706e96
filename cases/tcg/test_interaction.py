"""L2 of the TCG case: each scripted interaction really happens on the reference (its witness holds, and
fails on a plain game), then the interaction tier runs them on TCGJax, and a mutant fails one."""

from __future__ import annotations

from typing import Any

import pytest

from cases.tcg.case import CASE
from cases.tcg.scenarios import INTERACTIONS, Interaction, base
from envs.tcg.actions import encode
from envs.tcg.env import TcgEnv
from equivcheck.pytest_plugin import assert_equivalent


def play(inter: Interaction) -> list[dict[str, Any]]:
    """The reference's snapshots before and after each scripted action (each must be legal)."""
    env = TcgEnv()
    env.restore(inter.state())
    snaps = [env.snapshot()]
    for joint in inter.actions():
        a = joint[env.game.acting]
        assert env.action_mask()[env.game.acting][a], f"{inter.name}: action {a} illegal"
        env.step(a)
        snaps.append(env.snapshot())
    return snaps


@pytest.mark.parametrize("inter", INTERACTIONS, ids=lambda i: i.name.split(":")[0])
def test_script_shows_its_interaction_on_the_reference(inter: Interaction) -> None:
    assert inter.witness(play(inter)), inter.name


def test_witnesses_reject_a_plain_game() -> None:
    """Each witness is false on a game where both players only end their turns."""
    env = base(11)
    snaps = [env.snapshot()]
    for _ in range(4):
        env.step(encode("end"))
        snaps.append(env.snapshot())
    assert not [i.name for i in INTERACTIONS if i.witness(snaps)]


@pytest.mark.tier("interaction")
def test_interactions_equivalent(equivcheck_run: Any) -> None:
    report = equivcheck_run("tcg", "interaction", "tcgjax", max_examples=2, save_corpus=False)
    assert_equivalent(report)
    assert report.tiers[0].episodes >= len(CASE.scenarios)


@pytest.mark.tier("interaction")
def test_weakness_mutant_fails_an_interaction(equivcheck_run: Any) -> None:
    """Weakness +30: Ekans's Poison Sting on Kirlia (Psychic, weak to Darkness) deals 10 more, at step 3."""
    report = equivcheck_run("tcg", "interaction", "tcgjax-mut-weakness-30", save_corpus=False,
                            only=(INTERACTIONS[0].name,))
    assert report.status == "divergent", report.error
    div = report.divergences[0]
    assert div.step == 3
    assert any(d.path.endswith(".damage") for d in div.diffs)
