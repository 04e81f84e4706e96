"""The wheel's own compiled CyPong module, loaded without importing the pufferlib package.

The module exports C functions named `step`, `reset` and `init`. glibc still exports an
obsolete regexp function named `step`; loaded the ordinary way, the module's calls bind to
glibc's and CyPong.step() silently does nothing. Loading with RTLD_DEEPBIND makes the module
resolve its own symbols first. Used to prove that the shim equals the shipped binary.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import sys
from functools import lru_cache
from types import ModuleType

import numpy as np

from adapters.pong_c.build import cy_pong_path, ensure_installed
from adapters.pong_c.lib import PongParams
from equivcheck.errors import SetupError


@lru_cache(maxsize=1)
def load_cy_pong() -> ModuleType:
    """Import the wheel's cy_pong extension with RTLD_NOW | RTLD_DEEPBIND.

    The flags must be in force when the loader dlopens the file, which is in module_from_spec
    (create_module), not in exec_module: set too late, the module loads but never moves.
    """
    ensure_installed()
    if sys.version_info[:2] != (3, 11):
        raise SetupError("the shipped cy_pong module is built for CPython 3.11 only")
    path = cy_pong_path()
    spec = importlib.util.spec_from_file_location("cy_pong", path)
    if spec is None or spec.loader is None:
        raise SetupError(f"cannot load {path}")
    old = sys.getdlopenflags()
    sys.setdlopenflags(os.RTLD_NOW | os.RTLD_DEEPBIND)
    try:
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    except ImportError as exc:
        raise SetupError(f"cannot import the shipped cy_pong: {exc}") from exc
    finally:
        sys.setdlopenflags(old)
    return module


def libc() -> ctypes.CDLL:
    """The process's C library (srand/rand act on glibc's global state, which CyPong uses)."""
    lib = ctypes.CDLL(None)
    lib.srand.argtypes = [ctypes.c_uint]
    lib.rand.restype = ctypes.c_int
    return lib


class ShippedPong:
    """N environments of the wheel's CyPong sharing glibc's global rand() stream."""

    def __init__(self, n: int = 1, params: PongParams = PongParams()) -> None:
        module = load_cy_pong()
        self.n = n
        self.obs = np.zeros((n, 8), dtype=np.float32)
        self.actions = np.zeros(n, dtype=np.int32)
        self.rewards = np.zeros(n, dtype=np.float32)
        self.terminals = np.zeros(n, dtype=np.uint8)
        p = params
        self.env = module.CyPong(
            self.obs, self.actions, self.rewards, self.terminals, n,
            p.width, p.height, p.paddle_width, p.paddle_height, p.ball_width, p.ball_height,
            p.paddle_speed, p.ball_initial_speed_x, p.ball_initial_speed_y,
            p.ball_max_speed_y, p.ball_speed_y_increment, p.max_score, p.frameskip,
        )

    def reset(self, seed: int) -> None:
        """srand(seed) on glibc's global state, then CyPong.reset()."""
        libc().srand(seed & 0xFFFFFFFF)
        self.env.reset()

    def step(self, actions: np.ndarray) -> None:
        """Write actions and run CyPong.step()."""
        self.actions[:] = actions
        self.env.step()
