"""Lockstep horizon statistics: how many steps free-running trajectories stay within epsilon.

    python -m cases.halfcheetah.horizon [--cand cheetah-jax,mujoco-mjx,brax-mjx,...] [--episodes 20] [--steps 1000]
                                        [--eps 1e-3] [--seed 0] [--json PATH]

Both sides start from the same seed and take the same uniform random actions (the rollout
tier's policy); per episode, the first step at which any float field differs by more than
epsilon (L-infinity), the field that crossed first, and the largest error seen by steps 1, 10
and 100. Prints one Markdown row per candidate (min / median / max of the first divergent step).
Nothing is shrunk or saved: divergence of free-running chaotic physics is the measurement.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from cases.halfcheetah.case import BRAX, MJX, MJX64, PORT, PORT64, make_case
from equivcheck import registry, seeding
from equivcheck.tiers.rollout import run_episode


@dataclass
class Horizon:
    """Lockstep horizon of one candidate over several episodes."""

    cand: str
    eps: float
    episodes: int
    steps: int
    first: list[int | None] = field(default_factory=list)
    first_fields: list[str] = field(default_factory=list)
    error_at: dict[int, float] = field(default_factory=dict)
    seconds: float = 0.0

    def summary(self) -> dict[str, Any]:
        """min / median / max of the first divergent step (None where an episode never left epsilon)."""
        hit = [f for f in self.first if f is not None]
        return {
            "diverged": f"{len(hit)}/{len(self.first)}",
            "min": min(hit) if hit else None,
            "median": statistics.median(hit) if hit else None,
            "max": max(hit) if hit else None,
            "first_field": max(set(self.first_fields), key=self.first_fields.count) if self.first_fields else "",
        }


def measure(cand: str, episodes: int, steps: int, eps: float, master_seed: int = 0,
            overrides: dict[str, float] | None = None) -> Horizon:
    """Run `episodes` lockstep episodes of `cand` against the reference and record when each left epsilon."""
    case = make_case(eps, overrides)
    out = Horizon(cand, eps, episodes, steps)
    start = time.perf_counter()
    ref = registry.make_adapter(case.reference)
    adapter = registry.make_adapter(cand)
    try:
        for index in range(episodes):
            seed = seeding.episode_seed(master_seed, index)
            policy = case.make_policy(ref.action_space, seeding.policy_rng(master_seed, index))
            ep = run_episode(ref, adapter, case.schema, seed, policy, steps, "lockstep", track_errors=True)
            if ep.divergences:
                div = ep.divergences[0]
                out.first.append(div.step)
                out.first_fields.append(",".join(d.path for d in div.diffs))
            else:
                out.first.append(None)
            curve = [max(vals) for vals in zip(*ep.error_curve.values(), strict=True)] if ep.error_curve else []
            for at in (1, 10, 100):
                if len(curve) >= at:
                    out.error_at[at] = max(out.error_at.get(at, 0.0), curve[at - 1])
    finally:
        ref.close()
        adapter.close()
    out.seconds = time.perf_counter() - start
    return out


def table(rows: list[Horizon]) -> str:
    """Markdown table of horizons."""
    lines = [("| candidate | epsilon | episodes x steps | diverged | first divergent step min / median / max "
             "| field crossing first | max error at step 1 / 10 / 100 |"),
             "|---|---|---|---|---|---|---|"]
    for h in rows:
        s = h.summary()
        err = " / ".join(f"{h.error_at[k]:.2g}" if k in h.error_at else "-" for k in (1, 10, 100))
        lines.append(f"| {h.cand} | {h.eps:g} | {h.episodes} x {h.steps} | {s['diverged']} | "
                     f"{s['min']} / {s['median']} / {s['max']} | {s['first_field']} | {err} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cand", default=",".join((PORT, PORT64, MJX, MJX64, *BRAX)))
    parser.add_argument("--episodes", type=int, default=20)
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--eps", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", default=None)
    args = parser.parse_args(argv)
    rows = []
    for cand in [c.strip() for c in args.cand.split(",") if c.strip()]:
        rows.append(measure(cand, args.episodes, args.steps, args.eps, args.seed))
        print(f"{cand}: {rows[-1].summary()} ({rows[-1].seconds:.1f}s)", flush=True)
    print(table(rows))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump([{**asdict(h), "summary": h.summary()} for h in rows], fh, indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
