"""Mutation score of the Pong case: every envs/pongjax mutant against pong-c, cheapest tier first.

    python -m cases.pong.mutation_score [--seed S] [--mutants a,b] [--matrix] [--json PATH]

Each mutant is registered as adapter `pong-jax-mut-<name>` (PongJax over the mutant module),
then the tiers run in order of cost (property, interaction, rollout lockstep, rollout inject,
transfer) until one finds a divergence. Prints a Markdown table (mutant, what it breaks, the tier
that killed it, seconds, first divergence) and the score. `--matrix` runs every tier on every
mutant instead of stopping at the first kill. Nothing is saved to the case's corpus.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from adapters.pong_jax import PongJax
from envs.pongjax.mutants import MUTANTS, build_mutant
from equivcheck import registry
from equivcheck.session import RunConfig, build_context, run_diff

STAGES: tuple[tuple[str, str, str | None], ...] = (
    ("property", "property", None),
    ("interaction", "interaction", None),
    ("rollout-lockstep", "rollout", "lockstep"),
    ("rollout-inject", "rollout", "inject"),
    ("transfer", "transfer", None),
)
"""(label, tier, runner) in order of cost."""

ROLLOUT_EPISODES = {"lockstep": 4, "inject": 2}


@dataclass
class Attempt:
    """One tier run against one mutant."""

    stage: str
    killed: bool
    seconds: float
    first: str = ""
    error: str = ""


@dataclass
class MutantResult:
    """What happened to one mutant."""

    name: str
    breaks: str
    killed_by: str | None = None
    seconds: float = 0.0
    first: str = ""
    attempts: list[Attempt] = field(default_factory=list)


def adapter_name(mutant: str) -> str:
    """The registered adapter name of a mutant."""
    return f"pong-jax-mut-{mutant}"


def register(mutant: str) -> str:
    """Register PongJax over mutant `mutant`'s module; return the adapter name."""
    name = adapter_name(mutant)
    registry.register_adapter(name, partial(PongJax, env=build_mutant(mutant)))
    return name


def first_divergence(report: Any) -> str:
    """Where a report's first divergence is: component or runner, episode, step, fields."""
    div = report.divergences[0]
    prefix = f"{div.runner}." if div.tier == "property" else ""
    fields = ", ".join(d.path.removeprefix(prefix) for d in div.diffs[:3]) or (div.crash or "?")
    if div.tier == "property":
        return f"{div.runner}: {fields}"
    if div.tier == "interaction":
        return f"{div.runner} step {div.step}: {fields}"
    if div.tier == "rollout":
        return f"episode {div.episode} step {div.step}: {fields}"
    return fields


def run_stage(cand: str, tier: str, runner: str | None, seed: int) -> Any:
    """One tier of the pong case for candidate adapter `cand` (no corpus, no shrinking)."""
    case = registry.get_case("pong")
    episodes = ROLLOUT_EPISODES.get(runner or "", None)
    config = RunConfig(tiers=(tier,), runner=runner, episodes=episodes, master_seed=seed, shrink=False,
                       save_corpus=False, report_dir=None, track_errors=False)
    return run_diff(build_context(case, case.reference, cand, config))


def score(mutant: str, seed: int, matrix: bool = False, stages: tuple[str, ...] | None = None) -> MutantResult:
    """Run the stages against one mutant until one kills it (all of them with `matrix`)."""
    info = next(m for m in MUTANTS if m.name == mutant)
    cand = register(mutant)
    result = MutantResult(mutant, info.description)
    for label, tier, runner in STAGES:
        if stages and label not in stages:
            continue
        start = time.perf_counter()
        report = run_stage(cand, tier, runner, seed)
        secs = time.perf_counter() - start
        killed = bool(report.divergences)
        attempt = Attempt(label, killed, secs, first_divergence(report) if killed else "", report.error or "")
        result.attempts.append(attempt)
        if result.killed_by is None:
            result.seconds += secs
            if killed:
                result.killed_by, result.first = label, attempt.first
        if killed and not matrix:
            break
    return result


def table(results: list[MutantResult]) -> str:
    """The Markdown table and the score line."""
    lines = ["| mutant | what it breaks | killed by | seconds | first divergence |", "|---|---|---|---:|---|"]
    for r in results:
        lines.append(f"| {r.name} | {r.breaks} | {r.killed_by or '**survived**'} | {r.seconds:.1f} | "
                     f"{r.first.replace('|', '/') or '-'} |")
    killed = sum(r.killed_by is not None for r in results)
    total = sum(r.seconds for r in results)
    lines.append("")
    lines.append(f"killed {killed}/{len(results)} ({100.0 * killed / max(1, len(results)):.1f}%), "
                 f"{total:.0f} s in all")
    return "\n".join(lines)


def matrix_table(results: list[MutantResult]) -> str:
    """Every stage for every mutant: 'killed (s)' or '- (s)'."""
    labels = [label for label, _, _ in STAGES if any(a.stage == label for r in results for a in r.attempts)]
    lines = ["| mutant | " + " | ".join(labels) + " |", "|---|" + "---|" * len(labels)]
    for r in results:
        cells = {a.stage: f"{'killed' if a.killed else '-'} ({a.seconds:.1f}s)" for a in r.attempts}
        lines.append(f"| {r.name} | " + " | ".join(cells.get(label, "") for label in labels) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Score the mutants; exit 0 when at least 95% are killed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0, help="master seed of every tier run")
    parser.add_argument("--mutants", help="comma-separated names (default: all)")
    parser.add_argument("--stages", help="comma-separated subset of " + ", ".join(s[0] for s in STAGES))
    parser.add_argument("--matrix", action="store_true", help="run every stage on every mutant")
    parser.add_argument("--json", type=Path, help="also write the results as JSON")
    args = parser.parse_args(argv)
    names = args.mutants.split(",") if args.mutants else [m.name for m in MUTANTS]
    stages = tuple(args.stages.split(",")) if args.stages else None
    results = []
    for name in names:
        r = score(name, args.seed, args.matrix, stages)
        results.append(r)
        print(f"{name}: {r.killed_by or 'survived'} ({r.seconds:.1f}s) {r.first}", flush=True)
    print()
    print(table(results))
    if args.matrix:
        print()
        print(matrix_table(results))
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=2) + "\n")
    killed = sum(r.killed_by is not None for r in results)
    return 0 if killed >= 0.95 * len(results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
