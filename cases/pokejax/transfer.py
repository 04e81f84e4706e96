"""L4 of the PokeJAX case: a linear policy (p1) trained against a highest-expected-damage player (p2).

Both seats read the battle from the env's snapshot (`view`): Showdown's observation is a request
summary and PokeJAX's a vector, but their snapshots agree field by field wherever the case
compares them, and every field read here is a compared one (state.COVERED). The return is
+1 (p1 wins), -1 (p2 wins) or 0 (a tie or the step cap), so the win rate is (return + 1) / 2
(ties count half) and a TOST margin of 0.04 on the return is 0.02 on the win rate.

    equivcheck diff --ref showdown --cand pokejax --tier transfer      # the case's counts
    equivcheck diff --ref showdown --cand pokejax-mut-half-damage-p1 --tier transfer  # the mutant

`HalfDamageToP1` is a mutant whose win rate really differs: p1's Pokemon lose half the HP they
should (p2's attacks halved), so the same policy wins more often on it than on Showdown.
"""

from __future__ import annotations

import sys
from functools import lru_cache, partial
from typing import Any, ClassVar

import jax.numpy as jnp
import numpy as np

from adapters.pokejax import PokeJax
from envs.pokejax.tables import ACC_ALWAYS, DAMAGE_LEVEL, SPECIAL, STATUS, tables
from equivcheck import registry
from equivcheck.adapter import StepResult
from equivcheck.case import TransferSpec
from equivcheck.tiers.transfer import LinearPolicy, Versus, cem_train, episode_return

Snapshot = dict[str, Any]
MARGIN = 0.04
"""TOST margin on the return: 0.02 on the win rate."""
MEAN_ROLL = 236.0 / 255.0
"""Mean of Gen 1's damage roll random(217, 256) / 255."""
CAP = 1.5
"""Damage fractions of the foe's HP are capped here (anything above is a KO)."""
BENCH = 5


def view(env: Any, obs: Any) -> Snapshot:
    """What both seats see: the env's snapshot (the observation's form differs between the backends)."""
    return env.snapshot()


@lru_cache(maxsize=1)
def _move_numbers() -> dict[str, int]:
    return {m: i for i, m in enumerate(tables().move_ids) if m}


@lru_cache(maxsize=64)
def _types(text: str) -> tuple[int, ...]:
    return tuple(tables().types.index(t) for t in text.split("/") if t)


def _prefix(snap: Snapshot, side: str, member: int | None = None) -> str:
    return f"{side}.team.{int(snap[f'{side}.active']) if member is None else member}"


def expected_damage(snap: Snapshot, side: str, member: int, slot: int) -> float:
    """Expected HP the move in `slot` of `side`'s `member` takes from the foe's active Pokemon.

    Gen 1's formula on the modified stats with STAB, type effectiveness, the mean roll, accuracy
    and the mean hit count; fixed damage as it is; status and OHKO moves count 0.
    """
    t = tables()
    me = _prefix(snap, side, member)
    move = snap.get(f"{me}.move.{slot}.id", "")
    if not move or int(snap[f"{me}.move.{slot}.pp"]) <= 0:
        return 0.0
    m = _move_numbers()[move]
    foe = _prefix(snap, "p2" if side == "p1" else "p1")
    acc = 1.0 if t.move_accuracy[m] == ACC_ALWAYS else t.move_accuracy[m] / 100.0
    mtype = int(t.move_type[m])
    foe_types = _types(snap[f"{foe}.types"])
    if any(t.immune[mtype, d] for d in foe_types):
        return 0.0
    level = int(snap[f"{me}.level"])
    if t.move_damage[m] != 0:
        return acc * (level if t.move_damage[m] == DAMAGE_LEVEL else float(t.move_damage[m]))
    if t.move_category[m] == STATUS or t.move_power[m] <= 0 or t.move_ohko[m]:
        return 0.0
    special = t.move_category[m] == SPECIAL
    attack = float(snap[f"{me}.modified_stats"][2 if special else 0])
    defense = max(float(snap[f"{foe}.modified_stats"][3 if special else 1]), 1.0)
    base = (2.0 * level / 5.0 + 2.0) * float(t.move_power[m]) * attack / defense / 50.0 + 2.0
    stab = 1.5 if mtype in _types(snap[f"{me}.types"]) else 1.0
    eff = float(np.prod([2.0 ** int(t.effectiveness[mtype, d]) for d in foe_types]))
    lo, hi = (int(h) for h in t.move_multihit[m])
    hits = 3.0 if (lo, hi) == (2, 5) else float(max(lo, 1))
    return base * stab * eff * MEAN_ROLL * acc * hits


def damage_fraction(snap: Snapshot, side: str, member: int, slot: int) -> float:
    """expected_damage as a fraction of the foe's current HP, capped at CAP."""
    foe = _prefix(snap, "p2" if side == "p1" else "p1")
    hp = max(int(snap[f"{foe}.hp"]), 1)
    return min(expected_damage(snap, side, member, slot) / hp, CAP)


def best_fraction(snap: Snapshot, side: str, member: int) -> float:
    """The best damage_fraction among a member's four slots."""
    return max(damage_fraction(snap, side, member, k) for k in range(4))


def bench(snap: Snapshot, side: str) -> list[int]:
    """Team index at party positions 2-6 (switch actions 4-8), -1 where empty."""
    order = np.asarray(snap[f"{side}.order"]).tolist()
    return [int(i) for i in (order[1:] + [-1] * BENCH)[:BENCH]]


def _hp_fraction(snap: Snapshot, pre: str) -> float:
    return int(snap[f"{pre}.hp"]) / max(int(snap[f"{pre}.maxhp"]), 1)


FEATURES = ("damage", "ko", "status move", "priority", "move", "switch", "member damage", "member hp",
            "own hp if switching")
"""The columns of `features`: one row per action (moves 0-3, switches 4-8)."""


def features(snap: Snapshot) -> np.ndarray:
    """p1's (9, len(FEATURES)) action features: for a move its expected damage fraction, whether it
    KOs, whether it is a status move, its priority; for a switch the member's best damage fraction
    and HP fraction, and the active's HP fraction (the learned policy scores each row linearly)."""
    t = tables()
    active = int(snap["p1.active"])
    me = _prefix(snap, "p1")
    x = np.zeros((9, len(FEATURES)), np.float64)
    for k in range(4):
        move = snap.get(f"{me}.move.{k}.id", "")
        if not move:
            continue
        m = _move_numbers()[move]
        dmg = damage_fraction(snap, "p1", active, k)
        x[k, :5] = [dmg, float(dmg >= 1.0), float(t.move_category[m] == STATUS), float(t.move_priority[m] > 0), 1.0]
    own_hp = _hp_fraction(snap, me)
    for j, i in enumerate(bench(snap, "p1")):
        if i >= 0 and not bool(snap[f"p1.team.{i}.fainted"]):
            x[4 + j, 5:] = [1.0, best_fraction(snap, "p1", i), _hp_fraction(snap, f"p1.team.{i}"), own_hp]
    return x


def heuristic(side: str, snap: Snapshot, mask: np.ndarray | None) -> int:
    """The simple player: the legal move with the highest expected damage; when it may only switch, the
    Pokemon whose best move does the most (ties: the lowest action)."""
    legal = np.ones(9, bool) if mask is None else np.asarray(mask, bool)
    active = int(snap[f"{side}.active"])
    moves = [k for k in range(4) if legal[k]]
    if moves:
        return max(moves, key=lambda k: (damage_fraction(snap, side, active, k), -k))
    members = bench(snap, side)
    switches = [a for a in range(4, 9) if legal[a] and members[a - 4] >= 0]
    return max(switches, key=lambda a: (best_fraction(snap, side, members[a - 4]), -a))


PRIOR = np.array([1.0, 0.5, 0.0, 0.0, 1.0, 0.0, 0.5, 0.5, -1.0])
"""Where the search starts (FEATURES order): attack with the most damage, switch to a strong healthy member
when forced; a zero start would spend a small budget on policies that switch every turn and never attack."""
PRIOR_STD = 0.5


def trainer() -> Any:
    """cem_train from PRIOR with the heuristic in seat 2 and the snapshot as both seats' view."""
    return partial(cem_train, opponent=partial(heuristic, "p2"), observe=view, init=PRIOR, init_std=PRIOR_STD)


TRANSFER = TransferSpec(margin=MARGIN, featurise=features, train_episodes=6, train_iterations=4, population=10,
                        eval_episodes=100, max_steps=1000, trainer=trainer())
"""The case's counts (several minutes of Showdown); the tests run smaller copies."""


class HalfDamageToP1(PokeJax):
    """Mutant (L4): after each step p1's Pokemon that lost HP and are still standing get half of it back."""

    name: ClassVar[str] = "pokejax-mut-half-damage-p1"

    def step(self, action: Any) -> StepResult:
        before = np.asarray(self.state["hp"]) if self.state is not None else None
        result = super().step(action)
        hp = np.asarray(self.state["hp"])
        lost = before - hp
        back = np.zeros_like(hp)
        back[0] = np.where((lost[0] > 0) & (hp[0] > 0), lost[0] // 2, 0)
        if back.any():
            self.state = {**self.state, "hp": jnp.asarray(hp + back, self.state["hp"].dtype)}
        return result


def flip_counts(battles: int, first_seed: int = 0, max_steps: int = 300) -> tuple[int, int, int]:
    """How often HalfDamageToP1 changes the return of a PRIOR-policy battle: (changed, of which up, battles).

    Each battle is played on Showdown and on the mutant from the same seed (at most max_steps
    steps). The battles are independent, so the count bounds the chance that L4 with the PRIOR
    policy misses the mutant over n evaluation battles (test_transfer.py)."""
    from cases.pokejax.case import REFERENCE

    register_mutants()
    ref, mut = registry.make_adapter(REFERENCE), registry.make_adapter(HalfDamageToP1.name)
    policy = Versus(LinearPolicy(PRIOR, np.zeros(()), ref.action_space, features), partial(heuristic, "p2"), view)
    changed = up = 0
    try:
        for seed in range(first_seed, first_seed + battles):
            a, b = episode_return(ref, policy, seed, max_steps), episode_return(mut, policy, seed, max_steps)
            changed += a != b
            up += b > a
            print(f"battle {seed}: {a:+.0f} on Showdown, {b:+.0f} on the mutant", flush=True)
    finally:
        ref.close()
        mut.close()
    return changed, up, battles


def register_mutants() -> list[str]:
    """Register this module's mutant adapters for the process; their names."""
    registry.register_adapter(HalfDamageToP1.name, HalfDamageToP1)
    return [HalfDamageToP1.name]


def main(argv: list[str]) -> int:
    """Run the case's transfer tier for a candidate (default pokejax; the mutant registered here);
    `--flip-rate N [FIRST]`: count how many of N battles the mutant changes (flip_counts)."""
    from equivcheck.report.markdown import to_markdown
    from equivcheck.session import RunConfig, build_context, run_diff

    if argv[:1] == ["--flip-rate"]:
        changed, up, battles = flip_counts(int(argv[1]), int(argv[2]) if len(argv) > 2 else 0)
        print(f"the mutant changed {changed} of {battles} returns ({up} up)")
        return 0
    register_mutants()
    case = registry.get_case("pokejax")
    cand = argv[0] if argv else "pokejax"
    report = run_diff(build_context(case, case.reference, cand, RunConfig(tiers=("transfer",), save_corpus=False)))
    print(to_markdown(report))
    return 0 if report.status == "equivalent" else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
