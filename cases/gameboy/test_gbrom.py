"""The ROM builder: every SM83 encoding assembles from its own text, and cartridges are valid."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from envs.gbrom.asm import Asm, AsmError, encode, encode_template
from envs.gbrom.cart import NINTENDO_LOGO, build_rom, check_rom, global_checksum, header_checksum
from envs.gbrom.opcodes import ILLEGAL, TABLE


def test_table_counts() -> None:
    """245 base opcodes (0xCB counted as the prefix) and 256 CB opcodes."""
    assert sum(1 for c in TABLE if c < 0x100) + 1 == 245
    assert sum(1 for c in TABLE if c >= 0x100) == 256
    assert not ILLEGAL & set(TABLE)


def _text(code: int, operand: int) -> str:
    t = TABLE[code].template
    for ph in ("d16", "a16"):
        t = t.replace(ph, f"${operand & 0xFFFF:04X}")
    t = t.replace("d8", f"${operand & 0xFF:02X}").replace("a8", f"${operand & 0xFF:02X}")
    return t.replace("r8", str(((operand & 0xFF) ^ 0x80) - 0x80))


@given(st.sampled_from(sorted(TABLE)), st.integers(0, 0xFFFF))
@settings(max_examples=600, deadline=None)
def test_every_template_assembles_to_its_encoding(code: int, operand: int) -> None:
    """Text -> bytes equals the table's encoding (JR operands are targets, so compare through them)."""
    op = TABLE[code]
    a = Asm(origin=0xC000)
    if code in (0x18, 0x20, 0x28, 0x30, 0x38):
        off = ((operand & 0xFF) ^ 0x80) - 0x80
        a(op.template.replace("r8", f"${0xC002 + off:04X}"))
    else:
        a(_text(code, operand))
    assert a.assemble() == encode(code, operand)
    assert len(a.assemble()) == op.length


def test_labels_jr_and_errors() -> None:
    a = Asm(origin=0x150)
    a("LD A,$10")
    a.label("loop")
    a("DEC A", "JR NZ,loop", "JP loop", "LD HL,SP+-2", "LDH ($FF80),A")
    assert a.assemble() == bytes.fromhex("3e103d20fdc35201f8fee080")
    with pytest.raises(AsmError):
        Asm()("LD (HL),(HL)")
    with pytest.raises(AsmError):
        Asm()("JP nowhere").assemble()
    with pytest.raises(AsmError):
        a2 = Asm(origin=0)
        a2.label("far")
        a2.org(0x200)
        a2("JR far").assemble()
    assert encode_template("LD A,(HL)")[0].code == 0x7E


@pytest.mark.parametrize("mbc,ram,banks", [("none", 0, 2), ("mbc1+ram", 1, 8), ("mbc3+ram", 4, 4),
                                           ("mbc5+ram", 16, 16), ("mbc1", 0, 64)])
def test_cartridge_header(mbc: str, ram: int, banks: int) -> None:
    rom = build_rom({0: b"\x00" * 0x100, banks - 1: b"\x42"}, mbc=mbc, ram_banks=ram, rom_banks=banks)
    assert check_rom(rom) == []
    assert len(rom) == banks * 0x4000
    assert rom[0x104:0x134] == NINTENDO_LOGO
    assert rom[0x14D] == header_checksum(rom) and (rom[0x14E] << 8 | rom[0x14F]) == global_checksum(rom)
    assert rom[(banks - 1) * 0x4000] == 0x42
    broken = bytearray(rom)
    broken[0x134] ^= 1
    assert "header checksum mismatch" in check_rom(bytes(broken))


def test_cartridge_rejects_bad_layouts() -> None:
    with pytest.raises(ValueError):
        build_rom({0: b""}, mbc="none", rom_banks=4)
    with pytest.raises(ValueError):
        build_rom({0: b""}, mbc="mbc1", ram_banks=1)
    with pytest.raises(ValueError):
        build_rom({0: b""}, mbc="mbc1", rom_banks=3)
