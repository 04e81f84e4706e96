"""Deliberately broken candidates: each is the faithful toy candidate with one semantic change.

Importing this module registers every mutant as an adapter ("mut-<env>-<what>"). MUTANTS maps
each name to the toy case it belongs to and the tiers that must catch it; tests/README.md
tables them with the tier that caught each in a run.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np

from adapters.toy import ToyDiceCand, ToyMassCand, ToyWalkCand
from envs.toy import dice, mass, walk
from equivcheck.registry import register_adapter


@dataclass(frozen=True)
class Mutant:
    """A registered mutant: its case, what it breaks, and the tiers that must catch it."""

    name: str
    case: str
    what: str
    caught_by: tuple[str, ...]


# --- walker (integers) -------------------------------------------------------------------


class WalkClampUpper(walk.WalkBatch):
    """Off-by-one clamp: the board seems one cell longer (unreachable by legal play)."""

    @staticmethod
    def clamp(x: np.ndarray) -> np.ndarray:
        return np.clip(x, 0, walk.GOAL + 1)


class WalkBumpFree(walk.WalkBatch):
    """Bumping the left wall costs nothing."""

    def step(self, actions: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        reward, terminated, truncated = super().step(actions)
        self.total = self.total - np.minimum(reward, 0)
        return np.maximum(reward, 0), terminated, truncated


class WalkJumpThree(walk.WalkBatch):
    """Jump moves three cells instead of two."""

    moves = np.array([-1, 1, 0, 3], dtype=np.int64)


class WalkNoTruncation(walk.WalkBatch):
    """Never truncates at the horizon."""

    def step(self, actions: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        reward, terminated, truncated = super().step(actions)
        return reward, terminated, np.zeros_like(truncated)


class WalkResetOff(walk.WalkBatch):
    """Wrong reset: start cell from seed modulo 8 instead of 9."""

    def reset(self, seeds: np.ndarray) -> dict[str, np.ndarray]:
        state = super().reset(seeds)
        self.x = np.asarray(seeds, dtype=np.int64) % (walk.SIZE - 2)
        return state


class WalkGoalPaysTwo(walk.WalkBatch):
    """The goal pays 2 instead of 1 (changes returns: the transfer tier sees it)."""

    def step(self, actions: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        reward, terminated, truncated = super().step(actions)
        reward = np.where(reward > 0, 2 * reward, reward)
        self.total = self.total + np.where(reward > 1, 1, 0)
        return reward, terminated, truncated


# --- point mass (float32) ----------------------------------------------------------------


class MassFloat64(mass.MassCand):
    """float64 promotion: the state silently widens."""

    def step(self, force: np.ndarray) -> tuple[float, bool, bool]:
        out = super().step(force)
        self.pos, self.vel = self.pos.astype(np.float64), self.vel.astype(np.float64)
        return out


class MassDrag(mass.MassCand):
    """Wrong drag constant (0.99 instead of 0.98)."""

    def step(self, force: np.ndarray) -> tuple[float, bool, bool]:
        self.vel = (self.vel * np.float32(0.99 / 0.98)).astype(np.float32)
        return super().step(force)


class MassNoFlip(mass.MassCand):
    """A wall bounce forgets to reverse the velocity."""

    @staticmethod
    def reflect(pos: np.ndarray, vel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        new_pos, _ = mass.reflect(pos, vel)
        return new_pos, vel


class MassRewardL1(mass.MassCand):
    """Reward uses the L1 distance instead of the Euclidean one."""

    def step(self, force: np.ndarray) -> tuple[float, bool, bool]:
        _, terminated, truncated = super().step(force)
        return -float(np.sum(np.abs(self.pos))), terminated, truncated


class MassWallShift(mass.MassCand):
    """The wall sits 0.05 further out."""

    @staticmethod
    def reflect(pos: np.ndarray, vel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        wall = np.float32(mass.WALL + 0.05)
        over, under = pos > wall, pos < -wall
        new_pos = np.where(over, wall - (pos - wall), np.where(under, -wall - (pos + wall), pos)).astype(np.float32)
        return new_pos, np.where(over | under, -vel, vel).astype(np.float32)


class MassForceDrift(mass.MassCand):
    """The force is scaled by 1.0001: below tolerance per step, visible only as drift."""

    def step(self, force: np.ndarray) -> tuple[float, bool, bool]:
        return super().step(np.asarray(force, np.float32) * np.float32(1.0001))


# --- dice (stochastic, RNG in the schema) ------------------------------------------------


class DiceExtraDraw(dice.DiceCand):
    """An extra RNG draw at reset: same distribution, different stream."""

    def reset(self, seed: int) -> None:
        super().reset(seed)
        self.rng = self._next(self.rng)


class DiceMultiplier(dice.DiceCand):
    """Wrong LCG multiplier (low bits differ)."""

    @staticmethod
    def _next(state: np.uint64) -> np.uint64:
        with np.errstate(over="ignore"):
            return np.uint64(state * np.uint64(dice.MULT + 2) + np.uint64(dice.INC))


class DiceFaceZero(dice.DiceCand):
    """Die faces 0..5 instead of 1..6."""

    def die(self) -> int:
        return super().die() - 1


class DiceBustOnTwo(dice.DiceCand):
    """A roll of 1 or 2 busts (changes returns: the transfer tier sees it)."""

    def step(self, action: int) -> tuple[float, bool, bool]:
        if action == 1:
            pot, turn = self.pot, self.turn
            self.last = self.die()
            busted = self.last <= 2
            self.pot, self.turn = (0, turn + 1) if busted else (pot + self.last, turn)
            terminated = self.score >= dice.TARGET
            return 0.0, terminated, (not terminated) and self.turn >= dice.MAX_TURNS
        return super().step(action)


class DiceBankNoTurn(dice.DiceCand):
    """Banking does not advance the turn counter."""

    def step(self, action: int) -> tuple[float, bool, bool]:
        turn = self.turn
        out = super().step(action)
        if action == 0:
            self.turn = turn
        return out


WALK_MUTANTS = {
    "mut-walk-clamp-upper": (WalkClampUpper, "clamp allows cell 10", ("property",)),
    "mut-walk-bump-free": (WalkBumpFree, "wall bump costs nothing", ("property", "interaction", "rollout")),
    "mut-walk-jump-three": (WalkJumpThree, "jump moves 3", ("interaction", "rollout")),
    "mut-walk-no-truncation": (WalkNoTruncation, "never truncates", ("interaction",)),
    "mut-walk-reset-off": (WalkResetOff, "wrong start cell", ("rollout",)),
    "mut-walk-goal-pays-two": (WalkGoalPaysTwo, "goal pays 2", ("interaction", "rollout", "transfer")),
}
MASS_MUTANTS = {
    "mut-mass-float64": (MassFloat64, "float64 promotion", ("interaction", "rollout")),
    "mut-mass-drag": (MassDrag, "drag 0.99", ("interaction", "rollout")),
    "mut-mass-no-flip": (MassNoFlip, "bounce keeps velocity", ("property", "interaction", "rollout")),
    "mut-mass-reward-l1": (MassRewardL1, "L1 reward", ("interaction", "rollout")),
    "mut-mass-wall-shift": (MassWallShift, "wall 0.05 further", ("property", "interaction", "rollout")),
    "mut-mass-force-drift": (MassForceDrift, "force x1.0001 (drift)", ("rollout-lockstep",)),
}
DICE_MUTANTS = {
    "mut-dice-extra-draw": (DiceExtraDraw, "extra RNG draw at reset", ("interaction", "rollout")),
    "mut-dice-multiplier": (DiceMultiplier, "wrong LCG multiplier", ("property", "interaction", "rollout")),
    "mut-dice-face-zero": (DiceFaceZero, "faces 0..5", ("property", "interaction", "rollout")),
    "mut-dice-bust-on-two": (DiceBustOnTwo, "busts on 1 or 2", ("interaction", "rollout", "transfer")),
    "mut-dice-bank-no-turn": (DiceBankNoTurn, "bank keeps the turn", ("interaction", "rollout")),
}

MUTANTS: dict[str, Mutant] = {}
for _table, _adapter, _case in ((WALK_MUTANTS, ToyWalkCand, "toy-walk"), (MASS_MUTANTS, ToyMassCand, "toy-mass"),
                                (DICE_MUTANTS, ToyDiceCand, "toy-dice")):
    for _name, (_cls, _what, _tiers) in _table.items():
        register_adapter(_name, partial(_adapter, env_cls=_cls))
        MUTANTS[_name] = Mutant(_name, _case, _what, _tiers)


class WalkCrashes(walk.WalkBatch):
    """Not a semantic mutant: a candidate that raises on its 5th step (fault handling)."""

    def step(self, actions: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if int(self.t[0]) == 4:
            raise RuntimeError("candidate backend exploded")
        return super().step(actions)


class WalkRefDies(walk.WalkRef):
    """A reference whose process 'dies' on step 3 of episodes with an odd start cell."""

    def step(self, action: int) -> tuple[int, bool, bool]:
        if self.t == 2 and self.x % 2 == 1:
            raise ConnectionResetError("reference process died")
        return super().step(action)


def _dying_ref() -> object:
    from adapters.toy import ToyWalkRef

    adapter = ToyWalkRef()
    adapter.env = WalkRefDies()
    return adapter


register_adapter("fault-walk-crash", partial(ToyWalkCand, env_cls=WalkCrashes))
register_adapter("fault-walk-ref-dies", _dying_ref)


class WalkFrozen(walk.WalkRef):
    """A reference that never moves (the naive-load trap): every run with it must be vacuous."""

    def step(self, action: int) -> tuple[int, bool, bool]:
        self.t += 1
        return 0, False, self.t >= walk.HORIZON


def _frozen_ref() -> object:
    from adapters.toy import ToyWalkRef

    adapter = ToyWalkRef()
    adapter.env = WalkFrozen()
    return adapter


register_adapter("fault-walk-frozen", _frozen_ref)


def _broken_start() -> object:
    raise OSError("libfoo.so: cannot open shared object file")


class WalkRefRejects(walk.WalkRef):
    """A reference that rejects the 7th action with ActionError (a policy/adapter contract fault)."""

    def step(self, action: int) -> tuple[int, bool, bool]:
        if self.t == 6:
            from equivcheck.errors import ActionError

            raise ActionError("action 2 not accepted here")
        return super().step(action)


def _rejecting_ref() -> object:
    from adapters.toy import ToyWalkRef

    adapter = ToyWalkRef()
    adapter.env = WalkRefRejects()
    return adapter


register_adapter("fault-broken-start", _broken_start)
register_adapter("fault-walk-ref-rejects", _rejecting_ref)
