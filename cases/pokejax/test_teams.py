"""The gen1randombattle team sampler against Showdown's own generator (Teams.getGenerator).

Exact: from the PRNG state of a seed, PokeJAX's generator (Showdown's PRNG as its source) makes
Showdown's team, draw for draw, and ends in the same PRNG state. Statistical: the jax.random
sampler's species and move frequencies against Showdown's teams from other seeds (chi-square
homogeneity, equivcheck.oracles.stats); fixed seeds, so the verdict is reproducible.
"""

from __future__ import annotations

from collections import Counter

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from adapters.pokejax_components import showdown_components
from equivcheck.oracles.stats import chi_square_test
from envs.pokejax import prng, teams
from envs.pokejax.tables import STAT_NAMES, tables

STAT_SEEDS = 400


def _as_showdown(out: dict, b: int) -> list[dict]:
    t = tables()
    return [{
        "species": t.species_ids[int(out["species"][b, k])], "level": int(out["level"][b, k]),
        "moves": [t.move_ids[int(m)] for m in out["moves"][b, k] if m >= 0],
        "evs": dict(zip(STAT_NAMES, map(int, out["evs"][b, k]), strict=True)),
        "ivs": dict(zip(STAT_NAMES, map(int, out["ivs"][b, k]), strict=True)),
    } for k in range(teams.TEAM)]


@pytest.mark.tier("property")
def test_teams_exact_from_showdown_seeds(equivcheck_run) -> None:  # noqa: ANN001
    rng = np.random.default_rng(equivcheck_run.seed)
    seeds = [f"gen5,{int(s):016x}" for s in rng.integers(0, 2**63, size=100)]
    ref = showdown_components().teams(seeds)
    final, out = jax.jit(jax.vmap(teams.generate_showdown))(jnp.stack([prng.from_seed(s) for s in seeds]))
    out = jax.tree_util.tree_map(np.asarray, out)
    for b, r in enumerate(ref):
        assert _as_showdown(out, b) == r["team"], f"seed {seeds[b]}"
        assert [int(w) for w in np.asarray(prng.words(final[b]))] == r["seed"], f"seed {seeds[b]}: PRNG state"


def _counts(team_lists: list[list[dict]]) -> tuple[Counter, Counter]:
    species = Counter(m["species"] for team in team_lists for m in team)
    moves = Counter(mv for team in team_lists for m in team for mv in m["moves"])
    return species, moves


@pytest.mark.tier("property")
def test_sampler_distribution_matches_showdown() -> None:
    rng = np.random.default_rng(20240601)
    seeds = [f"gen5,{int(s):016x}" for s in rng.integers(0, 2**63, size=STAT_SEEDS)]
    ref = [r["team"] for r in showdown_components().teams(seeds)]
    keys = jax.random.split(jax.random.key(20240601), STAT_SEEDS)
    out = jax.tree_util.tree_map(np.asarray, jax.jit(jax.vmap(teams.generate))(keys))
    cand = [_as_showdown(out, b) for b in range(STAT_SEEDS)]
    (ref_species, ref_moves), (cand_species, cand_moves) = _counts(ref), _counts(cand)
    species = chi_square_test(ref_species, cand_species, alpha=0.01)
    moves = chi_square_test(ref_moves, cand_moves, alpha=0.01)
    assert species, species.summary()
    assert moves, moves.summary()
    assert all(len(t) == teams.TEAM and len({m["species"] for m in t}) == teams.TEAM for t in cand)
