"""Self-contained HTML rendering of a Report: inline CSS, inline SVG plots, no external assets."""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from equivcheck.report.markdown import (
    action_history,
    array_diff_summary,
    diff_keys,
    dtype_name,
    flatten_state,
    format_error,
    format_value,
    headroom_rows,
    pin_toml,
    tier_name,
    verdict,
    version_text,
)
from equivcheck.report.model import Divergence, Report, TierResult, jsonable

__all__ = ["error_curve_svg", "oracle_tolerance", "to_html"]

MAX_DIVERGENCES = 20
CELL_WIDTH = 240
TITLE_WIDTH = 4000
MAX_ACTIONS = 64
MAX_SERIES = 8
MAX_POINTS = 2000
PALETTE = ["#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]


@functools.cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("equivcheck.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def to_html(report: Report, max_divergences: int = MAX_DIVERGENCES) -> str:
    """One HTML page: summary, per-tier table and plots, then each divergence side by side (at most 20)."""
    return _environment().get_template("report.html.j2").render(**_context(report, max_divergences))


def _value(value: Any) -> dict[str, str]:
    full = format_value(value, TITLE_WIDTH)
    short = format_value(value, CELL_WIDTH)
    return {"text": short, "title": full if full != short else ""}


def _context(report: Report, max_divergences: int) -> dict[str, Any]:
    divs = report.divergences
    return {
        "report": report,
        "verdict": verdict(report),
        "status": report.status,
        "exit_code": report.exit_code,
        "ref_version": version_text(report, "ref", width=None),
        "cand_version": version_text(report, "cand", width=None),
        "tiers": [_tier(t) for t in report.tiers],
        "liveness": sorted(report.liveness.items(), key=lambda kv: kv[1]),
        "known": [_known(k) for k in report.known_differences],
        "headroom": headroom_rows(report),
        "items": [(tier_name(t), t.items_run, t.items_skipped) for t in report.tiers if t.items_run or t.items_skipped],
        "coverage": list(report.coverage.items()),
        "pin": pin_toml(report) if report.items_pin() else "",
        "divergences": [_divergence(i, d) for i, d in enumerate(divs[:max_divergences], 1)],
        "total_divergences": len(divs),
        "hidden": max(0, len(divs) - max_divergences),
        "config": json.dumps(jsonable(report.config), indent=2, ensure_ascii=False) if report.config else "",
        "versions": json.dumps(jsonable(report.versions), indent=2, ensure_ascii=False) if report.versions else "",
    }


def _known(item: Mapping[str, Any]) -> dict[str, Any]:
    head = item.get("field") or item.get("path") or ""
    rest = [(k, str(v)) for k, v in item.items() if k not in ("field", "path")]
    return {"field": str(head), "rest": rest}


def _tier(tier: TierResult) -> dict[str, Any]:
    curve = tier.stats.get("error_curve")
    if isinstance(curve, Sequence) and not isinstance(curve, str):
        curve = {"error": curve}
    stats = [(k, _value(v)) for k, v in tier.stats.items() if k != "error_curve"]
    return {
        "name": tier_name(tier),
        "tier": tier,
        "stats": stats,
        "divergences": len(tier.divergences),
        "curve": error_curve_svg(curve, title=f"{tier_name(tier)}: error over steps") if curve else None,
    }


def _diff(d: Any) -> dict[str, Any]:
    ref, cand = _value(d.ref), _value(d.cand)
    if d.kind == "dtype":
        ref["text"] += f" ({dtype_name(d.ref)})"
        cand["text"] += f" ({dtype_name(d.cand)})"
    return {
        "path": d.path,
        "kind": d.kind,
        "oracle": d.oracle,
        "error": format_error(d.error),
        "ref": ref,
        "cand": cand,
        "note": array_diff_summary(d.ref, d.cand) or "",
    }


def _state_rows(div: Divergence) -> list[dict[str, Any]]:
    ref, cand, before = flatten_state(div.ref_state), flatten_state(div.cand_state), flatten_state(div.state_before)
    if not ref and not cand:
        ref = {d.path: d.ref for d in div.diffs}
        cand = {d.path: d.cand for d in div.diffs}
    keys = list(dict.fromkeys([*ref, *cand]))
    hot = diff_keys(div, dict.fromkeys(keys))
    missing = object()
    rows = []
    for key in keys:
        r, c, b = ref.get(key, missing), cand.get(key, missing), before.get(key, missing)
        r_val = _value(r) if r is not missing else {"text": "(absent)", "title": ""}
        c_val = _value(c) if c is not missing else {"text": "(absent)", "title": ""}
        b_val = _value(b) if b is not missing else {"text": "" if not before else "(absent)", "title": ""}
        if key in hot:
            cls = "diff"
        elif r_val["text"] != c_val["text"] or r_val["title"] != c_val["title"]:
            cls = "neq"
        else:
            cls = ""
        rows.append({"path": key, "before": b_val, "ref": r_val, "cand": c_val, "cls": cls})
    return rows


def _divergence(index: int, div: Divergence) -> dict[str, Any]:
    action, start, earlier = action_history(div, MAX_ACTIONS)
    tolerances = {d.path: tol for d in div.diffs if (tol := oracle_tolerance(d.oracle)) is not None}
    curve = (
        error_curve_svg(div.error_curve, marker=div.step, title="error over steps", thresholds=tolerances)
        if div.error_curve
        else None
    )
    return {
        "index": index,
        "div": div,
        "headline": div.headline(),
        "diffs": [_diff(d) for d in div.diffs],
        "rows": _state_rows(div),
        "has_before": bool(div.state_before),
        "action": format_value(action, TITLE_WIDTH) if action is not None else "",
        "earlier": [(start + i, format_value(a, 80)) for i, a in enumerate(earlier)],
        "total_actions": len(div.actions or []),
        "shrunk_actions": format_value(div.shrink.actions, TITLE_WIDTH) if div.shrink else "",
        "curve": curve,
    }


def oracle_tolerance(oracle: str) -> float | None:
    """The fixed error bound in an oracle's description ('atol=1e-05 rtol=0', 'ulps<=4'), else None."""
    if m := re.fullmatch(r"atol=(\S+) rtol=(\S+)", oracle.strip()):
        try:
            atol, rtol = float(m.group(1)), float(m.group(2))
        except ValueError:
            return None
        return atol if rtol == 0 else None
    if m := re.fullmatch(r"ulps<=(\d+)", oracle.strip()):
        return float(m.group(1))
    return None


def _series(values: Any) -> np.ndarray | None:
    try:
        arr = np.asarray([math.nan if v is None else float(v) for v in values], dtype=np.float64)
    except (TypeError, ValueError):
        return None
    return arr if arr.size else None


def _downsample(arr: np.ndarray, limit: int) -> tuple[np.ndarray, np.ndarray]:
    if arr.size <= limit:
        return np.arange(arr.size, dtype=np.float64), arr
    bucket = math.ceil(arr.size / limit)
    padded = np.full(math.ceil(arr.size / bucket) * bucket, np.nan)
    padded[: arr.size] = arr
    rows = padded.reshape(-1, bucket)
    filled = np.where(np.isnan(rows), -np.inf, rows)
    peak = filled.max(axis=1)
    peak = np.where(np.isneginf(peak) & np.all(np.isnan(rows), axis=1), np.nan, peak)
    return np.arange(rows.shape[0], dtype=np.float64) * bucket, peak


def _fmt_tick(value: float) -> str:
    return f"{value:.3g}"


def error_curve_svg(
    curves: Mapping[str, Sequence[float]],
    marker: int | None = None,
    title: str = "",
    first_step: int = 1,
    thresholds: Mapping[str, float] | None = None,
    width: int = 640,
    height: int = 240,
) -> Markup | None:
    """Inline SVG plot of error per step for each field (entry i is step first_step + i, marker a step number).

    The y axis is logarithmic when the values are non-negative and span three or more decades;
    `thresholds` (field -> tolerance) are drawn as dashed lines.
    """
    series = {str(k): s for k, v in curves.items() if (s := _series(v)) is not None}
    if not series:
        return None
    peak = {k: float(np.max(np.where(np.isfinite(s), s, -np.inf))) for k, s in series.items()}
    names = sorted(series, key=lambda k: -peak[k] if math.isfinite(peak[k]) else 0.0)[:MAX_SERIES]
    hidden = len(series) - len(names)
    n = max(series[k].size for k in names)
    limits = {k: float(v) for k, v in (thresholds or {}).items() if k in names and math.isfinite(v) and v >= 0}
    finite = np.concatenate([s[np.isfinite(s)] for s in (series[k] for k in names)] + [np.array(list(limits.values()))])
    positive = finite[finite > 0]
    log = bool(positive.size and np.all(finite >= 0) and np.log10(positive.max()) - np.log10(positive.min()) >= 3)
    left, right, top, bottom = 64, 16, 24, 34
    pw, ph = width - left - right, height - top - bottom
    has_zero = bool(np.any(finite <= 0))
    if log:
        decade_lo = max(math.floor(math.log10(positive.min())), -300)
        y_hi = min(max(math.ceil(math.log10(positive.max())), decade_lo + 1), 308)
        y_lo = decade_lo - 1 if has_zero else decade_lo
        floor = 10.0**y_lo
    else:
        y_lo = float(min(0.0, finite.min())) if finite.size else 0.0
        y_hi = float(finite.max()) if finite.size else 1.0
        if y_hi <= y_lo:
            y_hi = y_lo + max(1.0, abs(y_lo))

    def sx(x: float) -> float:
        return left + (pw * x / (n - 1) if n > 1 else pw / 2)

    def sy(y: float) -> float:
        v = math.log10(max(y, floor)) if log else y
        return top + ph * (1.0 - (v / 2 - y_lo / 2) / (y_hi / 2 - y_lo / 2))

    parts = [
        f'<svg class="curve" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">',
        f"<title>{escape(title or 'error over steps')}</title>",
        f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" class="frame"/>',
    ]
    if log:
        step = max(1, math.ceil((y_hi - decade_lo) / 6))
        ticks = [(10.0**e, f"1e{e}") for e in range(y_hi, decade_lo - 1, -step)]
        if has_zero:
            ticks.append((floor, "0"))
    else:
        ticks = [(v, _fmt_tick(v)) for v in (y_lo * (1 - f) + y_hi * f for f in (0.0, 0.25, 0.5, 0.75, 1.0))]
    for value, label in ticks:
        y = sy(value)
        parts.append(f'<line x1="{left}" x2="{left + pw}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>')
        parts.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">{escape(label)}</text>')
    for x in sorted({int(round(v)) for v in np.linspace(0, n - 1, min(n, 5))}):
        parts.append(f'<text x="{sx(x):.1f}" y="{top + ph + 16}" text-anchor="middle">{x + first_step}</text>')
    parts.append(f'<text x="{left + pw / 2:.1f}" y="{height - 2}" text-anchor="middle">step</text>')
    parts.append(f'<text x="{left}" y="{top - 8}">{"log scale" if log else "linear scale"}</text>')
    if marker is not None and 0 <= marker - first_step < n:
        xm = sx(marker - first_step)
        parts.append(f'<line x1="{xm:.1f}" x2="{xm:.1f}" y1="{top}" y2="{top + ph}" class="marker"/>')
        anchor, dx = ("end", -3) if xm > left + 0.8 * pw else ("start", 3)
        parts.append(
            f'<text x="{xm + dx:.1f}" y="{top + 12}" text-anchor="{anchor}" class="marker-label">step {marker}</text>'
        )
    legend = []
    for i, name in enumerate(names):
        color = PALETTE[i % len(PALETTE)]
        xs, ys = _downsample(series[name], MAX_POINTS)
        segment: list[str] = []
        segments = []
        for x, y in zip(xs, ys, strict=True):
            if math.isfinite(y):
                segment.append(f"{sx(x):.1f},{sy(y):.1f}")
            else:
                if segment:
                    segments.append(segment)
                segment = []
                if math.isinf(y):
                    parts.append(f'<circle cx="{sx(x):.1f}" cy="{top}" r="3" fill="{color}"><title>inf</title></circle>')
        if segment:
            segments.append(segment)
        for seg in segments:
            if len(seg) == 1:
                cx, cy = seg[0].split(",")
                parts.append(f'<circle cx="{cx}" cy="{cy}" r="2" fill="{color}"/>')
            else:
                parts.append(f'<polyline points="{" ".join(seg)}" fill="none" stroke="{color}" stroke-width="1.5"/>')
        top_value = "inf" if np.isinf(series[name]).any() else _fmt_tick(peak[name]) if math.isfinite(peak[name]) else "n/a"
        if name in limits:
            yt = sy(limits[name])
            parts.append(
                f'<line x1="{left}" x2="{left + pw}" y1="{yt:.1f}" y2="{yt:.1f}" stroke="{color}" '
                f'stroke-dasharray="2 3" class="tolerance"><title>tolerance {limits[name]:g}</title></line>'
            )
        legend.append(
            f'<span class="swatch" style="background:{color}"></span>{escape(name)} '
            f'<span class="muted">(max {escape(top_value)}'
            + (f", tolerance {limits[name]:g}" if name in limits else "")
            + ")</span>"
        )
    parts.append("</svg>")
    more = f' <span class="muted">+{hidden} more fields</span>' if hidden else ""
    caption = "".join(f'<span class="legend-item">{item}</span>' for item in legend)
    return Markup(f'<figure class="plot">{"".join(parts)}<figcaption>{caption}{more}</figcaption></figure>')
