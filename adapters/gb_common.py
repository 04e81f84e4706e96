"""What the two Game Boy adapters share: ROM choice, the joypad action map, the boot, and the
conversion between a state dict (adapters.gb_state / EmuRust's get_state) and a snapshot.

Snapshot: every field of the machine state as PyBoy saves it (CPU registers and flags, IME and
its delay, HALT, IE/IF, cycle counter, timer and its internal counter, every LCD register and the
PPU's clock, OAM DMA, MBC registers, joypad lines, serial), memory as full uint8 arrays (VRAM,
OAM, WRAM, HRAM, IO, cartridge RAM) and the screen as a (144, 160) uint32 RGBA array.
"""

from __future__ import annotations

import importlib.resources
from collections.abc import Mapping
from typing import Any

import numpy as np

from envs.gbrom import game
from equivcheck.adapter import Discrete
from equivcheck.errors import SetupError

BUTTONS = ("right", "left", "up", "down", "a", "b", "select", "start")
ACTIONS = Discrete(9)
"""0: no button; k in 1..8: BUTTONS[k-1] held for the step."""
BOOT_FRAMES = 70
"""Frames run at reset: PyBoy's own boot ROM hands over to the cartridge after about 66."""

BYTE_FIELDS = {"mem.vram": (0x2000,), "mem.oam": (0xA0,), "mem.wram": (0x2000,), "mem.unusable": (0x60,),
               "mem.io": (0x4C,), "mem.hram": (0x7F,), "lcd.scanline_params": (144, 5), "screen.attrs": (144, 160)}
SCALAR_FIELDS = (
    "cpu.A", "cpu.F", "cpu.B", "cpu.C", "cpu.D", "cpu.E", "cpu.HL", "cpu.SP", "cpu.PC", "cpu.ime", "cpu.ie_delay",
    "cpu.halted", "cpu.stopped", "cpu.IE", "cpu.queued", "cpu.IF", "cpu.cycles", "mb.bootrom_enabled",
    "dma.active", "dma.reading", "dma.source", "dma.index", "dma.start_cycle",
    "lcd.LCDC", "lcd.BGP", "lcd.OBP0", "lcd.OBP1", "lcd.STAT", "lcd.LY", "lcd.LYC", "lcd.SCY", "lcd.SCX", "lcd.WY",
    "lcd.WX", "lcd.object_priority_mode", "lcd.frame_done", "lcd.first_frame", "lcd.reset", "lcd.last_cycles",
    "lcd.clock", "lcd.clock_target", "lcd.next_stat_mode", "lcd.stat_transition", "lcd.wy_activated_frame",
    "lcd.window_line",
    "timer.DIV", "timer.TIMA", "timer.DIV_counter", "timer.TIMA_counter", "timer.TMA", "timer.TAC",
    "timer.reload_state", "timer.last_cycles", "timer.cycles_to_interrupt",
    "cart.rombank_selected", "cart.rambank_selected", "cart.rambank_enabled", "cart.memorymodel",
    "cart.bank_select_register1", "cart.bank_select_register2", "joypad.directional", "joypad.standard",
    "serial.SB", "serial.SC", "serial.transfer_enabled", "serial.internal_clock", "serial.last_cycles",
    "serial.cycles_to_interrupt", "serial.clock", "serial.clock_target",
)


def bootrom_bytes() -> bytes:
    """PyBoy's own DMG boot ROM, read from the installed pyboy package (never copied into git)."""
    try:
        return (importlib.resources.files("pyboy") / "core" / "bootrom_dmg.bin").read_bytes()
    except (ModuleNotFoundError, FileNotFoundError) as exc:
        raise SetupError("the gameboy case needs PyBoy 2.8.1: pip install -e '.[gameboy]'") from exc


def rom_for(options: Mapping[str, Any] | None, seed: int) -> bytes:
    """The cartridge: options['rom'] bytes, 'catch' (default) or 'program' (drawn from the seed)."""
    choice = (options or {}).get("rom", "catch")
    if isinstance(choice, bytes | bytearray):
        return bytes(choice)
    if choice == "catch":
        return game.rom()
    if choice == "program":
        from envs.gbrom.programs import random_program
        return random_program(seed)
    raise SetupError(f"unknown rom {choice!r}: 'catch', 'program' or the bytes of a cartridge")


def button_mask(action: int) -> int:
    """The joypad state of an action as a mask (bit k = BUTTONS[k])."""
    return 0 if action == 0 else 1 << (action - 1)


def to_snapshot(state: Mapping[str, Any], ram_banks: int) -> dict[str, Any]:
    """A state dict as the case's snapshot (numpy arrays for memory and the screen)."""
    snap: dict[str, Any] = {k: int(state.get(k, 0)) for k in SCALAR_FIELDS}
    for k, shape in BYTE_FIELDS.items():
        snap[k] = np.frombuffer(state[k], dtype=np.uint8).reshape(shape).copy()
    snap["mem.cart_ram"] = np.frombuffer(state["mem.cart_ram"], dtype=np.uint8).reshape(ram_banks, 0x2000).copy()
    snap["screen.rgba"] = np.frombuffer(state["screen.rgba"], dtype="<u4").reshape(144, 160).copy()
    return snap


def to_state(snap: Mapping[str, Any]) -> dict[str, Any]:
    """A snapshot back into a state dict (bytes and ints)."""
    state: dict[str, Any] = {k: int(snap[k]) for k in SCALAR_FIELDS}
    for k in (*BYTE_FIELDS, "mem.cart_ram"):
        state[k] = np.ascontiguousarray(snap[k], dtype=np.uint8).tobytes()
    state["screen.rgba"] = np.ascontiguousarray(snap["screen.rgba"], dtype="<u4").tobytes()
    return state


def ram_banks(rom: bytes) -> int:
    """Cartridge RAM banks PyBoy allocates and saves for this header."""
    return {0x03: 4, 0x04: 16, 0x05: 8}.get(rom[0x149], 1)


def observation(wram: bytes | np.ndarray) -> np.ndarray:
    """The 16 game bytes at C000-C00F."""
    return np.frombuffer(bytes(wram[:16]), dtype=np.uint8).copy()


def bcd(v: int) -> int:
    """A packed-BCD byte as an integer (the game's score)."""
    return (v >> 4) * 10 + (v & 0xF)


def reward_done(prev: np.ndarray, cur: np.ndarray, rom_kind: Any) -> tuple[float, bool]:
    """Catch: reward = score gained this step, done = game over; other ROMs: 0, never done."""
    if rom_kind != "catch":
        return 0.0, False
    return float(bcd(int(cur[0])) - bcd(int(prev[0]))), bool(cur[2])
