"""EmuRust's mutants: deliberate bugs compiled into the core, switched on by a runtime flag.

Each is registered as adapter `emurust-mut-<name>` (EmuRust with `mutant` set). The flags are
the MUT_* constants of envs/emurust/src/{gb,lcd,cart}.rs; 0 is the real core.
"""

from __future__ import annotations

from adapters.emurust import EmuRust
from equivcheck import registry

MUTANTS: dict[str, tuple[int, str]] = {
    "mbc1-bank0": (1 << 0, "MBC1: writing 0 to the ROM bank register selects bank 0 (no 0 -> 1 quirk)"),
    "mbc5-ram-enable": (1 << 1, "MBC5: any value with low nibble 0xA enables RAM (MBC1's rule, not exactly 0x0A)"),
    "ly-off-by-one": (1 << 8, "LY compared to LYC one line late"),
    "sprite-priority": (1 << 9, "sprites drawn lowest X last (wrong DMG priority order)"),
    "mode3-length": (1 << 10, "mode 3 four dots longer"),
    "stat-lyc-no-irq": (1 << 11, "the LYC coincidence never drives the STAT interrupt line"),
    "window-line": (1 << 12, "the window's internal line counter does not advance"),
    "scx-fine": (1 << 13, "SCX & 7 does not lengthen mode 3"),
    "flag-h-add": (1 << 16, "ADD/ADC half-carry computed with > 0x10 instead of > 0x0F (no carry in)"),
    "flag-c-sub": (1 << 17, "SUB/SBC/CP carry only below -1"),
    "cycles-call": (1 << 18, "CALL takes 20 cycles instead of 24"),
    "cycles-jr": (1 << 19, "a taken conditional JR takes 8 cycles"),
    "int-priority": (1 << 20, "interrupt priority reversed (joypad first)"),
    "ei-immediate": (1 << 21, "EI enables interrupts at once (no one-instruction delay)"),
    "daa": (1 << 22, "DAA never adds 0x60 when A > 0x99"),
    "timer-reload": (1 << 23, "TIMA reloads 0 instead of TMA on overflow"),
    "dma-source": (1 << 24, "OAM DMA copies from source + 1"),
    "joypad-irq": (1 << 25, "a button press never raises the joypad interrupt flag"),
    "sbc-carry": (1 << 26, "SBC ignores the carry in"),
    "rla-zero": (1 << 27, "RLA sets Z when the result is 0"),
    "halt-skip": (1 << 28, "leaving HALT does not step past the HALT opcode"),
    "pop-af-mask": (1 << 29, "POP AF keeps F's low nibble"),
    "div-reset": (1 << 30, "writing DIV does not reset the divider"),
    "inc16-flags": (1 << 31, "INC/DEC rr sets Z when the result is 0"),
}


def adapter_name(mutant: str) -> str:
    """The registered adapter name of a mutant."""
    return f"emurust-mut-{mutant}"


def register(mutant: str) -> str:
    """Register EmuRust with `mutant` switched on; return the adapter name.

    The mutant also gets the generated-programs case's ROM option (adapter options are keyed by
    adapter name), so both sides of `gameboy-programs` run the same cartridge.
    """
    bit, doc = MUTANTS[mutant]
    cls = type(f"EmuRustMut_{mutant.replace('-', '_')}", (EmuRust,), {"mutant": bit, "name": adapter_name(mutant),
                                                                      "__doc__": doc})
    registry.register_adapter(adapter_name(mutant), cls)
    from cases.gameboy.case import PROGRAMS
    PROGRAMS.adapter_options[adapter_name(mutant)] = dict(PROGRAMS.adapter_options["emurust"])
    return adapter_name(mutant)
