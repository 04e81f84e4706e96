"""Failures saved as replayable JSON files; replayed by `equivcheck replay` and the pytest plugin."""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from equivcheck import __version__
from equivcheck.errors import UsageError
from equivcheck.report.model import jsonable

FORMAT = "equivcheck-replay/1"


@dataclass
class ReplayFile:
    """Everything needed to rerun one failure: which pair, which tier, which start, which inputs."""

    case: str
    ref: str
    cand: str
    tier: str
    runner: str
    seed: int | None
    actions: list[Any]
    master_seed: int | None = None
    episode: int | None = None
    start: str | None = None
    component: str | None = None
    inputs: Any = None
    expected: dict[str, Any] = field(default_factory=dict)
    created: str = ""
    equivcheck: str = __version__
    versions: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form, with its format tag first."""
        data = {"format": FORMAT}
        data.update(jsonable(self.__dict__))
        return data

    def digest(self) -> str:
        """A short content hash that names the file (same failure, same name)."""
        key = json.dumps(
            jsonable([self.case, self.ref, self.cand, self.tier, self.runner, self.seed, self.actions,
                      self.start, self.component, self.inputs]),
            sort_keys=True,
        )
        return hashlib.sha256(key.encode()).hexdigest()[:12]


def save(entry: ReplayFile, directory: Path) -> Path:
    """Write `entry` into `directory` (created if needed); return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    if not entry.created:
        entry.created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    path = directory / f"{entry.tier}-{entry.cand}-{entry.digest()}.json"
    path.write_text(json.dumps(entry.to_dict(), indent=2) + "\n")
    return path


def load(path: str | Path) -> ReplayFile:
    """Read a replay file; UsageError when it is missing or not one."""
    p = Path(path)
    try:
        data = json.loads(p.read_text())
    except FileNotFoundError as exc:
        raise UsageError(f"replay file not found: {p}") from exc
    except json.JSONDecodeError as exc:
        raise UsageError(f"{p} is not JSON: {exc}") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise UsageError(f"{p} is not an equivcheck replay file (format {FORMAT!r} expected)")
    data.pop("format")
    known = set(ReplayFile.__dataclass_fields__)
    try:
        return ReplayFile(**{k: v for k, v in data.items() if k in known})
    except TypeError as exc:
        raise UsageError(f"{p} lacks a field: {exc}") from exc


def files(directory: Path | None) -> list[Path]:
    """The replay files of a corpus directory, sorted."""
    if directory is None or not directory.is_dir():
        return []
    return sorted(directory.glob("*.json"))
