"""L1 components: one SM83 instruction, the timer, OAM DMA and the MBCs, run on both emulators
from the same constructed state.

A harness cartridge boots (PyBoy's boot ROM, BOOT_FRAMES frames) into a spin loop with the LCD
and the timer off and interrupts disabled; its state is the template. An example writes a code
snippet at C100, sets registers and memory, points PC at C100 and runs until PC reaches one of
the snippet's possible exits. On PyBoy the exits are `hook_register` breakpoints (the callback
saves the state); on EmuRust `run_until`. Exits are padded with a jump to a HALT, and operand addresses
are kept away from them (a hooked address reads as 0xDB in PyBoy).
"""

from __future__ import annotations

import atexit
import io
import os
import tempfile
from functools import cache
from typing import Any

import numpy as np
from hypothesis import strategies as st

from adapters import emurust_build, gb_state
from adapters import gb_common as gc
from envs.gbrom.asm import Asm, encode
from envs.gbrom.cart import build_rom
from envs.gbrom.opcodes import TABLE

CODE = 0xC100
HALT_SPOT = 0xC7F0
JUMP_AREA = (0xC800, 0xC8FE)
DATA_AREA = (0xD000, 0xD0FF)
STACK_AREA = (0xDE00, 0xDEF0)
SPIN = bytes([0xC3, HALT_SPOT & 0xFF, HALT_SPOT >> 8])
"""JP HALT_SPOT, where `HALT; JR -3` parks the CPU (also when HALT falls through with IME = 0 and a
request pending): PC leaves the hooked exit, which is reached once."""
COMPARED = ("cpu.A", "cpu.F", "cpu.B", "cpu.C", "cpu.D", "cpu.E", "cpu.HL", "cpu.SP", "cpu.PC", "cpu.ime",
            "cpu.ie_delay", "cpu.halted", "cpu.IF", "cpu.cycles")
MBC_KINDS = ("none", "mbc1+ram", "mbc3+ram", "mbc5+ram")


@cache
def harness_rom(mbc: str = "none") -> bytes:
    """A jump to a HALT at every RST/interrupt vector; DI, LCD off, spin at 0x150; banks tagged with their number."""
    a = Asm(origin=0)
    for vec in range(0, 0x68, 8):
        a.org(vec)
        a("JP $0148")
    a.org(0x148)
    a.label("park")
    a("HALT", "JR park")
    a.org(0x150)
    a("DI", "LD SP,$DFF0")
    a.label("vb")
    a("LDH A,($44)", "CP 145", "JR NZ,vb", "XOR A", "LDH ($40),A", "LDH ($07),A", "LDH ($FF),A", "LDH ($0F),A")
    a.label("spin")
    a("JR spin")
    banks = {0: a.assemble()}
    if mbc == "none":
        return build_rom(banks, mbc="none", title="HARNESS")
    n = 64 if mbc.startswith("mbc1") else 16
    for b in range(1, n):
        banks[b] = bytes([b, b ^ 0xFF, 0x5A]) + bytes(np.random.default_rng(b).integers(0, 256, 253, dtype=np.uint8))
    return build_rom(banks, mbc=mbc, ram_banks=4, rom_banks=n, title="HARNESS")


class _PyBoyHarness:
    """One PyBoy per harness cartridge, reloaded from a constructed state for each example."""

    def __init__(self, rom: bytes) -> None:
        from pyboy import PyBoy
        self.rom = rom
        self.dir = tempfile.mkdtemp(prefix="equivcheck-gb-l1-")
        path = os.path.join(self.dir, "harness.gb")
        with open(path, "wb") as fh:
            fh.write(rom)
        self.pb = PyBoy(path, window="null", sound_emulated=False, no_input=True, log_level="ERROR")
        self.pb.set_emulation_speed(0)
        self.pb.tick(gc.BOOT_FRAMES, False)
        self.template = self.state()
        atexit.register(self.pb.stop, False)

    def state(self) -> dict[str, Any]:
        buf = io.BytesIO()
        self.pb.save_state(buf)
        return gb_state.decode(buf.getvalue(), self.rom[:0x150])

    def run(self, state: dict[str, Any], exits: list[int], frames: int = 3) -> dict[str, Any]:
        self.pb.load_state(io.BytesIO(gb_state.encode(state, self.template, self.rom[:0x150])))
        seen: list[dict[str, Any]] = []

        def hit(_: Any) -> None:
            if not seen:
                st_ = self.state()
                wram = bytearray(st_["mem.wram"])
                for addr in exits:
                    if addr >= 0xC000 and wram[addr - 0xC000] == 0xDB:
                        wram[addr - 0xC000] = state["mem.wram"][addr - 0xC000]  # hooks still in place
                st_["mem.wram"] = bytes(wram)
                seen.append(st_)

        for addr in exits:
            self.pb.hook_register(0, addr, hit, None)
        try:
            for _ in range(frames):
                self.pb.tick(1, False)
                if seen:
                    break
        finally:
            for addr in exits:
                self.pb.hook_deregister(0, addr)
        return seen[0] if seen else self.state()


@cache
def pyboy_harness(mbc: str = "none") -> _PyBoyHarness:
    """The cached PyBoy harness for a cartridge kind."""
    return _PyBoyHarness(harness_rom(mbc))


@cache
def _boot() -> bytes:
    return gc.bootrom_bytes()


def emurust_run(state: dict[str, Any], exits: list[int], mbc: str, mutant: int, frames: int = 3) -> dict[str, Any]:
    """The same run on EmuRust, restored from the constructed state."""
    mod = emurust_build.load()
    emu = mod.Emu(harness_rom(mbc), _boot(), mutant)
    emu.set_state(gc.to_state(gc.to_snapshot(state, gc.ram_banks(harness_rom(mbc)))))
    if not emu.run_until(exits, frames):
        emu.tick(0, False)
    return emu.get_state()


def construct(template: dict[str, Any], code: bytes, regs: dict[str, int], pokes: dict[int, int],
              exits: list[int], extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The template with the snippet at C100, spin pads at the exits, `pokes` written, registers set."""
    st_ = dict(template)
    wram = bytearray(st_["mem.wram"])
    hram = bytearray(st_["mem.hram"])
    wram[HALT_SPOT - 0xC000:HALT_SPOT - 0xC000 + 3] = bytes([0x76, 0x18, 0xFD])  # HALT; JR back to it
    for addr in exits:
        if addr >= 0xC000:
            wram[addr - 0xC000:addr - 0xC000 + 3] = SPIN
    for addr, v in pokes.items():
        if 0xC000 <= addr < 0xE000:
            wram[addr - 0xC000] = v
        elif 0xFF80 <= addr < 0xFFFF:
            hram[addr - 0xFF80] = v
    wram[CODE - 0xC000:CODE - 0xC000 + len(code)] = code
    st_["mem.wram"] = bytes(wram)
    st_["mem.hram"] = bytes(hram)
    st_.update(regs)
    st_["cpu.PC"] = CODE
    st_.update(extra or {})
    return st_


def outputs(before: dict[str, Any], after: dict[str, Any], fields: tuple[str, ...] = COMPARED) -> dict[str, Any]:
    """What an example compares: registers and flags, IME, HALT, IF, cycles taken, memory written."""
    out: dict[str, Any] = {k: int(after[k]) for k in fields}
    out["cpu.cycles"] = int(after["cpu.cycles"]) - int(before["cpu.cycles"])
    for region in ("mem.wram", "mem.hram", "mem.oam", "mem.cart_ram"):
        a, b = np.frombuffer(before[region], np.uint8), np.frombuffer(after[region], np.uint8)
        changed = np.flatnonzero(a != b)
        out[region] = {int(i): int(b[i]) for i in changed}
    return out


# ---------------------------------------------------------------- one instruction

def _exits(code: int, operand: int, regs: dict[str, int], stack_word: int) -> list[int]:
    op = TABLE[code]
    fall = CODE + op.length
    t = op.template
    exits = {fall}
    if code in (0x18, 0x20, 0x28, 0x30, 0x38):
        exits.add((fall + ((operand & 0xFF) ^ 0x80) - 0x80) & 0xFFFF)
    if "a16" in t and (t.startswith("JP") or t.startswith("CALL")):
        exits.add(operand)
    if t.startswith("RET"):
        exits.add(stack_word)
    if t.startswith("RST"):
        exits.add(int(t[4:6], 16))
    if t == "JP (HL)":
        exits.add(regs["cpu.HL"])
    return sorted(exits)


@st.composite
def instruction_inputs(draw: Any, codes: list[int] | None = None) -> dict[str, Any]:
    """An opcode (base or CB) with an operand, registers, flags and memory around HL/BC/DE/SP."""
    code = draw(st.sampled_from(codes or sorted(c for c in TABLE if c != 0x76)))
    t = TABLE[code].template
    byte = st.sampled_from([0x00, 0x01, 0x0F, 0x10, 0x7F, 0x80, 0x99, 0x9A, 0xFF]) | st.integers(0, 255)
    data = st.integers(*DATA_AREA)
    regs = {
        "cpu.A": draw(byte), "cpu.F": draw(byte) & 0xF0, "cpu.B": 0xD0, "cpu.C": draw(byte), "cpu.D": 0xD0,
        "cpu.E": draw(byte), "cpu.HL": draw(data), "cpu.SP": draw(st.integers(*STACK_AREA)),
        "cpu.ime": draw(st.sampled_from([0, 0, 1])), "cpu.ie_delay": 0,
    }
    if t.split()[0] in ("INC", "DEC") and t.split()[1] in ("BC", "DE", "HL", "SP"):
        word = st.sampled_from([0x0000, 0x0001, 0xFFFF, 0xFFFE, 0x00FF, 0x0100]) | st.integers(0, 0xFFFF)
        regs.update({"cpu.B": draw(byte), "cpu.D": draw(byte), "cpu.HL": draw(word), "cpu.SP": draw(word)})
    if t == "JP (HL)":
        regs["cpu.HL"] = draw(st.integers(*JUMP_AREA).map(lambda v: v & ~3))
    if "(C)" in t:
        regs["cpu.C"] = draw(st.integers(0x80, 0xFD))
    if "d16" in t and ("SP" in t or "HL" in t or "BC" in t or "DE" in t):
        operand = draw(st.integers(0, 0xFFFF))
    elif "a16" in t and (t.startswith("JP") or t.startswith("CALL")):
        operand = draw(st.integers(*JUMP_AREA).map(lambda v: v & ~3))
    elif "a16" in t:
        operand = draw(data)
    elif "a8" in t:
        operand = draw(st.integers(0x80, 0xFD))
    elif code in (0x18, 0x20, 0x28, 0x30, 0x38):
        operand = draw(st.integers(-128, -6) | st.integers(4, 127)) & 0xFF
    else:
        operand = draw(byte)
    if t.startswith("LD SP,d16"):
        operand = draw(st.integers(0, 0xFFFF))
    stack_word = draw(st.integers(*JUMP_AREA).map(lambda v: v & ~3))
    if t == "POP AF":
        stack_word = draw(st.integers(0, 0xFFFF))
    sp = regs["cpu.SP"]
    pokes = {a: draw(byte) for a in (regs["cpu.HL"], 0xD000 | regs["cpu.C"], (regs["cpu.D"] << 8) | regs["cpu.E"])
             if DATA_AREA[0] <= a <= DATA_AREA[1]}
    pokes.update({0xFF00 | operand: draw(byte)} if "a8" in t else {})
    pokes.update({operand: draw(byte)} if "a16" in t and not (t.startswith("JP") or t.startswith("CALL")) else {})
    pokes[sp] = stack_word & 0xFF
    pokes[sp + 1] = stack_word >> 8
    return {"code": code, "operand": operand, "regs": regs, "pokes": pokes, "stack_word": stack_word}


def _instruction_state(template: dict[str, Any], x: dict[str, Any]) -> tuple[dict[str, Any], list[int]]:
    exits = _exits(x["code"], x["operand"], x["regs"], x["stack_word"])
    return construct(template, encode(x["code"], x["operand"]), x["regs"], x["pokes"], exits), exits


def ref_instruction(x: dict[str, Any]) -> dict[str, Any]:
    """PyBoy runs one instruction."""
    h = pyboy_harness()
    before, exits = _instruction_state(h.template, x)
    return outputs(before, h.run(before, exits))


def cand_instruction(adapter: Any, x: dict[str, Any]) -> dict[str, Any]:
    """EmuRust (the bound adapter's build and mutant) runs the same instruction."""
    before, exits = _instruction_state(pyboy_harness().template, x)
    return outputs(before, emurust_run(before, exits, "none", adapter.mutant))


# ---------------------------------------------------------------- timer

@st.composite
def timer_inputs(draw: Any) -> dict[str, Any]:
    """DIV counter, TIMA/TMA/TAC, then NOPs, a timer register write, more NOPs, reads of TIMA/DIV/IF."""
    return {"div": draw(st.integers(0, 0xFFFF)), "tima": draw(st.integers(0xF0, 0xFF)), "tma": draw(st.integers(0, 255)),
            "tac": draw(st.integers(4, 7)), "nops": draw(st.integers(0, 60)),
            "write": draw(st.sampled_from(["$04", "$05", "$06", "$07"])), "value": draw(st.integers(0, 255)),
            "nops2": draw(st.integers(0, 60))}


def _timer_state(template: dict[str, Any], x: dict[str, Any]) -> tuple[dict[str, Any], list[int]]:
    a = Asm(origin=CODE)
    for _ in range(x["nops"]):
        a("NOP")
    a(f"LD A,${x['value']:02X}", f"LDH ({x['write']}),A")
    for _ in range(x["nops2"]):
        a("NOP")
    a("LDH A,($05)", "LD B,A", "LDH A,($04)", "LD C,A", "LDH A,($0F)", "LD D,A")
    code = a.assemble()
    end = CODE + len(code)
    extra = {"timer.DIV_counter": x["div"], "timer.DIV": x["div"] >> 8, "timer.TIMA": x["tima"],
             "timer.TMA": x["tma"], "timer.TAC": x["tac"], "timer.last_cycles": template["cpu.cycles"]}
    return construct(template, code, {"cpu.ime": 0}, {}, [end], extra), [end]


TIMER_FIELDS = COMPARED + ("timer.TIMA", "timer.TMA", "timer.TAC", "timer.DIV_counter", "timer.reload_state")


def ref_timer(x: dict[str, Any]) -> dict[str, Any]:
    h = pyboy_harness()
    before, exits = _timer_state(h.template, x)
    return outputs(before, h.run(before, exits), TIMER_FIELDS)


def cand_timer(adapter: Any, x: dict[str, Any]) -> dict[str, Any]:
    before, exits = _timer_state(pyboy_harness().template, x)
    return outputs(before, emurust_run(before, exits, "none", adapter.mutant), TIMER_FIELDS)


# ---------------------------------------------------------------- OAM DMA

@st.composite
def dma_inputs(draw: Any) -> dict[str, Any]:
    """A DMA from a WRAM page with drawn content, reads of OAM during and after it."""
    return {"page": draw(st.integers(0xD1, 0xDD)), "seed": draw(st.integers(0, 2**32 - 1)),
            "wait": draw(st.integers(0, 200)), "probe": draw(st.integers(0xFE00, 0xFE9F))}


def _dma_state(template: dict[str, Any], x: dict[str, Any]) -> tuple[dict[str, Any], list[int]]:
    a = Asm(origin=CODE)
    a(f"LD HL,${x['probe']:04X}", f"LD A,${x['page']:02X}", "LDH ($46),A")
    for _ in range(x["wait"] // 4):
        a("NOP")
    a("LD A,(HL)", "LD B,A", "LD A,($FE00)", "LD C,A")
    code = a.assemble()
    end = CODE + len(code)
    content = np.random.default_rng(x["seed"]).integers(0, 256, 0xA0)
    pokes = {(x["page"] << 8) + i: int(v) for i, v in enumerate(content)}
    return construct(template, code, {"cpu.ime": 0}, pokes, [end]), [end]


DMA_FIELDS = COMPARED + ("dma.active", "dma.index", "dma.source")


def ref_dma(x: dict[str, Any]) -> dict[str, Any]:
    h = pyboy_harness()
    before, exits = _dma_state(h.template, x)
    return outputs(before, h.run(before, exits), DMA_FIELDS)


def cand_dma(adapter: Any, x: dict[str, Any]) -> dict[str, Any]:
    before, exits = _dma_state(pyboy_harness().template, x)
    return outputs(before, emurust_run(before, exits, "none", adapter.mutant), DMA_FIELDS)


# ---------------------------------------------------------------- MBC

_MBC_VALUES = st.sampled_from([0x00, 0x01, 0x02, 0x0A, 0x1A, 0x1F, 0x20, 0x21, 0x40, 0x60, 0x7F, 0x80, 0xFF]) | st.integers(0, 255)


@st.composite
def mbc_inputs(draw: Any, kinds: tuple[str, ...] = MBC_KINDS[1:], last: tuple[int, int] | None = None) -> dict[str, Any]:
    """Register writes to an MBC (RAM enable, ROM/RAM bank, mode), then reads of both ROM windows and RAM.

    `last` appends one fixed (address, value) write (the mutant tests aim at one register).
    """
    kind = draw(st.sampled_from(kinds))
    writes = draw(st.lists(st.tuples(st.sampled_from([0x0000, 0x2000, 0x3000, 0x4000, 0x6000, 0x1FFF, 0x5FFF]),
                                     _MBC_VALUES), min_size=1, max_size=5))
    if last is not None:
        writes.append(last)
    return {"kind": kind, "writes": writes, "off": draw(st.integers(0, 2)), "ram": draw(st.integers(0, 255))}


def _mbc_state(template: dict[str, Any], x: dict[str, Any]) -> tuple[dict[str, Any], list[int]]:
    a = Asm(origin=CODE)
    a("LD A,$0A", "LD ($0000),A")
    for addr, v in x["writes"]:
        a(f"LD A,${v:02X}", f"LD (${addr:04X}),A")
    off = x["off"]
    a(f"LD A,(${0x4000 + off:04X})", "LD B,A", f"LD A,(${off:04X})", "LD C,A",
      f"LD A,${x['ram']:02X}", "LD ($A010),A", "LD A,($A011)", "LD D,A", "LD A,($A010)", "LD E,A")
    code = a.assemble()
    end = CODE + len(code)
    return construct(template, code, {"cpu.ime": 0}, {}, [end]), [end]


MBC_FIELDS = COMPARED + ("cart.rombank_selected", "cart.rambank_selected", "cart.rambank_enabled",
                         "cart.memorymodel")


def ref_mbc(x: dict[str, Any]) -> dict[str, Any]:
    h = pyboy_harness(x["kind"])
    before, exits = _mbc_state(h.template, x)
    return outputs(before, h.run(before, exits), MBC_FIELDS)


def cand_mbc(adapter: Any, x: dict[str, Any]) -> dict[str, Any]:
    before, exits = _mbc_state(pyboy_harness(x["kind"]).template, x)
    return outputs(before, emurust_run(before, exits, x["kind"], adapter.mutant), MBC_FIELDS)


# ---------------------------------------------------------------- interrupt dispatch

VECTORS = [0x40, 0x48, 0x50, 0x58, 0x60]


@st.composite
def interrupt_inputs(draw: Any) -> dict[str, Any]:
    """IME, IE and IF drawn (often several requests at once), then one instruction (NOP, EI, DI or HALT)."""
    return {"ime": draw(st.integers(0, 1)), "ie": draw(st.integers(0, 0x1F)), "if": draw(st.integers(0, 0x1F)),
            "op": draw(st.sampled_from(["NOP", "EI", "DI", "HALT"]))}


def _interrupt_state(template: dict[str, Any], x: dict[str, Any]) -> tuple[dict[str, Any], list[int]]:
    code = Asm(origin=CODE)(x["op"], "NOP").assemble()
    exits = [CODE + 1, CODE + 2, *VECTORS]
    regs = {"cpu.ime": x["ime"], "cpu.IE": x["ie"], "cpu.IF": x["if"], "cpu.SP": 0xDE80}
    return construct(template, code, regs, {}, exits), exits


def ref_interrupt(x: dict[str, Any]) -> dict[str, Any]:
    h = pyboy_harness()
    before, exits = _interrupt_state(h.template, x)
    return outputs(before, h.run(before, exits), COMPARED + ("cpu.IE",))


def cand_interrupt(adapter: Any, x: dict[str, Any]) -> dict[str, Any]:
    before, exits = _interrupt_state(pyboy_harness().template, x)
    return outputs(before, emurust_run(before, exits, "none", adapter.mutant), COMPARED + ("cpu.IE",))


# ---------------------------------------------------------------- BCD arithmetic

@st.composite
def bcd_inputs(draw: Any) -> dict[str, Any]:
    """Two packed-BCD bytes, ADD/ADC/SUB/SBC, then DAA (the game's score update, generalised)."""
    bcd = st.integers(0, 99).map(lambda v: (v // 10) << 4 | v % 10)
    return {"a": draw(bcd), "b": draw(bcd), "op": draw(st.sampled_from(["ADD A,B", "ADC A,B", "SUB B", "SBC A,B"])),
            "f": draw(st.integers(0, 15)) << 4}


def _bcd_state(template: dict[str, Any], x: dict[str, Any]) -> tuple[dict[str, Any], list[int]]:
    code = Asm(origin=CODE)(x["op"], "DAA").assemble()
    end = CODE + len(code)
    return construct(template, code, {"cpu.A": x["a"], "cpu.B": x["b"], "cpu.F": x["f"], "cpu.ime": 0}, {},
                     [end]), [end]


def ref_bcd(x: dict[str, Any]) -> dict[str, Any]:
    h = pyboy_harness()
    before, exits = _bcd_state(h.template, x)
    return outputs(before, h.run(before, exits))


def cand_bcd(adapter: Any, x: dict[str, Any]) -> dict[str, Any]:
    before, exits = _bcd_state(pyboy_harness().template, x)
    return outputs(before, emurust_run(before, exits, "none", adapter.mutant))
