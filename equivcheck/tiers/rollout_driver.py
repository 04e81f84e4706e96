"""Drives the L3 rollout tier over many episodes: seeds, shrinking, corpus, liveness, --jobs, --batch."""

from __future__ import annotations

import atexit
import math
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from equivcheck import seeding
from equivcheck.context import RunConfig, RunContext, shrink_record
from equivcheck.corpus import ReplayFile
from equivcheck.executors.local import LocalProcessExecutor, stop_requested
from equivcheck.policies import from_plain
from equivcheck.progress import progress_bar
from equivcheck.report.model import Divergence, Report, TierResult
from equivcheck.shrink import ddmin
from equivcheck.tiers.rollout import (
    CoverageCounter,
    EpisodeResult,
    LivenessTracker,
    RawDivergence,
    coverage_table,
    headroom,
    max_errors,
    merge_max,
    replay_fails,
    run_batch,
    run_episode,
)


@dataclass
class ChunkResult:
    """What one task (or the main process) produced for a set of episodes."""

    episodes: int = 0
    steps: int = 0
    divergences: list[Divergence] = field(default_factory=list)
    liveness: list[Any] = field(default_factory=list)
    seconds: float = 0.0
    error: str | None = None
    budget_exhausted: bool = False
    coverage: dict[str, int] = field(default_factory=dict)
    max_errors: dict[str, float] = field(default_factory=dict)
    first: int = -1
    """The chunk's first episode: chunks merge in this order, whatever order they finished in."""


def run(ctx: RunContext, report: Report) -> TierResult:
    """The rollout tier: lockstep or inject over `episodes` episodes; liveness is recorded in the report.

    Whatever stops the run (an interrupt, a fault, the budget), the episodes that finished are in
    the result: with --jobs each finished task reaches the parent at once, and an interrupt asks
    the running tasks for the episodes they finished before their workers are stopped.
    """
    cfg = ctx.config
    case = ctx.case
    runner = cfg.runner or case.runner
    episodes = cfg.episodes if cfg.episodes is not None else case.episodes
    result = TierResult(tier="rollout", runner=runner + (f"+batch{cfg.batch}" if cfg.batch else ""),
                        fields=len(case.schema.compared_fields))
    start = time.perf_counter()
    indices = range(cfg.episode_offset, cfg.episode_offset + episodes)
    tracker = LivenessTracker(case.liveness)
    coverage: Counter[str] = Counter()
    peak: dict[str, float] = {}
    chunks: list[ChunkResult] = []
    report.tiers.append(result)
    try:
        if cfg.executor == "ray" or (cfg.jobs > 1 and len(indices) > 1):
            _run_parallel(ctx, indices, runner, chunks)
        else:
            chunks.append(ChunkResult())
            episode_runner = EpisodeRunner(ctx, runner)
            try:
                with progress_bar(cfg.progress, len(indices), f"{runner} episodes") as advance:
                    episode_runner.run(indices, chunks[0], advance)
            finally:
                episode_runner.close()
    except BaseException as exc:
        result.notes.append(f"stopped early by {type(exc).__name__}: {exc}")
        raise
    finally:
        chunks.sort(key=lambda c: c.first)
        for chunk in chunks:
            result.episodes += chunk.episodes
            result.steps += chunk.steps
            result.divergences.extend(chunk.divergences)
            if chunk.liveness:
                tracker.merge(chunk.liveness)
            if chunk.error:
                result.notes.append(chunk.error)
            coverage.update(chunk.coverage)
            merge_max(peak, chunk.max_errors)
        if any(chunk.budget_exhausted for chunk in chunks):
            result.notes.append(f"budget exhausted: {result.episodes} of {len(indices)} episodes ran")
        result.divergences.sort(key=lambda d: (d.episode, d.step))
        result.seconds = time.perf_counter() - start
        result.ran("episodes", result.episodes)
        if result.episodes < len(indices):
            result.skip(f"{len(indices) - result.episodes} of {len(indices)} episodes",
                        "; ".join(result.notes) or "stopped early")
        result.status = "divergent" if result.divergences else ("incomplete" if result.notes else "equivalent")
        result.settle()
        result.headroom = headroom(case.schema, peak)
        report.liveness = tracker.results()
        if case.coverage is not None:
            report.coverage = coverage_table(case.coverage_events, coverage)
    return result


def _run_parallel(ctx: RunContext, indices: Sequence[int], runner: str, out: list[ChunkResult]) -> None:
    """Episodes over `jobs` workers: spawned processes in small tasks (TaskSizer), or Ray actors in
    fixed shards; each finished task lands in `out` at once, and an interrupt keeps what finished."""
    cfg = ctx.config
    args = (ctx.case.name, ctx.ref_name, ctx.cand_name, cfg, runner)
    tasks: Iterable[list[int]]
    if cfg.executor == "ray":
        from equivcheck.executors.ray import RayExecutor

        tasks = fixed_shards(indices, cfg.batch, cfg.jobs)
        executor: Any = RayExecutor(min(cfg.jobs, len(tasks)), _init_worker, args, address=cfg.address,
                                    lost=lambda shard, message: _lost_shard(ctx, runner, shard, message))
        sizer = None
        label = f"{runner} episodes (ray, {executor.workers} actors)"
    else:
        sizer = TaskSizer(indices, cfg.batch)
        tasks = sizer.tasks()
        executor = LocalProcessExecutor(min(cfg.jobs, len(indices)), _init_worker, args)
        label = f"{runner} episodes ({executor.workers} workers)"
    found = 0
    with progress_bar(cfg.progress, len(indices), label) as advance:

        def collect(chunk: ChunkResult) -> bool:
            nonlocal found
            out.append(chunk)
            if sizer is not None:
                sizer.observe(chunk)
            found += len(chunk.divergences)
            advance(chunk.episodes, f"{label}, {found} divergences" if found else None)
            return not chunk.budget_exhausted

        executor.run(_run_task, tasks, collect)


SHARDS_PER_WORKER = 4
"""Ray shards per actor: enough to balance uneven episodes, few enough that a shard's round trip is noise."""


def fixed_shards(indices: Sequence[int], batch: int, workers: int) -> list[list[int]]:
    """The episodes cut into consecutive shards of a size fixed by the run's size (never by timing),
    so a shard, and the seeds it carries, is the same on every rerun of the master seed."""
    size = batch or max(1, min(MAX_TASK_EPISODES, math.ceil(len(indices) / (SHARDS_PER_WORKER * max(1, workers)))))
    return [list(indices[i : i + size]) for i in range(0, len(indices), size)]


def _lost_shard(ctx: RunContext, runner: str, shard: list[int], message: str) -> ChunkResult:
    """A shard whose worker died twice: one crash divergence carrying the shard's episodes and seeds."""
    cfg = ctx.config
    seeds = [seeding.episode_seed(cfg.master_seed, i) for i in shard]
    div = Divergence(
        case=ctx.case.name, tier="rollout", runner=runner, ref=ctx.ref_name, cand=ctx.cand_name,
        master_seed=cfg.master_seed, episode=shard[0], episode_seed=seeds[0], step=0, diffs=[],
        crash=f"worker lost: {message}",
        detail=f"shard episodes {shard[0]}..{shard[-1]}, episode seeds {seeds}",
        repro=ctx.diff_command(tier="rollout", runner=runner, episode=shard[0], episodes=None),
    )
    return ChunkResult(divergences=[div], first=shard[0],
                       error=f"episodes {shard[0]}..{shard[-1]} not run: {message}")


TASK_SECONDS = 0.25
"""Aimed length of one --jobs task: long enough that fast episodes do not pay a round trip each."""
MAX_TASK_EPISODES = 64


class TaskSizer:
    """Episodes per --jobs task: one at first, then as many as take about TASK_SECONDS at the
    measured speed (a --batch task is one batch)."""

    def __init__(self, indices: Sequence[int], batch: int) -> None:
        self.indices = indices
        self.batch = batch
        self.size = 1

    def tasks(self) -> Iterator[list[int]]:
        """The tasks, cut lazily so each uses the size measured so far."""
        start = 0
        while start < len(self.indices):
            size = self.batch or self.size
            yield list(self.indices[start : start + size])
            start += size

    def observe(self, chunk: ChunkResult) -> None:
        """Update the size from a finished task's seconds per episode."""
        if self.batch or not chunk.episodes:
            return
        per_episode = max(chunk.seconds / chunk.episodes, 1e-6)
        self.size = max(1, min(MAX_TASK_EPISODES, int(TASK_SECONDS / per_episode)))


_worker_args: tuple[Any, ...] = ()
_worker_runner: EpisodeRunner | None = None


def _init_worker(case_name: str, ref: str, cand: str, config: RunConfig, runner: str) -> None:
    """Runs once in each worker process: remember what to build (built on the first task, so a
    fault is raised by that task, not lost in the pool's start-up)."""
    global _worker_args
    _worker_args = (case_name, ref, cand, config, runner)


def _run_task(indices: list[int]) -> ChunkResult:
    """One task in a worker: these episodes on the worker's adapters (kept from task to task)."""
    global _worker_runner
    if _worker_runner is None:
        from equivcheck import registry
        from equivcheck.context import build_context

        case_name, ref, cand, config, runner = _worker_args
        ctx = build_context(registry.get_case(case_name), ref, cand, config, probe=False)
        _worker_runner = EpisodeRunner(ctx, runner)
        atexit.register(_worker_runner.close)
    chunk = ChunkResult()
    _worker_runner.run(indices, chunk, lambda n: None)
    return chunk


class EpisodeRunner:
    """Runs episodes in this process on one pair of adapters: made on first use, renewed after a
    crash, closed by close(). Counts the divergent episodes it shrank and saved (MAX_SAVED)."""

    def __init__(self, ctx: RunContext, runner: str) -> None:
        self.ctx = ctx
        self.runner = runner
        self.ref: Any = None
        self.cand: Any = None
        self.saved = 0

    def run(self, indices: Sequence[int], chunk: ChunkResult, advance: Callable[[int], None]) -> None:
        """Run the episodes `indices` into `chunk`, which keeps every finished episode on a fault."""
        cfg = self.ctx.config
        case = self.ctx.case
        steps = cfg.steps if cfg.steps is not None else case.steps
        tracker = LivenessTracker(case.liveness)
        coverage = CoverageCounter(case.coverage)
        start = time.perf_counter()
        if chunk.first < 0 and len(indices):
            chunk.first = indices[0]
        try:
            if self.ref is None:
                self.ref = self.ctx.make_ref()
            if self.cand is None:
                self.cand = self.ctx.make_cand()
            if cfg.batch:
                _run_batched(self, indices, steps, tracker, chunk, advance, coverage)
                return
            for index in indices:
                if stop_requested():
                    break
                if cfg.deadline is not None and time.time() > cfg.deadline:
                    chunk.budget_exhausted = True
                    break
                seed = seeding.episode_seed(cfg.master_seed, index)
                policy = case.make_policy(self.ref.action_space, seeding.policy_rng(cfg.master_seed, index))
                ep = run_episode(self.ref, self.cand, case.schema, seed, policy, steps, self.runner, tracker,
                                 cfg.track_errors, coverage=coverage)
                merge_max(chunk.max_errors, max_errors(ep.error_curve))
                chunk.episodes += 1
                chunk.steps += ep.steps
                if ep.divergences:
                    self.ref, self.cand = _renew(self.ctx, ep, self.ref, self.cand)
                    chunk.divergences.extend(self.contextualise(ep, index, seed, self.runner))
                advance(1)
        finally:
            chunk.liveness = tracker.state
            chunk.coverage = dict(coverage.counts)
            chunk.seconds += time.perf_counter() - start

    def contextualise(self, ep: EpisodeResult, index: int, seed: int, runner: str) -> list[Divergence]:
        """The episode's reported divergences; counts a saved replay file against MAX_SAVED."""
        divs = _contextualise(self.ctx, ep, index, seed, runner, self.ref, self.cand, self.saved)
        self.saved += sum(1 for d in divs if d.corpus_file)
        return divs

    def close(self) -> None:
        """Close both adapters (a dead backend's error is ignored: the report matters more)."""
        for adapter in (self.ref, self.cand):
            if adapter is not None:
                _quiet_close(adapter)
        self.ref = self.cand = None


def _renew(ctx: RunContext, ep: EpisodeResult, ref: Any, cand: Any) -> tuple[Any, Any]:
    """Replace an adapter that crashed (its state is unknown, its process may be dead)."""
    if ep.crashed == "ref":
        _quiet_close(ref)
        ref = ctx.make_ref()
    elif ep.crashed == "cand":
        _quiet_close(cand)
        cand = ctx.make_cand()
    ep.crashed = None
    return ref, cand


def _quiet_close(adapter: Any) -> None:
    try:
        adapter.close()
    except Exception:  # noqa: BLE001, S110
        pass


def _run_batched(runner: EpisodeRunner, indices: Sequence[int], steps: int, tracker: LivenessTracker,
                 chunk: ChunkResult, advance: Callable[[int], None], coverage: CoverageCounter | None = None) -> None:
    from equivcheck.adapter import supports

    ctx, ref, cand = runner.ctx, runner.ref, runner.cand
    cfg = ctx.config
    for lo in range(0, len(indices), cfg.batch):
        if stop_requested():
            break
        if cfg.deadline is not None and time.time() > cfg.deadline:
            chunk.budget_exhausted = True
            break
        part = list(indices[lo : lo + cfg.batch])
        seeds = [seeding.episode_seed(cfg.master_seed, i) for i in part]
        policies = [ctx.case.make_policy(ref.action_space, seeding.policy_rng(cfg.master_seed, i)) for i in part]
        refs = ref if supports(ref, "batch") else [ref] + [ctx.make_ref() for _ in part[1:]]
        try:
            outcome = run_batch(refs, cand, ctx.case.schema, seeds, policies, steps, tracker, coverage)
        finally:
            if isinstance(refs, list):
                for extra in refs[1:]:
                    _quiet_close(extra)
        merge_max(chunk.max_errors, outcome.max_errors)
        for index, seed, ep in zip(part, seeds, outcome.results, strict=True):
            chunk.episodes += 1
            chunk.steps += ep.steps
            if ep.divergences:
                chunk.divergences.extend(runner.contextualise(ep, index, seed, "lockstep"))
        advance(len(part))


MAX_SAVED = 3
"""Divergent episodes shrunk and saved per process (per --jobs worker); later ones get a `diff --episode K` repro."""


def _contextualise(ctx: RunContext, ep: EpisodeResult, index: int, seed: int, runner: str,
                   ref: Any, cand: Any, saved: int) -> list[Divergence]:
    """Turn raw divergences into reported ones: shrink the episode's first, save it, attach the repro."""
    out = []
    for k, raw in enumerate(ep.divergences):
        div = _divergence(ctx, raw, index, seed, runner)
        if k == 0 and saved >= MAX_SAVED:
            div.error_curve = {p: v[: raw.step] for p, v in ep.error_curve.items() if v}
            div.repro = ctx.diff_command(tier="rollout", runner=runner, episode=index, episodes=None)
        elif k == 0:
            div.error_curve = {p: v[: raw.step] for p, v in ep.error_curve.items() if v}
            actions = raw.actions if raw.step > 0 else []
            entry_actions = actions
            if ctx.config.shrink and actions and raw.crash is None:
                shrunk, replays, secs = _shrink(ctx, ref, cand, seed, actions, runner)
                div.shrink = shrink_record(len(actions), shrunk, replays, secs)
                entry_actions = shrunk
            entry = ReplayFile(
                case=ctx.case.name, ref=ctx.ref_name, cand=ctx.cand_name, tier="rollout", runner=runner,
                seed=seed, actions=entry_actions, master_seed=ctx.config.master_seed, episode=index,
                expected={"step": raw.step, "fields": [d.path for d in raw.diffs], "crash": raw.crash},
            )
            ctx.finish_divergence(div, entry)
        else:
            div.repro = out[0].repro
        out.append(div)
    return out


def _divergence(ctx: RunContext, raw: RawDivergence, index: int, seed: int, runner: str) -> Divergence:
    schema = ctx.case.schema
    div = Divergence(
        case=ctx.case.name, tier="rollout", runner=runner, ref=ctx.ref_name, cand=ctx.cand_name,
        master_seed=ctx.config.master_seed, episode=index, episode_seed=seed, step=raw.step,
        diffs=raw.diffs, action=raw.action, actions=raw.actions, state_before=schema.visible(raw.state_before),
        ref_state=schema.visible(raw.ref_state), cand_state=schema.visible(raw.cand_state), crash=raw.crash,
        evidence=raw.evidence,
    )
    if raw.evidence is not None:
        div.detail = "the crashing side attached evidence (its own replay material): see `evidence` in the JSON report"
    return div


def _shrink(ctx: RunContext, ref: Any, cand: Any, seed: int, actions: list[Any], runner: str) -> tuple[list[Any], int, float]:
    """ddmin over the action list while the pair still diverges from `seed`."""
    space = ref.action_space
    decoded = [from_plain(a, space) for a in actions]

    def fails(candidate: list[Any]) -> bool:
        return replay_fails(ref, cand, ctx.case.schema, seed, candidate, runner) is not None

    outcome = ddmin(decoded, fails)
    return [a if not hasattr(a, "tolist") else a.tolist() for a in outcome.actions], outcome.replays, outcome.seconds
