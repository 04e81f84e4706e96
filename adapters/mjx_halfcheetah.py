"""MJX candidate of HalfCheetah-v5: the same model on mujoco.mjx (JAX), jitted, batched through vmap.

HalfCheetah-v5's step translated to JAX: ctrl = action, `frame_skip` mjx.step calls in a scan,
reward = forward weight * (x after - x before) / dt - control weight * |action|^2, observation
qpos[1:] ++ qvel. The reset noise is drawn on the host with numpy's default_rng(seed) exactly
as Gymnasium draws it, so both sides start from the same state. MJX computes in float32 (JAX's
default; `mujoco-mjx-x64` runs the same code in float64 under a jax.enable_x64 context that
leaves other JAX users alone); snapshots widen to float64 to share the reference's schema.

The mutants (`Mut*`) each change one semantic detail; the case's tests prove the tiers catch them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, ClassVar

import numpy as np

from adapters.mujoco_halfcheetah import (
    ACTION_SPACE,
    CTRL_COST_WEIGHT,
    FORWARD_REWARD_WEIGHT,
    FRAME_SKIP,
    HORIZON,
    RESET_NOISE_SCALE,
    model_path,
    package_version,
    reset_noise,
    initial_batch,
    restore_clock,
    rng_words,
)
from equivcheck.adapter import Adapter, StepResult, file_sha256
from equivcheck.errors import SetupError


@dataclass(frozen=True)
class Params:
    """The semantic knobs of the environment (the mutants change one each)."""

    frame_skip: int = FRAME_SKIP
    forward_reward_weight: float = FORWARD_REWARD_WEIGHT
    ctrl_cost_weight: float = CTRL_COST_WEIGHT
    reset_noise_scale: float = RESET_NOISE_SCALE
    exclude_x: bool = True
    draw_noise: bool = True
    x64: bool = False


def _imports() -> tuple[Any, Any, Any, Any]:
    try:
        import jax
        import jax.numpy as jnp
        import mujoco
        from mujoco import mjx
    except ImportError as exc:
        raise SetupError("mujoco-mjx needs the mujoco extra: pip install -e '.[mujoco]'") from exc
    return jax, jnp, mujoco, mjx


@cache
def mj_model() -> Any:
    """The MuJoCo model compiled from Gymnasium's half_cheetah.xml (once per process)."""
    _, _, mujoco, _ = _imports()
    return mujoco.MjModel.from_xml_path(model_path())


@cache
def mjx_model(x64: bool = False) -> Any:
    """The model on the JAX device (once per process and precision)."""
    jax, _, _, mjx = _imports()
    with jax.enable_x64(x64):
        return mjx.put_model(mj_model())


def _under_x64(jax: Any, flag: bool, fn: Any) -> Any:
    """`fn` traced and run with 64-bit floats on or off (a context, so other JAX users keep their setting)."""

    def call(*args: Any) -> Any:
        with jax.enable_x64(flag):
            return fn(*args)

    return call


class Kernels:
    """Jitted set-state/step/components at one precision, scalar and vmapped; built once per process.

    The reward weights are traced arguments and the frame skip a static one, so the mutants that
    change a weight share the faithful candidate's compiled code.
    """

    def __init__(self, x64: bool) -> None:
        jax, jnp, _, mjx = _imports()
        enable_compilation_cache(jax)
        m = mjx_model(x64)
        timestep = float(mj_model().opt.timestep)
        with jax.enable_x64(x64):
            self.template = mjx.make_data(m)
        self.dtype = np.dtype(self.template.qpos.dtype)

        def set_state(d: Any, qpos: Any, qvel: Any) -> Any:
            d = d.replace(qpos=qpos.astype(d.qpos.dtype), qvel=qvel.astype(d.qvel.dtype))
            return mjx.forward(m, d)

        def step(d: Any, action: Any, weights: Any, frame_skip: int) -> tuple[Any, Any]:
            x_before = d.qpos[0]
            d = d.replace(ctrl=action.astype(d.ctrl.dtype))
            d = jax.lax.fori_loop(0, frame_skip, lambda _, dd: mjx.step(m, dd), d)
            forward = weights[0] * (d.qpos[0] - x_before) / (timestep * frame_skip)
            ctrl_cost = weights[1] * jnp.sum(jnp.square(action))
            return d, forward - ctrl_cost

        def step_batch(d: Any, action: Any, weights: Any, frame_skip: int) -> tuple[Any, Any]:
            return jax.vmap(lambda dd, aa: step(dd, aa, weights, frame_skip))(d, action)

        def components(qpos: Any, qvel: Any) -> dict[str, Any]:
            d = set_state(self.template, qpos, qvel)
            con = d._impl.contact
            return {"M": mjx.full_m(m, d), "qfrc_bias": d.qfrc_bias, "xpos": d.xpos,
                    "contact_dist": con.dist, "contact_pos": con.pos, "contact_geom": con.geom}

        def fn(f: Any, static: tuple[int, ...] = ()) -> Any:
            return _under_x64(jax, x64, jax.jit(f, static_argnums=static))

        self.set_state = fn(set_state)
        self.step = fn(step, (3,))
        self.components = fn(components)
        self.set_state_batch = fn(jax.vmap(set_state))
        self.step_batch = fn(step_batch, (3,))

    def start(self, qpos: np.ndarray, qvel: np.ndarray) -> Any:
        """Data at (qpos, qvel) after forward, from a fresh make_data."""
        return self.set_state(self.template, np.asarray(qpos, self.dtype), np.asarray(qvel, self.dtype))

    def start_batch(self, qpos: np.ndarray, qvel: np.ndarray) -> Any:
        """B fresh Data at rows of (qpos, qvel)."""
        import jax

        tiled = jax.tree_util.tree_map(lambda x: np.broadcast_to(np.asarray(x), (qpos.shape[0], *np.shape(x))),
                                       self.template)
        return self.set_state_batch(tiled, np.asarray(qpos, self.dtype), np.asarray(qvel, self.dtype))


def enable_compilation_cache(jax: Any) -> None:
    """Use JAX's persistent compilation cache (the equivcheck cache's jax/) unless one is configured already."""
    import os

    from equivcheck.paths import cache_dir

    if jax.config.jax_compilation_cache_dir:
        return
    path = os.environ.get("EQUIVCHECK_JAX_CACHE") or str(cache_dir("jax"))
    os.makedirs(path, exist_ok=True)
    jax.config.update("jax_compilation_cache_dir", path)


@cache
def kernels(x64: bool) -> Kernels:
    """The kernels of one precision (jit caches the compiled code after the first call)."""
    return Kernels(x64)


class MjxHalfCheetah(Adapter):
    """HalfCheetah-v5 on MJX: scalar calls use one env; the batch trio steps B envs in one vmapped call."""

    name = "mujoco-mjx"
    action_space = ACTION_SPACE
    params: ClassVar[Params] = Params()

    def __init__(self) -> None:
        _imports()
        self.k = kernels(self.params.x64)
        self.weights = np.array([self.params.forward_reward_weight, self.params.ctrl_cost_weight], self.k.dtype)
        self.init_qpos = np.array(mj_model().qpos0, dtype=np.float64)
        self.init_qvel = np.zeros(mj_model().nv)
        self.d: Any = None
        self.gens: list[np.random.Generator] = []
        self.t = np.zeros(1, dtype=np.int64)

    def _initial(self, seed: int) -> tuple[np.ndarray, np.ndarray, np.random.Generator]:
        p = self.params
        if not p.draw_noise:
            return self.init_qpos.copy(), self.init_qvel.copy(), np.random.default_rng(int(seed))
        dq, dv, gen = reset_noise(int(seed), p.reset_noise_scale, self.init_qpos.size, self.init_qvel.size)
        return self.init_qpos + dq, self.init_qvel + dv, gen

    def reset(self, seed: int, options: Mapping[str, Any] | None = None) -> np.ndarray:
        qpos, qvel, gen = self._initial(seed)
        self.gens = [gen]
        self.d = self.k.start(qpos, qvel)
        self.t = np.zeros(1, dtype=np.int64)
        return self._obs(np.asarray(self.d.qpos, np.float64), np.asarray(self.d.qvel, np.float64))

    def step(self, action: Any) -> StepResult:
        action = self.action_space.validate(action)
        self.d, reward = self.k.step(self.d, action, self.weights, self.params.frame_skip)
        self.t += 1
        obs = self._obs(np.asarray(self.d.qpos, np.float64), np.asarray(self.d.qvel, np.float64))
        return StepResult(obs, float(reward), False, bool(self.t[0] >= HORIZON), {})

    def _obs(self, qpos: np.ndarray, qvel: np.ndarray) -> np.ndarray:
        """The observation of the current state(s): qpos without x (unless the mutant keeps it), then qvel."""
        q = qpos[..., 1:] if self.params.exclude_x else qpos
        return np.concatenate([q, qvel], axis=-1)

    def snapshot(self) -> dict[str, Any]:
        qpos = np.asarray(self.d.qpos, dtype=np.float64)
        qvel = np.asarray(self.d.qvel, dtype=np.float64)
        return {
            "qpos": qpos,
            "qvel": qvel,
            "obs": self._obs(qpos, qvel),
            "t": int(self.t[0]),
            "rng": rng_words(self.gens[0]),
        }

    def restore(self, snapshot: Mapping[str, Any]) -> None:
        """Set qpos/qvel and run mjx.forward; t and rng when given."""
        self.d = self.k.set_state(self.d, np.asarray(snapshot["qpos"], self.k.dtype),
                                  np.asarray(snapshot["qvel"], self.k.dtype))
        self.t = restore_clock(snapshot, self.t, self.gens[0])

    def reset_batch(self, seeds: np.ndarray) -> np.ndarray:
        starts = [self._initial(int(s)) for s in np.asarray(seeds).ravel()]
        self.gens, qpos, qvel = initial_batch(starts)
        self.d = self.k.start_batch(qpos, qvel)
        self.t = np.zeros(len(starts), dtype=np.int64)
        return self._obs(np.asarray(self.d.qpos, np.float64), np.asarray(self.d.qvel, np.float64))

    def step_batch(self, actions: np.ndarray) -> StepResult:
        actions = np.asarray(actions, dtype=np.float32)
        self.d, reward = self.k.step_batch(self.d, actions, self.weights, self.params.frame_skip)
        self.t += 1
        obs = self._obs(np.asarray(self.d.qpos, np.float64), np.asarray(self.d.qvel, np.float64))
        return StepResult(obs, np.asarray(reward, np.float64), np.zeros(self.t.size, bool), self.t >= HORIZON, {})

    def snapshot_batch(self) -> dict[str, np.ndarray]:
        qpos = np.asarray(self.d.qpos, dtype=np.float64)
        qvel = np.asarray(self.d.qvel, dtype=np.float64)
        return {
            "qpos": qpos,
            "qvel": qvel,
            "obs": self._obs(qpos, qvel),
            "t": self.t.copy(),
            "rng": np.stack([rng_words(g) for g in self.gens]),
        }

    def components(self, qpos: Any, qvel: Any) -> dict[str, np.ndarray]:
        """L1 material at one state: mass matrix, bias forces, body positions, contact candidates."""
        out = self.k.components(np.asarray(qpos, self.k.dtype), np.asarray(qvel, self.k.dtype))
        return {k: np.asarray(v) for k, v in out.items()}

    def versions(self) -> dict[str, str]:
        import jax
        import mujoco

        return {
            "backend": "mujoco.mjx (JAX), HalfCheetah-v5 step translated",
            "mujoco": mujoco.__version__,
            "mujoco-mjx": package_version("mujoco-mjx"),
            "jax": jax.__version__,
            "device": str(jax.devices()[0]),
            "dtype": str(self.k.template.qpos.dtype),
            "params": repr(self.params),
            "model_sha256": file_sha256(model_path())[:16],
            "sha256": file_sha256(__file__)[:16],
        }


class MjxHalfCheetahX64(MjxHalfCheetah):
    """The same MJX translation computing in float64 (jax.enable_x64 around its own calls only)."""

    name = "mujoco-mjx-x64"
    params = Params(x64=True)


class MutFrameSkip(MjxHalfCheetah):
    """Mutant: 4 physics steps per env step instead of 5."""

    name = "mujoco-mjx-mut-frameskip"
    params = Params(frame_skip=4)


class MutCtrlCost(MjxHalfCheetah):
    """Mutant: control cost weight 0.05 instead of 0.1."""

    name = "mujoco-mjx-mut-ctrlcost"
    params = Params(ctrl_cost_weight=0.05)


class MutNoResetNoise(MjxHalfCheetah):
    """Mutant: reset skips the noise (the default pose, the generator never drawn from)."""

    name = "mujoco-mjx-mut-nonoise"
    params = Params(draw_noise=False)


class MutObsWithX(MjxHalfCheetah):
    """Mutant: the observation keeps the x position (18 values instead of 17)."""

    name = "mujoco-mjx-mut-obsx"
    params = Params(exclude_x=False)
