"""Failures saved as replayable JSON files; replayed by `equivcheck replay` and the pytest plugin."""

from __future__ import annotations

import hashlib
import json
import math
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError, field_validator, model_validator
from pydantic import Field as PydanticField

from equivcheck import __version__
from equivcheck.errors import UsageError
from equivcheck.report.model import jsonable
from equivcheck.seeding import SEED_BITS
from equivcheck.tiers.rollout import RUNNERS
from equivcheck.validation import describe, read_text

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
    """Write `entry` into `directory` (created if needed); return its path.

    When `directory` cannot be written (a read-only install, a file in the way), the file goes to
    FALLBACK_DIR under the system temporary directory instead: a found failure is never lost, and
    the returned path (in the repro command) says where it is.
    """
    if not entry.created:
        entry.created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    name = f"{entry.tier}-{entry.cand}-{entry.digest()}.json"
    text = json.dumps(entry.to_dict(), indent=2) + "\n"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / name
        path.write_text(text)
    except OSError:
        fallback = Path(tempfile.gettempdir()) / FALLBACK_DIR
        fallback.mkdir(parents=True, exist_ok=True)
        path = fallback / name
        path.write_text(text)
    return path


FALLBACK_DIR = "equivcheck-replays"
"""Where replay files go when the corpus (or report) directory cannot be written."""


def _action_ok(action: Any, depth: int = 0) -> bool:
    """An action in a replay file: an integer, a finite number, or a (nested) list of them."""
    if isinstance(action, bool):
        return False
    if isinstance(action, int):
        return True
    if isinstance(action, float):
        return math.isfinite(action)
    if isinstance(action, list) and depth < 8:
        return all(_action_ok(a, depth + 1) for a in action)
    return False


Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Seed = Annotated[int, PydanticField(ge=0, lt=2**SEED_BITS)]
Count = Annotated[int, PydanticField(ge=0)]


class ReplaySchema(BaseModel):
    """The schema of a replay file, checked when it is loaded (strict types; unknown keys ignored)."""

    model_config = ConfigDict(strict=True, extra="ignore")

    format: Literal["equivcheck-replay/1"]
    case: Name
    ref: Name
    cand: Name
    tier: Literal["property", "interaction", "rollout"]
    runner: Name
    seed: Seed | None
    actions: list[Any]
    master_seed: Annotated[int, PydanticField(ge=0, lt=2**32)] | None = None
    episode: Count | None = None
    start: Name | None = None
    component: Name | None = None
    inputs: Any = None
    expected: dict[str, Any] = PydanticField(default_factory=dict)
    created: str = ""
    equivcheck: str = ""
    versions: dict[str, Any] = PydanticField(default_factory=dict)

    @field_validator("actions")
    @classmethod
    def _actions(cls, actions: list[Any]) -> list[Any]:
        for i, action in enumerate(actions):
            if not _action_ok(action):
                raise ValueError(f"action {i} is {action!r}; an action is an integer, a finite number or a list of them")
        return actions

    @model_validator(mode="after")
    def _per_tier(self) -> ReplaySchema:
        if self.tier == "property":
            if self.component is None:
                raise ValueError("a property replay names its 'component'")
        else:
            if self.runner not in RUNNERS:
                raise ValueError(f"runner {self.runner!r} is not one of {', '.join(RUNNERS)}")
            if self.seed is None:
                raise ValueError(f"a {self.tier} replay needs an integer 'seed'")
        return self


def load(path: str | Path) -> ReplayFile:
    """Read and validate a replay file; UsageError (one line) when it is missing, unreadable or not one."""
    p = Path(path)
    text = read_text(p, "replay file")
    try:
        data = json.loads(text)
    except RecursionError:
        raise UsageError(f"{p} is not a replay file: JSON nested too deeply") from None
    except ValueError as exc:
        raise UsageError(f"{p} is not JSON: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise UsageError(f"{p} is not an equivcheck replay file (format {FORMAT!r} expected)")
    try:
        model = ReplaySchema.model_validate(data)
    except ValidationError as exc:
        raise UsageError(f"{p}: {describe(exc, {'actions': 'action'})}") from None
    fields = model.model_dump(exclude={"format"})
    return ReplayFile(**fields)


def files(directory: Path | None) -> list[Path]:
    """The replay files of a corpus directory, sorted."""
    if directory is None or not directory.is_dir():
        return []
    return sorted(directory.glob("*.json"))
