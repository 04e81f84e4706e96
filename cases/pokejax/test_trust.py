"""Issue 19: what the PokeJAX case tests is fixed by the case and the reference, never by the candidate.

A candidate that stops claiming a move (engine.supported_move rejecting Toxic) or stops covering a
field (state.COVERED without one) must leave the case's L2 scenarios, teams, compared fields,
coverage list and generated battles exactly as they were. The rule the case used before (a
scenario ran only while the engine supported its moves) is checked to lose Toxic under the same
patch, so the patch really changes the engine's answer.
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest

from cases.pokejax import case as case_mod, coverage, legal, scenarios
from envs.pokejax import engine, state

TOXIC_LEECH = "Toxic with Leech Seed: the counter grows twice a turn"


def what_is_tested() -> dict[str, Any]:
    """Everything the case decides to test, rebuilt from its modules as at import."""
    importlib.reload(scenarios)
    mod = importlib.reload(case_mod)
    return {
        "scenarios": [(s.name, s.seed, [list(a) for a in s.actions], s.options) for s in mod.CASE.scenarios],
        "compared": mod.compared_paths(),
        "ignored": sorted(mod.CASE.schema.ignored),
        "components": [p.name for p in mod.CASE.components],
        "liveness": [c.name for c in mod.CASE.liveness],
        "events": tuple(importlib.reload(coverage).EVENTS),
        "battles": [legal.battle_of_seed(s) for s in range(20)],
    }


def test_candidate_capabilities_cannot_shrink_the_case(monkeypatch: pytest.MonkeyPatch) -> None:
    before = what_is_tested()
    assert TOXIC_LEECH in [name for name, *_ in before["scenarios"]]
    real = engine.supported_move
    monkeypatch.setattr(engine, "supported_move", lambda m: m != "toxic" and real(m))
    monkeypatch.setattr(state, "COVERED", tuple(k for k in state.COVERED if not k.endswith(".toxic_counter")))
    try:
        after = what_is_tested()
        old_rule = [i.name for i in scenarios.INTERACTIONS if all(engine.supported_move(m) for m in i.moves())]
        assert TOXIC_LEECH not in old_rule, "the patch must change the engine's answer"
        assert after == before
    finally:
        monkeypatch.undo()
        what_is_tested()


def test_no_case_module_asks_the_engine_what_to_test() -> None:
    """Static guard: the case's modules (tests of the engine aside) never call supported_move or read COVERED."""
    from pathlib import Path

    here = Path(case_mod.__file__).parent
    for name in ("case.py", "scenarios.py", "legal.py", "coverage.py", "sweep.py", "components.py"):
        text = (here / name).read_text()
        assert "supported_move" not in text and "COVERED" not in text, name
