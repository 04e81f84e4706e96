"""L4 on the Game Boy: a linear policy trained (CEM) on 'Catch' on each side and evaluated on both;
TOST at margin 0.5 on the return (the score). Full size: `python -m cases.gameboy.full transfer`."""

from __future__ import annotations

import pytest

from equivcheck.pytest_plugin import assert_equivalent


@pytest.mark.tier("transfer")
def test_transfer(equivcheck_run) -> None:  # noqa: ANN001
    report = equivcheck_run("gameboy", "transfer", "emurust")
    assert_equivalent(report)
    assert set(report.tiers[0].stats) == {"trained_on_ref", "trained_on_cand"}
