"""Every opcode against PyBoy: the one-instruction component run on each of the 499 opcodes (the
245 base opcodes but HALT, and the 256 CB opcodes), `--per` drawn states each.

    python -m cases.gameboy.opcode_sweep [--per 2] [--mutant NAME] [--seed S]

Exit 0 when every opcode agrees, 1 at the first opcode that differs (printed with its state).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from hypothesis import HealthCheck, given, seed, settings

from cases.gameboy import components as c
from cases.gameboy.mutants import MUTANTS
from envs.gbrom.opcodes import TABLE


def sweep(per: int, mutant: int, master: int) -> tuple[str, Any] | None:
    """The first (opcode template, differing outputs), or None."""

    class Bound:
        pass

    Bound.mutant = mutant  # type: ignore[attr-defined]
    for code in sorted(k for k in TABLE if k != 0x76):

        @seed(master + code)
        @settings(max_examples=per, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(c.instruction_inputs(codes=[code]))
        def one(x: dict[str, Any]) -> None:
            r, e = c.ref_instruction(x), c.cand_instruction(Bound, x)
            assert r == e, (x, {k: (r[k], e[k]) for k in r if r[k] != e[k]})

        try:
            one()
        except AssertionError as exc:
            return TABLE[code].template, exc.args[0]
    return None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per", type=int, default=2)
    ap.add_argument("--mutant", default="")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    found = sweep(args.per, MUTANTS[args.mutant][0] if args.mutant else 0, args.seed)
    if found is None:
        print(f"all {len(TABLE) - 1} opcodes agree ({args.per} states each)")
        sys.exit(0)
    print(f"DIVERGENT at {found[0]}: {found[1]}")
    sys.exit(1)


if __name__ == "__main__":
    main()
