"""A `kind = "mutate"` pair in a gate file: the candidate's mutation score must reach `min_score`.

    [[pair]]
    kind = "mutate"
    ref = "toy-walk-ref"
    cand = "toy-walk-cand"
    min_score = 0.9          # required
    sample = 20              # optional: modules, tiers, episodes, steps, runner, max_examples,
    jobs = 2                 # timeout, equivalent (a marks file), operators, seed

The pair runs within the gate's budget; mutants not reached in time make it exit 2.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from equivcheck.context import TIERS
from equivcheck.errors import EquivcheckError, UsageError
from equivcheck.mutate.command import DEFAULT_TIERS
from equivcheck.mutate.operators import OPERATORS

KEYS = {"kind", "case", "ref", "cand", "tiers", "episodes", "steps", "runner", "max_examples", "jobs", "modules",
        "sample", "min_score", "timeout", "equivalent", "operators", "seed"}


@dataclass
class MutatePair:
    """One mutation-score check of a gate."""

    ref: str
    cand: str
    min_score: float
    case: str | None = None
    tiers: tuple[str, ...] = DEFAULT_TIERS
    episodes: int | None = None
    steps: int | None = None
    runner: str | None = None
    max_examples: int | None = None
    jobs: int = 1
    modules: tuple[str, ...] = ()
    sample: int | None = None
    timeout: float | None = None
    equivalent: Path | None = None
    operators: tuple[str, ...] = OPERATORS
    seed: int | None = None
    kind: str = field(default="mutate")


def parse_pair(raw: dict[str, Any], where: str) -> MutatePair:
    """A gate table with kind = "mutate" -> MutatePair; UsageError names the offending key."""
    unknown = set(raw) - KEYS
    if unknown:
        raise UsageError(f"{where}: unknown key(s) {', '.join(sorted(unknown))} for a mutate pair")
    for key in ("ref", "cand", "min_score"):
        if key not in raw:
            raise UsageError(f"{where}: a mutate pair needs '{key}'")
    score = raw["min_score"]
    if not isinstance(score, int | float) or not 0 <= score <= 1:
        raise UsageError(f"{where}: min_score must be a number in [0, 1]")
    tiers = tuple(raw.get("tiers", DEFAULT_TIERS))
    tiers = TIERS if tiers == ("all",) else tiers
    bad = [t for t in tiers if t not in TIERS] + [o for o in raw.get("operators", ()) if o not in OPERATORS]
    if bad:
        raise UsageError(f"{where}: unknown tier(s) or operator(s) {', '.join(bad)}")
    for key in ("sample", "jobs", "episodes", "steps", "max_examples"):
        if key in raw and (not isinstance(raw[key], int) or raw[key] < 1):
            raise UsageError(f"{where}: {key} must be a positive integer")
    values = {**raw, "tiers": tiers, "min_score": float(score), "modules": tuple(raw.get("modules", ())),
              "operators": tuple(raw.get("operators", OPERATORS))}
    if "equivalent" in raw:
        values["equivalent"] = Path(raw["equivalent"])
    return MutatePair(**values)


def split_pairs(data: dict[str, Any], path: Path) -> tuple[dict[str, Any], list[tuple[int, MutatePair]]]:
    """The gate data without its mutate pairs, and those pairs (parsed) with their positions in the file."""
    raw = data.get("pair")
    if not isinstance(raw, list):
        return data, []

    def is_mutate(p: Any) -> bool:
        return isinstance(p, dict) and p.get("kind") == "mutate"

    found = [(i, parse_pair(p, f"{path}: pair {i + 1}")) for i, p in enumerate(raw) if is_mutate(p)]
    return {**data, "pair": [p for p in raw if not is_mutate(p)]}, found


def run_pair(pair: MutatePair, deadline: float, report_dir: Path, seed: int) -> Any:
    """Run one mutate pair until `deadline`; returns the gate's PairOutcome row."""
    from rich.console import Console

    from equivcheck import registry
    from equivcheck.gate import PairOutcome
    from equivcheck.mutate import sources
    from equivcheck.mutate.command import execute
    from equivcheck.mutate.report import load_marks
    from equivcheck.mutate.runner import MutateConfig, collect

    label = f"mutate {pair.cand} vs {pair.ref}"
    start = time.perf_counter()
    seed = pair.seed if pair.seed is not None else seed
    try:
        case = registry.get_case(pair.case) if pair.case else registry.find_case(pair.ref, pair.cand)
        specs = pair.modules or sources.declared(registry.adapter_class(pair.cand), pair.cand)
        targets = sources.resolve(specs)
        marks = load_marks(pair.equivalent) if pair.equivalent else {}
        population = collect(targets, pair.operators, pair.sample, seed)
        config = MutateConfig(case=case.name, ref=pair.ref, cand=pair.cand, targets=targets, tiers=pair.tiers,
                              seed=seed, sample=pair.sample, episodes=pair.episodes, steps=pair.steps,
                              runner=pair.runner, max_examples=pair.max_examples, jobs=pair.jobs,
                              operators=pair.operators, deadline=deadline)
        code, report, paths = execute(config, population, marks, pair.timeout, pair.min_score, report_dir,
                                      Console(quiet=True), quiet=True)
    except EquivcheckError as exc:
        return PairOutcome(label, pair.tiers, "error", 2, seconds=time.perf_counter() - start, detail=str(exc))
    score = "n/a" if report.score is None else f"{report.score:.1%}"
    status = {0: "score met", 1: "score below"}.get(code, "error")
    detail = "; ".join(report.problems) or f"score {score} (min {pair.min_score:.0%}) | {paths['md']}"
    return PairOutcome(label, pair.tiers, status, code, seconds=time.perf_counter() - start, detail=detail)
