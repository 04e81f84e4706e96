"""Frames per second, PyBoy 2.8.1 vs EmuRust, on the same cartridges and the same joypad input.

    python bench/bench_gameboy.py [--frames 3000] [--batch 16] [--roms catch,program]

Rows: PyBoy (one emulator), EmuRust (one emulator), EmuRust Batch of N on 1 and on 2 threads;
each rendering every frame and not. Rates are frames per CPU-second of this process
(time.process_time: on a shared machine wall time measures the neighbours; for the 2-thread
batch it is the CPU cost per frame, not the wall-clock speed-up). The work is checked equal:
every run ends with the same WRAM and screen hash as PyBoy's (the batch: every machine).
Setup (boot, build) is not timed.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from adapters import emurust_build, gb_state  # noqa: E402
from adapters import gb_common as gc  # noqa: E402


def _digest(state: dict) -> str:
    return hashlib.sha256(state["mem.wram"] + state["screen.rgba"]).hexdigest()[:16]


def run_pyboy(rom: bytes, masks: np.ndarray, render: bool) -> tuple[float, str]:
    from pyboy import PyBoy
    path = os.path.join(tempfile.mkdtemp(), "bench.gb")
    with open(path, "wb") as fh:
        fh.write(rom)
    pb = PyBoy(path, window="null", sound_emulated=False, no_input=True, log_level="ERROR")
    pb.set_emulation_speed(0)
    pb.tick(gc.BOOT_FRAMES, True)
    held = 0
    t0 = time.process_time()
    for m in masks:
        m = int(m)
        for k, name in enumerate(gc.BUTTONS):
            bit = 1 << k
            if m & bit and not held & bit:
                pb.button_press(name)
            elif held & bit and not m & bit:
                pb.button_release(name)
        held = m
        pb.tick(1, render)
    dt = time.process_time() - t0
    buf = io.BytesIO()
    pb.save_state(buf)
    pb.stop(save=False)
    return len(masks) / dt, _digest(gb_state.decode(buf.getvalue(), rom[:0x150]))


def run_emurust(mod, rom: bytes, masks: np.ndarray, render: bool) -> tuple[float, str]:
    emu = mod.Emu(rom, gc.bootrom_bytes())
    emu.tick(gc.BOOT_FRAMES, True)
    t0 = time.process_time()
    for m in masks:
        emu.set_buttons(int(m))
        emu.tick(1, render)
    dt = time.process_time() - t0
    return len(masks) / dt, _digest(emu.get_state())


def run_batch(mod, rom: bytes, masks: np.ndarray, render: bool, n: int, threads: int) -> tuple[float, set[str]]:
    emu = mod.Emu(rom, gc.bootrom_bytes())
    emu.tick(gc.BOOT_FRAMES, True)
    batch = mod.Batch(emu, n, threads)
    t0 = time.process_time()
    for m in masks:
        batch.step([int(m)] * n, 1, render)
    dt = time.process_time() - t0
    return n * len(masks) / dt, {_digest(batch.get(i).get_state()) for i in range(n)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=3000)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--roms", default="catch,program")
    args = ap.parse_args()
    mod = emurust_build.load()
    rng = np.random.default_rng(0)
    masks = np.array([gc.button_mask(int(a)) for a in rng.integers(0, 9, args.frames)])
    print(f"{args.frames} frames per run, batch {args.batch}, {os.cpu_count()} CPUs visible\n")
    print("| ROM | render | PyBoy f/CPU-s | EmuRust f/CPU-s | x | Batch(1 thread) | x | Batch(2 threads) | x | work |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    ok = True
    for name in args.roms.split(","):
        rom = gc.rom_for({"rom": name}, 7)
        for render in (True, False):
            p, pd = run_pyboy(rom, masks, render)
            e, ed = run_emurust(mod, rom, masks, render)
            b1, bd1 = run_batch(mod, rom, masks, render, args.batch, 1)
            b2, bd2 = run_batch(mod, rom, masks, render, args.batch, 2)
            same = ed == pd and bd1 == {pd} and bd2 == {pd}
            ok &= same
            print(f"| {name} | {'every frame' if render else 'off'} | {p:,.0f} | {e:,.0f} | {e / p:.1f} | {b1:,.0f} | "
                  f"{b1 / p:.1f} | {b2:,.0f} | {b2 / p:.1f} | {'equal' if same else 'DIFFERENT'} ({pd}) |", flush=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
