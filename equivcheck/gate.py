"""The pre-merge gate: pairs and tiers from a TOML file, run within one wall-clock budget."""

from __future__ import annotations

import time
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from equivcheck.errors import EquivcheckError, UsageError
from equivcheck.context import TIERS, RunConfig
from equivcheck.report.model import Report

PAIR_KEYS = {"case", "ref", "cand", "tiers", "episodes", "steps", "runner", "jobs", "batch", "max_examples", "items"}


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
    batch: int = 0
    max_examples: int | None = None
    items: dict[str, Any] | None = None
    """Pinned items per tier (`[pair.items]`): a list of names that must run, or a table name -> least count."""


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


def load_gate(path: Path) -> Gate:
    """Parse and validate a gate file; UsageError names the offending key."""
    try:
        data = tomllib.loads(path.read_text())
    except FileNotFoundError as exc:
        raise UsageError(f"gate file not found: {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: invalid TOML: {exc}") from exc
    raw_pairs = data.get("pair", [])
    if not raw_pairs:
        raise UsageError(f"{path}: no [[pair]] tables")
    pairs = []
    for i, raw in enumerate(raw_pairs):
        unknown = set(raw) - PAIR_KEYS
        if unknown:
            raise UsageError(f"{path}: pair {i + 1}: unknown key(s) {', '.join(sorted(unknown))}")
        if "ref" not in raw or "cand" not in raw:
            raise UsageError(f"{path}: pair {i + 1} needs 'ref' and 'cand'")
        tiers = tuple(raw.get("tiers", ["rollout"]))
        tiers = TIERS if tiers == ("all",) else tiers
        bad = [t for t in tiers if t not in TIERS]
        if bad:
            raise UsageError(f"{path}: pair {i + 1}: unknown tier(s) {', '.join(bad)}")
        if "items" in raw:
            _check_pins(raw["items"], tiers, f"{path}: pair {i + 1}")
        pairs.append(GatePair(**{**raw, "tiers": tiers}))
    unknown = set(data) - {"pair", "budget", "report_dir", "seed", "save_corpus"}
    if unknown:
        raise UsageError(f"{path}: unknown key(s) {', '.join(sorted(unknown))}")
    return Gate(pairs, float(data.get("budget", 300.0)), Path(data.get("report_dir", "reports/gate")),
                data.get("seed"), bool(data.get("save_corpus", True)))


def _check_pins(pins: Any, tiers: tuple[str, ...], where: str) -> None:
    """A `[pair.items]` table: tier -> list of item names or table of name -> least count; `fields` -> least
    number of compared fields; `liveness` -> condition names."""
    if not isinstance(pins, dict):
        raise UsageError(f"{where}: 'items' must be a table of tier = [names] or tier = {{ name = count }}")
    for key, pin in pins.items():
        if key == "fields":
            if not isinstance(pin, int) or isinstance(pin, bool) or pin < 0:
                raise UsageError(f"{where}: items.fields must be the least number of compared fields")
            continue
        if key == "liveness":
            if not (isinstance(pin, list) and all(isinstance(n, str) for n in pin)):
                raise UsageError(f"{where}: items.liveness must be a list of condition names")
            continue
        if key not in tiers:
            raise UsageError(f"{where}: items pins tier '{key}', which the pair does not run ({', '.join(tiers)})")
        names_ok = isinstance(pin, list) and all(isinstance(n, str) for n in pin)
        counts_ok = isinstance(pin, dict) and all(isinstance(v, int) and v >= 0 for v in pin.values())
        if not (names_ok or counts_ok):
            raise UsageError(f"{where}: items.{key} must be a list of names or a table of name = count")


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


def run_gate(gate: Gate, budget: float, report_dir: Path, seed: int) -> list[PairOutcome]:
    """Run every pair until the budget is spent; pairs not reached are 'not run' (exit 2)."""
    from equivcheck import registry
    from equivcheck.report import write_reports
    from equivcheck.session import build_context, run_diff

    deadline = time.time() + budget
    outcomes = []
    for pair in gate.pairs:
        label = f"{pair.ref} vs {pair.cand}"
        if time.time() >= deadline:
            outcomes.append(PairOutcome(label, pair.tiers, "not run", 2, detail="budget exhausted"))
            continue
        start = time.perf_counter()
        try:
            case = registry.get_case(pair.case) if pair.case else registry.find_case(pair.ref, pair.cand)
            config = RunConfig(tiers=pair.tiers, runner=pair.runner, episodes=pair.episodes, steps=pair.steps,
                               master_seed=seed, jobs=pair.jobs, batch=pair.batch, max_examples=pair.max_examples,
                               report_dir=report_dir, deadline=deadline, save_corpus=gate.save_corpus)
            report = run_diff(build_context(case, pair.ref, pair.cand, config))
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
        paths = write_reports(report, report_dir)
        divs = report.divergences
        detail = divs[0].headline() + f" | repro: {divs[0].repro}" if divs else (report.error or str(paths["md"]))
        outcomes.append(PairOutcome(label, pair.tiers, report.status, report.exit_code, len(divs),
                                    time.perf_counter() - start, detail))
    return outcomes
