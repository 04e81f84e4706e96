"""L2 on the Game Boy: scenarios from constructed states restored into both sides, then the
stateful search; scenario mutants (timer reload, DMA source, joypad interrupt) must be caught."""

from __future__ import annotations

import pytest

from cases.gameboy.mutants import register
from equivcheck.pytest_plugin import assert_equivalent


@pytest.mark.tier("interaction")
def test_interaction(equivcheck_run) -> None:  # noqa: ANN001
    report = equivcheck_run("gameboy", "interaction", "emurust")
    assert_equivalent(report)
    assert report.tiers[0].episodes >= 7, "every scenario runs"


@pytest.mark.tier("interaction")
@pytest.mark.parametrize(("mutant", "scenario"), [
    ("timer-reload", "timer overflow into an interrupt (TIMA = 0xFF, TMA = 0x80, fastest TAC)"),
    ("dma-source", "DMA in flight at the frame boundary"),
    ("joypad-irq", "joypad pressed during HALT wakes nothing but IF (IE lacks joypad)"),
])
def test_interaction_catches(equivcheck_run, mutant: str, scenario: str) -> None:  # noqa: ANN001
    report = equivcheck_run("gameboy", "interaction", register(mutant), save_corpus=False)
    assert report.status == "divergent", report.error
    assert f"scenario:{scenario}" in {d.runner for d in report.divergences}
