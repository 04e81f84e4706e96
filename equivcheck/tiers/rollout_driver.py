"""Drives the L3 rollout tier over many episodes: seeds, shrinking, corpus, liveness, --jobs, --batch."""

from __future__ import annotations

import multiprocessing as mp
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any

from equivcheck import seeding
from equivcheck.corpus import ReplayFile
from equivcheck.policies import from_plain
from equivcheck.progress import progress_bar
from equivcheck.report.model import Divergence, Report, TierResult
from equivcheck.context import RunConfig, RunContext, shrink_record
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
    """What one worker (or the main process) produced for a set of episodes."""

    episodes: int = 0
    steps: int = 0
    divergences: list[Divergence] = field(default_factory=list)
    liveness: list[Any] = field(default_factory=list)
    seconds: float = 0.0
    error: str | None = None
    coverage: dict[str, int] = field(default_factory=dict)
    max_errors: dict[str, float] = field(default_factory=dict)


def run(ctx: RunContext, report: Report) -> TierResult:
    """The rollout tier: lockstep or inject over `episodes` episodes; liveness is recorded in the report."""
    cfg = ctx.config
    case = ctx.case
    runner = cfg.runner or case.runner
    episodes = cfg.episodes if cfg.episodes is not None else case.episodes
    result = TierResult(tier="rollout", runner=runner + (f"+batch{cfg.batch}" if cfg.batch else ""),
                        fields=len(case.schema.compared_fields))
    start = time.perf_counter()
    indices = list(range(cfg.episode_offset, cfg.episode_offset + episodes))
    tracker = LivenessTracker(case.liveness)
    coverage: Counter[str] = Counter()
    peak: dict[str, float] = {}
    chunks: list[ChunkResult] = []
    report.tiers.append(result)
    try:
        if cfg.jobs > 1 and len(indices) > 1:
            _run_parallel(ctx, indices, runner, chunks)
        else:
            chunks.append(ChunkResult())
            run_chunk(ctx, indices, runner, cfg.progress, chunks[0])
    except BaseException as exc:
        result.notes.append(f"stopped early by {type(exc).__name__}: {exc}")
        raise
    finally:
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


def _run_parallel(ctx: RunContext, indices: list[int], runner: str, out: list[ChunkResult]) -> None:
    """Split episodes over `jobs` spawned processes (each builds its own adapters); results land in `out`."""
    jobs = min(ctx.config.jobs, len(indices))
    parts = [indices[i::jobs] for i in range(jobs)]
    with ProcessPoolExecutor(max_workers=jobs, mp_context=mp.get_context("spawn")) as pool:
        futures = [pool.submit(_worker, ctx.case.name, ctx.ref_name, ctx.cand_name, ctx.config, part, runner)
                   for part in parts]
        with progress_bar(ctx.config.progress, len(futures), "rollout workers") as advance:
            for fut in as_completed(futures):
                out.append(fut.result())
                advance(1)


def _worker(case_name: str, ref: str, cand: str, config: RunConfig, indices: list[int], runner: str) -> ChunkResult:
    from equivcheck import registry
    from equivcheck.context import build_context

    ctx = build_context(registry.get_case(case_name), ref, cand, config)
    chunk = ChunkResult()
    run_chunk(ctx, indices, runner, False, chunk)
    return chunk


def run_chunk(ctx: RunContext, indices: list[int], runner: str, show_progress: bool, chunk: ChunkResult) -> None:
    """Run the episodes `indices` in this process into `chunk`, which keeps every finished episode on a fault."""
    cfg = ctx.config
    case = ctx.case
    steps = cfg.steps if cfg.steps is not None else case.steps
    tracker = LivenessTracker(case.liveness)
    coverage = CoverageCounter(case.coverage)
    start = time.perf_counter()
    ref = ctx.make_ref()
    cand = ctx.make_cand()
    try:
        with progress_bar(show_progress, len(indices), f"{runner} episodes") as advance:
            if cfg.batch:
                _run_batched(ctx, indices, steps, tracker, chunk, ref, cand, advance, coverage)
            else:
                for index in indices:
                    if cfg.deadline is not None and time.time() > cfg.deadline:
                        chunk.error = f"budget exhausted: {chunk.episodes} of {len(indices)} episodes ran"
                        break
                    seed = seeding.episode_seed(cfg.master_seed, index)
                    policy = case.make_policy(ref.action_space, seeding.policy_rng(cfg.master_seed, index))
                    ep = run_episode(ref, cand, case.schema, seed, policy, steps, runner, tracker, cfg.track_errors,
                                     coverage=coverage)
                    merge_max(chunk.max_errors, max_errors(ep.error_curve))
                    chunk.episodes += 1
                    chunk.steps += ep.steps
                    if ep.divergences:
                        ref, cand = _renew(ctx, ep, ref, cand)
                        saved = sum(1 for d in chunk.divergences if d.corpus_file)
                        chunk.divergences.extend(_contextualise(ctx, ep, index, seed, runner, ref, cand, saved))
                    advance(1)
    finally:
        chunk.liveness = tracker.state
        chunk.coverage = dict(coverage.counts)
        chunk.seconds = time.perf_counter() - start
        for adapter in (ref, cand):
            try:
                adapter.close()
            except Exception:  # noqa: BLE001, S110 - closing a dead backend must not hide the report
                pass


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


def _run_batched(ctx: RunContext, indices: list[int], steps: int, tracker: LivenessTracker,
                 chunk: ChunkResult, ref: Any, cand: Any, advance: Any, coverage: CoverageCounter | None = None) -> None:
    from equivcheck.adapter import supports

    cfg = ctx.config
    for lo in range(0, len(indices), cfg.batch):
        part = indices[lo : lo + cfg.batch]
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
                saved = sum(1 for d in chunk.divergences if d.corpus_file)
                chunk.divergences.extend(_contextualise(ctx, ep, index, seed, "lockstep", ref, cand, saved))
        advance(len(part))


MAX_SAVED = 3
"""Divergent episodes shrunk and saved per worker; later ones get a `diff --episode K` repro."""


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
