"""Ctrl-C during `equivcheck diff --jobs 2`: the run stops promptly, exits 2 (not certified), and
the report holds every episode the workers had finished."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EPISODES = 4000
"""At RESET_SECONDS a reset, 2 workers need 100 s for all: a run that plays on is plainly seen."""
STARTED = 20
"""Episodes (resets) seen before the interrupt is sent."""
PROMPT_SECONDS = 15.0


def _kill_all(proc: subprocess.Popen) -> tuple[str, str]:
    """Kill the run and every worker (its own process group), then collect its output."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    if proc.stdout is None or proc.stdout.closed:
        proc.wait()
        return "", ""
    return proc.communicate()


def _start(tmp_path: Path) -> tuple[subprocess.Popen, Path]:
    markers = tmp_path / "markers"
    markers.mkdir()
    env = dict(os.environ, EQUIVCHECK_PLUGINS="tests.mutants,tests.slow_pair", PYTHONPATH=str(ROOT),
               EQUIVCHECK_TEST_MARKERS=str(markers), COLUMNS="200")
    cmd = [sys.executable, "-m", "equivcheck.cli", "diff", "--case", "toy-walk", "--ref", "slow-walk-ref",
           "--cand", "toy-walk-cand", "--tier", "rollout", "--episodes", str(EPISODES), "--seed", "5", "--jobs", "2", "--no-corpus",
           "--quiet", "--report-dir", str(tmp_path / "r")]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    deadline = time.monotonic() + 240
    while len(list(markers.iterdir())) < STARTED:
        if proc.poll() is not None or time.monotonic() > deadline:
            out, err = _kill_all(proc)
            pytest.fail(f"the run never got going: rc={proc.returncode} {out} {err}")
        time.sleep(0.1)
    return proc, markers


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "zombie" not in Path(f"/proc/{pid}/status").read_text().lower()


@pytest.mark.parametrize("to_group", [False, True], ids=["sigint-to-parent-only", "ctrl-c-to-the-group"])
def test_interrupt_with_jobs_stops_promptly_and_keeps_finished_episodes(tmp_path: Path, to_group: bool) -> None:
    proc, markers = _start(tmp_path)
    try:
        _interrupt_and_check(proc, markers, tmp_path, to_group)
    finally:
        _kill_all(proc)  # a failing run's workers must not outlive the test


def _interrupt_and_check(proc: subprocess.Popen, markers: Path, tmp_path: Path, to_group: bool) -> None:
    sent = time.monotonic()
    if to_group:
        os.killpg(proc.pid, signal.SIGINT)
    else:
        proc.send_signal(signal.SIGINT)
    try:
        out, err = proc.communicate(timeout=PROMPT_SECONDS)
    except subprocess.TimeoutExpired:
        out, err = _kill_all(proc)
        pytest.fail(f"still running {PROMPT_SECONDS:.0f} s after SIGINT: {err[-2000:]}")
    elapsed = time.monotonic() - sent
    assert proc.returncode == 2, out + err
    assert elapsed < PROMPT_SECONDS
    (path,) = (tmp_path / "r").glob("*.json")
    data = json.loads(path.read_text())
    (tier,) = [t for t in data["tiers"] if t["tier"] == "rollout"]
    resets = len(list(markers.iterdir()))
    assert data["status"] == "error" and "interrupted" in data["error"]
    # finished episodes are reported: at least half of those seen before the interrupt (a result on
    # its way to the parent, 50 ms behind its worker, may be cut off), never more than were started
    assert STARTED // 2 <= tier["episodes"] <= resets and tier["steps"] > 0
    assert "INTERRUPTED" in out.upper() or "ERROR" in out.upper()
    workers = {int(p.name.split("-")[0]) for p in markers.iterdir()}
    assert len(workers) == 2 and not any(_alive(pid) for pid in workers)
    time.sleep(1.0)
    assert len(list(markers.iterdir())) == resets, "workers played on after the run ended"
