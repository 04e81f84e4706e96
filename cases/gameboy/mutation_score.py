"""Mutation score of the Game Boy case: every EmuRust mutant against PyBoy, cheapest tier first.

    python -m cases.gameboy.mutation_score [--seed S] [--mutants a,b] [--json PATH]

Tiers in order: rollout lockstep on 'Catch' (1 episode, 120 frames), rollout on generated
programs (4 programs, 30 frames), interaction (the scenarios), property (the L1 components at
their case sizes), then the opcode sweep (every opcode, 3 states each). Prints a Markdown table (mutant, what it breaks, the tier that killed it,
seconds, first divergence) and the score. Nothing is saved to the corpus.
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from cases.gameboy.mutants import MUTANTS, register
from equivcheck import registry
from equivcheck.session import RunConfig, build_context, run_diff

STAGES: tuple[tuple[str, str, str, dict[str, int]], ...] = (
    ("rollout (Catch)", "gameboy", "rollout", {"episodes": 1, "steps": 120}),
    ("rollout (programs)", "gameboy-programs", "rollout", {"episodes": 4, "steps": 30}),
    ("interaction", "gameboy", "interaction", {}),
    ("property", "gameboy", "property", {}),
)


def first_divergence(report: Any) -> str:
    """Where the first divergence is: runner, step, fields."""
    div = report.divergences[0]
    fields = ", ".join(d.path for d in div.diffs[:3]) or (div.crash or "?")
    return f"{div.runner} step {div.step}: {fields}"[:90]


def score(mutants: list[str], seed: int) -> list[dict[str, Any]]:
    rows = []
    for m in mutants:
        cand = register(m)
        row: dict[str, Any] = {"mutant": m, "breaks": MUTANTS[m][1], "killed_by": None, "first": "", "seconds": 0.0}
        t0 = time.time()
        for label, case, tier, sizes in STAGES:
            cfg = RunConfig(tiers=(tier,), master_seed=seed, save_corpus=False, **sizes)
            report = run_diff(build_context(registry.get_case(case), "pyboy", cand, cfg))
            if report.status == "divergent":
                row["killed_by"], row["first"] = label, first_divergence(report)
                break
        if row["killed_by"] is None:
            from cases.gameboy.opcode_sweep import sweep
            found = sweep(3, MUTANTS[m][0], seed)
            if found is not None:
                row["killed_by"], row["first"] = "opcode sweep", f"{found[0]}: {list(found[1][1])[:3]}"
        row["seconds"] = round(time.time() - t0, 1)
        rows.append(row)
        print(f"{m}: {row['killed_by'] or 'SURVIVED'} ({row['seconds']} s) {row['first']}", flush=True)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--mutants", default=",".join(MUTANTS))
    ap.add_argument("--json")
    args = ap.parse_args()
    rows = score(args.mutants.split(","), args.seed)
    print("\n| mutant | breaks | killed by | seconds | first divergence |\n|---|---|---|---|---|")
    for r in rows:
        print(f"| `{r['mutant']}` | {r['breaks']} | {r['killed_by'] or '**survived**'} | {r['seconds']} | {r['first']} |")
    killed = sum(1 for r in rows if r["killed_by"])
    print(f"\nmutation score: {killed}/{len(rows)} killed ({100 * killed / len(rows):.0f}%)")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(rows, fh, indent=1)


if __name__ == "__main__":
    main()
