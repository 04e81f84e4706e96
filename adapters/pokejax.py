"""`pokejax`: the PokeJAX engine (envs/pokejax, pure JAX) as an Adapter, its reference and its mutants.

Same action space and seeds as the `showdown` adapter (the case's reference): one integer per
player (0-3 move, 4-8 switch), and for an integer seed the battle seed of `derive_seeds(seed)` and
the seed's gen1randombattle teams, made in JAX as Showdown makes them (adapters.pokejax_teams);
the reset option `teams` (two packed teams) plays explicit teams, as Showdown's. snapshot() gives
the keys of state.COVERED plus both legal masks, as Showdown's snapshot;
restore() takes such a snapshot (state.from_showdown_snapshot), for the inject runner.

Mutants (for the case's own tests, built by replacing one engine component while the step is
compiled, adapters/pokejax_aot.py): `pokejax-mut-crit` (the crit threshold from the full base Speed, not half of it),
`pokejax-mut-damage` (the damage roll one lower, 216-254) and `pokejax-mut-nomove` (the engine before
its `nomove` fix: a thawed Pokemon whose side never selected a move does nothing).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

import jax
import jax.numpy as jnp
import numpy as np

from adapters import pokejax_teams
from adapters.pokejax_aot import compiled, patched
from adapters.showdown.adapter import derive_seeds
from equivcheck.adapter import Adapter, JointDiscrete, StepResult, file_sha256, stack_snapshots
from equivcheck.errors import ActionError, UsageError
from envs.pokejax import api, damage, moves, prng, state as pj_state

MASK_KEYS = ("mask.p1", "mask.p2")
ENGINE_MODULES = ("api", "engine", "damage", "status", "movefx", "moves", "volatiles", "trapping", "bide", "metronome",
                  "transform", "stats", "state")
"""The modules `equivcheck mutate` changes: the engine's own code. prng, teams and tables also build the
reference's teams (adapters/pokejax_teams.py), so a mutant there would change both sides."""
_SOURCES = ("api.py", "engine.py", "state.py", "damage.py", "prng.py", "stats.py", "tables.py", "teams.py")


_step_batch = jax.vmap(api.step)
_init_batch = jax.vmap(api.init_state)


def snapshot_of(st: pj_state.State, mask: Any = None) -> dict[str, Any]:
    """The Showdown snapshot keys PokeJAX models (state.COVERED) and the two legal masks, of one state
    (`mask`: its (2, 9) legal mask when already computed, else api.legal_mask, op by op)."""
    snap = pj_state.to_snapshot(st)
    mask = np.asarray(api.legal_mask(st) if mask is None else mask)
    snap["mask.p1"], snap["mask.p2"] = mask[0], mask[1]
    return snap


class PokeJax(Adapter):
    """The PokeJAX engine: one battle through step(), B battles (vmap) through step_batch()."""

    name: ClassVar[str] = "pokejax"
    action_space = JointDiscrete(api.N_ACTIONS)
    source_modules = tuple(f"envs.pokejax.{m}" for m in ENGINE_MODULES)

    def __init__(self, jit: Callable[[Callable[..., Any]], Any] = compiled) -> None:
        self._step = jit(api.step)
        self._step_batch = jit(_step_batch)
        self._init = compiled(api.init_state)
        self._init_batch = compiled(_init_batch)
        self._legal = compiled(api.legal_mask)
        self.state: pj_state.State | None = None
        self.batch: pj_state.State | None = None
        self._mask = np.zeros((2, api.N_ACTIONS), bool)

    def reset(self, seed: int, options: Mapping[str, Any] | None = None) -> np.ndarray:
        """The battle of `seed` (battle seed and teams as the reference's); returns both observations (2, OBS_SIZE).

        options={"teams": [packed p1, packed p2]} plays those teams instead (Showdown's `teams` option).
        """
        extra = set(options or {}) - {"teams"}
        if extra:
            raise UsageError(f"pokejax takes only the reset option 'teams', got {sorted(extra)}")
        packed = (options or {}).get("teams")
        if packed is None:
            words, teams = pokejax_teams.seed_battle(seed)
        else:
            if isinstance(packed, str) or len(packed) != 2:
                raise UsageError("pokejax option teams must be two packed team strings (p1, p2)")
            sets = [pokejax_teams.unpack_team(p) for p in packed]
            teams = {k: jnp.asarray(v) for k, v in api.team_arrays(sets).items()}
            words = api.battle_prng(derive_seeds(int(seed))["battle"])
        self.state = self._init(teams, words)
        self._mask = np.asarray(self._legal(self.state))
        self.batch = None
        return np.asarray(api.observe(self.state))

    def step(self, action: Any) -> StepResult:
        """Both players' actions (p1, p2); reward is +1 when p1 wins, -1 when p2 wins (Showdown's sign)."""
        if self.state is None:
            raise UsageError("call reset before step")
        if bool(self.state["ended"]):
            raise ActionError("the battle is over; reset it")
        a = self.action_space.validate(action)
        self.action_space.check_legal(a, self._mask)
        self.state, obs, reward, done, legal = self._step(self.state, jnp.asarray(a, jnp.int32))
        self._mask = np.asarray(legal)
        return StepResult(np.asarray(obs), float(reward[0]), bool(done), False, {"turn": int(self.state["turn"])})

    def snapshot(self) -> dict[str, Any]:
        """state.COVERED keys and the masks, with Showdown's dtypes."""
        if self.state is None:
            raise UsageError("call reset before snapshot")
        return snapshot_of(self.state, self._mask)

    def legal_actions(self) -> np.ndarray:
        """(2, 9) bool; an all-False row means that player waits."""
        return self._mask.copy()

    def restore(self, snapshot: Mapping[str, Any]) -> None:
        """Continue from a Showdown (or pokejax) snapshot: state.from_showdown_snapshot (inject runner, L2)."""
        self.state = jax.tree.map(jnp.asarray, pj_state.from_showdown_snapshot(dict(snapshot)))
        self._mask = np.asarray(self._legal(self.state))
        self.batch = None

    def reset_batch(self, seeds: Sequence[int]) -> np.ndarray:
        """One battle per seed, stepped together by step_batch; returns (B, 2, OBS_SIZE) observations."""
        words, teams = pokejax_teams.seed_battles([int(s) for s in np.asarray(seeds).reshape(-1)])
        self.batch = self._init_batch(teams, words)
        self.state = None
        return np.asarray(api.observe_batch(self.batch))

    def step_batch(self, actions: Any) -> StepResult:
        """Step every battle with its (p1, p2) actions; finished battles stay as they are."""
        if self.batch is None:
            raise UsageError("step_batch before reset_batch")
        arr = np.asarray(actions)
        n = int(self.batch["turn"].shape[0])
        if arr.shape != (n, 2) or not np.issubdtype(arr.dtype, np.integer):
            raise ActionError(f"expected integer actions of shape ({n}, 2), got {arr.shape} {arr.dtype}")
        was_done = np.asarray(self.batch["ended"])
        self.batch, obs, reward, done, _ = self._step_batch(self.batch, jnp.asarray(arr, jnp.int32))
        rew = np.where(was_done, 0.0, np.asarray(reward)[:, 0]).astype(np.float64)
        return StepResult(np.asarray(obs), rew, np.asarray(done), np.zeros(n, bool),
                          {"turn": np.asarray(self.batch["turn"])})

    def snapshot_batch(self) -> dict[str, np.ndarray]:
        """Every battle's snapshot stacked on a leading axis (text fields as object arrays)."""
        if self.batch is None:
            raise UsageError("snapshot_batch before reset_batch")
        host = jax.tree.map(np.asarray, self.batch)
        masks = np.asarray(api.legal_batch(self.batch))
        n = int(host["turn"].shape[0])
        return stack_snapshots([snapshot_of(jax.tree.map(lambda x, b=b: x[b], host), masks[b]) for b in range(n)])

    def legal_actions_batch(self) -> np.ndarray:
        """(B, 2, 9) legal masks."""
        if self.batch is None:
            raise UsageError("legal_actions_batch before reset_batch")
        return np.asarray(api.legal_batch(self.batch))

    def versions(self) -> dict[str, str]:
        """JAX version and backend, the engine sources' sha256 and the team source."""
        here = Path(api.__file__).parent
        out = {"backend": "envs/pokejax (JAX)", "jax": jax.__version__, "jax_backend": jax.default_backend(),
               "teams": pokejax_teams.describe()}
        for name in _SOURCES:
            out[f"{name}_sha256"] = file_sha256(here / name)
        out["team_source_sha256"] = file_sha256(pokejax_teams.__file__)
        return out


_crit_chance = damage.crit_chance
_random_range = prng.random_range


def crit_from_full_speed(base_speed: Any, focus_energy: Any, crit_ratio: Any) -> jax.Array:
    """Mutation: the Gen 1 crit threshold computed from the full base Speed (Showdown halves it first)."""
    return _crit_chance(jnp.asarray(base_speed, jnp.int32) * 2, focus_energy, crit_ratio)


def damage_roll_minus_one(state: prng.State, m: Any, n: Any) -> tuple[prng.State, jax.Array]:
    """Mutation: the damage roll random(217, 256) comes out one lower; every other range is unchanged."""
    state, k = _random_range(state, m, n)
    if isinstance(m, int) and isinstance(n, int) and (m, n) == (217, 256):
        k = k - 1
    return state, k


class PokeJaxMutCrit(PokeJax):
    """Mutant: critical-hit threshold from the full base Speed (about twice Showdown's crit rate)."""

    name: ClassVar[str] = "pokejax-mut-crit"

    def __init__(self) -> None:
        super().__init__(jit=patched(damage, "crit_chance", crit_from_full_speed))


class PokeJaxMutDamage(PokeJax):
    """Mutant: every damage roll one lower (216-254 instead of 217-255)."""

    name: ClassVar[str] = "pokejax-mut-damage"

    def __init__(self) -> None:
        super().__init__(jit=patched(prng, "random_range", damage_roll_minus_one))


class PokeJaxMutNomove(PokeJax):
    """Mutant (the engine before the fix): a thawed Pokemon whose side never selected a move runs nothing
    (Showdown runs its changed Fissure, `nomove`)."""

    name: ClassVar[str] = "pokejax-mut-nomove"

    def __init__(self) -> None:
        super().__init__(jit=patched(moves, "NOMOVE", -999))
