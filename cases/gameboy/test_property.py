"""L1 on the Game Boy: instructions, timer, DMA and MBC components on PyBoy and EmuRust; mutants it catches."""

from __future__ import annotations

import dataclasses

import pytest

from cases.gameboy.case import CASE
from cases.gameboy.mutants import register
from equivcheck import registry
from equivcheck.pytest_plugin import assert_equivalent


@pytest.mark.tier("property")
def test_property(equivcheck_run) -> None:  # noqa: ANN001
    report = equivcheck_run("gameboy", "property", "emurust")
    assert_equivalent(report)
    assert report.tiers[0].examples >= 200


@pytest.mark.tier("property")
@pytest.mark.parametrize(("mutant", "component", "examples"), [
    ("timer-reload", "timer", 40),
    ("mbc1-bank0", "MBC1/3/5", 60),
    ("dma-source", "OAM DMA", 10),
])
def test_property_catches(equivcheck_run, mutant: str, component: str, examples: int) -> None:  # noqa: ANN001
    """The component pair aimed at the mutant's change finds it (a one-pair copy of the case)."""
    name = f"gameboy-l1-{mutant}"
    pairs = [dataclasses.replace(p, max_examples=examples) for p in CASE.components if p.name.startswith(component)]
    registry.register_case(name, dataclasses.replace(CASE, name=name, components=pairs, corpus_dir=None))
    report = equivcheck_run(name, "property", register(mutant), save_corpus=False)
    assert report.status == "divergent", report.error
