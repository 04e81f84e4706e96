"""Extract the Gen 1 dex and learnsets the legal-team generator draws from (cases/pokejax/legal.py).

Runs a small Node program of ours against the installed pokemon-showdown package (found and
installed by adapters.showdown.node) and writes cases/pokejax/data/gen1_legal.json: every Gen 1
move id (Showdown's `gen1` dex, Struggle included), and for each of the 151 species its types and
the moves it can know in Gen 1 with the lowest level it can know each at (learnset sources of
generation 1, the species' own and its pre-evolutions'; 1 for TMs and events). The file belongs
to the case, not the engine: what the case tests is never read from the candidate's code.

    python -m cases.pokejax.extract_legal           # regenerate the file
    python -m cases.pokejax.extract_legal --check   # exit 1 when the committed file is stale
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from adapters.showdown.node import ensure_installed, install_dir, node_runtime

OUT = Path(__file__).resolve().parent / "data" / "gen1_legal.json"

EXTRACT_JS = r"""
'use strict';
const path = require('path');
const SD = require(path.join(process.argv[2], 'node_modules', 'pokemon-showdown'));
const PKG = require(path.join(process.argv[2], 'node_modules', 'pokemon-showdown', 'package.json'));
const dex = SD.Dex.mod('gen1');

const moves = dex.moves.all().filter(m => m.gen <= 1 && !m.isNonstandard).map(m => m.id).sort();
const known = new Set(moves);
const species = dex.species.all()
  .filter(s => s.num >= 1 && s.num <= 151 && !s.forme)
  .sort((a, b) => a.num - b.num)
  .map(s => {
    const learn = {};
    for (let cur = s; cur; cur = cur.prevo ? dex.species.get(cur.prevo) : null) {
      const data = dex.species.getLearnsetData(cur.id).learnset || {};
      for (const [move, sources] of Object.entries(data)) {
        if (!known.has(move)) continue;
        for (const src of sources) {
          if (!src.startsWith('1')) continue;
          const level = src[1] === 'L' ? parseInt(src.slice(2), 10) : 1;
          if (!(move in learn) || level < learn[move]) learn[move] = level;
        }
      }
    }
    return {num: s.num, id: s.id, types: s.types.slice(), learnset: learn};
  });
process.stdout.write(JSON.stringify({version: PKG.version, moves, species}));
"""


def extract() -> dict[str, Any]:
    """Run the extraction program against the installed package; return its data."""
    ensure_installed()
    with tempfile.NamedTemporaryFile("w", suffix=".js", delete=False) as fh:
        fh.write(EXTRACT_JS)
        script = fh.name
    try:
        out = subprocess.run([str(node_runtime().node), script, str(install_dir())], capture_output=True,
                             text=True, check=False, timeout=300)
    finally:
        Path(script).unlink(missing_ok=True)
    if out.returncode != 0:
        raise SystemExit(f"extraction failed: {out.stderr.strip().splitlines()[-1:] or out.returncode}")
    return json.loads(out.stdout)


def render(data: dict[str, Any]) -> str:
    """The file's text: one species per line (readable diffs), keys sorted."""
    head = {k: v for k, v in data.items() if k != "species"}
    rows = ",\n".join("  " + json.dumps(s, separators=(",", ":"), sort_keys=True) for s in data["species"])
    lines = [f"{json.dumps(k)}:{json.dumps(v, separators=(',', ':'))}" for k, v in sorted(head.items())]
    return "{\n" + ",\n".join([*lines, f'"species":[\n{rows}\n]']) + "\n}\n"


def main(argv: list[str] | None = None) -> int:
    """Write the file, or with --check compare it with a fresh extraction."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when the committed file differs")
    args = parser.parse_args(argv)
    text = render(extract())
    if args.check:
        if not OUT.is_file() or OUT.read_text() != text:
            print(f"stale: {OUT}; run python -m cases.pokejax.extract_legal")
            return 1
        print("up to date")
        return 0
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text)
    print(f"wrote {OUT} ({len(text) // 1024} KiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
