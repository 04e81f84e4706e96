"""The TCG case's card database: install the pinned npm package and extract the pool's card facts.

    equivcheck setup tcg                 # npm ci of envs/tcg/npm (pinned, lockfile) into the cache
    python -m adapters.tcg_cards         # rewrite envs/tcg/data/cards.json from the package + our text
    python -m adapters.tcg_cards --check # exit 1 when the committed cards.json is not what extraction gives

From `pokemon-tcg-pocket-database` (MIT) we take each card's name, type, stage, evolves-from and
ex; HP, retreat, weakness, attacks, abilities and trainer effects are our transcription
(envs/tcg/data/card_text.json), because the package has no attack text and its `health` (50) and
`retreatCost` (1) are the same placeholder for every card. Every field where the package states a
different value than ours is listed under `package_disagrees` in the output. The engines read only
the committed cards.json, so npm is needed to re-extract, never to play.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from equivcheck.errors import SetupError
from equivcheck.paths import cache_dir, install_lock

HERE = Path(__file__).resolve().parent.parent / "envs" / "tcg"
PACKAGE_JSON = HERE / "npm" / "package.json"
PACKAGE_LOCK = HERE / "npm" / "package-lock.json"
CARD_TEXT = HERE / "data" / "card_text.json"
CARDS = HERE / "data" / "cards.json"
PACKAGE = "pokemon-tcg-pocket-database"
TYPES = ("Grass", "Fire", "Water", "Lightning", "Psychic", "Fighting", "Darkness", "Metal", "Colorless")


def pinned_version() -> str:
    """The version envs/tcg/npm/package.json pins."""
    return json.loads(PACKAGE_JSON.read_text())["dependencies"][PACKAGE]


def install_dir() -> Path:
    """The cache directory holding node_modules/pokemon-tcg-pocket-database."""
    return cache_dir("tcg")


def installed_version(root: Path | None = None) -> str | None:
    """The installed package version under `root`, or None."""
    root = install_dir() if root is None else root
    try:
        return json.loads((root / "node_modules" / PACKAGE / "package.json").read_text())["version"]
    except (OSError, ValueError, KeyError):
        return None


def ensure_installed(progress: Any = None) -> Path:
    """npm ci the pinned package into the cache (idempotent); SetupError (one line) when npm fails."""
    from adapters.showdown.node import _say, node_runtime

    root = install_dir()
    lock = root / "package-lock.json"
    if installed_version(root) == pinned_version() and lock.is_file() and lock.read_bytes() == PACKAGE_LOCK.read_bytes():
        _say(progress, f"{PACKAGE} {pinned_version()} in {root}")
        return root
    with install_lock(root):
        runtime = node_runtime()
        if not runtime.npm:
            raise SetupError(f"npm not found beside {runtime.node}; install Node >= 18 with npm and retry `equivcheck setup tcg`")
        shutil.copyfile(PACKAGE_JSON, root / "package.json")
        shutil.copyfile(PACKAGE_LOCK, lock)
        _say(progress, f"installing {PACKAGE} {pinned_version()} into {root} with npm ci")
        env = {**os.environ, "PATH": os.pathsep.join([str(runtime.node.parent), os.environ.get("PATH", "")])}
        cmd = [*runtime.npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"]
        try:
            out = subprocess.run(cmd, cwd=root, capture_output=True, text=True, env=env, timeout=600, check=False)
        except (OSError, subprocess.SubprocessError) as exc:
            raise SetupError(f"npm ci could not run in {root}: {exc}") from None
        if out.returncode != 0 or installed_version(root) != pinned_version():
            last = ([ln for ln in (out.stderr or out.stdout).splitlines() if ln.strip()] or ["no output"])[-1]
            raise SetupError(f"npm ci of {PACKAGE} failed in {root}: {last}; retry `equivcheck setup tcg`")
    return root


def _package_cards(root: Path) -> dict[tuple[str, int], dict[str, Any]]:
    data = json.loads((root / "node_modules" / PACKAGE / "dist" / "cards.extra.json").read_text())
    return {(c["set"], int(c["number"])): c for c in data}


def _type_name(element: str | None) -> str | None:
    if element is None:
        return None
    name = {"dark": "darkness"}.get(element.lower(), element.lower())
    return name.capitalize()


def extract(root: Path) -> dict[str, Any]:
    """cards.json's content: our card text merged with the package's facts, disagreements listed."""
    text = json.loads(CARD_TEXT.read_text())
    pkg = _package_cards(root)
    weakness = text["weakness_by_type"]
    cards = []
    for entry in text["cards"]:
        key = (entry["set"], entry["number"])
        if key not in pkg:
            raise SetupError(f"{PACKAGE} has no card {key}")
        src = pkg[key]
        out: dict[str, Any] = {"id": len(cards), "set": entry["set"], "number": entry["number"], "name": src["name"]}
        disagree: dict[str, Any] = {}
        if src["name"] != entry["name"]:
            disagree["name"] = src["name"]
        if entry["kind"] == "pokemon":
            ptype = _type_name(src["element"])
            stage = {"basic": 0, 1: 1, 2: 2}[src["stage"]]
            ours_weak = weakness[ptype.lower()]
            out.update(kind="pokemon", type=ptype, stage=stage, evolves_from=src.get("evolvesFrom") if stage else None,
                       ex=src["name"].endswith(" ex"), hp=entry["hp"], retreat=entry["retreat"], weakness=ours_weak,
                       attacks=entry["attacks"], ability=entry.get("ability"))
            for field, theirs, ours in (("hp", src.get("health"), entry["hp"]),
                                        ("retreat", src.get("retreatCost"), entry["retreat"]),
                                        ("weakness", _type_name(src.get("weakness")), ours_weak)):
                if theirs != ours:
                    disagree[field] = theirs
        else:
            if src["type"] != entry["kind"]:
                disagree["kind"] = src["type"]
            out.update(kind=entry["kind"], effect=entry["effect"])
        if disagree:
            out["package_disagrees"] = disagree
        cards.append(out)
    return {"source": f"{PACKAGE} {pinned_version()} (MIT) + envs/tcg/data/card_text.json (ours); "
                      "written by `python -m adapters.tcg_cards`", "types": list(TYPES), "cards": cards}


def render(data: dict[str, Any]) -> str:
    """The file text: one card per line, so diffs stay readable."""
    lines = ["{", f' "source": {json.dumps(data["source"], ensure_ascii=False)},',
             f' "types": {json.dumps(data["types"])},', ' "cards": [']
    rows = [" " + json.dumps(c, ensure_ascii=False) for c in data["cards"]]
    lines.append(",\n".join(rows))
    lines += [" ]", "}", ""]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    """Write (or with --check, verify) envs/tcg/data/cards.json."""
    try:
        text = render(extract(ensure_installed(progress=print)))
    except SetupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if "--check" in argv:
        same = CARDS.is_file() and CARDS.read_text() == text
        print("cards.json is up to date" if same else "cards.json differs from the extraction")
        return 0 if same else 1
    CARDS.write_text(text)
    print(f"wrote {CARDS} ({text.count(chr(10)) - 5} cards)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
