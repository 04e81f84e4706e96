"""Per-episode rate of each liveness condition of a case: the data behind the liveness bounds of the tests.

    python scripts/liveness_rates.py toy-walk --episodes 1000
    python scripts/liveness_rates.py pong --episodes 200 --steps 10000 --first 1

Runs N one-episode rollouts (master seeds first .. first + N - 1, the case's policy and runner) of the
reference against itself (liveness reads the reference's rollouts only, so a candidate would change
nothing) and prints, per condition, in how many episodes it held and the lower 99.9% bound on its
rate; a rollout test of E episodes is vacuous with probability at most
sum over conditions of (1 - rate)^E (tests/power.py).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from equivcheck import registry  # noqa: E402
from equivcheck.session import RunConfig, build_context, run_diff  # noqa: E402
from tests import power  # noqa: E402


def rates(case_name: str, episodes: int, first: int, steps: int | None, runner: str | None) -> tuple[Counter, int]:
    """How many of `episodes` one-episode runs met each liveness condition."""
    case = registry.get_case(case_name)
    held: Counter[str] = Counter()
    for seed in range(first, first + episodes):
        config = RunConfig(tiers=("rollout",), episodes=1, steps=steps, runner=runner, master_seed=seed,
                           shrink=False, save_corpus=False)
        report = run_diff(build_context(case, case.reference, case.reference, config))
        for name, ok in report.liveness.items():
            held[name] += bool(ok)
        for condition in case.liveness:
            held.setdefault(condition.name, 0)
        print(f"master seed {seed}: {sum(map(bool, report.liveness.values()))}/{len(case.liveness)} conditions held",
              file=sys.stderr, flush=True)
    return held, episodes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("case")
    parser.add_argument("--episodes", type=int, default=200)
    parser.add_argument("--first", type=int, default=1, help="first master seed")
    parser.add_argument("--steps", type=int, default=None, help="steps per episode (default: the case's)")
    parser.add_argument("--runner", default=None)
    args = parser.parse_args(argv)
    held, n = rates(args.case, args.episodes, args.first, args.steps, args.runner)
    for name, k in held.items():
        lo = power.rate_lower(k, n)
        need = power.trials_needed(lo) if lo > 0 else "-"
        print(f"{name}: {k}/{n} episodes, rate >= {lo:.4f}, episodes for < {power.BUDGET:g}: {need}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
