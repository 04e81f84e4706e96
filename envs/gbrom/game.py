"""'Catch': the homebrew game for L3/L4, written with the assembler.

A paddle (sprite 0) moves with left/right; an object (sprite 1) falls from a position drawn from
DIV and a RAM generator; a catch adds 1 to the score, a miss costs one of 3 lives; at 0 lives the
game is over (the palette flashes). It exercises VBlank, LCD STAT (LYC) and timer interrupts,
HALT, joypad reads through FF00, OAM DMA from an HRAM routine, the window (score bar) and
background scrolling.

RAM: C000 score, C001 lives, C002 game over, C003 VBlank count, C004 paddle x, C005 object x,
C006 object y, C007 generator, C008 timer count, C009 VBlank flag, C00A STAT count.
"""

from __future__ import annotations

from envs.gbrom.asm import Asm
from envs.gbrom.cart import build_rom

SCORE, LIVES, GAME_OVER, FRAMES, PADDLE_X, OBJ_X, OBJ_Y, RNG, TIMER_COUNT, VBLANK_FLAG, STAT_COUNT = range(
    0xC000, 0xC00B)
RAM_OBS = (0xC000, 0xC010)
"""The observation: these 16 bytes of WRAM."""

_VECTORS = """
"""


def _vectors(a: Asm) -> None:
    a.org(0x40)
    a("JP vblank")
    a.org(0x48)
    a("JP stat")
    a.org(0x50)
    a("JP timer")
    a.org(0x58)
    a("RETI")
    a.org(0x60)
    a("RETI")
    a.org(0x150)


def source() -> Asm:
    """The game's assembled bank 0 (origin 0)."""
    a = Asm(origin=0)
    _vectors(a)
    a.label("start")
    a("DI", "LD SP,$FFFE")
    a.label("wait_vb")
    a("LDH A,($44)", "CP 144", "JR C,wait_vb", "XOR A", "LDH ($40),A")
    a("LD HL,$8010", "LD B,16", "LD A,$FF")
    a.label("fill1")
    a("LD (HL+),A", "DEC B", "JR NZ,fill1")
    a("LD B,8")
    a.label("fill2")
    a("LD A,$AA", "LD (HL+),A", "LD A,$55", "LD (HL+),A", "DEC B", "JR NZ,fill2")
    a("LD B,8")
    a.label("fill3")
    a("LD A,$3C", "LD (HL+),A", "LD A,$7E", "LD (HL+),A", "DEC B", "JR NZ,fill3")
    a("LD HL,$9800", "LD BC,$0800")
    a.label("clr")
    a("XOR A", "LD (HL+),A", "DEC BC", "LD A,B", "OR C", "JR NZ,clr")
    a("LD HL,$9800", "LD B,32", "LD A,2")
    a.label("top")
    a("LD (HL+),A", "DEC B", "JR NZ,top")
    a("LD HL,$9A00", "LD B,32", "LD A,3")
    a.label("mid")
    a("LD (HL+),A", "DEC B", "JR NZ,mid")
    a("LD HL,dma_routine", "LD DE,$FF80", "LD B,dma_end-dma_routine")
    a.label("cp")
    a("LD A,(HL+)", "LD (DE),A", "INC DE", "DEC B", "JR NZ,cp")
    a("LD HL,$C000", "LD B,16", "XOR A")
    a.label("cv")
    a("LD (HL+),A", "DEC B", "JR NZ,cv")
    a("LD A,3", f"LD (${LIVES:04X}),A", "LD A,80", f"LD (${PADDLE_X:04X}),A", "LD A,40",
      f"LD (${OBJ_X:04X}),A", "LD A,16", f"LD (${OBJ_Y:04X}),A", "LD A,$5A", f"LD (${RNG:04X}),A")
    a("LD HL,$C100", "LD B,$A0", "XOR A")
    a.label("co")
    a("LD (HL+),A", "DEC B", "JR NZ,co")
    a("LD A,$E4", "LDH ($47),A", "LDH ($48),A", "LD A,$1B", "LDH ($49),A")
    a("LD A,136", "LDH ($4A),A", "LD A,7", "LDH ($4B),A")
    a("XOR A", "LDH ($06),A", "LD A,6", "LDH ($07),A")
    a("LD A,72", "LDH ($45),A", "LD A,$40", "LDH ($41),A")
    a("LD A,$07", "LDH ($FF),A", "XOR A", "LDH ($0F),A")
    a("LD A,$F3", "LDH ($40),A", "EI")
    a.label("main")
    a("HALT", "NOP", f"LD A,(${VBLANK_FLAG:04X})", "OR A", "JR Z,main", "XOR A", f"LD (${VBLANK_FLAG:04X}),A")
    a(f"LD A,(${GAME_OVER:04X})", "OR A", "JP NZ,over")
    a("CALL read_joy", "LD B,A")
    a("BIT 0,B", "JR Z,nr", f"LD A,(${PADDLE_X:04X})", "CP 150", "JR NC,nr", "ADD A,2", f"LD (${PADDLE_X:04X}),A")
    a.label("nr")
    a("BIT 1,B", "JR Z,nl", f"LD A,(${PADDLE_X:04X})", "CP 12", "JR C,nl", "SUB 2", f"LD (${PADDLE_X:04X}),A")
    a.label("nl")
    a(f"LD A,(${OBJ_Y:04X})", "ADD A,2", "BIT 4,B", "JR Z,slow", "INC A")
    a.label("slow")
    a(f"LD (${OBJ_Y:04X}),A", "CP 144", "JR C,draw")
    a(f"LD A,(${OBJ_X:04X})", "LD C,A", f"LD A,(${PADDLE_X:04X})", "SUB C", "JR NC,pos", "CPL", "INC A")
    a.label("pos")
    a("CP 12", "JR NC,miss", f"LD A,(${SCORE:04X})", "INC A", "DAA", f"LD (${SCORE:04X}),A", "JR respawn")
    a.label("miss")
    a(f"LD A,(${LIVES:04X})", "DEC A", f"LD (${LIVES:04X}),A", "JR NZ,respawn", "LD A,1", f"LD (${GAME_OVER:04X}),A")
    a.label("respawn")
    a("LD A,16", f"LD (${OBJ_Y:04X}),A", "LDH A,($04)", "LD C,A", f"LD HL,${RNG:04X}", "LD A,(HL)", "ADD A,A",
      "ADD A,A", "ADD A,(HL)", "ADD A,C", "ADD A,$11", "LD (HL),A", "AND $7F", "ADD A,16", f"LD (${OBJ_X:04X}),A")
    a.label("draw")
    a("LD HL,$C100", "LD A,144", "LD (HL+),A", f"LD A,(${PADDLE_X:04X})", "LD (HL+),A", "LD A,1", "LD (HL+),A",
      "XOR A", "LD (HL+),A")
    a(f"LD A,(${OBJ_Y:04X})", "LD (HL+),A", f"LD A,(${OBJ_X:04X})", "LD (HL+),A", "LD A,2", "LD (HL+),A",
      "LD A,$10", "LD (HL+),A")
    a("LD A,84", "LD (HL+),A", f"LD A,(${FRAMES:04X})", "LD (HL+),A", "LD A,3", "LD (HL+),A", "LD A,$80",
      "LD (HL+),A")
    a("LD A,84", "LD (HL+),A", f"LD A,(${TIMER_COUNT:04X})", "LD (HL+),A", "LD A,1", "LD (HL+),A", "LD A,$20",
      "LD (HL+),A")
    a("CALL $FF80")
    a("LD HL,$9C00", f"LD A,(${SCORE:04X})", "LD B,A", "LD C,20")
    a.label("sb")
    a("LD A,B", "AND 1", "INC A", "SRL B", "LD (HL+),A", "DEC C", "JR NZ,sb")
    a(f"LD A,(${FRAMES:04X})", "SRL A", "LDH ($43),A")
    a("JP main")
    a.label("over")
    a(f"LD A,(${FRAMES:04X})", "AND $10", "JR Z,o1", "LD A,$1B", "JR o2")
    a.label("o1")
    a("LD A,$E4")
    a.label("o2")
    a("LDH ($47),A", "JP main")
    a.label("read_joy")
    a("LD A,$20", "LDH ($00),A", "LDH A,($00)", "LDH A,($00)", "CPL", "AND $0F", "LD C,A")
    a("LD A,$10", "LDH ($00),A", "LDH A,($00)", "LDH A,($00)", "CPL", "AND $0F", "SWAP A", "OR C", "LD C,A")
    a("LD A,$30", "LDH ($00),A", "LD A,C", "RET")
    a.label("vblank")
    a("PUSH AF", f"LD A,(${FRAMES:04X})", "INC A", f"LD (${FRAMES:04X}),A", "LD A,1", f"LD (${VBLANK_FLAG:04X}),A",
      "XOR A", "LDH ($42),A", "POP AF", "RETI")
    a.label("stat")
    a("PUSH AF", f"LD A,(${STAT_COUNT:04X})", "INC A", f"LD (${STAT_COUNT:04X}),A", f"LD A,(${FRAMES:04X})",
      "LDH ($42),A", "POP AF", "RETI")
    a.label("timer")
    a("PUSH AF", f"LD A,(${TIMER_COUNT:04X})", "INC A", f"LD (${TIMER_COUNT:04X}),A", "POP AF", "RETI")
    a.label("dma_routine")
    a("LD A,$C1", "LDH ($46),A", "LD A,40")
    a.label("dma_wait")
    a("DEC A", "JR NZ,dma_wait", "RET")
    a.label("dma_end")
    return a


def rom() -> bytes:
    """The cartridge image (32 KiB, no MBC)."""
    return build_rom({0: source().assemble()}, mbc="none", title="CATCH")
