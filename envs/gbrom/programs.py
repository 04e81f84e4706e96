"""Generated test programs: Hypothesis strategies for instruction streams, and seeded programs.

A program sets up the machine (stack, random tiles, maps and OAM, palettes, scroll, window,
timer, LYC, a random subset of interrupts, optionally MBC1 banks), then loops over a body of
drawn instructions: register and flag arithmetic of every kind, loads and stores confined to
WRAM through HL, balanced PUSH/POP, CALLs into subroutines, reads of DIV/TIMA/LY/STAT/IF/the
joypad, writes to scroll/palette/LYC/TMA registers, HALT, EI/DI, OAM DMA and bank switches.
Three in four programs are banked (MBC1 or MBC5 with RAM): their setup enables RAM with 0x0A,
0x1A or 0x3A (MBC5 accepts only 0x0A), writes and reads it, and selects ROM bank 0 then 1.
Interrupt handlers count their calls in WRAM. Everything it touches is deterministic given the
seed, so both emulators see the same cartridge.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from envs.gbrom.asm import Asm
from envs.gbrom.cart import build_rom
from envs.gbrom.opcodes import R8

REGS = ["A", "B", "C", "D", "E"]
ALU = ["ADD A,", "ADC A,", "SUB ", "SBC A,", "AND ", "XOR ", "OR ", "CP "]
CB_OPS = ["RLC", "RRC", "RL", "RR", "SLA", "SRA", "SWAP", "SRL"]
READ_IO = ["$04", "$05", "$41", "$44", "$0F", "$00", "$42", "$43", "$47"]
WRITE_IO = ["$42", "$43", "$47", "$48", "$49", "$45", "$06", "$4A", "$4B", "$00"]
COUNTERS = {0x40: 0xC0F0, 0x48: 0xC0F1, 0x50: 0xC0F2, 0x58: 0xC0F3, 0x60: 0xC0F4}


def _one(rng: np.random.Generator, banked: bool) -> list[str]:
    """One drawn instruction (or a short safe group), as assembler lines."""
    k = int(rng.integers(22))
    r = lambda: REGS[int(rng.integers(len(REGS)))]  # noqa: E731
    n = lambda: f"${int(rng.integers(256)):02X}"  # noqa: E731
    if k == 0:
        return [f"LD {r()},{r()}"]
    if k == 1:
        return [f"{ALU[int(rng.integers(8))]}{r()}"]
    if k == 2:
        return [f"{ALU[int(rng.integers(8))]}{n()}"]
    if k == 3:
        return [f"{['INC', 'DEC'][int(rng.integers(2))]} {r()}"]
    if k == 4:
        return [f"{CB_OPS[int(rng.integers(8))]} {r()}"]
    if k == 5:
        return [f"{['BIT', 'SET', 'RES'][int(rng.integers(3))]} {int(rng.integers(8))},{r()}"]
    if k == 6:
        return [["RLCA", "RRCA", "RLA", "RRA", "DAA", "CPL", "SCF", "CCF"][int(rng.integers(8))]]
    if k == 7:
        return [f"LD {r()},{n()}"]
    if k == 8:
        addr = 0xC100 + int(rng.integers(0x700))
        op = ["LD (HL),A", "LD A,(HL)", "INC (HL)", "DEC (HL)", "ADD A,(HL)", "SWAP (HL)", "BIT 3,(HL)",
              "SET 5,(HL)", "LD (HL+),A", "LD A,(HL-)", f"LD (HL),{n()}", "SBC A,(HL)"][int(rng.integers(12))]
        return [f"LD HL,${addr:04X}", op]
    if k == 9:
        pair = ["BC", "DE"][int(rng.integers(2))]
        return [f"PUSH {pair}", f"{['INC', 'DEC'][int(rng.integers(2))]} {pair}", "PUSH AF", "POP AF", f"POP {pair}"]
    if k == 10:
        return [f"CALL sub{int(rng.integers(3))}"]
    if k == 11:
        return [f"LDH A,({READ_IO[int(rng.integers(len(READ_IO)))]})"]
    if k == 12:
        reg = WRITE_IO[int(rng.integers(len(WRITE_IO)))]
        v = n() if reg != "$00" else ["$10", "$20", "$30"][int(rng.integers(3))]
        return [f"LD A,{v}", f"LDH ({reg}),A"]
    if k == 13:
        return [f"ADD HL,{['BC', 'DE', 'HL', 'SP'][int(rng.integers(4))]}", "LD HL,$C200"]
    if k == 14:
        return [["EI", "DI", "EI", "NOP"][int(rng.integers(4))]]
    if k == 15:
        return ["HALT", "NOP"] if rng.random() < 0.5 else ["NOP"]
    if k == 16:
        return ["LD A,$C1", "CALL $FF80"]
    if k == 17 and banked:
        return [f"LD A,{int(rng.integers(0, 8))}", "LD ($2000),A", "LD A,($4000)"]
    if k == 18:
        return [f"LD A,{n()}", f"LD (${0xC000 + int(rng.integers(0x100, 0x1F00)):04X}),A"]
    if k == 19:
        return [f"JR {['NZ', 'Z', 'NC', 'C'][int(rng.integers(4))]},@skip", "INC B"]
    if k == 20:
        return [f"LD HL,SP+{int(rng.integers(-8, 8))}", "LD HL,$C300"]
    return [f"LDH A,($44)", f"CP {int(rng.integers(154))}", "JR NZ,@skip", "INC C"]


def _expand(lines: list[str], a: Asm) -> None:
    """Assemble drawn lines; a JR to '@skip' jumps over the line that follows it."""
    pending: str | None = None
    for line in lines:
        if "@skip" in line:
            pending = f"skip{len(a.labels)}_{a.pc}"
            a(line.replace("@skip", pending))
            continue
        a(line)
        if pending:
            a.label(pending)
            pending = None


def random_program(seed: int, body: int = 60) -> bytes:
    """A cartridge drawn from `seed` (numpy PCG64): setup, a looping body, handlers, subroutines."""
    rng = np.random.default_rng(seed)
    banked = bool(rng.random() < 0.75)
    mbc = ["mbc1+ram", "mbc5+ram"][int(rng.integers(2))]
    a = Asm(origin=0)
    for vec in COUNTERS:
        a.org(vec)
        a(f"JP h{vec:02X}")
    a.org(0x150)
    a("DI", "LD SP,$DFF0")
    a.label("wait")
    a("LDH A,($44)", "CP 145", "JR NZ,wait", "XOR A", "LDH ($40),A")
    a("LD HL,$8000", "LD BC,$1800")
    a.label("tiles")
    a("LD A,(DE)", "XOR L", "LD (HL+),A", "INC DE", "DEC BC", "LD A,B", "OR C", "JR NZ,tiles")
    a("LD HL,$9800", "LD BC,$0800")
    a.label("maps")
    a("LD A,L", "XOR H", f"ADD A,${int(rng.integers(256)):02X}", "LD (HL+),A", "DEC BC", "LD A,B", "OR C",
      "JR NZ,maps")
    a("LD HL,$C100", "LD B,$A0")
    a.label("oam")
    a("LD A,L", f"XOR ${int(rng.integers(256)):02X}", "ADD A,B", "LD (HL+),A", "DEC B", "JR NZ,oam")
    a("LD HL,dma", "LD DE,$FF80", "LD B,dma_end-dma")
    a.label("cp")
    a("LD A,(HL+)", "LD (DE),A", "INC DE", "DEC B", "JR NZ,cp")
    for reg in ("$47", "$48", "$49", "$42", "$43", "$4A", "$06", "$45"):
        a(f"LD A,${int(rng.integers(256)):02X}", f"LDH ({reg}),A")
    a(f"LD A,{int(rng.integers(7, 167))}", "LDH ($4B),A")
    a(f"LD A,${int(rng.integers(4, 8)):02X}", "LDH ($07),A")
    a(f"LD A,${int(rng.integers(8)) << 3 | 0x40 * int(rng.random() < 0.5):02X}", "LDH ($41),A")
    a(f"LD A,${int(rng.integers(32)):02X}", "LDH ($FF),A", "XOR A", "LDH ($0F),A")
    if banked:
        ram_enable = [0x0A, 0x1A, 0x3A][int(rng.integers(3))]
        a(f"LD A,${ram_enable:02X}", "LD ($0000),A", "LD A,$5A", "LD ($A000),A", "LD A,($A001)", "LD ($C0F7),A",
          "XOR A", "LD ($2000),A", "LD A,($4000)", "LD ($C0F8),A", "LD A,1", "LD ($2000),A", "LD A,($4001)",
          "LD ($C0F9),A")
    a(f"LD A,${0x80 | int(rng.integers(128)):02X}", "LDH ($40),A", "EI")
    a.label("main")
    for _ in range(body):
        _expand(_one(rng, banked), a)
    a("JP main")
    for s in range(3):
        a.label(f"sub{s}")
        for _ in range(4):
            _expand([x for x in _one(rng, banked) if not x.startswith("CALL")], a)
        a("RET")
    for vec, counter in COUNTERS.items():
        a.label(f"h{vec:02X}")
        a("PUSH AF", f"LD A,(${counter:04X})", "INC A", f"LD (${counter:04X}),A", "POP AF", "RETI")
    a.label("dma")
    a("LDH ($46),A", "LD A,40")
    a.label("dma_wait")
    a("DEC A", "JR NZ,dma_wait", "RET")
    a.label("dma_end")
    code = a.assemble()
    banks = {0: code}
    if banked:
        for b in range(1, 8):
            banks[b] = bytes(rng.integers(0, 256, size=64, dtype=np.uint8))
        return build_rom(banks, mbc=mbc, ram_banks=1, rom_banks=8, title="PROGRAM")
    return build_rom(banks, mbc="none", title="PROGRAM")


def instruction_lines(draw_seed: int, n: int) -> list[str]:
    """n drawn instruction groups (as assembler lines) from a seed."""
    rng = np.random.default_rng(draw_seed)
    return [line for _ in range(n) for line in _one(rng, False)]


def programs() -> st.SearchStrategy[bytes]:
    """Hypothesis: whole program cartridges (seed and body length drawn, shrinking to short bodies)."""
    return st.builds(random_program, st.integers(0, 2**32 - 1), st.integers(1, 80))


def register_states() -> st.SearchStrategy[dict[str, int]]:
    """Hypothesis: CPU register files (F with its low nibble clear, as the CPU keeps it)."""
    byte = st.integers(0, 255)
    return st.fixed_dictionaries({"cpu.A": byte, "cpu.F": byte.map(lambda v: v & 0xF0), "cpu.B": byte,
                                  "cpu.C": byte, "cpu.D": byte, "cpu.E": byte,
                                  "cpu.HL": st.integers(0xC000, 0xDFFF), "cpu.SP": st.integers(0xD000, 0xDFF0)})


__all__ = ["R8", "instruction_lines", "programs", "random_program", "register_states"]
