"""L1 material for HalfCheetah: MuJoCo's own functions (the reference side) at a drawn (qpos, qvel).

The candidate side is the adapter's `components(qpos, qvel)` (MJX's functions under jit). Contacts
are compared as the set of clearly penetrating contacts (distance below -CONTACT_SLACK): a float32
engine cannot decide contacts that only graze the floor, so those are left out on both sides.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
from hypothesis import strategies as st

CONTACT_SLACK = 1e-4
"""Contacts with distance in (-CONTACT_SLACK, 0] are not compared (float32 cannot tell them apart)."""

JOINT_RANGES = np.array([[-0.52, 1.05], [-0.785, 0.785], [-0.4, 0.785], [-1.0, 0.7], [-1.2, 0.87], [-0.5, 0.5]])
"""Ranges of the six actuated joints (bthigh, bshin, bfoot, fthigh, fshin, ffoot) in half_cheetah.xml."""


@cache
def _mujoco() -> tuple[Any, Any, Any]:
    import mujoco

    from adapters.mjx_halfcheetah import mj_model

    m = mj_model()
    return mujoco, m, mujoco.MjData(m)


def ref_forward(qpos: Any, qvel: Any) -> Any:
    """MuJoCo's data after mj_forward at (qpos, qvel)."""
    mujoco, m, d = _mujoco()
    mujoco.mj_resetData(m, d)
    d.qpos[:] = np.asarray(qpos, np.float64)
    d.qvel[:] = np.asarray(qvel, np.float64)
    mujoco.mj_forward(m, d)
    return d


def ref_mass_matrix(qpos: Any, qvel: Any) -> np.ndarray:
    """The dense joint-space inertia matrix (mj_fullM)."""
    mujoco, m, _ = _mujoco()
    d = ref_forward(qpos, qvel)
    out = np.zeros((m.nv, m.nv))
    mujoco.mj_fullM(m, d, out)
    return out


def ref_bias(qpos: Any, qvel: Any) -> np.ndarray:
    """Bias forces: Coriolis, centrifugal and gravity (qfrc_bias)."""
    return ref_forward(qpos, qvel).qfrc_bias.copy()


def ref_xpos(qpos: Any, qvel: Any) -> np.ndarray:
    """Forward kinematics: Cartesian body positions (xpos, world included)."""
    return ref_forward(qpos, qvel).xpos.copy()


def contact_set(dist: np.ndarray, pos: np.ndarray, geom: np.ndarray) -> dict[str, np.ndarray]:
    """Penetrating contacts as {count, geoms, pos}, sorted by geom pair then position."""
    keep = np.asarray(dist) < -CONTACT_SLACK
    geom = np.asarray(geom)[keep].astype(np.int64).reshape(-1, 2)
    pos = np.asarray(pos, np.float64)[keep].reshape(-1, 3)
    order = np.lexsort((pos[:, 0], geom[:, 1], geom[:, 0])) if len(pos) else np.zeros(0, np.int64)
    return {"count": np.int64(keep.sum()), "geoms": geom[order], "pos": pos[order]}


def ref_contacts(qpos: Any, qvel: Any) -> dict[str, np.ndarray]:
    """MuJoCo's contacts after collision detection (mj_forward)."""
    d = ref_forward(qpos, qvel)
    n = d.ncon
    c = d.contact
    return contact_set(c.dist[:n], c.pos[:n], np.stack([c.geom1[:n], c.geom2[:n]], axis=-1))


def cand_contacts(adapter: Any, qpos: Any, qvel: Any) -> dict[str, np.ndarray]:
    """The candidate's contact candidates reduced to the same set."""
    out = adapter.components(qpos, qvel)
    return contact_set(out["contact_dist"], out["contact_pos"], out["contact_geom"])


def spd(adapter: Any, qpos: Any, qvel: Any) -> bool:
    """The candidate's mass matrix is symmetric and positive definite."""
    mass = np.asarray(adapter.components(qpos, qvel)["M"], np.float64)
    if np.max(np.abs(mass - mass.T)) > 1e-6 * max(1.0, float(np.max(np.abs(mass)))):
        return False
    return bool(np.min(np.linalg.eigvalsh(mass)) > 0.0)


def _f32(lo: float, hi: float) -> st.SearchStrategy:
    """float32 values in [lo, hi] (bounds rounded inwards to float32), so both sides get the same input."""
    lo32 = float(np.nextafter(np.float32(lo), np.float32(np.inf))) if float(np.float32(lo)) < lo else float(np.float32(lo))
    hi32 = float(np.nextafter(np.float32(hi), np.float32(-np.inf))) if float(np.float32(hi)) > hi else float(np.float32(hi))
    return st.floats(lo32, hi32, width=32, allow_nan=False, allow_infinity=False)


def states() -> st.SearchStrategy:
    """(qpos, qvel) with the torso anywhere from buried to 1.2 m up, any pitch, joints up to 0.2 rad past their limits."""
    root = st.tuples(_f32(-5.0, 5.0), _f32(-0.7, 0.5), _f32(-np.pi, np.pi))
    joints = st.tuples(*[_f32(float(lo) - 0.2, float(hi) + 0.2) for lo, hi in JOINT_RANGES])
    qvel = st.lists(_f32(-10.0, 10.0), min_size=9, max_size=9)
    return st.tuples(st.builds(lambda r, j: np.array(r + j, np.float64), root, joints),
                     qvel.map(lambda v: np.array(v, np.float64)))


# The JAX port (cheetah-jax): MuJoCo's own functions against the port's at states drawn far and wide.

PORT_CONTACT_SLACK = {True: 1e-9, False: CONTACT_SLACK}
"""Contacts within this distance of touching are not compared (x64 build: 1e-9; float32: 1e-4)."""


def ref_data(qpos: Any, qvel: Any, ctrl: Any) -> Any:
    """MuJoCo's data after mj_resetData (zero warm start) and mj_forward at (qpos, qvel, ctrl)."""
    mujoco, m, d = _mujoco()
    mujoco.mj_resetData(m, d)
    d.qpos[:] = np.asarray(qpos, np.float64)
    d.qvel[:] = np.asarray(qvel, np.float64)
    d.ctrl[:] = np.asarray(ctrl, np.float64)
    mujoco.mj_forward(m, d)
    return d


def ref_port_mass(qpos: Any, qvel: Any, ctrl: Any) -> np.ndarray:
    """mj_fullM after mj_forward (composite rigid body + armature)."""
    mujoco, m, _ = _mujoco()
    out = np.zeros((m.nv, m.nv))
    mujoco.mj_fullM(m, ref_data(qpos, qvel, ctrl), out)
    return out


def ref_port_bias(qpos: Any, qvel: Any, ctrl: Any) -> np.ndarray:
    """qfrc_bias (mj_rne at zero acceleration)."""
    return ref_data(qpos, qvel, ctrl).qfrc_bias.copy()


def ref_port_kinematics(qpos: Any, qvel: Any, ctrl: Any) -> dict[str, np.ndarray]:
    """mj_kinematics: body origins in the x-z plane and their pitch (from xmat, about y)."""
    d = ref_data(qpos, qvel, ctrl)
    xmat = d.xmat.reshape(-1, 3, 3)
    return {"xpos": d.xpos[:, [0, 2]].copy(), "pitch": np.stack([np.cos(_pitch(xmat)), np.sin(_pitch(xmat))], -1)}


def _pitch(xmat: np.ndarray) -> np.ndarray:
    """Rotation angle about y of each body frame (R = [[c, 0, s], [0, 1, 0], [-s, 0, c]])."""
    return np.arctan2(xmat[:, 0, 2], xmat[:, 0, 0])


def ref_port_contacts(qpos: Any, qvel: Any, ctrl: Any, x64: bool = True) -> dict[str, np.ndarray]:
    """MuJoCo's floor contacts (mj_collision), as the set of clearly penetrating ones."""
    d = ref_data(qpos, qvel, ctrl)
    n = d.ncon
    c = d.contact
    return _port_set(c.dist[:n], c.pos[:n][:, [0, 2]], np.stack([c.geom1[:n], c.geom2[:n]], axis=-1), x64)


def _port_set(dist: np.ndarray, pos: np.ndarray, geom: np.ndarray, x64: bool) -> dict[str, np.ndarray]:
    keep = np.asarray(dist) < -PORT_CONTACT_SLACK[x64]
    geom = np.asarray(geom)[keep].astype(np.int64).reshape(-1, 2)
    pos = np.asarray(pos, np.float64)[keep].reshape(-1, 2)
    dist = np.asarray(dist, np.float64)[keep]
    order = np.lexsort((pos[:, 0], geom[:, 1], geom[:, 0])) if len(pos) else np.zeros(0, np.int64)
    return {"count": np.int64(keep.sum()), "geoms": geom[order], "pos": pos[order], "dist": dist[order]}


def cand_port_contacts(adapter: Any, qpos: Any, qvel: Any, ctrl: Any) -> dict[str, np.ndarray]:
    """The port's contact candidates (floor geom 0 against capsule i, geom i + 1), reduced to the same set."""
    out = adapter.components(qpos, qvel, ctrl)
    geoms = np.stack([np.zeros_like(out["contact_capsule"]), out["contact_capsule"] + 1], axis=-1)
    return _port_set(out["contact_dist"], out["contact_pos"], geoms, adapter.x64)




def ref_port_constraint(qpos: Any, qvel: Any, ctrl: Any) -> dict[str, np.ndarray]:
    """Constraint solver output: qfrc_constraint and the constrained qacc (Newton, from a zero warm start)."""
    d = ref_data(qpos, qvel, ctrl)
    return {"qfrc_constraint": d.qfrc_constraint.copy(), "qacc": d.qacc.copy()}


def ref_port_step(qpos: Any, qvel: Any, ctrl: Any) -> dict[str, np.ndarray]:
    """One mj_step (forward, then Euler with implicit damping) from a reset data: next qpos and qvel."""
    mujoco, m, _ = _mujoco()
    d = ref_data(qpos, qvel, ctrl)
    mujoco.mj_step(m, d)
    return {"qpos": d.qpos.copy(), "qvel": d.qvel.copy()}


def cand_port(key: str | tuple[str, ...], rename: dict[str, str] | None = None) -> Any:
    """The candidate side of a port pair: entries of `adapter.components(q, v, u)`."""
    keys = (key,) if isinstance(key, str) else key

    def fn(adapter: Any, qpos: Any, qvel: Any, ctrl: Any) -> Any:
        out = adapter.components(qpos, qvel, ctrl)
        if len(keys) == 1 and not rename:
            return out[keys[0]]
        return {(rename or {}).get(k, k): out[k] for k in keys}

    return fn


def cand_port_kinematics(adapter: Any, qpos: Any, qvel: Any, ctrl: Any) -> dict[str, np.ndarray]:
    out = adapter.components(qpos, qvel, ctrl)
    ang = np.asarray(out["ang"], np.float64)
    return {"xpos": out["xpos"], "pitch": np.stack([np.cos(ang), np.sin(ang)], -1)}


def far_states() -> st.SearchStrategy:
    """(qpos, qvel, ctrl) far from the reset distribution as well as near it: flipped or any pitch, torso
    from buried (-0.5) to airborne (2 m), joints exactly at their limits or up to 0.3 rad past them, speeds
    up to 30 (joints) and 10 (root), controls up to 1.5 (beyond the range: the clamp is exercised)."""
    root = st.tuples(_f32(-5.0, 5.0), _f32(-0.5, 2.0), _f32(-np.pi, np.pi))
    joint = [st.one_of(_f32(float(lo) - 0.3, float(hi) + 0.3), st.sampled_from([float(np.float32(lo)),
                                                                                float(np.float32(hi))]))
             for lo, hi in JOINT_RANGES]
    qvel = st.tuples(*[_f32(-10.0, 10.0)] * 3, *[_f32(-30.0, 30.0)] * 6)
    ctrl = st.lists(_f32(-1.5, 1.5), min_size=6, max_size=6)
    return st.tuples(st.builds(lambda r, j: np.array(r + j, np.float64), root, st.tuples(*joint)),
                     qvel.map(lambda v: np.array(v, np.float64)), ctrl.map(lambda u: np.array(u, np.float64)))


def port_spd(adapter: Any, qpos: Any, qvel: Any, ctrl: Any) -> bool:
    """The port's mass matrix is symmetric and positive definite."""
    return spd_matrix(np.asarray(adapter.components(qpos, qvel, ctrl)["M"], np.float64))


def spd_matrix(mass: np.ndarray) -> bool:
    """Symmetric (to 1e-6 relative) and positive definite."""
    if np.max(np.abs(mass - mass.T)) > 1e-6 * max(1.0, float(np.max(np.abs(mass)))):
        return False
    return bool(np.min(np.linalg.eigvalsh(mass)) > 0.0)
