'use strict';
/**
 * equivcheck's window onto Pokemon Showdown's own component functions, for L1 property tests.
 *
 * Protocol: one JSON object per line on stdin, one JSON object per line on stdout, in order.
 * Request  {"id": N, "op": OP, ...}
 * Response {"id": N, "ok": true, "result": ...} or {"id": N, "ok": false, "error": {type, message, stack}}
 * Every op takes a list of cases and answers a list, so one round trip serves many examples.
 *
 * Battles use the format gen1randombattle (explicit teams): its `battle.trunc` keeps the bit width
 * (custom-game formats replace it by Math.trunc, which changes Gen 1 stat rollover).
 *
 * Ops (a "mon" is {set: {species, level, ivs, evs, moves?}, modified?: {atk, def, spa, spd, spe},
 * boosts?: {...}, volatiles?: [id, ...], status?: id}; seeds are four 16-bit words, as Showdown's
 * Gen5RNG keeps them):
 *   hello                                   -> {showdown, node}
 *   prng {cases: [{seed, calls}]}           -> [{out, seed}]: Showdown's PRNG (sim/prng.ts) making the
 *        calls ["random"] | ["random", n] | ["random", m, n] | ["chance", num, den] | ["sample", len]
 *        (the index drawn) | ["shuffle", len, start, end] (the shuffled 0..len-1)
 *   stats {cases: [set]}                    -> [{hp, atk, def, spa, spd, spe}]: a Pokemon built by the
 *        Gen 1 Battle (its maxhp and storedStats)
 *   boost {cases: [{mon, stat, delta}]}     -> [{changed, boosts, modified}]: Gen 1 pokemon.boostBy
 *   effectiveness {cases: [[type, [types]]]} -> [{eff, immune}]: dex.getEffectiveness, !dex.getImmunity
 *   damage {cases: [{seed, attacker, defender, move}]} -> [{damage, crit, seed, trace}]: the Gen 1
 *        battle.actions.getDamage(attacker, defender, move); trace lists every draw:
 *        ["chance", num, den, result] or ["random", m, n, result]
 *   accuracy {cases: [{attacker, defender, move}]} -> [{kind, num, den}]: what the Gen 1
 *        actions.tryMoveHit does before the hit: "roll" (randomChance(num, den) is the accuracy check),
 *        "fail" (it returned without a draw: immunity, OHKO speed check) or "nocheck" (it went on to hit
 *        without an accuracy draw)
 *   teams {format, cases: [seed string]}    -> [{team, seed}]: Teams.getGenerator(format, seed).getTeam()
 *        and the generator's PRNG state afterwards
 *   trace {cases: [{seed, p1, p2, turns}]} -> [{start, turns: [{choices, calls, turn, request}]}]: a
 *        gen1randombattle battle from the battle seed (a `gen5,` string or four words) and two teams
 *        (lists of sets, as `fullSet` completes them), played through `turns` (each [p1 choice, p2
 *        choice], Showdown choice strings, "" for a player without a request); every PRNG call is
 *        logged as [kind, args, result, label] with kind random | randomChance | sample (result: the index
 *        drawn) | shuffle (args [len, start, end], result: the draws it made, random(i, end) each) and label
 *        the chain of Showdown functions that made it (innermost first, from the stack); with `marks`,
 *        entries [action, [choice, pokemon]], [eachEvent, [id]], [fieldEvent, [id]] mark the calls
 *
 * Usage: node components.js [--modules DIR]   (DIR holds node_modules/pokemon-showdown)
 */

const path = require('path');
const readline = require('readline');

function modulesDir() {
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--modules') return argv[i + 1];
    if (argv[i].startsWith('--modules=')) return argv[i].slice(10);
  }
  return process.env.EQUIVCHECK_SHOWDOWN_MODULES || null;
}

const MODULES = modulesDir();
const PKG_DIR = MODULES ? path.join(MODULES, 'node_modules', 'pokemon-showdown') : 'pokemon-showdown';
const SD = require(PKG_DIR);
const VERSION = require(path.join(PKG_DIR, 'package.json')).version;
const FORMAT = 'gen1randombattle';
Error.stackTraceLimit = 30;
const STATS = ['atk', 'def', 'spa', 'spd', 'spe'];

class Abort extends Error {}

function seedString(words) {
  return words.map(w => Number(w)).join(',');
}

function seedWords(prng) {
  return prng.getSeed().split(',').map(Number);
}

function fullSet(set) {
  const ivs = Object.assign({hp: 30, atk: 30, def: 30, spa: 30, spd: 30, spe: 30}, set.ivs || {});
  const evs = Object.assign({hp: 255, atk: 255, def: 255, spa: 255, spd: 255, spe: 255}, set.evs || {});
  return {
    name: set.name || set.species, species: set.species, level: set.level ?? 100, ivs, evs,
    moves: set.moves && set.moves.length ? set.moves : ['splash'], ability: 'No Ability', item: '',
    gender: '', nature: 'Serious',
  };
}

/** A started Gen 1 battle with the given teams (lists of sets). */
function makeBattle(team1, team2) {
  const battle = new SD.Battle({formatid: FORMAT, seed: 'gen5,0000000000000000'});
  battle.setPlayer('p1', {name: 'p1', team: team1.map(fullSet)});
  battle.setPlayer('p2', {name: 'p2', team: team2.map(fullSet)});
  return battle;
}

function applyMon(battle, pokemon, mon) {
  if (mon.modified) Object.assign(pokemon.modifiedStats, mon.modified);
  if (mon.boosts) Object.assign(pokemon.boosts, mon.boosts);
  for (const id of mon.volatiles || []) pokemon.addVolatile(id);
  if (mon.status) pokemon.status = mon.status;
}

/** Battle with attacker (p1) and defender (p2) active and their overrides applied. */
function duel(c) {
  const battle = makeBattle([c.attacker.set], [c.defender.set]);
  const a = battle.p1.active[0];
  const d = battle.p2.active[0];
  applyMon(battle, a, c.attacker);
  applyMon(battle, d, c.defender);
  return {battle, a, d};
}

/** Replace the battle's PRNG by one at `seed` whose every draw is logged in `trace`. */
function tracedPrng(battle, seed, trace) {
  const prng = new SD.PRNG(seedString(seed));
  const random = prng.random.bind(prng);
  prng.random = (m, n) => {
    const r = random(m, n);
    trace.push(['random', m ?? null, n ?? null, r]);
    return r;
  };
  prng.randomChance = (num, den) => {
    const r = random(den) < num;
    trace.push(['chance', num, den, r]);
    return r;
  };
  battle.prng = prng;
  return prng;
}

/** Showdown function names on the current stack (innermost first), without this file's frames. */
function stackLabel() {
  const lines = new Error().stack.split('\n').slice(1);
  const names = [];
  for (const l of lines) {
    if (l.includes('components.js')) continue;
    const m = l.match(/at (?:Object\.|[A-Za-z]+\.)?([A-Za-z0-9_]+) \(/) || l.match(/at ([^ ]+) \(/);
    if (m) names.push(m[1]);
  }
  return names.slice(0, 6).join('<');
}

const OPS = {
  hello() {
    return {showdown: VERSION, node: process.version};
  },

  prng({cases}) {
    return cases.map(({seed, calls}) => {
      const prng = new SD.PRNG(seedString(seed));
      const out = calls.map(([op, ...args]) => {
        switch (op) {
        case 'random': return prng.random(...args);
        case 'chance': return prng.randomChance(args[0], args[1]);
        case 'sample': return prng.sample([...Array(args[0]).keys()]);
        case 'shuffle': {
          const items = [...Array(args[0]).keys()];
          prng.shuffle(items, args[1], args[2]);
          return items;
        }
        default: throw new Error(`unknown prng call ${op}`);
        }
      });
      return {out, seed: seedWords(prng)};
    });
  },

  stats({cases}) {
    const out = [];
    for (let i = 0; i < cases.length; i += 6) {
      const battle = makeBattle(cases.slice(i, i + 6), [{species: 'mew'}]);
      for (const p of battle.p1.pokemon) {
        out.push({hp: p.maxhp, ...Object.fromEntries(STATS.map(s => [s, p.storedStats[s]]))});
      }
    }
    return out;
  },

  boost({cases}) {
    return cases.map(c => {
      const battle = makeBattle([c.mon.set], [{species: 'mew'}]);
      const p = battle.p1.active[0];
      applyMon(battle, p, c.mon);
      const changed = p.boostBy({[c.stat]: c.delta});
      return {changed, boosts: {...p.boosts}, modified: {...p.modifiedStats}};
    });
  },

  effectiveness({cases}) {
    const dex = SD.Dex.forFormat(FORMAT);
    return cases.map(([type, types]) => ({eff: dex.getEffectiveness(type, types), immune: !dex.getImmunity(type, types)}));
  },

  damage({cases}) {
    return cases.map(c => {
      const {battle, a, d} = duel(c);
      const trace = [];
      tracedPrng(battle, c.seed, trace);
      const move = battle.dex.getActiveMove(c.move);
      const damage = battle.actions.getDamage(a, d, move, true);
      const crit = !!(move.moveHitData && d.getMoveHitData(move).crit);
      return {damage: damage === undefined ? null : damage, crit, seed: seedWords(battle.prng), trace};
    });
  },

  accuracy({cases}) {
    return cases.map(c => {
      const {battle, a, d} = duel(c);
      const move = battle.dex.getActiveMove(c.move);
      let out = null;
      battle.randomChance = (num, den) => {
        out = {kind: 'roll', num, den};
        throw new Abort();
      };
      battle.actions.moveHit = () => {
        out = {kind: 'nocheck'};
        throw new Abort();
      };
      battle.setActiveMove(move, a, d);
      try {
        battle.actions.tryMoveHit(d, a, move);
        out = out || {kind: 'fail'};
      } catch (err) {
        if (!(err instanceof Abort)) throw err;
      }
      return out;
    });
  },

  trace({cases}) {
    return cases.map(c => {
      const seed = typeof c.seed === 'string' ? c.seed : seedString(c.seed);
      const battle = new SD.Battle({formatid: FORMAT, seed});
      let log = [];
      const prng = battle.prng;
      const orig = {random: prng.random, randomChance: prng.randomChance, sample: prng.sample, shuffle: prng.shuffle};
      let depth = 0;
      let inner = [];
      const wrap = (kind, fn) => function (...args) {
        if (depth === 0) inner = [];
        depth++;
        let r;
        try {
          r = fn.apply(this, args);
        } finally {
          depth--;
        }
        if (depth > 0) {
          if (kind === 'random') inner.push(r);
          return r;
        }
        if (kind === 'sample') {
          log.push(['sample', [args[0].length], args[0].indexOf(r), stackLabel()]);
        } else if (kind === 'shuffle') {
          log.push(['shuffle', [args[0].length, args[1] ?? 0, args[2] ?? args[0].length], inner, stackLabel()]);
        } else {
          log.push([kind, args, r, stackLabel()]);
        }
        return r;
      };
      for (const k of Object.keys(orig)) prng[k] = wrap(k, orig[k]);
      if (c.marks) {
        // Markers between the draws: each action run and each eachEvent/fieldEvent/speedSort call.
        const runAction = battle.runAction.bind(battle);
        battle.runAction = action => {
          log.push(['action', [action.choice, action.pokemon ? String(action.pokemon) : null], null, '']);
          return runAction(action);
        };
        const eachEvent = battle.eachEvent.bind(battle);
        battle.eachEvent = (id, ...rest) => {
          log.push(['eachEvent', [id], null, '']);
          return eachEvent(id, ...rest);
        };
        const fieldEvent = battle.fieldEvent.bind(battle);
        battle.fieldEvent = (id, ...rest) => {
          log.push(['fieldEvent', [id], null, '']);
          return fieldEvent(id, ...rest);
        };
      }
      battle.setPlayer('p1', {name: 'p1', team: c.p1.map(fullSet)});
      battle.setPlayer('p2', {name: 'p2', team: c.p2.map(fullSet)});
      const start = {calls: log, seed: seedWords(battle.prng), turn: battle.turn};
      const turns = [];
      for (const choices of c.turns || []) {
        log = [];
        for (const [k, side] of [[0, 'p1'], [1, 'p2']]) {
          if (choices[k] && !battle.choose(side, choices[k])) throw new Error(`${side} choice ${choices[k]} rejected`);
        }
        turns.push({choices, calls: log, seed: seedWords(battle.prng), turn: battle.turn, ended: battle.ended,
          request: battle.sides.map(s => s.requestState)});
      }
      return {start, turns};
    });
  },

  teams({format, cases}) {
    return cases.map(seed => {
      const gen = SD.Teams.getGenerator(format, seed);
      const team = gen.getTeam().map(s => ({
        species: SD.Dex.species.get(s.species).id, level: s.level, moves: s.moves, evs: s.evs, ivs: s.ivs,
      }));
      return {team, seed: seedWords(gen.prng)};
    });
  },
};

function answer(line) {
  let req;
  try {
    req = JSON.parse(line);
  } catch (err) {
    return {id: null, ok: false, error: {type: 'protocol', message: `bad JSON: ${err.message}`}};
  }
  const op = OPS[req.op];
  if (!op) return {id: req.id, ok: false, error: {type: 'protocol', message: `unknown op ${req.op}`}};
  try {
    return {id: req.id, ok: true, result: op(req)};
  } catch (err) {
    return {id: req.id, ok: false, error: {type: err.name || 'Error', message: String(err.message), stack: err.stack}};
  }
}

const rl = readline.createInterface({input: process.stdin, terminal: false});
rl.on('line', line => {
  if (!line.trim()) return;
  process.stdout.write(JSON.stringify(answer(line)) + '\n');
});
rl.on('close', () => process.exit(0));
