"""L2 scenarios with reset options: both sides get the same options (e.g. explicit teams)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from equivcheck.adapter import Adapter, Discrete, StepResult
from equivcheck.case import Scenario
from equivcheck.schema import Field, Schema
from equivcheck.tiers.interaction import run_scenario


class Counter(Adapter):
    """Counts up from the `start` reset option (default 0); `offset` shifts the candidate's start."""

    name = "counter"
    action_space = Discrete(2)

    def __init__(self, offset: int = 0) -> None:
        self.offset, self.x = offset, 0

    def reset(self, seed: int, options: Mapping[str, Any] | None = None) -> Any:
        self.x = int((options or {}).get("start", 0)) + self.offset
        return self.x

    def step(self, action: Any) -> StepResult:
        self.x += int(action)
        return StepResult(self.x, 0.0, False, False, {})

    def snapshot(self) -> dict[str, Any]:
        return {"x": np.int64(self.x)}

    def versions(self) -> dict[str, str]:
        return {"counter": "test"}


SCHEMA = Schema([Field("x", "int64")])


def test_options_reach_both_sides() -> None:
    scenario = Scenario("from 40", actions=[1, 1, 0], options={"start": 40})
    ref, cand = Counter(), Counter()
    result = run_scenario(ref, cand, SCHEMA, scenario)
    assert not result.divergences and ref.x == 42 and cand.x == 42


def test_options_do_not_hide_a_difference() -> None:
    scenario = Scenario("from 40", actions=[1], options={"start": 40})
    result = run_scenario(Counter(), Counter(offset=1), SCHEMA, scenario)
    assert result.divergences and result.divergences[0].step == 0
    assert result.divergences[0].diffs[0].path == "x"
