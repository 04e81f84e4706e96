"""Runs a mutation analysis: collect and sample mutants, a baseline, then one child process per mutant.

Each mutant runs in `python -m equivcheck.mutate.child` with the mutated module's source swapped
in by an import hook (the working tree is never written), under a timeout, `jobs` at a time.
The unmutated candidate runs first through the same hook: it must be equivalent and must load
every target module, or nothing the run says would mean anything (a setup error).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from equivcheck.errors import SetupError, UsageError
from equivcheck.mutate.hook import source_hash
from equivcheck.mutate.operators import OPERATORS, Mutant, Mutator, Site
from equivcheck.mutate.report import MutantResult
from equivcheck.mutate.sources import Target


@dataclass
class MutateConfig:
    """What to mutate and how to judge each mutant."""

    case: str
    ref: str
    cand: str
    targets: list[Target]
    tiers: tuple[str, ...]
    seed: int
    sample: int | None = None
    episodes: int | None = None
    steps: int | None = None
    runner: str | None = None
    max_examples: int | None = None
    jobs: int = 1
    timeout: float | None = None
    operators: tuple[str, ...] = OPERATORS
    deadline: float | None = None
    workdir: Path | None = None


@dataclass
class Population:
    """Every site of every target, and the sampled mutants (materialised, in a fixed order)."""

    total: int
    per_module: dict[str, int]
    mutants: list[Mutant]
    all_ids: set[str] = field(default_factory=set)


def collect(targets: Sequence[Target], operators: Sequence[str], sample: int | None, seed: int,
            only: Sequence[str] = ()) -> Population:
    """All mutation sites, then `sample` of them drawn with `seed` (reproducible), or the ids `only`, materialised."""
    mutators = [Mutator(t.source(), t.name, t.scopes, operators) for t in targets]
    sites: list[tuple[Mutator, Site]] = [(m, s) for m in mutators for s in m.sites]
    if not sites:
        raise UsageError("no mutation sites in " + ", ".join(t.name for t in targets))
    if only:
        ids = [i for m in mutators for i in m.ids()]
        missing = sorted(set(only) - set(ids))
        if missing:
            raise UsageError(f"--mutant: no mutant {', '.join(missing)} in the current source")
        chosen = [k for k, i in enumerate(ids) if i in set(only)]
    elif sample is not None and sample < len(sites):
        chosen = sorted(random.Random(seed).sample(range(len(sites)), sample))
    else:
        chosen = list(range(len(sites)))
    picked: dict[int, list[Site]] = {}
    for i in chosen:
        mutator, site = sites[i]
        picked.setdefault(id(mutator), []).append(site)
    mutants: list[Mutant] = []
    all_ids: set[str] = set()
    for mutator in mutators:
        mutants += mutator.mutants(picked.get(id(mutator), []))
        all_ids |= set(mutator.ids())
    return Population(len(sites), {m.module: len(m.sites) for m in mutators}, mutants, all_ids)


class Executor:
    """Runs child processes (one per mutant) and can kill every one it started."""

    def __init__(self, config: MutateConfig) -> None:
        self.config = config
        self.workdir = Path(tempfile.mkdtemp(prefix="equivcheck-mutate-", dir=config.workdir))
        self._running: dict[int, subprocess.Popen] = {}
        self._lock = threading.Lock()
        self._stopping = False

    def spec(self, label: str, overlays: dict[str, str], coverage: bool = False) -> Path:
        """Write a child spec (and its overlay sources) for `overlays` {module: source}."""
        cfg = self.config
        folder = self.workdir / label
        folder.mkdir(parents=True, exist_ok=True)
        entries = []
        origins = {t.name: str(t.origin) for t in cfg.targets}
        for k, (name, source) in enumerate(overlays.items()):
            path = folder / f"overlay{k}.py"
            path.write_text(source)
            entries.append({"name": name, "origin": origins[name], "source_file": str(path)})
        spec = {"case": cfg.case, "ref": cfg.ref, "cand": cfg.cand, "tiers": list(cfg.tiers),
                "master_seed": cfg.seed, "episodes": cfg.episodes, "steps": cfg.steps, "runner": cfg.runner,
                "max_examples": cfg.max_examples, "overlays": entries, "coverage": coverage}
        path = folder / "spec.json"
        path.write_text(json.dumps(spec))
        return path

    def run(self, spec: Path, timeout: float | None) -> tuple[dict[str, Any] | None, str, float, bool]:
        """(result or None, stderr tail, wall seconds, timed out) of one child."""
        out = spec.with_name("out.json")
        log = spec.with_name("log.txt")
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
        start = time.perf_counter()
        with open(log, "wb") as sink:
            proc = subprocess.Popen([sys.executable, "-m", "equivcheck.mutate.child", str(spec), str(out)],
                                    stdout=sink, stderr=subprocess.STDOUT, env=env, start_new_session=True)
            with self._lock:
                if self._stopping:
                    _kill_group(proc)
                self._running[proc.pid] = proc
            timed_out = False
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                timed_out = True
                _kill_group(proc)
                proc.wait()
            except BaseException:
                _kill_group(proc)
                raise
            finally:
                with self._lock:
                    self._running.pop(proc.pid, None)
        wall = time.perf_counter() - start
        tail = log.read_bytes()[-2000:].decode(errors="replace")
        result = json.loads(out.read_text()) if out.exists() and not timed_out else None
        return result, tail, wall, timed_out

    def stop(self) -> None:
        """Kill every child still running (their process groups)."""
        with self._lock:
            self._stopping = True
            for proc in list(self._running.values()):
                _kill_group(proc)


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


@dataclass
class Baseline:
    """The unmutated candidate through the same hook: its seconds, what it proved, the lines that ran."""

    seconds: float
    result: dict[str, Any]
    lines: dict[str, set[int]] = field(default_factory=dict)
    """Module name -> line numbers of its file that ran (under line tracing, so `seconds` is an upper bound)."""

    def reached(self, mutant: Mutant) -> bool:
        """Whether any line of the statement holding the mutant ran: if none did, the mutant cannot change the run."""
        ran = self.lines.get(mutant.module)
        first, last = mutant.statement
        return ran is None or any(first <= n <= last for n in ran)


def run_baseline(executor: Executor, targets: Sequence[Target], timeout: float | None) -> Baseline:
    """The unmutated sources through the hook; SetupError unless equivalent with every target loaded."""
    sources = {t.name: t.source() for t in targets}
    result, tail, wall, timed_out = executor.run(executor.spec("baseline", sources, coverage=True), timeout)
    if timed_out:
        raise SetupError(f"the unmutated candidate did not finish within {timeout:.0f}s (raise --timeout)")
    if result is None:
        raise SetupError(f"the unmutated candidate's run died: {_last_line(tail)}")
    if result["outcome"] == "killed":
        raise SetupError(f"the unmutated candidate already diverges ({result['headline']}); fix that first")
    if result["outcome"] != "survived":
        raise SetupError(f"the unmutated candidate's run failed: {result.get('error')}")
    for name, source in sources.items():
        problem = load_problem(result, name, source_hash(source))
        if problem:
            raise SetupError(f"{problem}: remove it from source_modules/--module or check what the case imports")
    by_origin = result.get("lines", {})
    return Baseline(wall, result, {t.name: set(by_origin.get(str(t.origin), ())) for t in targets})


def load_problem(result: dict[str, Any], module: str, sha: str) -> str | None:
    """Why the run does not prove it used `module`'s overlay (None when it does)."""
    seen = result.get("proof", {}).get(module, {})
    if seen.get("sha") is None:
        return f"module {module} was never imported by the run"
    if seen["sha"] != sha:
        return f"module {module} was imported from other source than the mutant's"
    if seen.get("strays"):
        return f"module {module} was also loaded as {', '.join(seen['strays'])}, outside the overlay"
    return None


def classify(mutant: Mutant, result: dict[str, Any] | None, tail: str, wall: float, timed_out: bool,
             deadline_hit: bool) -> MutantResult:
    """One mutant's outcome from its child's result."""
    out = MutantResult(mutant.id, mutant.module, mutant.operator, mutant.lineno, mutant.scope, mutant.before,
                       mutant.after, status="error", wall=wall)
    if timed_out:
        out.status = "not run" if deadline_hit else "timeout"
        out.detail = "the budget ran out during this mutant" if deadline_hit else f"no verdict within {wall:.0f}s"
        return out
    if result is None:
        out.status, out.detail = "crashed", f"the run died: {_last_line(tail)}"
        return out
    failures = result.get("import_failures") or {}
    if failures:
        out.status, out.detail = "crashed", f"does not import: {next(iter(failures.values()))}"
        return out
    problem = load_problem(result, mutant.module, source_hash(mutant.source))
    if problem:
        out.detail = problem
        return out
    out.tier_seconds = result.get("tier_seconds", {})
    if result["outcome"] == "killed":
        out.status = "killed"
        out.tier, out.item, out.step, out.episode = result["tier"], result["item"], result["step"], result["episode"]
        out.seconds, out.detail = result["seconds"], result["headline"]
    elif result["outcome"] == "survived":
        out.status, out.seconds = "survived", result["seconds"]
    else:
        out.detail = str(result.get("error"))
    return out


def unreached(mutant: Mutant) -> MutantResult:
    """The verdict of a mutant whose statement never ran in the baseline: it survives, not run."""
    first, last = mutant.statement
    lines = f"line {first}" if first == last else f"lines {first}-{last}"
    return MutantResult(mutant.id, mutant.module, mutant.operator, mutant.lineno, mutant.scope, mutant.before,
                        mutant.after, status="survived", reached=False,
                        detail=f"not reached: no line of its statement ({lines}) ran in the unmutated run")


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else "no output"


def default_timeout(baseline_seconds: float) -> float:
    """Per-mutant timeout when none is given: three baselines plus a minute (slow machines, parallel jobs)."""
    return 3.0 * baseline_seconds + 60.0


def run_mutants(config: MutateConfig, mutants: Sequence[Mutant], timeout: float,
                on_result: Callable[[MutantResult], None] | None = None,
                executor: Executor | None = None, baseline: Baseline | None = None) -> list[MutantResult]:
    """Run every mutant (`config.jobs` at a time, in a seeded random order); results in the mutants' order.

    With a `baseline`, a mutant none of whose statement's lines ran in it survives without a run.
    """
    executor = executor or Executor(config)
    results: dict[str, MutantResult] = {}

    def one(mutant: Mutant) -> MutantResult:
        if baseline is not None and not baseline.reached(mutant):
            return unreached(mutant)
        remaining = None if config.deadline is None else config.deadline - time.time()
        if remaining is not None and remaining <= 0:
            return classify(mutant, None, "", 0.0, True, True)
        limit = timeout if remaining is None else min(timeout, remaining)
        result, tail, wall, timed_out = executor.run(executor.spec(_label(mutant), {mutant.module: mutant.source}),
                                                     limit)
        return classify(mutant, result, tail, wall, timed_out, timed_out and limit < timeout)

    order = list(mutants)
    random.Random(config.seed).shuffle(order)  # a run cut short (budget, Ctrl-C) has judged a random subsample
    pool = ThreadPoolExecutor(max_workers=max(1, config.jobs))
    futures = {pool.submit(one, m): m for m in order}
    try:
        for fut in as_completed(futures):
            res = fut.result()
            results[res.id] = res
            if on_result is not None:
                on_result(res)
    except KeyboardInterrupt:
        executor.stop()
        pool.shutdown(wait=True, cancel_futures=True)
        for fut, mutant in futures.items():
            if mutant.id not in results:
                res = classify(mutant, None, "", 0.0, True, True)
                res.detail = "interrupted"
                results[mutant.id] = res
    except BaseException:
        executor.stop()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown()
    return [results[m.id] for m in mutants]


def _label(mutant: Mutant) -> str:
    return mutant.id.replace(":", "_").replace("/", "_")
