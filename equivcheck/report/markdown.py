"""Markdown rendering of a Report: one screen for a repair agent or a pull-request comment.

Also holds the value-formatting helpers that the HTML renderer shares.
"""

from __future__ import annotations

import dataclasses
import re
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np

from equivcheck.report.model import Divergence, FieldDiff, Report, TierResult

__all__ = [
    "action_history",
    "headroom_rows",
    "items_text",
    "pin_toml",
    "array_diff_summary",
    "flatten_state",
    "format_error",
    "format_value",
    "state_before_rows",
    "tier_line",
    "to_markdown",
    "verdict",
    "version_text",
]

MAX_DIVERGENCES = 3
MAX_DIFF_ROWS = 12
MAX_RECENT_ACTIONS = 8
EXTRA_STATE_FIELDS = 4
VALUE_WIDTH = 60
ACTIONS_WIDTH = 160
MAX_ITEMS = 50
MAX_FIELD_NAMES = 40


def verdict(report: Report) -> str:
    """EQUIVALENT, DIVERGENT or ERROR."""
    return report.status.upper()


def format_value(value: Any, limit: int | None = VALUE_WIDTH) -> str:
    """Compact one-line text for a state value: floats round-trip, arrays carry dtype and shape."""
    text = _fmt(value)
    if limit is not None and len(text) > limit:
        return text[: max(limit - 3, 1)] + "..."
    return text


def _fmt(value: Any) -> str:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _fmt(dataclasses.asdict(value))
    if isinstance(value, np.ndarray):
        return _fmt_array(value)
    if isinstance(value, np.generic):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, bytes | bytearray):
        return "0x" + bytes(value[:MAX_ITEMS]).hex() + ("..." if len(value) > MAX_ITEMS else "")
    if isinstance(value, Mapping):
        items = [f"{_fmt_key(k)}: {_fmt(v)}" for k, v in list(value.items())[:MAX_ITEMS]]
        return "{" + ", ".join(items) + (", ..." if len(value) > MAX_ITEMS else "") + "}"
    if isinstance(value, list | tuple):
        items = [_fmt(v) for v in value[:MAX_ITEMS]]
        body = ", ".join(items) + (", ..." if len(value) > MAX_ITEMS else "")
        return f"({body})" if isinstance(value, tuple) else f"[{body}]"
    return repr(value) if value is not None and not isinstance(value, bool | int) else str(value)


def _fmt_key(key: Any) -> str:
    return key if isinstance(key, str) else _fmt(key)


def _fmt_array(arr: np.ndarray) -> str:
    shape = ",".join(str(n) for n in arr.shape)
    if arr.dtype == object:
        body = _fmt(arr.tolist())
    else:
        body = np.array2string(
            arr, separator=", ", floatmode="unique", threshold=MAX_ITEMS, edgeitems=4, max_line_width=1 << 30
        )
        body = re.sub(r"\s*\n\s*", " ", body)
        if arr.dtype.kind in "biufc":
            body = re.sub(r" +([,\]])", r"\1", re.sub(r" {2,}", " ", body)).replace("[ ", "[")
    return f"{arr.dtype}[{shape}] {body}"


def format_error(error: float | None) -> str:
    """The oracle's distance: '-' when none applies."""
    if error is None:
        return "-"
    return f"{error:.3g}"


def dtype_name(value: Any) -> str:
    """numpy dtype or Python type name of a value, for dtype divergences."""
    dtype = getattr(value, "dtype", None)
    return str(dtype) if dtype is not None else type(value).__name__


def array_diff_summary(ref: Any, cand: Any) -> str | None:
    """For array-valued fields: how many elements differ and the first one; None for scalars."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r, c = np.asarray(ref), np.asarray(cand)
            if r.ndim == 0 and c.ndim == 0:
                return None
            if r.shape != c.shape:
                return f"shape {r.shape} vs {c.shape}"
            neq = np.asarray(r != c)
            if r.dtype.kind in "fc" and c.dtype.kind in "fc":
                neq &= ~(np.isnan(r) & np.isnan(c))
    except (TypeError, ValueError):
        return None
    if neq.shape != r.shape:
        return None
    count = int(neq.sum())
    if count == 0:
        return f"elements equal, dtype {r.dtype} vs {c.dtype}" if r.dtype != c.dtype else None
    index = tuple(int(i) for i in np.argwhere(neq)[0])
    where = ", ".join(map(str, index))
    return (
        f"{count} of {r.size} elements differ; first at [{where}]: "
        f"ref {format_value(r[index], 30)}, cand {format_value(c[index], 30)}"
    )


def version_text(report: Report, role: str, width: int | None = 32) -> str:
    """'name version (key=value, ...)' for the reference ('ref') or the candidate ('cand')."""
    name = report.ref if role == "ref" else report.cand
    info = report.versions.get(role) or report.versions.get(name) or {}
    version = info.get("version")
    rest = [f"{k}={_clip(str(v), width)}" for k, v in info.items() if k != "version" and v not in (None, "", name)]
    text = name + (f" {version}" if version else "")
    return text + (f" ({', '.join(rest)})" if rest else "")


def _clip(text: str, width: int | None) -> str:
    return text if width is None or len(text) <= width else text[: width - 3] + "..."


def tier_name(tier: TierResult) -> str:
    """'rollout/lockstep', or the bare tier when it has no runner."""
    return f"{tier.tier}/{tier.runner}" if tier.runner else tier.tier


def tier_line(tier: TierResult) -> str:
    """One line: status, items, episodes, steps, examples, fields, seconds, divergences, skipped items."""
    if tier.status == "not applicable" and not tier.items_skipped:
        return f"{tier_name(tier)}: NOT APPLICABLE"
    parts = [f"{len(tier.items_run):,} item{'s' if len(tier.items_run) != 1 else ''}"] if tier.items_run else []
    if tier.episodes or tier.steps or not tier.examples:
        parts += [f"{tier.episodes:,} episodes", f"{tier.steps:,} steps"]
    if tier.examples:
        parts.append(f"{tier.examples:,} examples")
    parts += [f"{tier.fields:,} fields", f"{tier.seconds:.2f} s"]
    if tier.divergences:
        parts.append(f"{len(tier.divergences)} divergence{'s' if len(tier.divergences) != 1 else ''}")
    if tier.items_skipped:
        undeclared = len(tier.undeclared_skips())
        parts.append(f"{len(tier.items_skipped)} skipped" + (f" ({undeclared} undeclared)" if undeclared else ""))
    return f"{tier_name(tier)}: {tier.status.upper()}: " + ", ".join(parts)


def flatten_state(state: Mapping[str, Any] | None, prefix: str = "") -> dict[str, Any]:
    """Nested dicts become dotted paths; other values stay as they are."""
    out: dict[str, Any] = {}
    for key, value in (state or {}).items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            out.update(flatten_state(value, path + "."))
        else:
            out[path] = value
    return out


def _state_key(path: str, keys: Mapping[str, Any]) -> str | None:
    if path in keys:
        return path
    candidates = [k for k in keys if path.startswith(k) and path[len(k) : len(k) + 1] in (".", "[", "/")]
    return max(candidates, key=len) if candidates else None


def diff_keys(div: Divergence, state: Mapping[str, Any]) -> set[str]:
    """Keys of a flattened state that hold a differing field (exactly, or as a parent path)."""
    keys = set()
    for d in div.diffs:
        key = _state_key(d.path, state)
        if key is not None:
            keys.add(key)
        keys.update(k for k in state if k.startswith(d.path + ".") or k.startswith(d.path + "["))
    return keys


def state_before_rows(div: Divergence, extra: int = EXTRA_STATE_FIELDS) -> list[tuple[str, Any, bool]]:
    """(path, value one step before, differs) for the differing fields, then `extra` other fields."""
    before = flatten_state(div.state_before)
    if not before:
        return []
    rows: list[tuple[str, Any, bool]] = []
    seen: set[str] = set()
    for d in div.diffs:
        key = _state_key(d.path, before)
        if key is not None and key not in seen:
            rows.append((key, before[key], True))
            seen.add(key)
    others = [k for k in before if k not in seen]
    rows += [(k, before[k], False) for k in others[:extra]]
    return rows


def action_history(div: Divergence, count: int = MAX_RECENT_ACTIONS) -> tuple[Any, int, list[Any]]:
    """(action of the divergent step, step number of the first earlier action shown, earlier actions).

    `div.actions` is the history up to and including the divergent step's action, so its last entry is
    step `div.step` and entry i is step `div.step - len(actions) + 1 + i` (i + 1 for a full history).
    """
    actions = list(div.actions or [])
    action = div.action
    if actions and (action is not None or div.step >= 1):
        if action is None:
            action = actions[-1]
        actions = actions[:-1]
    first = div.step - len(actions)
    shown = actions[-count:] if count > 0 else []
    return action, first + len(actions) - len(shown), shown


def _code(text: str) -> str:
    text = text.replace("|", "\\|").replace("\n", " ")
    if "`" not in text:
        return f"`{text}`"
    return f"`` {text} ``"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _diff_rows(diffs: list[FieldDiff]) -> list[str]:
    rows = ["| field | ref | cand | oracle | error |", "|---|---|---|---|---|"]
    for d in diffs[:MAX_DIFF_ROWS]:
        field = _code(d.path) + (f" ({_cell(d.kind)})" if d.kind != "value" else "")
        ref, cand = format_value(d.ref), format_value(d.cand)
        if d.kind == "dtype":
            ref, cand = f"{ref} ({dtype_name(d.ref)})", f"{cand} ({dtype_name(d.cand)})"
        rows.append(f"| {field} | {_code(ref)} | {_code(cand)} | {_cell(d.oracle)} | {format_error(d.error)} |")
    if len(diffs) > MAX_DIFF_ROWS:
        rows.append(f"| ... {len(diffs) - MAX_DIFF_ROWS} more fields | | | | |")
    return rows


def _fence(text: str, lang: str = "") -> list[str]:
    fence = "````" if "```" in text else "```"
    return [f"{fence}{lang}", text.rstrip("\n"), fence]


def _recent(earlier: list[Any], budget: int = ACTIONS_WIDTH) -> list[str]:
    texts: list[str] = []
    for action in reversed(earlier):
        text = format_value(action, VALUE_WIDTH)
        if texts and sum(len(t) + 2 for t in texts) + len(text) > budget:
            break
        texts.append(text)
    return texts[::-1]


def _divergence(index: int, total: int, div: Divergence, full: bool = True) -> list[str]:
    seed = f" (seed {div.episode_seed})" if div.episode_seed is not None else ""
    runner = f"/{div.runner}" if div.runner else ""
    lines = [f"### {index}/{total}. {div.tier}{runner}: episode {div.episode}{seed}, step {div.step}", ""]
    if div.crash:
        crash_lines = div.crash.strip().splitlines()
        lines += [f"**Crash:** {_cell(crash_lines[-1] if crash_lines else div.crash)}", ""]
        if len(crash_lines) > 1:
            lines += [*_fence("\n".join(crash_lines[-12:])), ""]
    if div.detail:
        lines += [_cell(div.detail), ""]
    if div.diffs:
        lines += [*_diff_rows(div.diffs), ""]
        notes = [(d.path, array_diff_summary(d.ref, d.cand)) for d in div.diffs[:MAX_DIFF_ROWS]]
        lines += [f"- {_code(path)}: {note}" for path, note in notes if note]
        if any(note for _, note in notes):
            lines.append("")
    action, start, earlier = action_history(div)
    if action is not None or earlier:
        text = f"Action at step {div.step}: {_code(format_value(action))}"
        recent = _recent(earlier)
        if recent:
            start += len(earlier) - len(recent)
            text += f"; before it (steps {start}-{div.step - 1}): {_code(', '.join(recent))}"
            if start > 1:
                text += f" ({start - 1} earlier not shown)"
        lines += [text, ""]
    before = state_before_rows(div) if full else []
    if before:
        lines += [f"State at step {div.step - 1} (before; * = differing field):", "", "| field | value |", "|---|---|"]
        lines += [f"| {_code(k)}{' *' if hot else ''} | {_code(format_value(v))} |" for k, v, hot in before]
        lines.append("")
    if div.shrink and full:
        s = div.shrink
        lines += [
            f"Shrunk: {s.original_steps} -> {s.shrunk_steps} steps ({s.replays} replays, {s.seconds:.2f} s); "
            f"actions {_code(format_value(s.actions, 120))}",
            "",
        ]
    if div.corpus_file:
        lines += [f"Saved: {_code(div.corpus_file)}", ""]
    if div.repro:
        lines += ["Repro:", "", *_fence(div.repro, "sh"), ""]
    return lines


def _known(diff: Mapping[str, Any]) -> str:
    head = diff.get("field") or diff.get("path")
    rest = [f"{k}: {v}" for k, v in diff.items() if k not in ("field", "path")]
    text = (f"{_code(str(head))}: " if head else "") + "; ".join(_cell(str(r)) for r in rest)
    return f"- {text}"


def headroom_rows(report: Report) -> list[tuple[str, str, str, str, str]]:
    """(field, oracle, largest error, tolerance, share of the tolerance used) per float field the rollouts tracked."""
    rows = []
    for tier in report.tiers:
        for path, room in tier.headroom.items():
            used = room.used
            share = "-" if used is None else f"{used:.1%}"
            tol = "-" if room.tolerance is None else f"{room.tolerance:g}"
            rows.append((path, room.oracle, format_error(room.max_error), tol, share))
    return rows


def items_text(items: Mapping[str, int]) -> str:
    """`name` xcount, ... for a tier's items_run."""
    return ", ".join(f"{_code(name)} x{count:,}" for name, count in items.items())


def pin_toml(report: Report) -> str:
    """The items this run covered as a gate file's `[pair.items]` table (pin them so a later run cannot cover less)."""
    import json

    lines = ["[pair.items]"]
    for tier, pin in report.items_pin().items():
        if isinstance(pin, int):
            lines.append(f"{tier} = {pin}")
        elif isinstance(pin, dict):
            body = ", ".join(f"{json.dumps(k)} = {v}" for k, v in pin.items())
            lines.append(f"{tier} = {{ {body} }}")
        else:
            lines.append(f"{tier} = [{', '.join(json.dumps(name) for name in pin)}]")
    return "\n".join(lines)


def _skipped(report: Report) -> list[str]:
    """Every item that did not run, tier by tier, with its reason."""
    lines = []
    for tier in report.tiers:
        lines += [f"- {tier_name(tier)}: skipped {_code(s.item)} ({s.kind}): {_cell(s.reason)}" for s in tier.items_skipped]
    return ["Items not run:", "", *lines, ""] if lines else []


def _certified(report: Report) -> list[str]:
    """What the run compared and how close it came: fields, policy, headroom, items, coverage, declared limits.

    In full for an equivalent report; otherwise (the divergence comes first) only the items that did not run.
    """
    if report.status != "equivalent":
        return _skipped(report) + ["_What was compared (fields, policy, headroom, items, coverage): "
                                   "see the JSON or HTML report._"]
    lines: list[str] = []
    if report.fields_compared:
        names = [f["field"] for f in report.fields_compared]
        shown = ", ".join(_code(n) for n in names[:MAX_FIELD_NAMES])
        more = f" ... ({len(names) - MAX_FIELD_NAMES} more in the JSON report)" if len(names) > MAX_FIELD_NAMES else ""
        lines += [f"Fields compared ({len(names)}): {shown}{more}", ""]
        approx = [f for f in report.fields_compared if f["oracle"] != "exact"]
        if approx:
            lines += ["Not compared exactly: " + "; ".join(f"{_code(f['field'])} {_cell(f['oracle'])}" for f in approx), ""]
    if report.fields_ignored:
        lines += ["Fields ignored:", ""]
        lines += [f"- {_code(f['field'])} ({_cell(f['id'])}): {_cell(f['reason'])}" for f in report.fields_ignored]
        lines.append("")
    if report.policy:
        lines += [f"Action policy: {_cell(report.policy)}", ""]
    rows = headroom_rows(report)
    if rows:
        lines += ["Headroom (largest error seen against the tolerance):", "",
                  "| field | oracle | largest error | tolerance | used |", "|---|---|---|---|---|"]
        lines += [f"| {_code(f)} | {_cell(o)} | {e} | {t} | {u} |" for f, o, e, t, u in rows]
        lines.append("")
    listed = [t for t in report.tiers if t.items_run or t.items_skipped]
    if listed:
        lines += ["Items run:", ""]
        for tier in listed:
            lines.append(f"- {tier_name(tier)}: {items_text(tier.items_run) or 'none'}")
            lines += [f"  - skipped {_code(s.item)} ({s.kind}): {_cell(s.reason)}" for s in tier.items_skipped]
        lines.append("")
    if report.coverage:
        lines += ["Coverage (reference rollouts: how often each event happened):", "", "| event | count |", "|---|---|"]
        lines += [f"| {_cell(event)} | {count:,}{' (never seen)' if count == 0 else ''} |"
                  for event, count in report.coverage.items()]
        lines.append("")
    if report.declared_skips:
        lines += ["Declared skips (what the case does not test):", ""]
        lines += [f"- {s.get('tier', '')} {_code(s.get('item', ''))} for {_cell(s.get('candidates', ''))} "
                  f"(since version {_cell(s.get('since', ''))}): {_cell(s.get('reason', ''))}" for s in report.declared_skips]
        lines.append("")
    if report.items_pin():
        lines += ["Pin these items in a gate file (`equivcheck gate`) so no later run covers less:", "",
                  *_fence(pin_toml(report), "toml"), ""]
    return lines


def to_markdown(report: Report, max_divergences: int = MAX_DIVERGENCES) -> str:
    """One screen: verdict, versions, seed, per-tier lines, the first divergence in full and the next few
    compactly (no state before or shrink), the known differences, then what was certified (fields, policy,
    headroom, items, coverage, declared skips, a gate pin)."""
    divs = report.divergences
    lines = [
        f"## equivcheck {report.case}: {verdict(report)} (exit {report.exit_code})",
        "",
        f"ref {_code(version_text(report, 'ref'))} vs cand {_code(version_text(report, 'cand'))}; "
        f"master seed {_code(str(report.master_seed))}; {len(divs)} divergence{'s' if len(divs) != 1 else ''}; "
        f"{report.seconds:.2f} s" + (f"; started {report.started}" if report.started else ""),
        "",
    ]
    if report.error:
        lines += [f"**Error:** {_cell(report.error)}", ""]
    if report.repro:
        lines += [f"Run: {_code(report.repro)}", ""]
    if report.tiers:
        for tier in report.tiers:
            lines.append(f"- {tier_line(tier)}")
            lines += [f"  - {_cell(note)}" for note in tier.notes[:3]]
            if len(tier.notes) > 3:
                lines.append(f"  - ... {len(tier.notes) - 3} more notes")
    else:
        lines.append("- no tier ran")
    lines.append("")
    if report.liveness:
        failing = [k for k, ok in report.liveness.items() if not ok]
        met = len(report.liveness) - len(failing)
        text = f"Liveness: {met}/{len(report.liveness)} conditions met"
        lines += [text + (f"; failing: {', '.join(_code(k) for k in failing)}" if failing else ""), ""]
    for i, div in enumerate(divs[:max_divergences], 1):
        lines += _divergence(i, len(divs), div, full=i == 1)
    if len(divs) > max_divergences:
        hidden = len(divs) - max_divergences
        lines += [f"_{hidden} more divergence{'s' if hidden != 1 else ''} not shown ({len(divs)} in all); "
                  "see the JSON or HTML report._", ""]
    if report.known_differences:
        lines += ["Known differences (accepted):", ""]
        lines += [_known(k) for k in report.known_differences]
        lines.append("")
    lines += _certified(report)
    return "\n".join(lines).rstrip("\n") + "\n"
