"""Cartridge images: header, Nintendo logo, checksums, cartridge type, ROM and RAM banks.

    rom = build_rom({0: bank0_bytes_at_0x0000, 1: bank1_bytes_at_0x4000}, mbc="mbc1", ram_banks=1)

Bank 0 is placed from 0x0000 (the header at 0x100-0x14F is written over it, so code starts at
0x150 behind the usual `NOP; JP $0150` entry); bank n > 0 from 0x0000 of its 16 KiB slot
(addressed as 0x4000-0x7FFF when mapped). No battery types: emulators then write no save files.
"""

from __future__ import annotations

from collections.abc import Mapping

NINTENDO_LOGO = bytes.fromhex(
    "CEED6666CC0D000B03730083000C000D0008111F8889000EDCCC6EE6DDDDD999BBBB67636E0EECCCDDDC999FBBB9333E"
)
"""The 48-byte logo bitmap the hardware boot ROM compares against 0x104-0x133."""

CART_TYPES = {"none": 0x00, "mbc1": 0x01, "mbc1+ram": 0x02, "mbc3": 0x11, "mbc3+ram": 0x12, "mbc5": 0x19,
              "mbc5+ram": 0x1A}
RAM_SIZE_CODES = {0: 0x00, 1: 0x02, 4: 0x03, 16: 0x04, 8: 0x05}
BANK = 0x4000
ENTRY = bytes([0x00, 0xC3, 0x50, 0x01])
"""NOP; JP $0150 at 0x100."""


def rom_size_code(banks: int) -> int:
    """Header byte 0x148: 32 KiB << code; banks must be a power of two >= 2."""
    if banks < 2 or banks & (banks - 1):
        raise ValueError(f"ROM bank count must be a power of two >= 2, got {banks}")
    return banks.bit_length() - 2


def header_checksum(rom: bytes | bytearray) -> int:
    """Byte 0x14D: x = x - rom[i] - 1 over 0x134..0x14C."""
    x = 0
    for b in rom[0x134:0x14D]:
        x = (x - b - 1) & 0xFF
    return x


def global_checksum(rom: bytes | bytearray) -> int:
    """Bytes 0x14E-0x14F: the 16-bit sum of every byte but those two (big-endian)."""
    return (sum(rom) - rom[0x14E] - rom[0x14F]) & 0xFFFF


def build_rom(banks: Mapping[int, bytes], mbc: str = "none", ram_banks: int = 0, title: str = "EQUIVCHECK",
              rom_banks: int | None = None, fill: int = 0xFF) -> bytes:
    """A valid DMG cartridge image from per-bank contents (see the module docstring)."""
    if mbc not in CART_TYPES:
        raise ValueError(f"unknown cartridge type {mbc!r}; one of {sorted(CART_TYPES)}")
    if ram_banks not in RAM_SIZE_CODES:
        raise ValueError(f"RAM bank count must be one of {sorted(RAM_SIZE_CODES)}")
    if ram_banks and not mbc.endswith("+ram"):
        raise ValueError(f"{mbc} has no RAM; use {mbc}+ram")
    n = rom_banks or max(2, 1 << (max(banks, default=0)).bit_length())
    if mbc == "none" and n != 2:
        raise ValueError("a cartridge without MBC holds exactly 2 banks (32 KiB)")
    rom = bytearray([fill]) * (n * BANK)
    for bank, data in banks.items():
        if not 0 <= bank < n or len(data) > BANK:
            raise ValueError(f"bank {bank} ({len(data)} bytes) does not fit {n} banks of 16 KiB")
        rom[bank * BANK: bank * BANK + len(data)] = data
    rom[0x100:0x104] = ENTRY
    rom[0x104:0x134] = NINTENDO_LOGO
    name = title.upper().encode("ascii")[:15]
    rom[0x134:0x144] = name + bytes(16 - len(name))
    rom[0x143] = 0x00
    rom[0x144:0x146] = b"00"
    rom[0x146] = 0x00
    rom[0x147] = CART_TYPES[mbc]
    rom[0x148] = rom_size_code(n)
    rom[0x149] = RAM_SIZE_CODES[ram_banks]
    rom[0x14A] = 0x01
    rom[0x14B] = 0x00
    rom[0x14C] = 0x00
    rom[0x14D] = header_checksum(rom)
    g = global_checksum(rom)
    rom[0x14E] = g >> 8
    rom[0x14F] = g & 0xFF
    return bytes(rom)


def check_rom(rom: bytes) -> list[str]:
    """What is wrong with a cartridge image's header (empty when valid)."""
    problems = []
    if len(rom) < 2 * BANK or len(rom) % BANK:
        problems.append(f"size {len(rom)} is not a multiple of 16 KiB >= 32 KiB")
        return problems
    if rom[0x104:0x134] != NINTENDO_LOGO:
        problems.append("logo mismatch")
    if rom[0x14D] != header_checksum(rom):
        problems.append("header checksum mismatch")
    if (rom[0x14E] << 8 | rom[0x14F]) != global_checksum(rom):
        problems.append("global checksum mismatch")
    if rom[0x147] not in CART_TYPES.values():
        problems.append(f"cartridge type {rom[0x147]:#04x} unsupported")
    if (2 << rom[0x148]) * BANK != len(rom):
        problems.append("ROM size byte does not match the image size")
    return problems
