'use strict';
/**
 * Node-alone baseline for bench/bench_showdown.py: plays the given battles with the driver's
 * shared deterministic policy, directly on Showdown's Battle API, no pipe and no Python.
 *
 * stdin: {"battles": [{format, seed, p1seed, p2seed, policy_seed}], "warmup": [...], "max_steps": N}
 * (the warm-up battles are played first, untimed, so both sides are measured with a warm JIT)
 * stdout: {"seconds", "battles", "turns", "steps", "results": [{turns, steps, winner, prng}]}
 * Usage: node bench.js --modules DIR < specs.json
 */
const driver = require('./driver.js');

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (c) => { input += c; });
process.stdin.on('end', () => {
  const req = JSON.parse(input);
  driver.showdown();
  driver.layout(req.battles[0].format);
  if (req.warmup && req.warmup.length) driver.rollout(req.warmup, req.max_steps || 1000);
  const t0 = process.hrtime.bigint();
  const results = driver.rollout(req.battles, req.max_steps || 1000);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  let turns = 0;
  let steps = 0;
  for (const r of results) {
    turns += r.turns;
    steps += r.steps;
  }
  process.stdout.write(JSON.stringify({seconds, battles: results.length, turns, steps, results}) + '\n');
});
