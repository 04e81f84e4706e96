"""Report renderers: JSON round-trips and is documented; Markdown and HTML keep every piece of a divergence."""

from __future__ import annotations

import dataclasses
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from equivcheck.report import (
    REPORT_SCHEMA_VERSION,
    Divergence,
    FieldDiff,
    Report,
    SchemaVersionError,
    Shrink,
    TierResult,
    load_json,
    to_html,
    to_json,
    to_markdown,
    write_json,
    write_reports,
)
from equivcheck.report.html import error_curve_svg, oracle_tolerance
from equivcheck.report.model import Headroom, SkippedItem
from equivcheck.report.markdown import action_history, array_diff_summary, format_value

DOC = Path(__file__).resolve().parents[1] / "docs" / "report-schema.md"
REPRO = "equivcheck replay cases/toy/corpus/rollout-1234-2.json"
ACTIONS = [0, 1, 2, 1, 0, 2, 2, 1, 0, 0, 1, 2, 1, 0, 2, 1, 3]


def make_divergence(episode: int = 2, step: int = 17, curve: bool = True) -> Divergence:
    grid_ref = np.arange(12, dtype=np.int16).reshape(3, 4)
    grid_cand = grid_ref.copy()
    grid_cand[1, 2] = 99
    ref_state = {"ball": {"x": np.float32(0.5), "y": 1.25}, "grid": grid_ref, "score": 3, "rng": np.uint64(2**63 + 5)}
    cand_state = {"ball": {"x": np.float32(0.50006), "y": float("nan")}, "grid": grid_cand, "score": 3,
                  "rng": np.uint64(2**63 + 5)}
    before = {"ball": {"x": np.float32(0.375), "y": 1.0}, "grid": grid_ref, "score": 2, "rng": np.uint64(77)}
    ref_state["name"] = cand_state["name"] = before["name"] = "p|1"
    return Divergence(
        case="toy", tier="rollout", runner="lockstep", ref="toyref", cand="toyjax", master_seed=1234,
        episode=episode, episode_seed=987654321, step=step,
        diffs=[
            FieldDiff("ball.x", np.float32(0.5), np.float32(0.50006), oracle="atol=1e-06 rtol=0", error=6e-5),
            FieldDiff("ball.y", 1.25, float("nan"), oracle="atol=1e-06 rtol=0", error=float("inf")),
            FieldDiff("grid", grid_ref, grid_cand),
        ],
        action=np.int64(3), actions=list(ACTIONS), state_before=before, ref_state=ref_state, cand_state=cand_state,
        shrink=Shrink(original_steps=200, shrunk_steps=18, actions=[0, 1, 3], replays=41, seconds=0.73),
        repro=REPRO, corpus_file="cases/toy/corpus/rollout-1234-2.json",
        error_curve={"ball.x": [0.0] * 9 + [1e-9, 1e-7, 1e-6, 1e-5, 3e-5, 6e-5, 6e-5, 6e-5]} if curve else {},
    )


def make_report(divergences: list[Divergence] | None = None, tier_curve: bool = True) -> Report:
    divs = [make_divergence()] if divergences is None else divergences
    tiers = [
        TierResult("property", status="equivalent", examples=200, fields=5, seconds=1.5),
        TierResult("rollout", "lockstep", status="divergent" if divs else "equivalent", episodes=4, steps=800,
                   fields=5, seconds=2.25, divergences=divs, notes=["shrunk 1 failure"],
                   stats={"sps": 1234.5, **({"error_curve": {"ball.x": [1e-9, 1e-3, 1e-1]}} if tier_curve else {})},
                   items_run={"episodes": 4}, items_skipped=[SkippedItem("1 of 5 episodes", "budget exhausted")],
                   headroom={"paddle.y": Headroom("atol=1e-06 rtol=0", 6e-7, 1e-6)}),
    ]
    return Report(
        case="toy", ref="toyref", cand="toyjax", master_seed=1234, config={"episodes": 4, "steps": 200},
        versions={"ref": {"backend": "toyref", "version": "1.2.3", "hash": "deadbeefcafe"},
                  "cand": {"backend": "toyjax", "version": "0.1.7"}},
        tiers=tiers, liveness={"state_changes": True, "reward_both_signs": True},
        known_differences=[{"field": "info.time", "reason": "wall clock"}], seconds=3.9,
        declared_skips=[{"tier": "interaction", "item": "x", "reason": "r", "since": "1", "candidates": "all candidates"}],
        fields_compared=[{"field": "ball.x", "oracle": "atol=1e-06 rtol=0"}],
        fields_ignored=[{"field": "info.time", "id": "wall-clock", "reason": "wall clock"}],
        policy="UniformPolicy: uniform", coverage={"wall bounce": 3, "goal": 0},
        started="2025-01-01T00:00:00Z", repro="equivcheck diff --ref toyref --cand toyjax --seed 1234",
    )


def clean_report() -> Report:
    return make_report(divergences=[], tier_curve=False)


def strict_loads(text: str) -> object:
    def refuse(token: str) -> None:
        raise AssertionError(f"non-standard JSON token {token}")

    return json.loads(text, parse_constant=refuse)


# ---------------------------------------------------------------- JSON


class TestJson:
    def test_round_trip_and_status(self, tmp_path: Path) -> None:
        report = make_report()
        path = write_json(report, tmp_path / "nested" / "r.json")
        data = load_json(path)
        assert data == strict_loads(to_json(report)) == report.to_dict()
        assert data["status"] == "divergent" and data["exit_code"] == 1
        assert data["schema_version"] == REPORT_SCHEMA_VERSION == "1.1"
        clean = strict_loads(to_json(clean_report()))
        assert clean["status"] == "equivalent" and clean["exit_code"] == 0

    def test_values_survive(self) -> None:
        data = strict_loads(to_json(make_report()))
        div = data["tiers"][1]["divergences"][0]
        assert (div["episode"], div["episode_seed"], div["step"], div["master_seed"]) == (2, 987654321, 17, 1234)
        x, y, grid = div["diffs"]
        assert x["path"] == "ball.x" and x["ref"] == 0.5 and x["cand"] == float(np.float32(0.50006))
        assert y["cand"] == "nan" and y["error"] == "inf"
        assert grid["cand"] == [[0, 1, 2, 3], [4, 5, 99, 7], [8, 9, 10, 11]]
        assert div["ref_state"]["rng"] == 2**63 + 5
        assert div["state_before"]["ball"]["x"] == 0.375
        assert div["action"] == 3 and div["actions"] == ACTIONS
        assert div["shrink"] == {"original_steps": 200, "shrunk_steps": 18, "actions": [0, 1, 3], "replays": 41,
                                 "seconds": 0.73}
        assert div["repro"] == REPRO
        assert div["error_curve"]["ball.x"][-1] == 6e-5
        assert data["tiers"][1]["stats"]["error_curve"] == {"ball.x": [1e-9, 1e-3, 1e-1]}
        assert data["versions"]["ref"]["hash"] == "deadbeefcafe"

    def test_every_model_field_is_written(self) -> None:
        data = strict_loads(to_json(make_report()))

        def check(obj: dict, cls: type) -> None:
            names = {f.name for f in dataclasses.fields(cls)}
            assert names <= set(obj), f"{cls.__name__} lost {names - set(obj)}"

        check(data, Report)
        assert {"status", "exit_code"} <= set(data)
        for tier in data["tiers"]:
            check(tier, TierResult)
            for div in tier["divergences"]:
                check(div, Divergence)
                check(div["shrink"], Shrink)
                for diff in div["diffs"]:
                    check(diff, FieldDiff)

    def test_compact_form_is_identical(self) -> None:
        report = make_report()
        assert strict_loads(to_json(report, indent=None)) == strict_loads(to_json(report))

    def test_load_checks_schema_version(self, tmp_path: Path) -> None:
        data = make_report().to_dict()
        for version, ok in (("1.0", True), ("1.3", True), ("2.0", False), (None, False)):
            path = tmp_path / f"r-{version}.json"
            path.write_text(json.dumps({**data, "schema_version": version}))
            if ok:
                assert load_json(path)["case"] == "toy"
            else:
                with pytest.raises(SchemaVersionError):
                    load_json(path)
        (tmp_path / "list.json").write_text("[]")
        with pytest.raises(SchemaVersionError):
            load_json(tmp_path / "list.json")

    def test_every_key_is_documented(self) -> None:
        doc = DOC.read_text()
        assert f"version {REPORT_SCHEMA_VERSION}" in doc
        data = make_report().to_dict()
        keys = set(data)
        for tier in data["tiers"]:
            keys |= set(tier)
            for skipped in tier["items_skipped"]:
                keys |= set(skipped)
            for room in tier["headroom"].values():
                keys |= set(room)
            for div in tier["divergences"]:
                keys |= set(div) | set(div["shrink"])
                for diff in div["diffs"]:
                    keys |= set(diff)
        missing = sorted(k for k in keys if f"| `{k}` |" not in doc)
        assert not missing, f"docs/report-schema.md lacks {missing}"


# ---------------------------------------------------------------- Markdown


def table_rows(md: str) -> list[str]:
    return [line for line in md.splitlines() if line.startswith("|")]


class TestMarkdown:
    def test_divergence_has_everything_a_repair_needs(self) -> None:
        md = to_markdown(make_report())
        first = md.splitlines()[0]
        assert "DIVERGENT" in first and "exit 1" in first and "toy" in first
        for text in ("toyref 1.2.3", "deadbeefcafe", "toyjax 0.1.7", "master seed `1234`", "rollout/lockstep",
                     "episode 2", "seed 987654321", "step 17", "info.time", "wall clock"):
            assert text in md, text
        rows = {r.split("|")[1].strip(): r for r in table_rows(md) if "`ball" in r or "`grid" in r}
        assert "`0.5`" in rows["`ball.x`"] and "`0.50006`" in rows["`ball.x`"] and "6e-05" in rows["`ball.x`"]
        assert "atol=1e-06 rtol=0" in rows["`ball.x`"]
        assert "`1.25`" in rows["`ball.y`"] and "`nan`" in rows["`ball.y`"] and "inf" in rows["`ball.y`"]
        assert "99" in rows["`grid`"] and "int16[3,4]" in rows["`grid`"]
        assert "first at [1, 2]: ref 6, cand 99" in md
        assert "Action at step 17: `3`; before it (steps 9-16): `0, 0, 1, 2, 1, 0, 2, 1` (8 earlier not shown)" in md
        assert "State at step 16" in md
        assert "| `ball.x` * | `0.375` |" in md and "| `ball.y` * | `1.0` |" in md and "| `score` | `2` |" in md
        assert "200 -> 18 steps" in md and "`[0, 1, 3]`" in md
        assert f"```sh\n{REPRO}\n```" in md
        assert "cases/toy/corpus/rollout-1234-2.json" in md

    def test_tier_lines_and_one_screen(self) -> None:
        md = to_markdown(make_report())
        assert "- property: EQUIVALENT: 200 examples, 5 fields, 1.50 s" in md
        assert ("- rollout/lockstep: DIVERGENT: 1 item, 4 episodes, 800 steps, 5 fields, 2.25 s, 1 divergence, "
                "1 skipped (1 undeclared)") in md
        assert "shrunk 1 failure" in md
        assert len(md.splitlines()) < 60

    def test_tables_stay_tables(self) -> None:
        md = to_markdown(make_report())
        assert "'p\\|1'" in md
        for block in re.split(r"\n\n", md):
            rows = table_rows(block)
            if rows:
                widths = {len(re.findall(r"(?<!\\)\|", r)) for r in rows}
                assert len(widths) == 1, block

    def test_more_divergences_than_shown(self) -> None:
        divs = [make_divergence(episode=e, step=10 + e) for e in range(5)]
        md = to_markdown(make_report(divs))
        assert "2 more divergences not shown (5 in all)" in md
        assert "episode 2 (seed" in md and "episode 3 (seed" not in md
        assert "5 divergences" in md
        assert md.count("State at step") == 1 and md.count("Shrunk:") == 1 and md.count("```sh") == 3
        assert md.count("| `ball.x` |") == 3

    def test_clean_report_is_a_summary(self) -> None:
        md = to_markdown(clean_report())
        assert md.splitlines()[0] == "## equivcheck toy: EQUIVALENT (exit 0)"
        assert "4 episodes, 800 steps, 5 fields, 2.25 s" in md and "200 examples" in md
        assert "0 divergences" in md and "Liveness: 2/2" in md and "Repro" not in md

    def test_error_report(self) -> None:
        report = clean_report()
        report.error = "reference process died: exit code -9"
        report.liveness["reward_both_signs"] = False
        md = to_markdown(report)
        assert "ERROR (exit 2)" in md and "reference process died: exit code -9" in md
        assert "failing: `reward_both_signs`" in md

    def test_crash_divergence(self) -> None:
        div = make_divergence()
        div.diffs = []
        div.crash = "candidate raised\nTraceback (most recent call last):\n  ...\nValueError: bad action shape (3,)"
        md = to_markdown(make_report([div]))
        assert "**Crash:** ValueError: bad action shape (3,)" in md and "Traceback" in md and REPRO in md


# ---------------------------------------------------------------- HTML


class TagChecker(HTMLParser):
    VOID = {"meta", "br", "hr", "img", "input", "link"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        pass

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:]}")
        else:
            self.stack.pop()


def assert_self_contained(page: str) -> None:
    assert page.startswith("<!DOCTYPE html>")
    lowered = page.lower()
    assert not re.search(r"""(src|href|xlink:href)\s*=\s*["']?\s*(https?:|//)""", lowered)
    for banned in ("<link", "<script", "@import", "url(", "<img", "<iframe"):
        assert banned not in lowered, banned
    checker = TagChecker()
    checker.feed(page)
    assert not checker.errors and not checker.stack, (checker.errors, checker.stack)


def highlighted_paths(page: str) -> list[str]:
    return re.findall(r'<tr class="diff"><td class="path mono">([^<]+)</td>', page)


class TestHtml:
    def test_divergent_page(self) -> None:
        page = to_html(make_report())
        assert_self_contained(page)
        assert "DIVERGENT" in page and "toyref 1.2.3 (hash=deadbeefcafe)" in page
        state = page[page.index('<table class="state">'):]
        state = state[: state.index("</table>")]
        assert highlighted_paths(state) == ["ball.x", "ball.y", "grid"]
        score = re.search(r"<tr><td class=\"path mono\">score</td>(.*?)</tr>", state).group(1)
        assert ">2<" in score and score.count(">3<") == 2
        assert "0.375" in state and "0.50006" in state and "nan" in state
        assert "[4, 5, 99, 7]" in state and "9223372036854775813" in state
        assert "&#39;p|1&#39;" in state
        assert "1 of 12 elements differ; first at [1, 2]" in page
        assert '<span class="now" title="step 17">17: <code>3</code></span>' in page
        assert '<span title="step 16"><span class="muted">16:</span><code>1</code></span>' in page
        assert '<span title="step 1"><span class="muted">1:</span><code>0</code></span>' in page
        assert 'title="step 0"' not in page and 'title="step 17"><span class="muted">' not in page
        assert f'<pre class="repro">{REPRO}</pre>' in page
        assert "Shrunk from 200 to 18 steps" in page and "info.time" in page

    def test_error_curves_are_inline_svg(self) -> None:
        page = to_html(make_report())
        assert page.count("<svg") == 2
        assert "rollout/lockstep: error over steps" in page
        div_svg = page[page.index("<h3>Error over steps</h3>"):]
        assert "<polyline" in div_svg and "log scale" in div_svg and "step 17" in div_svg
        no_curve = to_html(make_report([make_divergence(curve=False)], tier_curve=False))
        assert "<svg" not in no_curve

    def test_clean_page(self) -> None:
        page = to_html(clean_report())
        assert_self_contained(page)
        assert "EQUIVALENT" in page and "Divergences" not in page and "<svg" not in page
        row = re.search(r"<code>rollout/lockstep</code></td>(.*?)</tr>", page, re.S).group(1)
        cells = re.findall(r'<td class="num">([^<]*)</td>', row)
        assert cells == ["4", "800", "0", "5", "2.25", "0"]

    def test_escapes_everything(self) -> None:
        div = make_divergence()
        div.diffs[0].path = "<script>alert(1)</script>"
        div.error_curve = {"<b>x</b>": [1.0, 2.0]}
        div.repro = "echo '<img src=x>'"
        page = to_html(make_report([div]))
        assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;" in page
        assert_self_contained(page)

    def test_caps_divergences(self) -> None:
        divs = [make_divergence(episode=e, curve=False) for e in range(25)]
        page = to_html(make_report(divs))
        assert page.count('<section class="divergence"') == 20
        assert "5 more divergences not shown (25 in all)" in page

    def test_state_falls_back_to_diffs(self) -> None:
        div = make_divergence()
        div.ref_state = div.cand_state = None
        page = to_html(make_report([div]))
        state = page[page.index('<table class="state">'):]
        assert highlighted_paths(state[: state.index("</table>")]) == ["ball.x", "ball.y", "grid"]


class TestSvg:
    def test_scale_choice(self) -> None:
        assert "log scale" in error_curve_svg({"a": [1e-9, 1e-6, 1.0]})
        assert "linear scale" in error_curve_svg({"a": [1.0, 2.0, 3.0]})
        assert "linear scale" in error_curve_svg({"a": [-1.0, 1e4, 3.0]})
        assert error_curve_svg({}) is None

    def test_non_finite_and_long_series(self) -> None:
        svg = error_curve_svg({"a": [float("nan"), float("inf"), 1.0, 2.0, float("nan"), 3.0, 4.0]}, marker=3)
        assert "nan" not in svg.lower().replace("<title>inf</title>", "")
        assert svg.count("<polyline") == 2 and "<title>inf</title>" in svg
        long = error_curve_svg({"a": np.abs(np.sin(np.arange(100_000))).tolist()})
        points = re.search(r'points="([^"]+)"', long).group(1).split()
        assert len(points) <= 2000
        assert error_curve_svg({"a": [float("nan")] * 3}) is not None

    def test_tolerance_line(self) -> None:
        assert oracle_tolerance("atol=1e-05 rtol=0") == 1e-5 and oracle_tolerance("ulps<=4") == 4.0
        assert oracle_tolerance("atol=1e-05 rtol=0.001") is None and oracle_tolerance("exact") is None
        page = to_html(make_report())
        assert "<title>tolerance 1e-06</title>" in page and "tolerance 1e-06)" in page
        svg = error_curve_svg({"a": [1.0, 2.0]}, thresholds={"a": 10.0, "b": 1.0})
        assert svg.count('class="tolerance"') == 1 and ">10</text>" in svg

    def test_many_fields_are_capped(self) -> None:
        svg = error_curve_svg({f"f{i}": [float(i), float(i + 1)] for i in range(12)})
        assert svg.count("<polyline") == 8 and "+4 more fields" in svg and ">f11 <" in svg and ">f0 <" not in svg


# ---------------------------------------------------------------- formatting and writing


def test_format_value() -> None:
    assert format_value(np.float32(0.1)) == "0.1"
    assert format_value(0.1 + 0.2) == "0.30000000000000004"
    assert format_value(float("nan")) == "nan"
    assert format_value(np.array([1.5, np.nan], dtype=np.float32)) == "float32[2] [1.5, nan]"
    assert format_value("a") == "'a'" and format_value(None) == "None" and format_value(b"\x01\xff") == "0x01ff"
    assert format_value(list(range(100)), limit=20).endswith("...") and len(format_value(list(range(100)), 20)) == 20
    assert format_value(np.zeros((100, 100))).startswith("float64[100,100] ")
    assert array_diff_summary(1, 2) is None
    assert array_diff_summary([1, 2], [1, 2, 3]) == "shape (2,) vs (3,)"
    assert array_diff_summary(np.array([np.nan, 1.0]), np.array([np.nan, 1.0])) is None


def test_action_history_convention() -> None:
    div = make_divergence()
    assert action_history(div) == (3, 9, ACTIONS[8:16])
    div.step, div.actions, div.action = 1, [5], 5
    assert action_history(div) == (5, 1, [])
    div.step, div.actions, div.action = 0, [], None
    assert action_history(div) == (None, 0, [])
    div.step, div.actions = 3, [7, 8, 9]
    assert action_history(div) == (9, 1, [7, 8])


def test_curve_steps_start_at_one() -> None:
    svg = error_curve_svg({"a": [1.0, 2.0, 3.0]}, marker=3)
    labels = re.findall(r'text-anchor="middle">(\d+)</text>', svg)
    assert labels == ["1", "2", "3"] and "step 3</text>" in svg
    assert "step 4</text>" not in error_curve_svg({"a": [1.0, 2.0, 3.0]}, marker=4)


def test_write_reports(tmp_path: Path) -> None:
    report = make_report()
    paths = write_reports(report, tmp_path / "out")
    assert set(paths) == {"json", "md", "html"}
    assert [p.name for p in paths.values()] == ["toy-toyref-vs-toyjax.json", "toy-toyref-vs-toyjax.md",
                                                "toy-toyref-vs-toyjax.html"]
    assert load_json(paths["json"])["status"] == "divergent"
    assert paths["md"].read_text() == to_markdown(report)
    assert paths["html"].read_text() == to_html(report)
    report.cand = "cand/with space"
    named = write_reports(report, tmp_path / "out", stem="custom")
    assert named["html"].name == "custom.html"
    assert write_reports(report, tmp_path / "out")["json"].name == "toy-toyref-vs-cand_with_space.json"
    assert not list((tmp_path / "out").glob(".*"))


scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20), st.binary(max_size=8),
)
values = st.one_of(
    scalars,
    hnp.arrays(st.sampled_from([np.int8, np.uint64, np.float32, np.float64, np.bool_]),
               hnp.array_shapes(min_dims=0, max_dims=3, max_side=4)),
    st.lists(scalars, max_size=5),
    st.dictionaries(st.text(max_size=5), scalars, max_size=4),
)


@given(values, values, st.lists(st.floats(allow_nan=True), max_size=30))
@settings(max_examples=60, deadline=None)
def test_any_values_render(ref: object, cand: object, curve: list[float]) -> None:
    div = make_divergence()
    div.diffs = [FieldDiff("f", ref, cand)]
    div.ref_state, div.cand_state = {"f": ref}, {"f": cand}
    div.error_curve = {"f": curve}
    report = make_report([div])
    strict_loads(to_json(report))
    md = to_markdown(report)
    assert "`f`" in md
    page = to_html(report)
    assert_self_contained(page)
    assert highlighted_paths(page)[0] == "f"
