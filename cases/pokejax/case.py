"""The PokeJAX case: Pokemon Showdown 0.11.11's gen1randombattle against the PokeJAX engine (JAX).

Reference `showdown` (the plain Showdown adapter: it makes each seed's random-battle teams
itself), candidates `pokejax` (which re-makes those teams in JAX) and two mutants. Schema: every
field of Showdown's snapshot is declared; all but a
fixed list (NOT_MODELLED_FIELDS: weather, side conditions, gender, ...) are compared exactly every
step, PRNG state and both legal masks included; the list is a known difference shown in every
report. L1: the component
pairs of cases/pokejax/components.py (Showdown's own functions in Node vs the JAX ones). L2: the
scenarios below and cases/pokejax/scenarios.py, all of them always (nothing is read from the
candidate). Coverage (cases/pokejax/coverage.py): each move chosen and each effect seen. Failures
are saved in cases/pokejax/corpus/ and replayed as regression tests.
"""

from __future__ import annotations

import fnmatch
from pathlib import Path
from typing import Any

import numpy as np

from adapters.showdown import STATE_KEY, schema_fields
from cases.pokejax.components import PAIRS
from cases.pokejax.coverage import EVENTS, events
from cases.pokejax.legal import options as team_options
from cases.pokejax.scenarios import SCENARIOS as INTERACTIONS
from cases.pokejax.transfer import TRANSFER
from equivcheck.case import Case, Scenario, changes, happens
from equivcheck.schema import Field, KnownDifference, Schema

FORMAT = "gen1randombattle"
REFERENCE = "showdown"
CORPUS = Path(__file__).resolve().parent / "corpus"
CANDIDATES = ("pokejax", "pokejax-mut-crit", "pokejax-mut-damage", "pokejax-mut-nomove")
MASKS = ("mask.p1", "mask.p2")
NOT_MODELLED = "not modelled by the engine"
NOT_MODELLED_FIELDS = (
    "field.weather", "field.weather.duration", "field.terrain", "field.terrain.duration", "field.pseudo_weather",
    "p?.side_conditions", "p?.side_other", "p?.slot_conditions", "p?.team.*.gender", "p?.team.*.item",
    "p?.team.*.ability", "p?.team.*.trapped", "p?.team.*.move.?.disabled",
)
"""The Showdown fields the case leaves out (fixed here, never read from the engine): no Gen 1 weather,
terrain or side conditions; gender, item, ability constant; `trapped` and `disabled` are shown by the masks."""


def compared_paths(fmt: str = FORMAT) -> tuple[str, ...]:
    """The Showdown fields compared: every declared one but NOT_MODELLED_FIELDS, and the two legal masks."""
    return tuple(p for p, _, _ in schema_fields(fmt)
                 if not any(fnmatch.fnmatchcase(p, pat) for pat in NOT_MODELLED_FIELDS))


def pokejax_schema(fmt: str = FORMAT) -> Schema:
    """Every Showdown snapshot field declared and compared exactly, but the known difference NOT_MODELLED_FIELDS."""
    declared = schema_fields(fmt)
    fields = [Field(path, dtype, shape) for path, dtype, shape in declared]
    fields.append(Field(STATE_KEY, "str", doc="Showdown's serialised battle, read by restore()"))
    known = [
        KnownDifference("showdown-state-blob", (STATE_KEY,), "Showdown's serialised battle for restore(); "
                        "PokeJAX has no equivalent (its state is the compared fields)"),
        KnownDifference("not-modelled", NOT_MODELLED_FIELDS, NOT_MODELLED),
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
    return team_options([[{"species": sp, "level": lv, "moves": mv} for sp, lv, mv in side] for side in (p1, p2)])


NOMOVE = "nomove: frozen before its side ever selected a move, thawed, it runs Showdown's changed Fissure"
"""Turn 1 p1 switches to Snorlax and Mew's Ice Beam freezes it (seed 34); turn 2 Flamethrower thaws it
before its queued Fight, whose move is the side's `nomove` (found by the legal-team runs)."""
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
    Scenario(NOMOVE, [[4, 0], [0, 1], [0, 1], [0, 1]], seed=34,
             options=_teams([("tauros", 100, ["tackle"]), ("snorlax", 100, ["bodyslam", "rest"])],
                            [("mew", 100, ["icebeam", "flamethrower"])])),
    Scenario("out of PP: Struggle", [[0, 0]] * 12, seed=5,
             options=_teams([("lapras", 60, ["hydropump"])], [("chansey", 100, ["softboiled", "growl"])])),
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
    corpus_dir=CORPUS,
    coverage=events,
    coverage_events=EVENTS,
    description=(f"Showdown 0.11.11 gen1randombattle vs the PokeJAX engine: {len(compared_paths())} fields "
                 "(every snapshot field but weather, side conditions, gender, item, ability, trapped, disabled) "
                 "exact every step, PRNG state included; each seed's teams made "
                 "by Showdown (reference) and by the engine's own generator (candidate)"),
)
