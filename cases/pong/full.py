"""Full-size Pong runs, as named commands (the pytest run keeps every tier small).

    python -m cases.pong.full rollout [--seed S] [--jobs N]   # 100 episodes lockstep + 10 inject
    python -m cases.pong.full transfer [--seed S]             # TRANSFER_FULL: 2,000-step horizon

Both go through `equivcheck diff` and write reports to reports/pong-full/. The transfer run uses
the case "pong-full" (the pong case with TRANSFER_FULL), registered when this module is imported.
"""

from __future__ import annotations

import argparse
import dataclasses

from cases.pong.case import CASE, TRANSFER_FULL
from equivcheck import cli, registry

FULL = dataclasses.replace(CASE, name="pong-full", transfer=TRANSFER_FULL)
registry.register_case(FULL.name, FULL)


def main(argv: list[str] | None = None) -> int:
    """Run the chosen full-size tier; the exit code is equivcheck diff's (worst of the runs)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("rollout", "transfer"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    common = ["diff", "--ref", "pong-c", "--cand", "pong-jax", "--seed", str(args.seed), "--no-corpus",
              "--report-dir", "reports/pong-full", "--quiet"]
    if args.what == "transfer":
        return cli.main([*common, "--case", FULL.name, "--tier", "transfer"])
    codes = [
        cli.main([*common, "--tier", "rollout", "--episodes", "100", "--jobs", str(args.jobs)]),
        cli.main([*common, "--tier", "rollout", "--runner", "inject", "--episodes", "10", "--jobs", str(args.jobs)]),
    ]
    return max(codes)


if __name__ == "__main__":
    raise SystemExit(main())
