"""Per-move effect tables for the turn engine, derived from the generated move data (tables.py).

Each move gets a family (the branch of the engine's `lax.switch` that runs it) and the numbers
its branch needs: the secondary effect (kind, status, stat stages, chance), the primary status
of a status move, the Fire moves that thaw (a `brn` secondary). `SUPPORTED` marks the moves
the engine runs exactly; it grows with each engine slice.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from envs.pokejax.status import BRN, FRZ, PAR, PSN, SLP, TOX
from envs.pokejax.tables import tables
from envs.pokejax.volatiles import BIT

FAM_DAMAGE, FAM_STATUS, FAM_BOOST, FAM_SELF = 0, 1, 2, 3
FAM_TRANSFORM = 4
FAMILIES = ("damage", "status", "boost", "self", "transform")
SELF_NOOP, SELF_MIST, SELF_FOCUSENERGY, SELF_REFLECT, SELF_LIGHTSCREEN, SELF_RECOVER, SELF_REST, SELF_HAZE = range(8)
SELF_CONVERSION, SELF_SUBSTITUTE = 8, 9
SELF_BIDE = 10
SELF_KINDS = {"teleport": SELF_NOOP, "splash": SELF_NOOP, "mist": SELF_MIST, "focusenergy": SELF_FOCUSENERGY,
              "reflect": SELF_REFLECT, "lightscreen": SELF_LIGHTSCREEN, "recover": SELF_RECOVER,
              "softboiled": SELF_RECOVER, "rest": SELF_REST, "haze": SELF_HAZE, "conversion": SELF_CONVERSION,
              "substitute": SELF_SUBSTITUTE, "bide": SELF_BIDE}
# boost moves that also add an undeclared volatile (volatiles.OTHER) when the boost works
BOOST_VOLATILE = {"minimize": "minimize", "defensecurl": "defensecurl"}
# Gen 1 Roar and Whirlwind: an accuracy roll and nothing else (forceSwitch is off in the gen1 mod)
NO_EFFECT_FOE = {"roar", "whirlwind"}
SEC_NONE, SEC_STATUS, SEC_FLINCH, SEC_BOOST, SEC_CONFUSION = range(5)
BOOST_NAMES = ("atk", "def", "spa", "spd", "spe", "accuracy", "evasion")
STATUS_INDEX = {"par": PAR, "slp": SLP, "brn": BRN, "psn": PSN, "tox": TOX, "frz": FRZ}
BASE_KEYS = {"accuracy", "basePower", "category", "critRatio", "flags", "id", "name", "num", "pp", "priority",
             "secondaries", "target", "type", "ignoreImmunity"}
# moves whose callbacks draw nothing and change nothing the engine tracks (Pay Day's message, Thunder's weather)
HARMLESS_CALLBACKS = {"payday": {"onHit"}, "thunder": {"onModifyMove"}}
TWO_TURN = ("dig", "fly", "razorwind", "skullbash", "skyattack", "solarbeam")
# callbacks the damage family implements itself
HANDLED_CALLBACKS = {"jumpkick": {"onMoveFail"}, "highjumpkick": {"onMoveFail"}, "dreameater": {"onTryImmunity"},
                     "superfang": {"damageCallback"}, "psywave": {"damageCallback"}, "leechseed": {"onTryImmunity"},
                     "counter": {"damageCallback"}, "mimic": {"onHit"}, "mirrormove": {"onHit"}, "disable": {"onTryHit"},
                     **{m: {"onTryMove", "onPrepareHit"} for m in TWO_TURN},
                     **{m: {"onTryMove"} for m in ("wrap", "bind", "firespin", "clamp")},
                     "bide": {"beforeMoveCallback"}, "metronome": {"onHit"}}
FIXED_SUPERFANG, FIXED_PSYWAVE, FIXED_COUNTER = -2, -3, -4
SKIP_LASTDAMAGE = {"confuseray", "conversion", "counter", "focusenergy", "glare", "haze", "leechseed", "lightscreen",
                   "mimic", "mist", "poisongas", "poisonpowder", "recover", "reflect", "rest", "softboiled", "splash",
                   "stunspore", "substitute", "supersonic", "teleport", "thunderwave", "toxic", "transform"}


@dataclass(frozen=True)
class MoveFx:
    """Effect arrays indexed by move number."""

    family: np.ndarray
    sec_kind: np.ndarray
    sec_status: np.ndarray
    sec_boosts: np.ndarray
    thaws: np.ndarray
    status: np.ndarray
    skip_last_damage: np.ndarray
    recoil: np.ndarray
    boosts: np.ndarray
    self_kind: np.ndarray
    boost_volatile: np.ndarray
    fixed: np.ndarray
    drain: np.ndarray
    crash: np.ndarray
    dream: np.ndarray
    confuses: np.ndarray
    seeds: np.ndarray
    recharge: np.ndarray
    counterable: np.ndarray
    two_turn: np.ndarray
    invulnerable: np.ndarray
    mimics: np.ndarray
    max_pp: np.ndarray
    locks: np.ndarray
    rages: np.ndarray
    disables: np.ndarray
    supported: np.ndarray
    traps: np.ndarray


def _secondary(m: dict[str, Any]) -> tuple[int, int, list[int]]:
    secs = m["secondaries"]
    boosts = [0] * 7
    if not secs:
        return SEC_NONE, 0, boosts
    sec = secs[0]
    if "status" in sec:
        return SEC_STATUS, STATUS_INDEX[sec["status"]], boosts
    if sec.get("volatileStatus") == "flinch":
        return SEC_FLINCH, 0, boosts
    if sec.get("volatileStatus") == "confusion":
        return SEC_CONFUSION, 0, boosts
    for name, delta in sec["boosts"].items():
        boosts[BOOST_NAMES.index(name)] = delta
    return SEC_BOOST, 0, boosts


def _family(m: dict[str, Any]) -> int | None:
    """The family of a move the engine runs, or None (not yet supported)."""
    if m["id"] == "transform":
        return FAM_TRANSFORM
    extra = set(m) - BASE_KEYS - {"recoil", "multihit", "drain", "damage", "ohko", "selfdestruct", "hasCrashDamage"}
    if m["id"] in ("counter", "dig", "fly"):
        extra.discard("condition")
    callbacks = (set(m.get("callbacks", ())) - HARMLESS_CALLBACKS.get(m["id"], set())
                 - HANDLED_CALLBACKS.get(m["id"], set()))
    if callbacks and m["id"] not in SELF_KINDS:
        return None
    extra.discard("callbacks")
    if m["id"] == "bide":
        return FAM_SELF
    if m["category"] == "Status":
        if extra <= {"status", "condition"} and "status" in m and m["target"] == "normal":
            return FAM_STATUS
        if m["id"] in ("mirrormove", "metronome"):
            return FAM_SELF
        if m["id"] in ("confuseray", "supersonic", "leechseed", "mimic", "disable"):
            return FAM_STATUS
        if m["id"] in SELF_KINDS:
            return FAM_SELF
        if m["id"] in NO_EFFECT_FOE or (extra == {"boosts"} and m["target"] in ("normal", "self", "allAdjacentFoes")):
            return FAM_BOOST
        if m["id"] in BOOST_VOLATILE:
            return FAM_BOOST
        return None
    if m.get("self", {}).get("volatileStatus") in ("mustrecharge", "lockedmove", "rage"):
        extra.discard("self")
        extra.discard("condition")
    if m.get("self", {}).get("volatileStatus") == "partialtrappinglock":
        extra -= {"self", "volatileStatus"}
    if (not extra and (m["basePower"] > 0 or m.get("ohko"))
            and m["target"] in ("normal", "any", "allAdjacentFoes", "allAdjacent", "randomNormal", "scripted")):
        return FAM_DAMAGE
    return None


@lru_cache(maxsize=1)
def movefx() -> MoveFx:
    """The effect arrays (built once from the move data)."""
    t = tables()
    n = len(t.move_ids)
    family = np.zeros(n, np.int8)
    sec_kind = np.zeros(n, np.int8)
    sec_status = np.zeros(n, np.int8)
    sec_boosts = np.zeros((n, 7), np.int8)
    thaws = np.zeros(n, bool)
    status = np.zeros(n, np.int8)
    skip = np.zeros(n, bool)
    recoil = np.zeros((n, 2), np.int16)
    boosts = np.zeros((n, 7), np.int8)
    self_kind = np.zeros(n, np.int8)
    boost_volatile = np.zeros(n, np.int32)
    fixed = np.asarray(t.move_damage[:n], np.int16).copy()
    drain = np.zeros(n, bool)
    crash = np.zeros(n, bool)
    dream = np.zeros(n, bool)
    confuses = np.zeros(n, bool)
    seeds = np.zeros(n, bool)
    recharge = np.zeros(n, bool)
    counterable = np.zeros(n, bool)
    two_turn = np.zeros(n, bool)
    invulnerable = np.zeros(n, bool)
    mimics = np.zeros(n, bool)
    max_pp = np.zeros(n, np.int8)
    locks = np.zeros(n, bool)
    rages = np.zeros(n, bool)
    disables = np.zeros(n, bool)
    supported = np.zeros(n, bool)
    traps = np.zeros(n, bool)
    for i in range(1, n):
        m = t.move_data[i]
        fam = _family(m)
        supported[i] = fam is not None
        family[i] = fam or 0
        sec_kind[i], sec_status[i], sec_boosts[i] = _secondary(m)
        thaws[i] = sec_kind[i] == SEC_STATUS and sec_status[i] == BRN
        status[i] = STATUS_INDEX.get(m.get("status", ""), 0)
        skip[i] = m["id"] in SKIP_LASTDAMAGE
        recoil[i] = m.get("recoil", [0, 1])
        for name, delta in m.get("boosts", {}).items():
            boosts[i, BOOST_NAMES.index(name)] = delta
        self_kind[i] = SELF_KINDS.get(m["id"], SELF_NOOP)
        fixed[i] = {"superfang": FIXED_SUPERFANG, "psywave": FIXED_PSYWAVE, "counter": FIXED_COUNTER}.get(m["id"], fixed[i])
        counterable[i] = m["type"] in ("Normal", "Fighting") and m["basePower"] > 0
        drain[i] = "drain" in m
        crash[i] = bool(m.get("hasCrashDamage"))
        dream[i] = m["id"] == "dreameater"
        confuses[i] = m["id"] in ("confuseray", "supersonic")
        seeds[i] = m["id"] == "leechseed"
        recharge[i] = m.get("self") == {"volatileStatus": "mustrecharge"}
        two_turn[i] = m["id"] in TWO_TURN
        invulnerable[i] = m["id"] in ("dig", "fly")
        mimics[i] = m["id"] == "mimic"
        locks[i] = m.get("self", {}).get("volatileStatus") == "lockedmove"
        rages[i] = m["id"] == "rage"
        disables[i] = m["id"] == "disable"
        traps[i] = m.get("self", {}).get("volatileStatus") == "partialtrappinglock"
        max_pp[i] = m["pp"] if m["id"] == "struggle" else m["pp"] * 8 // 5 - (3 if m["pp"] == 40 else 0)
        if m["id"] in BOOST_VOLATILE:
            boost_volatile[i] = BIT[BOOST_VOLATILE[m["id"]]]
    fx = dict(family=family, sec_kind=sec_kind, sec_status=sec_status, sec_boosts=sec_boosts, thaws=thaws,
              status=status, skip_last_damage=skip, recoil=recoil, boosts=boosts, self_kind=self_kind,
              boost_volatile=boost_volatile, fixed=fixed, drain=drain, crash=crash, dream=dream,
              confuses=confuses, seeds=seeds, recharge=recharge,
              counterable=counterable, two_turn=two_turn, invulnerable=invulnerable,
              mimics=mimics, max_pp=max_pp, locks=locks, rages=rages, disables=disables,
              supported=supported, traps=traps)
    # NOMOVE_ROW (tables): Fissure's effects (a plain damaging move: no secondary, nothing else)
    row = t.move_index("fissure")
    return MoveFx(**{k: np.concatenate([v, v[row:row + 1]]) for k, v in fx.items()})

