"""Reading the files a user hands the CLI (replay JSON, gate TOML): one-line UsageErrors, never tracebacks.

The schemas themselves live with their files (corpus.ReplaySchema, gate.GateSchema); this module
reads a file as text and turns a pydantic ValidationError into one line naming the field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from equivcheck.errors import UsageError

MAX_FILE_BYTES = 64 * 2**20
"""Larger inputs are refused before parsing (a replay or gate file is kilobytes)."""


def read_text(path: Path, what: str) -> str:
    """The UTF-8 text of `path`; UsageError (one line) when it is missing, a directory, unreadable or binary."""
    try:
        if path.is_dir():
            raise UsageError(f"{path} is a directory, not a {what}")
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise UsageError(f"{path} is {size} bytes, too large for a {what}")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise UsageError(f"{what} not found: {path}") from None
    except OSError as exc:
        raise UsageError(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"{path} is not a {what}: not UTF-8 text") from None


def describe(exc: ValidationError, names: dict[str, str] | None = None) -> str:
    """The first problem of a ValidationError as 'where: what (got value)', plus how many more there are."""
    errors = exc.errors(include_url=False)
    first = errors[0]
    where = _location(first["loc"], names or {})
    msg = first["msg"].removeprefix("Value error, ")
    got = "" if first["type"] in ("missing", "value_error") else f" (got {_short(first.get('input'))})"
    more = f"; and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''}" if len(errors) > 1 else ""
    return f"{where + ': ' if where else ''}{msg}{got}{more}"


def _location(loc: tuple[Any, ...], names: dict[str, str]) -> str:
    """('pair', 1, 'episodes') -> 'pair 2: episodes'; list positions count from 1."""
    parts: list[str] = []
    for part in loc:
        if isinstance(part, int):
            key = parts.pop() if parts else "item"
            label = names.get(key, key)
            parts.append(f"{label} {part + 1}")
        else:
            parts.append(str(part))
    return ": ".join(parts)


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
