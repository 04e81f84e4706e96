"""The case's coverage events (cases/pokejax/coverage.py) on real Showdown transitions.

Scripted battles (the L2 interactions and the case's scenarios) are played on the reference and
`events` must name what each script is about; every event it names is one of EVENTS. A broken
`events` (the chosen move read from slot 1 always) is caught.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import pytest

from cases.pokejax import coverage
from cases.pokejax.case import CASE, NOMOVE
from cases.pokejax.scenarios import INTERACTIONS
from equivcheck import registry

BY_NAME = {s.name: s for s in CASE.scenarios}
EXPECT = {
    NOMOVE: {"switch", "effect:status:frz", "effect:forced-turn", "effect:thaw", "effect:nomove"},
    INTERACTIONS[0].name: {"move:counter", "move:bodyslam", "move:earthquake", "move:blizzard"},
    "Substitute: made, hit, broken": {"move:substitute", "effect:substitute", "effect:substitute-broken"},
    "Hyper Beam: a recharge turn, none after a KO": {"move:hyperbeam", "effect:mustrecharge", "effect:forced-turn",
                                                     "win:p1"},
    "sleep: Spore, the counter runs down, the wake-up turn is lost": {"move:spore", "effect:status:slp",
                                                                     "effect:wake"},
    "freeze: Ice Beam freezes, frozen turns, a burn move thaws": {"effect:status:frz", "effect:thaw",
                                                                  "move:firepunch"},
    "Toxic with Leech Seed: the counter grows twice a turn": {"move:toxic", "move:leechseed", "effect:status:tox",
                                                              "effect:leechseed", "effect:toxic-twice"},
    "Transform copies the foe": {"move:transform", "effect:transform"},
    "Disable blocks a move slot": {"move:disable", "effect:disable"},
    "stat stages: +6 Attack capped at 999, +6 again, a drop to +5 above 999": {
        "move:swordsdance", "move:growl", "effect:boost+6", "effect:stat-999", "effect:boost-down"},
    "Wrap: the target is trapped and cannot act": {"move:wrap", "effect:partiallytrapped",
                                                   "effect:partialtrappinglock", "effect:forced-turn"},
    "a faint, the forced switch, then the last Pokemon": {"faint", "forced-switch", "win:p1"},
    "out of PP: Struggle": {"move:hydropump", "move:struggle", "effect:pp-out"},
    "Bide stores damage and hits back double": {"move:bide", "effect:bide", "effect:bide-end"},
}


@pytest.fixture(scope="module")
def reference() -> Any:
    env = registry.make_adapter(CASE.reference)
    yield env
    env.close()


def script_events(env: Any, name: str, events: Any = coverage.events) -> Counter:
    """Play scenario `name` on the reference and count the events of its transitions."""
    sc = BY_NAME[name]
    env.reset(sc.seed, sc.options)
    prev, counts = env.snapshot(), Counter()
    for action in sc.actions:
        done = env.step(np.asarray(action))[2]
        cur = env.snapshot()
        counts.update(events(prev, action, cur))
        prev = cur
        if done:
            break
    return counts


@pytest.mark.parametrize("name", list(EXPECT), ids=lambda n: n.split(":")[0])
def test_events_name_what_the_script_does(reference: Any, name: str) -> None:
    counts = script_events(reference, name)
    assert EXPECT[name] <= set(counts), sorted(EXPECT[name] - set(counts))
    assert set(counts) <= set(coverage.EVENTS), sorted(set(counts) - set(coverage.EVENTS))


def test_events_list_every_move_and_no_duplicates() -> None:
    assert len(set(coverage.EVENTS)) == len(coverage.EVENTS)
    assert sum(e.startswith("move:") for e in coverage.EVENTS) == 165
    assert CASE.coverage is coverage.events and tuple(CASE.coverage_events) == coverage.EVENTS


def test_a_plain_exchange_triggers_no_rare_effect(reference: Any) -> None:
    counts = script_events(reference, "Quick Attack first against a faster foe")
    assert set(counts) <= {"move:quickattack", "move:swift", "faint", "win:p1", "win:p2"}, counts
    assert counts["move:quickattack"] >= 1


def test_a_broken_events_is_caught(reference: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Mutant: the chosen move always read from the first slot. Counter (slot 2) is then never seen."""
    real = coverage._chosen
    monkeypatch.setattr(coverage, "_chosen", lambda prev, side, a: real(prev, side, 0))
    counts = script_events(reference, INTERACTIONS[0].name)
    assert not EXPECT[INTERACTIONS[0].name] <= set(counts)
