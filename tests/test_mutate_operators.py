"""The mutation operators: each makes valid, distinct, one-node mutants; sampling and ids are reproducible."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from equivcheck.mutate.hook import Overlay, install, proof
from equivcheck.mutate.operators import OPERATORS, MutationError, Mutator, Site
from equivcheck.mutate.runner import collect
from equivcheck.mutate.sources import resolve

ROOT = Path(__file__).resolve().parents[1]

SAMPLE = '''"""Docstring with 1 + 2 < 3."""
from __future__ import annotations

import jax.numpy as jnp

__all__ = ["f"]
LIMIT: int = 3


def f(a: int, b: list[int] = None) -> jnp.float32:
    """Docstring 4."""
    x = a + b * 2
    if a < b and b >= 0:
        x = -x
        y = jnp.minimum(x, LIMIT)
    flag = True
    m = jnp.where(flag, x, a).astype(jnp.float32)
    z = jnp.zeros(3, dtype="int32") | (x & 1)
    return not flag, m, z, y


if __name__ == "__main__":
    f(1, 2)
'''

EXPECTED = {
    "arith": {"x = a - b * 2", "x = a + b / 2"},
    "compare": {"if a <= b and b >= 0:", "if a < b and b > 0:"},
    "constant": {"x = a + b * 3", "x = a + b * 1", "z = jnp.zeros(4, dtype='int32') | (x & 1)",
                 "z = jnp.zeros(2, dtype='int32') | (x & 1)", "z = jnp.zeros(3, dtype='int32') | (x & 2)",
                 "z = jnp.zeros(3, dtype='int32') | (x & 0)"},
    "boolean": {"flag = False"},
    "logic": {"if (a < b or b >= 0):", "z = (jnp.zeros(3, dtype='int32') & (x & 1))",
              "z = jnp.zeros(3, dtype='int32') | (x | 1)"},
    "unary": {"x = x", "return flag, m, z, y"},
    "minmax": {"y = jnp.maximum(x, LIMIT)"},
    "dtype": {"m = jnp.where(flag, x, a).astype(jnp.float16)", "z = jnp.zeros(3, dtype='int16') | (x & 1)"},
    "statement": {"pass"},
    "where": {"m = (a).astype(jnp.float32)", "m = a.astype(jnp.float32)"},
}


def _changed_line(original: str, mutated: str) -> str:
    """The one changed line of a single-line edit, normalised through ast (quotes, spacing)."""
    old, new = original.splitlines(), mutated.splitlines()
    assert len(old) == len(new), "a splice must keep every line"
    diff = [(a, b) for a, b in zip(old, new, strict=True) if a != b]
    assert len(diff) == 1, diff
    return diff[0][1].strip()


@pytest.mark.parametrize("operator", OPERATORS)
def test_each_operator_makes_valid_distinct_mutants(operator: str) -> None:
    mutator = Mutator(SAMPLE, "sample", operators=(operator,))
    mutants = mutator.mutants()
    assert mutants, f"{operator} found no site"
    original = ast.dump(ast.parse(SAMPLE))
    dumps = [ast.dump(ast.parse(m.source)) for m in mutants]
    assert all(d != original for d in dumps), "a mutant equal to the original"
    assert len(set(dumps)) == len(dumps), "two mutants are the same program"
    assert len({m.id for m in mutants}) == len(mutants)
    lines = set()
    for m in mutants:
        line = _changed_line(SAMPLE, m.source)
        try:
            line = ast.unparse(ast.parse(line)) if not line.endswith(":") else line
        except SyntaxError:
            pass
        lines.add(line.replace('"', "'"))
    for want in EXPECTED[operator]:
        normal = want if want.endswith(":") else ast.unparse(ast.parse(want))
        assert normal in lines or want in lines, f"{operator}: {want!r} not among {sorted(lines)}"


def test_nothing_is_mutated_in_docstrings_annotations_all_and_main_guard() -> None:
    lines = SAMPLE.splitlines()
    protected = {i + 1 for i, line in enumerate(lines)
                 if '"""' in line or "__all__" in line or line.startswith("def f")
                 or "__main__" in line or line.strip() == "f(1, 2)"}
    sites = Mutator(SAMPLE, "sample").sites
    assert sites and not {s.lineno for s in sites} & protected
    assert {s.replacement for s in sites if s.lineno == 7} == {"4", "2"}, "the annotation int was mutated"


def test_statement_removal_only_inside_branches() -> None:
    mutants = Mutator(SAMPLE, "sample", operators=("statement",)).mutants()
    assert {m.lineno for m in mutants} == {14, 15}


def test_a_splice_that_is_not_the_intended_tree_is_refused() -> None:
    mutator = Mutator(SAMPLE, "sample", operators=("arith",))
    good = mutator.sites[0]
    lying = Site(good.module, good.operator, good.lineno, good.end_lineno, good.start, good.end, "*", good.scope,
                 good.statement, good.apply)
    assert mutator.materialise(good).source != SAMPLE
    with pytest.raises(MutationError):
        mutator.materialise(lying)


def test_precedence_is_kept_when_a_swap_changes_binding() -> None:
    source = "y = a | b | c & d\nw = x ** e ** 2\n"
    values: dict[int, set[int]] = {1: set(), 2: set()}
    for m in Mutator(source, "m", operators=("logic", "arith")).mutants():
        env = {"a": 1, "b": 3, "c": 4, "d": 4, "x": 2, "e": 3}
        exec(compile(m.source, "m", "exec"), env)  # noqa: S102
        values[m.lineno].add(env["y"] if m.lineno == 1 else env["w"])
    # y: (a|b) & (c&d) = 0, (a&b) | (c&d) = 5, a|b|(c|d) = 7; a splice without parentheses gives 1
    assert values[1] == {0, 5, 7}
    # w: x * e**2 = 18, x ** (e*2) = 64; without parentheses x ** e * 2 = 16
    assert values[2] == {18, 64}


@pytest.mark.parametrize("path", ["envs/toy/walk.py", "envs/toy/mass.py", "envs/toy/dice.py",
                                  "envs/pongjax/glibc_rand.py"])
def test_every_mutant_of_a_real_module_is_the_intended_tree(path: str) -> None:
    mutator = Mutator((ROOT / path).read_text(), path)
    mutants = mutator.mutants()  # raises MutationError on any splice that is not its tree
    assert len(mutants) == len(mutator.sites) > 20
    assert len({m.source for m in mutants}) == len(mutants)
    assert {m.operator for m in mutants} >= {"arith", "compare", "constant", "dtype"}


def test_scope_limits_mutants_to_the_candidate_class() -> None:
    source = (ROOT / "envs/toy/walk.py").read_text()
    scoped = Mutator(source, "envs.toy.walk", scopes=("WalkBatch",))
    assert scoped.sites and all(s.scope.startswith("WalkBatch") for s in scoped.sites)
    whole = Mutator(source, "envs.toy.walk")
    assert any(s.scope.startswith("WalkRef") for s in whole.sites)
    lines = source.splitlines()
    ref_lines = range(lines.index("class WalkRef:") + 1, lines.index("class WalkBatch:") + 1)
    assert not {s.lineno for s in scoped.sites} & set(ref_lines)


def test_ids_survive_edits_elsewhere_in_the_file() -> None:
    source = (ROOT / "envs/toy/walk.py").read_text()
    before = set(Mutator(source, "envs.toy.walk", scopes=("WalkBatch",)).ids())
    edited = source.replace("class WalkBatch:", "def helper(v: int) -> int:\n    return v * 3\n\n\nclass WalkBatch:")
    after = set(Mutator(edited, "envs.toy.walk", scopes=("WalkBatch",)).ids())
    assert before == after
    changed = source.replace("self.t = self.t + 1", "self.t = self.t + 2")
    assert before != set(Mutator(changed, "envs.toy.walk", scopes=("WalkBatch",)).ids())


def test_sampling_is_reproducible_with_the_seed() -> None:
    targets = resolve(["envs.toy.walk:WalkBatch", "envs.toy.dice:DiceCand"])
    first = [m.id for m in collect(targets, OPERATORS, 12, seed=5).mutants]
    again = [m.id for m in collect(targets, OPERATORS, 12, seed=5).mutants]
    other = [m.id for m in collect(targets, OPERATORS, 12, seed=6).mutants]
    population = collect(targets, OPERATORS, None, seed=5)
    assert first == again and len(first) == 12 and first != other
    assert set(first) <= population.all_ids and len(population.mutants) == population.total


def test_resolve_merges_scopes_and_rejects_unknown_modules() -> None:
    from equivcheck.errors import UsageError

    (walk,) = resolve(["envs.toy.walk:WalkBatch", "envs.toy.walk:start_cell"])
    assert walk.scopes == ("WalkBatch", "start_cell") and walk.origin.name == "walk.py"
    assert resolve(["envs.toy.walk:WalkBatch", "envs.toy.walk"])[0].scopes == ()
    with pytest.raises(UsageError):
        resolve(["envs.toy.no_such_module"])


def test_hook_runs_the_overlay_and_proves_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    package = tmp_path / "mutpkg_hooktest"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "mod.py").write_text("VALUE = 1\n")
    (package / "data.txt").write_text("beside")
    (package / "never.py").write_text("VALUE = 3\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    overlays = [Overlay("mutpkg_hooktest.mod", str(package / "mod.py"),
                        "from pathlib import Path\nVALUE = 2\nDATA = (Path(__file__).parent / 'data.txt').read_text()\n"),
                Overlay("mutpkg_hooktest.never", str(package / "never.py"), "VALUE = 4\n")]
    finder = install(overlays)
    try:
        import mutpkg_hooktest.mod as mod

        assert mod.VALUE == 2 and mod.DATA == "beside" and mod.__file__ == str(package / "mod.py")
        seen = proof(finder)
        assert seen["mutpkg_hooktest.mod"] == {"sha": overlays[0].sha, "strays": []}
        assert seen["mutpkg_hooktest.never"]["sha"] is None
        assert not list(package.glob("__pycache__/mod*")), "the overlay wrote bytecode beside the source"
        with pytest.raises(RuntimeError):
            install([Overlay("mutpkg_hooktest.mod", str(package / "mod.py"), "")])
    finally:
        sys.meta_path.remove(finder)
        for name in [n for n in sys.modules if n.startswith("mutpkg_hooktest")]:
            del sys.modules[name]
