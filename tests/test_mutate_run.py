"""`equivcheck mutate` end to end on a tiny case (tests/mutate_fixture.py): outcomes, load proof, exit codes, report.

Each mutant runs in its own process (about 3 s of CPU here), so the tests pick a few mutants of
tests/mutate_subject.py whose fate is known: killed, survived, crashed (does not import),
timeout (an endless loop), and a module the run never imports (an error, never a survivor).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import tests.mutate_fixture as fixture
from equivcheck.cli import main
from equivcheck.errors import SetupError
from equivcheck.mutate.hook import source_hash
from equivcheck.mutate.operators import Mutant, Mutator
from equivcheck.mutate.runner import Executor, MutateConfig, classify, run_baseline, run_mutants
from equivcheck.mutate.sources import resolve

ROOT = Path(__file__).resolve().parents[1]
REF, CAND = fixture.CounterRef.name, fixture.CounterCand.name
SLOW = 180.0
"""A timeout no honest mutant of the fixture reaches (each takes a few seconds), even on a loaded machine."""


@pytest.fixture(autouse=True)
def _children_see_the_fixture(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("EQUIVCHECK_PLUGINS", "tests.mutate_fixture")


def _config(tmp_path: Path, modules: list[str], tiers: tuple[str, ...] = ("property", "interaction", "rollout"),
            jobs: int = 2) -> MutateConfig:
    return MutateConfig(case=fixture.CASE.name, ref=REF, cand=CAND, targets=resolve(modules), tiers=tiers, seed=0,
                        jobs=jobs, workdir=tmp_path)


def _pick(after: str) -> Mutant:
    source = (ROOT / "tests/mutate_subject.py").read_text()
    found = [m for m in Mutator(source, "tests.mutate_subject").mutants() if m.after == after]
    assert len(found) == 1, after
    return found[0]


def test_killed_survived_crashed_and_timeout(tmp_path: Path) -> None:
    config = _config(tmp_path, ["tests.mutate_subject"])
    executor = Executor(config)
    baseline = run_baseline(executor, config.targets, SLOW)
    assert baseline.result["outcome"] == "survived"
    killed, survived, crashed = _pick("return x - action"), _pick("return 6"), _pick("FIRST = TABLE[3]")
    results = {r.id: r for r in run_mutants(config, [killed, survived, crashed], SLOW, executor=executor)}
    k = results[killed.id]
    assert (k.status, k.tier, k.item, k.step) == ("killed", "property", "advance", 0) and 0 < k.seconds < SLOW
    assert results[survived.id].status == "survived"
    assert results[crashed.id].status == "crashed" and "IndexError" in results[crashed.id].detail
    (slow,) = run_mutants(config, [_pick("i -= 1")], 8.0, executor=executor)
    assert slow.status == "timeout"


def test_a_mutant_whose_statement_never_ran_survives_unrun(tmp_path: Path) -> None:
    config = _config(tmp_path, ["tests.mutate_subject"])
    executor = Executor(config)
    baseline = run_baseline(executor, config.targets, SLOW)
    never, ran, imported = _pick("return 6"), _pick("return x - action"), _pick("FIRST = TABLE[3]")
    assert not baseline.reached(never) and baseline.reached(ran) and baseline.reached(imported)
    (result,) = run_mutants(config, [never], SLOW, executor=executor, baseline=baseline)
    assert (result.status, result.reached, result.wall) == ("survived", False, 0.0)
    assert not list(executor.workdir.glob("*constant*")), "a child was started for a mutant that was not reached"


def test_rollout_kill_names_the_episode_and_step(tmp_path: Path) -> None:
    config = _config(tmp_path, ["tests.mutate_subject"], tiers=("rollout",), jobs=1)
    (result,) = run_mutants(config, [_pick("return x - action")], SLOW)
    assert result.status == "killed" and result.tier == "rollout" and result.step >= 1
    assert result.episode is not None and "x" in result.detail


def test_a_module_the_run_never_imports_is_a_setup_error(tmp_path: Path) -> None:
    config = _config(tmp_path, ["tests.mutate_subject", "envs.toy.dice:DiceCand"])
    with pytest.raises(SetupError, match="envs.toy.dice was never imported"):
        run_baseline(Executor(config), config.targets, SLOW)


def test_an_unproven_load_is_an_error_never_a_survivor() -> None:
    mutant = _pick("return 6")
    good = {"outcome": "survived", "seconds": 1.0, "proof": {mutant.module: {"sha": source_hash(mutant.source),
                                                                            "strays": []}}}
    assert classify(mutant, good, "", 1.0, False, False).status == "survived"
    for proof in ({}, {mutant.module: {"sha": None, "strays": []}},
                  {mutant.module: {"sha": source_hash("other"), "strays": []}},
                  {mutant.module: {"sha": source_hash(mutant.source), "strays": ["copy_of_subject"]}}):
        assert classify(mutant, {**good, "proof": proof}, "", 1.0, False, False).status == "error"


def _mutate(tmp_path: Path, *extra: str) -> int:
    return main(["mutate", "--ref", REF, "--cand", CAND, "--module", "tests.mutate_subject:advance",
                 "--module", "tests.mutate_subject:unused", "--operator", "arith,constant", "--seed", "0",
                 "--jobs", "2", "--timeout", str(SLOW), "--report-dir", str(tmp_path / "reports"), "--quiet", *extra])


def _latest(tmp_path: Path, suffix: str) -> Path:
    return sorted((tmp_path / "reports").glob(f"mutate-*{suffix}"), key=lambda p: p.stat().st_mtime)[-1]


def test_min_score_equivalent_marks_and_report(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert _mutate(tmp_path, "--min-score", "50%") == 1
    data = json.loads(_latest(tmp_path, ".json").read_text())
    assert data["counts"] == {"killed": 1, "survived": 2} and data["score"] == pytest.approx(1 / 3)
    assert data["tier_table"] == [{"tier": "property", "item": "advance", "killed": 1,
                                   "median_seconds": pytest.approx(data["tier_table"][0]["median_seconds"])}]
    assert data["time_to_kill"]["n"] == 1
    survivors = [r for r in data["results"] if r["status"] == "survived"]
    assert {r["after"] for r in survivors} == {"return 6", "return 8"}
    markdown = _latest(tmp_path, ".md").read_text()
    assert "**Score 33.3%**" in markdown and "| property | advance | 1 |" in markdown
    for r in survivors:
        assert f"{r['id']}  # tests.mutate_subject:{r['lineno']}: return 7  ->  {r['after']}" in markdown
    assert "mutation score 33.3%" in capsys.readouterr().out

    marks = tmp_path / "equivalent.txt"
    marks.write_text("# checked by hand: unused() is called by nothing\n"
                     + "".join(f"{r['id']}  # {r['after']}\n" for r in survivors) + "tests.gone:arith:00000000\n")
    first = _latest(tmp_path, ".json")
    assert _mutate(tmp_path, "--rescore", str(first), "--min-score", "0.95", "--equivalent", str(marks)) == 0
    rescored = json.loads(_latest(tmp_path, ".json").read_text())
    assert rescored["score"] == 1.0 and rescored["counts"] == {"killed": 1, "equivalent": 2}
    assert _mutate(tmp_path, "--rescore", str(first), "--min-score", "0.95") == 1
    assert _mutate(tmp_path, "--min-score", "0.95", "--equivalent", str(marks)) == 0
    data = json.loads(_latest(tmp_path, ".json").read_text())
    assert data["score"] == 1.0 and data["counts"] == {"killed": 1, "equivalent": 2}
    assert data["stale_marks"] == ["tests.gone:arith:00000000"]
    assert "## Marked equivalent (2)" in _latest(tmp_path, ".md").read_text()


def test_setup_problems_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert _mutate(tmp_path, "--executor", "ray") == 2
    assert "ray is not available yet" in capsys.readouterr().err
    assert _mutate(tmp_path, "--module", "tests.no_such_module") == 2
    missing = tmp_path / "missing.txt"
    assert _mutate(tmp_path, "--equivalent", str(missing)) == 2
    assert main(["mutate", "--ref", REF, "--cand", REF, "--case", fixture.CASE.name,
                 "--report-dir", str(tmp_path)]) == 2
    assert "declares no source_modules" in capsys.readouterr().err


def test_list_prints_the_sample_and_runs_nothing(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert _mutate(tmp_path, "--list", "--sample", "2") == 0
    out = capsys.readouterr().out
    assert "2 of 3 mutants" in out and out.count("tests.mutate_subject:") >= 2
    assert not (tmp_path / "reports").exists()
    chosen = _pick("return 8").id
    assert _mutate(tmp_path, "--list", "--mutant", chosen) == 0
    out = capsys.readouterr().out
    assert "1 of 3 mutants" in out and chosen in out and "return 6" not in out
    assert _mutate(tmp_path, "--list", "--mutant", "tests.mutate_subject:arith:00000000") == 2
    assert "no mutant tests.mutate_subject:arith:00000000" in capsys.readouterr().err


def test_gate_mutate_pair(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    gate = tmp_path / "gate.toml"
    pair = (f'[[pair]]\nkind = "mutate"\nref = "{REF}"\ncand = "{CAND}"\nmodules = ["tests.mutate_subject:advance"]\n'
            f'operators = ["arith"]\ntimeout = {SLOW}\n')
    gate.write_text(f'budget = 600\nreport_dir = "{tmp_path / "gate"}"\nseed = 0\n{pair}min_score = 1.0\n')
    assert main(["gate", str(gate)]) == 0
    assert "score met" in capsys.readouterr().out
    gate.write_text(f"{pair}")
    assert main(["gate", str(gate)]) == 2
    assert "needs 'min_score'" in capsys.readouterr().err
    gate.write_text(f"{pair}min_score = 0.9\nepisodes = 0\n")
    assert main(["gate", str(gate)]) == 2
    gate.write_text(f"{pair}min_score = 0.9\nshrink = true\n")
    assert main(["gate", str(gate)]) == 2
    assert "unknown key(s) shrink" in capsys.readouterr().err
