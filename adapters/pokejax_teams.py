"""The teams of the PokeJAX case: each seed's gen1randombattle teams, moves the engine lacks substituted.

For an integer seed, the battle seed and the players' seeds are the Showdown adapter's
(`derive_seeds`); each player's team is the one Showdown's generator makes from that player's seed
(teams.generate_showdown, draw-exact), passed through envs.pokejax.supported_teams.substitute
(every move the engine lacks replaced by a supported one, deterministically; see that module).
Both sides of a comparison get these explicit teams; every gen1randombattle move is supported now
(Transform was the last), so the substitution changes nothing and the teams are Showdown's own.
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
from envs.pokejax.supported_teams import substitute, substituted_moves
from envs.pokejax.tables import tables


def _battles_fn(p_states: jax.Array) -> api.Teams:
    """(B, 2, 2) player PRNG states -> substituted Teams with a leading axis B."""
    _, t1 = jax.vmap(team_gen.generate_showdown)(p_states[:, 0])
    _, t2 = jax.vmap(team_gen.generate_showdown)(p_states[:, 1])
    return jax.vmap(lambda a, b: substitute(api.generated_teams(a, b)))(t1, t2)


_battles = compiled(_battles_fn)
"""_battles_fn compiled once per batch size (kept across the mutants' JAX cache clears)."""


def seed_battles(seeds: Sequence[int]) -> tuple[jax.Array, api.Teams]:
    """The battles of integer seeds: ((B, 2) uint32 battle PRNG states, substituted Teams (leading axis B))."""
    derived = [derive_seeds(int(s)) for s in seeds]
    battle = jnp.stack([prng.from_seed(d["battle"]) for d in derived])
    players = jnp.stack([jnp.stack([prng.from_seed(d["p1"]), prng.from_seed(d["p2"])]) for d in derived])
    return battle, _battles(players)


def seed_battle(seed: int) -> tuple[jax.Array, api.Teams]:
    """One battle of `seed`: ((2,) uint32 battle PRNG state, substituted Teams)."""
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
    """One line for descriptions and versions(): how many moves are substituted, and which."""
    subs = substituted_moves()
    if not subs:
        return "Showdown's own random-battle teams (every move supported, no substitution)"
    return (f"random-battle teams with the {len(subs)} moves the engine lacks substituted "
            f"(envs/pokejax/supported_teams.py): " + ", ".join(subs))
