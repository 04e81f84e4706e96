"""L2 scenarios of the PokeJAX case: the interactions Gen 1 is known for, one explicit battle each.

Each `Interaction` is two explicit teams (Showdown's `teams` reset option, given to both sides),
a battle seed chosen so the interaction happens, a script of joint actions (0-3 move, 4-8 switch)
and a `witness`: a predicate over the reference's snapshots after each step that says the
interaction really took place (a script that silently does nothing fails the case's test).
The list is fixed here: every interaction always runs, whatever the candidate claims to support.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np

from cases.pokejax.legal import packed
from equivcheck.case import Scenario

Snapshot = dict[str, Any]
Member = tuple[str, int, tuple[str, ...]]
"""(species, level, moves) of one team member."""


@dataclass(frozen=True)
class Interaction:
    """One Gen 1 interaction: teams, seed, script, and what the reference's snapshots must show."""

    name: str
    p1: tuple[Member, ...]
    p2: tuple[Member, ...]
    actions: tuple[tuple[int, int], ...]
    seed: int
    shows: str
    witness: Callable[[Sequence[Snapshot]], bool]

    def moves(self) -> list[str]:
        """Every move of both teams."""
        return [m for side in (self.p1, self.p2) for _, _, moves in side for m in moves]

    def options(self) -> dict[str, list[str]]:
        """Both sides' reset options: the two packed teams."""
        return {"teams": [packed([{"species": sp, "level": lv, "moves": list(mv)} for sp, lv, mv in side])
                          for side in (self.p1, self.p2)]}

    def scenario(self) -> Scenario:
        """The framework's L2 scenario."""
        return Scenario(self.name, [list(a) for a in self.actions], seed=self.seed, options=self.options())


def member(s: Snapshot, side: str) -> str:
    """Snapshot prefix of `side`'s active Pokemon, e.g. 'p1.team.0'."""
    return f"{side}.team.{int(s[f'{side}.active'])}"


def get(s: Snapshot, side: str, name: str) -> Any:
    """A field of `side`'s active Pokemon."""
    return s[f"{member(s, side)}.{name}"]


def has_volatile(s: Snapshot, side: str, name: str) -> bool:
    """Whether `side`'s active Pokemon has volatile `name`."""
    return name in str(get(s, side, "volatiles")).split(",")


def own_moves(s: Snapshot, side: str) -> set[str]:
    """The move ids in the slots of `side`'s active Pokemon."""
    return {str(get(s, side, f"move.{k}.id")) for k in range(4)} - {""}


def hp_lost(snaps: Sequence[Snapshot], t: int, side: str) -> int:
    """HP the active Pokemon of `side` at step t lost during step t (same member before and after)."""
    key = f"{member(snaps[t], side)}.hp"
    return int(snaps[t - 1][key]) - int(snaps[t][key])


def forced(s: Snapshot, side: str) -> bool:
    """`side` may only choose action 0 (recharge, sleep, freeze, a lock): Showdown's single "Fight"."""
    mask = np.asarray(s[f"mask.{side}"], bool)
    return bool(mask[0]) and not mask[1:].any()


def steps(snaps: Sequence[Snapshot]) -> range:
    """The step indices 1..T of a script's snapshots (snaps[0] is the start)."""
    return range(1, len(snaps))


# -- witnesses --------------------------------------------------------------------------------

def _counter(snaps: Sequence[Snapshot]) -> bool:
    if len(snaps) < 4:
        return False
    doubled = hp_lost(snaps, 1, "p2") == 2 * hp_lost(snaps, 1, "p1") > 0
    fails = all(hp_lost(snaps, t, "p2") == 0 and hp_lost(snaps, t, "p1") > 0 for t in (2, 3))
    return doubled and fails


def _substitute(snaps: Sequence[Snapshot]) -> bool:
    subs = [int(get(s, "p1", "vol.substitute.hp")) if has_volatile(s, "p1", "substitute") else 0 for s in snaps]
    made = any(v > 0 for v in subs)
    hit = any(0 < subs[t] < subs[t - 1] for t in steps(snaps))
    broken = any(subs[t - 1] > 0 and subs[t] == 0 and int(get(snaps[t], "p1", "hp")) > 0 for t in steps(snaps))
    return made and hit and broken


def _hyper_beam(snaps: Sequence[Snapshot]) -> bool:
    recharge = [t for t in steps(snaps) if has_volatile(snaps[t], "p1", "mustrecharge")]
    if not recharge:
        return False
    t = recharge[0]
    skipped = t + 1 < len(snaps) and hp_lost(snaps, t + 1, "p2") == 0 and hp_lost(snaps, t + 1, "p1") > 0
    return forced(snaps[t], "p1") and skipped and bool(snaps[-1]["ended"]) and \
        not has_volatile(snaps[-1], "p1", "mustrecharge")


def _hyper_beam_sub(snaps: Sequence[Snapshot]) -> bool:
    broke = [t for t in steps(snaps) if has_volatile(snaps[t - 1], "p2", "substitute")
             and not has_volatile(snaps[t], "p2", "substitute") and get(snaps[t], "p1", "last_move") == "hyperbeam"]
    return bool(broke) and not has_volatile(snaps[broke[0]], "p1", "mustrecharge")


def _sleep(snaps: Sequence[Snapshot]) -> bool:
    turns = [int(get(s, "p2", "status_turns")) if get(s, "p2", "status") == "slp" else -1 for s in snaps]
    counted = any(turns[t] >= 0 and turns[t - 1] > turns[t] for t in steps(snaps))
    woke = any(turns[t - 1] >= 0 and turns[t] == -1 for t in steps(snaps))
    longest = max((sum(1 for _ in g) for k, g in _groups(turns) if k >= 0), default=0)
    return counted and woke and longest >= 3


def _groups(values: list[int]) -> list[tuple[int, list[int]]]:
    out: list[tuple[int, list[int]]] = []
    for v in values:
        key = 0 if v >= 0 else -1
        if out and out[-1][0] == key:
            out[-1][1].append(v)
        else:
            out.append((key, [v]))
    return out


def _freeze(snaps: Sequence[Snapshot]) -> bool:
    frozen = [t for t in range(len(snaps)) if get(snaps[t], "p2", "status") == "frz"]
    thawed = any(get(snaps[t - 1], "p2", "status") == "frz" and get(snaps[t], "p2", "status") == ""
                 and int(get(snaps[t], "p2", "hp")) > 0 for t in steps(snaps))
    return len(frozen) >= 3 and all(forced(snaps[t], "p2") for t in frozen) and thawed


def _toxic_leech(snaps: Sequence[Snapshot]) -> bool:
    seeded = [t for t in steps(snaps) if has_volatile(snaps[t], "p2", "leechseed")]
    counters = [int(get(snaps[t], "p2", "toxic_counter")) for t in seeded]
    # Leech Seed's drain also reads and advances the toxic counter: two steps per turn
    return len(counters) >= 2 and all(b - a == 2 for a, b in pairwise(counters))


def _mirror_move(snaps: Sequence[Snapshot]) -> bool:
    copied = [t for t in steps(snaps) if hp_lost(snaps, t, "p2") > 0 and "mirrormove" in own_moves(snaps[t], "p1")
              and get(snaps[t], "p1", "last_move") == get(snaps[t], "p2", "last_move")
              and get(snaps[t], "p1", "last_move") not in own_moves(snaps[t], "p1")]
    return bool(copied)


def _rage(snaps: Sequence[Snapshot]) -> bool:
    rose = [t for t in steps(snaps) if has_volatile(snaps[t], "p1", "rage") and hp_lost(snaps, t, "p1") > 0
            and int(get(snaps[t], "p1", "boosts")[0]) > int(get(snaps[t - 1], "p1", "boosts")[0])]
    return len(rose) >= 2 and all(forced(snaps[t], "p1") for t in rose)


def _thrash(snaps: Sequence[Snapshot]) -> bool:
    locked = [t for t in steps(snaps) if has_volatile(snaps[t], "p1", "lockedmove")]
    confused = any(has_volatile(snaps[t - 1], "p1", "lockedmove") and not has_volatile(snaps[t], "p1", "lockedmove")
                   and has_volatile(snaps[t], "p1", "confusion") for t in steps(snaps))
    return len(locked) >= 1 and all(forced(snaps[t], "p1") for t in locked) and confused


def _screens(snaps: Sequence[Snapshot]) -> bool:
    return any(has_volatile(snaps[t - 1], "p1", "reflect") and has_volatile(snaps[t - 1], "p1", "lightscreen")
               and hp_lost(snaps, t, "p1") > 0 for t in steps(snaps))


def _stages(snaps: Sequence[Snapshot]) -> bool:
    atk = [int(get(s, "p1", "boosts")[0]) for s in snaps]
    mod = [int(get(s, "p1", "modified_stats")[0]) for s in snaps]
    at_six = [t for t in range(len(snaps)) if atk[t] == 6]
    capped = any(mod[t] == 999 for t in at_six)
    stays = len(at_six) >= 2
    over = any(atk[t] == 5 and atk[t - 1] == 6 and mod[t] > 999 for t in steps(snaps))
    return capped and stays and over


def _trapped(side: str) -> Callable[[Sequence[Snapshot]], bool]:
    def witness(snaps: Sequence[Snapshot]) -> bool:
        foe = "p1" if side == "p2" else "p2"
        held = [t for t in steps(snaps) if has_volatile(snaps[t], side, "partiallytrapped")]
        return len(held) >= 2 and all(hp_lost(snaps, t, foe) == 0 and hp_lost(snaps, t, side) > 0 for t in held)

    return witness


def _metronome(snaps: Sequence[Snapshot]) -> bool:
    return any("metronome" in own_moves(s, "p1") and get(s, "p1", "last_move") not in own_moves(s, "p1") | {""}
               for s in snaps)


def _transform(snaps: Sequence[Snapshot]) -> bool:
    return any(bool(get(s, "p1", "transformed")) and get(s, "p1", "types") == get(s, "p2", "types") for s in snaps)


def _disable(snaps: Sequence[Snapshot]) -> bool:
    held = [s for s in snaps if has_volatile(s, "p2", "disable")]
    return any(not np.asarray(s["mask.p2"], bool)[[0, 1, 2, 3]].all() for s in held)


def _bide(snaps: Sequence[Snapshot]) -> bool:
    stored = [int(get(s, "p1", "vol.bide.damage")) for s in snaps if has_volatile(s, "p1", "bide")]
    released = any(has_volatile(snaps[t - 1], "p1", "bide") and not has_volatile(snaps[t], "p1", "bide")
                   and hp_lost(snaps, t, "p2") > 0 for t in steps(snaps))
    return bool(stored) and max(stored) > 0 and released


# -- the interactions -------------------------------------------------------------------------

_SNORLAX = ("snorlax", 100, ("bodyslam", "earthquake", "rest", "amnesia"))

INTERACTIONS: tuple[Interaction, ...] = (
    Interaction("Counter: twice a Normal hit back, nothing after Earthquake or Blizzard",
                (("snorlax", 100, ("bodyslam", "counter", "earthquake", "rest")),),
                (("tauros", 100, ("hyperbeam", "bodyslam", "earthquake", "blizzard")),),
                ((1, 1), (1, 2), (1, 3), (0, 0)), seed=3,
                shows="step 1 the foe loses twice the Body Slam's damage; steps 2-3 Counter does nothing",
                witness=_counter),
    Interaction("Substitute: made, hit, broken",
                (("snorlax", 100, ("substitute", "splash")),),
                (("pikachu", 100, ("thunderbolt", "quickattack")),),
                ((0, 1),) + ((1, 0),) * 4, seed=3,
                shows="p1's substitute HP appears, falls under a hit, then the substitute breaks",
                witness=_substitute),
    Interaction("Hyper Beam: a recharge turn, none after a KO",
                (("tauros", 100, ("hyperbeam", "bodyslam")),),
                (("chansey", 100, ("seismictoss", "softboiled")),),
                ((0, 0), (0, 0), (0, 1), (0, 0), (0, 0)), seed=3,
                shows="mustrecharge with only action 0, a lost turn, and the KO ends the battle without it",
                witness=_hyper_beam),
    Interaction("Hyper Beam breaks a Substitute: no recharge",
                (("tauros", 100, ("hyperbeam", "bodyslam")),),
                (("chansey", 100, ("substitute", "softboiled")),),
                ((1, 0), (0, 1), (0, 1), (0, 0)), seed=3,
                shows="the substitute breaks under Hyper Beam and p1 has no mustrecharge after it",
                witness=_hyper_beam_sub),
    Interaction("sleep: Spore, the counter runs down, the wake-up turn is lost",
                (("parasect", 100, ("spore", "slash")),),
                (("snorlax", 100, ("earthquake", "bodyslam")),),
                ((0, 0),) + ((1, 0),) * 8, seed=3,
                shows="p2 asleep 3+ steps with its counter falling, then awake",
                witness=_sleep),
    Interaction("freeze: Ice Beam freezes, frozen turns, a burn move thaws",
                (("lapras", 100, ("icebeam", "firepunch", "bodyslam", "surf")),),
                (_SNORLAX,),
                ((0, 0),) + ((2, 0),) * 3 + ((1, 0),) * 2, seed=41,
                shows="p2 frozen 3+ steps with only action 0, then thawed by Fire Punch",
                witness=_freeze),
    Interaction("Toxic with Leech Seed: the counter grows twice a turn",
                (("venusaur", 100, ("toxic", "leechseed", "razorleaf", "growth")),),
                (_SNORLAX,),
                ((0, 0), (1, 0), (3, 0), (3, 0), (3, 0), (3, 0)), seed=3,
                shows="p2 seeded and badly poisoned, toxic_counter +2 per step",
                witness=_toxic_leech),
    Interaction("Mirror Move copies the foe's last move",
                (("pidgeot", 100, ("mirrormove", "quickattack")),),
                (("tauros", 100, ("bodyslam", "earthquake")),),
                ((0, 0), (0, 1), (0, 0), (0, 0)), seed=3,
                shows="p1 damages p2 with the move p2 used (not one of p1's own), through Mirror Move",
                witness=_mirror_move),
    Interaction("Rage: locked in, Attack rises with each hit",
                (("tauros", 100, ("rage", "bodyslam")),),
                (("beedrill", 100, ("pinmissile", "twineedle")),),
                ((0, 0),) * 5, seed=3,
                shows="rage volatile, only action 0, Attack stage up on 2+ hits",
                witness=_rage),
    Interaction("Thrash: locked in for 2-3 turns, then confused",
                (("nidoking", 100, ("thrash", "earthquake")),),
                (("chansey", 100, ("seismictoss", "softboiled")),),
                ((0, 0),) * 3, seed=2,
                shows="lockedmove on p1 with only action 0, ending in confusion",
                witness=_thrash),
    Interaction("Reflect and Light Screen: both up, then hit",
                (("starmie", 100, ("reflect", "lightscreen", "recover", "surf")),),
                (("tauros", 100, ("bodyslam", "thunderbolt")),),
                ((0, 0), (1, 1), (3, 0), (3, 1)), seed=3,
                shows="p1 hit while reflect and lightscreen are both up",
                witness=_screens),
    Interaction("stat stages: +6 Attack capped at 999, +6 again, a drop to +5 above 999",
                (("tauros", 100, ("swordsdance", "bodyslam")),),
                (("chansey", 100, ("growl", "softboiled", "seismictoss")),),
                ((0, 1), (0, 1), (0, 1), (0, 1), (0, 0), (1, 1)), seed=3,
                shows="Attack +6 at 999 twice, then a Growl leaves +5 with Attack over 999",
                witness=_stages),
    Interaction("Wrap: the target is trapped and cannot act",
                (("dragonite", 100, ("wrap", "slam")),),
                (("snorlax", 100, ("bodyslam", "earthquake")), ("chansey", 100, ("seismictoss",))),
                ((0, 0),) * 5, seed=3,
                shows="partiallytrapped on p2 for 2+ steps, hurt each and never hitting back",
                witness=_trapped("p2")),
    Interaction("Fire Spin: the target is trapped and cannot act",
                (("ninetales", 100, ("firespin", "bodyslam")),),
                (("snorlax", 100, ("bodyslam", "earthquake")), ("chansey", 100, ("seismictoss",))),
                ((0, 0),) * 5, seed=3,
                shows="partiallytrapped on p2 for 2+ steps, hurt each and never hitting back",
                witness=_trapped("p2")),
    Interaction("Metronome calls another move",
                (("clefable", 100, ("metronome", "bodyslam")),),
                (_SNORLAX,),
                ((0, 0),) * 3, seed=3,
                shows="p1's last move is the called move, not Metronome",
                witness=_metronome),
    Interaction("Transform copies the foe",
                (("ditto", 100, ("transform",)),),
                (("tauros", 100, ("bodyslam", "earthquake")),),
                ((0, 0), (0, 0), (0, 0)), seed=3,
                shows="p1 transformed with the foe's types",
                witness=_transform),
    Interaction("Disable blocks a move slot",
                (("hypno", 100, ("disable", "psychic")),),
                (_SNORLAX,),
                ((1, 0), (0, 0), (1, 1), (1, 1)), seed=1,
                shows="p2 disabled with a move slot masked out",
                witness=_disable),
    Interaction("Bide stores damage and hits back double",
                (("snorlax", 100, ("bide", "rest")),),
                (("tauros", 100, ("tackle", "earthquake")),),
                ((0, 0),) * 4, seed=3,
                shows="bide damage stored, then released onto p2",
                witness=_bide),
)


SCENARIOS: list[Scenario] = [i.scenario() for i in INTERACTIONS]
