"""Per-example catch rates of the L1 mutant tests (test_property.py): the data behind their bounds.

    python -m cases.pong.catch_rates [--examples 1000] [--seed 1]

For each (mutant, component pair) of test_property.py, Hypothesis draws `--examples` inputs from the
pair's strategy (as the property tier's search does, without stopping at the first failure) and
counts the inputs on which the mutant's component differs from the reference's. The tier's search
misses the mutant only if all of its max_examples inputs agree: with examples treated as independent
draws, at most (1 - rate)^max_examples (tests/power.py).
"""

from __future__ import annotations

import argparse
import sys

from hypothesis import HealthCheck, given, settings
from hypothesis import seed as hypothesis_seed

from cases.pong.case import CASE
from cases.pong.mutation_score import register
from equivcheck import registry
from equivcheck.tiers.property import check_pair

MUTANT_PAIRS = {
    "actions_swapped": "paddle motion, tracking and clamp",
    "warmup_short": "glibc rand() emulation",
    "obs_bfloat16": "observation",
}
"""The L1 mutant tests: mutant -> the component pair that must catch it."""


def hits(mutant: str, examples: int, seed: int) -> tuple[int, int]:
    """(inputs on which the mutant's component differs, inputs drawn)."""
    pair = next(p for p in CASE.components if p.name == MUTANT_PAIRS[mutant])
    adapter = registry.make_adapter(register(mutant))
    count = [0, 0]

    @hypothesis_seed(seed)
    @settings(max_examples=examples, database=None, deadline=None, suppress_health_check=list(HealthCheck))
    @given(pair.strategy)
    def draw(inputs: object) -> None:
        count[1] += 1
        count[0] += bool(check_pair(pair, inputs, adapter, CASE.schema.known))

    try:
        draw()
    finally:
        adapter.close()
    return count[0], count[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    for mutant in MUTANT_PAIRS:
        k, n = hits(mutant, args.examples, args.seed)
        print(f"{mutant} on '{MUTANT_PAIRS[mutant]}': {k}/{n} inputs differ", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
