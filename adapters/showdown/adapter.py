"""The Pokemon Showdown reference adapter: Showdown's own simulator driven through one Node process.

One integer seed gives the battle seed and both players' seeds (random-battle teams come from
the players' seeds), all in Showdown's `gen5,` form so the PRNG state is a comparable field.
Actions: one integer per player (JointDiscrete); Gen 1 singles: 0-3 = move 1-4, 4-8 = switch to
party slot 2-6; Gen 9 adds 9-12 = move 1-4 and Terastallize. FIELDS.md lists every snapshot field.

Every method has a batch form: one Node process holds B battles and one round trip steps them
all; the single-battle methods are the batch methods with B = 1.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np

from adapters.showdown.errors import DriverError, DriverTimeout, ReferenceProcessDied, ShowdownError
from adapters.showdown.node import DRIVER_JS, HERE, PACKAGE_LOCK, ensure_installed, node_runtime
from adapters.showdown.process import DriverProcess
from adapters.showdown.spaces import JointDiscrete
from equivcheck.adapter import Adapter, Snapshot, StepResult, file_sha256, stack_snapshots
from equivcheck.errors import ActionError, CapabilityError, SetupError, UsageError

DEFAULT_FORMAT = "gen1randombattle"
FIELDS_JSON = HERE / "fields.json"
STATE_KEY = "_state"
"""The opaque key holding Showdown's own serialised battle (State.serializeBattle): restore() reads it."""
PLAYERS = ("p1", "p2")
MUTATIONS = ("damage", "prng")
_FORMAT_HEAD = re.compile(r'\{"format":"([a-z0-9]+)"')
_WIN = {"p1": 1, "p2": -1}
_NO_CAP = np.iinfo(np.int64).max
_SLOW_OPS = frozenset({"fields", "reset", "restore", "close"})
"""Requests that may load a format's data or build many battles: they get at least _SLOW_TIMEOUT."""
_SLOW_TIMEOUT = 60.0


def derive_seeds(seed: int) -> dict[str, str]:
    """The battle and player seeds of `seed`: 'gen5,' + the first 16 hex digits of
    sha256(f"equivcheck-showdown:{seed}:{role}") for role in battle, p1, p2."""
    out = {}
    for role in ("battle", "p1", "p2"):
        digest = hashlib.sha256(f"equivcheck-showdown:{int(seed)}:{role}".encode()).hexdigest()
        out[role] = "gen5," + digest[:16]
    return out


def schema_fields(format: str = DEFAULT_FORMAT) -> list[tuple[str, str, tuple[int, ...]]]:
    """The snapshot fields of `format` without starting Node: fields.json, which a test keeps equal
    to the driver's own list. (path, dtype, shape); dtype 'str' for text."""
    with open(FIELDS_JSON) as fh:
        table = json.load(fh)
    if format not in table:
        raise UsageError(f"no stored field list for {format!r} (stored: {', '.join(table)}); use Showdown().fields()")
    return [(path, dtype, tuple(shape)) for path, dtype, shape in table[format]]


def choice_string(action: int) -> str:
    """Showdown's choice for one action of the fixed action space."""
    if 0 <= action <= 3:
        return f"move {action + 1}"
    if 4 <= action <= 8:
        return f"switch {action - 2}"
    if 9 <= action <= 12:
        return f"move {action - 8} terastallize"
    raise ActionError(f"action {action} is outside every format's action space")


_CHOICES = [(f">p1 {choice_string(a)}", f">p2 {choice_string(a)}") for a in range(13)]


class Showdown(Adapter):
    """Pokemon Showdown (the reference). Options (constructor defaults, overridable per reset):
    format (default gen1randombattle), teams (two packed teams), max_turns (truncation cap),
    obs ("brief": {"turn", "mask"}; "snapshot": the full snapshot), restorable (default True:
    snapshot() carries `_state` for restore()); constructor only: timeout (seconds to wait for a
    step or snapshot answer; reset, restore and fields wait at least 60 s, as they load data)."""

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
        node_runtime()  # SetupError now, at construction, when there is no Node that runs
        self.timeout = float(timeout)
        self._mutate: str | None = None
        self._proc: DriverProcess | None = None
        self._hello: dict[str, Any] = {}
        self._fields: dict[str, list[tuple[str, str, tuple[int, ...]]]] = {}
        self._converters: dict[str, list[tuple[str, Any]]] = {}
        self._tables: dict[int, np.ndarray] = {}
        self._sizes: dict[str, int] = {}
        self._obs = obs
        self._restorable = restorable
        self.action_space = JointDiscrete(_n_actions(format))
        self._set_battles([], [], [], [], 0)

    # -- setup and process -----------------------------------------------------------------

    @classmethod
    def setup(cls, progress: Any = None) -> None:
        """Install pokemon-showdown into the cache (npm ci); SetupError when Node or npm fails."""
        ensure_installed(progress)

    def _process(self, restart: bool = False) -> DriverProcess:
        if self._proc is not None and not self._proc.dead:
            return self._proc
        if self._proc is not None and not restart:
            code = self._proc.proc.returncode
            raise self._with_logs(
                ReferenceProcessDied(
                    f"the Showdown driver is gone (exit code {code}); reset to start a new one",
                    code,
                    self._proc.stderr_tail(),
                )
            )
        if self._proc is not None:
            self._proc.close()
        modules = ensure_installed()
        runtime = node_runtime()
        self._proc = DriverProcess(runtime, modules, mutate=self._mutate, timeout=self.timeout)
        try:
            self._hello = self._proc.call("hello", timeout=max(self.timeout, 60.0))
        except ShowdownError as exc:
            self._proc.kill()
            raise SetupError(
                f"the Showdown driver did not start ({runtime.source} Node {runtime.version} at {runtime.node}): {exc}"
            ) from None
        return self._proc

    @property
    def pid(self) -> int | None:
        """The Node process id (None before the first reset)."""
        return self._proc.pid if self._proc is not None else None

    def _with_logs(self, exc: Exception) -> Exception:
        logs = {bid: list(log) for bid, log in zip(self._bids, self._logs, strict=True)}
        if isinstance(exc, ReferenceProcessDied | DriverTimeout):
            exc.input_logs.update(logs)
        return exc

    def _call(self, op: str, **payload: Any) -> dict:
        proc = self._process()
        slow = op in _SLOW_OPS
        try:
            return proc.call(op, timeout=max(self.timeout, _SLOW_TIMEOUT) if slow else None, **payload)
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
        n = self._sizes.get(fmt)
        if n is None:
            shapes = [shape for key, _, shape in self.fields(fmt) if key == "mask.p1"]
            if not shapes:
                raise DriverError(f"Showdown driver fields of {fmt} lack mask.p1")
            n = self._sizes[fmt] = shapes[0][0]
        return n

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

    def _table(self, n: int) -> np.ndarray:
        """(2**n, n) bool: row `bits` is the mask whose set bits are the legal actions."""
        table = self._tables.get(n)
        if table is None:
            table = ((np.arange(1 << n)[:, None] >> np.arange(n)[None, :]) & 1).astype(bool)
            self._tables[n] = table
        return table

    @staticmethod
    def _check_options(opts: Mapping[str, Any]) -> None:
        if opts.get("obs") not in ("brief", "snapshot"):
            raise UsageError(f"showdown option obs must be 'brief' or 'snapshot', got {opts.get('obs')!r}")
        teams = opts.get("teams")
        if teams is not None and (
            isinstance(teams, str) or len(teams) != 2 or not all(isinstance(t, str) for t in teams)
        ):
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

    # -- battle bookkeeping -------------------------------------------------------------------

    def _set_battles(
        self, formats: list[str], logs: list[list[str]], caps: list[int | None], bids: list[str], n: int
    ) -> None:
        b = len(formats)
        self._bids = bids
        self._formats = formats
        self._logs = logs
        self._cap = np.array([_NO_CAP if c is None else int(c) for c in caps], dtype=np.int64)
        self._turn = np.zeros(b, dtype=np.int32)
        self._ended = np.zeros(b, dtype=bool)
        self._trunc = np.zeros(b, dtype=bool)
        self._failed = np.zeros(b, dtype=bool)
        self._winner = np.zeros(b, dtype=np.float64)
        self._masks = np.zeros((b, 2, n), dtype=bool)
        if n:
            self.action_space = JointDiscrete(n)

    def _done(self) -> np.ndarray:
        return self._ended | self._trunc | self._failed

    def _apply(self, idx: Sequence[int], results: Sequence[Any]) -> tuple[dict[int, Exception], list[Any]]:
        """Take the driver's per-battle results into the arrays; returns (errors, snapshots)."""
        rows, turns, ended, wins, bits, snaps, errors = [], [], [], [], [], [], {}
        for i, res in zip(idx, results, strict=True):
            if type(res) is dict:
                errors[i] = self._battle_error(i, res["error"])
                snaps.append(None)
                continue
            rows.append(i)
            turns.append(res[0])
            ended.append(res[1])
            wins.append(_WIN.get(res[2], 0))
            bits.append((res[3], res[4]))
            snaps.append(res[5] if len(res) > 5 else None)
        if rows:
            r = np.asarray(rows, dtype=np.int64)
            self._turn[r] = turns
            self._ended[r] = ended
            self._winner[r] = wins
            self._masks[r] = self._table(self._masks.shape[2])[np.asarray(bits, dtype=np.int64)]
            self._trunc[r] |= ~self._ended[r] & (self._turn[r] >= self._cap[r])
        return errors, snaps

    def _brief_obs(self, snaps: list[Any], idx: Sequence[int]) -> Any:
        if self._obs == "snapshot":
            out: list[Any] = [None] * len(self._bids)
            for i, raw in zip(idx, snaps, strict=True):
                if raw is not None:
                    out[i] = self._convert(self._formats[i], raw)
            return out
        masks = self._masks.copy()
        return [{"turn": t, "mask": masks[i]} for i, t in enumerate(self._turn.tolist())]

    # -- batch API ----------------------------------------------------------------------------

    def reset_batch(
        self, seeds: Sequence[int], options: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None
    ) -> Any:
        """Start one battle per seed in one round trip; return their observations.

        A list with one observation per battle: obs "brief" gives {"turn", "mask" (2, n)}; obs
        "snapshot" gives the snapshot (None in step_batch for a battle already finished).
        """
        seeds = [int(s) for s in seeds]
        if options is None or isinstance(options, Mapping):
            per = [self._options(options)] * len(seeds)
        else:
            if len(options) != len(seeds):
                raise UsageError(f"{len(options)} option sets for {len(seeds)} seeds")
            per = [self._options(o) for o in options]
        self._process(restart=True)
        sizes = {self._n(o["format"]) for o in per}
        if len(sizes) > 1:
            raise UsageError("one batch cannot mix formats with different action spaces")
        self._obs = per[0]["obs"] if per else self._obs
        self._restorable = per[0]["restorable"] if per else self._restorable
        stale = self._bids[len(seeds) :]
        if stale:
            self._call("close", bids=stale)
        specs, logs = [], []
        for i, (seed, opts) in enumerate(zip(seeds, per, strict=True)):
            s = derive_seeds(seed)
            fmt = opts["format"]
            spec: dict[str, Any] = {"bid": str(i), "format": fmt, "seed": s["battle"]}
            if opts["teams"] is not None:
                spec["teams"] = list(opts["teams"])
                players = [{"name": "p1", "team": opts["teams"][0]}, {"name": "p2", "team": opts["teams"][1]}]
            else:
                spec["p1seed"], spec["p2seed"] = s["p1"], s["p2"]
                players = [{"name": "p1", "seed": s["p1"]}, {"name": "p2", "seed": s["p2"]}]
            log = [
                f"# equivcheck showdown seed={seed}",
                ">start " + json.dumps({"formatid": fmt, "seed": s["battle"]}, separators=(",", ":")),
            ]
            log += [
                f">player {p} " + json.dumps(pl, separators=(",", ":")) for p, pl in zip(PLAYERS, players, strict=True)
            ]
            logs.append(log)
            specs.append(spec)
        n = sizes.pop() if sizes else self.action_space.n
        self._set_battles(
            [o["format"] for o in per], logs, [o["max_turns"] for o in per], [str(i) for i in range(len(seeds))], n
        )
        resp = self._call("reset", battles=specs, snapshot=self._obs == "snapshot")
        idx = list(range(len(seeds)))
        errors, snaps = self._apply(idx, resp["results"])
        if errors:
            raise next(iter(errors.values()))
        return self._brief_obs(snaps, idx)

    def step_batch(self, actions: Any) -> StepResult:
        """Step every battle with its (p1, p2) actions in one round trip; finished battles are skipped
        (their actions are ignored).

        Returns StepResult(obs, reward (B,), terminated (B,), truncated (B,), info) where
        info["turn"] is (B,) and info["errors"], when present, maps a battle index to the
        DriverError that ended it (a Showdown exception inside that battle; the others go on).
        """
        if not self._bids:
            raise UsageError("step_batch before reset_batch")
        arr = np.asarray(actions)
        nb = len(self._bids)
        if arr.shape != (nb, 2) or not np.issubdtype(arr.dtype, np.integer):
            raise ActionError(f"expected integer actions of shape ({nb}, 2), got {arr.shape} {arr.dtype}")
        live = np.flatnonzero(~self._done())
        self._check_actions(live, arr[live])
        return self._step(live, arr)

    def _check_actions(self, live: np.ndarray, acts: np.ndarray) -> None:
        n = self.action_space.n
        out = (acts < 0) | (acts >= n)
        if out.any():
            j, p = np.argwhere(out)[0]
            raise ActionError(
                f"battle {int(live[j])}: action {int(acts[j, p])} of player {p + 1} out of range [0, {n})"
            )
        masks = self._masks[live]
        acting = masks.any(axis=2)
        legal = np.take_along_axis(masks, acts[:, :, None].astype(np.int64), axis=2)[:, :, 0]
        bad = acting & ~legal
        if bad.any():
            j, p = np.argwhere(bad)[0]
            allowed = ",".join(str(x) for x in np.flatnonzero(masks[j, p]))
            raise ActionError(
                f"battle {int(live[j])}: illegal action {int(acts[j, p])} for player {p + 1} "
                f"at turn {int(self._turn[live[j]])} (legal: {allowed})"
            )

    def _step(self, live: np.ndarray, arr: np.ndarray) -> StepResult:
        idx = live.tolist()
        acts = arr[live].tolist()
        acting = self._masks[live].any(axis=2).tolist()
        items = []
        for i, (a0, a1), (m0, m1) in zip(idx, acts, acting, strict=True):
            log = self._logs[i]
            if m0:
                log.append(_CHOICES[a0][0])
            if m1:
                log.append(_CHOICES[a1][1])
            items.append([self._bids[i], a0, a1])
        resp = self._call("step", battles=items, snapshot=self._obs == "snapshot")
        errors, snaps = self._apply(idx, resp["results"])
        action_errors = [e for e in errors.values() if isinstance(e, ActionError)]
        for i, exc in errors.items():
            if isinstance(exc, ActionError):
                logged = sum(acting[idx.index(i)])
                if logged:
                    del self._logs[i][-logged:]
            else:
                self._failed[i] = True
        if action_errors:
            raise action_errors[0]
        reward = np.zeros(len(self._bids), dtype=np.float64)
        reward[live] = np.where(self._ended[live], self._winner[live], 0.0)
        info: dict[str, Any] = {"turn": self._turn.copy()}
        if errors:
            info["errors"] = errors
        return StepResult(self._brief_obs(snaps, idx), reward, self._ended.copy(), self._trunc | self._failed, info)

    def snapshot_list(self) -> list[Snapshot]:
        """The snapshot of every battle, in one round trip, as one dict per battle."""
        if not self._bids:
            raise UsageError("snapshot before reset")
        items = [{"bid": bid, "state": self._restorable} for bid in self._bids]
        resp = self._call("snapshot", battles=items)
        out = []
        for i, res in enumerate(resp["results"]):
            if "error" in res:
                raise self._battle_error(i, res["error"])
            snap = self._convert(self._formats[i], res["s"])
            if self._restorable:
                snap[STATE_KEY] = res["state"]
            out.append(snap)
        return out

    def snapshot_batch(self) -> dict[str, np.ndarray]:
        """Every battle's snapshot, stacked: path -> array with a leading battle axis (B, ...).

        Numbers keep their dtype; text fields (and `_state`) are object arrays of str.
        """
        return stack_snapshots(self.snapshot_list())

    def legal_actions_batch(self) -> np.ndarray:
        """(B, 2, n) legal masks; an all-False row means that player waits (or the battle is over)."""
        return self._masks.copy()

    def restore_batch(self, snapshots: Sequence[Mapping[str, Any]] | Mapping[str, np.ndarray]) -> None:
        """Replace the battles with the states in `snapshots`: a list of snapshots or a stacked
        snapshot_batch() mapping; each must carry `_state`. Options such as max_turns are kept."""
        if isinstance(snapshots, Mapping):
            if STATE_KEY not in snapshots:
                raise CapabilityError(
                    f"restore needs snapshots with {STATE_KEY!r} (Showdown's serialised battle); "
                    "take them with restorable=True"
                )
            snapshots = [{STATE_KEY: str(state)} for state in snapshots[STATE_KEY]]
        states = []
        for snap in snapshots:
            state = snap.get(STATE_KEY) if isinstance(snap, Mapping) else None
            if not isinstance(state, str):
                raise CapabilityError(
                    f"restore needs a snapshot with {STATE_KEY!r} (Showdown's serialised battle); "
                    "take it with restorable=True"
                )
            states.append(state)
        self._process(restart=True)
        stale = self._bids[len(states) :]
        if stale:
            self._call("close", bids=stale)
        formats = [_state_format(s) for s in states]
        sizes = {self._n(f) for f in formats}
        if len(sizes) > 1:
            raise UsageError("one batch cannot mix formats with different action spaces")
        old_caps = self._cap.tolist()
        default_cap = self._defaults["max_turns"]
        caps = [None if i >= len(old_caps) or old_caps[i] == _NO_CAP else old_caps[i] for i in range(len(states))]
        caps = [default_cap if i >= len(old_caps) else c for i, c in enumerate(caps)]
        logs = [
            [f"# equivcheck showdown restored state sha256:{hashlib.sha256(s.encode()).hexdigest()[:16]}"]
            for s in states
        ]
        n = sizes.pop() if sizes else self.action_space.n
        self._set_battles(formats, logs, caps, [str(i) for i in range(len(states))], n)
        items = [{"bid": bid, "state": state} for bid, state in zip(self._bids, states, strict=True)]
        resp = self._call("restore", battles=items)
        errors, _ = self._apply(list(range(len(states))), resp["results"])
        if errors:
            raise next(iter(errors.values()))

    # -- single-battle API ----------------------------------------------------------------

    def reset(self, seed: int, options: Mapping[str, Any] | None = None) -> Any:
        """Start one battle from `seed`; return its observation ({"turn", "mask"} or the snapshot)."""
        return self._single_obs(self.reset_batch([seed], options))

    def step(self, action: Any) -> StepResult:
        """Advance the battle by one decision of each player; `action` is (p1, p2)."""
        self._single()
        if self._done()[0]:
            raise ActionError("the battle is over (terminated or truncated); reset it")
        a = self.action_space.validate(action)
        self.action_space.check_legal(a, self._masks[0])
        res = self._step(np.array([0]), a[None, :])
        errors = res.info.get("errors")
        if errors:
            raise errors[0]
        return StepResult(
            self._single_obs(res.obs),
            float(res.reward[0]),
            bool(res.terminated[0]),
            bool(res.truncated[0]),
            {"turn": int(self._turn[0])},
        )

    def _single_obs(self, obs: list[Any]) -> Any:
        return obs[0]

    def snapshot(self) -> Snapshot:
        """The canonical state (FIELDS.md) plus `_state` when restorable."""
        self._single()
        return self.snapshot_list()[0]

    def legal_actions(self) -> np.ndarray:
        """(2, n) bool: each player's legal actions; an all-False row means that player waits."""
        self._single()
        return self._masks[0].copy()

    def restore(self, snapshot: Mapping[str, Any]) -> None:
        """Continue from a snapshot taken by snapshot() (any Showdown adapter, any process)."""
        self.restore_batch([snapshot])

    def input_log(self, index: int = 0) -> list[str]:
        """Battle `index`'s input log in Showdown's own format (replayable by its simulator)."""
        return list(self._logs[index])

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
        self._set_battles([], [], [], [], 0)

    # -- internals ------------------------------------------------------------------------

    def _single(self) -> None:
        if len(self._bids) != 1:
            if not self._bids:
                raise UsageError("call reset before step/snapshot")
            raise UsageError(f"{len(self._bids)} battles are open (batch mode); use the *_batch methods")

    def _convert(self, fmt: str, raw: Mapping[str, Any]) -> Snapshot:
        try:
            return {key: conv(raw[key]) for key, conv in self._converter(fmt)}
        except KeyError as exc:
            raise DriverError(f"Showdown driver snapshot lacks field {exc.args[0]!r}") from None

    def _battle_error(self, i: int, err: Mapping[str, Any]) -> Exception:
        kind = err.get("type", "error")
        msg = (str(err.get("message", "")).strip().splitlines() or ["?"])[0]
        if kind == "ActionError":
            return ActionError(f"battle {i}: {msg}")
        if kind in ("UsageError", "FormatError"):
            return UsageError(msg)
        return DriverError(
            f"Showdown {kind} in battle {i} at turn {int(self._turn[i])}: {msg}",
            battle=self._bids[i],
            stack=err.get("stack", ""),
            input_log=self._logs[i],
        )


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
    """The per-player action space size before the driver is asked: 13 in Gen 9 (Terastallize), else 9."""
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


class ShowdownShadowDamage(ShowdownShadow):
    """The shadow with one wrong damage roll per battle (its 2nd damaging hit does 1 HP less)."""

    name: ClassVar[str] = "showdown-shadow-damage"

    def __init__(self, format: str = DEFAULT_FORMAT, **kwargs: Any) -> None:
        super().__init__(format, mutate="damage", **kwargs)


class ShowdownShadowPrng(ShowdownShadow):
    """The shadow with one skipped PRNG draw per battle (the 3rd draw of play)."""

    name: ClassVar[str] = "showdown-shadow-prng"

    def __init__(self, format: str = DEFAULT_FORMAT, **kwargs: Any) -> None:
        super().__init__(format, mutate="prng", **kwargs)
