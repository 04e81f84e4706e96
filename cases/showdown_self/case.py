"""The Showdown self-check: the reference against a second, independent Showdown process.

`equivcheck diff --ref showdown --cand showdown-shadow` must pass; the mutated shadows
showdown-shadow-damage and showdown-shadow-prng must fail, naming the turn and the field.
"""

from __future__ import annotations

import numpy as np

from adapters.showdown import STATE_KEY, schema_fields
from equivcheck.case import Case, changes, happens
from equivcheck.schema import Field, KnownDifference, Schema

FORMAT = "gen1randombattle"


def showdown_schema(fmt: str = FORMAT) -> Schema:
    """Every snapshot field of `fmt`, compared exactly; `_state` (the serialised battle) ignored."""
    fields = [Field(path, dtype, shape) for path, dtype, shape in schema_fields(fmt)]
    fields.append(Field(STATE_KEY, "str", doc="Showdown's serialised battle, read by restore()"))
    known = [
        KnownDifference(
            "showdown-state-blob",
            (STATE_KEY,),
            "an opaque copy of the whole battle for restore(); every part of it that matters is a field",
        )
    ]
    return Schema(fields, known=known)


def _hp_lost(prev: dict, cur: dict) -> bool:
    return any(
        np.asarray(cur[k]) < np.asarray(prev[k]) for k in cur if k.endswith(".hp") and k in prev and k.startswith("p")
    )


SHOWDOWN_SELF = Case(
    name="showdown-self",
    reference="showdown",
    candidates=["showdown-shadow", "showdown-shadow-damage", "showdown-shadow-prng"],
    schema=showdown_schema(),
    liveness=[
        changes("the PRNG advances", "prng"),
        changes("player 1 switches", "p1.active"),
        happens("a Pokemon loses HP", _hp_lost),
        happens("player 1 wins a battle", lambda prev, cur: cur["reward"] > 0),
        happens("player 2 wins a battle", lambda prev, cur: cur["reward"] < 0),
    ],
    episodes=200,
    steps=1000,
    runner="lockstep",
    description="Pokemon Showdown against an independent Showdown process (gen1randombattle)",
)
