"""The Game Boy case: PyBoy 2.8.1 (reference) against EmuRust (envs/emurust, candidate).

Every field of the machine state is compared exactly every frame: CPU registers and flags, IME
and its delay, HALT, IE/IF, the cycle counter, timer and DIV internals, LCD registers and the
PPU clock, OAM DMA, MBC registers, joypad lines, all memory (VRAM, OAM, WRAM, HRAM, IO,
cartridge RAM) and the screen (RGBA, as PyBoy draws it). `gameboy` plays the homebrew game
'Catch' (envs/gbrom/game.py); `gameboy-programs` runs a generated program per seed
(envs/gbrom/programs.py). L1 runs single instructions and the timer, DMA and MBC components on
both emulators from constructed states (cases/gameboy/components.py).
"""

from __future__ import annotations

import dataclasses
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import strategies as st

from adapters import gb_common as gc
from cases.gameboy import components as c
from envs.gbrom import game
from equivcheck.case import Case, ComponentPair, Scenario, TransferSpec, changes, happens
from equivcheck.schema import Field, Schema

CORPUS = Path(__file__).parent / "corpus"


def _fields(ram_banks: int = 1) -> list[Field]:
    out = [Field(k, "int64", (), doc="machine state (PyBoy save_state layout)") for k in gc.SCALAR_FIELDS]
    out += [Field(k, "uint8", shape) for k, shape in gc.BYTE_FIELDS.items()]
    out.append(Field("mem.cart_ram", "uint8", (ram_banks, 0x2000), doc="cartridge RAM banks PyBoy allocates"))
    out.append(Field("screen.rgba", "uint32", (144, 160), doc="the frame as PyBoy's renderer holds it (ABGR words)"))
    return out


SCHEMA = Schema(_fields(), version="1")


def _wram(addr: int) -> Any:
    return lambda snap: int(np.asarray(snap["mem.wram"])[addr - 0xC000])


def _grew(addr: int) -> Any:
    get = _wram(addr)
    return lambda prev, cur: "mem.wram" in prev and get(cur) != get(prev)


LIVENESS = [
    changes("the screen changes", "screen.rgba"),
    happens("the score changes (a catch)", _grew(game.SCORE)),
    happens("a life is lost (a miss)", _grew(game.LIVES)),
    happens("VBlank interrupts are serviced (handler count moves)", _grew(game.FRAMES)),
    happens("STAT (LYC) interrupts are serviced", _grew(game.STAT_COUNT)),
    happens("timer interrupts are serviced", _grew(game.TIMER_COUNT)),
    happens("the paddle moves (joypad read)", _grew(game.PADDLE_X)),
]

PROGRAM_LIVENESS = [
    changes("the screen changes", "screen.rgba"),
    changes("WRAM changes", "mem.wram"),
    happens("an interrupt handler runs", lambda p, c_: "mem.wram" in p and
            bytes(np.asarray(c_["mem.wram"])[0xF0:0xF5]) != bytes(np.asarray(p["mem.wram"])[0xF0:0xF5])),
]


class Catcher:
    """Rollout policy for Catch: per falling object, follow it (catch) or play randomly (usually a miss).

    The first object is followed and the second is not, so every episode of 200+ frames has a
    catch and a miss; later objects are followed with probability 0.6.
    """

    def __init__(self, space: Any, rng: np.random.Generator) -> None:
        self.rng = rng
        self.objects = 0
        self.prev_y = 255
        self.follow = True

    def __call__(self, t: int, obs: Any, mask: Any) -> int:
        o = np.asarray(obs)
        y = int(o[6])
        if y < self.prev_y:
            self.objects += 1
            self.follow = self.objects == 1 or (self.objects > 2 and self.rng.random() < 0.6)
        self.prev_y = y
        if self.follow:
            gap = int(o[5]) - int(o[4])
            return 1 if gap > 2 else 2 if gap < -2 else int(self.rng.choice([0, 5]))
        return int(self.rng.integers(9))


def _features(obs: Any) -> np.ndarray:
    o = np.asarray(obs, dtype=np.float64)
    return np.array([(o[5] - o[4]) / 64.0, o[6] / 144.0, 1.0])


COMPONENTS = [
    ComponentPair("one instruction (245 base + 256 CB opcodes): registers, flags, IME, cycles, memory written",
                  c.ref_instruction, c.cand_instruction, c.instruction_inputs(), bind=True, max_examples=70),
    ComponentPair("timer: DIV, TIMA overflow and reload, TAC/TMA/DIV writes", c.ref_timer, c.cand_timer,
                  c.timer_inputs(), bind=True, max_examples=20),
    ComponentPair("OAM DMA: copy, OAM reads while it runs", c.ref_dma, c.cand_dma, c.dma_inputs(), bind=True,
                  max_examples=10),
    ComponentPair("interrupt dispatch: priority, IME, EI delay, HALT exit", c.ref_interrupt, c.cand_interrupt,
                  c.interrupt_inputs(), bind=True, max_examples=20),
    ComponentPair("BCD arithmetic: ADD/ADC/SUB/SBC then DAA", c.ref_bcd, c.cand_bcd, c.bcd_inputs(), bind=True,
                  max_examples=20),
    ComponentPair("MBC1/3/5: bank registers, ROM windows, RAM enable and banks", c.ref_mbc, c.cand_mbc,
                  c.mbc_inputs(), bind=True, max_examples=30),
]


@cache
def _midgame() -> dict[str, Any]:
    """The reference's snapshot 40 frames into Catch (the base of the constructed states)."""
    from adapters.pyboy import PyBoyAdapter
    ref = PyBoyAdapter()
    try:
        ref.reset(0)
        for _ in range(40):
            ref.step(0)
        return ref.snapshot()
    finally:
        ref.close()


def _state(wram: dict[int, int] | None = None, **fields: int) -> Any:
    def build() -> dict[str, Any]:
        snap = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in _midgame().items()}
        for addr, v in (wram or {}).items():
            snap["mem.wram"][addr - 0xC000] = v
        snap["lcd.window_line"] = 0  # PyBoy restores into a fresh renderer, whose window line is 0
        snap.update(fields)
        return snap
    return build


SCENARIOS = [
    Scenario("object lands on the paddle (catch, BCD score 0x99 -> 0x00)", actions=[0] * 12,
             state=_state({game.SCORE: 0x99, game.OBJ_Y: 140, game.OBJ_X: 80, game.PADDLE_X: 80})),
    Scenario("last life lost: game over, palette flashing", actions=[0] * 40,
             state=_state({game.LIVES: 1, game.OBJ_Y: 141, game.OBJ_X: 20, game.PADDLE_X: 140})),
    Scenario("timer overflow into an interrupt (TIMA = 0xFF, TMA = 0x80, fastest TAC)", actions=[1, 2] * 4,
             state=_state(**{"timer.TIMA": 0xFF, "timer.TMA": 0x80, "timer.TAC": 5})),
    Scenario("LYC = LY match raises STAT on line 0", actions=[0] * 4, state=_state(**{"lcd.LYC": 0})),
    Scenario("DMA in flight at the frame boundary", actions=[0] * 3,
             state=_state(**{"dma.active": 1, "dma.index": 0, "dma.source": 0xC1})),
    Scenario("joypad pressed during HALT wakes nothing but IF (IE lacks joypad)", actions=[3, 4, 5, 6, 7, 8, 0],
             state=_state()),
    Scenario("window off and sprites 8x16 (LCDC rewritten)", actions=[1] * 3, state=_state(**{"lcd.LCDC": 0xD7})),
]

TRANSFER = TransferSpec(margin=0.5, featurise=_features, train_episodes=1, train_iterations=2, population=6,
                        eval_episodes=6, max_steps=250)
"""CI size. `python -m cases.gameboy.full transfer` runs TRANSFER_FULL."""
TRANSFER_FULL = TransferSpec(margin=0.5, featurise=_features, train_episodes=2, train_iterations=6, population=12,
                             eval_episodes=30, max_steps=1500)

CASE = Case(
    name="gameboy",
    reference="pyboy",
    candidates=["emurust"],
    schema=SCHEMA,
    liveness=LIVENESS,
    components=COMPONENTS,
    scenarios=SCENARIOS,
    transfer=TRANSFER,
    episodes=3,
    steps=400,
    runner="lockstep",
    stateful_steps=10,
    stateful_examples=5,
    corpus_dir=CORPUS,
    description="PyBoy 2.8.1 vs EmuRust on 'Catch': the whole machine state and the screen, exact, every frame",
    policy=Catcher,
)

PROGRAMS = dataclasses.replace(
    CASE, name="gameboy-programs", schema=Schema(_fields(), version="1"), liveness=PROGRAM_LIVENESS, components=(),
    scenarios=(), transfer=None, episodes=4, steps=60, policy=None,
    adapter_options={"pyboy": {"rom": "program"}, "emurust": {"rom": "program"}}, variant_of="gameboy",
    description="PyBoy 2.8.1 vs EmuRust on generated programs (one per seed): whole state and screen, every frame")

__all__ = ["CASE", "PROGRAMS", "st"]
