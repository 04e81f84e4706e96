"""The candidate's team source: each seed's gen1randombattle teams, made in JAX as Showdown makes them.

adapters.pokejax_teams (what `pokejax` plays for an integer seed) must equal the generator run on
derive_seeds' player seeds, and those teams must be the ones Showdown itself plays for the seed
(the `showdown` adapter, the case's reference, without explicit teams).
"""

from __future__ import annotations

import jax
import numpy as np
import pytest

from adapters import pokejax_teams
from adapters.showdown.adapter import derive_seeds
from envs.pokejax import api, prng, teams as team_gen
from envs.pokejax.tables import tables


def _raw(seed: int) -> api.Teams:
    d = derive_seeds(seed)
    t1 = team_gen.generate_showdown(prng.from_seed(d["p1"]))[1]
    t2 = team_gen.generate_showdown(prng.from_seed(d["p2"]))[1]
    return jax.tree.map(np.asarray, api.generated_teams(t1, t2))


@pytest.mark.parametrize("seed", range(0, 40, 5))
def test_seed_teams_are_the_generators(seed: int) -> None:
    _, got = pokejax_teams.seed_battle(seed)
    for key, want in _raw(seed).items():
        np.testing.assert_array_equal(np.asarray(got[key]), want)


def test_seed_teams_are_showdowns_own() -> None:
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


def test_packed_teams_round_trip() -> None:
    """packed_teams -> unpack_team gives back the sets (the `teams` reset option both adapters take)."""
    _, teams = pokejax_teams.seed_battle(3)
    sets = api.team_sets(teams)
    back = [pokejax_teams.unpack_team(p) for p in pokejax_teams.packed_teams(teams)]
    for a, b in zip(sets, back, strict=True):
        key = [(m["species"], m["level"], m["moves"]) for m in a]
        assert key == [(m["species"], m["level"], m["moves"]) for m in b]
