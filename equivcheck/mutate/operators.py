"""First-order mutants of Python source: the standard operator set, found with `ast`, applied as text.

Each mutant changes one node. Its source is the original with that node's span (or, for an
operator, just the operator token) replaced, so every other line, comment and line number is
kept; `materialise` then checks the result parses to exactly the intended tree (the original
tree with the one node changed), so a text splice can never produce a different program.
"""

from __future__ import annotations

import ast
import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

OPERATORS = ("arith", "compare", "constant", "boolean", "logic", "unary", "minmax", "dtype", "statement", "where")
"""Operator names, in the order mutants are listed. `where` is JAX's branch: `where(c, a, b)` -> `b`."""

_ARITH: dict[type, type] = {
    ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult, ast.FloorDiv: ast.Mult,
    ast.Mod: ast.FloorDiv, ast.Pow: ast.Mult, ast.LShift: ast.RShift, ast.RShift: ast.LShift,
}
_LOGIC_BIN: dict[type, type] = {ast.BitAnd: ast.BitOr, ast.BitOr: ast.BitAnd, ast.BitXor: ast.BitOr}
_COMPARE: dict[type, type] = {
    ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq, ast.NotEq: ast.Eq,
    ast.Is: ast.IsNot, ast.IsNot: ast.Is, ast.In: ast.NotIn, ast.NotIn: ast.In,
}
_SYMBOL: dict[type, str] = {
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%", ast.Pow: "**",
    ast.LShift: "<<", ast.RShift: ">>", ast.BitAnd: "&", ast.BitOr: "|", ast.BitXor: "^", ast.Lt: "<",
    ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!=", ast.Is: "is", ast.IsNot: "is not",
    ast.In: "in", ast.NotIn: "not in", ast.And: "and", ast.Or: "or",
}
_LEVEL: dict[type, int] = {ast.BitOr: 0, ast.BitXor: 1, ast.BitAnd: 2, ast.LShift: 3, ast.RShift: 3, ast.Add: 4,
                           ast.Sub: 4, ast.Mult: 5, ast.Div: 5, ast.FloorDiv: 5, ast.Mod: 5, ast.Pow: 6}
"""Binding strength: a swap across levels parenthesises the node so the tree keeps its shape."""
_MINMAX = {"min": "max", "max": "min", "minimum": "maximum", "maximum": "minimum", "fmin": "fmax", "fmax": "fmin",
           "argmin": "argmax", "argmax": "argmin", "nanmin": "nanmax", "nanmax": "nanmin", "amin": "amax",
           "amax": "amin"}
_LOGIC_CALLS = {"logical_and": "logical_or", "logical_or": "logical_and", "all": "any", "any": "all"}
_NARROW = {"float64": "float32", "float32": "float16", "int64": "int32", "int32": "int16", "int16": "int8",
           "uint64": "uint32", "uint32": "uint16", "uint16": "uint8", "complex128": "complex64"}
_WHERE = {"where", "select"}
_TOKEN = re.compile(r"not\s+in\b|is\s+not\b|\band\b|\bor\b|\bin\b|\bis\b|[-+*/%@<>=!&|^~]+")


@dataclass(frozen=True)
class Site:
    """One mutation before it is applied: where, which operator, and how the text changes."""

    module: str
    operator: str
    lineno: int
    end_lineno: int
    start: int
    end: int
    replacement: str
    scope: str
    statement: tuple[int, int]
    """First and last line of the innermost statement holding the site: if none of them ran, neither can the mutant."""
    apply: Callable[[], Callable[[], None]] = field(compare=False, repr=False)
    """Changes the tree in place and returns the function that undoes it."""


@dataclass
class Mutant:
    """A materialised mutant: its id, the mutated source and the one-line diff a person reads."""

    id: str
    module: str
    operator: str
    lineno: int
    scope: str
    before: str
    after: str
    source: str = field(repr=False)
    statement: tuple[int, int] = (0, 0)

    def diff_line(self) -> str:
        """`line N: before -> after` on one line (each side whitespace-collapsed and cut to 80 chars)."""
        return f"line {self.lineno}: {_cut(self.before)}  ->  {_cut(self.after)}"


class MutationError(Exception):
    """A splice did not produce the intended tree (a bug in an operator, never a property of the target)."""


def _cut(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


class Mutator:
    """The mutation sites of one module's source, and the mutants they make.

    `scopes` ('Class', 'func', 'Class.method') limits the sites to those bodies, for a module
    that also holds code that is not the candidate's (a reference, a test harness).
    """

    def __init__(self, source: str, module: str, scopes: Sequence[str] = (),
                 operators: Sequence[str] = OPERATORS) -> None:
        unknown = set(operators) - set(OPERATORS)
        if unknown:
            raise ValueError(f"unknown operator(s) {', '.join(sorted(unknown))}; choose from {', '.join(OPERATORS)}")
        self.source = source
        self.module = module
        self.tree = ast.parse(source)
        self.data = source.encode()
        self.starts = [0]
        for line in self.data.splitlines(keepends=True):
            self.starts.append(self.starts[-1] + len(line))
        self.scopes = tuple(scopes)
        self.operators = set(operators)
        self.parents: dict[int, tuple[ast.AST, str, int | None]] = {}
        self.scope_of: dict[int, str] = {}
        self._index(self.tree, "")
        self.skip = _skipped_ids(self.tree)
        self.sites: list[Site] = []
        for node in ast.walk(self.tree):
            self._visit(node)
        self.sites.sort(key=lambda s: (s.start, OPERATORS.index(s.operator), s.end, s.replacement))

    def _index(self, node: ast.AST, scope: str) -> None:
        for name, value in ast.iter_fields(node):
            children = value if isinstance(value, list) else [value]
            for i, child in enumerate(children):
                if not isinstance(child, ast.AST):
                    continue
                self.parents[id(child)] = (node, name, i if isinstance(value, list) else None)
                inner = scope
                if isinstance(child, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                    inner = f"{scope}.{child.name}" if scope else child.name
                self.scope_of[id(child)] = inner
                self._index(child, inner)

    # text helpers (ast columns are UTF-8 byte offsets)

    def _span(self, node: ast.AST) -> tuple[int, int]:
        return (self.starts[node.lineno - 1] + node.col_offset,
                self.starts[node.end_lineno - 1] + node.end_col_offset)

    def _text(self, start: int, end: int) -> str:
        return self.data[start:end].decode()

    def _gap_token(self, left: ast.AST, right: ast.AST, symbol: str) -> tuple[int, int]:
        """The span of the operator token `symbol` between two operands (skipping parens and comments)."""
        start, end = self._span(left)[1], self._span(right)[0]
        gap = self._text(start, end)
        cleaned = re.sub(r"#[^\n]*", lambda m: " " * len(m.group()), gap)
        m = _TOKEN.search(cleaned)
        if m is None or " ".join(m.group().split()) != symbol:
            raise MutationError(f"{self.module}: expected {symbol!r} between operands, found {gap!r}")
        return start + len(gap[: m.start()].encode()), start + len(gap[: m.end()].encode())

    def _last_name(self, node: ast.Name | ast.Attribute) -> tuple[int, int]:
        start, end = self._span(node)
        old = (node.id if isinstance(node, ast.Name) else node.attr).encode()
        if not self.data[start:end].endswith(old):
            raise MutationError(f"{self.module}: {old!r} is not at the end of {self._text(start, end)!r}")
        return end - len(old), end

    # tree edits: each returns the undo

    def _set(self, node: ast.AST, attr: str, value: object) -> Callable[[], Callable[[], None]]:
        def apply() -> Callable[[], None]:
            old = getattr(node, attr)
            setattr(node, attr, value)
            return lambda: setattr(node, attr, old)
        return apply

    def _set_item(self, items: list, index: int, value: object) -> Callable[[], Callable[[], None]]:
        def apply() -> Callable[[], None]:
            old = items[index]
            items[index] = value

            def undo() -> None:
                items[index] = old
            return undo
        return apply

    def _replace(self, node: ast.AST, new: ast.AST) -> Callable[[], Callable[[], None]]:
        parent, attr, index = self.parents[id(node)]
        if index is None:
            return self._set(parent, attr, new)
        return self._set_item(getattr(parent, attr), index, new)

    def _add(self, op: str, node: ast.AST, span: tuple[int, int], replacement: str,
             apply: Callable[[], Callable[[], None]]) -> None:
        scope = self.scope_of.get(id(node), "")
        if op not in self.operators or id(node) in self.skip:
            return
        if self.scopes and not any(scope == s or scope.startswith(s + ".") for s in self.scopes):
            return
        start, end = span
        first = self.data[:start].count(b"\n") + 1
        last = self.data[:end].count(b"\n") + 1
        holder = node
        while not isinstance(holder, ast.stmt) and id(holder) in self.parents:
            holder = self.parents[id(holder)][0]
        statement = (holder.lineno, holder.end_lineno) if isinstance(holder, ast.stmt) else (first, last)
        self.sites.append(Site(self.module, op, first, last, start, end, replacement, scope, statement, apply))

    def _visit(self, node: ast.AST) -> None:
        if isinstance(node, ast.BinOp) and not (_is_str(node.left) or _is_str(node.right)):
            op, table = ("arith", _ARITH) if type(node.op) in _ARITH else ("logic", _LOGIC_BIN)
            new = table.get(type(node.op))
            if new is not None:
                span = self._gap_token(node.left, node.right, _SYMBOL[type(node.op)])
                if _LEVEL[new] == _LEVEL[type(node.op)]:
                    self._add(op, node, span, _SYMBOL[new], self._set(node, "op", new()))
                else:
                    apply = self._set(node, "op", new())
                    self._add(op, node, self._span(node), _unparsed(node, apply), apply)
        elif isinstance(node, ast.AugAssign) and (type(node.op) in _ARITH or type(node.op) in _LOGIC_BIN):
            op, table = ("arith", _ARITH) if type(node.op) in _ARITH else ("logic", _LOGIC_BIN)
            new = table[type(node.op)]
            span = self._gap_token(node.target, node.value, _SYMBOL[type(node.op)] + "=")
            self._add(op, node, span, _SYMBOL[new] + "=", self._set(node, "op", new()))
        elif isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            for i, cmp in enumerate(node.ops):
                new = _COMPARE.get(type(cmp))
                if new is not None:
                    span = self._gap_token(operands[i], operands[i + 1], _SYMBOL[type(cmp)])
                    self._add("compare", node, span, _SYMBOL[new], self._set_item(node.ops, i, new()))
        elif isinstance(node, ast.BoolOp):
            self._boolop(node)
        elif isinstance(node, ast.Constant) and type(node.value) is int:
            base = self._text(*self._span(node))[:2].lower()
            for delta in (1, -1):
                value = node.value + delta
                if value >= 0:
                    text = {"0x": hex, "0o": oct, "0b": bin}.get(base, repr)(value)
                    self._add("constant", node, self._span(node), text, self._set(node, "value", value))
                else:
                    self._add("constant", node, self._span(node), f"({value})",
                              self._replace(node, ast.UnaryOp(ast.USub(), ast.Constant(-value))))
        elif isinstance(node, ast.Constant) and type(node.value) is bool:
            self._add("boolean", node, self._span(node), repr(not node.value), self._set(node, "value", not node.value))
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.Not | ast.Invert):
            operand = _paren(self._text(*self._span(node.operand)), node.operand)
            self._add("unary", node, self._span(node), operand, self._replace(node, node.operand))
        elif isinstance(node, ast.Call):
            self._call(node)
        elif isinstance(node, ast.Attribute | ast.Name) and isinstance(node.ctx, ast.Load):
            name = node.attr if isinstance(node, ast.Attribute) else node.id
            if name in _NARROW:
                self._add("dtype", node, self._last_name(node), _NARROW[name],
                          self._set(node, "attr" if isinstance(node, ast.Attribute) else "id", _NARROW[name]))
        if isinstance(node, ast.If | ast.Match):
            self._statements(node)

    def _boolop(self, node: ast.BoolOp) -> None:
        apply = self._set(node, "op", ast.Or() if isinstance(node.op, ast.And) else ast.And())
        self._add("logic", node, self._span(node), _unparsed(node, apply), apply)

    def _call(self, node: ast.Call) -> None:
        func = node.func
        if not isinstance(func, ast.Name | ast.Attribute):
            return
        name = func.id if isinstance(func, ast.Name) else func.attr
        swap = _MINMAX.get(name) or _LOGIC_CALLS.get(name)
        if swap is not None:
            key = "id" if isinstance(func, ast.Name) else "attr"
            self._add("minmax" if name in _MINMAX else "logic", node, self._last_name(func), swap,
                      self._set(func, key, swap))
        if name in _WHERE and isinstance(func, ast.Attribute) and len(node.args) == 3 and not node.keywords:
            other = node.args[2]
            self._add("where", node, self._span(node), _paren(self._text(*self._span(other)), other, trailer=True),
                      self._replace(node, other))
        for kw in node.keywords:
            if kw.arg == "dtype" and isinstance(kw.value, ast.Constant) and kw.value.value in _NARROW:
                narrowed = _NARROW[kw.value.value]
                self._add("dtype", kw.value, self._span(kw.value), repr(narrowed), self._set(kw.value, "value", narrowed))

    def _statements(self, node: ast.If | ast.Match) -> None:
        bodies = [node.body, node.orelse] if isinstance(node, ast.If) else [c.body for c in node.cases]
        for body in bodies:
            if isinstance(node, ast.If) and body is node.orelse and len(body) == 1 and isinstance(body[0], ast.If):
                continue
            for i, stmt in enumerate(body):
                if not isinstance(stmt, ast.Pass):
                    self._add("statement", stmt, self._span(stmt), "pass", self._set_item(body, i, ast.Pass()))

    def materialise(self, site: Site, ordinal: int = 0) -> Mutant:
        """Apply one site: splice the text and check it parses to this tree with that one node changed."""
        text = (self.data[: site.start] + site.replacement.encode() + self.data[site.end :]).decode()
        undo = site.apply()
        try:
            expected = ast.dump(self.tree)
        finally:
            undo()
        where = f"{self.module} line {site.lineno} ({site.operator})"
        try:
            got = ast.dump(ast.parse(text))
        except SyntaxError as exc:
            raise MutationError(f"{where}: the splice does not parse: {exc}") from exc
        if got != expected:
            raise MutationError(f"{where}: the splice is not the intended tree")
        lo = self.starts[site.lineno - 1]
        hi = self.starts[site.end_lineno] if site.end_lineno < len(self.starts) else len(self.data)
        before = self.data[lo:hi].decode()
        after = text.encode()[lo : hi + len(site.replacement.encode()) - (site.end - site.start)].decode()
        return Mutant(mutant_id(site, before, after, ordinal), site.module, site.operator, site.lineno, site.scope,
                      " ".join(before.split()), " ".join(after.split()), text, site.statement)

    def _ordinals(self) -> list[int]:
        """Per site, how many earlier sites make the same edit to the same lines in the same scope."""
        seen: dict[tuple[str, str, str, str], int] = {}
        out = []
        for site in self.sites:
            key = (site.scope, site.operator, *self._lines(site))
            out.append(seen.get(key, 0))
            seen[key] = out[-1] + 1
        return out

    def ids(self) -> list[str]:
        """The id of every site's mutant, without materialising them."""
        return [mutant_id(s, *self._lines(s), k) for s, k in zip(self.sites, self._ordinals(), strict=True)]

    def mutants(self, sites: Sequence[Site] | None = None) -> list[Mutant]:
        """Materialise `sites` (default: all), with ids made unique by their ordinal among identical edits."""
        chosen = set(map(id, sites)) if sites is not None else None
        return [self.materialise(site, k) for site, k in zip(self.sites, self._ordinals(), strict=True)
                if chosen is None or id(site) in chosen]

    def _lines(self, site: Site) -> tuple[str, str]:
        lo = self.starts[site.lineno - 1]
        hi = self.starts[site.end_lineno] if site.end_lineno < len(self.starts) else len(self.data)
        before = self.data[lo:hi]
        after = before[: site.start - lo] + site.replacement.encode() + before[site.end - lo :]
        return " ".join(before.decode().split()), " ".join(after.decode().split())


def mutant_id(site: Site, before: str, after: str, ordinal: int) -> str:
    """A stable id: module, operator and a hash of the changed lines (kept when the file changes elsewhere)."""
    key = "\x00".join((site.scope, site.operator, " ".join(before.split()), " ".join(after.split()), str(ordinal)))
    return f"{site.module}:{site.operator}:{hashlib.sha256(key.encode()).hexdigest()[:8]}"


def _skipped_ids(tree: ast.Module) -> set[int]:
    """Nodes never mutated: annotations, docstrings, f-strings, `__all__`, `if __name__ == "__main__"`, TYPE_CHECKING."""
    skip: set[int] = set()

    def drop(node: ast.AST | None) -> None:
        if node is not None:
            skip.update(id(n) for n in ast.walk(node))

    for node in ast.walk(tree):
        if isinstance(node, ast.arg | ast.AnnAssign):
            drop(node.annotation)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            drop(node.returns)
        elif isinstance(node, ast.JoinedStr):
            drop(node)
        elif isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            drop(node)
        elif isinstance(node, ast.If) and ast.unparse(node.test) in _GUARDS:
            drop(node)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                drop(first)
    return skip


_GUARDS = {"__name__ == '__main__'", "TYPE_CHECKING", "typing.TYPE_CHECKING"}


def _unparsed(node: ast.AST, apply: Callable[[], Callable[[], None]]) -> str:
    """The changed node written out by `ast.unparse`, in parentheses: for edits that change how operands group."""
    undo = apply()
    try:
        return f"({ast.unparse(node)})"
    finally:
        undo()


def _is_str(node: ast.expr) -> bool:
    return isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, str | bytes))


def _paren(text: str, node: ast.expr, trailer: bool = False) -> str:
    """`text` of `node`, parenthesised unless it is an atom (so precedence cannot change).

    `trailer`: the text may be followed by `.attr` or `(...)`, after which a number needs parentheses.
    """
    if isinstance(node, ast.Constant) and not (trailer and isinstance(node.value, int | float | complex)):
        return text
    atom = isinstance(node, ast.Name | ast.Attribute | ast.Call | ast.Subscript | ast.List | ast.Tuple
                      | ast.Dict | ast.Set)
    return text if atom and not (isinstance(node, ast.Tuple) and not text.startswith("(")) else f"({text})"
