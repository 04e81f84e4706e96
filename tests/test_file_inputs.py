"""The files a user hands the CLI (replay JSON, gate TOML) are validated when loaded: bad input is
exit 2 with one line, never a traceback, never replayed as something else. The examples are the
defects found by hand; the Hypothesis properties fuzz both file kinds so the class stays closed.

The fuzz asserts facts that hold for every input (an exit code in {0, 1, 2}; exit 2 is one line
naming no internal error), and exit 2 exactly for inputs invalid by construction. It samples,
but no input can fail it falsely: a failure is a real defect. Deeper runs: EQUIVCHECK_FUZZ_EXAMPLES=2000.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tests.mutants  # registers the mutant adapters (a valid replay of a divergence)
from equivcheck import cli, corpus
from equivcheck.tiers.rollout import RUNNERS

VALID = {"format": "equivcheck-replay/1", "case": "toy-walk", "ref": "toy-walk-ref", "cand": "toy-walk-cand",
         "tier": "rollout", "runner": "lockstep", "seed": 3, "actions": [0, 1, 0], "master_seed": 1, "episode": 0}
GATE_PAIR = {"ref": '"toy-walk-ref"', "cand": '"toy-walk-cand"'}
EXAMPLES = int(os.environ.get("EQUIVCHECK_FUZZ_EXAMPLES", "0")) or None
FUZZ = settings(max_examples=EXAMPLES or 60, deadline=None, derandomize=EXAMPLES is None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def run(*args: str) -> tuple[int, str, str]:
    """`equivcheck ARGS` in this process, output captured: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(list(args))
    return code, out.getvalue(), err.getvalue()


def check_contract(code: int, out: str, err: str, must_fail: bool) -> None:
    """Exit codes are 0, 1 or 2; an exit 2 is one line, no traceback, no internal error."""
    assert code in (0, 1, 2), (code, out, err)
    if must_fail:
        assert code == 2, (out, err)
    if code == 2:
        lines = [line for line in err.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("equivcheck: error:"), err
        assert "internal error" not in err and "Traceback" not in err, err


def replay_file(content: bytes | str | Any, directory: Path) -> Path:
    path = directory / "replay.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif isinstance(content, str):
        path.write_text(content)
    else:
        path.write_text(json.dumps(content))
    return path


# --- the defects found by hand --------------------------------------------------------------------


BAD_REPLAYS = {
    "actions a number": ({"actions": 3}, "actions"),
    "actions null": ({"actions": None}, "actions"),
    "actions dicts": ({"actions": [{"move": 1}]}, "action 0"),
    "actions text": ({"actions": ["up"]}, "action 0"),
    "actions booleans": ({"actions": [True]}, "action 0"),
    "seed text": ({"seed": "three"}, "seed"),
    "seed negative": ({"seed": -1}, "seed"),
    "seed missing for a rollout": ({"seed": None}, "seed"),
    "runner unknown": ({"runner": "sideways"}, "runner 'sideways'"),
    "tier bogus": ({"tier": "bogus"}, "tier"),
    "tier transfer (never saved)": ({"tier": "transfer"}, "tier"),
    "case empty": ({"case": ""}, "case"),
    "ref a number": ({"ref": 7}, "ref"),
    "property without component": ({"tier": "property", "runner": "reward"}, "component"),
}


@pytest.mark.parametrize("change", BAD_REPLAYS.values(), ids=list(BAD_REPLAYS))
def test_a_bad_replay_file_is_one_line_exit_2(tmp_path: Path, change: tuple[dict, str]) -> None:
    fields, named = change
    code, out, err = run("replay", str(replay_file({**VALID, **fields}, tmp_path)), "--report-dir", str(tmp_path))
    check_contract(code, out, err, must_fail=True)
    assert named in err and "EQUIVALENT" not in out


@pytest.mark.parametrize("what", ["binary", "a directory", "empty", "a JSON list", "deeply nested"])
def test_a_file_that_is_no_replay_at_all_is_one_line_exit_2(tmp_path: Path, what: str) -> None:
    if what == "a directory":
        path = tmp_path / "dir.json"
        path.mkdir()
    else:
        content = {"binary": bytes(range(256)), "empty": b"", "a JSON list": b"[1, 2]",
                   "deeply nested": b"[" * 100_000 + b"]" * 100_000}[what]
        path = replay_file(content, tmp_path)
    code, out, err = run("replay", str(path), "--report-dir", str(tmp_path / "r"))
    check_contract(code, out, err, must_fail=True)


def test_a_valid_replay_still_replays(tmp_path: Path) -> None:
    code, out, err = run("replay", str(replay_file(VALID, tmp_path)), "--report-dir", str(tmp_path))
    assert code == 0 and "EQUIVALENT" in out, err
    diverging = {**VALID, "cand": "mut-walk-bump-free", "seed": 1661866956, "actions": [0]}
    code, out, err = run("replay", str(replay_file(diverging, tmp_path)), "--report-dir", str(tmp_path))
    assert code == 1 and "DIVERGENT" in out, err


def test_a_replay_action_outside_the_space_is_exit_2(tmp_path: Path) -> None:
    for actions in ([1.5], [[0, 1]], [99]):
        code, out, err = run("replay", str(replay_file({**VALID, "actions": actions}, tmp_path)),
                             "--report-dir", str(tmp_path))
        check_contract(code, out, err, must_fail=True)
        assert "action 0 does not fit" in err


def test_loading_returns_the_validated_fields(tmp_path: Path) -> None:
    entry = corpus.load(replay_file({**VALID, "unknown_future_key": 1}, tmp_path))
    assert (entry.case, entry.seed, entry.actions, entry.runner) == ("toy-walk", 3, [0, 1, 0], "lockstep")


BAD_GATES = {
    "budget text": ('budget = "soon"\n', "budget"),
    "budget negative": ("budget = -5\n", "budget"),
    "budget infinite": ("budget = inf\n", "budget"),
    "episodes text": ('episodes = "ten"', "episodes"),
    "episodes zero": ("episodes = 0", "episodes"),
    "steps float": ("steps = 1.5", "steps"),
    "jobs text": ('jobs = "two"', "jobs"),
    "batch negative": ("batch = -1", "batch"),
    "runner unknown": ('runner = "sideways"', "runner"),
    "tiers a string": ('tiers = "rollout"', "tiers"),
    "tiers unknown": ('tiers = ["rollout", "speed"]', "speed"),
    "ref a number": ("ref = 3", "ref"),
    "seed text": ('seed = "x"\n', "seed"),
    "save_corpus text": ('save_corpus = "yes"\n', "save_corpus"),
    "report_dir a list": ("report_dir = [1]\n", "report_dir"),
    "pair a number": ("pair = 3\n", "pair"),
}


@pytest.mark.parametrize("change", BAD_GATES.values(), ids=list(BAD_GATES))
def test_a_bad_gate_file_is_one_line_exit_2_before_any_run(tmp_path: Path, change: tuple[str, str]) -> None:
    line, named = change
    top = line if line.endswith("\n") else ""
    if line.startswith("pair"):
        text = top
    else:
        pair = {**GATE_PAIR}
        if not top:
            key, value = line.split(" = ", 1)
            pair[key] = value
        text = top + "[[pair]]\n" + "".join(f"{k} = {v}\n" for k, v in pair.items())
    gate = tmp_path / "gate.toml"
    gate.write_text(text)
    code, out, err = run("gate", str(gate), "--report-dir", str(tmp_path / "r"))
    check_contract(code, out, err, must_fail=True)
    assert named in err and "pairs, budget" not in out, (out, err)


# --- fuzz: replay files ----------------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=12),
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=6), kids, max_size=4),
    max_leaves=10,
)
NOT_A_LIST = JSON_VALUES.filter(lambda v: not isinstance(v, list))
NOT_AN_ACTION = st.none() | st.booleans() | st.text(max_size=6) | st.dictionaries(st.text(max_size=4), st.integers(),
                                                                                    max_size=2) \
    | st.just(math.inf) | st.just(-math.inf) | st.just(math.nan)
NOT_A_SEED = JSON_VALUES.filter(lambda v: isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < 2**31)


@st.composite
def replay_documents(draw: st.DrawFn) -> tuple[bytes, bool]:
    """(file content, invalid by construction)."""
    doc: dict[str, Any] = dict(VALID)
    kind = draw(st.sampled_from(["any-field", "drop", "tier", "runner", "seed", "actions", "action", "format",
                                 "whole", "bytes", "valid-actions"]))
    invalid = True
    if kind == "any-field":
        doc[draw(st.sampled_from([*VALID, "start", "component", "inputs", "expected", "versions", "other"]))] = \
            draw(JSON_VALUES)
        invalid = False
    elif kind == "drop":
        del doc[draw(st.sampled_from(["format", "case", "ref", "cand", "tier", "runner", "seed", "actions"]))]
    elif kind == "tier":
        doc["tier"] = draw(JSON_VALUES.filter(lambda v: v not in ("property", "interaction", "rollout")))
    elif kind == "runner":
        doc["runner"] = draw(JSON_VALUES.filter(lambda v: v not in RUNNERS))
    elif kind == "seed":
        doc["seed"] = draw(NOT_A_SEED)
    elif kind == "actions":
        doc["actions"] = draw(NOT_A_LIST)
    elif kind == "action":
        actions = draw(st.lists(st.integers(0, 2), max_size=4))
        actions.insert(draw(st.integers(0, len(actions))), draw(NOT_AN_ACTION))
        doc["actions"] = actions
    elif kind == "format":
        doc["format"] = draw(JSON_VALUES.filter(lambda v: v != corpus.FORMAT))
    elif kind == "whole":
        return json.dumps(draw(JSON_VALUES.filter(lambda v: not isinstance(v, dict)))).encode(), True
    elif kind == "bytes":
        raw = draw(st.binary(max_size=64))
        return raw, True
    else:
        doc["actions"] = draw(st.lists(st.integers(-2, 5) | st.floats(-1, 4) | st.lists(st.integers(0, 2), max_size=2),
                                       max_size=6))
        invalid = False
    return json.dumps(doc).encode(), invalid


@FUZZ
@given(replay_documents())
def test_fuzz_replay_files(document: tuple[bytes, bool]) -> None:
    content, invalid = document
    with tempfile.TemporaryDirectory() as tmp:
        path = replay_file(content, Path(tmp))
        code, out, err = run("replay", str(path), "--report-dir", str(Path(tmp) / "r"))
    check_contract(code, out, err, must_fail=invalid)


# --- fuzz: gate files ------------------------------------------------------------------------------

SMALL_INTS = st.integers(-3, 3).map(str)
TOML_VALUES = st.one_of(
    SMALL_INTS, st.integers(-(2**40), 2**40).map(str), st.floats(-1e6, 1e6, allow_nan=False).map(repr),
    st.sampled_from(["nan", "inf", "-inf", "true", "false", "[]", "{}", "{ a = 1 }", "1979-05-27", '"all"',
                     '["all"]', '["rollout"]', '["property", "rollout"]', '"lockstep"', '"inject"', '"ten"',
                     '"soon"', '""', '"toy-walk-ref"', '"toy-walk-cand"', '"toy-walk"', "[1, 2]"]),
    st.text(max_size=8).map(json.dumps),
)
TOP_KEYS = ["budget", "report_dir", "seed", "save_corpus", "colour"]
PAIR_KEYS = ["ref", "cand", "case", "tiers", "episodes", "steps", "runner", "jobs", "batch", "max_examples", "speed"]
COUNT_KEYS = {"episodes", "steps", "jobs", "batch", "max_examples"}


@st.composite
def gate_documents(draw: st.DrawFn) -> str:
    """A gate file: some top-level keys, 0-2 pairs with some keys, values drawn from TOML literals
    (counts stay small where valid, so a valid gate runs in the fuzz's budget)."""
    lines = [f"{k} = {draw(TOML_VALUES)}" for k in draw(st.lists(st.sampled_from(TOP_KEYS), unique=True, max_size=3))]
    for _ in range(draw(st.integers(0, 2))):
        pair = dict(GATE_PAIR)
        for key in draw(st.lists(st.sampled_from(PAIR_KEYS), unique=True, max_size=3)):
            pair[key] = draw(SMALL_INTS if key in COUNT_KEYS and draw(st.booleans()) else TOML_VALUES)
        lines.append("[[pair]]")
        lines += [f"{k} = {v}" for k, v in pair.items()]
    return "\n".join(lines) + "\n"


@FUZZ
@given(gate_documents())
def test_fuzz_gate_files(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        gate = Path(tmp) / "gate.toml"
        gate.write_text(text)
        code, out, err = run("gate", str(gate), "--budget", "0.5", "--report-dir", str(Path(tmp) / "r"))
    check_contract(code, out, err, must_fail=False)
