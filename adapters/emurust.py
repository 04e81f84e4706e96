"""emurust: the candidate, our Rust DMG core (envs/emurust), built by cargo on first use.

Same interface and snapshot as the pyboy adapter (adapters.gb_common). `mutant` selects
deliberate bugs compiled into the core (cases/gameboy/mutants.py lists them).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np

from adapters import emurust_build
from adapters import gb_common as gc
from envs.gbrom import game
from equivcheck.adapter import Adapter, StepResult, file_sha256


class EmuRust(Adapter):
    """EmuRust as an Adapter; reset options as for pyboy."""

    name = "emurust"
    action_space = gc.ACTIONS
    mutant: ClassVar[int] = 0

    def __init__(self, frame_skip: int = 1, render: bool = True, rom: str = "catch") -> None:
        self.mod = emurust_build.load()
        self.boot = gc.bootrom_bytes()
        self.frame_skip = frame_skip
        self.render = render
        self.emu: Any = None
        self.rom = b""
        self.rom_kind: Any = rom
        self.default_rom = rom
        self.obs = np.zeros(16, dtype=np.uint8)

    @classmethod
    def setup(cls, progress: Any = None) -> None:
        """cargo build --release of envs/emurust (cached by source hash)."""
        emurust_build.ensure_built(progress)

    def reset(self, seed: int, options: Mapping[str, Any] | None = None) -> np.ndarray:
        opts = dict(options or {})
        opts.setdefault("rom", self.default_rom)
        self.rom_kind = opts["rom"]
        self.rom = gc.rom_for(opts, seed)
        self.frame_skip = int(opts.get("frame_skip", self.frame_skip))
        self.emu = self.mod.Emu(self.rom, self.boot, self.mutant)
        self.emu.tick(gc.BOOT_FRAMES, self.render)
        self.obs = gc.observation(self.emu.get_state()["mem.wram"])
        return self.obs.copy()

    def step(self, action: Any) -> StepResult:
        a = self.action_space.validate(action)
        self.emu.set_buttons(gc.button_mask(a))
        self.emu.tick(self.frame_skip, self.render)
        obs = np.array([self.emu.read(a) for a in range(game.RAM_OBS[0], game.RAM_OBS[1])], dtype=np.uint8)
        reward, done = gc.reward_done(self.obs, obs, self.rom_kind)
        self.obs = obs
        return StepResult(obs.copy(), np.float32(reward), done, False, {})

    def snapshot(self) -> dict[str, Any]:
        return gc.to_snapshot(self.emu.get_state(), gc.ram_banks(self.rom))

    def restore(self, snapshot: Mapping[str, Any]) -> None:
        self.emu.set_state(gc.to_state(snapshot))
        self.obs = gc.observation(np.asarray(snapshot["mem.wram"]))

    def legal_actions(self) -> np.ndarray:
        return np.ones(self.action_space.n, dtype=bool)

    def versions(self) -> dict[str, str]:
        return {"backend": "EmuRust (Rust, PyO3)", "emurust": self.mod.__version__,
                "source_hash": emurust_build.source_hash(),
                "module_sha256": file_sha256(emurust_build.library_path())}
