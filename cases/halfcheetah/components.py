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
