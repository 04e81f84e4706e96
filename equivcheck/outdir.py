"""Where reports go: the directory is proven writable before any work, and a failed write falls back.

A run that finishes must never lose its verdict because the report directory was wrong: the
directory is checked up front (a one-line ReportDirError, exit 2), and when writing still fails
at the end the reports go to a fresh temporary directory that the caller names to the user.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from equivcheck.errors import ReportDirError
from equivcheck.report.model import Report

FALLBACK_PREFIX = "equivcheck-reports-"
"""Prefix of the temporary directory that receives reports when the asked-for one fails."""


def check_writable(directory: Path, what: str = "--report-dir") -> Path:
    """Create `directory` if needed and write a probe file into it; ReportDirError (one line) when not possible."""
    path = Path(directory)
    for folder in (path, *path.parents):
        if folder.exists() and not folder.is_dir():
            where = "is a file" if folder == path else f"sits under {folder}, which is a file"
            raise ReportDirError(f"{what} {path} {where}; choose a directory")
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".equivcheck-probe-"):
            pass
    except OSError as exc:
        raise ReportDirError(f"{what} {path} is not writable: {exc.strerror or exc}") from None
    return path


def write_reports_or_fallback(report: Report, directory: Path, stem: str | None = None,
                              warn: Callable[[str], None] | None = None) -> dict[str, Path]:
    """write_reports into `directory`; when that fails, into a new temporary directory (said through `warn`).

    Returns the written paths ({} when even the fallback failed: the caller still prints the verdict).
    """
    from equivcheck.report import write_reports

    try:
        return write_reports(report, directory, stem)
    except Exception as exc:  # noqa: BLE001 - the verdict must survive any failure to write
        first = _reason(exc)
        try:
            fallback = Path(tempfile.mkdtemp(prefix=FALLBACK_PREFIX))
            paths = write_reports(report, fallback, stem)
        except Exception as again:  # noqa: BLE001
            _say(warn, f"could not write the reports to {directory} ({first}) nor to a temporary directory "
                       f"({_reason(again)})")
            return {}
        _say(warn, f"could not write the reports to {directory} ({first}); wrote them to {fallback} instead")
        return paths


def _reason(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or str(exc)
    return f"{type(exc).__name__}: {(str(text).splitlines() or [''])[0]}"


def _say(warn: Callable[[str], None] | None, message: str) -> None:
    if warn is not None:
        warn(message)
