"""PyBoy 2.8.1's save_state layout (DMG, STATE_VERSION 29) as a dict of named fields, both ways.

The same field names come out of EmuRust's `get_state()`, so one snapshot function serves both
sides and either side can be restored from the other. Sections PyBoy writes that EmuRust does
not model (sound, SGB) are located but kept opaque; their sizes are inferred from the blob.
"""

from __future__ import annotations

import struct
from typing import Any

import numpy as np

STATE_VERSION = 29
SGB_BYTES = 7 + 4 + 0x2000 + 0x800 + 0x80
SERIAL_BYTES = 4 + 4 * 8
ROWS, COLS = 144, 160
RAM_BANKS = {0x00: 1, 0x01: 1, 0x02: 1, 0x03: 4, 0x04: 16, 0x05: 8}

# (name, kind) in write order; kind: "u8", "u16", "u64", "i64" or a byte count for raw bytes.
_HEAD = [("mb.version", "u8"), ("mb.bootrom_enabled", "u8"), ("mb.key0", "u8"), ("mb.key1", "u8"),
         ("mb.double_speed", "u8"), ("mb.cgb", "u8"),
         ("cpu.A", "u8"), ("cpu.F", "u8"), ("cpu.B", "u8"), ("cpu.C", "u8"), ("cpu.D", "u8"), ("cpu.E", "u8"),
         ("cpu.HL", "u16"), ("cpu.SP", "u16"), ("cpu.PC", "u16"), ("cpu.ime", "u8"), ("cpu.ie_delay", "u8"),
         ("cpu.halted", "u8"), ("cpu.stopped", "u8"), ("cpu.IE", "u8"), ("cpu.queued", "u8"), ("cpu.IF", "u8"),
         ("cpu.cycles", "i64"),
         ("dma.active", "u8"), ("dma.reading", "u8"), ("dma.source", "u8"), ("dma.index", "u8"),
         ("dma.start_cycle", "i64"),
         ("mem.vram", 0x2000), ("mem.oam", 0xA0), ("lcd.LCDC", "u8"), ("lcd.BGP", "u8"), ("lcd.OBP0", "u8"),
         ("lcd.OBP1", "u8"), ("lcd.STAT", "u8"), ("lcd.LY", "u8"), ("lcd.LYC", "u8"), ("lcd.SCY", "u8"),
         ("lcd.SCX", "u8"), ("lcd.WY", "u8"), ("lcd.WX", "u8"), ("lcd.object_priority_mode", "u8"),
         ("lcd.scanline_params", ROWS * 5), ("lcd.cgb", "u8"), ("lcd.downgraded", "u8"), ("lcd.speed_shift", "u8"),
         ("lcd.frame_done", "u8"), ("lcd.first_frame", "u8"), ("lcd.reset", "u8"), ("lcd.last_cycles", "u64"),
         ("lcd.clock", "u64"), ("lcd.clock_target", "u64"), ("lcd.next_stat_mode", "u8"),
         ("lcd.stat_transition", "u8")]


def _tail(ram_banks: int, carttype: int) -> list[tuple[str, Any]]:
    cart: list[tuple[str, Any]] = [("cart.rombank_selected", "u8"), ("cart.rambank_selected", "u8"),
                                   ("cart.rambank_enabled", "u8"), ("cart.memorymodel", "u8"),
                                   ("mem.cart_ram", ram_banks * 0x2000)]
    if carttype in (0x01, 0x02, 0x03):
        cart += [("cart.bank_select_register1", "u8"), ("cart.bank_select_register2", "u8")]
    elif carttype in (0x19, 0x1A, 0x1B):
        cart += [("cart.rumble_supported", "u8")]
    return [("screen.interleaved", ROWS * COLS * 5), ("lcd.wy_activated_frame", "u8"),
            ("mem.wram", 0x2000), ("mem.unusable", 0x60), ("mem.io", 0x4C), ("mem.hram", 0x7F),
            ("mb.wram_select", "u8"),
            ("timer.DIV", "u8"), ("timer.TIMA", "u8"), ("timer.DIV_counter", "u16"), ("timer.TIMA_counter", "u16"),
            ("timer.TMA", "u8"), ("timer.TAC", "u8"), ("timer.reload_state", "u8"), ("timer.last_cycles", "u64"),
            ("timer.cycles_to_interrupt", "i64"),
            *cart,
            ("joypad.directional", "u8"), ("joypad.standard", "u8"),
            ("serial.SB", "u8"), ("serial.SC", "u8"), ("serial.transfer_enabled", "u8"),
            ("serial.internal_clock", "u8"), ("serial.last_cycles", "u64"), ("serial.cycles_to_interrupt", "i64"),
            ("serial.clock", "u64"), ("serial.clock_target", "u64"), ("sgb.opaque", SGB_BYTES)]


_FMT = {"u8": "<B", "u16": "<H", "u64": "<Q", "i64": "<q"}


def _size(kind: Any) -> int:
    return kind if isinstance(kind, int) else struct.calcsize(_FMT[kind])


def _read(fields: list[tuple[str, Any]], blob: bytes, pos: int, out: dict[str, Any]) -> int:
    for name, kind in fields:
        n = _size(kind)
        chunk = blob[pos:pos + n]
        out[name] = bytes(chunk) if isinstance(kind, int) else struct.unpack(_FMT[kind], chunk)[0]
        pos += n
    return pos


def _write(fields: list[tuple[str, Any]], state: dict[str, Any]) -> bytes:
    parts = []
    for name, kind in fields:
        v = state[name]
        if isinstance(kind, int):
            if len(v) != kind:
                raise ValueError(f"{name}: expected {kind} bytes, got {len(v)}")
            parts.append(bytes(v))
        else:
            parts.append(struct.pack(_FMT[kind], int(v)))
    return b"".join(parts)


def decode(blob: bytes, rom_header: bytes) -> dict[str, Any]:
    """A PyBoy state blob as named fields (the screen split into RGBA words and attribute bytes)."""
    if blob[0] != STATE_VERSION:
        raise ValueError(f"PyBoy state version {blob[0]}, this decoder knows {STATE_VERSION}")
    tail = _tail(RAM_BANKS.get(rom_header[0x149], 1), rom_header[0x147])
    out: dict[str, Any] = {}
    head_end = _read(_HEAD, blob, 0, out)
    tail_len = sum(_size(k) for _, k in tail)
    tail_start = len(blob) - tail_len
    out["sound.opaque"] = bytes(blob[head_end:tail_start])
    _read(tail, blob, tail_start, out)
    inter = np.frombuffer(out.pop("screen.interleaved"), dtype=np.uint8).reshape(ROWS * COLS, 5)
    out["screen.rgba"] = inter[:, :4].tobytes()
    out["screen.attrs"] = inter[:, 4].tobytes()
    out.setdefault("cart.bank_select_register1", 1)
    out.setdefault("cart.bank_select_register2", 0)
    return out


def encode(state: dict[str, Any], template: dict[str, Any], rom_header: bytes) -> bytes:
    """A PyBoy state blob from named fields; fields PyBoy has and `state` lacks come from `template`."""
    merged = {**template, **state}
    tail = _tail(RAM_BANKS.get(rom_header[0x149], 1), rom_header[0x147])
    inter = np.empty((ROWS * COLS, 5), dtype=np.uint8)
    inter[:, :4] = np.frombuffer(merged["screen.rgba"], dtype=np.uint8).reshape(-1, 4)
    inter[:, 4] = np.frombuffer(merged["screen.attrs"], dtype=np.uint8)
    merged["screen.interleaved"] = inter.tobytes()
    return _write(_HEAD, merged) + merged["sound.opaque"] + _write(tail, merged)
