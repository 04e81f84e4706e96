"""One mutant's run, in its own process: `python -m equivcheck.mutate.child SPEC.json OUT.json`.

The overlay import hook goes in before anything imports the target modules; then the tiers run
cheapest first and stop at the first divergence (property one component at a time), and OUT
records the outcome, where and when it was killed, and the proof of which overlays were loaded; with
"coverage" in the spec (the baseline), also the lines of the overlay files that ran.
"""

from __future__ import annotations

import time

_T0 = time.perf_counter()

import json  # noqa: E402 - the clock starts before any import
import sys  # noqa: E402
import traceback  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from equivcheck.mutate.hook import Overlay, OverlayFinder, install, proof  # noqa: E402

TIER_ORDER = ("property", "interaction", "rollout", "transfer")
NOT_APPLICABLE = ("not applicable", "skipped")
"""A tier with nothing to run for the case: skipped here, as `equivcheck diff` does when another tier runs."""


class LineRecorder:
    """The lines of the overlay files that ran (sys.settrace, only in frames of those files)."""

    def __init__(self, files: set[str]) -> None:
        self.lines: dict[str, set[int]] = {f: set() for f in files}

    def _global(self, frame: Any, event: str, arg: Any) -> Any:
        return self._local if event == "call" and frame.f_code.co_filename in self.lines else None

    def _local(self, frame: Any, event: str, arg: Any) -> Any:
        if event == "line":
            self.lines[frame.f_code.co_filename].add(frame.f_lineno)
        return self._local

    def start(self) -> None:
        import threading

        threading.settrace(self._global)
        sys.settrace(self._global)

    def stop(self) -> None:
        import threading

        sys.settrace(None)
        threading.settrace(None)


def _kill_record(report: Any, item: str | None) -> dict[str, Any]:
    div = report.divergences[0]
    return {"outcome": "killed", "tier": div.tier, "item": item or div.runner, "episode": div.episode,
            "step": div.step, "headline": div.headline(), "seconds": time.perf_counter() - _T0}


def run_tiers(spec: dict[str, Any]) -> dict[str, Any]:
    """Run the spec's tiers against the pair, stopping at the first divergence."""
    from dataclasses import replace

    from equivcheck import registry
    from equivcheck.context import RunConfig, build_context
    from equivcheck.session import run_diff

    case = registry.get_case(spec["case"])
    base = RunConfig(tiers=(), runner=spec.get("runner"), episodes=spec.get("episodes"), steps=spec.get("steps"),
                     master_seed=int(spec["master_seed"]), jobs=1, shrink=False, save_corpus=False,
                     report_dir=None, progress=False, max_examples=spec.get("max_examples"))
    ctx = build_context(case, spec["ref"], spec["cand"], base)
    tier_seconds: dict[str, float] = {}
    idle: list[str] = []
    tiers = [t for t in TIER_ORDER if t in spec["tiers"]]
    for tier in tiers:
        start = time.perf_counter()
        if tier == "property":
            items = [i.name for i in [*case.components, *case.invariants] if case.applies(i, spec["cand"])]
            runs = [(name, replace(base, tiers=(tier,), only=(name,))) for name in dict.fromkeys(items)]
        else:
            runs = [(None, replace(base, tiers=(tier,)))]
        if not runs:
            idle.append(tier)
        for item, config in runs:
            ctx.config = config
            report = run_diff(ctx)
            if report.divergences:
                tier_seconds[tier] = time.perf_counter() - start
                return {**_kill_record(report, item), "tier_seconds": tier_seconds}
            if report.tiers and all(t.status in NOT_APPLICABLE for t in report.tiers):
                idle.append(tier)
                break
            if report.error:
                return {"outcome": "error", "error": f"{tier}: {report.error}", "tier_seconds": tier_seconds}
        tier_seconds[tier] = time.perf_counter() - start
    if len(idle) == len(tiers):
        return {"outcome": "error", "error": f"the case has nothing to run in tier(s) {', '.join(tiers)}",
                "tier_seconds": tier_seconds}
    return {"outcome": "survived", "seconds": time.perf_counter() - _T0, "tier_seconds": tier_seconds}


def main(argv: list[str]) -> int:
    """Install the overlays, run, write OUT (always, even after a fault); exit 0 when OUT was written."""
    spec_path, out_path = Path(argv[0]), Path(argv[1])
    spec = json.loads(spec_path.read_text())
    overlays = [Overlay(o["name"], o["origin"], Path(o["source_file"]).read_text()) for o in spec["overlays"]]
    finder: OverlayFinder = install(overlays)
    recorder = LineRecorder({o.origin for o in overlays}) if spec.get("coverage") else None
    if recorder is not None:
        recorder.start()
    try:
        result = run_tiers(spec)
    except BaseException as exc:  # noqa: BLE001 - a mutant may break anything; record it, never lose OUT
        result = {"outcome": "error", "error": f"{type(exc).__name__}: {exc}",
                  "traceback": traceback.format_exc(limit=8)[-4000:]}
    if recorder is not None:
        recorder.stop()
        result["lines"] = {origin: sorted(lines) for origin, lines in recorder.lines.items()}
    result["proof"] = proof(finder)
    result["import_failures"] = {o.name: o.failure for o in overlays if o.failure}
    result["wall"] = time.perf_counter() - _T0
    out_path.write_text(json.dumps(result, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
