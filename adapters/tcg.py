"""`tcg` (the Python reference engine, envs/tcg) and `tcgjax` (the JAX engine, envs/tcgjax) as Adapters.

Both: JointDiscrete(57) actions, one per player, of which only the acting player's counts (the
other's mask row is all False); for an integer seed the decks of `envs.tcg.decks.seed_decks(seed)`
(reset option {"decks": [[20 ids], [20 ids]], "energy": [[types], [types]]} plays given decks);
snapshot() is envs/tcg/state.py's flat state plus both legal masks (mask.p0, mask.p1) and both
players' observations (obs.p0, obs.p1), the PRNG state included; restore() takes such a snapshot (inject runner, L2 constructed states).
The reference's setup() installs the pinned card package and checks cards.json against it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

import jax
import jax.numpy as jnp
import numpy as np

from envs.tcg import engine as ref_engine
from envs.tcg.actions import N_ACTIONS
from envs.tcg.decks import Deck, deck_arrays, is_legal, seed_decks
from envs.tcg.env import TcgEnv
from envs.tcg.state import OVER
from envs.tcgjax import api
from envs.tcgjax.state import from_snapshot, to_snapshot
from equivcheck.adapter import Adapter, JointDiscrete, StepResult, file_sha256, stack_snapshots
from equivcheck.errors import ActionError, SetupError, UsageError

MASK_KEYS = ("mask.p0", "mask.p1")
COMPILER_OPTIONS = {"xla_cpu_copy_insertion_use_region_analysis": True}


def decks_of(seed: int, options: Mapping[str, Any] | None) -> tuple[Deck, Deck]:
    """The decks a reset plays: options' "decks" (and "energy"), else seed_decks(seed)."""
    extra = set(options or {}) - {"decks", "energy"}
    if extra:
        raise UsageError(f"tcg takes the reset options 'decks' and 'energy', got {sorted(extra)}")
    if not options or options.get("decks") is None:
        return seed_decks(int(seed))
    decks = tuple(Deck(tuple(int(c) for c in d), tuple(int(e) for e in en))
                  for d, en in zip(options["decks"], options["energy"]))
    if len(decks) != 2 or not all(is_legal(d) for d in decks):
        raise UsageError("tcg option decks must be two legal decks (20 cards, <= 2 of a name, a Basic, 1-3 types)")
    return decks[0], decks[1]


def _acting_action(action: np.ndarray, mask: np.ndarray, space: JointDiscrete) -> int:
    space.check_legal(action, mask)
    rows = np.flatnonzero(mask.any(axis=1))
    if rows.size == 0:
        raise ActionError("the game is over; reset it")
    return int(action[rows[0]])


class TcgRef(Adapter):
    """The reference engine (envs/tcg)."""

    name: ClassVar[str] = "tcg"
    action_space = JointDiscrete(N_ACTIONS)

    @classmethod
    def setup(cls, progress: Any = None) -> None:
        """Install pokemon-tcg-pocket-database (npm ci, pinned) and check cards.json is its extraction."""
        from adapters import tcg_cards

        root = tcg_cards.ensure_installed(progress)
        if tcg_cards.CARDS.read_text() != tcg_cards.render(tcg_cards.extract(root)):
            raise SetupError("envs/tcg/data/cards.json is not the extraction of the pinned package and card_text.json; "
                             "run `python -m adapters.tcg_cards`")

    def __init__(self) -> None:
        self.env = TcgEnv()
        self._mask = np.zeros((2, N_ACTIONS), bool)

    def reset(self, seed: int, options: Mapping[str, Any] | None = None) -> np.ndarray:
        """The game of `seed` (or of the given decks); both observations (2, OBS_SIZE)."""
        obs, _ = self.env.reset(int(seed), decks_of(seed, options))
        self._mask = self.env.action_mask()
        return obs

    def step(self, action: Any) -> StepResult:
        """The acting player's entry of the joint action; reward +1 player 0 won, -1 player 1 won."""
        a = _acting_action(self.action_space.validate(action), self._mask, self.action_space)
        obs, reward, done, trunc, info = self.env.step(a)
        self._mask = self.env.action_mask()
        return StepResult(obs, reward, done, trunc, info)

    def snapshot(self) -> dict[str, Any]:
        """The state fields and both masks."""
        snap = self.env.snapshot()
        snap["mask.p0"], snap["mask.p1"] = self._mask[0].copy(), self._mask[1].copy()
        obs = self.env.observations()
        snap["obs.p0"], snap["obs.p1"] = obs[0], obs[1]
        return snap

    def legal_actions(self) -> np.ndarray:
        """(2, 57) bool; the waiting player's row is all False."""
        return self._mask.copy()

    def restore(self, snapshot: Mapping[str, Any]) -> None:
        """Continue from a snapshot (masks recomputed)."""
        self.env.restore(dict(snapshot))
        self._mask = self.env.action_mask()

    def versions(self) -> dict[str, str]:
        """The engine's and the card data's hashes."""
        here = Path(ref_engine.__file__).parent
        out = {"backend": "envs/tcg (Python reference)"}
        for name in ("engine.py", "effects.py", "state.py", "prng.py", "decks.py", "data/cards.json"):
            out[f"{name}_sha256"] = file_sha256(here / name)
        return out


_COMPILED: dict[Any, Any] = {}


@contextlib.contextmanager
def replaced(patches: Sequence[tuple[Any, str, Any]]) -> Iterator[None]:
    """Module attributes replaced inside the block (a mutant's compilation)."""
    old = [getattr(m, n) for m, n, _ in patches]
    for m, n, v in patches:
        setattr(m, n, v)
    try:
        yield
    finally:
        for (m, n, _), v in zip(patches, old):
            setattr(m, n, v)


def compiled(fn: Callable[..., Any], patches: Sequence[tuple[Any, str, Any]] = (), key: str = "") -> Callable[..., Any]:
    """`fn` compiled once per argument signature per process; with `patches`, compiled with those attributes
    replaced (JAX's trace caches cleared around it so engine and mutant never share a trace)."""

    def call(*args: Any) -> Any:
        leaves, tree = jax.tree.flatten(args)
        sig = (fn, key, tree, tuple((jnp.shape(x), jnp.result_type(x)) for x in leaves))
        exe = _COMPILED.get(sig)
        if exe is None:
            from adapters.mjx_halfcheetah import enable_compilation_cache

            enable_compilation_cache(jax)
            if patches:
                jax.clear_caches()
            with replaced(patches):
                exe = jax.jit(fn, compiler_options=COMPILER_OPTIONS).lower(*args).compile()
            if patches:
                jax.clear_caches()
            _COMPILED[sig] = exe
        return exe(*args)

    return call


class TcgJax(Adapter):
    """TCGJax: one game through step(), B games (vmap) through step_batch()."""

    name: ClassVar[str] = "tcgjax"
    action_space = JointDiscrete(N_ACTIONS)
    patches: ClassVar[tuple[tuple[Any, str, Any], ...]] = ()

    def __init__(self) -> None:
        key = self.name
        self._init = compiled(api.init_view, self.patches, key)
        self._step = compiled(api.step, self.patches, key)
        self._view = compiled(api.view, self.patches, key)
        self._init_batch = compiled(api.init_view_batch, self.patches, key)
        self._step_batch = compiled(api.step_batch, self.patches, key)
        self.state: dict[str, Any] | None = None
        self.batch: dict[str, Any] | None = None
        self._mask = np.zeros((2, N_ACTIONS), bool)
        self._obs = np.zeros((2, 0), np.int32)
        self._batch_obs = self._batch_mask = np.zeros(0)

    def reset(self, seed: int, options: Mapping[str, Any] | None = None) -> np.ndarray:
        """The game of `seed` (or of the given decks); both observations."""
        cards, energy, n = deck_arrays(decks_of(seed, options))
        self.state, obs, mask = self._init(jnp.uint32(int(seed) & 0xFFFFFFFF), jnp.asarray(cards, jnp.int32),
                                           jnp.asarray(energy, jnp.int32), jnp.asarray(n, jnp.int32))
        self._obs, self._mask = np.asarray(obs), np.asarray(mask)
        self.batch = None
        return self._obs.copy()

    def step(self, action: Any) -> StepResult:
        """The acting player's entry of the joint action."""
        if self.state is None:
            raise UsageError("call reset before step")
        a = _acting_action(self.action_space.validate(action), self._mask, self.action_space)
        self.state, obs, reward, done, mask = self._step(self.state, jnp.int32(a))
        self._obs, self._mask = np.asarray(obs), np.asarray(mask)
        return StepResult(self._obs.copy(), float(reward), bool(done), False, {"turn": int(self.state["turn"])})

    def snapshot(self) -> dict[str, Any]:
        """The reference's fields and both masks."""
        if self.state is None:
            raise UsageError("call reset before snapshot")
        snap = to_snapshot(self.state)
        snap["mask.p0"], snap["mask.p1"] = self._mask[0].copy(), self._mask[1].copy()
        snap["obs.p0"], snap["obs.p1"] = self._obs[0].copy(), self._obs[1].copy()
        return snap

    def legal_actions(self) -> np.ndarray:
        """(2, 57) bool."""
        return self._mask.copy()

    def restore(self, snapshot: Mapping[str, Any]) -> None:
        """Continue from a reference (or tcgjax) snapshot."""
        self.state = jax.tree.map(jnp.asarray, from_snapshot(dict(snapshot)))
        obs, mask = self._view(self.state)
        self._obs, self._mask = np.asarray(obs), np.asarray(mask)
        self.batch = None

    def reset_batch(self, seeds: Sequence[int]) -> np.ndarray:
        """One game per seed, stepped together; (B, 2, OBS_SIZE) observations."""
        seeds = [int(s) for s in np.asarray(seeds).reshape(-1)]
        arrays = [deck_arrays(seed_decks(s)) for s in seeds]
        cards, energy, n = (jnp.asarray(np.stack([np.asarray(a[i]) for a in arrays]), jnp.int32) for i in range(3))
        self.batch, obs, mask = self._init_batch(jnp.asarray(np.asarray(seeds, np.int64) & 0xFFFFFFFF, jnp.uint32),
                                                 cards, energy, n)
        self._batch_obs, self._batch_mask = np.asarray(obs), np.asarray(mask)
        self.state = None
        return self._batch_obs.copy()

    def step_batch(self, actions: Any) -> StepResult:
        """Each game's acting player's action (B, 2); finished games stay as they are."""
        if self.batch is None:
            raise UsageError("step_batch before reset_batch")
        arr = np.asarray(actions)
        n = int(self.batch["turn"].shape[0])
        if arr.shape != (n, 2) or not np.issubdtype(arr.dtype, np.integer):
            raise ActionError(f"expected integer actions of shape ({n}, 2), got {arr.shape} {arr.dtype}")
        acting = np.asarray(self.batch["acting"])
        chosen = arr[np.arange(n), acting]
        self.batch, obs, reward, done, mask = self._step_batch(self.batch, jnp.asarray(chosen, jnp.int32))
        self._batch_obs, self._batch_mask = np.asarray(obs), np.asarray(mask)
        return StepResult(self._batch_obs.copy(), np.asarray(reward, np.float64), np.asarray(done), np.zeros(n, bool),
                          {"turn": np.asarray(self.batch["turn"])})

    def snapshot_batch(self) -> dict[str, np.ndarray]:
        """Every game's snapshot stacked on a leading axis."""
        if self.batch is None:
            raise UsageError("snapshot_batch before reset_batch")
        host = jax.tree.map(np.asarray, self.batch)
        masks, obs = self._batch_mask, self._batch_obs
        n = int(host["turn"].shape[0])
        rows = []
        for b in range(n):
            snap = to_snapshot(jax.tree.map(lambda x, b=b: x[b], host))
            snap["mask.p0"], snap["mask.p1"] = masks[b, 0], masks[b, 1]
            snap["obs.p0"], snap["obs.p1"] = obs[b, 0], obs[b, 1]
            rows.append(snap)
        return stack_snapshots(rows)

    def legal_actions_batch(self) -> np.ndarray:
        """(B, 2, 57) masks."""
        if self.batch is None:
            raise UsageError("legal_actions_batch before reset_batch")
        return self._batch_mask.copy()

    def versions(self) -> dict[str, str]:
        """JAX version and backend, the engine sources' sha256."""
        here = Path(api.__file__).parent
        out = {"backend": "envs/tcgjax (JAX)", "jax": jax.__version__, "jax_backend": jax.default_backend()}
        for name in ("api.py", "engine.py", "effects.py", "prng.py", "state.py", "observe.py"):
            out[f"{name}_sha256"] = file_sha256(here / name)
        if self.patches:
            out["mutant"] = self.name
        return out


def game_over(snap: Mapping[str, Any]) -> bool:
    """Whether a snapshot's game has ended."""
    return int(snap["phase"]) == OVER
