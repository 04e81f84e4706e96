"""L1 on the Game Boy: instructions, timer, DMA and MBC components on PyBoy and EmuRust; mutants it catches."""

from __future__ import annotations

import dataclasses

import pytest

from cases.gameboy.case import CASE
from cases.gameboy.components import mbc_inputs
from cases.gameboy.mutants import register
from equivcheck import registry
from equivcheck.pytest_plugin import assert_equivalent


@pytest.mark.tier("property")
def test_property(equivcheck_run) -> None:  # noqa: ANN001
    report = equivcheck_run("gameboy", "property", "emurust")
    assert_equivalent(report)
    assert report.tiers[0].examples >= 100


_AIMED = {"mbc1-bank0": mbc_inputs(kinds=("mbc1+ram",), last=(0x2000, 0x20))}
"""Mutants whose component is drawn from the register the mutant breaks (every example then kills it:
a bank-0 write read back through 4000-7FFF shows bank 0 instead of bank 1)."""


@pytest.mark.tier("property")
@pytest.mark.parametrize(("mutant", "component", "examples"), [
    ("timer-reload", "timer", 30),
    ("mbc1-bank0", "MBC1/3/5", 5),
    ("dma-source", "OAM DMA", 5),
])
def test_property_catches(equivcheck_run, mutant: str, component: str, examples: int) -> None:  # noqa: ANN001
    """The component pair aimed at the mutant's change finds it (a one-pair copy of the case).

    Miss rates: dma-source and mbc1-bank0 diverge on every example; timer-reload on every example
    whose TIMA overflows with TMA != 0 (over half of them: P(miss in 30) < 1e-9). CPU-flag and
    cycle mutants are scored by `python -m cases.gameboy.mutation_score` (the full L1 run).
    """
    name = f"gameboy-l1-{mutant}"
    pairs = [dataclasses.replace(p, max_examples=examples, strategy=_AIMED.get(mutant, p.strategy))
             for p in CASE.components if p.name.startswith(component)]
    registry.register_case(name, dataclasses.replace(CASE, name=name, components=pairs, corpus_dir=None))
    report = equivcheck_run(name, "property", register(mutant), save_corpus=False)
    assert report.status == "divergent", report.error
