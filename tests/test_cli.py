"""The equivcheck command as a user runs it: exit codes, reports, faults, --jobs, replay, gate."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, EQUIVCHECK_PLUGINS="tests.mutants", PYTHONPATH=str(ROOT), COLUMNS="200")
    return subprocess.run([sys.executable, "-m", "equivcheck.cli", *args], capture_output=True, text=True,
                          env=env, cwd=cwd or ROOT, timeout=300)


def load_report(directory: Path) -> dict:
    (path,) = [p for p in directory.glob("*.json")]
    return json.loads(path.read_text())


def test_equivalent_pair_exits_0_and_writes_reports(tmp_path: Path) -> None:
    out = cli("diff", "--ref", "toy-walk-ref", "--cand", "toy-walk-cand", "--tier", "all", "--seed", "4",
              "--report-dir", str(tmp_path))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "EQUIVALENT" in out.stdout and "master seed 4" in out.stdout
    for ext in ("json", "md", "html"):
        assert len(list(tmp_path.glob(f"*.{ext}"))) == 1
    data = load_report(tmp_path)
    assert data["status"] == "equivalent" and data["exit_code"] == 0
    assert {t["tier"] for t in data["tiers"]} == {"property", "interaction", "rollout", "transfer"}
    assert data["versions"]["ref"]["backend"].startswith("toy-walk python")


def test_divergent_pair_exits_1_with_shrunk_replay(tmp_path: Path) -> None:
    out = cli("diff", "--tier", "rollout", "--ref", "toy-walk-ref", "--cand", "mut-walk-bump-free", "--case", "toy-walk", "--seed", "4",
              "--episodes", "30", "--no-corpus", "--report-dir", str(tmp_path))
    assert out.returncode == 1, out.stdout + out.stderr
    assert "DIVERGENT" in out.stdout and "repro: equivcheck replay" in out.stdout
    data = load_report(tmp_path)
    first = data["tiers"][0]["divergences"][0]
    assert first["diffs"][0]["path"] in ("reward", "total")
    assert first["shrink"]["shrunk_steps"] <= first["shrink"]["original_steps"]
    replay_file = Path(first["corpus_file"])
    assert replay_file.exists()
    saved = json.loads(replay_file.read_text())
    assert saved["actions"] == first["shrink"]["actions"]
    again = cli("replay", str(replay_file), "--report-dir", str(tmp_path / "replay"))
    assert again.returncode == 1, again.stdout + again.stderr
    fixed = cli("replay", str(replay_file), "--cand", "toy-walk-cand", "--report-dir", str(tmp_path / "fixed"))
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr


def test_unknown_adapter_is_one_line_exit_2() -> None:
    out = cli("diff", "--ref", "toy-walk-ref", "--cand", "toy-walk-cnd")
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "unknown adapter 'toy-walk-cnd'" in lines[0] and "toy-walk-cand" in lines[0]


def test_bad_tier_is_usage_error() -> None:
    out = cli("diff", "--ref", "toy-walk-ref", "--cand", "toy-walk-cand", "--tier", "rollouts")
    assert out.returncode == 2 and "unknown tier" in out.stderr


def test_candidate_crash_is_a_divergence_and_other_episodes_are_kept(tmp_path: Path) -> None:
    out = cli("diff", "--tier", "rollout", "--case", "toy-walk", "--ref", "toy-walk-ref", "--cand", "fault-walk-crash", "--episodes", "12",
              "--seed", "2", "--no-corpus", "--report-dir", str(tmp_path))
    assert out.returncode == 1, out.stderr
    tier = load_report(tmp_path)["tiers"][0]
    assert tier["episodes"] == 12
    crashes = [d for d in tier["divergences"] if d["crash"]]
    assert crashes and "candidate raised RuntimeError: candidate backend exploded" in crashes[0]["crash"]
    assert all(d["step"] == 5 for d in crashes)


def test_reference_dying_mid_run_keeps_finished_episodes(tmp_path: Path) -> None:
    out = cli("diff", "--tier", "rollout", "--case", "toy-walk", "--ref", "fault-walk-ref-dies", "--cand", "toy-walk-cand",
              "--episodes", "10", "--seed", "1", "--no-corpus", "--report-dir", str(tmp_path))
    assert out.returncode == 1, out.stderr
    tier = load_report(tmp_path)["tiers"][0]
    assert tier["episodes"] == 10
    assert any("reference raised ConnectionResetError" in (d["crash"] or "") for d in tier["divergences"])


def test_vacuous_run_is_an_error_not_a_pass(tmp_path: Path) -> None:
    out = cli("diff", "--tier", "rollout", "--case", "toy-walk", "--ref", "fault-walk-frozen", "--cand", "fault-walk-frozen",
              "--seed", "1", "--report-dir", str(tmp_path))
    assert out.returncode == 2, out.stdout
    data = load_report(tmp_path)
    assert data["status"] == "error" and "liveness" in data["error"]
    assert data["liveness"]["the walker moves"] is False


def test_jobs_find_the_same_divergences(tmp_path: Path) -> None:
    found = {}
    for jobs in ("1", "2"):
        d = tmp_path / jobs
        out = cli("diff", "--tier", "rollout", "--case", "toy-dice", "--ref", "toy-dice-ref", "--cand", "mut-dice-bank-no-turn",
                  "--episodes", "8", "--seed", "9", "--jobs", jobs, "--no-shrink", "--no-corpus", "--report-dir", str(d))
        assert out.returncode == 1, out.stderr
        tier = load_report(d)["tiers"][0]
        found[jobs] = sorted((x["episode"], x["step"], x["diffs"][0]["path"]) for x in tier["divergences"])
        assert tier["episodes"] == 8
    assert found["1"] == found["2"] and found["1"]


def test_gate_summarises_pairs_and_fails_on_divergence(tmp_path: Path) -> None:
    gate = tmp_path / "gate.toml"
    gate.write_text(
        'budget = 120\nseed = 3\nsave_corpus = false\n'
        '[[pair]]\nref = "toy-walk-ref"\ncand = "toy-walk-cand"\ntiers = ["property", "rollout"]\n'
        '[[pair]]\ncase = "toy-dice"\nref = "toy-dice-ref"\ncand = "mut-dice-face-zero"\nepisodes = 5\n'
    )
    out = cli("gate", str(gate), "--report-dir", str(tmp_path / "r"))
    assert out.returncode == 1, out.stdout + out.stderr
    assert "toy-walk-ref vs toy-walk-cand" in out.stdout and "equivalent" in out.stdout
    assert "divergent" in out.stdout and "FAIL" in out.stdout
    assert len(list((tmp_path / "r").glob("*.json"))) == 2


def test_gate_out_of_budget_is_not_certified(tmp_path: Path) -> None:
    gate = tmp_path / "gate.toml"
    gate.write_text('budget = 0\n[[pair]]\nref = "toy-walk-ref"\ncand = "toy-walk-cand"\n')
    out = cli("gate", str(gate), "--report-dir", str(tmp_path / "r"))
    assert out.returncode == 2 and "not run" in out.stdout


@pytest.mark.parametrize("text", ["budget = [", '[[pair]]\nref = "a"\n', '[[pair]]\nref="a"\ncand="b"\ncolour="red"\n'])
def test_gate_bad_file_is_usage_error(tmp_path: Path, text: str) -> None:
    gate = tmp_path / "gate.toml"
    gate.write_text(text)
    out = cli("gate", str(gate))
    assert out.returncode == 2 and out.stderr.startswith("equivcheck: error:")


def test_list_shows_cases_and_adapters() -> None:
    out = cli("list")
    assert out.returncode == 0
    for name in ("toy-walk", "toy-mass", "toy-dice", "toy-walk-cand", "mut-walk-bump-free"):
        assert name in out.stdout


def test_replay_of_missing_file_is_exit_2(tmp_path: Path) -> None:
    out = cli("replay", str(tmp_path / "nope.json"))
    assert out.returncode == 2 and "not found" in out.stderr


def test_adapter_failing_to_start_is_one_line_exit_2() -> None:
    out = cli("diff", "--case", "toy-walk", "--ref", "toy-walk-ref", "--cand", "fault-broken-start")
    assert out.returncode == 2
    assert out.stderr.strip().count("\n") == 0 and "failed to start: OSError: libfoo.so" in out.stderr


def test_fault_mid_run_keeps_finished_episodes_in_the_report(tmp_path: Path) -> None:
    out = cli("diff", "--tier", "rollout", "--case", "toy-walk", "--ref", "fault-walk-ref-rejects", "--cand", "toy-walk-cand",
              "--episodes", "20", "--seed", "1", "--report-dir", str(tmp_path))
    assert out.returncode == 2, out.stdout + out.stderr
    data = load_report(tmp_path)
    assert "action 2 not accepted here" in data["error"]
    tier = data["tiers"][0]
    assert tier["status"] == "incomplete" and 0 < tier["episodes"] < 20 and tier["steps"] > 0


def test_replay_with_an_action_that_does_not_fit_is_exit_2(tmp_path: Path) -> None:
    src = tmp_path / "r"
    out = cli("diff", "--tier", "rollout", "--ref", "toy-walk-ref", "--cand", "mut-walk-bump-free", "--case", "toy-walk", "--seed", "4",
              "--episodes", "30", "--no-corpus", "--report-dir", str(src))
    saved = json.loads(Path(load_report(src)["tiers"][0]["divergences"][0]["corpus_file"]).read_text())
    saved["actions"] = [[0, 1]] + saved["actions"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(saved))
    out = cli("replay", str(bad), "--report-dir", str(tmp_path / "x"))
    assert out.returncode == 2 and "action 0 does not fit" in out.stderr


def test_only_the_first_divergent_episodes_are_saved_the_rest_get_an_episode_repro(tmp_path: Path) -> None:
    out = cli("diff", "--tier", "rollout", "--case", "toy-dice", "--ref", "toy-dice-ref", "--cand", "mut-dice-extra-draw", "--episodes", "6",
              "--seed", "2", "--no-corpus", "--report-dir", str(tmp_path))
    assert out.returncode == 1
    divs = load_report(tmp_path)["tiers"][0]["divergences"]
    assert len(divs) == 6 and sum(1 for d in divs if d["corpus_file"]) == 3
    late = [d for d in divs if not d["corpus_file"]][0]
    assert f"--episode {late['episode']}" in late["repro"]
    rerun = cli(*late["repro"].split()[1:], "--no-corpus", "--report-dir", str(tmp_path / "one"))
    assert rerun.returncode == 1
    one = load_report(tmp_path / "one")["tiers"][0]
    assert one["episodes"] == 1 and one["divergences"][0]["episode_seed"] == late["episode_seed"]


def test_only_runs_the_named_component(tmp_path: Path) -> None:
    out = cli("diff", "--case", "toy-walk", "--ref", "toy-walk-ref", "--cand", "mut-walk-clamp-upper", "--tier",
              "property", "--only", "reward", "--seed", "1", "--no-corpus", "--report-dir", str(tmp_path / "a"))
    assert out.returncode == 0, out.stdout
    out = cli("diff", "--case", "toy-walk", "--ref", "toy-walk-ref", "--cand", "mut-walk-clamp-upper", "--tier",
              "property", "--only", "clamp", "--seed", "1", "--no-corpus", "--report-dir", str(tmp_path / "b"))
    assert out.returncode == 1 and load_report(tmp_path / "b")["tiers"][0]["fields"] == 1
    bad = cli("diff", "--case", "toy-walk", "--ref", "toy-walk-ref", "--cand", "toy-walk-cand", "--only", "clmp")
    assert bad.returncode == 2 and "no component, invariant or scenario clmp" in bad.stderr


@pytest.mark.parametrize("tier_run", ["property", "interaction", "transfer"])
def test_deadline_stops_every_tier(tier_run: str) -> None:
    import time

    from tests.conftest import run_pair

    report = run_pair("toy-walk", "toy-walk-cand", tier_run, deadline=time.time() - 1)
    assert report.exit_code == 2 and "budget exhausted" in (report.error or "")
