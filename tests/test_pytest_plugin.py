"""The pytest plugin: --tier filtering, the printed master seed, xdist, corpus replays."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]
ROOT = Path(__file__).resolve().parent.parent

CASE_TEST = '''
import pytest
from equivcheck.pytest_plugin import assert_equivalent

@pytest.mark.tier("rollout")
@pytest.mark.parametrize("cand", ["toy-walk-cand", "mut-walk-bump-free"])
def test_rollout(equivcheck_run, cand):
    assert_equivalent(equivcheck_run("toy-walk", "rollout", cand, save_corpus=False))

@pytest.mark.tier("property")
def test_property(equivcheck_run):
    assert_equivalent(equivcheck_run("toy-walk", "property", "toy-walk-cand"))

def test_seed_is_derived(equivcheck_run):
    print("SEED", equivcheck_run.seed)
'''


@pytest.fixture
def tester(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    monkeypatch.setenv("EQUIVCHECK_PLUGINS", "tests.mutants")
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    monkeypatch.syspath_prepend(str(ROOT))
    pytester.makepyfile(test_case=CASE_TEST)
    return pytester


def test_tier_filter_and_seed_header(tester: pytest.Pytester) -> None:
    result = tester.runpytest_subprocess("--tier=rollout", "--seed=77", "-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(["*equivcheck: master seed 77 (rerun with --seed 77)*"])
    outcomes = result.parseoutcomes()
    assert outcomes.get("passed") == 2 and outcomes.get("failed") == 1 and outcomes.get("deselected") == 1
    result.stdout.fnmatch_lines(["*DIVERGENT*"])


def test_cand_filter(tester: pytest.Pytester) -> None:
    result = tester.runpytest_subprocess("--tier=rollout", "--cand=toy-walk-cand", "--seed=1")
    assert result.parseoutcomes().get("passed") == 2 and "failed" not in result.parseoutcomes()


def test_runs_without_xdist(tester: pytest.Pytester) -> None:
    result = tester.runpytest_subprocess("-p", "no:xdist", "--tier=property", "--seed=3")
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(["*equivcheck: master seed 3*"])
    assert result.parseoutcomes().get("passed") == 2


def test_unknown_tier_is_a_usage_error(tester: pytest.Pytester) -> None:
    result = tester.runpytest_subprocess("--tier=rollouts")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*unknown tier*rollouts*"])


def test_xdist_workers_share_the_master_seed(tester: pytest.Pytester) -> None:
    seeds = []
    for extra in ([], ["-n", "2"]):
        result = tester.runpytest_subprocess("--seed=5", "-s", "-k", "seed_is_derived", *extra)
        found = re.findall(r"SEED (\d+)", result.stdout.str())
        assert result.ret == 0
        seeds.append(found)
    if not seeds[1]:
        result = tester.runpytest_subprocess("--seed=5", "-n", "2", "-k", "seed_is_derived", "-rP")
        seeds[1] = re.findall(r"SEED (\d+)", result.stdout.str())
    assert seeds[0] and seeds[0] == seeds[1]


def test_corpus_files_are_regression_tests(tester: pytest.Pytester, tmp_path: Path) -> None:
    from tests.conftest import run_pair

    report = run_pair("toy-walk", "mut-walk-bump-free", "rollout-lockstep", seed=4, report_dir=tmp_path)
    saved = Path(report.divergences[0].corpus_file)
    corpus = tester.path / "corpus"
    corpus.mkdir()
    shutil.copy(saved, corpus / "failing.json")
    fixed = json.loads(saved.read_text())
    fixed["cand"] = "toy-walk-cand"
    (corpus / "fixed.json").write_text(json.dumps(fixed))
    result = tester.runpytest_subprocess("corpus", "-p", "no:cacheprovider")
    outcomes = result.parseoutcomes()
    assert outcomes.get("passed") == 1 and outcomes.get("failed") == 1
    result.stdout.fnmatch_lines(["*failing*"])
