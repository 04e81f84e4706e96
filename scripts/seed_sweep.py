"""Run the seed-sensitive tests over many master seeds and print how often each failed.

    python scripts/seed_sweep.py                     # 50 master seeds, one pytest run each
    python scripts/seed_sweep.py --seeds 5 -n 2      # 5 seeds, two runs at a time
    python scripts/seed_sweep.py --first 1000 -- cases/pong -k catches   # extra pytest arguments after --

Each run is `pytest -m seed_sensitive --seed S` (master seeds S = first, first + 1, ...), in its own
process, with its JUnit XML read back. The table gives, per test, the failures observed, the runs,
and the false-failure bound the test computed (`@pytest.mark.seed_sensitive(bound=...)`); a test
whose bound is below 1e-4 should fail in none of 50 runs. Exit 0 when no run failed, 1 when some
test failed, 2 when a run could not be read (a crash or a collection error).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Run:
    """One pytest run at one master seed: per-test outcomes read from its JUnit XML."""

    seed: int
    returncode: int
    seconds: float
    outcomes: dict[str, str] = field(default_factory=dict)
    bounds: dict[str, float] = field(default_factory=dict)
    tail: str = ""


def _test_id(case: ET.Element) -> str:
    module = case.get("classname", "").replace(".", "/")
    return f"{module}.py::{case.get('name')}" if module else str(case.get("name"))


def read_junit(path: Path) -> tuple[dict[str, str], dict[str, float]]:
    """Per test id: 'passed', 'failed' (a failure or an error) or 'skipped'; and its declared bound."""
    outcomes: dict[str, str] = {}
    bounds: dict[str, float] = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        name = _test_id(case)
        tags = {child.tag for child in case}
        outcomes[name] = "failed" if tags & {"failure", "error"} else "skipped" if "skipped" in tags else "passed"
        for prop in case.iter("property"):
            if prop.get("name") == "false_failure_bound" and prop.get("value") not in (None, "None"):
                bounds[name] = float(prop.get("value"))
    return outcomes, bounds


def run_seed(seed: int, pytest_args: list[str], workdir: Path) -> Run:
    """`pytest -m seed_sensitive --seed SEED` in a fresh process."""
    xml = workdir / f"seed-{seed}.xml"
    cmd = [sys.executable, "-m", "pytest", "-q", "-m", "seed_sensitive", "--seed", str(seed),
           f"--junitxml={xml}", "-o", "junit_family=xunit1", *pytest_args]
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    run = Run(seed, done.returncode, time.perf_counter() - start, tail=(done.stdout + done.stderr)[-2000:])
    if xml.exists():
        run.outcomes, run.bounds = read_junit(xml)
    return run


def summarise(runs: list[Run]) -> tuple[str, int, bool]:
    """The table, the total failure count, and whether every run was readable."""
    fails: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    bounds: dict[str, float] = {}
    for run in runs:
        bounds.update(run.bounds)
        for name, outcome in run.outcomes.items():
            if outcome != "skipped":
                seen[name] += 1
            if outcome == "failed":
                fails[name] += 1
    width = max((len(n) for n in seen), default=4)
    lines = [f"{'test':<{width}}  failed/runs  bound", f"{'-' * width}  -----------  -----"]
    for name in sorted(seen):
        bound = f"{bounds[name]:.1e}" if name in bounds else "-"
        lines.append(f"{name:<{width}}  {fails[name]:>6}/{seen[name]:<4}  {bound}")
    total = sum(fails.values())
    expected = sum(bounds.values()) * len(runs)
    lines.append(f"total: {total} failures in {sum(seen.values())} test runs over {len(runs)} master seeds "
                 f"(expected from the bounds: at most {expected:.2g})")
    readable = all(run.outcomes and run.returncode in (0, 1) for run in runs)
    return "\n".join(lines), total, readable


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=50, help="how many master seeds (default 50)")
    parser.add_argument("--first", type=int, default=1, help="the first master seed (default 1)")
    parser.add_argument("-n", "--jobs", type=int, default=1, help="pytest runs at a time (default 1)")
    parser.add_argument("pytest_args", nargs="*", help="extra pytest arguments (paths, -k ...), after --")
    args = parser.parse_args(argv)
    if args.seeds < 1 or args.jobs < 1:
        parser.error("--seeds and -n must be at least 1")
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    seeds = list(range(args.first, args.first + args.seeds))
    runs: list[Run] = []
    with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(args.jobs) as pool:
        for run in pool.map(lambda s: run_seed(s, args.pytest_args, Path(tmp)), seeds):
            failed = sorted(n for n, o in run.outcomes.items() if o == "failed")
            status = "ok" if run.returncode == 0 else f"exit {run.returncode}"
            tail = f"; failed: {', '.join(failed)}" if failed else ""
            print(f"seed {run.seed}: {status} in {run.seconds:.0f}s{tail}", flush=True)
            if not run.outcomes or run.returncode not in (0, 1):
                print(run.tail, file=sys.stderr)
            runs.append(run)
    text, total, readable = summarise(runs)
    print(text)
    if not readable:
        return 2
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
