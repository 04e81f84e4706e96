"""The verdict table of the case README, measured: inject and lockstep for every candidate.

    python -m cases.halfcheetah.verdicts [--cand ...] [--episodes 10] [--steps 1000] [--eps 1e-3]
                                         [--lockstep-episodes 10] [--json PATH]

Per candidate: inject transitions beyond epsilon (of all compared), the fields that left it and
their largest error, the first inject step that diverged, and the lockstep horizon (median first
step beyond epsilon). Nothing is shrunk or saved. The full certification of one pair stays
`equivcheck diff` (see README.md); this is the side-by-side measurement.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import asdict, dataclass, field

import numpy as np

from cases.halfcheetah.case import BRAX, FLOAT32_OVERRIDES, MJX, MJX64, PORT, PORT64, make_case
from cases.halfcheetah.horizon import measure
from equivcheck import registry, seeding
from equivcheck.tiers.rollout import run_episode


@dataclass
class Verdict:
    """Inject and lockstep measurements of one candidate."""

    cand: str
    eps: float
    overrides: dict[str, float]
    episodes: int
    steps: int = 0
    divergent_steps: int = 0
    first_step: int | None = None
    max_error: dict[str, float] = field(default_factory=dict)
    lockstep_median: float | None = None
    lockstep_range: tuple[int | None, int | None] = (None, None)
    seconds: float = 0.0

    @property
    def verdict(self) -> str:
        """EQUIVALENT when no inject transition left its tolerance, else NOT EQUIVALENT."""
        return "EQUIVALENT" if self.divergent_steps == 0 else "NOT EQUIVALENT"


def inject(cand: str, episodes: int, steps: int, eps: float, overrides: dict[str, float] | None = None,
           master_seed: int = 0) -> Verdict:
    """Inject episodes of `cand`, every transition judged from the reference's state."""
    case = make_case(eps, overrides)
    out = Verdict(cand, eps, dict(overrides or {}), episodes)
    start = time.perf_counter()
    ref, adapter = registry.make_adapter(case.reference), registry.make_adapter(cand)
    try:
        for index in range(episodes):
            seed = seeding.episode_seed(master_seed, index)
            policy = case.make_policy(ref.action_space, seeding.policy_rng(master_seed, index))
            ep = run_episode(ref, adapter, case.schema, seed, policy, steps, "inject", track_errors=True,
                             max_divergences=steps + 1)
            out.steps += ep.steps
            out.divergent_steps += sum(1 for d in ep.divergences if d.step > 0)
            for d in ep.divergences:
                out.first_step = d.step if out.first_step is None else min(out.first_step, d.step)
            for path, curve in ep.error_curve.items():
                if curve:
                    out.max_error[path] = max(out.max_error.get(path, 0.0), float(np.max(curve)))
    finally:
        ref.close()
        adapter.close()
    out.seconds = time.perf_counter() - start
    return out


def table(rows: list[Verdict]) -> str:
    """The README's Markdown table."""
    lines = [("| candidate | runner | epsilon | verdict | inject: steps beyond epsilon | largest inject error by field "
             "| first divergent step: inject / lockstep median (min-max) |"),
             "|---|---|---|---|---|---|---|"]
    for v in rows:
        eps = f"{v.eps:g}" + "".join(f", {k} {t:g}" for k, t in v.overrides.items())
        errs = ", ".join(f"{k} {e:.2g}" for k, e in sorted(v.max_error.items()))
        lo, hi = v.lockstep_range
        lock = "-" if v.lockstep_median is None else f"{v.lockstep_median:g} ({lo}-{hi})"
        lines.append(f"| {v.cand} | inject + lockstep | {eps} | **{v.verdict}** | {v.divergent_steps} of {v.steps} "
                     f"| {errs} | {v.first_step if v.first_step is not None else 'none'} / {lock} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cand", default=",".join((PORT64, PORT, f"{PORT}:f32", MJX64, MJX, f"{MJX}:f32", *BRAX)),
                        help="candidates; NAME:f32 runs NAME with the float32 per-field overrides")
    parser.add_argument("--episodes", type=int, default=10)
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--eps", type=float, default=1e-3)
    parser.add_argument("--lockstep-episodes", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", default=None)
    args = parser.parse_args(argv)
    rows = []
    for spec in [c.strip() for c in args.cand.split(",") if c.strip()]:
        cand, _, variant = spec.partition(":")
        overrides = FLOAT32_OVERRIDES if variant == "f32" else None
        v = inject(cand, args.episodes, args.steps, args.eps, overrides, args.seed)
        if args.lockstep_episodes:
            h = measure(cand, args.lockstep_episodes, args.steps, args.eps, args.seed, overrides)
            hit = [f for f in h.first if f is not None]
            v.lockstep_median = h.summary()["median"]
            v.lockstep_range = (min(hit), max(hit)) if hit else (None, None)
        rows.append(v)
        print(f"{spec}: {v.verdict}, {v.divergent_steps}/{v.steps} beyond epsilon ({v.seconds:.0f}s)", flush=True)
    print(table(rows))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump([{**asdict(v), "verdict": v.verdict} for v in rows], fh, indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
