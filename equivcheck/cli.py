"""The `equivcheck` command: list | setup | diff | replay | gate | mutate.

Exit codes: 0 equivalent, 1 divergence found, 2 anything else (usage, setup, bad input file, an
interrupt, an internal fault), with one line on stderr; EQUIVCHECK_DEBUG=1 or --debug adds the
traceback of an internal fault.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from equivcheck import __version__
from equivcheck.errors import EquivcheckError, UsageError
from equivcheck.outdir import check_writable, write_reports_or_fallback
from equivcheck.report.model import Report
from equivcheck.context import DEFAULT_TIERS, TIERS, RunConfig

DEFAULT_REPORT_DIR = Path("reports")


def _tiers(text: str) -> tuple[str, ...]:
    names = [t.strip() for t in text.split(",") if t.strip()]
    if names == ["all"]:
        return TIERS
    bad = [t for t in names if t not in TIERS]
    if bad or not names:
        raise argparse.ArgumentTypeError(f"unknown tier {', '.join(bad) or text!r}; choose from {', '.join(TIERS)} or all")
    return tuple(names)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text}")
    return value


SEED_LIMIT = 2**32
"""Master seeds are 32-bit words (seeding.derive keeps 32 bits): a larger one would alias a smaller one."""


def _seed(text: str) -> int:
    value = int(text)
    if not 0 <= value < SEED_LIMIT:
        raise argparse.ArgumentTypeError(f"expected a seed in [0, 2**32), got {text}")
    return value


def _seconds(text: str) -> float:
    value = float(text)
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number of seconds >= 0, got {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (also used by the docs test to check the README's commands)."""
    parser = argparse.ArgumentParser(prog="equivcheck", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"equivcheck {__version__}")
    parser.add_argument("--debug", action="store_true", help="print the traceback of an internal error")
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("list", help="registered adapters and cases")

    setup = sub.add_parser("setup", help="install what an adapter needs outside pip (npm packages, wheels)")
    setup.add_argument("names", nargs="+", help="adapter names, or 'all'")

    diff = sub.add_parser("diff", help="compare a candidate with its reference")
    diff.add_argument("--ref", required=True, help="reference adapter name")
    diff.add_argument("--cand", required=True, help="candidate adapter name")
    diff.add_argument("--case", help="case name (default: the case whose reference is --ref)")
    diff.add_argument("--tier", type=_tiers, default=DEFAULT_TIERS,
                      help="property,interaction,rollout,transfer or all (default: all but transfer)")
    diff.add_argument("--episodes", type=_positive, help="episodes (default: the case's)")
    diff.add_argument("--steps", type=_positive, help="steps per episode (default: the case's)")
    diff.add_argument("--episode", type=int, help="run only episode K of the master seed (a repro of one episode)")
    diff.add_argument("--runner", choices=("lockstep", "inject"), help="rollout runner (default: the case's)")
    diff.add_argument("--seed", type=_seed, default=None, help="master seed (default: random, printed)")
    diff.add_argument("--report-dir", type=Path, default=DEFAULT_REPORT_DIR)
    diff.add_argument("--jobs", type=_positive, default=1, help="worker processes for rollout episodes")
    diff.add_argument("--executor", choices=("local", "ray"), default="local",
                      help="where --jobs rollout workers run: local processes or Ray actors (the [ray] extra)")
    diff.add_argument("--address", help="with --executor ray: auto, host:port or ray://host:port (default: a local Ray)")
    diff.add_argument("--batch", type=int, default=0, help="step B episodes per call on a batched candidate")
    diff.add_argument("--max-examples", type=_positive, help="Hypothesis examples per L1/L2 item")
    diff.add_argument("--only", action="append", default=[], metavar="NAME",
                      help="L1/L2: run only this component, invariant or scenario (repeatable)")
    diff.add_argument("--no-shrink", action="store_true", help="skip minimising the failing input")
    diff.add_argument("--no-corpus", action="store_true", help="do not save failures into the case's corpus/")
    diff.add_argument("--quiet", action="store_true", help="no progress bar")

    replay = sub.add_parser("replay", help="rerun a saved failure; exit 0 once it no longer diverges")
    replay.add_argument("file", type=Path)
    replay.add_argument("--ref", help="replay against another reference adapter")
    replay.add_argument("--cand", help="replay against another candidate adapter")
    replay.add_argument("--report-dir", type=Path, default=DEFAULT_REPORT_DIR)

    gate = sub.add_parser("gate", help="a configured set of pairs and tiers within a wall-clock budget")
    gate.add_argument("config", type=Path, help="TOML file: budget, report_dir and [[pair]] tables")
    gate.add_argument("--budget", type=_seconds, help="seconds (overrides the file)")
    gate.add_argument("--seed", type=_seed, default=None)
    gate.add_argument("--report-dir", type=Path)

    from equivcheck.mutate.command import add_parser as add_mutate_parser

    add_mutate_parser(sub, _tiers, _positive)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit code (1 only for a report with divergences)."""
    args = build_parser().parse_args(argv)
    debug = args.debug or os.environ.get("EQUIVCHECK_DEBUG", "") not in ("", "0")
    try:
        handler = {"list": cmd_list, "setup": cmd_setup, "diff": cmd_diff, "replay": cmd_replay, "gate": cmd_gate,
                   "mutate": cmd_mutate}
        return handler[args.command](args)
    except EquivcheckError as exc:
        if debug:
            traceback.print_exc()
        _error(str(exc))
    except KeyboardInterrupt:
        _error("interrupted")
    except Exception as exc:  # noqa: BLE001 - the exit-code contract: an unexpected fault is 2, never 1
        if debug:
            traceback.print_exc()
        hint = "" if debug else " (EQUIVCHECK_DEBUG=1 prints the traceback)"
        _error(f"internal error: {type(exc).__name__}: {_one_line(str(exc))}{hint}")
    return 2


def _one_line(text: str) -> str:
    return " | ".join(line.strip() for line in text.strip().splitlines() if line.strip())


def _error(message: str) -> None:
    """The one line on stderr that every exit-2 path prints."""
    print(f"equivcheck: error: {_one_line(message)}", file=sys.stderr)


def _warn(message: str) -> None:
    """A problem that does not change the verdict (the reports went elsewhere), on stderr."""
    print(f"equivcheck: warning: {_one_line(message)}", file=sys.stderr)


def _stderr_progress(message: str) -> None:
    """Progress of a first-use install or build, one line each, on stderr (stdout keeps the verdict)."""
    print(message, file=sys.stderr, flush=True)


def _console() -> Any:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True)


def cmd_list(args: argparse.Namespace) -> int:
    """Print every registered adapter and case (pair by pair)."""
    from rich.table import Table

    from equivcheck import registry

    table = Table(title="equivcheck cases")
    for col in ("case", "reference", "candidates", "tiers"):
        table.add_column(col)
    for name in registry.case_names():
        try:
            case = registry.get_case(name)
        except EquivcheckError as exc:
            table.add_row(name, f"[red]{exc}[/red]", "", "")
            continue
        tiers = ["rollout"] + (["property"] if case.components or case.invariants else []) \
            + (["interaction"] if case.scenarios else []) + (["transfer"] if case.transfer else [])
        table.add_row(name, case.reference, ", ".join(case.candidates), ", ".join(tiers))
    console = _console()
    console.print(table)
    console.print("adapters: " + ", ".join(registry.adapter_names()))
    return 0


def cmd_setup(args: argparse.Namespace) -> int:
    """Run adapters' setup steps (idempotent); every named adapter is tried, a failure is exit 2."""
    from equivcheck import registry

    names = registry.adapter_names() if args.names == ["all"] else args.names
    console = _console()
    failed = []
    for name in names:
        start = time.perf_counter()
        try:
            registry.setup_adapter(name, progress=_labelled_printer(console, f"setup {name}: "))
        except EquivcheckError as exc:
            failed.append(name)
            _error(f"setup {name}: {exc}")
            continue
        console.print(f"setup {name}: ok ({time.perf_counter() - start:.1f}s)")
    if failed:
        _error(f"setup failed for {', '.join(failed)}")
        return 2
    return 0


def _labelled_printer(console: Any, label: str) -> Any:
    """A progress callable printing `label` + each line as plain text (a pip or npm line may hold brackets)."""
    return lambda message: console.print(label + message, markup=False, highlight=False)


def _master_seed(seed: int | None) -> int:
    return seed if seed is not None else int.from_bytes(os.urandom(4), "little") & 0x7FFFFFFF


def cmd_diff(args: argparse.Namespace) -> int:
    """Compare --cand with --ref and write the reports."""
    from equivcheck import registry
    from equivcheck.session import build_context, run_diff

    case = registry.get_case(args.case) if args.case else registry.find_case(args.ref, args.cand)
    known = {i.name for i in [*case.components, *case.invariants, *case.scenarios]}
    unknown = [n for n in args.only if n not in known]
    if unknown:
        raise UsageError(f"--only: case '{case.name}' has no component, invariant or scenario {', '.join(unknown)}")
    for name in (args.ref, args.cand):
        registry.adapter_class(name)
    if args.batch < 0:
        raise UsageError("--batch must be 0 (off) or a positive batch size")
    check_writable(args.report_dir)
    if args.address and args.executor != "ray":
        raise UsageError("--address needs --executor ray")
    if args.executor == "ray" and "rollout" in args.tier:
        from equivcheck.executors.ray import connect

        connect(args.address, args.jobs)
    seed = _master_seed(args.seed)
    console = _console()
    console.print(f"equivcheck {__version__}: case {case.name}, {args.ref} vs {args.cand}, master seed {seed}",
                  style="dim")
    config = RunConfig(
        tiers=args.tier, runner=args.runner, episodes=args.episodes, steps=args.steps, master_seed=seed,
        jobs=args.jobs, executor=args.executor, address=args.address, batch=args.batch,
        shrink=not args.no_shrink, save_corpus=not args.no_corpus,
        report_dir=args.report_dir, progress=not args.quiet, max_examples=args.max_examples, only=tuple(args.only),
    )
    if args.episode is not None:
        if args.episode < 0:
            raise UsageError("--episode must be >= 0")
        config.episode_offset, config.episodes = args.episode, 1
    ctx = build_context(case, args.ref, args.cand, config, setup_progress=_stderr_progress)
    report = run_diff(ctx)
    return finish(report, args.report_dir, console)


def finish(report: Report, report_dir: Path, console: Any, stem: str | None = None) -> int:
    """Write the reports (elsewhere, said on stderr, if that fails), print the summary, return the exit code.

    An exit 2 (nothing certified: an error, an interrupt, a vacuous run) also says why on stderr, in one line.
    """
    paths = write_reports_or_fallback(report, report_dir, stem, warn=_warn)
    print_summary(report, console)
    if paths:
        console.print(f"report: {paths['html']}  (also {paths['md'].name}, {paths['json'].name})")
    if report.exit_code == 2:
        _error(f"not certified: {report.error or 'a tier did not complete'}")
    return report.exit_code


def print_summary(report: Report, console: Any) -> None:
    """Verdict, the tiers (a table, or one line each where the terminal is narrower than the table), the first
    divergence with its repro. A tier's status always reads in full."""
    from rich.markup import escape
    from rich.table import Table

    from equivcheck.report.markdown import tier_line

    table = Table(show_edge=False)
    table.add_column("tier", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("runner")
    for col in ("items", "episodes", "steps", "examples", "fields", "seconds"):
        table.add_column(col, justify="right")
    for t in report.tiers:
        table.add_row(t.tier, t.status, t.runner, str(len(t.items_run)), str(t.episodes), str(t.steps),
                      str(t.examples), str(t.fields), f"{t.seconds:.2f}")
    if console.measure(table, options=console.options.update_width(1 << 16)).maximum <= console.width:
        console.print(table)
    else:
        for t in report.tiers:
            console.print(escape(tier_line(t)))
    for t in report.tiers:
        for note in t.notes:
            console.print(f"  note ({t.tier}): {note}")
        for skip in t.undeclared_skips():
            console.print(f"  [yellow]not run[/yellow] ({t.tier}): {skip.item}: {skip.reason}")
    colour = {"equivalent": "green", "divergent": "red"}.get(report.status, "yellow")
    console.print(f"[bold {colour}]{report.status.upper()}[/bold {colour}]: {report.ref} vs {report.cand} "
                  f"(case {report.case}, master seed {report.master_seed}, {report.seconds:.1f}s)")
    if report.error:
        console.print(f"[yellow]error:[/yellow] {report.error}")
    divs = report.divergences
    if divs:
        first = divs[0]
        console.print(f"first divergence: {first.headline()}")
        if first.shrink:
            console.print(f"  shrunk from {first.shrink.original_steps} to {first.shrink.shrunk_steps} actions")
        console.print(f"  repro: {first.repro}")
        if len(divs) > 1:
            console.print(f"  ({len(divs) - 1} more divergences in the report)")


def cmd_replay(args: argparse.Namespace) -> int:
    """Rerun a corpus file."""
    from equivcheck.replay import replay

    check_writable(args.report_dir)
    report = replay(args.file, args.ref, args.cand, setup_progress=_stderr_progress)
    return finish(report, args.report_dir, _console(), stem=f"replay-{args.file.stem}")


def cmd_gate(args: argparse.Namespace) -> int:
    """Run the pairs of a TOML gate file within the budget; one summary line per pair."""
    from rich.table import Table

    from equivcheck.gate import load_gate, run_gate

    gate = load_gate(args.config)
    budget = args.budget if args.budget is not None else gate.budget
    report_dir = check_writable(args.report_dir or gate.report_dir,
                                "--report-dir" if args.report_dir else f"{args.config}: report_dir")
    seed = _master_seed(args.seed if args.seed is not None else gate.seed)
    console = _console()
    console.print(f"equivcheck gate: {len(gate.pairs)} pairs, budget {budget:.0f}s, master seed {seed}", style="dim")
    outcomes = run_gate(gate, budget, report_dir, seed, setup_progress=_stderr_progress)
    table = Table(title="gate", show_edge=False)
    for col in ("pair", "tiers", "status", "divergences", "seconds", "report / first divergence"):
        table.add_column(col)
    for o in outcomes:
        table.add_row(o.label, ",".join(o.tiers), o.status, str(o.divergences), f"{o.seconds:.1f}", o.detail)
    console.print(table)
    code = max((o.exit_code for o in outcomes), default=0)
    if any(o.exit_code == 1 for o in outcomes):
        code = 1
    verdict = {0: "[bold green]PASS[/bold green]", 1: "[bold red]FAIL: divergence[/bold red]"}.get(
        code, "[bold yellow]ERROR: not certified[/bold yellow]")
    console.print(f"gate: {verdict}")
    if code == 2:
        failed = [o.label for o in outcomes if o.exit_code == 2]
        _error(f"gate not certified: {len(failed)} of {len(outcomes)} pairs not run or in error ({', '.join(failed)})")
    return code


def cmd_mutate(args: argparse.Namespace) -> int:
    """Mutation score of the candidate's own source (equivcheck/mutate)."""
    from equivcheck.mutate.command import run

    return run(args, _master_seed(args.seed))


if __name__ == "__main__":
    sys.exit(main())
