"""L3 rollout: whole episodes compared every step, by two runners and a batched variant.

lockstep: both sides run free from the same seed and actions; the first disagreement ends the
episode (later steps only repeat it). inject: before each step the candidate is restored to the
reference's state, so every faulty transition is reported on its own. batch: a batched
candidate steps B episodes per call and each field is compared for all B in one numpy operation.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from equivcheck.adapter import supports
from equivcheck.case import Liveness
from equivcheck.errors import ActionError, CapabilityError, SetupError
from equivcheck.policies import Policy, ReplayPolicy, to_plain
from equivcheck.report.model import FieldDiff, Headroom
from equivcheck.schema import Schema, tolerance_of

RUNNERS = ("lockstep", "inject")


@dataclass
class RawDivergence:
    """A divergence inside one episode, before the tier adds case-level context."""

    step: int
    diffs: list[FieldDiff]
    action: Any
    actions: list[Any]
    state_before: dict[str, Any] | None
    ref_state: dict[str, Any] | None
    cand_state: dict[str, Any] | None
    crash: str | None = None
    crashed: str | None = None
    evidence: Any = None


@dataclass
class EpisodeResult:
    """What one episode compared and found."""

    steps: int = 0
    divergences: list[RawDivergence] = field(default_factory=list)
    actions: list[Any] = field(default_factory=list)
    error_curve: dict[str, list[float]] = field(default_factory=dict)
    invalid: bool = False
    crashed: str | None = None


class LivenessTracker:
    """Feeds reference snapshots to the case's liveness conditions and reports which were met."""

    def __init__(self, conditions: Sequence[Liveness]) -> None:
        self.conditions = list(conditions)
        self.state = [c.init() for c in self.conditions]

    def observe(self, prev: dict[str, Any], cur: dict[str, Any]) -> None:
        """Record one reference transition; a predicate that raises counts as not met on that step."""
        for i, cond in enumerate(self.conditions):
            try:
                self.state[i] = cond.observe(self.state[i], prev, cur)
            except Exception:  # noqa: BLE001, S110 - a broken predicate must not certify nor crash the run
                pass

    def merge(self, other_state: list[Any]) -> None:
        """Join the accumulators of another tracker of the same conditions (a worker's)."""
        self.state = [c.merge(a, b) for c, a, b in zip(self.conditions, self.state, other_state, strict=True)]

    def results(self) -> dict[str, bool]:
        """Condition name -> met."""
        return {c.name: bool(c.satisfied(s)) for c, s in zip(self.conditions, self.state, strict=True)}


class CoverageCounter:
    """Counts the case's coverage events over reference transitions (prev snapshot, action, snapshot)."""

    def __init__(self, coverage: Callable[[dict[str, Any], Any, dict[str, Any]], Iterable[str]] | None) -> None:
        self.coverage = coverage
        self.counts: Counter[str] = Counter()

    def observe(self, prev: dict[str, Any], action: Any, cur: dict[str, Any]) -> None:
        """Count the events of one transition; a coverage function that raises is counted as an event itself."""
        if self.coverage is None:
            return
        try:
            self.counts.update(str(event) for event in self.coverage(prev, action, cur))
        except Exception as exc:  # noqa: BLE001 - a broken coverage function must show, not stop the run
            self.counts[f"coverage function raised {type(exc).__name__}"] += 1


def max_errors(curves: Mapping[str, Sequence[float]]) -> dict[str, float]:
    """The largest error of each field over one episode's error curves (fields never compared are left out)."""
    return {path: float(np.max(values)) for path, values in curves.items() if len(values)}


def merge_max(into: dict[str, float], other: Mapping[str, float]) -> dict[str, float]:
    """Fold `other`'s per-field maxima into `into` (returned)."""
    for path, value in other.items():
        into[path] = max(into.get(path, value), value)
    return into


def headroom(schema: Schema, peak: dict[str, float]) -> dict[str, Headroom]:
    """Each float field's largest error over the run against its oracle's fixed tolerance (when it has one)."""
    out = {}
    for path in schema.approx_fields():
        if path in peak:
            oracle = schema.fields[path].oracle
            out[path] = Headroom(oracle.describe(), peak[path], tolerance_of(oracle))
    return out


def coverage_table(events: Sequence[str], counts: Mapping[str, int]) -> dict[str, int]:
    """The case's events in its order (zero when never seen), then any other event seen, most frequent first."""
    table = {event: int(counts.get(event, 0)) for event in events}
    for event, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        table.setdefault(event, int(count))
    return table


def is_illegal(action: Any, mask: Any) -> bool:
    """True when a discrete action (or a joint one, one row of the mask per player) is masked out."""
    mask = np.asarray(mask, bool)
    act = np.asarray(action)
    if act.ndim == 0:
        return not mask.ravel()[int(act)]
    if mask.ndim == 2 and act.shape == (mask.shape[0],) and np.issubdtype(act.dtype, np.integer):
        return any(row.any() and not row[int(a)] for row, a in zip(mask, act, strict=True))
    return False


def _with_step(snap: dict[str, Any], reward: Any, terminated: Any, truncated: Any) -> dict[str, Any]:
    snap["reward"] = float(reward)
    snap["terminated"] = bool(terminated)
    snap["truncated"] = bool(truncated)
    return snap


def _crash_text(side: str, exc: BaseException) -> str:
    return f"{side} raised {type(exc).__name__}: {exc}".splitlines()[0]


def run_episode(
    ref: Any,
    cand: Any,
    schema: Schema,
    seed: int,
    policy: Policy,
    steps: int,
    runner: str = "lockstep",
    liveness: LivenessTracker | None = None,
    track_errors: bool = False,
    max_divergences: int = 50,
    strict_replay: bool = False,
    start: dict[str, Any] | None = None,
    options: Mapping[str, Any] | None = None,
    coverage: CoverageCounter | None = None,
) -> EpisodeResult:
    """Run one episode of `runner` and return its divergences (lockstep stops at the first).

    With `strict_replay` (shrinking), an action the reference rejects or masks out makes the
    episode invalid rather than a divergence. A SetupError (a backend that cannot start) is
    raised, never reported as a crash divergence. `start`, a constructed state, is restored into
    both sides after reset (L2 scenarios); `options`, when given, goes to both sides' reset.
    """
    if runner not in RUNNERS:
        raise ValueError(f"unknown runner {runner!r}; choose one of {RUNNERS}")
    inject = runner == "inject"
    if inject and not supports(cand, "restore"):
        raise CapabilityError(f"the inject runner needs restore() on the candidate '{getattr(cand, 'name', cand)}'")
    result = EpisodeResult()
    has_mask = supports(ref, "legal_actions")
    approx = schema.approx_fields() if track_errors else []
    curve: dict[str, list[float]] = {p: [] for p in approx}
    result.error_curve = curve

    def diverge(step: int, diffs: list[FieldDiff], action: Any, before: Any, rs: Any, cs: Any,
                crash: str | None = None, crashed: str | None = None, exc: BaseException | None = None) -> None:
        result.divergences.append(
            RawDivergence(step, diffs, to_plain(action) if action is not None else None, list(result.actions),
                          before, rs, cs, crash, crashed, getattr(exc, "evidence", None))
        )

    if start is not None:
        for side in (ref, cand):
            if not supports(side, "restore"):
                raise CapabilityError(f"a constructed start state needs restore() on '{getattr(side, 'name', side)}'")
    try:
        ref_obs = ref.reset(seed) if options is None else ref.reset(seed, options)
        if start is not None:
            ref.restore(start)
        prev = _with_step(ref.snapshot(), 0.0, False, False)
    except SetupError:
        raise
    except Exception as exc:  # noqa: BLE001 - any fault of the reference is reported, not raised
        result.crashed = "ref"
        diverge(0, [], None, None, None, None, _crash_text("reference", exc), "ref", exc)
        return result
    try:
        cand.reset(seed) if options is None else cand.reset(seed, options)
        if start is not None:
            cand.restore(start)
        cs = _with_step(cand.snapshot(), 0.0, False, False)
    except SetupError:
        raise
    except Exception as exc:  # noqa: BLE001
        result.crashed = "cand"
        diverge(0, [], None, None, prev, None, _crash_text("candidate", exc), "cand", exc)
        return result
    diffs = schema.compare(prev, cs, full=True)
    if diffs:
        diverge(0, diffs, None, None, prev, cs)
        if not inject:
            return result

    for t in range(1, steps + 1):
        mask = ref.legal_actions() if has_mask else None
        if isinstance(policy, ReplayPolicy) and t > len(policy):
            break
        action = policy(t - 1, ref_obs, mask)
        if strict_replay and mask is not None and is_illegal(action, mask):
            result.invalid = True
            return result
        result.actions.append(to_plain(action))
        if inject:
            try:
                cand.restore(prev)
            except SetupError:
                raise
            except Exception as exc:  # noqa: BLE001
                result.crashed = "cand"
                diverge(t, [], action, prev, prev, None, _crash_text("candidate restore", exc), "cand", exc)
                return result
        try:
            ref_obs, r_rew, r_term, r_trunc, _ = ref.step(action)
            rs = _with_step(ref.snapshot(), r_rew, r_term, r_trunc)
        except ActionError:
            if strict_replay:
                result.invalid = True
                return result
            raise
        except SetupError:
            raise
        except Exception as exc:  # noqa: BLE001
            result.crashed = "ref"
            diverge(t, [], action, prev, None, None, _crash_text("reference", exc), "ref", exc)
            return result
        try:
            _, c_rew, c_term, c_trunc, _ = cand.step(action)
            cs = _with_step(cand.snapshot(), c_rew, c_term, c_trunc)
        except SetupError:
            raise
        except Exception as exc:  # noqa: BLE001
            result.crashed = "cand"
            result.steps = t
            diverge(t, [], action, prev, rs, None, _crash_text("candidate", exc), "cand", exc)
            return result
        result.steps = t
        if liveness is not None:
            liveness.observe(prev, rs)
        if coverage is not None:
            coverage.observe(prev, action, rs)
        errors: dict[str, float] | None = {} if approx else None
        diffs = schema.compare(rs, cs, errors)
        if errors is not None:
            for p in approx:
                curve[p].append(errors.get(p, 0.0))
        if diffs:
            diverge(t, diffs, action, prev, rs, cs)
            if not inject or len(result.divergences) >= max_divergences:
                return result
        prev = rs
        if rs["terminated"] or rs["truncated"]:
            break
    return result


def replay_fails(
    ref: Any, cand: Any, schema: Schema, seed: int, actions: Sequence[Any], runner: str,
    start: dict[str, Any] | None = None,
) -> EpisodeResult | None:
    """Replay `actions` from `seed`; the result when it still diverges, else None (also when invalid)."""
    result = run_episode(ref, cand, schema, seed, ReplayPolicy(actions), len(actions), runner,
                         strict_replay=True, start=start)
    if result.invalid or not result.divergences:
        return None
    return result


@dataclass
class BatchOutcome:
    """Per-episode results of a batched comparison, and each float field's largest error over them."""

    results: list[EpisodeResult]
    compare_seconds: float = 0.0
    max_errors: dict[str, float] = field(default_factory=dict)


def run_batch(
    refs: Sequence[Any] | Any,
    cand: Any,
    schema: Schema,
    seeds: Sequence[int],
    policies: Sequence[Policy],
    steps: int,
    liveness: LivenessTracker | None = None,
    coverage: CoverageCounter | None = None,
) -> BatchOutcome:
    """Lockstep over B episodes with a batched candidate; fields compared for all B at once.

    `refs` is one batched reference (reset_batch/step_batch/snapshot_batch) or B scalar adapters.
    An episode stops at its first divergence or its end; the others go on.
    """
    import time

    if not supports(cand, "batch"):
        raise CapabilityError("the batched runner needs reset_batch/step_batch/snapshot_batch on the candidate")
    B = len(seeds)
    approx = set(schema.approx_fields())
    batched_ref = not isinstance(refs, Sequence)
    results = [EpisodeResult() for _ in range(B)]
    active = np.ones(B, dtype=bool)
    seeds_arr = np.asarray(seeds, dtype=np.int64)
    compare_seconds = 0.0
    peak: dict[str, float] = {}

    def ref_snapshots() -> dict[str, np.ndarray]:
        if batched_ref:
            return dict(refs.snapshot_batch())
        snaps = [r.snapshot() for r in refs]
        return {k: np.stack([np.asarray(s[k]) for s in snaps]) for k in snaps[0]}

    if batched_ref:
        obs = refs.reset_batch(seeds_arr)
    else:
        obs = [r.reset(int(s)) for r, s in zip(refs, seeds, strict=True)]
    cand.reset_batch(seeds_arr)
    zeros = np.zeros(B)
    falses = np.zeros(B, dtype=bool)
    rs = ref_snapshots()
    rs.update(reward=zeros, terminated=falses, truncated=falses)
    cs = dict(cand.snapshot_batch())
    cs.update(reward=zeros, terminated=falses, truncated=falses)
    prev_rows = rs
    found = schema.compare_batch(rs, cs, active)
    for b, diffs in found.items():
        results[b].divergences.append(RawDivergence(0, diffs, None, [], None, _row(rs, b), _row(cs, b)))
        active[b] = False
    has_mask = supports(refs if batched_ref else refs[0], "legal_actions")
    space = (refs if batched_ref else refs[0]).action_space
    for t in range(1, steps + 1):
        if not active.any():
            break
        if batched_ref:
            masks = refs.legal_actions_batch() if has_mask and hasattr(refs, "legal_actions_batch") else [None] * B
        else:
            masks = [r.legal_actions() if has_mask else None for r in refs]
        actions = [policies[b](t - 1, _obs_row(obs, b), masks[b]) if active[b] else _idle_action(space, masks[b])
                   for b in range(B)]
        act_arr = np.asarray(actions)
        for b in np.flatnonzero(active):
            results[b].actions.append(to_plain(actions[b]))
        if batched_ref:
            obs, r_rew, r_term, r_trunc, _ = refs.step_batch(act_arr)
        else:
            outs = [r.step(a) if active[b] else (None, 0.0, True, False, {}) for b, (r, a) in enumerate(zip(refs, actions, strict=True))]
            obs = [o[0] for o in outs]
            r_rew = np.array([o[1] for o in outs], dtype=np.float64)
            r_term = np.array([bool(o[2]) for o in outs])
            r_trunc = np.array([bool(o[3]) for o in outs])
        _, c_rew, c_term, c_trunc, _ = cand.step_batch(act_arr)
        rs = ref_snapshots()
        rs.update(reward=np.asarray(r_rew, np.float64), terminated=np.asarray(r_term, bool), truncated=np.asarray(r_trunc, bool))
        cs = dict(cand.snapshot_batch())
        cs.update(reward=np.asarray(c_rew, np.float64), terminated=np.asarray(c_term, bool), truncated=np.asarray(c_trunc, bool))
        start = time.perf_counter()
        errors: dict[str, np.ndarray] = {}
        found = schema.compare_batch(rs, cs, active, errors)
        compare_seconds += time.perf_counter() - start
        merge_max(peak, {p: float(np.max(np.asarray(e)[active])) for p, e in errors.items()
                         if p in approx and active.any()})
        if liveness is not None or coverage is not None:
            for b in np.flatnonzero(active):
                before, after = _row(prev_rows, b), _row(rs, b)
                if liveness is not None:
                    liveness.observe(before, after)
                if coverage is not None:
                    coverage.observe(before, actions[b], after)
        for b in np.flatnonzero(active):
            results[b].steps = t
        for b, diffs in found.items():
            results[b].divergences.append(
                RawDivergence(t, diffs, to_plain(actions[b]), list(results[b].actions), _row(prev_rows, b), _row(rs, b), _row(cs, b))
            )
            active[b] = False
        active &= ~(rs["terminated"] | rs["truncated"])
        prev_rows = rs
    return BatchOutcome(results, compare_seconds, peak)


def _row(batch: dict[str, np.ndarray], b: int) -> dict[str, Any]:
    return {k: v[b] for k, v in batch.items()}


def _obs_row(obs: Any, b: int) -> Any:
    """Episode b's observation from a batch (array or list)."""
    return None if obs is None else obs[b]


def _idle_action(space: Any, mask: Any) -> Any:
    """A legal placeholder action for a finished episode still inside the batch (never compared)."""
    return space.sample(np.random.default_rng(0), mask)

