"""The SM83 instruction set as a table: opcode -> mnemonic template and length.

Built from the CPU's regular decode structure (x/y/z fields of the opcode byte), not copied from
any emulator. Templates use the operand placeholders d8, d16, a8, a16 and r8 (a signed offset).
"""

from __future__ import annotations

from dataclasses import dataclass

R8 = ["B", "C", "D", "E", "H", "L", "(HL)", "A"]
R16 = ["BC", "DE", "HL", "SP"]
R16_STACK = ["BC", "DE", "HL", "AF"]
CONDITIONS = ["NZ", "Z", "NC", "C"]
ALU = ["ADD A,", "ADC A,", "SUB ", "SBC A,", "AND ", "XOR ", "OR ", "CP "]
ROT = ["RLC", "RRC", "RL", "RR", "SLA", "SRA", "SWAP", "SRL"]
ILLEGAL = frozenset({0xD3, 0xDB, 0xDD, 0xE3, 0xE4, 0xEB, 0xEC, 0xED, 0xF4, 0xFC, 0xFD})
"""The eleven opcodes that lock up the CPU; 256 - 11 = 245 base instructions (0xCB is the prefix)."""


@dataclass(frozen=True)
class Op:
    """One instruction: its code (0x100 + n for CB-prefixed), template and length in bytes."""

    code: int
    template: str

    @property
    def length(self) -> int:
        """Bytes including the opcode (and the 0xCB prefix)."""
        if self.code >= 0x100:
            return 2
        if "d16" in self.template or "a16" in self.template:
            return 3
        if any(p in self.template for p in ("d8", "a8", "r8")) or self.code == 0x10:
            return 2
        return 1

    @property
    def prefix_bytes(self) -> bytes:
        """The opcode bytes, without operands."""
        return bytes([0xCB, self.code & 0xFF]) if self.code >= 0x100 else bytes([self.code])


def _base(op: int) -> str | None:
    x, y, z = op >> 6, (op >> 3) & 7, op & 7
    p, q = y >> 1, y & 1
    if op in ILLEGAL or op == 0xCB:
        return None
    if x == 0:
        if z == 0:
            return ["NOP", "LD (a16),SP", "STOP", "JR r8", "JR NZ,r8", "JR Z,r8", "JR NC,r8", "JR C,r8"][y]
        if z == 1:
            return f"LD {R16[p]},d16" if q == 0 else f"ADD HL,{R16[p]}"
        if z == 2:
            mem = ["(BC)", "(DE)", "(HL+)", "(HL-)"][p]
            return f"LD {mem},A" if q == 0 else f"LD A,{mem}"
        if z == 3:
            return f"{'INC' if q == 0 else 'DEC'} {R16[p]}"
        if z == 4:
            return f"INC {R8[y]}"
        if z == 5:
            return f"DEC {R8[y]}"
        if z == 6:
            return f"LD {R8[y]},d8"
        return ["RLCA", "RRCA", "RLA", "RRA", "DAA", "CPL", "SCF", "CCF"][y]
    if x == 1:
        return "HALT" if op == 0x76 else f"LD {R8[y]},{R8[z]}"
    if x == 2:
        return f"{ALU[y]}{R8[z]}"
    if z == 0:
        return [f"RET {CONDITIONS[0]}", "RET Z", "RET NC", "RET C", "LDH (a8),A", "ADD SP,r8", "LDH A,(a8)",
                "LD HL,SP+r8"][y]
    if z == 1:
        return f"POP {R16_STACK[p]}" if q == 0 else ["RET", "RETI", "JP (HL)", "LD SP,HL"][p]
    if z == 2:
        return [f"JP {c},a16" for c in CONDITIONS][y] if y < 4 else ["LD (C),A", "LD (a16),A", "LD A,(C)",
                                                                      "LD A,(a16)"][y - 4]
    if z == 3:
        return {0: "JP a16", 6: "DI", 7: "EI"}[y]
    if z == 4:
        return f"CALL {CONDITIONS[y]},a16"
    if z == 5:
        return f"PUSH {R16_STACK[p]}" if q == 0 else "CALL a16"
    if z == 6:
        return f"{ALU[y]}d8"
    return f"RST {y * 8:02X}H"


def _cb(op: int) -> str:
    x, y, z = op >> 6, (op >> 3) & 7, op & 7
    if x == 0:
        return f"{ROT[y]} {R8[z]}"
    return f"{['BIT', 'RES', 'SET'][x - 1]} {y},{R8[z]}"


def build_table() -> dict[int, Op]:
    """All 245 base instructions (codes 0x00-0xFF) and 256 CB instructions (codes 0x100-0x1FF)."""
    table: dict[int, Op] = {}
    for op in range(256):
        t = _base(op)
        if t is not None:
            table[op] = Op(op, t)
    for op in range(256):
        table[0x100 + op] = Op(0x100 + op, _cb(op))
    return table


TABLE = build_table()
BY_TEMPLATE = {op.template: op for op in TABLE.values()}
