"""Schema and the exact/approximate oracles: mismatches become diffs, never crashes."""

from __future__ import annotations

import numpy as np
import pytest

from equivcheck.oracles.approx import Approx, Ulp, ulp_distance
from equivcheck.oracles.exact import Exact
from equivcheck.schema import Field, KnownDifference, Schema


def test_exact_known_values() -> None:
    ex = Exact()
    assert ex.check(3, 3)[0] and not ex.check(3, 4)[0]
    assert ex.check(np.array([1.0, np.nan]), np.array([1.0, np.nan]))[0]
    assert ex.check(np.float32(0.0), np.float32(-0.0))[0]
    ok, err = ex.check(np.array([1, 2, 3]), np.array([1, 2, 5]))
    assert not ok and err == 2.0
    assert not ex.check(np.zeros(3), np.zeros(4))[0]
    assert ex.check("Pikachu", "Pikachu")[0] and not ex.check("Pikachu", "Raichu")[0]


def test_approx_and_ulp_known_values() -> None:
    ap = Approx(atol=1e-3, rtol=0.0)
    assert ap.check(1.0, 1.0009)[0] and not ap.check(1.0, 1.0011)[0]
    assert Approx(atol=0.0, rtol=0.01).check(100.0, 100.9)[0]
    ok, err = ap.check(np.array([0.0, 1.0]), np.array([0.0, 1.5]))
    assert not ok and err == pytest.approx(0.5)
    one = np.float32(1.0)
    nxt = np.nextafter(one, np.float32(2.0))
    assert ulp_distance(np.array([one]), np.array([nxt]))[0] == 1
    assert ulp_distance(np.array([-0.0], np.float32), np.array([0.0], np.float32))[0] == 0
    assert Ulp(1).check(one, nxt)[0] and not Ulp(0).check(one, nxt)[0]
    assert ulp_distance(np.array([np.nan]), np.array([1.0]))[0] == np.inf


SCHEMA = Schema([Field("x", "int64"), Field("v", "float32", (2,), Approx(atol=1e-4)), Field("name", "str")])


def snap(**over: object) -> dict:
    base = {"x": 1, "v": np.array([0.5, 0.25], np.float32), "name": "a", "reward": 0.0, "terminated": False,
            "truncated": False}
    base.update(over)
    return base


def test_identical_snapshots_agree() -> None:
    assert SCHEMA.compare(snap(), snap(), full=True) == []


@pytest.mark.parametrize(
    ("cand", "kind", "path"),
    [
        (snap(x=2), "value", "x"),
        (snap(v=np.array([0.5, 0.3], np.float32)), "value", "v"),
        (snap(v=np.array([0.5, 0.25, 0.0], np.float32)), "shape", "v"),
        (snap(v=np.array([0.5, 0.25], np.float64)), "dtype", "v"),
        (snap(name=3), "dtype", "name"),
        ({k: v for k, v in snap().items() if k != "x"}, "missing", "x"),
        (snap(extra=1), "extra", "extra"),
        (snap(terminated=True), "value", "terminated"),
    ],
)
def test_each_kind_of_mismatch_is_a_diff(cand: dict, kind: str, path: str) -> None:
    diffs = SCHEMA.compare(snap(), cand)
    assert [(d.kind, d.path) for d in diffs if d.path == path] == [(kind, path)]


def test_declared_dtype_is_checked_on_full_compare() -> None:
    bad = snap(v=np.array([1, 2], np.int32))
    diffs = SCHEMA.compare(bad, bad, full=True)
    assert {d.kind for d in diffs} == {"schema"} and {d.path for d in diffs} == {"v"}


def test_known_differences_ignore_or_normalise() -> None:
    schema = Schema(
        [Field("x", "int64"), Field("hp", "int64")],
        known=[KnownDifference("x-ignored", ("x",), "cosmetic"),
               KnownDifference("hp-floor", ("hp",), "reference floors at 0", normalise=lambda v: max(int(v), 0))],
    )
    assert schema.compare({"x": 1, "hp": -3}, {"x": 2, "hp": 0}) == []
    assert schema.compare({"x": 1, "hp": 5}, {"x": 2, "hp": 4})[0].path == "hp"
    assert [k["handling"] for k in schema.describe_known()] == ["ignored", "normalised"]


def test_batch_compare_matches_scalar_compare() -> None:
    rng = np.random.default_rng(0)
    B = 64
    ref = {"x": rng.integers(0, 3, B), "v": rng.standard_normal((B, 2)).astype(np.float32),
           "reward": np.zeros(B), "terminated": np.zeros(B, bool), "truncated": np.zeros(B, bool)}
    schema = Schema([Field("x", "int64"), Field("v", "float32", (2,), Approx(atol=1e-4))])
    cand = {k: v.copy() for k, v in ref.items()}
    cand["x"][[3, 10]] += 1
    cand["v"][[10, 20], 1] += 1e-3
    cand["v"][30, 0] += 1e-6
    active = np.ones(B, bool)
    active[20] = False
    batch = schema.compare_batch(ref, cand, active)
    scalar = {}
    for b in np.flatnonzero(active):
        diffs = schema.compare({k: v[b] for k, v in ref.items()}, {k: v[b] for k, v in cand.items()})
        if diffs:
            scalar[int(b)] = sorted(d.path for d in diffs)
    assert {b: sorted(d.path for d in ds) for b, ds in batch.items()} == scalar == {3: ["x"], 10: ["v", "x"]}


def test_known_differences_apply_to_component_outputs() -> None:
    from hypothesis import strategies as st

    from equivcheck.case import ComponentPair
    from equivcheck.tiers.property import check_pair

    pair = ComponentPair("hit", lambda n: {"hp": -n, "log": "ref"}, lambda n: {"hp": 0, "log": "cand"},
                         st.integers(0, 5), Exact())
    known = [KnownDifference("log-text", ("hit.log",), "cosmetic"),
             KnownDifference("hp-floor", ("hit.hp",), "floored at 0", normalise=lambda v: max(int(v), 0))]
    assert check_pair(pair, 3, known=known) == []
    assert sorted(d.path for d in check_pair(pair, 3)) == ["hit.hp", "hit.log"]
    assert [d.path for d in check_pair(pair, 3, known=known[:1])] == ["hit.hp"]
