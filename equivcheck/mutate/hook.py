"""The import hook a mutant's run installs first: named modules load from given source text.

The module keeps its real `__file__` (so data files beside it are found) but executes the
overlay's source, and carries `__equivcheck_mutant__` (the sha256 of that source): after the
run, `proof()` reports which overlays were really imported, so a mutant that was never loaded
is an error, never a survivor. Nothing is written anywhere (no bytecode cache).
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.util
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

MARK = "__equivcheck_mutant__"


def source_hash(source: str) -> str:
    """The sha256 of a source text (what `proof()` reports for a loaded overlay)."""
    return hashlib.sha256(source.encode()).hexdigest()


@dataclass
class Overlay:
    """Module `name`, found at `origin`, executed from `source` instead of the file's text."""

    name: str
    origin: str
    source: str
    failure: str | None = field(default=None)

    @property
    def sha(self) -> str:
        return source_hash(self.source)


class _Loader(importlib.abc.Loader):
    def __init__(self, overlay: Overlay) -> None:
        self.overlay = overlay

    def create_module(self, spec: Any) -> ModuleType | None:
        return None

    def exec_module(self, module: ModuleType) -> None:
        setattr(module, MARK, self.overlay.sha)
        try:
            code = compile(self.overlay.source, self.overlay.origin, "exec", dont_inherit=True)
            exec(code, module.__dict__)  # noqa: S102 - running the module's (mutated) source is the point
        except BaseException as exc:
            self.overlay.failure = f"{type(exc).__name__}: {exc}"
            raise


class OverlayFinder(importlib.abc.MetaPathFinder):
    """First on sys.meta_path: answers for the overlay modules only."""

    def __init__(self, overlays: list[Overlay]) -> None:
        self.overlays = {o.name: o for o in overlays}

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        overlay = self.overlays.get(fullname)
        if overlay is None:
            return None
        package = Path(overlay.origin).name == "__init__.py"
        return importlib.util.spec_from_file_location(
            fullname, overlay.origin, loader=_Loader(overlay),
            submodule_search_locations=[str(Path(overlay.origin).parent)] if package else None)


def install(overlays: list[Overlay]) -> OverlayFinder:
    """Put the finder first on sys.meta_path; refuses a module that is already imported."""
    already = [o.name for o in overlays if o.name in sys.modules]
    if already:
        raise RuntimeError(f"already imported before the overlay was installed: {', '.join(already)}")
    finder = OverlayFinder(overlays)
    sys.meta_path.insert(0, finder)
    return finder


def proof(finder: OverlayFinder) -> dict[str, dict[str, Any]]:
    """Per overlay: the hash of the source its module ran (None if never imported) and stray copies.

    A stray copy is another module object in sys.modules loaded from the same file (by another
    name or path), which would mean part of the run did not use the overlay.
    """
    out = {}
    for name, overlay in finder.overlays.items():
        module = sys.modules.get(name)
        origin = str(Path(overlay.origin).resolve())
        strays = sorted(
            other for other, mod in list(sys.modules.items())
            if mod is not module and isinstance(getattr(mod, "__file__", None), str)
            and _same_file(mod.__file__, origin)
        )
        out[name] = {"sha": getattr(module, MARK, None) if module is not None else None, "strays": strays}
    return out


def _same_file(path: str, origin: str) -> bool:
    try:
        return str(Path(path).resolve()) == origin
    except OSError:
        return False
