"""L3 on the Game Boy: frame lockstep on 'Catch' and on generated programs, and the inject runner."""

from __future__ import annotations

import dataclasses

import pytest

from cases.gameboy.case import CASE, PROGRAMS
from cases.gameboy.mutants import register
from equivcheck import registry
from equivcheck.pytest_plugin import assert_equivalent


@pytest.mark.tier("rollout")
def test_lockstep_catch(equivcheck_run) -> None:  # noqa: ANN001
    report = equivcheck_run("gameboy", "rollout", "emurust", episodes=1, steps=220)
    assert_equivalent(report)


@pytest.mark.tier("rollout")
def test_inject_catch(equivcheck_run) -> None:  # noqa: ANN001
    """EmuRust restored from PyBoy's snapshot before every frame (the window line counter modelled)."""
    report = equivcheck_run("gameboy", "rollout", "emurust", episodes=1, steps=200, runner="inject")
    assert_equivalent(report)


@pytest.mark.tier("rollout")
def test_lockstep_programs(equivcheck_run) -> None:  # noqa: ANN001
    report = equivcheck_run("gameboy-programs", "rollout", "emurust", episodes=2, steps=30)
    assert_equivalent(report)


@pytest.mark.tier("rollout")
@pytest.mark.parametrize("mutant", ["sprite-priority", "ly-off-by-one", "window-line"])
def test_lockstep_catches(equivcheck_run, mutant: str) -> None:  # noqa: ANN001
    """PPU mutants show on the screen or in STAT within a few frames of the game."""
    name = f"gameboy-l3-{mutant}"
    registry.register_case(name, dataclasses.replace(CASE, name=name, corpus_dir=None))
    report = equivcheck_run(name, "rollout", register(mutant), episodes=1, steps=40, save_corpus=False)
    assert report.status == "divergent", report.error
