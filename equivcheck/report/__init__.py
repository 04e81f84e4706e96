"""Reports of a run: the data model and its JSON, Markdown and HTML renderings."""

from __future__ import annotations

import os
import re
from pathlib import Path

from equivcheck.report.html import to_html
from equivcheck.report.json_report import SchemaVersionError, load_json, to_json, write_json, write_text_atomic
from equivcheck.report.markdown import to_markdown
from equivcheck.report.model import (
    REPORT_SCHEMA_VERSION,
    Divergence,
    FieldDiff,
    Report,
    Shrink,
    TierResult,
    jsonable,
)

__all__ = [
    "REPORT_SCHEMA_VERSION",
    "Divergence",
    "FieldDiff",
    "Report",
    "SchemaVersionError",
    "Shrink",
    "TierResult",
    "default_stem",
    "jsonable",
    "load_json",
    "to_html",
    "to_json",
    "to_markdown",
    "write_json",
    "write_reports",
]


def default_stem(report: Report) -> str:
    """'{case}-{ref}-vs-{cand}', made safe for a file name."""
    return re.sub(r"[^A-Za-z0-9._+-]+", "_", f"{report.case}-{report.ref}-vs-{report.cand}").strip("._") or "report"


def write_reports(report: Report, directory: str | os.PathLike[str], stem: str | None = None) -> dict[str, Path]:
    """Write {stem}.json, {stem}.md and {stem}.html into directory; returns {'json', 'md', 'html'} -> path.

    JSON is written first; a renderer that fails does not stop the others, and is raised afterwards.
    """
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    base = stem or default_stem(report)
    renderers = {"json": to_json, "md": to_markdown, "html": to_html}
    paths: dict[str, Path] = {}
    failures: list[tuple[str, Exception]] = []
    for ext, render in renderers.items():
        try:
            paths[ext] = write_text_atomic(folder / f"{base}.{ext}", render(report))
        except Exception as exc:  # noqa: BLE001 - keep the other renderings, re-raise below
            failures.append((ext, exc))
    if failures:
        names = ", ".join(f"{ext} ({type(exc).__name__}: {exc})" for ext, exc in failures)
        raise RuntimeError(f"report rendering failed for {names}; written: {sorted(paths)}") from failures[0][1]
    return paths
