"""Candidate `cheetah-jax`: our own JAX port of HalfCheetah-v5 (envs/cheetahjax), jitted, batched through vmap.

The reset noise is drawn on the host with numpy's default_rng(seed), exactly as Gymnasium draws it,
so both sides start from the same state. `cheetah-jax` computes in float32 (JAX's default);
`cheetah-jax-x64` runs the same code in float64 under a jax.enable_x64 context around its own
calls only. Snapshots widen to float64 to share the reference's schema. Restore sets qpos/qvel (the
solver's warm start stays the adapter's own, as MuJoCo's set_state keeps its qacc_warmstart).

The mutants (`Mut*`) each change one semantic detail of the port (model constant or env step);
the case's tests prove the tiers catch them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from typing import Any, ClassVar

import numpy as np

from adapters.mujoco_halfcheetah import ACTION_SPACE, HORIZON, initial_batch, reset_noise, restore_clock, rng_words
from equivcheck.adapter import Adapter, StepResult, file_sha256
from equivcheck.errors import SetupError


def _imports() -> tuple[Any, Any, Any]:
    try:
        import jax
        import jax.numpy as jnp

        import envs.cheetahjax as cj
    except ImportError as exc:
        raise SetupError("cheetah-jax needs jax and gymnasium's model file: pip install -e '.[mujoco]'") from exc
    return jax, jnp, cj


def _same(m: Any) -> Any:
    return m


class Kernels:
    """Jitted step / forward at one precision, scalar and vmapped. The model's TRACED arrays and the
    env parameters are arguments, so every variant (the mutants) shares the faithful port's compiled code."""

    def __init__(self, x64: bool) -> None:
        jax, jnp, cj = _imports()
        from adapters.mjx_halfcheetah import enable_compilation_cache
        from envs.cheetahjax import physics

        enable_compilation_cache(jax)
        try:
            base = cj.load()
        except (OSError, ValueError) as exc:
            raise SetupError(f"cheetah-jax cannot read Gymnasium's half_cheetah.xml: {exc}") from exc
        self.dtype = np.dtype(np.float64 if x64 else np.float32)
        self.base = base.astype(self.dtype)
        static = self.base

        def step(knobs: dict, params: Any, state: Any, action: Any) -> tuple[Any, Any]:
            return cj.step(static.with_(**knobs), params, state, action)

        def components(knobs: dict, qpos: Any, qvel: Any, ctrl: Any) -> dict[str, Any]:
            m = static.with_(**knobs)
            f = physics.forward(m, qpos, qvel, ctrl, jnp.zeros_like(qpos))
            dist, cpos, owner = physics.contacts(m, f.kin)
            nxt = physics.step(m, qpos, qvel, ctrl, jnp.zeros_like(qpos))
            return {"M": f.M, "qfrc_bias": f.qfrc_bias, "xpos": f.kin.pos, "ang": f.kin.ang,
                    "contact_dist": dist, "contact_pos": cpos, "contact_capsule": jnp.array(owner),
                    "qacc_smooth": f.qacc_smooth, "qacc": f.qacc, "qfrc_constraint": f.qfrc_constraint,
                    "next_qpos": nxt[0], "next_qvel": nxt[1]}

        def under(fn: Any) -> Any:
            jitted = jax.jit(fn)

            def call(*args: Any) -> Any:
                with jax.enable_x64(x64):
                    return jitted(*args)

            return call

        self.step = under(step)
        self.step_batch = under(jax.vmap(step, in_axes=(None, None, 0, 0)))
        self.components = under(components)

    def knobs(self, mutate: Callable[[Any], Any]) -> dict[str, np.ndarray]:
        """The kernel arguments of the model variant `mutate(model)`, in this precision."""
        return {k: np.asarray(v, self.dtype) for k, v in mutate(self.base).knobs().items()}

    def state(self, qpos: np.ndarray, qvel: np.ndarray, warmstart: np.ndarray | None = None) -> Any:
        """A port state at (qpos, qvel), batched or not, in this precision."""
        _, _, cj = _imports()
        qpos = np.asarray(qpos, self.dtype)
        warm = np.zeros_like(qpos) if warmstart is None else np.asarray(warmstart, self.dtype)
        return cj.State(qpos, np.asarray(qvel, self.dtype), warm)


@cache
def kernels(x64: bool) -> Kernels:
    """The kernels of one precision (compiled once per process and batch shape)."""
    return Kernels(x64)


class CheetahJax(Adapter):
    """HalfCheetah-v5 on the JAX port: scalar calls use one env; the batch trio steps B envs in one vmapped call."""

    name = "cheetah-jax"
    action_space = ACTION_SPACE
    x64: ClassVar[bool] = False
    draw_noise: ClassVar[bool] = True
    mutate: ClassVar[Callable[[Any], Any]] = staticmethod(_same)

    @staticmethod
    def env_params() -> Any:
        """The env-step parameters (mutants override)."""
        _, _, cj = _imports()
        return cj.Params()

    def __init__(self) -> None:
        self.k = kernels(self.x64)
        self.knobs = self.k.knobs(type(self).mutate)
        self.p = self.env_params()
        self.nv = self.k.base.nv
        self.state: Any = None
        self.gens: list[np.random.Generator] = []
        self.t = np.zeros(1, dtype=np.int64)

    def _initial(self, seed: int) -> tuple[np.ndarray, np.ndarray, np.random.Generator]:
        nv = self.nv
        if not self.draw_noise:
            return np.zeros(nv), np.zeros(nv), np.random.default_rng(int(seed))
        dq, dv, gen = reset_noise(int(seed), self.p.reset_noise_scale, nv, nv)
        return dq, dv, gen

    def _obs(self) -> np.ndarray:
        qpos = np.asarray(self.state.qpos, np.float64)
        return np.concatenate([qpos[..., 1:], np.asarray(self.state.qvel, np.float64)], axis=-1)

    def reset(self, seed: int, options: Mapping[str, Any] | None = None) -> np.ndarray:
        qpos, qvel, gen = self._initial(seed)
        self.gens = [gen]
        self.state = self.k.state(qpos, qvel)
        self.t = np.zeros(1, dtype=np.int64)
        return self._obs()

    def step(self, action: Any) -> StepResult:
        action = self.action_space.validate(action)
        self.state, reward = self.k.step(self.knobs, self.p, self.state, action)
        self.t += 1
        return StepResult(self._obs(), float(reward), False, bool(self.t[0] >= HORIZON), {})

    def snapshot(self) -> dict[str, Any]:
        return {
            "qpos": np.asarray(self.state.qpos, np.float64),
            "qvel": np.asarray(self.state.qvel, np.float64),
            "obs": self._obs(),
            "t": int(self.t[0]),
            "rng": rng_words(self.gens[0]),
        }

    def restore(self, snapshot: Mapping[str, Any]) -> None:
        """Set qpos/qvel (keeping the solver's warm start, as MuJoCo's set_state does); t and rng when given."""
        self.state = self.k.state(snapshot["qpos"], snapshot["qvel"], np.asarray(self.state.warmstart))
        self.t = restore_clock(snapshot, self.t, self.gens[0])

    def reset_batch(self, seeds: np.ndarray) -> np.ndarray:
        starts = [self._initial(int(s)) for s in np.asarray(seeds).ravel()]
        self.gens, qpos, qvel = initial_batch(starts)
        self.state = self.k.state(qpos, qvel)
        self.t = np.zeros(len(starts), dtype=np.int64)
        return self._obs()

    def step_batch(self, actions: np.ndarray) -> StepResult:
        self.state, reward = self.k.step_batch(self.knobs, self.p, self.state, np.asarray(actions, dtype=np.float32))
        self.t += 1
        return StepResult(self._obs(), np.asarray(reward, np.float64), np.zeros(self.t.size, bool),
                          self.t >= HORIZON, {})

    def snapshot_batch(self) -> dict[str, np.ndarray]:
        return {
            "qpos": np.asarray(self.state.qpos, np.float64),
            "qvel": np.asarray(self.state.qvel, np.float64),
            "obs": self._obs(),
            "t": self.t.copy(),
            "rng": np.stack([rng_words(g) for g in self.gens]),
        }

    def components(self, qpos: Any, qvel: Any, ctrl: Any = None) -> dict[str, np.ndarray]:
        """L1 material at one state (zero warm start, as after mj_resetData): mass matrix, bias forces,
        body positions, contacts, constrained acceleration and forces, the state after one physics step."""
        ctrl = np.zeros(6) if ctrl is None else ctrl
        out = self.k.components(self.knobs, np.asarray(qpos, self.k.dtype), np.asarray(qvel, self.k.dtype),
                                np.asarray(ctrl, self.k.dtype))
        return {k: np.asarray(v) for k, v in out.items()}

    def versions(self) -> dict[str, str]:
        import jax

        from envs.cheetahjax import model_path

        return {
            "backend": "envs/cheetahjax: HalfCheetah-v5's MuJoCo pipeline written in JAX for this model",
            "jax": jax.__version__,
            "device": str(jax.devices()[0]),
            "dtype": str(self.k.dtype),
            "params": repr(self.p),
            "model_sha256": file_sha256(model_path())[:16],
            "sha256": file_sha256(__file__)[:16],
        }


class CheetahJaxX64(CheetahJax):
    """The same port computing in float64 (jax.enable_x64 around its own calls only)."""

    name = "cheetah-jax-x64"
    x64 = True


MUTANTS: dict[str, type[CheetahJax]] = {}
"""The port's mutants by adapter name (float64 builds, judged at the strict 1e-3), filled below."""


def _set(field: str, index: Any, value: float) -> Callable[[Any], Any]:
    """A model mutation: one entry (or slice) of one array field set to `value`."""

    def mutate(m: Any) -> Any:
        arr = np.array(getattr(m, field), copy=True)
        arr[index] = value
        return m.with_(**{field: arr})

    return mutate


def _params(**changes: Any) -> Callable[[], Any]:
    def make() -> Any:
        _, _, cj = _imports()
        return cj.Params()._replace(**changes)

    return make


class MutGear(CheetahJax):
    """Mutant: bthigh's motor gear 100 instead of 120."""

    name = "cheetah-jax-mut-gear"
    mutate = staticmethod(_set("gear", 0, 100.0))


class MutDamping(CheetahJax):
    """Mutant: fthigh's joint damping 3 instead of 4.5."""

    name = "cheetah-jax-mut-damping"
    mutate = staticmethod(_set("dof_damping", 6, 3.0))


class MutStiffness(CheetahJax):
    """Mutant: bshin's joint stiffness 150 instead of 180."""

    name = "cheetah-jax-mut-stiffness"
    mutate = staticmethod(_set("dof_stiffness", 4, 150.0))


class MutArmature(CheetahJax):
    """Mutant: no joint armature (0 instead of 0.1 on the six hinges)."""

    name = "cheetah-jax-mut-armature"
    mutate = staticmethod(_set("dof_armature", slice(None), 0.0))


class MutNoLimit(CheetahJax):
    """Mutant: bfoot's joint limit missed (range -1e6..1e6 instead of -0.4..0.785)."""

    name = "cheetah-jax-mut-nolimit"
    mutate = staticmethod(_set("jnt_range", 5, np.array([-1e6, 1e6])))


class MutNoFriction(CheetahJax):
    """Mutant: contact friction off (pyramid edges without the tangent)."""

    name = "cheetah-jax-mut-nofriction"
    mutate = staticmethod(_set("capsule_friction", slice(None), 0.0))


class MutNoShins(CheetahJax):
    """Mutant: the shins never touch the floor (Brax's half_cheetah.xml has them at contype 0)."""

    name = "cheetah-jax-mut-noshins"
    mutate = staticmethod(_set("capsule_mask", [3, 6], 0.0))


class MutExplicitDamping(CheetahJax):
    """Mutant: Euler integrates joint damping explicitly (MuJoCo's eulerdamp off)."""

    name = "cheetah-jax-mut-eulerdamp"
    mutate = staticmethod(_set("eulerdamp", (), 0.0))


class MutFrameSkip(CheetahJax):
    """Mutant: 4 physics steps per env step instead of 5."""

    name = "cheetah-jax-mut-frameskip"
    env_params = staticmethod(_params(frame_skip=4))


class MutStaleX(CheetahJax):
    """Mutant: the forward reward measures x one physics step early (after 4 of 5), as Brax does."""

    name = "cheetah-jax-mut-stalex"
    env_params = staticmethod(_params(stale_x=True))


class MutCtrlCost(CheetahJax):
    """Mutant: control cost weight 0.05 instead of 0.1."""

    name = "cheetah-jax-mut-ctrlcost"
    env_params = staticmethod(_params(ctrl_cost_weight=0.05))


class MutNoResetNoise(CheetahJax):
    """Mutant: reset skips the noise (the default pose, the generator never drawn from)."""

    name = "cheetah-jax-mut-nonoise"
    draw_noise = False


for _cls in (MutGear, MutDamping, MutStiffness, MutArmature, MutNoLimit, MutNoFriction, MutNoShins,
             MutExplicitDamping, MutFrameSkip, MutStaleX, MutCtrlCost, MutNoResetNoise):
    _cls.x64 = True
    MUTANTS[_cls.name] = _cls
