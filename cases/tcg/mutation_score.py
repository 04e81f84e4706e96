"""Mutation score of the TCG case: every TCGJax mutant (adapters/tcg_mutants.py) against `tcg`, cheapest tier first.

    python -m cases.tcg.mutation_score [--seed S] [--mutants a,b] [--json PATH]

Stages: rollout lockstep (4 games), property (every L1 pair, 3 drawn states each), interaction (the
scripted L2 scenarios and a short search), rollout lockstep (16 more games). A mutant is killed by the first stage that finds a
divergence. Prints the Markdown table (cases/tcg/README.md) and exits 0 when at least 95% are killed.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from adapters.tcg_mutants import MUTANTS, register_all
from equivcheck import registry
from equivcheck.session import RunConfig, build_context, run_diff

STAGES = (("rollout", {"episodes": 4}), ("property", {"max_examples": 3}), ("interaction", {"max_examples": 2}),
          ("rollout", {"episodes": 16, "episode_offset": 4}))


@dataclass
class Result:
    """One mutant's outcome."""

    name: str
    breaks: str
    killed_by: str | None = None
    seconds: float = 0.0
    first: str = ""


def first_divergence(report: Any) -> str:
    """Where the first divergence is: the component or runner, the step, the first fields."""
    div = report.divergences[0]
    fields = ", ".join(d.path for d in div.diffs[:3]) or (div.crash or "?")
    return f"{div.runner} step {div.step}: {fields}"


def score(mutant: str, breaks: str, seed: int) -> Result:
    """Run the stages until one kills the mutant."""
    case = registry.get_case("tcg")
    result = Result(mutant, breaks)
    for tier, extra in STAGES:
        start = time.perf_counter()
        config = RunConfig(tiers=(tier,), master_seed=seed, shrink=False, save_corpus=False, report_dir=None,
                           track_errors=False, **extra)
        report = run_diff(build_context(case, case.reference, f"tcgjax-mut-{mutant}", config))
        result.seconds += time.perf_counter() - start
        if report.error:
            raise SystemExit(f"{mutant}: {tier} could not run: {report.error}")
        if report.divergences:
            result.killed_by, result.first = tier, first_divergence(report)
            break
    return result


def table(results: list[Result]) -> str:
    """The Markdown table and the score line."""
    lines = ["| mutant | what it breaks | killed by | seconds | first divergence |", "|---|---|---|---:|---|"]
    for r in results:
        lines.append(f"| {r.name} | {r.breaks} | {r.killed_by or '**survived**'} | {r.seconds:.0f} | "
                     f"{r.first.replace('|', '/') or '-'} |")
    killed = sum(r.killed_by is not None for r in results)
    lines += ["", f"killed {killed}/{len(results)} ({100.0 * killed / max(1, len(results)):.1f}%)"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Score the mutants; exit 0 when at least 95% are killed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--mutants", help="comma-separated names (default: all)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    register_all()
    chosen = [m for m in MUTANTS if not args.mutants or m.name in args.mutants.split(",")]
    results = []
    for m in chosen:
        r = score(m.name, m.breaks, args.seed)
        results.append(r)
        print(f"{m.name}: {r.killed_by or 'survived'} ({r.seconds:.0f}s) {r.first}", flush=True)
    print()
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=2) + "\n")
    return 0 if sum(r.killed_by is not None for r in results) >= 0.95 * len(results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
