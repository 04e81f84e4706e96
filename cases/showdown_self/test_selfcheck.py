"""The self-check through the framework: showdown vs an independent shadow, and its mutants."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from adapters.showdown import Showdown, ShowdownShadow
from cases.showdown_self.case import SHOWDOWN_SELF
from equivcheck.policies import UniformPolicy
from equivcheck.tiers.rollout import run_episode

ROOT = Path(__file__).resolve().parents[2]


def diff(tmp: Path, cand: str, episodes: int) -> tuple[int, dict]:
    out = subprocess.run(
        [sys.executable, "-m", "equivcheck.cli", "diff", "--tier", "rollout", "--ref", "showdown", "--cand", cand,
         "--episodes", str(episodes), "--seed", "7", "--no-corpus", "--report-dir", str(tmp)],
        capture_output=True, text=True, cwd=ROOT, timeout=600,
    )
    (report,) = tmp.glob("*.json")
    return out.returncode, json.loads(report.read_text())


@pytest.mark.tier("rollout")
def test_independent_shadow_is_equivalent(tmp_path: Path) -> None:
    code, report = diff(tmp_path, "showdown-shadow", 12)
    assert code == 0, report.get("error") or report["tiers"][0]["divergences"][:1]
    assert report["tiers"][0]["episodes"] == 12 and report["tiers"][0]["steps"] > 100
    assert all(report["liveness"].values())


@pytest.mark.tier("rollout")
@pytest.mark.parametrize(("cand", "field_hint"), [("showdown-shadow-damage", "damage"), ("showdown-shadow-prng", "prng")])
def test_mutated_shadow_is_caught_naming_turn_and_field(tmp_path: Path, cand: str, field_hint: str) -> None:
    code, report = diff(tmp_path, cand, 4)
    assert code == 1
    first = report["tiers"][0]["divergences"][0]
    paths = [d["path"] for d in first["diffs"]]
    assert first["step"] >= 1 and "turn" in first["ref_state"]
    if field_hint == "prng":
        assert "prng" in paths
    else:
        assert any(p == "last_damage" or p.endswith(".hp") for p in paths), paths
    assert "_state" not in first["ref_state"], "ignored known differences stay out of reports"
    assert first["corpus_file"] and first["shrink"]["shrunk_steps"] <= first["shrink"]["original_steps"]


def test_process_dying_mid_battle_is_a_crash_divergence_with_the_input_log() -> None:
    ref, cand = Showdown(), ShowdownShadow()
    policy = UniformPolicy(ref.action_space, np.random.default_rng(0))

    def killing_policy(t: int, obs: object, mask: np.ndarray | None) -> np.ndarray:
        if t == 3:
            os.kill(cand.pid, signal.SIGKILL)
        return policy(t, obs, mask)

    try:
        ep = run_episode(ref, cand, SHOWDOWN_SELF.schema, 11, killing_policy, 50)
        (div,) = ep.divergences
        assert div.crashed == "cand" and div.step == 4 and "ReferenceProcessDied" in div.crash
        log = next(iter(div.evidence["input_logs"].values()))
        assert log[1].startswith(">start ") and sum(line.startswith(">p1 ") for line in log) >= 3
    finally:
        ref.close()
        cand.close()
