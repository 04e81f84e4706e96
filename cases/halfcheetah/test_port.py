"""The JAX port stands alone and reads the same model MuJoCo compiles: its parsed constants (masses,
centers of mass, inertia about y, solver weights, joints, motors, contacts) against MjModel's."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from cases.halfcheetah.components import _mujoco


@pytest.fixture(scope="module")
def models() -> tuple:
    from envs.cheetahjax import load

    _, mj, _ = _mujoco()
    return load(), mj


def _iyy(mj: object) -> np.ndarray:
    """MuJoCo's inertia about the body y axis: the yy entry of R diag(I) R' with R from body_iquat."""
    import mujoco

    out = []
    for quat, diag in zip(mj.body_iquat, mj.body_inertia, strict=True):
        mat = np.zeros(9)
        mujoco.mju_quat2Mat(mat, quat)
        rot = mat.reshape(3, 3)
        out.append((rot @ np.diag(diag) @ rot.T)[1, 1])
    return np.array(out)


def test_model_constants_match_mujocos_compiled_model(models: tuple) -> None:
    port, mj = models
    assert np.allclose(port.body_mass, mj.body_mass, rtol=1e-12, atol=0)
    assert np.allclose(port.body_com, mj.body_ipos[:, [0, 2]], atol=1e-12)
    assert np.allclose(port.body_pos, mj.body_pos[:, [0, 2]], atol=0)
    assert np.allclose(port.body_iyy, _iyy(mj), rtol=1e-10, atol=1e-15)
    assert np.allclose(port.body_invweight, mj.body_invweight0[:, 0], rtol=1e-10)
    assert np.allclose(port.dof_invweight, mj.dof_invweight0, rtol=1e-10)
    assert np.array_equal(port.dof_damping, mj.dof_damping)
    assert np.array_equal(port.dof_armature, mj.dof_armature)
    assert np.array_equal(port.dof_stiffness, mj.jnt_stiffness)
    assert np.array_equal(port.jnt_limited, mj.jnt_limited.astype(bool))
    assert np.array_equal(port.jnt_range[port.jnt_limited], mj.jnt_range[mj.jnt_limited.astype(bool)])
    assert np.array_equal(port.jnt_solimp, mj.jnt_solimp) and np.array_equal(port.jnt_solref, mj.jnt_solref)
    assert np.array_equal(port.gear, mj.actuator_gear[:, 0]) and np.array_equal(port.ctrl_range, mj.actuator_ctrlrange)
    assert port.act_dof == tuple(mj.jnt_dofadr[mj.actuator_trnid[:, 0]])
    assert (port.timestep, port.iterations, port.tolerance) == (mj.opt.timestep, mj.opt.iterations, mj.opt.tolerance)
    assert (port.ls_iterations, port.ls_tolerance) == (mj.opt.ls_iterations, mj.opt.ls_tolerance)
    assert (mj.opt.solver, mj.opt.integrator, mj.opt.cone) == (2, 0, 0)  # Newton, Euler, pyramidal: all the port knows
    caps = port.capsules
    assert [c.radius for c in caps] == list(mj.geom_size[1:, 0]) and [c.half for c in caps] == list(mj.geom_size[1:, 1])
    floor = mj.geom_conaffinity[0]
    collides = [bool((mj.geom_contype[g] & floor) | (mj.geom_contype[0] & mj.geom_conaffinity[g])) for g in range(1, 9)]
    assert [c.collides for c in caps] == collides == [True] * 8
    assert [c.friction for c in caps] == list(mj.geom_friction[1:, 0])


def test_port_imports_neither_mujoco_nor_mjx() -> None:
    """The candidate stands alone in JAX: loading it and tracing its whole step (every function it calls)
    in a fresh interpreter loads no mujoco or brax module."""
    code = ("import sys, numpy as np, jax, envs.cheetahjax as cj\n"
            "m = cj.load(); s = cj.init(np.zeros(9, np.float32), np.zeros(9, np.float32))\n"
            "jaxpr = jax.make_jaxpr(lambda s, a: cj.step(m, cj.Params(), s, a))(s, np.zeros(6, np.float32))\n"
            "assert 'cholesky' not in str(jaxpr) and str(jaxpr).count('sqrt') >= 9\n"
            "print(sorted(k for k in sys.modules if k.split('.')[0] in ('mujoco', 'brax')))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600, check=True)
    assert out.stdout.strip() == "[]", out.stdout


def test_parser_refuses_what_the_port_does_not_implement(tmp_path: Path) -> None:
    """Another solver, integrator or cone in the XML is a setup error, not silently different physics."""
    from envs.cheetahjax import model_path, parse

    text = open(model_path()).read()
    for option in ('integrator="RK4"', 'solver="CG"', 'cone="elliptic"'):
        path = tmp_path / f"{option.split('=')[0]}.xml"
        path.write_text(text.replace('timestep="0.01"', f'timestep="0.01" {option}'))
        with pytest.raises(ValueError, match="not supported"):
            parse(str(path))
