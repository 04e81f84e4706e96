"""The case's team source: each seed's Showdown random-battle teams, moves the engine lacks substituted.

The substitution (envs/pokejax/supported_teams.py, in JAX) is checked against a plain-Python
statement of the same rule; the unsubstituted teams against the teams Showdown itself makes for
the seed (the `showdown` adapter without explicit teams); a no-op once every move is supported.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from adapters import pokejax_teams
from adapters.showdown.adapter import derive_seeds
from envs.pokejax import api, prng, supported_teams, teams as team_gen
from envs.pokejax.tables import load, tables


def _raw(seed: int) -> api.Teams:
    d = derive_seeds(seed)
    t1 = team_gen.generate_showdown(prng.from_seed(d["p1"]))[1]
    t2 = team_gen.generate_showdown(prng.from_seed(d["p2"]))[1]
    return jax.tree.map(np.asarray, api.generated_teams(t1, t2))


def _rule(species: int, moves: list[int], ok: np.ndarray) -> list[int]:
    """The substitution rule, written out plainly (module doc of supported_teams)."""
    t = tables()
    sets = {s["num"]: s for s in load("randbats")["sets"]}
    own = []
    if species in sets:
        s = sets[species]
        for key in ("moves", "exclusiveMoves", "essentialMoves", "comboMoves"):
            own += [t.move_index(m) for m in s[key] if ok[t.move_index(m)] and t.move_index(m) not in own]
    fallback = [i for i in range(1, len(ok)) if ok[i] and t.move_ids[i] != "struggle"]
    out = list(moves)
    for k, m in enumerate(out):
        if m <= 0 or ok[m]:
            continue
        start = (species * 4 + k) % len(fallback)
        order = own + fallback[start:] + fallback[:start]
        out[k] = next(c for c in order if c not in out)
    return out


@pytest.mark.parametrize("seed", range(0, 200, 5))
def test_substitution_follows_the_rule(seed: int) -> None:
    ok = supported_teams.supported()
    raw = _raw(seed)
    _, got = pokejax_teams.seed_battle(seed)
    got = jax.tree.map(np.asarray, got)
    for key in ("species", "level", "ivs", "evs"):
        np.testing.assert_array_equal(got[key], raw[key])
    for s in range(2):
        for i in range(6):
            want = _rule(int(raw["species"][s, i]), [int(m) for m in raw["moves"][s, i]], ok)
            assert [int(m) for m in got["moves"][s, i]] == want, (seed, s, i)
            live = [m for m in want if m > 0]
            assert ok[live].all() and len(set(live)) == len(live)
            assert tables().move_index("struggle") not in live


def test_substitution_is_a_no_op_when_every_move_is_supported(monkeypatch: pytest.MonkeyPatch) -> None:
    raw = _raw(7)
    everything = np.ones(len(tables().move_ids), bool)
    everything[0] = False
    supported_teams._tables.cache_clear()
    monkeypatch.setattr(supported_teams, "supported", lambda: everything)
    try:
        out = supported_teams.substitute({k: jnp.asarray(v) for k, v in raw.items()})
        np.testing.assert_array_equal(np.asarray(out["moves"]), raw["moves"])
    finally:
        monkeypatch.undo()
        supported_teams._tables.cache_clear()


def test_substitution_changes_only_unsupported_moves() -> None:
    ok = supported_teams.supported()
    for seed in range(5):
        raw = _raw(seed)
        got = np.asarray(pokejax_teams.seed_battle(seed)[1]["moves"])
        kept = (raw["moves"] > 0) & ok[raw["moves"]]
        np.testing.assert_array_equal(got[kept], raw["moves"][kept])
        assert (got[~kept & (raw["moves"] > 0)] != raw["moves"][~kept & (raw["moves"] > 0)]).all()


def test_unsubstituted_teams_are_showdowns_own() -> None:
    """The generator from derive_seeds' player seeds makes the teams Showdown plays for that seed."""
    from adapters.showdown import Showdown

    t = tables()
    env = Showdown()
    try:
        for seed in (0, 1, 2):
            env.reset(seed)
            snap = env.snapshot()
            raw = _raw(seed)
            for s, p in enumerate(("p1", "p2")):
                for i in range(6):
                    assert snap[f"{p}.team.{i}.species"] == t.species_ids[int(raw["species"][s, i])]
                    ids = [snap[f"{p}.team.{i}.move.{m}.id"] for m in range(4)]
                    assert ids == [t.move_ids[int(m)] if m > 0 else "" for m in raw["moves"][s, i]]
                    assert int(snap[f"{p}.team.{i}.level"]) == int(raw["level"][s, i])
    finally:
        env.close()


def test_describe_names_every_substituted_move() -> None:
    text = pokejax_teams.describe()
    subs = supported_teams.substituted_moves()
    assert all(m in text for m in subs)
    ok = supported_teams.supported()
    assert not any(ok[tables().move_index(m)] for m in subs)
