"""JSON rendering of a Report: the versioned, machine-readable form documented in docs/report-schema.md."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from equivcheck.report.model import REPORT_SCHEMA_VERSION, Report

__all__ = ["SchemaVersionError", "load_json", "to_json", "write_json"]


class SchemaVersionError(ValueError):
    """A report file whose schema_version this code cannot read."""


def to_json(report: Report, indent: int | None = 2) -> str:
    """Strict JSON (non-finite floats are the strings 'nan', 'inf', '-inf'); arrays of numbers stay on one line."""
    data = report.to_dict()
    if indent is None:
        return json.dumps(data, allow_nan=False, ensure_ascii=False, separators=(",", ":")) + "\n"
    return _dump(data, " " * indent, "") + "\n"


def _dump(value: Any, pad: str, current: str) -> str:
    if isinstance(value, dict) and value:
        inner = current + pad
        items = [f"{inner}{_scalar(str(k))}: {_dump(v, pad, inner)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + f"\n{current}}}"
    if isinstance(value, list) and value and not _flat(value):
        inner = current + pad
        return "[\n" + ",\n".join(f"{inner}{_dump(v, pad, inner)}" for v in value) + f"\n{current}]"
    return _scalar(value)


def _flat(value: Any) -> bool:
    if isinstance(value, list):
        return all(_flat(v) for v in value)
    return not isinstance(value, dict)


def _scalar(value: Any) -> str:
    return json.dumps(value, allow_nan=False, ensure_ascii=False, separators=(", ", ": "))


def write_json(report: Report, path: str | os.PathLike[str]) -> Path:
    """Write the report's JSON atomically (temp file then rename), creating parent folders."""
    return write_text_atomic(Path(path), to_json(report))


def load_json(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a report file; raise SchemaVersionError unless its major schema version is ours."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise SchemaVersionError(f"{path}: not a report (top level is {type(data).__name__})")
    check_schema_version(data.get("schema_version"), source=str(path))
    return data


def check_schema_version(version: Any, source: str = "report") -> None:
    """Accept the same major version (1.x for 1.0 readers); newer minors only add fields."""
    if not isinstance(version, str) or not version:
        raise SchemaVersionError(f"{source}: missing schema_version")
    if version.split(".")[0] != REPORT_SCHEMA_VERSION.split(".")[0]:
        raise SchemaVersionError(
            f"{source}: schema_version {version} is not readable by this equivcheck (reads {REPORT_SCHEMA_VERSION})"
        )


def write_text_atomic(path: Path, text: str) -> Path:
    """Write UTF-8 text so a reader never sees a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
