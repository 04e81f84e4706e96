"""Coverage of the PokeJAX case: which moves were chosen and which effects happened on the reference.

`events(prev, action, cur)` names what one Showdown transition did, from its snapshots alone
(adapters/showdown/FIELDS.md) and the joint action: `move:<id>` for each move a player chose (the
slot the action names in the previous snapshot; `move:struggle` when every slot is out of PP or
disabled; a locked or sleeping/frozen Pokemon's forced "Fight" is `effect:forced-turn`, not a
choice), `effect:<name>` for each effect seen (a status inflicted, a volatile that appeared or
ended, a thaw, a wake-up, `nomove` (a thawed Pokemon whose side never selected a move), a
substitute broken, Transform, Mimic, stage limits, a heal, PP run out,
the toxic counter rising twice in a step), `switch`, `forced-switch`, `faint`, `double-faint`, and
how the battle ended. `EVENTS` lists every event the case wants to see, so zero counts show: all
165 Gen 1 moves (cases/pokejax/data/gen1_legal.json) and the effects.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from cases.pokejax.legal import dex

Snapshot = Mapping[str, Any]
SIDES = ("p1", "p2")
STATUSES = ("par", "slp", "brn", "psn", "tox", "frz")
VOLATILES = ("confusion", "partiallytrapped", "partialtrappinglock", "lockedmove", "twoturnmove", "substitute",
             "disable", "bide", "residualdmg", "rage", "mustrecharge", "invulnerability", "leechseed", "reflect",
             "lightscreen", "mist", "focusenergy")
"""Gen 1 volatiles whose start (`effect:<name>`) and end (`effect:<name>-end`; a substitute's is
`effect:substitute-broken`) are counted."""
LOCKS = ("mustrecharge", "twoturnmove", "lockedmove", "rage", "bide", "partialtrappinglock", "partiallytrapped")
"""Volatiles under which Showdown's single "Fight" is not a free choice of a move."""
EFFECTS = (
    *(f"status:{s}" for s in STATUSES), "thaw", "wake",
    *(f"{v}" for v in VOLATILES), *(f"{v}-end" for v in VOLATILES if v != "substitute"),
    "substitute-broken", "transform", "mimic", "boost-up", "boost-down", "boost+6", "boost-6", "stat-999",
    "heal", "pp-out", "toxic-twice", "forced-turn", "nomove",
)
EVENTS: tuple[str, ...] = (
    *(f"move:{m}" for m in dex().moves), *(f"effect:{e}" for e in EFFECTS),
    "switch", "forced-switch", "faint", "double-faint", "win:p1", "win:p2", "tie",
)


def _mon(s: Snapshot, side: str) -> str:
    return f"{side}.team.{int(s[f'{side}.active'])}"


def _vols(s: Snapshot, prefix: str) -> set[str]:
    return set(str(s[f"{prefix}.volatiles"]).split(",")) - {""}


def _chosen(prev: Snapshot, side: str, a: int) -> str:
    """The event of player `side` taking action `a` (0-3) in state `prev`."""
    mon = _mon(prev, side)
    if _vols(prev, mon) & set(LOCKS) or str(prev[f"{mon}.status"]) in ("slp", "frz"):
        return "effect:forced-turn"
    slots = [m for m in range(4) if str(prev[f"{mon}.move.{m}.id"])]
    usable = [m for m in slots if int(prev[f"{mon}.move.{m}.pp"]) > 0 and not bool(prev[f"{mon}.move.{m}.disabled"])]
    if not usable:
        return "move:struggle"
    return f"move:{prev[f'{mon}.move.{a}.id']}"


def _member_events(prev: Snapshot, cur: Snapshot, mon: str, same: bool) -> Iterable[str]:
    """Effects on one team member (`same`: it stayed in, so its volatiles are comparable)."""
    before, after = str(prev[f"{mon}.status"]), str(cur[f"{mon}.status"])
    if after != before and after in STATUSES:
        yield f"effect:status:{after}"
    if before == "frz" and after == "" and int(cur[f"{mon}.hp"]) > 0:
        yield "effect:thaw"
    if before == "slp" and after == "":
        yield "effect:wake"
    if int(cur[f"{mon}.hp"]) > int(prev[f"{mon}.hp"]) and int(prev[f"{mon}.hp"]) > 0:
        yield "effect:heal"
    if not same:
        return
    old, new = _vols(prev, mon), _vols(cur, mon)
    for v in VOLATILES:
        if v in new and v not in old:
            yield f"effect:{v}"
        if v in old and v not in new and int(cur[f"{mon}.hp"]) > 0 and v != "substitute":
            yield f"effect:{v}-end"
    if "substitute" in old and "substitute" not in new and int(cur[f"{mon}.hp"]) > 0:
        yield "effect:substitute-broken"
    if bool(cur[f"{mon}.transformed"]) and not bool(prev[f"{mon}.transformed"]):
        yield "effect:transform"
    elif not bool(cur[f"{mon}.transformed"]) and any(
            str(prev[f"{mon}.move.{m}.id"]) != str(cur[f"{mon}.move.{m}.id"]) for m in range(4)):
        yield "effect:mimic"
    b0, b1 = np.asarray(prev[f"{mon}.boosts"]), np.asarray(cur[f"{mon}.boosts"])
    if (b1 > b0).any():
        yield "effect:boost-up"
    if (b1 < b0).any():
        yield "effect:boost-down"
    if ((b1 == 6) & (b0 != 6)).any():
        yield "effect:boost+6"
    if ((b1 == -6) & (b0 != -6)).any():
        yield "effect:boost-6"
    if (np.asarray(cur[f"{mon}.modified_stats"]) >= 999).any() and (b1 != b0).any():
        yield "effect:stat-999"
    if any(int(cur[f"{mon}.move.{m}.pp"]) == 0 < int(prev[f"{mon}.move.{m}.pp"]) for m in range(4)):
        yield "effect:pp-out"
    if int(cur[f"{mon}.toxic_counter"]) - int(prev[f"{mon}.toxic_counter"]) >= 2:
        yield "effect:toxic-twice"


def events(prev: Snapshot, action: Any, cur: Snapshot) -> list[str]:
    """The events of one reference transition (prev snapshot, joint action (p1, p2), next snapshot)."""
    out: list[str] = []
    act = np.asarray(action).reshape(-1)
    faints = 0
    for k, side in enumerate(SIDES):
        row = np.asarray(prev[f"mask.{side}"], bool)
        a = int(act[k])
        if row.any() and 0 <= a <= 3:
            out.append(_chosen(prev, side, a))
            mon = _mon(cur, side)
            if (str(prev[f"{side}.last_selected_move"]) == "nomove" and str(cur[f"{mon}.last_move"]) == "fissure"
                    and "fissure" not in {str(cur[f"{mon}.move.{m}.id"]) for m in range(4)}):
                out.append("effect:nomove")
        was, now = int(prev[f"{side}.active"]), int(cur[f"{side}.active"])
        if was != now and was >= 0:
            out.append("forced-switch" if bool(prev[f"{side}.team.{was}.fainted"]) else "switch")
        for i in range(6):
            mon = f"{side}.team.{i}"
            if not str(cur[f"{mon}.species"]):
                continue
            if int(cur[f"{mon}.hp"]) == 0 < int(prev[f"{mon}.hp"]):
                faints += 1
            out.extend(_member_events(prev, cur, mon, same=i == was == now))
    if faints:
        out.append("faint")
    if faints >= 2:
        out.append("double-faint")
    if bool(cur["ended"]) and not bool(prev["ended"]):
        out.append(f"win:{cur['winner']}" if str(cur["winner"]) else "tie")
    return out
