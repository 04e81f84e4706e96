"""The PokeJAX case: Pokemon Showdown 0.11.11's gen1randombattle against the PokeJAX engine (JAX).

Reference `showdown-pokejax-teams` (Showdown through the `showdown` adapter, given each seed's
teams), candidates `pokejax` and two mutants. Teams: each seed's random-battle teams with the
moves the engine lacks substituted (adapters/pokejax_teams.py; the list is in the description
and in every report's versions). Schema: every field of Showdown's snapshot is declared; the ones
PokeJAX models (state.COVERED, read at import so it grows with the engine) and the two legal
masks are compared exactly every step, PRNG state included; each other field is a known
difference (ignored, "not modelled by the engine yet"), listed in every report. L1: the component
pairs of cases/pokejax/components.py (Showdown's own functions in Node vs the JAX ones).

No corpus: a saved failure replays a seed's actions, and a seed's teams change whenever the engine
supports more moves (fewer substitutions), so old replays would stop fitting; failures are saved
under the report directory (`--report-dir D`: D/replays) instead.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from adapters.pokejax_teams import describe
from adapters.showdown import STATE_KEY, schema_fields
from cases.pokejax.components import PAIRS
from cases.pokejax.scenarios import SCENARIOS as INTERACTIONS, skipped
from cases.pokejax.transfer import TRANSFER
from envs.pokejax.state import COVERED, packed_team
from equivcheck.case import Case, Scenario, changes, happens
from equivcheck.schema import Field, KnownDifference, Schema

FORMAT = "gen1randombattle"
REFERENCE = "showdown-pokejax-teams"
CANDIDATES = ("pokejax", "pokejax-mut-crit", "pokejax-mut-damage")
MASKS = ("mask.p1", "mask.p2")
NOT_MODELLED = "not modelled by the engine yet"


def compared_paths() -> tuple[str, ...]:
    """The Showdown fields compared: state.COVERED and the legal masks."""
    return (*COVERED, *MASKS)


def _pattern(path: str) -> str:
    """A team member's field as a glob over sides and members (p?.team.*.x); other paths as they are."""
    parts = path.split(".")
    if len(parts) > 3 and parts[1] == "team":
        return ".".join(["p?", "team", "*", *parts[3:]])
    if parts[0] in ("p1", "p2"):
        return ".".join(["p?", *parts[1:]])
    return path


def not_modelled(fields: list[str], compared: set[str]) -> tuple[str, ...]:
    """Glob patterns covering exactly the uncompared fields (a pattern is kept only if it matches no compared one)."""
    import fnmatch

    out: list[str] = []
    for path in fields:
        if path in compared:
            continue
        pat = _pattern(path)
        if any(fnmatch.fnmatchcase(c, pat) for c in compared):
            pat = path
        if pat not in out:
            out.append(pat)
    return tuple(out)


def pokejax_schema(fmt: str = FORMAT) -> Schema:
    """Every Showdown snapshot field declared; COVERED + masks compared exactly; the rest known differences."""
    declared = schema_fields(fmt)
    compared = set(compared_paths())
    missing = compared - {p for p, _, _ in declared}
    if missing:
        raise ValueError(f"state.COVERED names fields Showdown's snapshot lacks: {sorted(missing)[:5]}")
    fields = [Field(path, dtype, shape) for path, dtype, shape in declared]
    fields.append(Field(STATE_KEY, "str", doc="Showdown's serialised battle, read by restore()"))
    known = [
        KnownDifference("showdown-state-blob", (STATE_KEY,), "Showdown's serialised battle for restore(); "
                        "PokeJAX has no equivalent (its state is the compared fields)"),
        KnownDifference("not-modelled", not_modelled([p for p, _, _ in declared], compared), NOT_MODELLED),
    ]
    return Schema(fields, known=known)


def _hp_lost(prev: dict[str, Any], cur: dict[str, Any]) -> bool:
    return any(np.asarray(cur[k]) < np.asarray(prev[k]) for k in cur
               if k.startswith("p") and k.endswith(".hp") and k in prev)


def _faint(prev: dict[str, Any], cur: dict[str, Any]) -> bool:
    return any(bool(cur[k]) and not bool(prev[k]) for k in cur if k.endswith(".fainted") and k in prev)


LIVENESS = [
    changes("the PRNG advances", "prng"),
    changes("player 1 switches", "p1.active"),
    changes("player 2 switches", "p2.active"),
    happens("a Pokemon loses HP", _hp_lost),
    happens("a Pokemon faints", _faint),
    happens("player 1 wins a battle", lambda prev, cur: cur["reward"] > 0),
    happens("player 2 wins a battle", lambda prev, cur: cur["reward"] < 0),
]

def _teams(p1: list[tuple], p2: list[tuple]) -> dict[str, list[str]]:
    """Reset options with explicit teams: (species, level, moves) per member."""
    return {"teams": [packed_team([{"species": sp, "level": lv, "moves": mv} for sp, lv, mv in side])
                      for side in (p1, p2)]}


_TAUROS = ("tauros", 100, ["tackle", "slash", "bodyslam", "quickattack"])
SCENARIOS = [
    Scenario("mirror Tauros: Speed ties every turn", [[0, 0], [1, 1], [3, 0], [2, 2], [0, 3], [1, 2]] * 2, seed=1,
             options=_teams([_TAUROS], [_TAUROS])),
    Scenario("Quick Attack first against a faster foe", [[0, 0]] * 6, seed=2,
             options=_teams([("snorlax", 100, ["quickattack"])], [("jolteon", 100, ["swift"])])),
    Scenario("Normal moves on a Ghost: immune, no draws", [[0, 0], [1, 0], [0, 1]] * 3, seed=3,
             options=_teams([("tauros", 100, ["tackle", "earthquake"])], [("gengar", 100, ["surf", "swift"])])),
    Scenario("a faint, the forced switch, then the last Pokemon", [[0, 0], [0, 4], [0, 0], [0, 0], [0, 0]], seed=4,
             options=_teams([("dragonite", 100, ["slash"])],
                            [("magikarp", 5, ["tackle"]), ("chansey", 100, ["pound"])])),
    Scenario("out of PP: Struggle", [[0, 0]] * 12, seed=5,
             options=_teams([("lapras", 60, ["hydropump"])], [("chansey", 100, ["pound"])])),
]


CASE = Case(
    name="pokejax",
    reference=REFERENCE,
    candidates=list(CANDIDATES),
    schema=pokejax_schema(),
    liveness=LIVENESS,
    components=[PAIRS[name] for name in PAIRS],
    scenarios=SCENARIOS + INTERACTIONS,
    transfer=TRANSFER,
    episodes=16,
    steps=1000,
    runner="lockstep",
    corpus_dir=None,
    description=(f"Showdown 0.11.11 gen1randombattle vs the PokeJAX engine: {len(compared_paths())} fields "
                 f"(state.COVERED + legal masks) exact every step, PRNG state included; teams: {describe()}; "
                 f"L2 interactions not run yet (engine lacks their moves): {'; '.join(skipped()) or 'none'}"),
)
