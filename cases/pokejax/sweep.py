"""The large L3 run over legal Gen 1 teams: many battles, every step compared, coverage counted.

    python -m cases.pokejax.sweep --teams generated --battles 500           # themed legal teams (legal.py)
    python -m cases.pokejax.sweep --teams generated --theme trapping --battles 100
    python -m cases.pokejax.sweep --teams random --battles 200               # the seeds' random-battle teams
    python -m cases.pokejax.sweep --teams generated --start 137 --battles 1  # replay one battle (printed repro)

Battle k plays seed `--seed + k`: its teams are `legal.battle_of_seed(seed)` (generated) or the
seed's random-battle teams (random), both players choose among Showdown's legal actions
(numpy generator seeded with the seed; in two battles of three a player prefers its moves,
MOVE_BIAS), and the case's schema compares Showdown (`showdown`) with
the candidate (`--cand`, default `pokejax`) after every step, lockstep (the framework's rollout
runner). Prints each divergence (seed, theme, teams, step, fields, actions), the totals and the
coverage table (moves chosen, effects seen; the zero rows too). Exit 0 when every battle is equal,
1 on a divergence, 2 on a setup error.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from cases.pokejax import legal
from cases.pokejax.case import CASE
from cases.pokejax.coverage import EVENTS, events
from equivcheck.case import Liveness
from equivcheck.errors import EquivcheckError
from equivcheck.policies import UniformPolicy
from equivcheck.tiers.rollout import EpisodeResult, LivenessTracker, run_episode


MOVE_BIAS = (None, 0.75, 0.95)
"""Battle seed mod 3 -> the chance a player picks among its legal moves rather than uniformly among all
legal actions (None: uniform; uniform switches most of the time, the biased players fight longer)."""


class Player:
    """Both players' actions: uniform over the legal ones, or a legal move with chance `bias` (MOVE_BIAS);
    remembers its last joint action (the coverage observer reads it)."""

    def __init__(self, space: Any, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.uniform = UniformPolicy(space, self.rng)
        self.bias = MOVE_BIAS[seed % len(MOVE_BIAS)]
        self.last: Any = None

    def __call__(self, t: int, obs: Any, mask: np.ndarray | None) -> Any:
        action = np.asarray(self.uniform(t, obs, mask))
        if self.bias is not None and mask is not None:
            for p, row in enumerate(np.asarray(mask, bool)):
                moves = np.flatnonzero(row[:4])
                if len(moves) and self.rng.random() < self.bias:
                    action[p] = int(self.rng.choice(moves))
        self.last = action
        return action


def play(ref: Any, cand: Any, seed: int, teams: Sequence[Sequence[Mapping[str, Any]]] | None,
         counts: Counter | None = None, steps: int = 400) -> EpisodeResult:
    """One lockstep battle of `teams` (None: the seed's random-battle teams) from battle seed `seed`;
    the reference's events are added to `counts`."""
    policy = Player(ref.action_space, seed)
    counts = Counter() if counts is None else counts

    def observe(acc: Counter, prev: dict, cur: dict) -> Counter:
        acc.update(events(prev, policy.last, cur))
        return acc

    tracker = LivenessTracker([Liveness("coverage", observe, lambda _: True, lambda: counts, lambda a, b: a + b)])
    options = None if teams is None else legal.options(teams)
    return run_episode(ref, cand, CASE.schema, seed, policy, steps, "lockstep", liveness=tracker, options=options)


def describe_teams(teams: Sequence[Sequence[Mapping[str, Any]]]) -> str:
    """Both teams on one line each: species Lv: moves."""
    return "\n".join(f"    p{s + 1}: " + "; ".join(f"{m['species']} L{m['level']}: {','.join(m['moves'])}" for m in t)
                     for s, t in enumerate(teams))


def coverage_table(counts: Counter) -> str:
    """Every event of coverage.EVENTS with its count; the zero rows listed apart."""
    seen = [f"{e} {counts[e]}" for e in EVENTS if counts[e]]
    zero = [e for e in EVENTS if not counts[e]]
    moves = sum(1 for e in EVENTS if e.startswith("move:") and counts[e])
    total = sum(1 for e in EVENTS if e.startswith("move:"))
    return (f"coverage: {moves}/{total} moves chosen, {len(seen)}/{len(EVENTS)} events seen\n  "
            + ", ".join(seen) + f"\n  never seen ({len(zero)}): " + (", ".join(zero) or "none"))


def main(argv: list[str] | None = None) -> int:
    """Run the sweep; exit 0 equal, 1 divergent, 2 setup or usage error."""
    from equivcheck import registry

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--teams", choices=("generated", "random"), default="generated")
    ap.add_argument("--battles", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0, help="battle k plays seed SEED + START + k")
    ap.add_argument("--start", type=int, default=0)
    ap.add_argument("--theme", choices=tuple(legal.THEMES), default=None, help="one theme (default: drawn)")
    ap.add_argument("--steps", type=int, default=400, help="step cap per battle")
    ap.add_argument("--cand", default="pokejax")
    ap.add_argument("--json", default=None, help="write the counts and divergences here")
    args = ap.parse_args(argv)
    if args.battles < 1 or args.steps < 1:
        print("equivcheck: --battles and --steps must be at least 1", file=sys.stderr)
        return 2
    try:
        ref, cand = registry.make_adapter(CASE.reference), registry.make_adapter(args.cand)
    except EquivcheckError as exc:
        print(f"equivcheck: {exc}", file=sys.stderr)
        return 2
    counts: Counter = Counter()
    found: list[dict[str, Any]] = []
    n_steps, themes, t0 = 0, Counter(), time.perf_counter()
    try:
        for k in range(args.start, args.start + args.battles):
            seed = args.seed + k
            theme, teams = legal.battle_of_seed(seed, args.theme) if args.teams == "generated" else ("random", None)
            themes[theme] += 1
            result = play(ref, cand, seed, teams, counts, args.steps)
            n_steps += result.steps
            if (k - args.start + 1) % 10 == 0:
                print(f"  {k - args.start + 1} battles, {n_steps} steps, {len(found)} divergent, "
                      f"{time.perf_counter() - t0:.0f} s", flush=True)
            if result.divergences:
                div = result.divergences[0]
                fields = [f"{d.path}: showdown={d.ref!r} {args.cand}={d.cand!r}" for d in div.diffs[:6]]
                found.append({"seed": seed, "theme": theme, "teams": teams, "step": div.step, "crash": div.crash,
                              "fields": fields, "actions": div.actions})
                print(flush=True)
                print(f"DIVERGENT battle seed {seed} (theme {theme}) at step {div.step}: {div.crash or ''}")
                if teams is not None:
                    print(describe_teams(teams))
                print("    " + "\n    ".join(fields))
                print(f"    actions: {div.actions}")
                print(f"    repro: python -m cases.pokejax.sweep --teams {args.teams} --seed {args.seed} --start {k} "
                      f"--battles 1 --cand {args.cand}" + (f" --theme {args.theme}" if args.theme else ""))
    finally:
        ref.close()
        cand.close()
    secs = time.perf_counter() - t0
    print(f"{args.battles} battles ({args.teams} teams; themes {dict(themes)}), {n_steps} steps compared, "
          f"{len(found)} divergent, {secs:.0f} s")
    print(coverage_table(counts))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"battles": args.battles, "steps": n_steps, "themes": themes, "divergences": found,
                       "coverage": {e: counts[e] for e in EVENTS}, "seconds": secs}, fh, indent=1)
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
