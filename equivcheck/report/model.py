"""The report's data model: plain dataclasses that the JSON, Markdown and HTML renderers read.

REPORT_SCHEMA_VERSION changes whenever a field is renamed or removed; docs/report-schema.md
documents every field.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

REPORT_SCHEMA_VERSION = "1.1"


@dataclass
class FieldDiff:
    """One field that disagrees: where, both values, and how it was judged."""

    path: str
    ref: Any
    cand: Any
    kind: str = "value"
    oracle: str = "exact"
    error: float | None = None


@dataclass
class Shrink:
    """How a failing input was minimised."""

    original_steps: int
    shrunk_steps: int
    actions: list[Any]
    replays: int
    seconds: float


@dataclass
class Divergence:
    """One disagreement, with everything needed to understand and replay it."""

    case: str
    tier: str
    runner: str
    ref: str
    cand: str
    master_seed: int
    episode: int
    episode_seed: int | None
    step: int
    diffs: list[FieldDiff]
    action: Any = None
    actions: list[Any] = field(default_factory=list)
    state_before: dict[str, Any] | None = None
    ref_state: dict[str, Any] | None = None
    cand_state: dict[str, Any] | None = None
    crash: str | None = None
    shrink: Shrink | None = None
    repro: str = ""
    corpus_file: str | None = None
    detail: str = ""
    error_curve: dict[str, list[float]] = field(default_factory=dict)
    evidence: Any = None

    def headline(self) -> str:
        """One line: where and what."""
        if self.crash:
            return f"{self.tier}/{self.runner} episode {self.episode} step {self.step}: {self.crash}"
        first = self.diffs[0] if self.diffs else None
        what = f"{first.path}: ref={_short(first.ref)} cand={_short(first.cand)}" if first else self.detail
        more = f" (+{len(self.diffs) - 1} more fields)" if len(self.diffs) > 1 else ""
        return f"{self.tier}/{self.runner} episode {self.episode} step {self.step}: {what}{more}"


SKIP_KINDS = ("declared", "option", "undeclared")
"""Why an item did not run: the case declares it, the run's own options (--only, a divergence already
found), or anything else (a missing capability, the budget): an undeclared skip certifies nothing."""


@dataclass
class SkippedItem:
    """One item of a tier that did not run, and why."""

    item: str
    reason: str
    kind: str = "undeclared"


@dataclass
class Headroom:
    """A float field's largest error over the run against its oracle's tolerance."""

    oracle: str
    max_error: float
    tolerance: float | None = None

    @property
    def used(self) -> float | None:
        """max_error / tolerance (1.0 means the tolerance was reached); None without a fixed tolerance."""
        if self.tolerance is None:
            return None
        if self.tolerance == 0:
            return 0.0 if self.max_error == 0 else math.inf
        return self.max_error / self.tolerance


@dataclass
class TierResult:
    """What one tier compared and found, and exactly which items it ran and skipped."""

    tier: str
    runner: str = ""
    status: str = "equivalent"
    episodes: int = 0
    steps: int = 0
    examples: int = 0
    fields: int = 0
    seconds: float = 0.0
    divergences: list[Divergence] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)
    items_run: dict[str, int] = field(default_factory=dict)
    items_skipped: list[SkippedItem] = field(default_factory=list)
    headroom: dict[str, Headroom] = field(default_factory=dict)

    def skip(self, item: str, reason: str, kind: str = "undeclared") -> None:
        """Record an item that did not run."""
        self.items_skipped.append(SkippedItem(item, reason, kind))

    def ran(self, item: str, count: int = 1) -> None:
        """Record that `item` ran `count` more times."""
        self.items_run[item] = self.items_run.get(item, 0) + count

    def undeclared_skips(self) -> list[SkippedItem]:
        """Skipped items the case did not declare (each one leaves the tier not certified)."""
        return [s for s in self.items_skipped if s.kind == "undeclared"]

    def settle(self) -> None:
        """Final status from what was found: divergent, incomplete (an undeclared skip), else equivalent."""
        if self.divergences:
            self.status = "divergent"
        elif self.undeclared_skips():
            self.status = "incomplete"
        elif self.status not in ("incomplete", "error"):
            self.status = "equivalent" if self.items_run else "not applicable"


@dataclass
class Report:
    """The outcome of a run: verdict, per-tier results, versions, coverage and timings."""

    case: str
    ref: str
    cand: str
    master_seed: int
    config: dict[str, Any] = field(default_factory=dict)
    versions: dict[str, dict[str, str]] = field(default_factory=dict)
    tiers: list[TierResult] = field(default_factory=list)
    liveness: dict[str, bool] = field(default_factory=dict)
    known_differences: list[dict[str, str]] = field(default_factory=list)
    declared_skips: list[dict[str, str]] = field(default_factory=list)
    fields_compared: list[dict[str, str]] = field(default_factory=list)
    fields_ignored: list[dict[str, str]] = field(default_factory=list)
    policy: str = ""
    coverage: dict[str, int] = field(default_factory=dict)
    error: str | None = None
    seconds: float = 0.0
    started: str = ""
    repro: str = ""
    schema_version: str = REPORT_SCHEMA_VERSION

    @property
    def divergences(self) -> list[Divergence]:
        """All divergences across tiers."""
        return [d for t in self.tiers for d in t.divergences]

    @property
    def status(self) -> str:
        """'error' (nothing certified), 'divergent', or 'equivalent'."""
        if self.error:
            return "error"
        if any(t.status == "divergent" for t in self.tiers) or self.divergences:
            return "divergent"
        if any(t.status in ("error", "incomplete") for t in self.tiers):
            return "error"
        return "equivalent"

    def items_pin(self) -> dict[str, Any]:
        """The items each tier ran, in the form a gate file pins them (`[pair.items]`).

        L1/L2/L4 items pin by name (each must run again); the rollout tier pins its episode count;
        `fields` pins how many fields were compared, `liveness` the conditions checked.
        """
        pins: dict[str, Any] = {}
        for tier in self.tiers:
            if not tier.items_run:
                continue
            if tier.tier == "rollout":
                pins[tier.tier] = dict(tier.items_run)
            else:
                pins[tier.tier] = list(tier.items_run)
        if pins and self.fields_compared:
            pins["fields"] = len(self.fields_compared)
        if pins and self.liveness:
            pins["liveness"] = list(self.liveness)
        return pins

    @property
    def exit_code(self) -> int:
        """0 equivalent, 1 divergence, 2 error."""
        return {"equivalent": 0, "divergent": 1}.get(self.status, 2)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (numpy values become lists and numbers)."""
        data = jsonable(dataclasses.asdict(self))
        for tier, out in zip(self.tiers, data["tiers"], strict=True):
            for name, room in tier.headroom.items():
                out["headroom"][name]["used"] = jsonable(room.used)
        data["status"] = self.status
        data["exit_code"] = self.exit_code
        return data


def jsonable(value: Any) -> Any:
    """Convert numpy and other values to JSON-safe Python (NaN and inf become strings)."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, np.generic):
        return jsonable(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if isinstance(value, bytes):
        return value.hex()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return repr(value)


def _short(value: Any, limit: int = 60) -> str:
    text = str(value) if isinstance(value, np.generic) else repr(jsonable(value))
    return text if len(text) <= limit else text[: limit - 3] + "..."
