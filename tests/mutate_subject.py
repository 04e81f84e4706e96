"""The source `tests/test_mutate_run.py` mutates: each function has a known fate under mutation.

`advance` is compared by L1 and L3 (its mutants are killed), `spin` loops (a mutant that never
ends it times out), `unused` is never called (its mutants survive), and `FIRST` indexes a table
at import (a mutant that indexes past it does not import: crashed).
"""

from __future__ import annotations

TABLE = (0, 1, 2)
FIRST = TABLE[2]


def advance(x: int, action: int) -> int:
    """The candidate's transition."""
    return x + action


def spin(n: int) -> int:
    """Counts to `n` one at a time."""
    i = 0
    while i < n:
        i += 1
    return i


def unused() -> int:
    """Called by nothing."""
    return 7
