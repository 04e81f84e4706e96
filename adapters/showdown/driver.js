'use strict';
/**
 * equivcheck's Pokemon Showdown driver.
 *
 * Protocol: one JSON object per line on stdin, one JSON object per line on stdout, in order.
 * Request  {"id": N, "op": OP, ...}
 * Response {"id": N, "ok": true, ...} or {"id": N, "ok": false, "error": {type, message, bid}}
 * One process serves many battles, each named by a string id ("bid"), and one request can
 * carry many battles, so the pipe costs one round trip per batch, not per battle.
 *
 * Ops (each battle's result is [turn, ended, winner, mask p1 bits, mask p2 bits] or {error}):
 *   hello                                   -> {showdown, node, mutate}
 *   fields {format}                         -> {fields: [[path, dtype, shape], ...]}
 *   reset {battles: [{bid, format, seed, p1seed, p2seed | teams}], snapshot} -> {results}
 *   step {battles: [[bid, action p1, action p2], ...], snapshot}           -> {results}
 *   snapshot {battles: [{bid, state}]}      -> {results: [{s, state?}]}
 *   restore {battles: [{bid, state}]}       -> {results}
 *   close {bids?}                           -> {open}
 *   rollout {battles, max_steps}            -> whole battles played inside Node (bench)
 * With `snapshot` true a result also carries the snapshot as its sixth element.
 * The state is read from Showdown's objects (Battle, Side, Pokemon, Field), never from the log;
 * FIELDS.md documents every snapshot field and where it comes from.
 *
 * Usage: node driver.js [--modules DIR] [--mutate damage|prng]
 *   --modules DIR   directory holding node_modules/pokemon-showdown
 *   --mutate KIND   a deliberately broken shadow for testing the checker:
 *                   damage: the 2nd damaging hit of each battle does 1 HP less;
 *                   prng:   the 3rd PRNG draw of each battle's play is skipped.
 */

const path = require('path');

function parseArgs(argv) {
  const out = {modules: null, mutate: null};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--modules') out.modules = argv[++i];
    else if (a.startsWith('--modules=')) out.modules = a.slice(10);
    else if (a === '--mutate') out.mutate = argv[++i];
    else if (a.startsWith('--mutate=')) out.mutate = a.slice(9);
  }
  return out;
}

const ARGS = parseArgs(process.argv.slice(2));

function loadShowdown(modules) {
  if (modules) return require(path.join(modules, 'node_modules', 'pokemon-showdown'));
  return require('pokemon-showdown');
}

let SD = null;
let SD_VERSION = null;

function showdown() {
  if (!SD) {
    const modules = ARGS.modules || process.env.EQUIVCHECK_SHOWDOWN_MODULES || null;
    SD = loadShowdown(modules);
    const pkgPath = modules
      ? path.join(modules, 'node_modules', 'pokemon-showdown', 'package.json')
      : require.resolve('pokemon-showdown/package.json');
    SD_VERSION = require(pkgPath).version;
  }
  return SD;
}

// ---------------------------------------------------------------------------------------------
// Format layouts: the fixed action space and the fixed set of snapshot fields of each format.

const STATS = ['atk', 'def', 'spa', 'spd', 'spe'];
const BOOSTS = ['atk', 'def', 'spa', 'spd', 'spe', 'accuracy', 'evasion'];
const TEAM_SLOTS = 6;
const MOVE_SLOTS = 4;

/** Volatiles whose counters are fields of their own; any other volatile is listed in vol_other. */
const GEN1_VOLATILES = {
  confusion: ['time'],
  partiallytrapped: ['duration'],
  fakepartiallytrapped: ['duration'],
  partialtrappinglock: ['duration', 'totalDuration', 'damage', 'move'],
  lockedmove: ['time', 'move'],
  twoturnmove: ['move'],
  substitute: ['hp'],
  disable: ['time', 'move'],
  bide: ['time', 'damage'],
  rage: [],
  residualdmg: ['counter'],
  mustrecharge: [],
  invulnerability: [],
  flinch: [],
  leechseed: [],
  reflect: [],
  lightscreen: [],
  mist: [],
  focusenergy: [],
};

const GEN9_VOLATILES = {
  confusion: ['duration'],
  partiallytrapped: ['duration'],
  lockedmove: ['duration', 'move'],
  twoturnmove: ['duration', 'move'],
  substitute: ['hp'],
  disable: ['duration', 'move'],
  encore: ['duration', 'move'],
  taunt: ['duration'],
  mustrecharge: ['duration'],
  choicelock: ['move'],
  protect: ['duration'],
  stall: ['duration', 'counter'],
  leechseed: [],
  flinch: ['duration'],
  yawn: ['duration'],
  perishsong: ['duration'],
  stockpile: ['layers'],
  trapped: [],
  focusenergy: [],
  roost: ['duration'],
  slowstart: ['duration'],
};

const GEN9_SIDE_CONDITIONS = {
  spikes: ['layers'],
  toxicspikes: ['layers'],
  stealthrock: [],
  stickyweb: [],
  reflect: ['duration'],
  lightscreen: ['duration'],
  auroraveil: ['duration'],
  tailwind: ['duration'],
  safeguard: ['duration'],
  mist: ['duration'],
};

const STRING_COUNTERS = new Set(['move']);

function layoutFor(formatid) {
  const {Dex} = showdown();
  const format = Dex.formats.get(formatid, true);
  if (!format.exists) throw new DriverError('FormatError', `unknown format ${formatid}`);
  const gen = Dex.forFormat(format).gen;
  if ((format.gameType || 'singles') !== 'singles') {
    throw new DriverError('FormatError', `format ${formatid} is not singles; only singles formats are supported`);
  }
  const tera = gen === 9;
  return {
    formatid: format.id,
    gen,
    nActions: tera ? 13 : 9,
    tera,
    volatiles: gen === 1 ? GEN1_VOLATILES : GEN9_VOLATILES,
    sideConditions: gen === 1 ? {} : GEN9_SIDE_CONDITIONS,
  };
}

const LAYOUTS = new Map();
function layout(formatid) {
  let l = LAYOUTS.get(formatid);
  if (!l) {
    l = layoutFor(formatid);
    LAYOUTS.set(formatid, l);
  }
  return l;
}

/** The snapshot's fields of a format: [key, dtype, shape] in a fixed order. */
function fields(formatid) {
  const L = layout(formatid);
  const f = [];
  const add = (k, dtype, shape = []) => f.push([k, dtype, shape]);
  add('turn', 'int32');
  add('prng', 'uint16', [4]);
  add('ended', 'bool');
  add('winner', 'str');
  add('request_state', 'str');
  add('last_damage', 'int32');
  add('field.weather', 'str');
  add('field.weather.duration', 'int32');
  add('field.terrain', 'str');
  add('field.terrain.duration', 'int32');
  add('field.pseudo_weather', 'str');
  for (const side of ['p1', 'p2']) {
    add(`${side}.active`, 'int8');
    add(`${side}.order`, 'int8', [TEAM_SLOTS]);
    add(`${side}.pokemon_left`, 'int8');
    add(`${side}.request`, 'str');
    add(`${side}.side_conditions`, 'str');
    for (const [cond, counters] of Object.entries(L.sideConditions)) {
      for (const c of counters) add(`${side}.side.${cond}.${c}`, STRING_COUNTERS.has(c) ? 'str' : 'int32');
    }
    add(`${side}.side_other`, 'str');
    add(`${side}.slot_conditions`, 'str');
    if (L.gen === 1) {
      add(`${side}.last_selected_move`, 'str');
      add(`${side}.last_selected_move_slot`, 'int8');
      add(`${side}.last_enemy_selected_move`, 'str');
      add(`${side}.last_used_move`, 'str');
    }
    for (let i = 0; i < TEAM_SLOTS; i++) {
      const p = `${side}.team.${i}`;
      add(`${p}.species`, 'str');
      add(`${p}.level`, 'int16');
      add(`${p}.gender`, 'str');
      add(`${p}.types`, 'str');
      add(`${p}.item`, 'str');
      add(`${p}.ability`, 'str');
      add(`${p}.maxhp`, 'int32');
      add(`${p}.hp`, 'int32');
      add(`${p}.stats`, 'int32', [5]);
      if (L.gen === 1) add(`${p}.modified_stats`, 'int32', [5]);
      add(`${p}.boosts`, 'int8', [7]);
      add(`${p}.status`, 'str');
      add(`${p}.status_turns`, 'int16');
      add(`${p}.status_start`, 'int16');
      add(`${p}.toxic_counter`, 'int16');
      add(`${p}.fainted`, 'bool');
      add(`${p}.transformed`, 'bool');
      add(`${p}.trapped`, 'bool');
      add(`${p}.active_turns`, 'int32');
      add(`${p}.last_move`, 'str');
      if (L.tera) {
        add(`${p}.tera_type`, 'str');
        add(`${p}.terastallized`, 'str');
      }
      for (let m = 0; m < MOVE_SLOTS; m++) {
        add(`${p}.move.${m}.id`, 'str');
        add(`${p}.move.${m}.pp`, 'int16');
        add(`${p}.move.${m}.maxpp`, 'int16');
        add(`${p}.move.${m}.disabled`, 'bool');
      }
      add(`${p}.volatiles`, 'str');
      for (const [vol, counters] of Object.entries(L.volatiles)) {
        for (const c of counters) add(`${p}.vol.${vol}.${c}`, STRING_COUNTERS.has(c) ? 'str' : 'int32');
      }
      add(`${p}.vol_other`, 'str');
    }
    if (L.tera) add(`${side}.can_terastallize`, 'bool');
  }
  add('mask.p1', 'bool', [L.nActions]);
  add('mask.p2', 'bool', [L.nActions]);
  return f;
}

// ---------------------------------------------------------------------------------------------
// Battles.

class DriverError extends Error {
  constructor(type, message) {
    super(message);
    this.type = type;
  }
}

/** bid -> {battle, L, mutate counters} */
const BATTLES = new Map();

function installMutation(entry) {
  const battle = entry.battle;
  if (ARGS.mutate === 'damage') {
    const actions = battle.actions;
    const orig = actions.getDamage;
    actions.getDamage = function (...args) {
      const d = orig.apply(this, args);
      if (typeof d === 'number' && d > 1) {
        entry.hits = (entry.hits || 0) + 1;
        if (entry.hits === 2) return d - 1;
      }
      return d;
    };
  } else if (ARGS.mutate === 'prng') {
    const prng = battle.prng;
    const orig = prng.random;
    prng.random = function (...args) {
      entry.draws = (entry.draws || 0) + 1;
      if (entry.draws === 3) orig.call(this);
      return orig.apply(this, args);
    };
  } else if (ARGS.mutate) {
    throw new DriverError('UsageError', `unknown mutation ${ARGS.mutate} (known: damage, prng)`);
  }
}

function createBattle(spec) {
  const {Battle} = showdown();
  const L = layout(spec.format);
  const p1 = {name: 'p1'};
  const p2 = {name: 'p2'};
  if (spec.teams) {
    if (!Array.isArray(spec.teams) || spec.teams.length !== 2) {
      throw new DriverError('UsageError', 'teams must be a list of two packed teams');
    }
    p1.team = spec.teams[0];
    p2.team = spec.teams[1];
  } else {
    p1.seed = spec.p1seed;
    p2.seed = spec.p2seed;
  }
  const battle = new Battle({formatid: L.formatid, seed: spec.seed, p1, p2});
  const entry = {battle, L};
  installMutation(entry);
  return entry;
}

function getEntry(bid) {
  const e = BATTLES.get(bid);
  if (!e) throw new DriverError('UsageError', `no battle ${bid}`);
  return e;
}

function teamIndex(side, pokemon) {
  return side.team.indexOf(pokemon.set);
}

/** Legal actions of one side as a bit mask over the format's action space (0 when waiting). */
function sideMask(battle, side, L) {
  const req = side.activeRequest;
  if (!req || req.wait || battle.ended) return 0;
  let bits = 0;
  const switchable = (slot) => slot < side.pokemon.length && !side.pokemon[slot].fainted;
  if (req.forceSwitch) {
    const active = side.active[0];
    const revival = active && side.slotConditions[active.position] && side.slotConditions[active.position]['revivalblessing'];
    for (let k = 1; k < TEAM_SLOTS; k++) {
      if (revival ? k < side.pokemon.length && side.pokemon[k].fainted : switchable(k)) bits |= 1 << (3 + k);
    }
    return bits;
  }
  if (!req.active) return 0;
  const pokemon = side.active[0];
  const moves = req.active[0].moves;
  const forced = moves.length === 1 && (
    pokemon.getLockedMove() || pokemon.getSemiLockedMove() ||
    (L.gen === 1 && (['frz', 'slp'].includes(pokemon.status) || pokemon.volatiles['partiallytrapped'])) ||
    moves[0].id === 'struggle' || moves[0].id === 'recharge' || moves[0].id === 'fight');
  if (forced) {
    bits |= 1;
  } else {
    const current = pokemon.getMoves();
    for (let i = 0; i < moves.length && i < MOVE_SLOTS; i++) {
      let ok;
      if (!current.length) ok = i === 0;
      else if (L.gen === 1) ok = i < current.length && !current[i].disabled;
      else ok = current.some((m) => m.id === moves[i].id && !m.disabled);
      if (ok) {
        bits |= 1 << i;
        if (L.tera && pokemon.canTerastallize && !side.choice.terastallize) bits |= 1 << (9 + i);
      }
    }
  }
  if (!pokemon.trapped) {
    for (let k = 1; k < TEAM_SLOTS; k++) if (switchable(k)) bits |= 1 << (3 + k);
  }
  return bits;
}

function choiceString(action, L) {
  if (action >= 0 && action <= 3) return `move ${action + 1}`;
  if (action >= 4 && action <= 8) return `switch ${action - 2}`;
  if (L.tera && action >= 9 && action <= 12) return `move ${action - 8} terastallize`;
  return null;
}

function masks(entry) {
  const b = entry.battle;
  return [sideMask(b, b.sides[0], entry.L), sideMask(b, b.sides[1], entry.L)];
}

function winnerOf(battle) {
  if (!battle.ended) return '';
  if (battle.winner === 'p1' || battle.winner === 'p2') return battle.winner;
  return '';
}

/** The small per-step result [turn, ended 0/1, winner, mask p1, mask p2]; masks are cached. */
function brief(entry) {
  const b = entry.battle;
  const ms = entry.ms = masks(entry);
  return [b.turn, b.ended ? 1 : 0, winnerOf(b), ms[0], ms[1]];
}

function briefWith(entry, withSnapshot) {
  const r = brief(entry);
  if (withSnapshot) r.push(snapshot(entry));
  return r;
}

/** Apply one action per player; an action for a waiting player is ignored. */
function applyActions(entry, actions) {
  const b = entry.battle;
  if (b.ended) throw new DriverError('ActionError', 'the battle is over; reset it');
  if (!Array.isArray(actions) || actions.length !== 2) {
    throw new DriverError('ActionError', `expected two actions (p1, p2), got ${JSON.stringify(actions)}`);
  }
  const ms = entry.ms || masks(entry);
  for (let i = 0; i < 2; i++) {
    const a = actions[i];
    if (!ms[i]) continue;
    if (!Number.isInteger(a) || a < 0 || a >= entry.L.nActions || !(ms[i] & (1 << a))) {
      throw new DriverError('ActionError', `illegal action ${JSON.stringify(a)} for ${b.sides[i].id} at turn ${b.turn} (legal: ${bitsList(ms[i]).join(',')})`);
    }
  }
  for (let i = 0; i < 2; i++) {
    if (!ms[i]) continue;
    const side = b.sides[i];
    const choice = choiceString(actions[i], entry.L);
    if (!side.choose(choice)) {
      const msg = side.choice.error || 'rejected';
      for (const s of b.sides) s.clearChoice();
      throw new DriverError('ActionError', `Showdown rejected ${side.id} "${choice}" at turn ${b.turn}: ${msg}`);
    }
  }
  if (!b.allChoicesDone()) throw new DriverError('DriverError', `choices incomplete at turn ${b.turn}`);
  entry.ms = null;
  b.commitChoices();
}

function bitsList(bits) {
  const out = [];
  for (let i = 0; i < 16; i++) if (bits & (1 << i)) out.push(i);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Snapshot: the canonical engine-neutral state, flat "field.path" -> value.

function seedArray(prng) {
  const s = prng.getSeed();
  if (s.startsWith('sodium,')) throw new DriverError('DriverError', 'battle uses a sodium seed; use gen5 seeds');
  return s.split(',').map(Number);
}

function counterValue(state, c) {
  const v = state ? state[c] : undefined;
  if (STRING_COUNTERS.has(c)) return typeof v === 'string' ? v : (v && v.id) || '';
  return typeof v === 'number' ? v : (v === true ? 1 : -1);
}

function canonicalValue(v) {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') return v;
  if (v.side && v.position !== undefined && v.set) return `${v.side.id}:${teamIndex(v.side, v)}`;
  if (v.id !== undefined && typeof v.id === 'string') return v.id;
  return undefined;
}

const SKIP_STATE_KEYS = new Set(['id', 'effectOrder', 'target', 'source', 'sourceSlot', 'sourceEffect', 'name']);

/** name(k=v;...) for every entry of an effect-state map, sorted, skipping `skip` names. */
function effectsString(map, skip) {
  const parts = [];
  for (const name of Object.keys(map).sort()) {
    if (skip && skip.has(name)) continue;
    const st = map[name];
    const kv = [];
    for (const k of Object.keys(st).sort()) {
      if (SKIP_STATE_KEYS.has(k)) continue;
      const v = canonicalValue(st[k]);
      if (v === undefined || v === null) continue;
      kv.push(`${k}=${v}`);
    }
    parts.push(kv.length ? `${name}(${kv.join(';')})` : name);
  }
  return parts.join(',');
}

function pokemonFields(out, p, pokemon, side, L) {
  if (!pokemon) {
    out[`${p}.species`] = '';
    out[`${p}.level`] = 0;
    out[`${p}.gender`] = '';
    out[`${p}.types`] = '';
    out[`${p}.item`] = '';
    out[`${p}.ability`] = '';
    out[`${p}.maxhp`] = 0;
    out[`${p}.hp`] = 0;
    out[`${p}.stats`] = [0, 0, 0, 0, 0];
    if (L.gen === 1) out[`${p}.modified_stats`] = [0, 0, 0, 0, 0];
    out[`${p}.boosts`] = [0, 0, 0, 0, 0, 0, 0];
    out[`${p}.status`] = '';
    out[`${p}.status_turns`] = 0;
    out[`${p}.status_start`] = 0;
    out[`${p}.toxic_counter`] = 0;
    out[`${p}.fainted`] = true;
    out[`${p}.transformed`] = false;
    out[`${p}.trapped`] = false;
    out[`${p}.active_turns`] = 0;
    out[`${p}.last_move`] = '';
    if (L.tera) {
      out[`${p}.tera_type`] = '';
      out[`${p}.terastallized`] = '';
    }
    for (let m = 0; m < MOVE_SLOTS; m++) {
      out[`${p}.move.${m}.id`] = '';
      out[`${p}.move.${m}.pp`] = 0;
      out[`${p}.move.${m}.maxpp`] = 0;
      out[`${p}.move.${m}.disabled`] = false;
    }
    out[`${p}.volatiles`] = '';
    for (const [vol, counters] of Object.entries(L.volatiles)) {
      for (const c of counters) out[`${p}.vol.${vol}.${c}`] = STRING_COUNTERS.has(c) ? '' : -1;
    }
    out[`${p}.vol_other`] = '';
    return;
  }
  out[`${p}.species`] = pokemon.species.id;
  out[`${p}.level`] = pokemon.level;
  out[`${p}.gender`] = pokemon.gender || '';
  out[`${p}.types`] = pokemon.getTypes(true).join('/');
  out[`${p}.item`] = pokemon.item || '';
  out[`${p}.ability`] = pokemon.ability || '';
  out[`${p}.maxhp`] = pokemon.maxhp;
  out[`${p}.hp`] = pokemon.hp;
  out[`${p}.stats`] = STATS.map((s) => pokemon.storedStats[s]);
  if (L.gen === 1) out[`${p}.modified_stats`] = STATS.map((s) => (pokemon.modifiedStats ? pokemon.modifiedStats[s] : 0));
  out[`${p}.boosts`] = BOOSTS.map((s) => pokemon.boosts[s]);
  out[`${p}.status`] = pokemon.status || '';
  const ss = pokemon.statusState || {};
  out[`${p}.status_turns`] = typeof ss.time === 'number' ? ss.time : 0;
  out[`${p}.status_start`] = typeof ss.startTime === 'number' ? ss.startTime : 0;
  let toxic = 0;
  if (L.gen === 1) {
    if (pokemon.volatiles['residualdmg']) toxic = pokemon.volatiles['residualdmg'].counter || 0;
  } else if (pokemon.status === 'tox') {
    toxic = ss.stage || 0;
  }
  out[`${p}.toxic_counter`] = toxic;
  out[`${p}.fainted`] = !!pokemon.fainted;
  out[`${p}.transformed`] = !!pokemon.transformed;
  out[`${p}.trapped`] = !!pokemon.trapped;
  out[`${p}.active_turns`] = pokemon.activeTurns;
  out[`${p}.last_move`] = pokemon.lastMove ? pokemon.lastMove.id : '';
  if (L.tera) {
    out[`${p}.tera_type`] = pokemon.teraType || '';
    out[`${p}.terastallized`] = pokemon.terastallized || '';
  }
  for (let m = 0; m < MOVE_SLOTS; m++) {
    const ms = pokemon.moveSlots[m];
    out[`${p}.move.${m}.id`] = ms ? ms.id : '';
    out[`${p}.move.${m}.pp`] = ms ? ms.pp : 0;
    out[`${p}.move.${m}.maxpp`] = ms ? ms.maxpp : 0;
    out[`${p}.move.${m}.disabled`] = ms ? !!ms.disabled : false;
  }
  const vols = pokemon.volatiles;
  out[`${p}.volatiles`] = Object.keys(vols).sort().join(',');
  const known = new Set();
  for (const [vol, counters] of Object.entries(L.volatiles)) {
    known.add(vol);
    for (const c of counters) out[`${p}.vol.${vol}.${c}`] = counterValue(vols[vol], c);
  }
  out[`${p}.vol_other`] = effectsString(vols, known);
}

function snapshot(entry) {
  const b = entry.battle;
  const L = entry.L;
  const out = {};
  out['turn'] = b.turn;
  out['prng'] = seedArray(b.prng);
  out['ended'] = !!b.ended;
  out['winner'] = winnerOf(b);
  out['request_state'] = b.requestState || '';
  out['last_damage'] = b.lastDamage || 0;
  const f = b.field;
  out['field.weather'] = f.weather || '';
  out['field.weather.duration'] = f.weather && typeof f.weatherState.duration === 'number' ? f.weatherState.duration : 0;
  out['field.terrain'] = f.terrain || '';
  out['field.terrain.duration'] = f.terrain && typeof f.terrainState.duration === 'number' ? f.terrainState.duration : 0;
  out['field.pseudo_weather'] = effectsString(f.pseudoWeather, null);
  const ms = entry.ms || masks(entry);
  for (const side of b.sides) {
    const s = side.id;
    const active = side.active[0];
    out[`${s}.active`] = active ? teamIndex(side, active) : -1;
    const order = [];
    for (let k = 0; k < TEAM_SLOTS; k++) order.push(k < side.pokemon.length ? teamIndex(side, side.pokemon[k]) : -1);
    out[`${s}.order`] = order;
    out[`${s}.pokemon_left`] = side.pokemonLeft;
    const req = side.activeRequest;
    out[`${s}.request`] = !req ? '' : req.wait ? 'wait' : req.forceSwitch ? 'switch' : req.teamPreview ? 'teampreview' : 'move';
    out[`${s}.side_conditions`] = Object.keys(side.sideConditions).sort().join(',');
    const known = new Set();
    for (const [cond, counters] of Object.entries(L.sideConditions)) {
      known.add(cond);
      for (const c of counters) out[`${s}.side.${cond}.${c}`] = counterValue(side.sideConditions[cond], c);
    }
    out[`${s}.side_other`] = effectsString(side.sideConditions, known);
    out[`${s}.slot_conditions`] = effectsString(side.slotConditions[0] || {}, null);
    if (L.gen === 1) {
      out[`${s}.last_selected_move`] = side.lastSelectedMove || '';
      out[`${s}.last_selected_move_slot`] = side.lastSelectedMoveSlot || 0;
      out[`${s}.last_enemy_selected_move`] = side.lastEnemySelectedMove || '';
      // side.lastEnemyMove (= side.lastMove): the move the side last used, which Counter reads
      out[`${s}.last_used_move`] = side.lastEnemyMove ? side.lastEnemyMove.id : '';
    }
    const byTeam = new Array(TEAM_SLOTS).fill(null);
    for (const pokemon of side.pokemon) {
      const ti = teamIndex(side, pokemon);
      if (ti >= 0 && ti < TEAM_SLOTS) byTeam[ti] = pokemon;
    }
    for (let i = 0; i < TEAM_SLOTS; i++) pokemonFields(out, `${s}.team.${i}`, byTeam[i], side, L);
    if (L.tera) out[`${s}.can_terastallize`] = !!(active && active.canTerastallize) && !side.choice.terastallize;
  }
  out['mask.p1'] = maskArray(ms[0], L.nActions);
  out['mask.p2'] = maskArray(ms[1], L.nActions);
  return out;
}

function maskArray(bits, n) {
  const a = new Array(n);
  for (let i = 0; i < n; i++) a[i] = !!(bits & (1 << i));
  return a;
}

// ---------------------------------------------------------------------------------------------
// Serialisation for restore(): Showdown's own State.serializeBattle / deserializeBattle.

function serialize(entry) {
  const state = entry.battle.toJSON();
  // The human log is output only; drop it, with the two indices that point into it.
  state.log = [];
  state.sentLogPos = 0;
  state.lastMoveLine = -1;
  return JSON.stringify({format: entry.L.formatid, battle: state});
}

function restore(entry0, payload) {
  const {Battle} = showdown();
  const data = typeof payload === 'string' ? JSON.parse(payload) : payload;
  const L = layout(data.format);
  const battle = Battle.fromJSON(data.battle);
  const entry = {battle, L, hits: entry0 ? entry0.hits : 0, draws: entry0 ? entry0.draws : 0};
  installMutation(entry);
  return entry;
}

// ---------------------------------------------------------------------------------------------
// A deterministic policy shared with the Python bench (bench/bench_showdown.py): the same
// battles are played inside Node alone and through the adapter.

function policyPick(seed, step, player, bits) {
  const legal = bitsList(bits);
  if (!legal.length) return 0;
  let h = Math.imul((seed ^ 0x9e3779b9) | 0, 0x85ebca6b);
  h = (h + Math.imul(step, 0xc2b2ae35)) | 0;
  h = (h + Math.imul(player + 1, 0x27d4eb2f)) | 0;
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return legal[(h >>> 0) % legal.length];
}

/** Play whole battles inside Node with the shared policy; returns per-battle turns and final PRNG. */
function rollout(specs, maxSteps) {
  const out = [];
  for (const spec of specs) {
    const entry = createBattle(spec);
    let step = 0;
    while (!entry.battle.ended && step < maxSteps) {
      const ms = entry.ms = masks(entry);
      applyActions(entry, [policyPick(spec.policy_seed, step, 0, ms[0]), policyPick(spec.policy_seed, step, 1, ms[1])]);
      step++;
    }
    out.push({turns: entry.battle.turn, steps: step, winner: winnerOf(entry.battle), prng: seedArray(entry.battle.prng)});
    entry.battle.destroy();
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Request handling.

function perBattle(list, fn) {
  const results = [];
  for (const item of list) {
    try {
      results.push(fn(item));
    } catch (err) {
      results.push({error: errorObject(err, item && (Array.isArray(item) ? item[0] : item.bid))});
    }
  }
  return results;
}

function errorObject(err, bid) {
  if (err instanceof DriverError) return {type: err.type, message: err.message, bid};
  return {type: 'BattleError', message: String(err && err.message || err), stack: String(err && err.stack || ''), bid};
}

const OPS = {
  hello() {
    showdown();
    return {showdown: SD_VERSION, node: process.version, mutate: ARGS.mutate || ''};
  },
  fields(req) {
    return {fields: fields(req.format)};
  },
  reset(req) {
    return {results: perBattle(req.battles, (spec) => {
      const old = BATTLES.get(spec.bid);
      if (old) old.battle.destroy();
      BATTLES.delete(spec.bid);
      const entry = createBattle(spec);
      BATTLES.set(spec.bid, entry);
      return briefWith(entry, req.snapshot);
    })};
  },
  step(req) {
    return {results: perBattle(req.battles, (item) => {
      const entry = getEntry(item[0]);
      applyActions(entry, [item[1], item[2]]);
      return briefWith(entry, req.snapshot);
    })};
  },
  snapshot(req) {
    return {results: perBattle(req.battles, (item) => {
      const entry = getEntry(item.bid);
      const r = {s: snapshot(entry)};
      if (item.state) r.state = serialize(entry);
      return r;
    })};
  },
  restore(req) {
    return {results: perBattle(req.battles, (item) => {
      const old = BATTLES.get(item.bid);
      const entry = restore(old, item.state);
      if (old) old.battle.destroy();
      BATTLES.set(item.bid, entry);
      return brief(entry);
    })};
  },
  close(req) {
    for (const bid of req.bids || [...BATTLES.keys()]) {
      const e = BATTLES.get(bid);
      if (e) e.battle.destroy();
      BATTLES.delete(bid);
    }
    return {open: BATTLES.size};
  },
  rollout(req) {
    return {results: rollout(req.battles, req.max_steps || 1000)};
  },
};

function handle(line) {
  let req;
  try {
    req = JSON.parse(line);
  } catch (err) {
    return {id: null, ok: false, error: {type: 'ProtocolError', message: `bad JSON: ${err.message}`}};
  }
  const op = OPS[req.op];
  if (!op) return {id: req.id, ok: false, error: {type: 'ProtocolError', message: `unknown op ${req.op}`}};
  try {
    const res = op(req);
    res.id = req.id;
    res.ok = true;
    return res;
  } catch (err) {
    return {id: req.id, ok: false, error: errorObject(err, null)};
  }
}

function main() {
  let buf = '';
  const out = [];
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk) => {
    buf += chunk;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line.trim()) out.push(JSON.stringify(handle(line)));
    }
    if (out.length) {
      process.stdout.write(out.join('\n') + '\n');
      out.length = 0;
    }
  });
  process.stdin.on('end', () => process.exit(0));
}

module.exports = {showdown, layout, fields, createBattle, applyActions, masks, snapshot, serialize, restore, policyPick, rollout, bitsList, DriverError};

if (require.main === module) main();
