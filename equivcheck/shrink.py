"""Minimise a failing input: cut to the first divergent step, then ddmin over the actions."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass
class ShrinkOutcome:
    """The smallest failing action list found and what it cost."""

    actions: list[Any]
    replays: int
    seconds: float
    exhausted_budget: bool


def ddmin(
    actions: Sequence[Any],
    fails: Callable[[list[Any]], bool],
    max_replays: int = 200,
    max_seconds: float = 30.0,
) -> ShrinkOutcome:
    """Zeller's delta debugging over `actions`, keeping only subsequences for which `fails` holds.

    `fails` replays a candidate list from the episode's seed; the input list must fail. The
    budget bounds replays and seconds; the best list found so far is returned when it runs out.
    """
    start = time.perf_counter()
    current = list(actions)
    replays = 0
    n = 2

    def out_of_budget() -> bool:
        return replays >= max_replays or time.perf_counter() - start > max_seconds

    while len(current) >= 2:
        chunk = max(1, len(current) // n)
        subsets = [current[i : i + chunk] for i in range(0, len(current), chunk)]
        reduced = False
        for i in range(len(subsets)):
            if out_of_budget():
                return ShrinkOutcome(current, replays, time.perf_counter() - start, True)
            complement = [a for j, s in enumerate(subsets) if j != i for a in s]
            replays += 1
            if complement and fails(complement):
                current = complement
                n = max(n - 1, 2)
                reduced = True
                break
        if not reduced:
            if n >= len(current):
                break
            n = min(len(current), n * 2)
    if len(current) == 1 and not out_of_budget():
        replays += 1
        if fails([]):
            current = []
    return ShrinkOutcome(current, replays, time.perf_counter() - start, False)
