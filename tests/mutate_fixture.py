"""A tiny case for the `equivcheck mutate` tests, registered at import (EQUIVCHECK_PLUGINS=tests.mutate_fixture).

Reference and candidate count x up by the action (0, 1 or 2); the candidate's code is
tests/mutate_subject.py, which it declares in `source_modules`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hypothesis import strategies as st

from equivcheck import registry
from equivcheck.adapter import Adapter, Discrete, StepResult
from equivcheck.case import Case, ComponentPair, changes
from equivcheck.schema import Field, Schema


class CounterRef(Adapter):
    """The reference: plain Python."""

    name = "mutate-fixture-ref"
    action_space = Discrete(3)

    def reset(self, seed: int, options: Mapping[str, Any] | None = None) -> Any:
        self.x = seed % 3
        return self.x

    def step(self, action: Any) -> StepResult:
        self.x += int(self.action_space.validate(action))
        return StepResult(self.x, 0.0, False, False, {})

    def snapshot(self) -> dict[str, Any]:
        return {"x": self.x}

    def versions(self) -> dict[str, str]:
        return {"backend": "python"}


class CounterCand(CounterRef):
    """The candidate: the same counter through tests/mutate_subject.py."""

    name = "mutate-fixture-cand"
    source_modules = ("tests.mutate_subject",)

    def step(self, action: Any) -> StepResult:
        from tests import mutate_subject

        mutate_subject.spin(2)
        self.x = mutate_subject.advance(self.x, int(self.action_space.validate(action)))
        return StepResult(self.x, 0.0, False, False, {})


def _cand_advance(x: int, action: int) -> int:
    from tests import mutate_subject

    return mutate_subject.advance(x, action)


CASE = Case(
    name="mutate-fixture",
    reference=CounterRef.name,
    candidates=[CounterCand.name],
    schema=Schema([Field("x", "int64"), Field("reward", "float64")]),
    liveness=[changes("x moves", "x")],
    components=[ComponentPair("advance", lambda x, a: x + a, _cand_advance,
                              st.tuples(st.integers(0, 10), st.integers(0, 2)), max_examples=20)],
    episodes=2,
    steps=5,
)

registry.register_adapter(CounterRef.name, CounterRef)
registry.register_adapter(CounterCand.name, CounterCand)
registry.register_case(CASE.name, CASE)
