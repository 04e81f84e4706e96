"""L1 property: reference and candidate components on Hypothesis-drawn inputs, plus invariants.

Hypothesis draws the inputs and shrinks a failure to its smallest example; the master seed
fixes the draws, so a failure replays.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import seed as hypothesis_seed

from equivcheck import seeding
from equivcheck.case import ComponentPair, Invariant
from equivcheck.corpus import ReplayFile
from equivcheck.oracles.base import Oracle
from equivcheck.report.model import Divergence, FieldDiff, Report, TierResult
from equivcheck.schema import KnownDifference
from equivcheck.context import RunContext
from equivcheck.tiers.items import select, skip_rest


def call(fn: Any, inputs: Any, adapter: Any = None) -> Any:
    """Call a component with drawn inputs (a tuple spreads into arguments), the adapter first if bound."""
    args = tuple(inputs) if isinstance(inputs, tuple | list) else (inputs,)
    return fn(adapter, *args) if adapter is not None else fn(*args)


def compare_outputs(oracle: Oracle, ref: Any, cand: Any, prefix: str = "",
                    known: Sequence[KnownDifference] = ()) -> list[FieldDiff]:
    """Diffs between two component outputs; dicts are compared key by key.

    The case's known differences apply to output paths as to snapshot fields: a matching entry
    normalises both values before the check, or (without a normaliser) leaves the path unchecked.
    """
    entry = next((k for k in known if k.matches(prefix)), None) if prefix else None
    if entry is not None:
        if entry.normalise is None:
            return []
        ref, cand = entry.normalise(ref), entry.normalise(cand)
    if isinstance(ref, Mapping) and isinstance(cand, Mapping):
        diffs = []
        for key in sorted(set(ref) | set(cand), key=str):
            path = f"{prefix}.{key}" if prefix else str(key)
            if key not in ref or key not in cand:
                diffs.append(FieldDiff(path, ref.get(key, "<missing>"), cand.get(key, "<missing>"), kind="missing"))
            else:
                diffs.extend(compare_outputs(oracle, ref[key], cand[key], path, known))
        return diffs
    ok, err = oracle.check(ref, cand)
    return [] if ok else [FieldDiff(prefix or "output", ref, cand, oracle=oracle.describe(), error=err)]


def check_pair(pair: ComponentPair, inputs: Any, adapter: Any = None,
               known: Sequence[KnownDifference] = ()) -> list[FieldDiff]:
    """Run both components on `inputs`; a candidate exception the reference does not share is a diff."""
    try:
        ref_out = call(pair.ref, inputs)
    except Exception as exc:  # noqa: BLE001 - reference raising: compare raising behaviour
        ref_out = _Raised(exc)
    try:
        cand_out = call(pair.cand, inputs, adapter if pair.bind else None)
    except Exception as exc:  # noqa: BLE001
        cand_out = _Raised(exc)
    if isinstance(ref_out, _Raised) or isinstance(cand_out, _Raised):
        if isinstance(ref_out, _Raised) and isinstance(cand_out, _Raised):
            return []
        return [FieldDiff(pair.name, repr(ref_out), repr(cand_out), kind="raised")]
    return compare_outputs(pair.oracle, ref_out, cand_out, pair.name, known)


def check_invariant(inv: Invariant, inputs: Any, adapter: Any = None,
                    known: Sequence[KnownDifference] = ()) -> list[FieldDiff]:
    """A violated invariant (it returned False or raised) as one diff; None or True means it holds."""
    try:
        ok = call(inv.check, inputs, adapter if inv.bind else None)
        detail = "returned False"
    except Exception as exc:  # noqa: BLE001
        ok, detail = False, f"raised {type(exc).__name__}: {exc}"
    return [] if ok is not False else [FieldDiff(inv.name, "holds", detail, kind="invariant")]


class _Raised:
    def __init__(self, exc: Exception) -> None:
        self.exc = exc

    def __repr__(self) -> str:
        return f"raised {type(self.exc).__name__}: {self.exc}"


def search(item: ComponentPair | Invariant, master_seed: int, max_examples: int,
           adapter: Any = None, known: Sequence[KnownDifference] = ()) -> tuple[Any, list[FieldDiff], int]:
    """Hypothesis search for a failing input; returns (shrunk input or None, its diffs, examples run)."""
    checker = check_pair if isinstance(item, ComponentPair) else check_invariant
    last: dict[str, Any] = {}
    count = [0]

    @hypothesis_seed(seeding.derive(master_seed, "property", item.name))
    @settings(max_examples=max_examples, database=None, deadline=None,
              suppress_health_check=list(HealthCheck), print_blob=False)
    @given(item.strategy)
    def prop(inputs: Any) -> None:
        count[0] += 1
        diffs = checker(item, inputs, adapter, known)
        if diffs:
            last["inputs"], last["diffs"] = inputs, diffs
            raise AssertionError(diffs[0].path)

    try:
        prop()
    except AssertionError:
        return last.get("inputs"), last.get("diffs", []), count[0]
    return None, [], count[0]


def run(ctx: RunContext, report: Report) -> TierResult:
    """Every component pair and invariant the case runs for the candidate; the others are listed as skipped."""
    case = ctx.case
    result = TierResult(tier="property", runner="hypothesis")
    start = time.perf_counter()
    items = select(ctx, "property", [*case.components, *case.invariants], result)
    if not items:
        result.notes.append(f"case '{case.name}' runs no L1 component or invariant for '{ctx.cand_name}'")
        result.settle()
        return result
    adapter = ctx.make_cand() if any(i.bind for i in items) else None
    try:
        for done, item in enumerate(items):
            if ctx.config.deadline is not None and time.time() > ctx.config.deadline:
                result.notes.append(f"budget exhausted: {done} of {len(items)} components and invariants searched")
                report.error = f"budget exhausted in the property tier ({done} of {len(items)} items searched)"
                skip_rest(result, items[done:], "budget exhausted")
                break
            _search_item(ctx, item, adapter, result)
    finally:
        if adapter is not None:
            adapter.close()
    result.seconds = time.perf_counter() - start
    result.settle()
    return result


def _search_item(ctx: RunContext, item: ComponentPair | Invariant, adapter: Any, result: TierResult) -> None:
    """Search one item and record its shrunk failure, if any, with a replay file."""
    case = ctx.case
    n = ctx.config.max_examples or item.max_examples
    inputs, diffs, count = search(item, ctx.config.master_seed, n, adapter, case.schema.known)
    result.examples += count
    result.fields += 1
    result.ran(item.name, count)
    if inputs is None:
        return
    div = Divergence(
        case=case.name, tier="property", runner=item.name, ref=ctx.ref_name, cand=ctx.cand_name,
        master_seed=ctx.config.master_seed, episode=0, episode_seed=None, step=0, diffs=diffs,
        detail=f"{item.name} on inputs {inputs!r}",
    )
    entry = ReplayFile(case=case.name, ref=ctx.ref_name, cand=ctx.cand_name, tier="property", runner=item.name,
                       seed=None, actions=[], component=item.name, inputs=inputs,
                       master_seed=ctx.config.master_seed, expected={"fields": [d.path for d in diffs]})
    result.divergences.append(ctx.finish_divergence(div, entry))
