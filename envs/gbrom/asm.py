"""A small SM83 assembler: one instruction per call (Intel-like syntax), labels, data, two passes.

    a = Asm(origin=0x150)
    a("LD A,$10"); a.label("loop"); a("DEC A"); a("JR NZ,loop"); a.db(1, 2, 3)
    code = a.assemble()      # bytes placed at a.origin

Operands: registers as written in the table (envs.gbrom.opcodes), numbers ($hex, 0x hex, %bin,
decimal, negative for r8) or label names, optionally `label+N`. JR targets are addresses (the
offset is computed); `ADD SP,r8` and `LD HL,SP+r8` take the signed offset itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from envs.gbrom.opcodes import BY_TEMPLATE, TABLE, Op

_PLACEHOLDERS = ("d16", "a16", "d8", "a8", "r8")
_REGISTER_WORDS = {"A", "B", "C", "D", "E", "H", "L", "HL", "BC", "DE", "SP", "AF", "(HL)", "(BC)", "(DE)",
                   "(HL+)", "(HL-)", "(C)", "NZ", "Z", "NC", "SP+"}


class AsmError(ValueError):
    """An instruction that matches no SM83 encoding, an unknown label, or a value out of range."""


def parse_number(text: str) -> int | None:
    """$FF, 0xFF, %1010, 255, -3 -> int; None when `text` is not a number."""
    t = text.strip()
    neg = t.startswith("-")
    t = t[1:] if neg else t
    try:
        if t.startswith("$"):
            v = int(t[1:], 16)
        elif t.lower().startswith("0x"):
            v = int(t, 16)
        elif t.startswith("%"):
            v = int(t[1:], 2)
        elif t.isdigit():
            v = int(t)
        else:
            return None
    except ValueError:
        return None
    return -v if neg else v


def _split(line: str) -> tuple[str, list[str]]:
    line = line.split(";")[0].strip()
    if not line:
        return "", []
    parts = line.split(None, 1)
    mnem = parts[0].upper()
    ops = [o.strip() for o in parts[1].split(",")] if len(parts) > 1 else []
    return mnem, ops


_TEMPLATES: dict[tuple[str, int], list[Op]] = {}
for _op in TABLE.values():
    _m, _o = _split(_op.template)
    _TEMPLATES.setdefault((_m, len(_o)), []).append(_op)


def _match(tmpl: str, given: str) -> str | None:
    """'' when a literal operand matches, the value text when a placeholder takes it, None otherwise."""
    if tmpl.upper() == given.upper().replace(" ", ""):
        return ""
    for ph in _PLACEHOLDERS:
        if ph in tmpl:
            pre, post = tmpl.split(ph)
            g = given.replace(" ", "")
            if g.upper().startswith(pre.upper()) and g.upper().endswith(post.upper()) and len(g) > len(pre) + len(post):
                value = g[len(pre):len(g) - len(post)] if post else g[len(pre):]
                if value.upper() in _REGISTER_WORDS or re.match(r"(SP|HL)\b", value.upper()):
                    return None
                if value.startswith("(") and not pre.endswith("("):
                    return None
                return value
    return None


def encode_template(line: str) -> tuple[Op, str | None]:
    """The Op an instruction line uses and its operand expression (None when it has none)."""
    mnem, ops = _split(line)
    candidates = _TEMPLATES.get((mnem, len(ops)), [])
    best: tuple[int, Op, str | None] | None = None
    for op in candidates:
        _, tops = _split(op.template)
        values = [_match(t, g) for t, g in zip(tops, ops)]
        if any(v is None for v in values):
            continue
        literal = sum(1 for v in values if v == "")
        expr = next((v for v in values if v), None)
        if best is None or literal > best[0]:
            best = (literal, op, expr)
    if best is None:
        raise AsmError(f"no SM83 instruction matches {line!r}")
    return best[1], best[2]


@dataclass
class _Fixup:
    pos: int
    expr: str
    kind: str
    pc_after: int
    line: str


@dataclass
class Asm:
    """Assembles into a byte image starting at `origin`; labels are absolute addresses."""

    origin: int = 0
    data: bytearray = field(default_factory=bytearray)
    labels: dict[str, int] = field(default_factory=dict)
    fixups: list[_Fixup] = field(default_factory=list)

    @property
    def pc(self) -> int:
        """The address the next byte goes to."""
        return self.origin + len(self.data)

    def label(self, name: str) -> None:
        """Define `name` at the current address."""
        if name in self.labels:
            raise AsmError(f"label {name!r} defined twice")
        self.labels[name] = self.pc

    def org(self, address: int, fill: int = 0x00) -> None:
        """Pad with `fill` up to `address` (forward only)."""
        if address < self.pc:
            raise AsmError(f"org {address:#06x} is behind the current address {self.pc:#06x}")
        self.data.extend([fill] * (address - self.pc))

    def db(self, *values: int) -> None:
        """Raw bytes."""
        for v in values:
            if not 0 <= v <= 0xFF:
                raise AsmError(f"db value {v} out of range")
        self.data.extend(values)

    def dw(self, *values: int) -> None:
        """Little-endian 16-bit words."""
        for v in values:
            self.data.extend([v & 0xFF, (v >> 8) & 0xFF])

    def __call__(self, *lines: str) -> Asm:
        """Assemble one or more instruction lines (';' starts a comment)."""
        for line in lines:
            for part in line.split("\n"):
                if _split(part)[0]:
                    self._one(part)
        return self

    def _one(self, line: str) -> None:
        op, expr = encode_template(line)
        self.data.extend(op.prefix_bytes)
        if op.code == 0x10:
            self.data.append(0x00)
            return
        if expr is None:
            return
        kind = next(ph for ph in _PLACEHOLDERS if ph in op.template)
        if op.code in (0x18, 0x20, 0x28, 0x30, 0x38):
            kind = "rel"
        size = 2 if kind in ("d16", "a16") else 1
        self.fixups.append(_Fixup(len(self.data), expr, kind, self.pc + size, line))
        self.data.extend([0] * size)

    def _value(self, expr: str, line: str) -> int:
        """A sum of numbers and labels: `label`, `label+2`, `end-start`, `$10`, `-3`."""
        number = parse_number(expr)
        if number is not None:
            return number
        total = 0
        for sign, term in re.findall(r"([+-]?)\s*([^+\-\s]+)", expr):
            v = parse_number(term)
            if v is None:
                if term not in self.labels:
                    raise AsmError(f"unknown label or value {term!r} in {line!r}")
                v = self.labels[term]
            total += -v if sign == "-" else v
        return total

    def assemble(self) -> bytes:
        """Resolve labels; the image from `origin`."""
        out = bytearray(self.data)
        for f in self.fixups:
            v = self._value(f.expr, f.line)
            if f.kind == "rel":
                v = v - f.pc_after
                if not -128 <= v <= 127:
                    raise AsmError(f"JR target out of range in {f.line!r}")
                out[f.pos] = v & 0xFF
            elif f.kind == "r8":
                if not -128 <= v <= 127:
                    raise AsmError(f"signed offset out of range in {f.line!r}")
                out[f.pos] = v & 0xFF
            elif f.kind in ("d8", "a8"):
                if f.kind == "a8" and 0xFF00 <= v <= 0xFFFF:
                    v -= 0xFF00
                if not -128 <= v <= 0xFF:
                    raise AsmError(f"8-bit value out of range in {f.line!r}")
                out[f.pos] = v & 0xFF
            else:
                if not -0x8000 <= v <= 0xFFFF:
                    raise AsmError(f"16-bit value out of range in {f.line!r}")
                out[f.pos] = v & 0xFF
                out[f.pos + 1] = (v >> 8) & 0xFF
        return bytes(out)


def encode(code: int, operand: int = 0) -> bytes:
    """The bytes of instruction `code` (0x100+n for CB n) with its operand (little-endian)."""
    op = TABLE[code]
    if op.length == 1 or op.code >= 0x100:
        return op.prefix_bytes
    if op.code == 0x10:
        return bytes([0x10, 0x00])
    if op.length == 2:
        return op.prefix_bytes + bytes([operand & 0xFF])
    return op.prefix_bytes + bytes([operand & 0xFF, (operand >> 8) & 0xFF])


__all__ = ["Asm", "AsmError", "BY_TEMPLATE", "encode", "encode_template", "parse_number"]
