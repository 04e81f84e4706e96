"""Which items of a tier run for a candidate: fixed by the case, never by asking the candidate.

Every item the case defines either runs or is recorded as skipped with its reason: declared by
the case (a DeclaredSkip, or an item meant for other candidates), deselected by the run's options
(--only), or anything else, which leaves the tier not certified.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from equivcheck.case import Case
from equivcheck.context import RunContext
from equivcheck.report.model import TierResult

STATEFUL = "stateful search"
"""The interaction tier's item name for the Hypothesis stateful search (its count: state-machine runs)."""


def select(ctx: RunContext, tier: str, items: Sequence[Any], result: TierResult) -> list[Any]:
    """The items of `tier` to run for this candidate; every other one goes to result.items_skipped."""
    case, cand = ctx.case, ctx.cand_name
    chosen = []
    for item in items:
        skip = case.declared_skip(tier, item.name, cand)
        if skip is not None:
            result.skip(item.name, f"declared by the case (since version {skip.since}): {skip.reason}", "declared")
        elif not case.applies(item, cand):
            result.skip(item.name, f"the case runs it only for {', '.join(item.candidates)}", "declared")
        elif ctx.config.only and item.name not in ctx.config.only:
            result.skip(item.name, "not selected by --only", "option")
        else:
            chosen.append(item)
    names = {item.name for item in items}
    for skip in case.declared_skips:
        if skip.tier == tier and skip.item not in names:
            result.notes.append(f"declared skip '{skip.item}' names no {tier} item of case '{case.name}'")
    return chosen


def skip_rest(result: TierResult, items: Sequence[Any], reason: str) -> None:
    """Record every item of `items` as skipped for `reason` (undeclared: the tier is not certified)."""
    for item in items:
        result.skip(item.name, reason)


def case_items(case: Case, tier: str) -> list[str]:
    """The names of the items `tier` would run for `case` (before any skip): for tiers the run never reached."""
    if tier == "property":
        return [i.name for i in [*case.components, *case.invariants]]
    if tier == "interaction":
        return [s.name for s in case.scenarios] + ([STATEFUL] if case.scenarios else [])
    if tier == "rollout":
        return ["episodes"]
    if tier == "transfer":
        return ["trained on ref", "trained on cand"] if case.transfer is not None else []
    return []


def not_reached(case: Case, tier: str, reason: str) -> TierResult:
    """A tier the run never started: every item it would have run is listed as skipped for `reason`."""
    result = TierResult(tier=tier, status="incomplete", notes=[f"not run: {reason}"])
    for name in case_items(case, tier):
        result.skip(name, reason)
    if not result.items_skipped:
        result.status = "not applicable"
    return result
