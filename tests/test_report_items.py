"""What a report certifies: the items each tier ran and skipped (#19), coverage, headroom, fields, policy, gate pins.

The mutants here change what a candidate can do (no restore()) or add a small float error, and
case variants drop an item or declare a skip: each test fails if the framework let the candidate
shrink the test silently, lost a count across workers, or hid what was compared.
"""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from rich.console import Console

from adapters.toy import ToyMassCand, ToyWalkCand
from cases.toy.case import DICE, MASS, WALK, WALK_EVENTS
from equivcheck import registry
from equivcheck.case import DeclaredSkip
from equivcheck.cli import build_parser, print_summary
from equivcheck.context import DEFAULT_TIERS, RunConfig
from equivcheck.errors import UsageError
from equivcheck.gate import Gate, GatePair, load_gate, missing_items, run_gate
from equivcheck.report import load_json, to_html, to_json, to_markdown, write_reports
from equivcheck.report.model import Report, TierResult
from equivcheck.schema import KnownDifference, Schema
from equivcheck.session import build_context, run_diff


class WalkNoRestore(ToyWalkCand):
    """The faithful walker candidate whose capability answer changed: it no longer offers restore()."""

    restore = None  # type: ignore[assignment]


class MassJitter(ToyMassCand):
    """The point mass candidate off by 2e-6 in pos: inside the 1e-5 tolerance, so equivalent with 20% used."""

    def snapshot(self) -> dict[str, Any]:
        snap = dict(super().snapshot())
        snap["pos"] = (np.asarray(snap["pos"], np.float64) + 2e-6).astype(np.float32)
        return snap


registry.register_adapter("test-walk-no-restore", WalkNoRestore)
registry.register_adapter("test-mass-jitter", MassJitter)
STATE_SCENARIOS = [s.name for s in WALK.scenarios if s.state is not None]
registry.register_case("test-walk-shrunk", dataclasses.replace(WALK, name="test-walk-shrunk", variant_of="toy-walk",
                                                                scenarios=list(WALK.scenarios[1:])))
registry.register_case("test-walk-declared", dataclasses.replace(WALK, name="test-walk-declared", variant_of="toy-walk", declared_skips=[
    *(DeclaredSkip("interaction", name, "the candidate cannot restore a state", "2", ["test-walk-no-restore"])
      for name in STATE_SCENARIOS),
    DeclaredSkip("property", "clamp", "clamp is an internal detail here", "3"),
    DeclaredSkip("property", "no such item", "stale", "1"),
]))
registry.register_case("test-walk-bare", dataclasses.replace(WALK, name="test-walk-bare", variant_of="toy-walk", components=(), invariants=(),
                                                             scenarios=()))
registry.register_case("test-walk-ignores", dataclasses.replace(WALK, name="test-walk-ignores", variant_of="toy-walk", schema=Schema(
    list(WALK.schema.fields.values()), known=[KnownDifference("bump-count", ("bumps",), "counted differently")])))


def run(case: str, cand: str, tiers: tuple[str, ...] = DEFAULT_TIERS, **overrides: Any) -> Report:
    overrides.setdefault("save_corpus", False)
    overrides.setdefault("master_seed", 3)
    c = registry.get_case(case)
    return run_diff(build_context(c, c.reference, cand, RunConfig(tiers=tiers, **overrides)))


def tier(report: Report, name: str) -> TierResult:
    (found,) = [t for t in report.tiers if t.tier == name]
    return found


def all_names(result: TierResult) -> set[str]:
    return set(result.items_run) | {s.item for s in result.items_skipped}


# ---------------------------------------------------------------- items run and skipped (#19)


def test_items_run_are_the_cases_items() -> None:
    report = run("toy-walk", "toy-walk-cand", max_examples=20)
    assert report.exit_code == 0, report.error
    assert set(tier(report, "property").items_run) == {"clamp", "reward", "cell stays on the board"}
    assert set(tier(report, "interaction").items_run) == {s.name for s in WALK.scenarios} | {"stateful search"}
    assert tier(report, "rollout").items_run == {"episodes": WALK.episodes}
    assert all(count >= 1 for t in report.tiers for count in t.items_run.values())


def test_a_candidate_losing_a_capability_cannot_shrink_the_test() -> None:
    full = run("toy-walk", "toy-walk-cand", ("interaction",), max_examples=5)
    less = run("toy-walk", "test-walk-no-restore", ("interaction",), max_examples=5)
    assert all_names(tier(less, "interaction")) == all_names(tier(full, "interaction"))
    skipped = {s.item: s for s in tier(less, "interaction").items_skipped}
    assert set(skipped) == set(STATE_SCENARIOS) and all(s.kind == "undeclared" for s in skipped.values())
    assert "restore()" in skipped[STATE_SCENARIOS[0]].reason
    assert tier(less, "interaction").status == "incomplete" and less.exit_code == 2
    md = to_markdown(less)
    assert f"skipped `{STATE_SCENARIOS[0]}` (undeclared)" in md and "INCOMPLETE" in md


def test_a_declared_skip_is_certified_and_shown_in_every_report() -> None:
    report = run("test-walk-declared", "test-walk-no-restore", ("property", "interaction"), max_examples=5)
    assert report.exit_code == 0, [t.items_skipped for t in report.tiers]
    inter = tier(report, "interaction")
    assert {s.item for s in inter.items_skipped if s.kind == "declared"} == set(STATE_SCENARIOS)
    prop = tier(report, "property")
    assert "clamp" not in prop.items_run and [s.kind for s in prop.items_skipped] == ["declared"]
    assert any("no such item" in n for n in prop.notes)
    assert {(d["item"], d["since"]) for d in report.declared_skips} >= {("clamp", "3"), (STATE_SCENARIOS[0], "2")}
    assert "Declared skips" in to_markdown(report) and "clamp is an internal detail here" in to_html(report)
    # the declared skip of clamp hides the clamp mutant from L1, and the report says so
    hidden = run("test-walk-declared", "mut-walk-clamp-upper", ("property",), max_examples=50)
    assert hidden.exit_code == 0 and "clamp" in {s.item for s in tier(hidden, "property").items_skipped}
    assert run("toy-walk", "mut-walk-clamp-upper", ("property",), max_examples=50).exit_code == 1


def test_only_deselects_without_failing_and_budget_skips_fail() -> None:
    report = run("toy-walk", "toy-walk-cand", ("property",), only=("reward",))
    assert report.exit_code == 0 and set(tier(report, "property").items_run) == {"reward"}
    assert {s.kind for s in tier(report, "property").items_skipped} == {"option"}
    late = run("toy-walk", "toy-walk-cand", ("interaction",), deadline=0.0)
    assert late.exit_code == 2 and tier(late, "interaction").status == "incomplete"
    assert all_names(tier(late, "interaction")) == {s.name for s in WALK.scenarios} | {"stateful search"}


def test_a_case_without_l1_l2_items_shows_those_tiers_not_applicable() -> None:
    report = run("test-walk-bare", "toy-walk-cand")
    assert [t.tier for t in report.tiers] == list(DEFAULT_TIERS)
    assert [t.status for t in report.tiers] == ["not applicable", "not applicable", "equivalent"]
    assert report.exit_code == 0
    nothing = run("test-walk-bare", "toy-walk-cand", ("property", "interaction"))
    assert nothing.exit_code == 2 and "nothing was certified" in nothing.error
    assert [t.status for t in nothing.tiers] == ["not applicable", "not applicable"]


# ---------------------------------------------------------------- gate pins


def pin_of(report: Report) -> dict[str, Any]:
    text = next(block for block in to_markdown(report).split("```toml\n")[1:]).split("```")[0]
    return tomllib.loads(text.replace("[pair.items]", "[items]"))["items"]


def test_pin_snippet_round_trips_and_a_lost_item_fails_the_gate(tmp_path: Path) -> None:
    full = run("toy-walk", "toy-walk-cand", ("property", "interaction", "rollout"), max_examples=5)
    pins = pin_of(full)
    assert pins["rollout"] == {"episodes": WALK.episodes} and pins["fields"] == len(WALK.schema.compared_fields)
    assert pins["liveness"] == [c.name for c in WALK.liveness] and set(pins["interaction"]) == set(tier(full, "interaction").items_run)
    assert missing_items(full, pins) == []
    gate_file = tmp_path / "gate.toml"
    snippet = to_markdown(full).split("```toml\n")[1].split("```")[0]
    gate_file.write_text('[[pair]]\ncase = "test-walk-shrunk"\nref = "toy-walk-ref"\ncand = "toy-walk-cand"\n'
                         'tiers = ["property", "interaction", "rollout"]\nmax_examples = 5\n' + snippet)
    gate = load_gate(gate_file)
    gate.save_corpus = False
    assert gate.pairs[0].items == pins
    (outcome,) = run_gate(gate, 600, tmp_path / "r", 3)
    assert outcome.exit_code == 2 and WALK.scenarios[0].name in outcome.detail
    saved = load_json(next((tmp_path / "r").glob("*.json")))
    assert saved["status"] == "error" and "covered less than the gate pins" in saved["error"]
    same = Gate([GatePair("toy-walk-ref", "toy-walk-cand", "toy-walk", ("property", "interaction", "rollout"),
                          max_examples=5, items=pins)], save_corpus=False)
    assert [o.exit_code for o in run_gate(same, 600, tmp_path / "s", 3)] == [0]
    narrower = Gate([GatePair("toy-walk-ref", "toy-walk-cand", "test-walk-ignores", ("rollout",),
                              items={"fields": pins["fields"], "liveness": pins["liveness"]})], save_corpus=False)
    (narrow,) = run_gate(narrower, 600, tmp_path / "n", 3)
    assert narrow.exit_code == 2 and f"{pins['fields'] - 1} fields compared of {pins['fields']}" in narrow.detail
    registry.register_case("test-walk-less-live", dataclasses.replace(WALK, name="test-walk-less-live", variant_of="toy-walk",
                                                                      liveness=list(WALK.liveness[:-1])))
    livelier = Gate([GatePair("toy-walk-ref", "toy-walk-cand", "test-walk-less-live", ("rollout",),
                              items={"liveness": pins["liveness"]})], save_corpus=False)
    (live,) = run_gate(livelier, 600, tmp_path / "l", 3)
    assert live.exit_code == 2 and f"liveness '{WALK.liveness[-1].name}' not checked" in live.detail
    fewer = Gate([GatePair("toy-walk-ref", "toy-walk-cand", "toy-walk", ("rollout",), episodes=40,
                           items={"rollout": {"episodes": 60}})], save_corpus=False)
    (short,) = run_gate(fewer, 600, tmp_path / "f", 3)
    assert short.exit_code == 2 and "'episodes' ran 40 of 60" in short.detail


@pytest.mark.parametrize("items", ['transfer = ["x"]', 'property = "clamp"', 'property = { clamp = -1 }',
                                   'fields = "all"', "liveness = 3"])
def test_bad_pins_are_usage_errors(tmp_path: Path, items: str) -> None:
    gate_file = tmp_path / "gate.toml"
    gate_file.write_text('[[pair]]\nref = "toy-walk-ref"\ncand = "toy-walk-cand"\ntiers = ["property"]\n'
                         f"[pair.items]\n{items}\n")
    with pytest.raises(UsageError, match="items"):
        load_gate(gate_file)


# ---------------------------------------------------------------- coverage


def test_coverage_counts_every_reference_step_and_lists_zeros() -> None:
    report = run("toy-walk", "toy-walk-cand", ("rollout",))
    cov = report.coverage
    assert list(cov)[: len(WALK_EVENTS)] == list(WALK_EVENTS)
    moves = sum(cov[e] for e in ("left", "bump the left wall", "right", "stay", "jump"))
    assert moves == tier(report, "rollout").steps
    assert cov["reach the goal"] + cov["truncated at the horizon"] == WALK.episodes
    dice = run("toy-dice", "toy-dice-cand", ("rollout",), episodes=5)
    assert dice.coverage["out of turns"] == 0 and "| out of turns | 0 (never seen) |" in to_markdown(dice)
    assert 'class="zero"' in to_html(dice)


@pytest.mark.parametrize("overrides", [{"jobs": 2}, {"batch": 4}])
def test_coverage_merges_across_workers_and_batches(overrides: dict[str, int]) -> None:
    one = run("toy-walk", "toy-walk-cand", ("rollout",))
    other = run("toy-walk", "toy-walk-cand", ("rollout",), **overrides)
    assert other.exit_code == 0, other.error
    assert other.coverage == one.coverage and sum(one.coverage.values()) > WALK.episodes


def test_inject_and_lockstep_see_the_same_reference_events() -> None:
    inject = run("toy-mass", "toy-mass-cand", ("rollout",), runner="inject")
    lockstep = run("toy-mass", "toy-mass-cand", ("rollout",), runner="lockstep")
    assert inject.coverage == lockstep.coverage and inject.coverage["truncated at the horizon"] == MASS.episodes


def test_a_raising_coverage_function_is_counted_not_fatal() -> None:
    def broken(prev: dict, action: Any, cur: dict) -> list[str]:
        raise KeyError("nope")

    registry.register_case("test-dice-broken-coverage", dataclasses.replace(
        DICE, name="test-dice-broken-coverage", coverage=broken, variant_of="toy-dice"))
    report = run("test-dice-broken-coverage", "toy-dice-cand", ("rollout",), episodes=3)
    assert report.exit_code == 0
    assert report.coverage["coverage function raised KeyError"] == tier(report, "rollout").steps


# ---------------------------------------------------------------- headroom, fields, policy


@pytest.mark.parametrize("runner", ["inject", "lockstep"])
def test_headroom_is_the_largest_error_against_the_tolerance(runner: str) -> None:
    report = run("toy-mass", "test-mass-jitter", ("rollout",), runner=runner)
    assert report.exit_code == 0
    room = tier(report, "rollout").headroom
    assert set(room) == {"pos", "vel", "reward"}
    assert 1.8e-6 < room["pos"].max_error < 2.3e-6 and room["pos"].tolerance == 1e-5
    assert 0.18 < room["pos"].used < 0.23 and room["vel"].max_error == 0.0
    data = report.to_dict()["tiers"][0]["headroom"]["pos"]
    assert data["tolerance"] == 1e-5 and 0.18 < data["used"] < 0.23
    assert "| `pos` | atol=1e-05 rtol=0 |" in to_markdown(report)
    html = to_html(report)
    assert '<table class="headroom">' in html and "<h3>Items run</h3>" in html and "What was compared" in html


def test_fields_compared_and_ignored_with_reasons() -> None:
    report = run("test-walk-ignores", "toy-walk-cand", ("rollout",))
    assert report.exit_code == 0, report.error
    compared = [f["field"] for f in report.fields_compared]
    assert "bumps" not in compared and {"x", "t", "total", "reward"} <= set(compared)
    assert report.fields_ignored == [{"field": "bumps", "id": "bump-count", "reason": "counted differently"}]
    assert tier(report, "rollout").fields == len(compared)
    md = to_markdown(report)
    assert "`bumps` (bump-count): counted differently" in md and f"Fields compared ({len(compared)})" in md
    assert report.policy.startswith("UniformPolicy: Uniform over the legal actions")


def test_replay_report_counts_its_fields(tmp_path: Path) -> None:
    from equivcheck.replay import replay

    found = run("toy-walk", "mut-walk-bump-free", ("rollout",), master_seed=4, report_dir=tmp_path)
    path = found.divergences[0].corpus_file
    again = replay(path)
    assert again.tiers[0].fields == len(WALK.schema.compared_fields) > 0
    assert [f["field"] for f in again.fields_compared] == WALK.schema.compared_fields


def test_report_json_keeps_the_new_fields(tmp_path: Path) -> None:
    report = run("toy-mass", "test-mass-jitter", ("rollout",))
    paths = write_reports(report, tmp_path)
    data = load_json(paths["json"])
    assert data["coverage"] == report.coverage and data["policy"] == report.policy
    assert data["tiers"][0]["items_run"] == {"episodes": MASS.episodes}
    assert data["tiers"][0]["headroom"]["pos"]["oracle"] == "atol=1e-05 rtol=0"
    assert to_json(report).count('"items_skipped"') == 1


# ---------------------------------------------------------------- the summary on a terminal


def summary(report: Report, width: int) -> str:
    console = Console(width=width, record=True, highlight=False, soft_wrap=True, color_system=None)
    print_summary(report, console)
    return console.export_text()


def test_status_reads_in_full_on_a_narrow_terminal() -> None:
    report = Report("pong", "pong-c", "pong-jax", 1, tiers=[
        TierResult("property", "hypothesis", "equivalent", examples=2000, fields=13, items_run={"a": 9}),
        TierResult("interaction", "scenarios+stateful", "not applicable"),
        TierResult("rollout", "lockstep", "incomplete", episodes=10, steps=100_000, fields=17),
    ])
    for width in (40, 60, 200):
        text = summary(report, width)
        for status in ("EQUIVALENT", "NOT APPLICABLE", "INCOMPLETE") if width < 100 else \
                ("equivalent", "not applicable", "incomplete"):
            assert status in text, (width, text)
        assert "..." not in text and "…" not in text


def test_default_tiers_are_all_but_transfer() -> None:
    assert DEFAULT_TIERS == ("property", "interaction", "rollout") == RunConfig().tiers
    args = build_parser().parse_args(["diff", "--ref", "a", "--cand", "b"])
    assert args.tier == DEFAULT_TIERS
