"""The `pokejax` adapter's teams for an integer seed: the gen1randombattle teams Showdown makes for it.

For an integer seed, the battle seed and the players' seeds are the Showdown adapter's
(`derive_seeds`); each player's team is the one Showdown's generator makes from that player's seed,
re-made in JAX by envs.pokejax.teams.generate_showdown (draw-exact). This is the candidate's own
team generation, compared like everything else: the reference (the plain `showdown` adapter)
makes its teams itself. Also packs/unpacks Showdown's team strings (the reset option `teams`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp

from adapters.pokejax_aot import compiled
from adapters.showdown.adapter import derive_seeds
from envs.pokejax import api, prng, teams as team_gen
from envs.pokejax.state import DEFAULT_EVS, DEFAULT_IVS
from envs.pokejax.tables import tables


def _battles_fn(p_states: jax.Array) -> api.Teams:
    """(B, 2, 2) player PRNG states -> Teams with a leading axis B."""
    _, t1 = jax.vmap(team_gen.generate_showdown)(p_states[:, 0])
    _, t2 = jax.vmap(team_gen.generate_showdown)(p_states[:, 1])
    return jax.vmap(api.generated_teams)(t1, t2)


_battles = compiled(_battles_fn)
"""_battles_fn compiled once per batch size (kept across the mutants' JAX cache clears)."""


def seed_battles(seeds: Sequence[int]) -> tuple[jax.Array, api.Teams]:
    """The battles of integer seeds: ((B, 2) uint32 battle PRNG states, Teams (leading axis B))."""
    derived = [derive_seeds(int(s)) for s in seeds]
    battle = jnp.stack([prng.from_seed(d["battle"]) for d in derived])
    players = jnp.stack([jnp.stack([prng.from_seed(d["p1"]), prng.from_seed(d["p2"])]) for d in derived])
    return battle, _battles(players)


def seed_battle(seed: int) -> tuple[jax.Array, api.Teams]:
    """One battle of `seed`: ((2,) uint32 battle PRNG state, Teams)."""
    battle, teams = seed_battles([seed])
    return battle[0], jax.tree.map(lambda x: x[0], teams)


def packed_teams(teams: api.Teams) -> list[str]:
    """Showdown's two packed team strings of one battle's Teams (the Showdown adapter's `teams`)."""
    from envs.pokejax.state import packed_team

    return [packed_team(team) for team in api.team_sets(teams)]


def unpack_team(packed: str) -> list[dict[str, Any]]:
    """Sets of a packed team as state.packed_team writes them (species, moves, EVs, IVs, level)."""
    t = tables()
    team = []
    for row in packed.split("]"):
        f = row.split("|")
        species = t.species_ids[t.species_index(toid(f[1] or f[0]))]
        team.append({"species": species, "level": int(f[10] or 100), "moves": [toid(m) for m in f[4].split(",") if m],
                     "evs": [int(v) if v else 0 for v in f[6].split(",")] if f[6] else list(DEFAULT_EVS),
                     "ivs": [int(v) if v else 31 for v in f[8].split(",")] if f[8] else list(DEFAULT_IVS)})
    return team


def toid(name: str) -> str:
    """Showdown's toID: lower case, letters and digits only."""
    return "".join(c for c in name.lower() if c.isalnum())


def describe() -> str:
    """One line for descriptions and versions(): where a seed's teams come from."""
    return "a seed's gen1randombattle teams, made by Showdown (reference) and by envs/pokejax/teams.py (candidate)"
