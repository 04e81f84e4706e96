"""Kill matrix of the JAX port's mutants: which tier catches each, and the kill rate (target >= 95 %).

    python -m cases.halfcheetah.mutants [--mutant NAME,...] [--episodes 2] [--steps 300]
                                        [--max-examples 30] [--seed 0] [--json PATH]

Every mutant (adapters/cheetah_jax.py, one semantic change each, float64 builds) runs L1 (the port's
component pairs), L2 (the constructed scenarios) and L3 inject against MuJoCo under the strict
case (1e-3 everywhere). A mutant is killed when any tier reports a divergence; the table gives the
first divergent step and fields of L3 and L2. Exit 0 when at least 95 % are killed, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import asdict, dataclass, field

from cases.halfcheetah.case import CASE, PORT_MUTANTS
from equivcheck.session import RunConfig, build_context, run_diff

KILL_TARGET = 0.95


@dataclass
class Kill:
    """What each tier said about one mutant."""

    mutant: str
    status: dict[str, str] = field(default_factory=dict)
    first: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def killed(self) -> bool:
        return any(s == "divergent" for s in self.status.values())


def run_mutant(mutant: str, episodes: int, steps: int, max_examples: int, seed: int) -> Kill:
    """L1, L2 and L3 inject of one mutant against the reference (no shrinking, nothing saved)."""
    out = Kill(mutant)
    start = time.perf_counter()
    for tier, extra in (("rollout", {"episodes": episodes, "steps": steps}), ("interaction", {"steps": 4}),
                        ("property", {"max_examples": max_examples})):
        cfg = RunConfig(tiers=(tier,), master_seed=seed, shrink=False, save_corpus=False, **extra)
        report = run_diff(build_context(CASE, CASE.reference, mutant, cfg))
        out.status[tier] = report.status
        if report.divergences:
            d = report.divergences[0]
            out.first[tier] = f"step {d.step}: {', '.join(sorted({x.path for x in d.diffs}))}"
    out.seconds = time.perf_counter() - start
    return out


def table(rows: list[Kill]) -> str:
    """Markdown kill matrix."""
    lines = ["| mutant | L3 inject | L2 scenarios | L1 components | killed |", "|---|---|---|---|---|"]
    for k in rows:
        cells = [k.first.get(t, k.status.get(t, "-")) for t in ("rollout", "interaction", "property")]
        lines.append(f"| `{k.mutant}` | {' | '.join(cells)} | {'yes' if k.killed else '**no**'} |")
    killed = sum(k.killed for k in rows)
    lines.append(f"\n{killed} of {len(rows)} killed ({100 * killed / max(1, len(rows)):.0f} %)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mutant", default=",".join(PORT_MUTANTS))
    parser.add_argument("--episodes", type=int, default=2)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--max-examples", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", default=None)
    args = parser.parse_args(argv)
    rows = []
    for mutant in [m.strip() for m in args.mutant.split(",") if m.strip()]:
        rows.append(run_mutant(mutant, args.episodes, args.steps, args.max_examples, args.seed))
        print(f"{mutant}: {rows[-1].status} ({rows[-1].seconds:.0f}s)", flush=True)
    print(table(rows))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump([{**asdict(k), "killed": k.killed} for k in rows], fh, indent=1)
    return 0 if sum(k.killed for k in rows) >= KILL_TARGET * len(rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
