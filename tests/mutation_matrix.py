"""Run every toy mutant through every tier; print the mutant -> tier table for tests/README.md.

    python tests/mutation_matrix.py [--seed S]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.conftest import RUNS, run_pair  # noqa: E402
from tests.mutants import MUTANTS  # noqa: E402


def run_tier(case_name: str, cand: str, tier_run: str, seed: int) -> tuple[bool, float, str]:
    """(caught, seconds, first headline) for one mutant under one tier run."""
    start = time.perf_counter()
    report = run_pair(case_name, cand, tier_run, seed=seed, shrink=False)
    head = report.divergences[0].headline() if report.divergences else (report.error or "")
    return bool(report.divergences), time.perf_counter() - start, head


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    cols = list(RUNS)
    print("| mutant | breaks | must catch | " + " | ".join(cols) + " |")
    print("|---|---|---|" + "---|" * len(cols))
    for name, mutant in MUTANTS.items():
        cells = []
        for col in cols:
            caught, secs, _ = run_tier(mutant.case, name, col, args.seed)
            cells.append(f"{'caught' if caught else '-'} ({secs:.2f}s)")
        print(f"| {name} | {mutant.what} | {', '.join(mutant.caught_by)} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
