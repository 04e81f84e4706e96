"""The Pokemon Showdown reference adapter: Showdown's own simulator driven through one Node process.

One integer seed gives the battle seed and both players' seeds (random-battle teams come from
the players' seeds), all in Showdown's `gen5,` form so the PRNG state is a comparable field.
Actions: one integer per player (JointDiscrete); Gen 1 singles: 0-3 = move 1-4, 4-8 = switch to
party slot 2-6; Gen 9 adds 9-12 = move 1-4 and Terastallize. FIELDS.md lists every snapshot field.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from adapters.showdown.errors import DriverError, DriverTimeout, ReferenceProcessDied
from adapters.showdown.node import DRIVER_JS, PACKAGE_LOCK, ensure_installed, node_runtime
from adapters.showdown.process import DriverProcess
from adapters.showdown.spaces import JointDiscrete
from equivcheck.adapter import Adapter, Snapshot, StepResult, file_sha256
from equivcheck.errors import ActionError, CapabilityError, UsageError

DEFAULT_FORMAT = "gen1randombattle"
STATE_KEY = "_state"
"""The opaque key holding Showdown's own serialised battle (State.serializeBattle): restore() reads it."""
PLAYERS = ("p1", "p2")
_FORMAT_HEAD = re.compile(r'\{"format":"([a-z0-9]+)"')
MUTATIONS = ("damage", "prng")


def derive_seeds(seed: int) -> dict[str, str]:
    """The battle and player seeds of `seed`: 'gen5,' + the first 16 hex digits of
    sha256(f"equivcheck-showdown:{seed}:{role}") for role in battle, p1, p2."""
    out = {}
    for role in ("battle", "p1", "p2"):
        digest = hashlib.sha256(f"equivcheck-showdown:{int(seed)}:{role}".encode()).hexdigest()
        out[role] = "gen5," + digest[:16]
    return out


def choice_string(action: int) -> str:
    """Showdown's choice for one action of the fixed action space."""
    if 0 <= action <= 3:
        return f"move {action + 1}"
    if 4 <= action <= 8:
        return f"switch {action - 2}"
    if 9 <= action <= 12:
        return f"move {action - 8} terastallize"
    raise ActionError(f"action {action} is outside every format's action space")


@dataclass
class _Battle:
    """Python's record of one battle: its input log (Showdown's format) and last brief state."""

    bid: str
    format: str
    n: int
    log: list[str]
    max_turns: int | None
    mask: np.ndarray
    turn: int = 0
    ended: bool = False
    winner: str = ""
    truncated: bool = False
    error: Exception | None = None
    extra: dict = field(default_factory=dict)

    @property
    def done(self) -> bool:
        return self.ended or self.truncated or self.error is not None


class Showdown(Adapter):
    """Pokemon Showdown (the reference). Options (constructor defaults, overridable per reset):
    format (default gen1randombattle), teams (two packed teams), max_turns (truncation cap),
    obs ("brief": {"turn", "mask"}; "snapshot": the full snapshot), restorable (default True:
    snapshot() carries `_state` for restore()); constructor only: timeout (seconds per request)."""

    name: ClassVar[str] = "showdown"
    _OPTION_KEYS = ("format", "teams", "max_turns", "obs", "restorable")

    def __init__(
        self,
        format: str = DEFAULT_FORMAT,
        *,
        teams: Sequence[str] | None = None,
        max_turns: int | None = None,
        obs: str = "brief",
        restorable: bool = True,
        timeout: float = 60.0,
    ) -> None:
        self._defaults: dict[str, Any] = {
            "format": format,
            "teams": teams,
            "max_turns": max_turns,
            "obs": obs,
            "restorable": restorable,
        }
        self._check_options(self._defaults)
        self.timeout = float(timeout)
        self._mutate: str | None = None
        self._proc: DriverProcess | None = None
        self._hello: dict[str, Any] = {}
        self._fields: dict[str, list[tuple[str, str, tuple[int, ...]]]] = {}
        self._converters: dict[str, list[tuple[str, Any]]] = {}
        self._mask_rows: dict[int, dict[int, np.ndarray]] = {}
        self._battles: list[_Battle] = []
        self._obs = obs
        self._restorable = restorable
        self.action_space = JointDiscrete(_n_actions(format))

    # -- setup and process -----------------------------------------------------------------

    @classmethod
    def setup(cls, progress: Any = None) -> None:
        """Install pokemon-showdown into the cache (npm ci); SetupError when Node or npm fails."""
        ensure_installed(progress)

    def _process(self, restart: bool = False) -> DriverProcess:
        if self._proc is not None and not self._proc.dead:
            return self._proc
        if self._proc is not None and not restart:
            raise self._with_logs(ReferenceProcessDied(f"the Showdown driver is gone (exit code {self._proc.proc.returncode}); reset to start a new one", self._proc.proc.returncode, self._proc.stderr_tail()))
        if self._proc is not None:
            self._proc.close()
        modules = ensure_installed()
        runtime = node_runtime()
        self._proc = DriverProcess(runtime, modules, mutate=self._mutate, timeout=self.timeout)
        self._hello = self._proc.call("hello", timeout=max(self.timeout, 60.0))
        return self._proc

    @property
    def pid(self) -> int | None:
        """The Node process id (None before the first reset)."""
        return self._proc.pid if self._proc is not None else None

    def _with_logs(self, exc: Exception) -> Exception:
        logs = {b.bid: list(b.log) for b in self._battles}
        if isinstance(exc, ReferenceProcessDied | DriverTimeout):
            exc.input_logs.update(logs)
        return exc

    def _call(self, op: str, **payload: Any) -> dict:
        proc = self._process()
        try:
            return proc.call(op, **payload)
        except (ReferenceProcessDied, DriverTimeout) as exc:
            raise self._with_logs(exc) from None

    # -- formats ------------------------------------------------------------------------------

    def fields(self, format: str | None = None) -> list[tuple[str, str, tuple[int, ...]]]:
        """The snapshot's fields of `format` in order: (path, dtype, shape); dtype 'str' for text."""
        fmt = format or self._defaults["format"]
        if fmt not in self._fields:
            if self._proc is None or self._proc.dead:
                self._process(restart=True)
            resp = self._call("fields", format=fmt)
            self._fields[fmt] = [(k, dt, tuple(shape)) for k, dt, shape in resp["fields"]]
        return self._fields[fmt]

    def _n(self, fmt: str) -> int:
        for key, _, shape in self.fields(fmt):
            if key == "mask.p1":
                return shape[0]
        raise DriverError(f"Showdown driver fields of {fmt} lack mask.p1")

    def _converter(self, fmt: str) -> list[tuple[str, Any]]:
        conv = self._converters.get(fmt)
        if conv is None:
            conv = []
            for key, dtype, shape in self.fields(fmt):
                if dtype == "str":
                    conv.append((key, str))
                elif shape:
                    conv.append((key, _array_conv(np.dtype(dtype))))
                else:
                    conv.append((key, np.dtype(dtype).type))
            self._converters[fmt] = conv
        return conv

    def _mask(self, n: int, bits: Sequence[int]) -> np.ndarray:
        rows = self._mask_rows.setdefault(n, {})
        out = np.empty((2, n), dtype=bool)
        for p, b in enumerate(bits):
            row = rows.get(b)
            if row is None:
                row = np.array([(b >> i) & 1 for i in range(n)], dtype=bool)
                rows[b] = row
            out[p] = row
        return out

    @staticmethod
    def _check_options(opts: Mapping[str, Any]) -> None:
        if opts.get("obs") not in ("brief", "snapshot"):
            raise UsageError(f"showdown option obs must be 'brief' or 'snapshot', got {opts.get('obs')!r}")
        teams = opts.get("teams")
        if teams is not None and (isinstance(teams, str) or len(teams) != 2 or not all(isinstance(t, str) for t in teams)):
            raise UsageError("showdown option teams must be two packed team strings (p1, p2)")
        mt = opts.get("max_turns")
        if mt is not None and (not isinstance(mt, int | np.integer) or mt < 1):
            raise UsageError(f"showdown option max_turns must be a positive integer, got {mt!r}")

    def _options(self, options: Mapping[str, Any] | None) -> dict[str, Any]:
        opts = dict(self._defaults)
        for key, value in (options or {}).items():
            if key not in self._OPTION_KEYS:
                raise UsageError(f"unknown showdown option {key!r} (known: {', '.join(self._OPTION_KEYS)})")
            opts[key] = value
        self._check_options(opts)
        return opts

    # -- batch API ----------------------------------------------------------------------------

    def reset_batch(self, seeds: Sequence[int], options: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None) -> list[Any]:
        """Start one battle per seed in one round trip; return their observations."""
        seeds = [int(s) for s in seeds]
        if options is None or isinstance(options, Mapping):
            per = [self._options(options)] * len(seeds)
        else:
            if len(options) != len(seeds):
                raise UsageError(f"{len(options)} option sets for {len(seeds)} seeds")
            per = [self._options(o) for o in options]
        formats = {o["format"] for o in per}
        self._process(restart=True)
        if len({self._n(f) for f in formats}) > 1:
            raise UsageError("one batch cannot mix formats with different action spaces")
        obs_mode = per[0]["obs"]
        self._obs = obs_mode
        self._restorable = per[0]["restorable"]
        stale = [b.bid for b in self._battles[len(seeds):]]
        if stale:
            self._call("close", bids=stale)
        specs, battles = [], []
        for i, (seed, opts) in enumerate(zip(seeds, per, strict=True)):
            s = derive_seeds(seed)
            fmt = opts["format"]
            spec: dict[str, Any] = {"bid": str(i), "format": fmt, "seed": s["battle"], "snapshot": obs_mode == "snapshot"}
            start = {"formatid": fmt, "seed": s["battle"]}
            if opts["teams"] is not None:
                spec["teams"] = list(opts["teams"])
                players = [{"name": "p1", "team": opts["teams"][0]}, {"name": "p2", "team": opts["teams"][1]}]
            else:
                spec["p1seed"], spec["p2seed"] = s["p1"], s["p2"]
                players = [{"name": "p1", "seed": s["p1"]}, {"name": "p2", "seed": s["p2"]}]
            log = [f"# equivcheck showdown seed={seed}", ">start " + json.dumps(start, separators=(",", ":"))]
            log += [f">player {p} " + json.dumps(pl, separators=(",", ":")) for p, pl in zip(PLAYERS, players, strict=True)]
            n = self._n(fmt)
            battles.append(_Battle(str(i), fmt, n, log, opts["max_turns"], np.zeros((2, n), dtype=bool)))
            specs.append(spec)
        self._battles = battles
        self.action_space = JointDiscrete(battles[0].n) if battles else self.action_space
        resp = self._call("reset", battles=specs)
        out = []
        for b, res in zip(battles, resp["results"], strict=True):
            if "error" in res:
                raise self._battle_error(b, res["error"])
            self._apply_brief(b, res["b"])
            out.append(self._make_obs(b, res))
        return out

    def step_batch(self, actions: Any) -> StepResult:
        """Step every battle with its (p1, p2) actions in one round trip; finished battles are skipped.

        Returns StepResult(obs list, reward (B,), terminated (B,), truncated (B,), info) where
        info["turn"] is (B,) and info["errors"] maps a battle index to the DriverError that ended it
        (a Showdown exception inside that battle; the others' results are kept).
        """
        if not self._battles:
            raise UsageError("step_batch before reset_batch")
        arr = np.asarray(actions)
        if arr.shape != (len(self._battles), 2) or not np.issubdtype(arr.dtype, np.integer):
            raise ActionError(f"expected integer actions of shape ({len(self._battles)}, 2), got {arr.shape} {arr.dtype}")
        live = [i for i, b in enumerate(self._battles) if not b.done]
        for i in live:
            b = self._battles[i]
            a = self.action_space.validate(arr[i])
            try:
                self.action_space.check_legal(a, b.mask)
            except ActionError as exc:
                raise ActionError(f"battle {i}: {exc}") from None
        return self._step(live, arr)

    def snapshot_batch(self) -> list[Snapshot]:
        """The snapshot of every battle, in one round trip."""
        if not self._battles:
            raise UsageError("snapshot before reset")
        items = [{"bid": b.bid, "state": self._restorable} for b in self._battles]
        resp = self._call("snapshot", battles=items)
        out = []
        for b, res in zip(self._battles, resp["results"], strict=True):
            if "error" in res:
                raise self._battle_error(b, res["error"])
            snap = self._convert(b.format, res["s"])
            if self._restorable:
                snap[STATE_KEY] = res["state"]
            out.append(snap)
        return out

    def legal_actions_batch(self) -> np.ndarray:
        """(B, 2, n) legal masks; an all-False row means that player waits."""
        return np.stack([b.mask for b in self._battles]) if self._battles else np.zeros((0, 2, self.action_space.n), bool)

    def restore_batch(self, snapshots: Sequence[Mapping[str, Any]]) -> None:
        """Replace the battles with the states in `snapshots` (each must carry `_state`)."""
        states = []
        for snap in snapshots:
            state = snap.get(STATE_KEY) if isinstance(snap, Mapping) else None
            if not isinstance(state, str):
                raise CapabilityError(f"restore needs a snapshot with {STATE_KEY!r} (Showdown's serialised battle); take it with restorable=True")
            states.append(state)
        self._process(restart=True)
        stale = [b.bid for b in self._battles[len(states):]]
        if stale:
            self._call("close", bids=stale)
        items, battles = [], []
        for i, state in enumerate(states):
            digest = hashlib.sha256(state.encode()).hexdigest()[:16]
            fmt = _state_format(state)
            n = self._n(fmt)
            old = self._battles[i] if i < len(self._battles) else None
            battles.append(_Battle(str(i), fmt, n, [f"# equivcheck showdown restored state sha256:{digest}"], old.max_turns if old else self._defaults["max_turns"], np.zeros((2, n), bool)))
            items.append({"bid": str(i), "state": state})
        self._battles = battles
        if battles:
            self.action_space = JointDiscrete(battles[0].n)
        resp = self._call("restore", battles=items)
        for b, res in zip(battles, resp["results"], strict=True):
            if "error" in res:
                raise self._battle_error(b, res["error"])
            self._apply_brief(b, res["b"])

    # -- single-battle API ----------------------------------------------------------------

    def reset(self, seed: int, options: Mapping[str, Any] | None = None) -> Any:
        """Start one battle from `seed`; return its observation."""
        return self.reset_batch([seed], options)[0]

    def step(self, action: Any) -> StepResult:
        """Advance the battle by one decision of each player; `action` is (p1, p2)."""
        b = self._single()
        if b.done:
            raise ActionError("the battle is over (terminated or truncated); reset it")
        a = self.action_space.validate(action)
        self.action_space.check_legal(a, b.mask)
        res = self._step([0], a[None, :])
        errors = res.info.get("errors")
        if errors:
            raise errors[0]
        return StepResult(res.obs[0], float(res.reward[0]), bool(res.terminated[0]), bool(res.truncated[0]), {"turn": int(res.info["turn"][0])})

    def snapshot(self) -> Snapshot:
        """The canonical state (FIELDS.md) plus `_state` when restorable."""
        self._single()
        return self.snapshot_batch()[0]

    def legal_actions(self) -> np.ndarray:
        """(2, n) bool: each player's legal actions; an all-False row means that player waits."""
        return self._single().mask.copy()

    def restore(self, snapshot: Mapping[str, Any]) -> None:
        """Continue from a snapshot taken by snapshot() (any Showdown adapter, any process)."""
        self.restore_batch([snapshot])

    def input_log(self, index: int = 0) -> list[str]:
        """Battle `index`'s input log in Showdown's own format (replayable by its simulator)."""
        return list(self._battles[index].log)

    def versions(self) -> dict[str, str]:
        """Backend, pinned version, Node version and source, and the driver's hash."""
        if not self._hello:
            self._process(restart=True)
        out = {
            "backend": "pokemon-showdown",
            "version": str(self._hello.get("showdown", "")),
            "node": str(self._hello.get("node", "")),
            "node_source": self._proc.runtime.source if self._proc else "",
            "driver_sha256": file_sha256(DRIVER_JS),
            "package_lock_sha256": file_sha256(PACKAGE_LOCK),
        }
        if self._mutate:
            out["mutate"] = self._mutate
        return out

    def close(self) -> None:
        """Stop the Node process."""
        if self._proc is not None:
            self._proc.close()
            self._proc = None
        self._battles = []

    # -- internals ------------------------------------------------------------------------

    def _single(self) -> _Battle:
        if len(self._battles) != 1:
            if not self._battles:
                raise UsageError("call reset before step/snapshot")
            raise UsageError(f"{len(self._battles)} battles are open (batch mode); use the *_batch methods")
        return self._battles[0]

    def _step(self, live: list[int], arr: np.ndarray) -> StepResult:
        want = self._obs == "snapshot"
        items = []
        for i in live:
            b = self._battles[i]
            a0, a1 = int(arr[i, 0]), int(arr[i, 1])
            for p, a in ((0, a0), (1, a1)):
                if b.mask[p].any():
                    b.log.append(f">{PLAYERS[p]} {choice_string(a)}")
            items.append({"bid": b.bid, "actions": [a0, a1], "snapshot": want})
        resp = self._call("step", battles=items)
        nb = len(self._battles)
        reward = np.zeros(nb, dtype=np.float64)
        terminated = np.array([b.ended for b in self._battles], dtype=bool)
        truncated = np.array([b.truncated for b in self._battles], dtype=bool)
        obs: list[Any] = [None] * nb
        errors: dict[int, Exception] = {}
        for i, res in zip(live, resp["results"], strict=True):
            b = self._battles[i]
            if "error" in res:
                exc = self._battle_error(b, res["error"])
                if isinstance(exc, ActionError):
                    raise exc
                b.error = exc
                errors[i] = exc
                truncated[i] = True
                continue
            self._apply_brief(b, res["b"])
            if b.ended:
                reward[i] = 1.0 if b.winner == "p1" else -1.0 if b.winner == "p2" else 0.0
            elif b.max_turns is not None and b.turn >= b.max_turns:
                b.truncated = True
            terminated[i] = b.ended
            truncated[i] = b.truncated
            obs[i] = self._make_obs(b, res)
        for i, b in enumerate(self._battles):
            if obs[i] is None and i not in errors:
                obs[i] = {"turn": np.int32(b.turn), "mask": b.mask.copy()}
        info: dict[str, Any] = {"turn": np.array([b.turn for b in self._battles], dtype=np.int32)}
        if errors:
            info["errors"] = errors
        return StepResult(obs, reward, terminated, truncated, info)

    def _apply_brief(self, b: _Battle, brief: Mapping[str, Any]) -> None:
        b.turn = brief["t"]
        b.ended = bool(brief["e"])
        b.winner = brief["w"]
        b.mask = self._mask(b.n, brief["m"])

    def _make_obs(self, b: _Battle, res: Mapping[str, Any]) -> Any:
        if "s" in res:
            return self._convert(b.format, res["s"])
        return {"turn": np.int32(b.turn), "mask": b.mask.copy()}

    def _convert(self, fmt: str, raw: Mapping[str, Any]) -> Snapshot:
        try:
            return {key: conv(raw[key]) for key, conv in self._converter(fmt)}
        except KeyError as exc:
            raise DriverError(f"Showdown driver snapshot lacks field {exc.args[0]!r}") from None

    def _battle_error(self, b: _Battle, err: Mapping[str, Any]) -> Exception:
        kind = err.get("type", "error")
        msg = err.get("message", "?")
        if kind == "ActionError":
            return ActionError(f"battle {b.bid}: {msg}")
        if kind in ("UsageError", "FormatError"):
            return UsageError(msg)
        return DriverError(f"Showdown {kind} in battle {b.bid} at turn {b.turn}: {msg}", battle=b.bid, stack=err.get("stack", ""), input_log=b.log)


class ShowdownShadow(Showdown):
    """A second, independent Showdown (its own Node process), for self-checks of the framework.

    `mutate` breaks it on purpose: "damage" (the 2nd damaging hit of each battle does 1 HP less)
    or "prng" (the 3rd PRNG draw of each battle's play is skipped). A shadow without a mutation
    must be equivalent to Showdown; a mutated one must be caught.
    """

    name: ClassVar[str] = "showdown-shadow"

    def __init__(self, format: str = DEFAULT_FORMAT, *, mutate: str | None = None, **kwargs: Any) -> None:
        super().__init__(format, **kwargs)
        if mutate is not None and mutate not in MUTATIONS:
            raise UsageError(f"unknown showdown-shadow mutation {mutate!r} (known: {', '.join(MUTATIONS)})")
        self._mutate = mutate


def _n_actions(fmt: str) -> int:
    """The size of a format's per-player action space: 13 in Gen 9 (Terastallize), else 9."""
    return 13 if str(fmt).startswith("gen9") else 9


def _state_format(state: str) -> str:
    """The format id at the head of a `_state` payload ({"format": ..., "battle": ...})."""
    match = _FORMAT_HEAD.match(state)
    if match:
        return match.group(1)
    try:
        return str(json.loads(state)["format"])
    except (ValueError, KeyError, TypeError):
        raise CapabilityError(f"{STATE_KEY} is not a Showdown state taken by this adapter") from None


def _array_conv(dtype: np.dtype) -> Any:
    def conv(value: Any) -> np.ndarray:
        return np.asarray(value, dtype=dtype)

    return conv
