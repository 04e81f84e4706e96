"""Rerun one saved failure (a corpus file) and say whether it still diverges."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from equivcheck import corpus, registry
from equivcheck.context import RunConfig, adapter_versions, build_context
from equivcheck.errors import EquivcheckError, UsageError
from equivcheck.policies import ReplayPolicy, from_plain
from equivcheck.report.model import Divergence, Report, TierResult
from equivcheck.tiers.property import check_invariant, check_pair
from equivcheck.tiers.rollout import run_episode


def replay(path: str | Path, ref: str | None = None, cand: str | None = None,
           setup_progress: Callable[[str], None] | None = None) -> Report:
    """Replay the file at `path` (optionally against other adapters); the report says if it still fails.

    The file is validated when loaded (corpus.ReplaySchema): a file that is not a replay is a
    UsageError, never replayed as something else.
    """
    entry = corpus.load(path)
    case = registry.get_case(entry.case)
    ctx = build_context(case, ref or entry.ref, cand or entry.cand, RunConfig(save_corpus=False),
                        setup_progress=setup_progress)
    ctx.replay_path = str(path)
    report = Report(case=case.name, ref=ctx.ref_name, cand=ctx.cand_name, master_seed=entry.master_seed or 0,
                    config={"replay": str(path)}, repro=f"equivcheck replay {path}",
                    known_differences=case.schema.describe_known(), fields_compared=case.schema.describe_compared(),
                    fields_ignored=case.schema.describe_ignored())
    result = TierResult(tier=entry.tier, runner=entry.runner,
                        fields=1 if entry.tier == "property" else len(case.schema.compared_fields))
    start = time.perf_counter()
    if entry.tier == "property":
        items = {i.name: i for i in list(case.components) + list(case.invariants)}
        if entry.component not in items:
            raise UsageError(f"{path}: case '{case.name}' has no component or invariant '{entry.component}'")
        item = items[entry.component]
        inputs = tuple(entry.inputs) if isinstance(entry.inputs, list) else entry.inputs
        adapter = ctx.make_cand() if item.bind else None
        try:
            checker = check_pair if hasattr(item, "cand") else check_invariant
            diffs = checker(item, inputs, adapter, case.schema.known)
        finally:
            if adapter is not None:
                adapter.close()
        result.examples = 1
        if diffs:
            result.divergences.append(_div(ctx, entry, 0, diffs, None, None, None))
    else:
        refa, canda = ctx.make_ref(), ctx.make_cand()
        try:
            report.versions = {"ref": adapter_versions(refa), "cand": adapter_versions(canda)}
            start_state, options = None, None
            if entry.tier == "interaction" and entry.start and not entry.start.startswith("seed:"):
                scenarios = {s.name: s for s in case.scenarios}
                if entry.start not in scenarios:
                    raise UsageError(f"{path}: case '{case.name}' has no scenario '{entry.start}'")
                scenario = scenarios[entry.start]
                start_state = scenario.state() if scenario.state is not None else None
                options = scenario.options
            actions = []
            for i, plain in enumerate(entry.actions):
                try:
                    refa.action_space.validate(plain)
                    actions.append(from_plain(plain, refa.action_space))
                except (EquivcheckError, ValueError, TypeError) as exc:
                    raise UsageError(f"{path}: action {i} does not fit '{ctx.ref_name}': {exc}") from None
            ep = run_episode(refa, canda, case.schema, int(entry.seed or 0), ReplayPolicy(actions), len(actions),
                             entry.runner, strict_replay=True, start=start_state, options=options)
            if ep.invalid:
                raise UsageError(f"{path}: action {len(ep.actions)} is illegal for '{ctx.ref_name}' at that step")
            result.episodes = 1
            if ep.divergences:
                result.steps = ep.steps
                raw = ep.divergences[0]
                div = _div(ctx, entry, raw.step, raw.diffs, raw.state_before, raw.ref_state, raw.cand_state)
                div.crash, div.action, div.actions = raw.crash, raw.action, raw.actions
                result.divergences.append(div)
            else:
                result.steps = len(actions)
        finally:
            refa.close()
            canda.close()
    result.seconds = time.perf_counter() - start
    result.status = "divergent" if result.divergences else "equivalent"
    report.tiers.append(result)
    report.seconds = result.seconds
    return report


def _div(ctx: Any, entry: corpus.ReplayFile, step: int, diffs: list, before: Any, rs: Any, cs: Any) -> Divergence:
    return Divergence(case=entry.case, tier=entry.tier, runner=entry.runner, ref=ctx.ref_name, cand=ctx.cand_name,
                      master_seed=entry.master_seed or 0, episode=entry.episode or 0, episode_seed=entry.seed,
                      step=step, diffs=diffs, actions=list(entry.actions),
                      state_before=ctx.case.schema.visible(before), ref_state=ctx.case.schema.visible(rs),
                      cand_state=ctx.case.schema.visible(cs), repro=f"equivcheck replay {ctx.replay_path}",
                      detail=f"replayed {entry.tier} failure" + (f" of {entry.component}" if entry.component else ""))
