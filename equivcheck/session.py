"""One comparison run: the chosen tiers over a RunContext, and the report they produce.

`run_diff` is what the CLI's `diff`, the gate and the pytest plugin call. Whatever happens (a
setup error, an interrupt), the report of what finished is kept and returned.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from equivcheck.context import TIERS, RunConfig, RunContext, adapter_versions, build_context
from equivcheck.errors import EquivcheckError, VacuousRunError
from equivcheck.policies import describe as describe_policy
from equivcheck.report.model import Report, TierResult
from equivcheck.tiers import interaction, property as property_tier, rollout_driver, transfer
from equivcheck.tiers.items import not_reached

__all__ = ["TIERS", "RunConfig", "RunContext", "adapter_versions", "build_context", "run_diff"]


def run_diff(ctx: RunContext) -> Report:
    """Run the configured tiers and return the report (status, divergences, coverage, timings)."""
    cfg = ctx.config
    report = Report(
        case=ctx.case.name,
        ref=ctx.ref_name,
        cand=ctx.cand_name,
        master_seed=cfg.master_seed,
        config={k: (str(v) if isinstance(v, Path) else v) for k, v in cfg.__dict__.items()},
        started=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        known_differences=ctx.case.schema.describe_known(),
        declared_skips=[skip.describe() for skip in ctx.case.declared_skips],
        fields_compared=ctx.case.schema.describe_compared(),
        fields_ignored=ctx.case.schema.describe_ignored(),
        policy=describe_policy(ctx.case.policy) if "rollout" in cfg.tiers else "",
    )
    report.repro = ctx.diff_command()
    start = time.perf_counter()
    runners: dict[str, Callable[[RunContext, Report], TierResult]] = {
        "property": property_tier.run,
        "interaction": interaction.run,
        "rollout": rollout_driver.run,
        "transfer": transfer.run,
    }
    try:
        report.versions = ctx.versions
        for tier in cfg.tiers:
            if cfg.deadline is not None and time.time() > cfg.deadline:
                report.error = f"budget exhausted before the {tier} tier; the report holds the tiers that ran"
                break
            result = runners[tier](ctx, report)
            if not any(t is result for t in report.tiers):
                report.tiers.append(result)
        if report.tiers and all(t.status == "not applicable" for t in report.tiers):
            raise VacuousRunError(f"case '{ctx.case.name}' has nothing to run in tier(s) {', '.join(cfg.tiers)} "
                                  f"for '{ctx.cand_name}'; nothing was certified")
        unmet = [name for name, ok in report.liveness.items() if not ok]
        if unmet and not report.divergences:
            raise VacuousRunError(
                f"the reference's rollouts did not meet liveness conditions: {', '.join(unmet)}; "
                "nothing was certified (run more episodes or steps, or check the reference really moves)"
            )
    except VacuousRunError as exc:
        report.error = f"vacuous run: {exc}"
    except EquivcheckError as exc:
        report.error = str(exc)
    except KeyboardInterrupt:
        report.error = "interrupted; the report holds what finished"
    except Exception as exc:  # noqa: BLE001 - an unexpected fault must not lose the finished work
        report.error = f"internal error: {type(exc).__name__}: {exc}"
    finally:
        reached = {t.tier for t in report.tiers}
        for tier in cfg.tiers:
            if tier not in reached:
                report.tiers.append(not_reached(ctx.case, tier, report.error or "the run stopped before this tier"))
        report.seconds = time.perf_counter() - start
    return report
