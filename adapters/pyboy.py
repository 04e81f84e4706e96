"""pyboy: the reference, PyBoy 2.8.1 (pinned) headless, unthrottled, sound not emulated.

A step is `frame_skip` frames (tick(n, render)) with the action's joypad state held. State is
read through PyBoy's own save_state (decoded by adapters.gb_state), which has everything the
public API lacks: IME and its delay, HALT, IF/IE, the cycle counter, timer and PPU internals.
Restore builds a state blob and loads it into a fresh PyBoy (load_state into an instance that
has already run leaves its renderer caches and window line behind).
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Mapping
from typing import Any

import numpy as np

from adapters import gb_common as gc
from adapters import gb_state
from envs.gbrom import game
from equivcheck.adapter import Adapter, StepResult
from equivcheck.errors import SetupError

PYBOY_VERSION = "2.8.1"


class PyBoyAdapter(Adapter):
    """PyBoy as an Adapter. options at reset: rom ('catch', 'program' or bytes), frame_skip, render."""

    name = "pyboy"
    action_space = gc.ACTIONS

    def __init__(self, frame_skip: int = 1, render: bool = True, rom: str = "catch") -> None:
        import importlib.metadata
        try:
            import pyboy
            version = importlib.metadata.version("pyboy")
        except (ImportError, importlib.metadata.PackageNotFoundError) as exc:
            raise SetupError("the pyboy reference needs PyBoy 2.8.1: pip install -e '.[gameboy]'") from exc
        if version != PYBOY_VERSION:
            raise SetupError(f"pyboy {version} installed, the case pins {PYBOY_VERSION} (state layout version 29)")
        self._pyboy_cls = pyboy.PyBoy
        self.frame_skip = frame_skip
        self.render = render
        self.pb: Any = None
        self.rom = b""
        self.rom_kind: Any = rom
        self.default_rom = rom
        self._tmp = tempfile.mkdtemp(prefix="equivcheck-pyboy-")
        self._held = 0
        self._template: dict[str, Any] = {}
        self.obs = np.zeros(16, dtype=np.uint8)

    def _fresh(self, rom: bytes) -> None:
        if self.pb is not None:
            self.pb.stop(save=False)
        path = os.path.join(self._tmp, "rom.gb")
        with open(path, "wb") as fh:
            fh.write(rom)
        self.pb = self._pyboy_cls(path, window="null", sound_emulated=False, no_input=True, log_level="ERROR")
        self.pb.set_emulation_speed(0)
        self._held = 0
        self._window_line = 0
        self._rendered = False

    def _ticked(self, frames: int, render: bool) -> None:
        """Note a rendered tick; state() resolves the window line model from it."""
        if render and frames > 0:
            self._rendered = True

    def _resolve_window_line(self, state: dict[str, Any]) -> None:
        """Model of the renderer's window line counter (not in PyBoy's state): a fresh instance
        starts at 0; a rendered frame that reached line 143 sets it to -1. A frame reached line 143
        when it ends with the LCD on outside the LCD's first (restart) frame."""
        if self._rendered and state["lcd.LCDC"] & 0x80 and not state["lcd.first_frame"]:
            self._window_line = -1
        self._rendered = False

    def state(self) -> dict[str, Any]:
        """The decoded save_state, plus the modelled window line counter."""
        buf = io.BytesIO()
        self.pb.save_state(buf)
        out = gb_state.decode(buf.getvalue(), self.rom[:0x150])
        self._resolve_window_line(out)
        out["lcd.window_line"] = self._window_line
        return out

    def reset(self, seed: int, options: Mapping[str, Any] | None = None) -> np.ndarray:
        """A fresh PyBoy on the chosen cartridge, run through its boot ROM (BOOT_FRAMES frames)."""
        opts = dict(options or {})
        opts.setdefault("rom", self.default_rom)
        self.rom_kind = opts["rom"]
        self.rom = gc.rom_for(opts, seed)
        self.frame_skip = int(opts.get("frame_skip", self.frame_skip))
        self._fresh(self.rom)
        self.pb.tick(gc.BOOT_FRAMES, self.render)
        self._ticked(gc.BOOT_FRAMES, self.render)
        st = self.state()
        self._template = st
        self.obs = gc.observation(st["mem.wram"])
        return self.obs.copy()

    def _hold(self, mask: int) -> None:
        for k, name in enumerate(gc.BUTTONS):
            bit = 1 << k
            if mask & bit and not self._held & bit:
                self.pb.button_press(name)
            elif self._held & bit and not mask & bit:
                self.pb.button_release(name)
        self._held = mask

    def step(self, action: Any) -> StepResult:
        a = self.action_space.validate(action)
        self._hold(gc.button_mask(a))
        self.pb.tick(self.frame_skip, self.render)
        self._ticked(self.frame_skip, self.render)
        obs = np.array(self.pb.memory[game.RAM_OBS[0]:game.RAM_OBS[1]], dtype=np.uint8)
        reward, done = gc.reward_done(self.obs, obs, self.rom_kind)
        self.obs = obs
        return StepResult(obs.copy(), np.float32(reward), done, False, {})

    def snapshot(self) -> dict[str, Any]:
        return gc.to_snapshot(self.state(), gc.ram_banks(self.rom))

    def restore(self, snapshot: Mapping[str, Any]) -> None:
        """Load the snapshot into a fresh PyBoy on the same cartridge."""
        blob = gb_state.encode(gc.to_state(snapshot), self._template, self.rom[:0x150])
        self._fresh(self.rom)
        self.pb.load_state(io.BytesIO(blob))
        self.obs = gc.observation(np.asarray(snapshot["mem.wram"]))

    def legal_actions(self) -> np.ndarray:
        return np.ones(self.action_space.n, dtype=bool)

    def versions(self) -> dict[str, str]:
        import importlib.metadata
        return {"backend": "PyBoy (Cython)", "pyboy": importlib.metadata.version("pyboy"),
                "state_version": str(gb_state.STATE_VERSION)}

    def close(self) -> None:
        if self.pb is not None:
            self.pb.stop(save=False)
            self.pb = None
