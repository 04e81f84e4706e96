"""The TCG case: the Python Pokemon TCG Pocket engine (`tcg`, envs/tcg, the reference) against TCGJax
(`tcgjax`, envs/tcgjax) and its mutants.

Schema: every field of envs/tcg/state.py's snapshot (both players' deck, hand, discard, field,
Energy Zone, flags, conditions, the turn, phase, winner and the PRNG state) and both legal masks,
compared exactly every step, with both players' observations. Episodes: each seed's decks (envs.tcg.decks.seed_decks), played by the
case's eager random player (cases/tcg/policy.py). Default 50 games: the rarest liveness event, a
special condition, happened in 22% of 400 measured reference games (wins of each player 26% and 27%),
so at the 95% lower bounds (18%, 22%) all ten conditions are missed with probability below 1e-4.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from cases.tcg.components import PAIRS
from cases.tcg.policy import EagerPolicy
from cases.tcg.scenarios import SCENARIOS
from cases.tcg.transfer import TRANSFER
from envs.tcg.actions import N_ACTIONS, decode
from envs.tcg.observe import OBS_SIZE
from envs.tcg.state import GAME_FIELDS, PLAYER_FIELDS
from equivcheck.case import Case, changes, happens
from equivcheck.schema import Field, Schema

REFERENCE = "tcg"
CANDIDATES = ("tcgjax", "tcgjax-mut-weakness-30", "tcgjax-mut-prng-shift-12")


def fields() -> list[Field]:
    """Every snapshot field with its dtype and shape."""
    out = [Field(k, "int32") for k in GAME_FIELDS] + [Field("prng", "uint32", doc="the PRNG state (xorshift32)")]
    out += [Field(f"p{i}.{name}", "int32", shape) for i in range(2) for name, shape in PLAYER_FIELDS]
    out += [Field(f"mask.p{i}", "bool", (N_ACTIONS,)) for i in range(2)]
    out += [Field(f"obs.p{i}", "int32", (OBS_SIZE,), doc=f"player {i}'s observation") for i in range(2)]
    return out


def _sum(snap: dict[str, Any], key: str) -> int:
    return int(np.asarray(snap[f"p0.{key}"]).sum() + np.asarray(snap[f"p1.{key}"]).sum())


def _ko(prev: dict[str, Any], cur: dict[str, Any]) -> bool:
    return _sum(cur, "points") > _sum(prev, "points")


def _evolved(prev: dict[str, Any], cur: dict[str, Any]) -> bool:
    return any((np.asarray(cur[f"p{i}.stack"])[:, 1:] >= 0).sum() > (np.asarray(prev[f"p{i}.stack"])[:, 1:] >= 0).sum()
               for i in range(2))


def _status(prev: dict[str, Any], cur: dict[str, Any]) -> bool:
    return any(int(cur[f"p{i}.{k}"]) and not int(prev[f"p{i}.{k}"]) for i in range(2) for k in ("poisoned", "burned", "rot"))


LIVENESS = [
    changes("the PRNG advances", "prng"),
    changes("the turn advances", "turn"),
    happens("a Pokemon takes damage", lambda prev, cur: _sum(cur, "damage") > _sum(prev, "damage")),
    happens("a Pokemon is knocked out", _ko),
    happens("a Pokemon evolves", _evolved),
    happens("a special condition is inflicted", _status),
    happens("a promotion is made", lambda prev, cur: int(prev["phase"]) == 1 and int(cur["phase"]) != 1),
    happens("player 0 wins a game", lambda prev, cur: cur["reward"] > 0),
    happens("player 1 wins a game", lambda prev, cur: cur["reward"] < 0),
    happens("a game is drawn at the turn limit", lambda prev, cur: int(cur["phase"]) == 2 and int(cur["winner"]) == 2),
]

EVENTS = ("end", "play", "attach", "retreat", "attack", "ability", "promote", "knock-out", "evolution", "status")


def coverage(prev: dict[str, Any], action: Any, cur: dict[str, Any]) -> list[str]:
    """The action kind taken (by the acting player) and the events it caused."""
    acting = int(prev["acting"])
    out = [decode(int(np.asarray(action)[acting])).kind]
    if _ko(prev, cur):
        out.append("knock-out")
    if _evolved(prev, cur):
        out.append("evolution")
    if _status(prev, cur):
        out.append("status")
    return out


CASE = Case(
    name="tcg",
    reference=REFERENCE,
    candidates=list(CANDIDATES),
    schema=Schema(fields()),
    liveness=LIVENESS,
    components=list(PAIRS.values()),
    scenarios=SCENARIOS,
    transfer=TRANSFER,
    episodes=50,
    steps=400,
    runner="lockstep",
    corpus_dir=None,
    policy=EagerPolicy,
    coverage=coverage,
    coverage_events=EVENTS,
    description=("Pokemon TCG Pocket: the Python reference engine (envs/tcg, docs/tcg-rules.md) vs TCGJax "
                 "(envs/tcgjax): every state field, both legal masks both observations and the PRNG state exact every step"),
)
