"""Name -> adapter class and name -> case, through entry points (groups equivcheck.adapters/.cases).

Another package adds its own adapters and cases by declaring entry points in its own
pyproject.toml; code may also `register_adapter` / `register_case` at run time, and the
modules named in $EQUIVCHECK_PLUGINS (comma-separated) are imported first, so run-time
registrations reach the CLI and --jobs worker processes too.
"""

from __future__ import annotations

import difflib
import importlib
import os
from importlib.metadata import entry_points
from typing import Any

from equivcheck.case import Case
from equivcheck.errors import SetupError, UsageError

ADAPTER_GROUP = "equivcheck.adapters"
CASE_GROUP = "equivcheck.cases"

_extra_adapters: dict[str, Any] = {}
_extra_cases: dict[str, Any] = {}
_setup_done: set[str] = set()


_plugins_loaded = False


def _load_plugins() -> None:
    global _plugins_loaded
    if _plugins_loaded:
        return
    _plugins_loaded = True
    for module in filter(None, (m.strip() for m in os.environ.get("EQUIVCHECK_PLUGINS", "").split(","))):
        try:
            importlib.import_module(module)
        except ImportError as exc:
            raise SetupError(f"EQUIVCHECK_PLUGINS names '{module}', which cannot be imported: {exc}") from exc


def _entry_points(group: str) -> dict[str, Any]:
    _load_plugins()
    return {ep.name: ep for ep in entry_points(group=group)}


def adapter_names() -> list[str]:
    """Every registered adapter name."""
    return sorted(set(_entry_points(ADAPTER_GROUP)) | set(_extra_adapters))


def case_names() -> list[str]:
    """Every registered case name."""
    return sorted(set(_entry_points(CASE_GROUP)) | set(_extra_cases))


def register_adapter(name: str, factory: Any) -> None:
    """Register an adapter class or factory under `name` for this process."""
    _extra_adapters[name] = factory


def register_case(name: str, case: Any) -> None:
    """Register a Case (or a zero-argument function returning one) for this process."""
    _extra_cases[name] = case


def _unknown(kind: str, name: str, known: list[str]) -> UsageError:
    close = difflib.get_close_matches(name, known, n=1)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    return UsageError(f"unknown {kind} '{name}'{hint} (known: {', '.join(known) or 'none'})")


def adapter_class(name: str) -> Any:
    """The class or factory registered as `name`; UsageError when unknown or not importable."""
    _load_plugins()
    if name in _extra_adapters:
        return _extra_adapters[name]
    eps = _entry_points(ADAPTER_GROUP)
    if name not in eps:
        raise _unknown("adapter", name, adapter_names())
    try:
        return eps[name].load()
    except ImportError as exc:
        raise SetupError(f"adapter '{name}' cannot be imported: {exc} (is its extra installed?)") from exc


def setup_adapter(name: str, progress: Any = None) -> None:
    """Run the adapter's setup step once per process (npm install, wheel download, build).

    `progress` (a callable taking one line, or a rich Console) hears what a first-use install
    or build is doing.
    """
    if name in _setup_done:
        return
    factory = adapter_class(name)
    setup = getattr(factory, "setup", None)
    if callable(setup):
        setup(progress)
    _setup_done.add(name)


def make_adapter(name: str, **options: Any) -> Any:
    """Set up (on first use) and instantiate the adapter `name`."""
    setup_adapter(name)
    factory = adapter_class(name)
    try:
        return factory(**options)
    except (UsageError, SetupError):
        raise
    except TypeError as exc:
        raise UsageError(f"adapter '{name}' rejected options {options}: {exc}") from exc
    except Exception as exc:  # noqa: BLE001 - any start-up fault of a backend is a setup error
        raise SetupError(f"adapter '{name}' failed to start: {type(exc).__name__}: {exc}") from exc


def get_case(name: str) -> Case:
    """The Case registered as `name`."""
    _load_plugins()
    if name in _extra_cases:
        obj = _extra_cases[name]
    else:
        eps = _entry_points(CASE_GROUP)
        if name not in eps:
            raise _unknown("case", name, case_names())
        try:
            obj = eps[name].load()
        except ImportError as exc:
            raise SetupError(f"case '{name}' cannot be imported: {exc} (is its extra installed?)") from exc
    return obj() if callable(obj) and not isinstance(obj, Case) else obj


def find_case(ref: str, cand: str | None = None) -> Case:
    """The one case whose reference is `ref` (and which lists `cand`, if given).

    Where several fit and exactly one is not a declared variant of another (`Case.variant_of`),
    that one is the case. UsageError when none or several fit: an ambiguous pair lists the cases that fit, an unknown
    pair names the cases with that reference and those with that candidate.
    """
    cases = []
    for name in case_names():
        try:
            cases.append(get_case(name))
        except SetupError:
            continue
    matches = [c for c in cases if c.reference == ref and (cand is None or cand in c.candidates)]
    if len(matches) == 1:
        return matches[0]
    primary = [c for c in matches if c.variant_of is None]
    if len(primary) == 1:
        return primary[0]
    pair = f"reference '{ref}'" + (f" with candidate '{cand}'" if cand is not None else "")
    if matches:
        names = ", ".join(c.name for c in matches)
        raise UsageError(f"{pair} fits several cases: {names}; pass --case NAME")
    if ref not in adapter_names():
        raise _unknown("adapter", ref, adapter_names())
    if cand is not None and cand not in adapter_names():
        raise _unknown("adapter", cand, adapter_names())
    with_ref = [f"{c.name} (candidates {', '.join(c.candidates)})" for c in cases if c.reference == ref]
    with_cand = [f"{c.name} (reference {c.reference})" for c in cases if cand is not None and cand in c.candidates]
    hints = []
    if with_ref:
        hints.append(f"cases with reference '{ref}': {'; '.join(with_ref)}")
    if with_cand:
        hints.append(f"cases with candidate '{cand}': {'; '.join(with_cand)}")
    found = "; ".join(hints) if hints else "no case has either adapter"
    raise UsageError(f"no case pairs {pair} ({found}); pass --case NAME to compare them anyway")
