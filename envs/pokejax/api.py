"""PokeJAX's functional RL API: reset, step, observations, rewards and legal masks, all jit/vmap-able.

    state = reset(seed, teams)                      # seed: a jax.random key, or a (2,) uint32 PRNG state
    state, obs, reward, done, legal = step(state, actions)
    states = reset_batch(keys)                      # B battles with random-battle teams (vmap)
    env = gym_env.PokeJaxEnv()                      # one battle, Gymnasium's API (envs/pokejax/gym_env.py)
    states, obs, reward, done, legal = step_batch(states, actions)   # actions (B, 2)

A battle is the engine's state (envs.pokejax.state: a dict of small-integer arrays, about 1 KB;
a batch is a leading axis). Teams are arrays (`Teams`: species, level, moves, ivs, evs per side,
the layout teams.generate makes, with 0 for an empty move or slot); `team_arrays` converts sets.
Random teams (`random_teams`, `reset(key)`) are gen1randombattle teams as Showdown draws them.
Actions are one integer per player, the Showdown adapter's space: 0-3 move slot 1-4, 4-8 switch
to party position 2-6; a waiting player's action is ignored.

Outputs of `step` (per battle): obs (2, OBS_SIZE) int16, one row per player, layout OBS_FIELDS;
reward (2,) float32, +1 to the winner and -1 to the loser on the step that ends the battle, else
0; done () bool; legal (2, 9) bool, as `legal_mask`.

Observation of player p (int16, raw integers, no scaling): what p may know in Showdown. A header
(turn, ended, won +1/-1/0, own and foe request, own and foe Pokemon left); p's own six Pokemon in
party order (position 0 is the active one; action 4 + k switches to position k + 1) with every
field: present, species (dex number), level, types (-1 none), hp, maxhp, stats (atk, def, spa,
spd, spe), modified stats, boosts (atk, def, spa, spd, spe, accuracy, evasion), status (index in
state.STATUSES), fainted, moves (move numbers), pp, maxpp, last move, active turns; then the
foe's active Pokemon as the protocol shows it: species, level, types, HP in percent (Showdown's
HP Percentage Mod: ceil(100 hp / maxhp), 99 when not full, 0 fainted), status, boosts, last move,
fainted, active turns. Nothing of the foe's bench or exact stats.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from envs.pokejax import engine, prng, stats, teams as team_gen, trapping, volatiles
from envs.pokejax.state import REQ_MOVE, REQ_SWITCH, STATUSES, TEAM, State, max_pp, new_battle
from envs.pokejax.tables import tables

N_ACTIONS = 9
SPE = 4
SLP, FRZ = STATUSES.index("slp"), STATUSES.index("frz")
LOCKS = ("mustrecharge", "twoturnmove", "lockedmove", "rage")
"""Volatiles that lock the choice to action 0 with no switch (engine.legal_mask's `locked`)."""
SEMI_LOCKS = ("bide",)
"""Volatiles that lock the move choice to action 0 but leave switching legal (Showdown's semi-locked moves)."""
Teams = dict[str, Any]
"""species (2, 6), level (2, 6), moves (2, 6, 4) (0: empty), ivs (2, 6, 6), evs (2, 6, 6); int arrays."""

_MEMBER = (("present", 1), ("species", 1), ("level", 1), ("types", 2), ("hp", 1), ("maxhp", 1), ("stats", 5),
           ("modified", 5), ("boosts", 7), ("status", 1), ("fainted", 1), ("moves", 4), ("pp", 4), ("maxpp", 4),
           ("last_move", 1), ("active_turns", 1))
_FOE = (("species", 1), ("level", 1), ("types", 2), ("hp_percent", 1), ("status", 1), ("boosts", 7),
        ("last_move", 1), ("fainted", 1), ("active_turns", 1))
_HEADER = (("turn", 1), ("ended", 1), ("won", 1), ("request", 1), ("foe_request", 1), ("pokemon_left", 1),
           ("foe_pokemon_left", 1))


def _layout() -> tuple[tuple[str, int, int], ...]:
    out, pos = [], 0
    blocks = [("", _HEADER)] + [(f"own.{k}.", _MEMBER) for k in range(TEAM)] + [("foe.", _FOE)]
    for prefix, fields in blocks:
        for name, size in fields:
            out.append((prefix + name, pos, size))
            pos += size
    return tuple(out)


OBS_FIELDS: tuple[tuple[str, int, int], ...] = _layout()
"""(name, offset, size) of every observation field; `own.k.` is party position k."""
OBS_SIZE = sum(size for _, _, size in OBS_FIELDS)


# -- teams and reset --------------------------------------------------------------------------

def team_arrays(team_sets: Sequence[Sequence[Mapping[str, Any]]]) -> Teams:
    """Two teams of sets ({species, level?, moves, ivs?, evs?}, as engine.reset takes) as `Teams` arrays."""
    from envs.pokejax.state import DEFAULT_EVS, DEFAULT_IVS

    t = tables()
    out = {"species": np.zeros((2, TEAM), np.int32), "level": np.zeros((2, TEAM), np.int32),
           "moves": np.zeros((2, TEAM, 4), np.int32), "ivs": np.zeros((2, TEAM, 6), np.int32),
           "evs": np.zeros((2, TEAM, 6), np.int32)}
    for s, team in enumerate(team_sets):
        for i, mon in enumerate(team):
            out["species"][s, i] = t.species_index(mon["species"])
            out["level"][s, i] = int(mon.get("level", 100))
            out["moves"][s, i, :len(mon["moves"])] = [t.move_index(m) for m in mon["moves"]]
            out["ivs"][s, i] = mon.get("ivs", DEFAULT_IVS)
            out["evs"][s, i] = mon.get("evs", DEFAULT_EVS)
    return out


def team_sets(arrays: Teams) -> list[list[dict[str, Any]]]:
    """`Teams` arrays (one battle) back to two lists of sets (for state.packed_team and engine.reset)."""
    t = tables()
    a = {k: np.asarray(v) for k, v in arrays.items()}
    out = []
    for s in range(2):
        team = []
        for i in range(TEAM):
            sp = int(a["species"][s, i])
            if sp <= 0:
                continue
            team.append({"species": t.species_ids[sp], "level": int(a["level"][s, i]),
                         "moves": [t.move_ids[int(m)] for m in a["moves"][s, i] if m > 0],
                         "ivs": [int(v) for v in a["ivs"][s, i]], "evs": [int(v) for v in a["evs"][s, i]]})
        out.append(team)
    return out


def generated_teams(p1: Mapping[str, Any], p2: Mapping[str, Any]) -> Teams:
    """Two teams from teams.generate/generate_showdown (moves -1 for none) as `Teams` arrays."""
    return {k: jnp.stack([jnp.asarray(p1[k]), jnp.asarray(p2[k])]).astype(jnp.int32) if k != "moves"
            else jnp.maximum(jnp.stack([jnp.asarray(p1[k]), jnp.asarray(p2[k])]), 0).astype(jnp.int32)
            for k in ("species", "level", "moves", "ivs", "evs")}


@lru_cache(maxsize=1)
def _template() -> dict[str, np.ndarray]:
    """A started battle of one-Pokemon teams: the layout, dtypes and team-independent defaults."""
    mon = {"species": "mew", "level": 100, "moves": ["pound"]}
    with jax.ensure_compile_time_eval():
        return {k: np.asarray(v) for k, v in new_battle([[mon], [mon]], [0, 0, 0, 0]).items()}


@lru_cache(maxsize=1)
def _max_pp_table() -> np.ndarray:
    """maxpp of each move number as state.new_battle sets it (PP Ups on everything but Struggle)."""
    t = tables()
    table = max_pp(t.move_pp)
    table[t.move_index("struggle")] = t.move_pp[t.move_index("struggle")]
    return table


def init_state(teams: Teams, prng_state: jax.Array) -> State:
    """The started battle (engine.reset's state) of `teams` and a battle PRNG state, from arrays (jittable).

    Team members must be contiguous from slot 0 (species 0 marks the empty slots after them). Fields
    not built here come from a template battle (team-independent defaults); test_api checks the
    result equals engine.reset, so a new team-dependent engine field shows up there.
    """
    t = tables()
    tpl = _template()
    species = jnp.asarray(teams["species"], jnp.int32)
    level = jnp.asarray(teams["level"], jnp.int32)
    moves = jnp.asarray(teams["moves"], jnp.int32)
    present = species > 0
    all6 = stats.calc_stats(jnp.asarray(t.base_stats, jnp.int32)[species], teams["ivs"], teams["evs"], level)
    hp = jnp.where(present, all6[..., 0], 0)
    st = jnp.where(present[..., None], all6[..., 1:], 0)
    types = jnp.where(present[..., None], jnp.asarray(t.species_types)[species], -1)
    pp = jnp.where(moves > 0, jnp.asarray(_max_pp_table())[moves], 0)
    order = jnp.where(present, jnp.arange(TEAM, dtype=jnp.int32), -1)
    active_turns = jnp.zeros((2, TEAM), jnp.int32).at[:, 0].set(1)
    built = {"species": species, "level": jnp.where(present, level, 0), "types": types, "maxhp": hp, "hp": hp,
             "stats": st, "modified": st, "speed": st[..., SPE], "moves": moves, "pp": pp, "maxpp": pp,
             "base_moves": moves, "base_maxpp": pp, "fainted": ~present, "order": order,
             "pokemon_left": present.sum(axis=1), "active_turns": active_turns, "base_stored": st,
             "spe_extra": jnp.where(present,
                                    jnp.asarray(teams["ivs"])[..., 5] + jnp.asarray(teams["evs"])[..., 5] // 4, 0),
             "prng": engine.start_draws(jnp.asarray(prng_state, jnp.uint32), st[0, 0, SPE], st[1, 0, SPE])}
    return engine.start_clause({k: jnp.asarray(built[k] if k in built else v).astype(v.dtype) for k, v in tpl.items()})


def battle_prng(seed: str | Sequence[int]) -> jax.Array:
    """The (2,) uint32 PRNG state of a Showdown battle seed ('gen5,<16 hex>' or four 16-bit words)."""
    return prng.from_seed(seed) if isinstance(seed, str) else prng.from_words(jnp.asarray(seed))


def random_teams(key: jax.Array) -> Teams:
    """Two gen1randombattle teams drawn with jax.random (teams.generate's distribution)."""
    k1, k2 = jax.random.split(key)
    return generated_teams(team_gen.generate(k1), team_gen.generate(k2))


def reset(seed: jax.Array, teams: Teams | None = None) -> State:
    """A started battle. seed: a jax.random key (the battle PRNG and, when teams is None, random-battle
    teams are drawn from it) or a (2,) uint32 Showdown PRNG state (`battle_prng`;
    teams required)."""
    seed = jnp.asarray(seed)
    if jax.dtypes.issubdtype(seed.dtype, jax.dtypes.prng_key):
        k_prng, k_teams = jax.random.split(seed)
        words = jax.random.bits(k_prng, (2,), jnp.uint32)
        teams = random_teams(k_teams) if teams is None else teams
    else:
        if teams is None:
            raise ValueError("reset from a PRNG state needs teams (or pass a jax.random key)")
        words = seed.astype(jnp.uint32)
    return init_state(teams, words)


# -- legal actions, observations, rewards -----------------------------------------------------

def legal_mask(state: State) -> jax.Array:
    """(2, 9) legal actions, Showdown's (the adapter's masks; engine.legal_mask in JAX, checked equal in
    cases/pokejax/test_api.py): on a move request, each slot holding a move with PP left, or only
    action 0 when locked (LOCKS: recharging, charging, Thrash/Petal Dance, Rage), semi-locked (SEMI_LOCKS:
    Bide), asleep, frozen, out of PP (Struggle) or in a partial trap its side does not know to be ongoing
    (trapping.fight_only, switches stay legal); a Disabled slot is not legal;
    switches 4-8 to live bench Pokemon on a switch request, or on a move request unless locked;
    nothing once ended."""
    req = state["request"].astype(jnp.int32)
    active = state["active"].astype(jnp.int32)
    sides = jnp.arange(2)
    locked = (state["vol"] & sum(volatiles.BIT[name] for name in LOCKS)) != 0
    usable = (state["moves"][sides, active] > 0) & (state["pp"][sides, active] > 0)
    usable &= ~jnp.stack([engine.disabled_slots(state, side) for side in range(2)])
    status = state["status"][sides, active].astype(jnp.int32)
    semi = (state["vol"] & sum(volatiles.BIT[name] for name in SEMI_LOCKS)) != 0
    forced = (locked | semi | (status == SLP) | (status == FRZ) | ~jnp.any(usable, axis=1)
              | trapping.fight_only(state))
    usable = jnp.where(forced[:, None], jnp.arange(4) == 0, usable)
    bench = state["order"][:, 1:].astype(jnp.int32)
    alive = (bench >= 0) & ~state["fainted"][sides[:, None], jnp.maximum(bench, 0)]
    moves_ok = usable & (req == REQ_MOVE)[:, None]
    switch_ok = alive & ((req == REQ_SWITCH) | ((req == REQ_MOVE) & ~locked))[:, None]
    return jnp.concatenate([moves_ok, switch_ok], axis=1) & ~state["ended"]


def hp_percent(hp: jax.Array, maxhp: jax.Array) -> jax.Array:
    """Showdown's public HP (HP Percentage Mod): ceil(100 hp / maxhp), 99 when not full, 0 at 0 HP."""
    hp, maxhp = hp.astype(jnp.int32), jnp.maximum(maxhp.astype(jnp.int32), 1)
    pct = (100 * hp + maxhp - 1) // maxhp
    return jnp.where((pct == 100) & (hp < maxhp), 99, pct)


def _member_rows(state: State, side: int) -> jax.Array:
    """(6, 40) int32: side's Pokemon in party order, every field of _MEMBER."""
    idx = state["order"][side].astype(jnp.int32)
    present = idx >= 0
    i = jnp.maximum(idx, 0)

    def col(key: str) -> jax.Array:
        v = state[key][side, i].astype(jnp.int32)
        v = v.reshape(TEAM, -1)
        return jnp.where(present[:, None], v, 0)

    parts = [present[:, None].astype(jnp.int32)] + [col(k) for k, _ in _MEMBER[1:]]
    return jnp.concatenate(parts, axis=1)


def _observe_side(state: State, side: int) -> jax.Array:
    foe = 1 - side
    f = state["active"][foe].astype(jnp.int32)
    winner = state["winner"].astype(jnp.int32)
    won = jnp.where(state["ended"] & (winner >= 0), jnp.where(winner == side, 1, -1), 0)
    header = jnp.stack([jnp.minimum(state["turn"], 32767).astype(jnp.int32), state["ended"].astype(jnp.int32), won,
                        state["request"][side].astype(jnp.int32), state["request"][foe].astype(jnp.int32),
                        state["pokemon_left"][side].astype(jnp.int32), state["pokemon_left"][foe].astype(jnp.int32)])
    foe_row = jnp.concatenate([
        state["species"][foe, f][None], state["level"][foe, f][None], state["types"][foe, f],
        hp_percent(state["hp"][foe, f], state["maxhp"][foe, f])[None], state["status"][foe, f][None],
        state["boosts"][foe, f], state["last_move"][foe, f][None], state["fainted"][foe, f][None],
        state["active_turns"][foe, f][None]], dtype=jnp.int32)
    return jnp.concatenate([header, _member_rows(state, side).reshape(-1), foe_row]).astype(jnp.int16)


def observe(state: State) -> jax.Array:
    """(2, OBS_SIZE) int16: each player's observation (layout OBS_FIELDS, module doc)."""
    return jnp.stack([_observe_side(state, 0), _observe_side(state, 1)])


def obs_field(obs: Any, name: str) -> Any:
    """The slice of one named field (OBS_FIELDS) of an observation (or a batch of them, last axis)."""
    for field, offset, size in OBS_FIELDS:
        if field == name:
            return obs[..., offset:offset + size]
    raise KeyError(name)


def reward(before: State, after: State) -> jax.Array:
    """(2,) float32: +1 to the winner and -1 to the loser on the step that ended the battle, else 0."""
    ended_now = after["ended"] & ~before["ended"]
    w = after["winner"].astype(jnp.int32)
    per = jnp.where(jnp.arange(2) == w, 1.0, -1.0).astype(jnp.float32)
    return jnp.where(ended_now & (w >= 0), per, 0.0).astype(jnp.float32)


def step(state: State, actions: Any) -> tuple[State, jax.Array, jax.Array, jax.Array, jax.Array]:
    """One decision step of both players: (state, obs (2, OBS_SIZE), reward (2,), done, legal (2, 9))."""
    new = engine.step(state, actions)
    return new, observe(new), reward(state, new), new["ended"], legal_mask(new)


# -- batching ---------------------------------------------------------------------------------

def batched(fn: Callable[..., Any]) -> Callable[..., Any]:
    """`fn` over a leading batch axis of every argument, compiled (engine.jit(jax.vmap(fn)))."""
    return engine.jit(jax.vmap(fn))


@lru_cache(maxsize=None)
def _compiled(name: str) -> Callable[..., Any]:
    fns = {"reset": lambda keys: jax.vmap(reset)(keys), "reset_teams": jax.vmap(reset),
           "step": jax.vmap(step), "observe": jax.vmap(observe), "legal": jax.vmap(legal_mask),
           "init": jax.vmap(init_state)}
    return engine.jit(fns[name])


def reset_batch(keys: jax.Array, teams: Teams | None = None) -> State:
    """B battles from B jax.random keys (random-battle teams when `teams` is None) or B PRNG states
    ((B, 2) uint32) with batched `Teams` (leading axis B)."""
    return _compiled("reset")(keys) if teams is None else _compiled("reset_teams")(keys, teams)


def step_batch(states: State, actions: Any) -> tuple[State, jax.Array, jax.Array, jax.Array, jax.Array]:
    """`step` over B battles; actions (B, 2)."""
    return _compiled("step")(states, jnp.asarray(actions, jnp.int32))


def observe_batch(states: State) -> jax.Array:
    """(B, 2, OBS_SIZE) observations of a batch."""
    return _compiled("observe")(states)


def legal_batch(states: State) -> jax.Array:
    """(B, 2, 9) legal masks of a batch."""
    return _compiled("legal")(states)


def state_bytes(state: State) -> int:
    """Bytes of a (batched or single) state pytree."""
    return int(sum(np.asarray(v).nbytes if not hasattr(v, "nbytes") else v.nbytes for v in jax.tree.leaves(state)))

