"""Extract PokeJAX's Gen 1 data tables from the pinned pokemon-showdown package.

Runs a small Node program of ours against the installed package (adapters.showdown.node finds
Node and installs the pinned version into the cache on first use) and writes compact JSON files
under envs/pokejax/data/: species.json, moves.json, typechart.json, randbats.json and
manifest.json (package version and a hash of each file). Only data is read, through Showdown's
own Dex for the `gen1` mod, so the values are the ones the simulator uses.

    python scripts/extract_showdown_data.py           # regenerate the files
    python scripts/extract_showdown_data.py --check   # exit 1 when the committed files are stale
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from adapters.showdown.node import ensure_installed, install_dir, node_runtime, pinned_version  # noqa: E402

DATA_DIR = ROOT / "envs" / "pokejax" / "data"

EXTRACT_JS = r"""
'use strict';
const path = require('path');
const SD = require(path.join(process.argv[2], 'node_modules', 'pokemon-showdown'));
const PKG = require(path.join(process.argv[2], 'node_modules', 'pokemon-showdown', 'package.json'));
const dex = SD.Dex.forFormat('gen1randombattle');

const TYPES = dex.types.names().slice().sort();
const SKIP = new Set(['desc', 'shortDesc', 'fullname', 'effectType', 'exists', 'contestType', 'zMove', 'maxMove',
  'isZ', 'isMax', 'gen', 'isNonstandard', 'baseMoveType', 'hasSheerForceBoost', 'noPPBoosts', 'spreadHit',
  'ignoreAbility', 'forceSTAB', 'nonGhostTarget', 'noCopy', 'affectsFainted', 'sourceEffect', 'secondary',
  'ignoreNegativeOffensive', 'ignorePositiveDefensive', 'ignoreOffensive', 'ignoreDefensive', 'effectOrder']);

/** Plain data of a Showdown object: functions become names under `callbacks`, defaults dropped. */
function plain(obj) {
  const out = {};
  const callbacks = [];
  for (const key of Object.keys(obj).sort()) {
    const v = obj[key];
    if (SKIP.has(key) || v === undefined || v === null || v === '' || v === false) continue;
    if (typeof v === 'function') { callbacks.push(key); continue; }
    if (Array.isArray(v)) out[key] = v.map(x => (x && typeof x === 'object') ? plain(x) : x);
    else if (typeof v === 'object') out[key] = plain(v);
    else out[key] = v;
  }
  if (callbacks.length) out.callbacks = callbacks;
  return out;
}

const species = dex.species.all()
  .filter(s => s.num >= 1 && s.num <= 151 && !s.forme)
  .sort((a, b) => a.num - b.num)
  .map(s => ({
    num: s.num, id: s.id, name: s.name, types: s.types.slice(),
    baseStats: {hp: s.baseStats.hp, atk: s.baseStats.atk, def: s.baseStats.def, spa: s.baseStats.spa,
      spd: s.baseStats.spd, spe: s.baseStats.spe},
  }));

const moves = dex.moves.all()
  .filter(m => m.gen <= 1 && !m.isNonstandard)
  .sort((a, b) => a.num - b.num)
  .map(m => {
    const out = plain(m);
    out.num = m.num; out.id = m.id; out.name = m.name; out.type = m.type; out.category = m.category;
    out.basePower = m.basePower; out.accuracy = m.accuracy; out.pp = m.pp; out.priority = m.priority;
    out.critRatio = m.critRatio; out.target = m.target; out.flags = m.flags;
    out.secondaries = (m.secondaries || []).map(plain);
    return out;
  });

const damageTaken = {};
for (const t of TYPES) {
  const row = {};
  for (const a of [...TYPES, '???']) row[a] = dex.types.get(t).damageTaken[a] ?? 0;
  damageTaken[t] = row;
}
const effectiveness = [...TYPES, '???'].map(a => TYPES.map(d => dex.getEffectiveness(a, d)));
const immune = [...TYPES, '???'].map(a => TYPES.map(d => !dex.getImmunity(a, d)));

const rb = require(path.join(process.argv[2], 'node_modules', 'pokemon-showdown', 'dist', 'data',
  'random-battles', 'gen1', 'data.json'));
const WEAK = ['Electric', 'Psychic', 'Water', 'Ice', 'Ground', 'Fire'];
const sets = Object.keys(rb).map(id => {
  const s = dex.species.get(id);
  const d = rb[id];
  return {
    id, num: s.num, name: s.name, level: d.level ?? null,
    moves: d.moves ?? [], essentialMoves: d.essentialMoves ?? [], exclusiveMoves: d.exclusiveMoves ?? [],
    comboMoves: d.comboMoves ?? [],
    weaknesses: WEAK.filter(t => dex.getImmunity(t, s) && dex.getEffectiveness(t, s) > 0),
  };
});
const rules = dex.formats.getRuleTable(dex.formats.get('gen1randombattle'));

const result = {
  version: PKG.version,
  species: {types: TYPES, species},
  moves: {moves},
  typechart: {types: TYPES, attacking_types: [...TYPES, '???'], damage_taken: damageTaken, effectiveness, immune},
  randbats: {
    format: 'gen1randombattle', type_pool: dex.types.names(), weakness_types: WEAK,
    max_team_size: rules.maxTeamSize, max_move_count: rules.maxMoveCount, default_level: 80, sets,
  },
};
process.stdout.write(JSON.stringify(result));
"""

FILES = ("species", "moves", "typechart", "randbats")


def extract() -> dict[str, Any]:
    """Run the extraction program against the installed package; return its tables."""
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


def render(tables: dict[str, Any]) -> dict[str, str]:
    """File name -> text of every generated file (deterministic)."""
    texts = {f"{name}.json": _dump(tables[name]) for name in FILES}
    manifest = {
        "source": f"pokemon-showdown {tables['version']} (npm), Dex.forFormat('gen1randombattle')",
        "pinned": pinned_version(),
        "generator": "scripts/extract_showdown_data.py",
        "sha256": {name: hashlib.sha256(text.encode()).hexdigest() for name, text in sorted(texts.items())},
    }
    texts["manifest.json"] = json.dumps(manifest, indent=1, sort_keys=True) + "\n"
    return texts


def _dump(obj: Any) -> str:
    """One record per line: readable diffs, compact files."""
    if isinstance(obj, dict):
        lines = []
        for key, value in obj.items():
            if isinstance(value, list) and value and isinstance(value[0], dict | list):
                inner = ",\n".join("  " + json.dumps(v, separators=(",", ":"), sort_keys=True) for v in value)
                lines.append(f"{json.dumps(key)}:[\n{inner}\n]")
            else:
                lines.append(f"{json.dumps(key)}:{json.dumps(value, separators=(',', ':'), sort_keys=True)}")
        return "{\n" + ",\n".join(lines) + "\n}\n"
    return json.dumps(obj, separators=(",", ":"), sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the data files, or with --check compare them with a fresh extraction."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when the committed files differ")
    parser.add_argument("--out", type=Path, default=DATA_DIR, help="output folder")
    args = parser.parse_args(argv)
    texts = render(extract())
    if args.check:
        stale = [n for n, t in texts.items() if not (args.out / n).is_file() or (args.out / n).read_text() != t]
        if stale:
            print(f"stale: {', '.join(stale)}; run python scripts/extract_showdown_data.py")
            return 1
        print(f"up to date ({len(texts)} files)")
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    for name, text in texts.items():
        (args.out / name).write_text(text)
    print(f"wrote {len(texts)} files to {args.out} ({sum(len(t) for t in texts.values()) // 1024} KiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
