"""ctypes bindings of the built shim: a handle of N pong.h environments with get/set of every field."""

from __future__ import annotations

import ctypes
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from adapters.pong_c.build import ensure_installed
from equivcheck.errors import SetupError

ABI_VERSION = 1


class Fields(ctypes.Structure):
    """Mirror of the shim's EqcPongFields: every Pong struct field plus buffers and rng state."""

    _fields_ = [
        ("paddle_yl", ctypes.c_float),
        ("paddle_yr", ctypes.c_float),
        ("ball_x", ctypes.c_float),
        ("ball_y", ctypes.c_float),
        ("ball_vx", ctypes.c_float),
        ("ball_vy", ctypes.c_float),
        ("score_l", ctypes.c_uint),
        ("score_r", ctypes.c_uint),
        ("width", ctypes.c_float),
        ("height", ctypes.c_float),
        ("paddle_width", ctypes.c_float),
        ("paddle_height", ctypes.c_float),
        ("ball_width", ctypes.c_float),
        ("ball_height", ctypes.c_float),
        ("paddle_speed", ctypes.c_float),
        ("ball_initial_speed_x", ctypes.c_float),
        ("ball_initial_speed_y", ctypes.c_float),
        ("ball_max_speed_y", ctypes.c_float),
        ("ball_speed_y_increment", ctypes.c_float),
        ("max_score", ctypes.c_uint),
        ("min_paddle_y", ctypes.c_float),
        ("max_paddle_y", ctypes.c_float),
        ("paddle_dir", ctypes.c_float),
        ("tick", ctypes.c_int),
        ("n_bounces", ctypes.c_int),
        ("win", ctypes.c_int),
        ("frameskip", ctypes.c_int),
        ("log_episode_return", ctypes.c_float),
        ("log_episode_length", ctypes.c_float),
        ("log_score", ctypes.c_float),
        ("obs", ctypes.c_float * 8),
        ("reward", ctypes.c_float),
        ("terminal", ctypes.c_ubyte),
        ("rng_rptr", ctypes.c_int32),
        ("rng_table", ctypes.c_uint32 * 31),
    ]


_SCALAR_DTYPES = {
    ctypes.c_float: np.float32,
    ctypes.c_uint: np.uint32,
    ctypes.c_int: np.int32,
    ctypes.c_int32: np.int32,
    ctypes.c_ubyte: np.uint8,
}

FIELD_NAMES: tuple[str, ...] = tuple(name for name, _ in Fields._fields_)


def fields_to_dict(f: Fields) -> dict[str, np.ndarray]:
    """Every field of a Fields struct as a numpy scalar array (obs and rng_table as vectors)."""
    out: dict[str, np.ndarray] = {}
    for name, ctype in Fields._fields_:
        value = getattr(f, name)
        if name == "obs":
            out[name] = np.array(value[:], dtype=np.float32)
        elif name == "rng_table":
            out[name] = np.array(value[:], dtype=np.uint32)
        else:
            out[name] = np.asarray(value, dtype=_SCALAR_DTYPES[ctype])
    return out


def dict_to_fields(values: dict[str, Any]) -> Fields:
    """A Fields struct from a dict with every field name (numpy values are cast to the C types)."""
    f = Fields()
    for name, ctype in Fields._fields_:
        value = values[name]
        if name == "obs":
            f.obs[:] = [float(v) for v in np.asarray(value, dtype=np.float32).reshape(8)]
        elif name == "rng_table":
            f.rng_table[:] = [int(v) for v in np.asarray(value, dtype=np.uint32).reshape(31)]
        else:
            arr = np.asarray(value, dtype=_SCALAR_DTYPES[ctype])
            setattr(f, name, arr.item())
    return f


@lru_cache(maxsize=1)
def load_library() -> ctypes.CDLL:
    """Build (if needed) and load the shim; check its ABI and struct layout."""
    path: Path = ensure_installed()
    try:
        lib = ctypes.CDLL(str(path), mode=ctypes.RTLD_LOCAL)
    except OSError as exc:
        raise SetupError(f"cannot load the pong-c shim {path.name}: {exc}") from exc
    vp, ip, fp = ctypes.c_void_p, ctypes.c_int, ctypes.POINTER(ctypes.c_float)
    lib.eqc_pong_abi_version.restype = ip
    lib.eqc_pong_fields_size.restype = ip
    lib.eqc_pong_struct_size.restype = ip
    lib.eqc_pong_create.restype = vp
    lib.eqc_pong_create.argtypes = [ip, fp, ctypes.c_uint, ip, ip]
    lib.eqc_pong_destroy.argtypes = [vp]
    lib.eqc_pong_observations.restype = fp
    lib.eqc_pong_observations.argtypes = [vp]
    lib.eqc_pong_actions.restype = ctypes.POINTER(ctypes.c_int)
    lib.eqc_pong_actions.argtypes = [vp]
    lib.eqc_pong_rewards.restype = fp
    lib.eqc_pong_rewards.argtypes = [vp]
    lib.eqc_pong_terminals.restype = ctypes.POINTER(ctypes.c_ubyte)
    lib.eqc_pong_terminals.argtypes = [vp]
    lib.eqc_pong_srand.argtypes = [vp, ip, ctypes.c_uint]
    lib.eqc_pong_rand.restype = ip
    lib.eqc_pong_rand.argtypes = [vp, ip]
    for fn in ("eqc_pong_init", "eqc_pong_reset", "eqc_pong_compute_observations", "eqc_pong_reset_round"):
        getattr(lib, fn).argtypes = [vp, ip]
    lib.eqc_pong_step.argtypes = [vp, ctypes.c_void_p]
    lib.eqc_pong_step_many.argtypes = [vp, ctypes.c_void_p, ip]
    lib.eqc_pong_get.argtypes = [vp, ip, ctypes.POINTER(Fields)]
    lib.eqc_pong_set.argtypes = [vp, ip, ctypes.POINTER(Fields)]
    if lib.eqc_pong_abi_version() != ABI_VERSION:
        raise SetupError("the pong-c shim's ABI version does not match lib.py; rebuild it")
    if lib.eqc_pong_fields_size() != ctypes.sizeof(Fields):
        raise SetupError("the pong-c shim's field struct does not match lib.py's mirror")
    return lib


@dataclass(frozen=True)
class PongParams:
    """pong.h's constructor parameters; defaults are PufferLib 2.0.2's Pong defaults."""

    width: float = 500.0
    height: float = 640.0
    paddle_width: float = 20.0
    paddle_height: float = 70.0
    ball_width: float = 32.0
    ball_height: float = 32.0
    paddle_speed: float = 8.0
    ball_initial_speed_x: float = 10.0
    ball_initial_speed_y: float = 1.0
    ball_max_speed_y: float = 13.0
    ball_speed_y_increment: float = 3.0
    max_score: int = 21
    frameskip: int = 1

    def floats(self) -> list[float]:
        """The eleven float parameters in the shim's order."""
        return [
            self.width, self.height, self.paddle_width, self.paddle_height, self.ball_width,
            self.ball_height, self.paddle_speed, self.ball_initial_speed_x,
            self.ball_initial_speed_y, self.ball_max_speed_y, self.ball_speed_y_increment,
        ]


class PongHandle:
    """N pong.h environments in one C allocation, with numpy views of their buffers."""

    def __init__(self, n: int = 1, params: PongParams = PongParams(), per_env_rng: bool = False) -> None:
        self.lib = load_library()
        self.n = int(n)
        self.params = params
        self.per_env_rng = per_env_rng
        floats = (ctypes.c_float * 11)(*params.floats())
        self._h = self.lib.eqc_pong_create(self.n, floats, params.max_score, params.frameskip, int(per_env_rng))
        if not self._h:
            raise SetupError("eqc_pong_create failed")
        self.obs = np.ctypeslib.as_array(self.lib.eqc_pong_observations(self._h), shape=(self.n, 8))
        self.actions = np.ctypeslib.as_array(self.lib.eqc_pong_actions(self._h), shape=(self.n,))
        self.rewards = np.ctypeslib.as_array(self.lib.eqc_pong_rewards(self._h), shape=(self.n,))
        self.terminals = np.ctypeslib.as_array(self.lib.eqc_pong_terminals(self._h), shape=(self.n,))

    def srand(self, seed: int, i: int = 0) -> None:
        """srand(seed) on env i's stream (the shared stream unless per_env_rng)."""
        self.lib.eqc_pong_srand(self._h, i, seed & 0xFFFFFFFF)

    def rand(self, i: int = 0) -> int:
        """One glibc rand() from env i's stream."""
        return int(self.lib.eqc_pong_rand(self._h, i))

    def init(self, i: int = -1) -> None:
        """pong.h init() on env i (all when i < 0)."""
        self.lib.eqc_pong_init(self._h, i)

    def reset(self, i: int = -1) -> None:
        """pong.h reset() on env i (all, in order, when i < 0)."""
        self.lib.eqc_pong_reset(self._h, i)

    def step(self, actions: Sequence[int] | np.ndarray | None = None) -> None:
        """Write actions (n ints) and run pong.h step() on every env."""
        if actions is None:
            self.lib.eqc_pong_step(self._h, None)
            return
        arr = np.ascontiguousarray(actions, dtype=np.int32).reshape(self.n)
        self.lib.eqc_pong_step(self._h, arr.ctypes.data)

    def step_many(self, actions: np.ndarray) -> None:
        """Step T times; actions has shape (T, n)."""
        arr = np.ascontiguousarray(actions, dtype=np.int32)
        if arr.ndim != 2 or arr.shape[1] != self.n:
            raise ValueError(f"actions must have shape (T, {self.n})")
        self.lib.eqc_pong_step_many(self._h, arr.ctypes.data, arr.shape[0])

    def compute_observations(self, i: int = 0) -> None:
        """pong.h compute_observations() on env i."""
        self.lib.eqc_pong_compute_observations(self._h, i)

    def reset_round(self, i: int = 0) -> None:
        """pong.h reset_round() on env i (one rand() draw)."""
        self.lib.eqc_pong_reset_round(self._h, i)

    def get(self, i: int = 0) -> dict[str, np.ndarray]:
        """Every field of env i."""
        f = Fields()
        self.lib.eqc_pong_get(self._h, i, ctypes.byref(f))
        return fields_to_dict(f)

    def set(self, values: dict[str, Any], i: int = 0) -> None:
        """Overwrite every field of env i (all names of FIELD_NAMES required)."""
        f = dict_to_fields(values)
        self.lib.eqc_pong_set(self._h, i, ctypes.byref(f))

    def close(self) -> None:
        """Free the C allocation."""
        if getattr(self, "_h", None):
            self.lib.eqc_pong_destroy(self._h)
            self._h = None

    def __del__(self) -> None:
        self.close()
