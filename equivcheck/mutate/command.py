"""`equivcheck mutate`: how much a certification is worth, as the share of first-order mutants it kills.

Exit codes: 0 the score meets --min-score (or none was asked), 1 below it, 2 a setup problem
(unknown adapter, a baseline that is not equivalent, a mutant the run never loaded, ...).
"""

from __future__ import annotations

import argparse
import shutil
import time
from pathlib import Path
from typing import Any

from equivcheck.context import DEFAULT_TIERS
from equivcheck.errors import EquivcheckError, UsageError
from equivcheck.mutate.operators import OPERATORS



def _score(text: str) -> float:
    value = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a fraction in [0, 1] or a percentage, got {text}")
    return value


def _operators(text: str) -> tuple[str, ...]:
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    bad = [n for n in names if n not in OPERATORS]
    if bad or not names:
        raise argparse.ArgumentTypeError(f"unknown operator {', '.join(bad) or text!r}; choose from {', '.join(OPERATORS)}")
    return names


def add_parser(sub: Any, tiers: Any, positive: Any) -> None:
    """The `mutate` subcommand (tiers/positive: the CLI's own argument types)."""
    p = sub.add_parser("mutate", help="mutation score: the share of first-order candidate mutants a run kills")
    p.add_argument("--ref", required=True, help="reference adapter name")
    p.add_argument("--cand", required=True, help="candidate adapter name (its source_modules are mutated)")
    p.add_argument("--case", help="case name (default: the case whose reference is --ref)")
    p.add_argument("--module", action="append", default=[], metavar="MODULE[:SCOPE]",
                   help="mutate this module (repeatable; default: the candidate's source_modules)")
    p.add_argument("--tier", type=tiers, default=DEFAULT_TIERS, help="tiers run against each mutant, cheapest first")
    p.add_argument("--episodes", type=positive, help="rollout episodes per mutant (default: the case's)")
    p.add_argument("--steps", type=positive, help="steps per episode (default: the case's)")
    p.add_argument("--runner", choices=("lockstep", "inject"), help="rollout runner (default: the case's)")
    p.add_argument("--max-examples", type=positive, help="Hypothesis examples per L1/L2 item")
    p.add_argument("--sample", type=positive, help="run K mutants drawn with --seed (default: all)")
    p.add_argument("--mutant", action="append", default=[], metavar="ID",
                   help="run only this mutant (repeatable; e.g. a report's survivors after strengthening the case)")
    p.add_argument("--seed", type=int, default=None, help="sampling and master seed (default: random, printed)")
    p.add_argument("--operator", type=_operators, default=OPERATORS, help=f"operators ({','.join(OPERATORS)})")
    p.add_argument("--jobs", type=positive, default=1, help="mutants run at once (local processes)")
    p.add_argument("--executor", choices=("local", "ray"), default="local", help="where mutants run")
    p.add_argument("--timeout", type=float, help="seconds per mutant (default: 3 x the baseline + 60)")
    p.add_argument("--equivalent", type=Path, metavar="FILE", help="ids of mutants a person marked equivalent")
    p.add_argument("--min-score", type=_score, help="exit 1 when the score is below this (0.95 or 95%%)")
    p.add_argument("--report-dir", type=Path, default=Path("reports"))
    p.add_argument("--list", action="store_true", help="print the sampled mutants and exit (nothing runs)")
    p.add_argument("--rescore", type=Path, metavar="REPORT.json",
                   help="apply --equivalent and --min-score to a finished run's JSON report (nothing runs)")
    p.add_argument("--quiet", action="store_true", help="no line per mutant")


def run(args: argparse.Namespace, master_seed: int) -> int:
    """The `mutate` command; prints a summary and writes the reports."""
    from rich.console import Console

    from equivcheck import registry
    from equivcheck.mutate import sources
    from equivcheck.mutate.report import load_marks
    from equivcheck.mutate.runner import MutateConfig, collect

    if args.rescore is not None:
        return rescore(args)
    if args.executor == "ray":
        raise UsageError("--executor ray is not available yet; use --jobs N (local processes)")
    if args.timeout is not None and args.timeout <= 0:
        raise UsageError("--timeout must be positive")
    case = registry.get_case(args.case) if args.case else registry.find_case(args.ref, args.cand)
    registry.adapter_class(args.ref)
    specs = args.module or sources.declared(registry.adapter_class(args.cand), args.cand)
    targets = sources.resolve(specs)
    marks = load_marks(args.equivalent) if args.equivalent else {}
    console = Console(highlight=False, soft_wrap=True)
    population = collect(targets, args.operator, None if args.mutant else args.sample, master_seed,
                         only=tuple(args.mutant))
    console.print(f"equivcheck mutate: case {case.name}, {args.cand} vs {args.ref}, seed {master_seed}: "
                  f"{len(population.mutants)} of {population.total} mutants "
                  f"({', '.join(f'{m} {n}' for m, n in population.per_module.items())})", style="dim")
    if args.list:
        for m in population.mutants:
            console.print(f"{m.id}  {m.module}:{m.diff_line()}", markup=False)
        return 0
    config = MutateConfig(case=case.name, ref=args.ref, cand=args.cand, targets=targets, tiers=tuple(args.tier),
                          seed=master_seed, sample=args.sample, episodes=args.episodes, steps=args.steps,
                          runner=args.runner, max_examples=args.max_examples, jobs=args.jobs,
                          operators=tuple(args.operator))
    return execute(config, population, marks, args.timeout, args.min_score, args.report_dir, console,
                   quiet=args.quiet)[0]


def execute(config: Any, population: Any, marks: dict[str, str], timeout: float | None, min_score: float | None,
            report_dir: Path, console: Any, quiet: bool = False) -> tuple[int, Any, dict[str, Path]]:
    """Baseline, mutants, report; returns (exit code, report, report paths). Shared by the CLI and the gate."""
    from equivcheck.mutate.report import MutationReport
    from equivcheck.mutate.runner import Executor, default_timeout, run_baseline, run_mutants

    start = time.perf_counter()
    executor = Executor(config)
    _terminate_as_interrupt()
    report = MutationReport(case=config.case, ref=config.ref, cand=config.cand, tiers=list(config.tiers),
                            seed=config.seed, modules=population.per_module, population=population.total,
                            sample=len(population.mutants), timeout=timeout or 0.0, baseline_seconds=0.0,
                            min_score=min_score,
                            settings={"episodes": config.episodes, "steps": config.steps, "runner": config.runner,
                                      "max_examples": config.max_examples, "jobs": config.jobs,
                                      "operators": list(config.operators)})
    try:
        try:
            limit = timeout
            if config.deadline is not None:
                limit = max(0.0, min(limit or float("inf"), config.deadline - time.time()))
            baseline = run_baseline(executor, config.targets, limit)
        except EquivcheckError as exc:
            report.error = f"baseline: {exc}"
        else:
            report.baseline_seconds = baseline.seconds
            report.timeout = timeout if timeout is not None else default_timeout(baseline.seconds)
            tiers = ", ".join(f"{t} {s:.0f}s" for t, s in baseline.result.get("tier_seconds", {}).items())
            skipped = sum(not baseline.reached(m) for m in population.mutants)
            console.print(f"baseline (unmutated, through the hook, lines traced): equivalent, {baseline.seconds:.1f}s "
                          f"({tiers}); {skipped} mutants not reached by it (survive unrun); "
                          f"timeout {report.timeout:.0f}s per mutant, {config.jobs} at a time", style="dim")
            done = [0]

            def show(res: Any) -> None:
                done[0] += 1
                if not quiet:
                    where = f"{res.tier} ({res.item}) step {res.step}" if res.status == "killed" else res.detail
                    console.print(f"[{done[0]}/{len(population.mutants)}] {res.status:8s} {res.seconds or res.wall:6.1f}s "
                                  f"{res.diff_line()}  {where}", markup=False)

            report.results = run_mutants(config, population.mutants, report.timeout, show, executor, baseline)
            report.apply_marks(marks, population.all_ids)
    except KeyboardInterrupt:
        executor.stop()
        report.error = "interrupted; the report holds the mutants that finished"
    finally:
        shutil.rmtree(executor.workdir, ignore_errors=True)
        report.seconds = time.perf_counter() - start
    paths = report.write(report_dir)
    print_summary(report, console)
    console.print(f"report: {paths['md']}  (also {paths['json'].name})")
    return report.exit_code, report, paths


def rescore(args: argparse.Namespace) -> int:
    """Re-read a JSON report, apply today's marks and --min-score, write the reports again."""
    from rich.console import Console

    from equivcheck.mutate.report import MutationReport, load_marks

    report = MutationReport.load(args.rescore)
    if (report.ref, report.cand) != (args.ref, args.cand):
        raise UsageError(f"--rescore: {args.rescore} is a run of {report.cand} vs {report.ref}")
    report.apply_marks(load_marks(args.equivalent) if args.equivalent else {})
    report.min_score = args.min_score
    console = Console(highlight=False, soft_wrap=True)
    paths = report.write(args.report_dir)
    print_summary(report, console)
    console.print(f"report: {paths['md']}  (also {paths['json'].name})")
    return report.exit_code


def _terminate_as_interrupt() -> None:
    """SIGTERM stops the run like Ctrl-C: children killed, the report of what finished written."""
    import signal
    import threading

    if threading.current_thread() is threading.main_thread():
        def interrupt(signum: int, frame: Any) -> None:
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, interrupt)


def print_summary(report: Any, console: Any) -> None:
    """Score, the per-tier kill table and the survivors, on one screen."""
    from rich.table import Table

    table = Table(show_edge=False, title="kills by tier")
    for col in ("tier", "item", "killed", "median s"):
        table.add_column(col, justify="right" if col in ("killed", "median s") else "left")
    for row in report.tier_table():
        table.add_row(row["tier"], row["item"] or "-", str(row["killed"]), f"{row['median_seconds']:.1f}")
    console.print(table)
    survivors = [r for r in report.results if r.status in ("survived", "timeout") and r.equivalent is None]
    for r in survivors[:20]:
        console.print(f"  survived: {r.id}  {r.diff_line()}" + (" [timeout]" if r.status == "timeout" else ""),
                      markup=False)
    if len(survivors) > 20:
        console.print(f"  ({len(survivors) - 20} more survivors in the report)")
    c = report.counts()
    score = "n/a" if report.score is None else f"{report.score:.1%}"
    colour = {0: "green", 1: "red"}.get(report.exit_code, "yellow")
    unreached = sum(not r.reached for r in survivors)
    console.print(f"[bold {colour}]mutation score {score}[/bold {colour}]: {c['killed']} killed of "
                  f"{len(report.scored)} scored ({c['survived']} survived ({unreached} not reached), "
                  f"{c['timeout']} timeout, "
                  f"{c['equivalent']} equivalent, {c['crashed']} crashed, {c['error']} error, "
                  f"{c['not run']} not run), {report.seconds:.0f}s")
    for problem in report.problems:
        console.print(f"[yellow]not a valid measurement:[/yellow] {problem}")
