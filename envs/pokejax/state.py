"""PokeJAX battle state: one fixed-size pytree (a dict of small-integer arrays) per battle.

A batch is a leading axis on every array (vmap). Sides are 0 (p1) and 1 (p2); a team member is
named by its team index 0-5 (its place in the team as given), as the Showdown snapshot does
(adapters/showdown/FIELDS.md); `order` is the party order (position 0 is the active slot).

| key | shape, dtype | meaning |
| --- | --- | --- |
| `prng` | (2,) uint32 | Showdown's Gen 5 PRNG state (envs.pokejax.prng) |
| `turn` | () int32 | `battle.turn` |
| `ended` | () bool | `battle.ended` |
| `winner` | () int8 | -1 none, 0 p1, 1 p2 |
| `last_damage` | () int32 | `battle.lastDamage` |
| `request` | (2,) int8 | REQ_NONE (wait), REQ_MOVE, REQ_SWITCH |
| `active` | (2,) int8 | team index of the active Pokemon |
| `order` | (2, 6) int8 | team index at each party position, -1 past the team |
| `pokemon_left` | (2,) int8 | `side.pokemonLeft` |
| `last_selected_move` | (2,) int16 | Gen 1 `side.lastSelectedMove` (move number; NOMOVE before any, CANNOTMOVE) |
| `last_selected_slot` | (2,) int8 | Gen 1 `side.lastSelectedMoveSlot` (0 after every switch) |
| `last_enemy_selected_move` | (2,) int16 | Gen 1 `side.lastEnemySelectedMove` |
| `side_last_move` | (2,) int16 | Gen 1 `side.lastEnemyMove`: the move the side last used (Counter reads it; snapshot `pN.last_used_move`) |
| `species`, `level` | (2, 6) int16 | dex number (0: empty slot), level |
| `types` | (2, 6, 2) int8 | type indices, -1 for none |
| `maxhp`, `hp` | (2, 6) int16 | |
| `stats` | (2, 6, 5) int16 | storedStats atk, def, spa, spd, spe |
| `modified` | (2, 6, 5) int16 | Gen 1 modifiedStats |
| `boosts` | (2, 6, 7) int8 | atk, def, spa, spd, spe, accuracy, evasion |
| `status` | (2, 6) int8 | index into STATUSES ("" = 0) |
| `status_turns`, `status_start` | (2, 6) int8 | sleep counter and rolled length (`statusState.time`, `.startTime`) |
| `status_foe` | (2, 6) bool | the status came from the foe (`statusState.source` is not an ally: Sleep Clause) |
| `speed` | (2, 6) int16 | `pokemon.speed`, the Speed Showdown caches in `updateSpeed` and sorts eachEvent ties by |
| `fainted` | (2, 6) bool | |
| `active_turns` | (2, 6) int16 | `pokemon.activeTurns` |
| `last_move` | (2, 6) int16 | `pokemon.lastMove` (0: none) |
| `moves`, `pp`, `maxpp` | (2, 6, 4) int16 / int8 / int8 | move slots (0: empty), as the Pokemon has them now (`moveSlots`) |
| `base_moves`, `base_maxpp` | (2, 6, 4) int16 / int8 | the set's slots (`baseMoveSlots`), restored on switch-out (Mimic); PP is shared |
| `base_stored` | (2, 6, 5) int16 | `baseStoredStats` (the set's stats: crits, and `stats` again after Transform) |
| `spe_extra` | (2, 6) int16 | the set's Speed IV + EV // 4 (Transform's cached Speed in the foe's species) |
| `transform_species` | (2, 6) int16 | the species Transform copied (0: not transformed; `species` stays the set's) |
| `base_pp` | (2, 6, 4) int8 | the set's PP while transformed (restored on switch-out; envs.pokejax.transform) |

Volatiles belong to the active Pokemon (Showdown clears them on switch-out and faint), so they are
kept per side: `vol` (2,) int32 holds one bit per Gen 1 volatile (envs.pokejax.volatiles.NAMES)
and the counters are (2,) arrays named `v_<volatile>_<counter>` (volatiles.COUNTERS).
`to_snapshot` maps a state to the Showdown adapter's snapshot keys for the fields it covers
(`COVERED`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import jax.numpy as jnp
import numpy as np

from envs.pokejax import prng, stats, trapping, volatiles
from envs.pokejax.tables import tables

REQ_NONE, REQ_MOVE, REQ_SWITCH = 0, 1, 2
REQUESTS = ("wait", "move", "switch")
STATUSES = ("", "par", "slp", "brn", "psn", "tox", "frz", "fnt")
NOMOVE = -1
CANNOTMOVE = -2
TEAM = 6
DEFAULT_IVS = (30, 30, 30, 30, 30, 30)
DEFAULT_EVS = (255, 255, 255, 255, 255, 255)

State = dict[str, Any]


def max_pp(base_pp: Any) -> Any:
    """Gen 1 maxpp with all 3 PP Ups: pp * 8 / 5, minus 3 for a 40 PP move (`battle.calculatePP`), so 61 at most."""
    base = np.asarray(base_pp, np.int32)
    return base * 8 // 5 - np.where(base == 40, 3, 0)


def new_battle(teams: Sequence[Sequence[Mapping[str, Any]]], seed: str | Sequence[int]) -> State:
    """The state of a started battle from two teams of sets ({species, level?, moves, ivs?, evs?}).

    IVs and EVs are lists in hp, atk, def, spa, spd, spe order (Showdown's values: even IVs
    0-30, EVs 0-255); defaults 30 and 255. The PRNG is the battle seed advanced by the start's
    draws (`engine.start_draws`), so `reset` lives in engine.py; this builds the rest.
    """
    t = tables()
    n = (2, TEAM)
    species = np.zeros(n, np.int16)
    level = np.zeros(n, np.int16)
    types = np.full(n + (2,), -1, np.int8)
    hp = np.zeros(n, np.int16)
    st = np.zeros(n + (5,), np.int16)
    moves = np.zeros(n + (4,), np.int16)
    pp = np.zeros(n + (4,), np.int8)
    spe_extra = np.zeros(n, np.int16)
    fainted = np.ones(n, bool)
    order = np.full(n, -1, np.int8)
    for s, team in enumerate(teams):
        for i, mon in enumerate(team):
            sp = t.species_index(mon["species"])
            lv = int(mon.get("level", 100))
            all6 = np.asarray(stats.calc_stats(t.base_stats[sp], mon.get("ivs", DEFAULT_IVS),
                                               mon.get("evs", DEFAULT_EVS), lv))
            species[s, i], level[s, i], types[s, i] = sp, lv, t.species_types[sp]
            hp[s, i], st[s, i] = all6[0], all6[1:]
            spe_extra[s, i] = mon.get("ivs", DEFAULT_IVS)[5] + mon.get("evs", DEFAULT_EVS)[5] // 4
            for m, mid in enumerate(mon["moves"]):
                moves[s, i, m] = t.move_index(mid)
                pp[s, i, m] = t.move_pp[moves[s, i, m]] if mid == "struggle" else max_pp(t.move_pp[moves[s, i, m]])
            fainted[s, i] = False
            order[s, i] = i
    active_turns = np.zeros(n, np.int16)
    active_turns[:, 0] = 1
    words = prng.from_seed(seed) if isinstance(seed, str) else prng.from_words(seed)
    return {
        "prng": jnp.asarray(words, jnp.uint32),
        "turn": jnp.int32(1),
        "ended": jnp.asarray(False),
        "winner": jnp.int8(-1),
        "last_damage": jnp.int32(0),
        "request": jnp.full((2,), REQ_MOVE, jnp.int8),
        "active": jnp.zeros((2,), jnp.int8),
        "order": jnp.asarray(order),
        "pokemon_left": jnp.asarray([len(teams[0]), len(teams[1])], jnp.int8),
        "last_selected_move": jnp.full((2,), NOMOVE, jnp.int16),
        "last_selected_slot": jnp.zeros((2,), jnp.int8),
        "last_enemy_selected_move": jnp.full((2,), NOMOVE, jnp.int16),
        "side_last_move": jnp.zeros((2,), jnp.int16),
        "species": jnp.asarray(species),
        "level": jnp.asarray(level),
        "types": jnp.asarray(types),
        "maxhp": jnp.asarray(hp),
        "hp": jnp.asarray(hp),
        "stats": jnp.asarray(st),
        "modified": jnp.asarray(st),
        "boosts": jnp.zeros(n + (7,), jnp.int8),
        "status": jnp.zeros(n, jnp.int8),
        "status_turns": jnp.zeros(n, jnp.int8),
        "status_start": jnp.zeros(n, jnp.int8),
        "status_foe": jnp.zeros(n, bool),
        "speed": jnp.asarray(st[..., 4]),
        "fainted": jnp.asarray(fainted),
        "active_turns": jnp.asarray(active_turns),
        "last_move": jnp.zeros(n, jnp.int16),
        "moves": jnp.asarray(moves),
        "pp": jnp.asarray(pp),
        "maxpp": jnp.asarray(pp),
        "base_moves": jnp.asarray(moves),
        "base_maxpp": jnp.asarray(pp),
        **volatiles.empty(),
        "base_stored": jnp.asarray(st),
        "spe_extra": jnp.asarray(spe_extra),
        "transform_species": jnp.zeros(n, jnp.int16),
        "base_pp": jnp.zeros(n + (4,), jnp.int8),
    }


def _pokemon_keys(side: int, i: int) -> list[str]:
    p = f"p{side + 1}.team.{i}"
    keys = [f"{p}.{k}" for k in ("species", "level", "types", "maxhp", "hp", "stats", "modified_stats", "boosts",
                                  "status", "status_turns", "status_start", "toxic_counter", "fainted", "active_turns",
                                  "last_move", "volatiles", "vol_other")]
    keys += [f"{p}.vol.{name}.{c}" for name, c in volatiles.COUNTER_FIELDS]
    for m in range(4):
        keys += [f"{p}.move.{m}.id", f"{p}.move.{m}.pp", f"{p}.move.{m}.maxpp"]
    return keys + [f"{p}.transformed"]


COVERED: tuple[str, ...] = tuple(
    ["turn", "prng", "ended", "winner", "request_state", "last_damage"]
    + [k for s in range(2) for k in (f"p{s + 1}.active", f"p{s + 1}.order", f"p{s + 1}.pokemon_left",
                                       f"p{s + 1}.request", f"p{s + 1}.last_selected_move",
                                       f"p{s + 1}.last_selected_move_slot", f"p{s + 1}.last_enemy_selected_move",
                                       f"p{s + 1}.last_used_move")]
    + [k for s in range(2) for i in range(TEAM) for k in _pokemon_keys(s, i)]
)


def to_snapshot(state: State) -> dict[str, Any]:
    """The Showdown snapshot keys of `COVERED` from one (unbatched) state, as numpy/str values."""
    t = tables()
    s = {k: np.asarray(v) for k, v in state.items()}
    out: dict[str, Any] = {
        "turn": np.int32(s["turn"]),
        "prng": np.array([s["prng"][0] >> 16, s["prng"][0] & 0xFFFF, s["prng"][1] >> 16, s["prng"][1] & 0xFFFF],
                         np.uint32).astype(np.uint16),
        "ended": np.bool_(s["ended"]),
        "winner": "" if s["winner"] < 0 else f"p{int(s['winner']) + 1}",
        "last_damage": np.int32(s["last_damage"]),
    }
    reqs = [int(r) for r in s["request"]]
    out["request_state"] = "" if s["ended"] else ("switch" if REQ_SWITCH in reqs else "move")
    for side in range(2):
        p = f"p{side + 1}"
        out[f"{p}.active"] = np.int8(s["active"][side])
        out[f"{p}.order"] = s["order"][side].astype(np.int8)
        out[f"{p}.pokemon_left"] = np.int8(s["pokemon_left"][side])
        out[f"{p}.request"] = "" if s["ended"] else REQUESTS[reqs[side]]
        out[f"{p}.last_selected_move"] = move_name(int(s["last_selected_move"][side]))
        out[f"{p}.last_selected_move_slot"] = np.int8(s["last_selected_slot"][side])
        out[f"{p}.last_enemy_selected_move"] = move_name(int(s["last_enemy_selected_move"][side]))
        out[f"{p}.last_used_move"] = move_name(int(s["side_last_move"][side]))
        act = int(s["active"][side])
        for i in range(TEAM):
            q = f"{p}.team.{i}"
            sp = int(s["species"][side, i])
            out[f"{q}.species"] = t.species_ids[sp] if sp else ""
            if s["transform_species"][side, i]:
                out[f"{q}.species"] = t.species_ids[int(s["transform_species"][side, i])]
            out[f"{q}.transformed"] = np.bool_(s["transform_species"][side, i] > 0)
            out[f"{q}.level"] = np.int16(s["level"][side, i])
            out[f"{q}.types"] = "/".join(t.types[k] for k in s["types"][side, i] if k >= 0)
            out[f"{q}.maxhp"] = np.int32(s["maxhp"][side, i])
            out[f"{q}.hp"] = np.int32(s["hp"][side, i])
            out[f"{q}.stats"] = s["stats"][side, i].astype(np.int32)
            out[f"{q}.modified_stats"] = s["modified"][side, i].astype(np.int32)
            out[f"{q}.boosts"] = s["boosts"][side, i].astype(np.int8)
            out[f"{q}.status"] = STATUSES[int(s["status"][side, i])]
            out[f"{q}.status_turns"] = np.int16(s["status_turns"][side, i])
            out[f"{q}.status_start"] = np.int16(s["status_start"][side, i])
            holds = i == act and not s["fainted"][side, i]
            out.update(volatiles.snapshot(s, side, holds, q))
            out[f"{q}.fainted"] = np.bool_(s["fainted"][side, i])
            out[f"{q}.active_turns"] = np.int32(s["active_turns"][side, i])
            lm = int(s["last_move"][side, i])
            out[f"{q}.last_move"] = t.move_ids[lm] if lm else ""
            for m in range(4):
                mv = int(s["moves"][side, i, m])
                out[f"{q}.move.{m}.id"] = t.move_ids[mv] if mv else ""
                out[f"{q}.move.{m}.pp"] = np.int16(s["pp"][side, i, m])
                out[f"{q}.move.{m}.maxpp"] = np.int16(s["maxpp"][side, i, m])
    return out


def move_name(number: int) -> str:
    """Showdown's id of a move number, or of the NOMOVE/CANNOTMOVE markers."""
    if number == NOMOVE:
        return "nomove"
    if number == CANNOTMOVE:
        return "cannotmove"
    return tables().move_ids[number]


def packed_team(team: Sequence[Mapping[str, Any]]) -> str:
    """Showdown's packed team string of a list of sets (for the Showdown adapter's `teams`)."""
    rows = []
    for mon in team:
        ivs = ",".join(str(v) for v in mon.get("ivs", DEFAULT_IVS))
        evs = ",".join(str(v) for v in mon.get("evs", DEFAULT_EVS))
        name = mon.get("name", mon["species"])
        rows.append(f"{name}|{mon['species']}||noability|{','.join(mon['moves'])}|Serious|{evs}||{ivs}||"
                    f"{int(mon.get('level', 100))}|")
    return "]".join(rows)


def _move_number(name: str) -> int:
    """Inverse of move_name."""
    if name == "nomove":
        return NOMOVE
    if name == "cannotmove":
        return CANNOTMOVE
    return tables().move_index(name) if name else 0


def from_showdown_snapshot(snap: dict[str, Any]) -> State:
    """A state from a Showdown adapter snapshot (the inverse of to_snapshot on `COVERED`).

    What the snapshot does not show is rebuilt as Showdown has it right after a choice request:
    the cached Speed is the modified Speed, a sleeper counts as put to sleep by the foe (Sleep
    Clause) unless it slept through Rest's fixed 2 turns, the set's move slots are the current ones
    (a Mimic slot outside the active Pokemon cannot be seen), Thrash/Rage keep the stored accuracy
    255, IVs/EVs are the defaults, and a transformed Pokemon's set is guessed (`_guess_transformer`).
    """
    t = tables()
    n = (2, TEAM)
    out: dict[str, Any] = {k: np.array(v) for k, v in new_battle([[], []], [0, 0, 0, 0]).items()}
    out.update(species=np.zeros(n, np.int16), level=np.zeros(n, np.int16), types=np.full(n + (2,), -1, np.int8),
               maxhp=np.zeros(n, np.int16), hp=np.zeros(n, np.int16), stats=np.zeros(n + (5,), np.int16),
               modified=np.zeros(n + (5,), np.int16), boosts=np.zeros(n + (7,), np.int8), status=np.zeros(n, np.int8),
               status_turns=np.zeros(n, np.int8), status_start=np.zeros(n, np.int8), status_foe=np.zeros(n, bool),
               speed=np.zeros(n, np.int16), fainted=np.ones(n, bool), active_turns=np.zeros(n, np.int16),
               last_move=np.zeros(n, np.int16), moves=np.zeros(n + (4,), np.int16), pp=np.zeros(n + (4,), np.int8),
               maxpp=np.zeros(n + (4,), np.int8), base_moves=np.zeros(n + (4,), np.int16),
               base_maxpp=np.zeros(n + (4,), np.int8), base_stored=np.zeros(n + (5,), np.int16),
               spe_extra=np.zeros(n, np.int16), transform_species=np.zeros(n, np.int16),
               base_pp=np.zeros(n + (4,), np.int8))
    out["prng"] = np.asarray(prng.from_words(np.asarray(snap["prng"], np.uint32)))
    out["turn"] = np.int32(snap["turn"])
    out["ended"] = np.bool_(snap["ended"])
    out["winner"] = np.int8(-1 if not snap["winner"] else int(snap["winner"][1]) - 1)
    out["last_damage"] = np.int32(snap["last_damage"])
    for side in range(2):
        p = f"p{side + 1}"
        out["request"][side] = {"move": REQ_MOVE, "switch": REQ_SWITCH}.get(snap[f"{p}.request"], REQ_NONE)
        out["active"][side] = snap[f"{p}.active"]
        out["order"][side] = snap[f"{p}.order"]
        out["pokemon_left"][side] = snap[f"{p}.pokemon_left"]
        out["last_selected_move"][side] = _move_number(snap[f"{p}.last_selected_move"])
        out["last_selected_slot"][side] = snap[f"{p}.last_selected_move_slot"]
        out["last_enemy_selected_move"][side] = _move_number(snap[f"{p}.last_enemy_selected_move"])
        for i in range(TEAM):
            q = f"{p}.team.{i}"
            sp = snap[f"{q}.species"]
            out["species"][side, i] = t.species_index(sp) if sp else 0
            out["level"][side, i] = snap[f"{q}.level"]
            for k, name in enumerate(x for x in snap[f"{q}.types"].split("/") if x):
                out["types"][side, i, k] = t.type_index(name)
            for key, field in (("maxhp", "maxhp"), ("hp", "hp"), ("stats", "stats"), ("modified", "modified_stats"),
                               ("boosts", "boosts"), ("status_turns", "status_turns"),
                               ("status_start", "status_start"), ("fainted", "fainted"),
                               ("active_turns", "active_turns")):
                out[key][side, i] = snap[f"{q}.{field}"]
            out["status"][side, i] = STATUSES.index(snap[f"{q}.status"])
            out["status_foe"][side, i] = snap[f"{q}.status"] == "slp" and snap[f"{q}.status_start"] != 2
            out["speed"][side, i] = out["modified"][side, i, 4]
            out["last_move"][side, i] = _move_number(snap[f"{q}.last_move"])
            for m in range(4):
                out["moves"][side, i, m] = _move_number(snap[f"{q}.move.{m}.id"])
                out["pp"][side, i, m] = snap[f"{q}.move.{m}.pp"]
                out["maxpp"][side, i, m] = snap[f"{q}.move.{m}.maxpp"]
            out["base_stored"][side, i] = out["stats"][side, i]
            out["spe_extra"][side, i] = DEFAULT_IVS[5] + DEFAULT_EVS[5] // 4
            if snap.get(f"{q}.transformed"):
                _guess_transformer(out, side, i)
        act = int(out["active"][side])
        out.update(volatiles.from_snapshot(snap, out, side, f"{p}.team.{act}"))
        out["side_last_move"][side] = _move_number(snap[f"{p}.last_used_move"])
    trapping.from_snapshot(out)
    out["base_moves"] = np.where(out["transform_species"][..., None] > 0, out["base_moves"], out["moves"])
    out["base_maxpp"] = np.where(out["transform_species"][..., None] > 0, out["base_maxpp"], out["maxpp"])
    return {k: jnp.asarray(v) for k, v in out.items()}


def _guess_transformer(out: dict[str, Any], side: int, i: int) -> None:
    """A transformed Pokemon's set, which the snapshot hides: the first species (Ditto, Mew, then by number)
    whose maxhp matches at its level with default IVs/EVs, that set's stats, and Transform alone with one
    PP used (exact for a random-battle Ditto that transformed once since it came in; a Mew's other
    moves are lost)."""
    t = tables()
    out["transform_species"][side, i] = out["species"][side, i]
    order = [t.species_index("ditto"), t.species_index("mew")] + list(range(1, len(t.species_ids)))
    for sp in order:
        all6 = np.asarray(stats.calc_stats(t.base_stats[sp], DEFAULT_IVS, DEFAULT_EVS, int(out["level"][side, i])))
        if int(all6[0]) == int(out["maxhp"][side, i]):
            break
    else:
        sp = t.species_index("ditto")
        all6 = np.asarray(stats.calc_stats(t.base_stats[sp], DEFAULT_IVS, DEFAULT_EVS, int(out["level"][side, i])))
    out["species"][side, i] = sp
    out["base_stored"][side, i] = all6[1:]
    tr = t.move_index("transform")
    out["base_moves"][side, i] = [tr, 0, 0, 0]
    out["base_maxpp"][side, i] = [max_pp(t.move_pp[tr]), 0, 0, 0]
    out["base_pp"][side, i] = [max_pp(t.move_pp[tr]) - 1, 0, 0, 0]  # one Transform used
