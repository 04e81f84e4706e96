"""Full-size Game Boy runs, as named commands (the pytest run keeps every tier small).

    python -m cases.gameboy.full rollout [--seed S] [--jobs N]   # Catch: 20 x 1,000 frames + 5 inject;
                                                                 # programs: 50 x 200 frames
    python -m cases.gameboy.full property [--seed S]             # L1 with 10x the examples
    python -m cases.gameboy.full transfer [--seed S]             # TRANSFER_FULL: 1,500-step horizon

All go through `equivcheck diff` and write reports to reports/gameboy-full/.
"""

from __future__ import annotations

import argparse
import dataclasses

from cases.gameboy.case import CASE, TRANSFER_FULL
from equivcheck import cli, registry

FULL = dataclasses.replace(
    CASE, name="gameboy-full", transfer=TRANSFER_FULL,
    components=[dataclasses.replace(p, max_examples=p.max_examples * 10) for p in CASE.components])
registry.register_case(FULL.name, FULL)


def main(argv: list[str] | None = None) -> int:
    """Run the chosen full-size tier; the exit code is equivcheck diff's (worst of the runs)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("rollout", "property", "transfer"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    common = ["diff", "--ref", "pyboy", "--cand", "emurust", "--seed", str(args.seed), "--no-corpus",
              "--report-dir", "reports/gameboy-full", "--quiet"]
    if args.what == "transfer":
        return cli.main([*common, "--case", FULL.name, "--tier", "transfer"])
    if args.what == "property":
        return cli.main([*common, "--case", FULL.name, "--tier", "property"])
    jobs = ["--jobs", str(args.jobs)]
    return max(
        cli.main([*common, "--tier", "rollout", "--episodes", "20", "--steps", "1000", *jobs]),
        cli.main([*common, "--tier", "rollout", "--runner", "inject", "--episodes", "5", "--steps", "300", *jobs]),
        cli.main([*common, "--case", "gameboy-programs", "--tier", "rollout", "--episodes", "50", "--steps", "200",
                  *jobs]),
    )


if __name__ == "__main__":
    raise SystemExit(main())
