"""The pre-merge gate: pairs and tiers from a TOML file, run within one wall-clock budget."""

from __future__ import annotations

import sys
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_validator, model_validator

from equivcheck.context import TIERS, RunConfig
from equivcheck.errors import EquivcheckError, UsageError
from equivcheck.report.model import Report
from equivcheck.validation import describe, read_text


@dataclass
class GatePair:
    """One pair to certify and how much of each tier to run."""

    ref: str
    cand: str
    case: str | None = None
    tiers: tuple[str, ...] = ("rollout",)
    episodes: int | None = None
    steps: int | None = None
    runner: str | None = None
    jobs: int = 1
    executor: str = "local"
    address: str | None = None
    batch: int = 0
    max_examples: int | None = None
    items: dict[str, Any] | None = None
    """Pinned items (`[pair.items]`): per tier a list of names that must run or a table name -> least count;
    `fields` the least number of compared fields; `liveness` the conditions that must be checked."""


@dataclass
class Gate:
    """A gate file: budget in seconds, where reports go, a seed, and the pairs."""

    pairs: list[GatePair]
    budget: float = 300.0
    report_dir: Path = Path("reports/gate")
    seed: int | None = None
    save_corpus: bool = True


@dataclass
class PairOutcome:
    """One row of the gate's summary."""

    label: str
    tiers: tuple[str, ...]
    status: str
    exit_code: int
    divergences: int = 0
    seconds: float = 0.0
    detail: str = ""


Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Positive = Annotated[int, Field(ge=1)]
Count = Annotated[int, Field(ge=0)]
TierPin = list[Name] | dict[Name, Count]


class PairSchema(BaseModel):
    """One [[pair]] table of a gate file."""

    model_config = ConfigDict(strict=True, extra="forbid")

    ref: Name
    cand: Name
    case: Name | None = None
    tiers: Annotated[list[str], Field(min_length=1)] = ["rollout"]
    episodes: Positive | None = None
    steps: Positive | None = None
    runner: Literal["lockstep", "inject"] | None = None
    jobs: Positive = 1
    executor: Literal["local", "ray"] = "local"
    address: Annotated[str, Field(min_length=1)] | None = None
    batch: Annotated[int, Field(ge=0)] = 0
    max_examples: Positive | None = None
    items: dict[str, TierPin | Count] | None = None

    @field_validator("tiers")
    @classmethod
    def _tiers(cls, tiers: list[str]) -> list[str]:
        if tiers == ["all"]:
            return list(TIERS)
        bad = [t for t in tiers if t not in TIERS]
        if bad:
            raise ValueError(f"unknown tier(s) {', '.join(map(repr, bad))}; choose from {', '.join(TIERS)} or all")
        return tiers

    @model_validator(mode="after")
    def _pins(self) -> PairSchema:
        """items: `fields` a count, `liveness` a list of names, every other key a tier this pair runs."""
        for key, pin in (self.items or {}).items():
            if key == "fields":
                if not isinstance(pin, int):
                    raise ValueError("items.fields must be the least number of compared fields")
            elif key == "liveness":
                if not isinstance(pin, list):
                    raise ValueError("items.liveness must be a list of condition names")
            elif key not in self.tiers:
                raise ValueError(f"items pins tier '{key}', which the pair does not run ({', '.join(self.tiers)})")
            elif isinstance(pin, int):
                raise ValueError(f"items.{key} must be a list of names or a table of name = count")
        if self.address is not None and self.executor != "ray":
            raise ValueError("address needs executor = \"ray\"")
        return self


class GateSchema(BaseModel):
    """A gate file, checked when it is loaded: every type and range, so nothing fails at run time."""

    model_config = ConfigDict(strict=True, extra="forbid")

    pair: list[PairSchema]
    """At least one pair in the file (load_gate checks, counting `kind = "mutate"` pairs, equivcheck/mutate/gate.py)."""
    budget: Annotated[float, Field(ge=0, allow_inf_nan=False)] = 300.0
    report_dir: Name = "reports/gate"
    seed: Annotated[int, Field(ge=0, lt=2**32)] | None = None
    save_corpus: bool = True


def load_gate(path: Path) -> Gate:
    """Parse and validate a gate file (GateSchema); UsageError names the offending key in one line."""
    text = read_text(path, "gate file")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: invalid TOML: {exc}") from None
    if not data.get("pair"):
        raise UsageError(f"{path}: no [[pair]] tables")
    from equivcheck.mutate.gate import split_pairs

    data, mutate_pairs = split_pairs(data, path)
    try:
        gate = GateSchema.model_validate(data)
    except ValidationError as exc:
        raise UsageError(f"{path}: {describe(exc)}") from None
    pairs: list[Any] = [GatePair(**{**p.model_dump(), "tiers": tuple(p.tiers)}) for p in gate.pair]
    for index, pair in mutate_pairs:
        pairs.insert(index, pair)
    return Gate(pairs, gate.budget, Path(gate.report_dir), gate.seed, gate.save_corpus)


def missing_items(report: Report, pins: dict[str, Any]) -> list[str]:
    """What the report covered less of than `pins`: items not run (or fewer times), fields, liveness conditions."""
    ran = {t.tier: t.items_run for t in report.tiers}
    missing = []
    for key, pin in pins.items():
        if key == "fields":
            if len(report.fields_compared) < pin:
                missing.append(f"{len(report.fields_compared)} fields compared of {pin}")
            continue
        if key == "liveness":
            missing += [f"liveness '{name}' not checked" for name in pin if name not in report.liveness]
            continue
        wanted = dict.fromkeys(pin, 1) if isinstance(pin, list) else pin
        got = ran.get(key, {})
        for name, count in wanted.items():
            if got.get(name, 0) < count:
                missing.append(f"{key} '{name}' ran {got.get(name, 0)} of {count}")
    return missing


def run_gate(gate: Gate, budget: float, report_dir: Path, seed: int,
             setup_progress: Callable[[str], None] | None = None) -> list[PairOutcome]:
    """Run every pair until the budget is spent; pairs not reached are 'not run' (exit 2).

    `setup_progress` hears what a first-use install or build is doing."""
    from equivcheck import registry
    from equivcheck.outdir import write_reports_or_fallback
    from equivcheck.session import build_context, run_diff

    deadline = time.time() + budget
    outcomes = []
    for pair in gate.pairs:
        label = f"{pair.ref} vs {pair.cand}"
        if time.time() >= deadline:
            outcomes.append(PairOutcome(label, pair.tiers, "not run", 2, detail="budget exhausted"))
            continue
        if getattr(pair, "kind", "") == "mutate":
            from equivcheck.mutate.gate import run_pair

            outcomes.append(run_pair(pair, deadline, report_dir, seed))
            continue
        start = time.perf_counter()
        try:
            case = registry.get_case(pair.case) if pair.case else registry.find_case(pair.ref, pair.cand)
            config = RunConfig(tiers=pair.tiers, runner=pair.runner, episodes=pair.episodes, steps=pair.steps,
                               master_seed=seed, jobs=pair.jobs, executor=pair.executor, address=pair.address,
                               batch=pair.batch, max_examples=pair.max_examples,
                               report_dir=report_dir, deadline=deadline, save_corpus=gate.save_corpus)
            report = run_diff(build_context(case, pair.ref, pair.cand, config, setup_progress=setup_progress))
        except EquivcheckError as exc:
            outcomes.append(PairOutcome(label, pair.tiers, "error", 2, seconds=time.perf_counter() - start,
                                        detail=str(exc)))
            continue
        missing = missing_items(report, pair.items or {})
        if missing:
            text = f"covered less than the gate pins: {'; '.join(missing)}"
            if report.status == "divergent":
                report.tiers[-1].notes.append(text)
            else:
                report.error = f"{report.error}; not certified: {text}" if report.error else f"not certified: {text}"
        paths = write_reports_or_fallback(report, report_dir, warn=_warn)
        divs = report.divergences
        detail = divs[0].headline() + f" | repro: {divs[0].repro}" if divs else (report.error or str(paths.get("md", "")))
        outcomes.append(PairOutcome(label, pair.tiers, report.status, report.exit_code, len(divs),
                                    time.perf_counter() - start, detail))
    return outcomes


def _warn(message: str) -> None:
    print(f"equivcheck: warning: {message}", file=sys.stderr)
