"""HalfCheetah's dynamics in JAX: the pipeline MuJoCo runs for this model, written for the planar chain.

One physics step (`mj_step` with this model's options): kinematics, mass matrix (composite inertia
plus armature), bias forces (Coriolis/centrifugal/gravity), passive springs and dampers, motors,
joint-limit and floor-contact constraints as MuJoCo's soft constraints (solref/solimp, pyramidal
friction cone), the Newton solver with exact line search, then the Euler integrator with implicit
joint damping. Every loop over bodies and dofs runs at trace time (the tree is fixed), so under vmap
each line is one vector operation over the batch; the 9x9 factorizations are unrolled too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

if TYPE_CHECKING:
    from envs.cheetahjax.model import Model

MJ_MINVAL = 1e-15
MJ_MINIMP = 1e-4
MJ_MAXIMP = 0.9999

Array = Any


class Kinematics(NamedTuple):
    """Body origins (nbody, 2) as (x, z), body angles about y (nbody,), and each dof's anchor and axis."""

    pos: Array
    ang: Array
    anchor: tuple[Array, ...]
    axis: tuple[Array | None, ...]


class Constraints(NamedTuple):
    """The constraint rows: Jacobian (nefc, nv), regularized stiffness D = 1/R, reference acceleration."""

    J: Array
    D: Array
    aref: Array
    active: Array


def rot(angle: Array, v: Any) -> Array:
    """A body-frame (x, z) vector in world coordinates after a rotation by `angle` about y."""
    c, s = jnp.cos(angle), jnp.sin(angle)
    return jnp.stack([c * v[0] + s * v[1], -s * v[0] + c * v[1]])


def kinematics(m: Model, qpos: Array) -> Kinematics:
    """Forward kinematics of the tree (MuJoCo's mj_kinematics, in the x-z plane)."""
    zero = jnp.zeros((), qpos.dtype)
    pos, ang = [jnp.zeros(2, qpos.dtype)], [zero]
    anchor: list[Array] = [None] * m.nv  # type: ignore[list-item]
    axis: list[Array | None] = [None] * m.nv
    for b in range(1, len(m.parent)):
        p = pos[m.parent[b]] + rot(ang[m.parent[b]], m.body_pos[b])
        a = ang[m.parent[b]]
        for d in range(m.nv):
            if m.dof_body[d] != b:
                continue
            if m.dof_kind[d] == "hinge":
                anchor[d] = p
                a = a + qpos[d]
            else:
                direction = rot(a, (1.0, 0.0) if m.dof_kind[d] == "x" else (0.0, 1.0))
                axis[d] = direction
                anchor[d] = p
                p = p + direction * qpos[d]
        pos.append(p)
        ang.append(a)
    return Kinematics(jnp.stack(pos), jnp.stack(ang), tuple(anchor), tuple(axis))


def com(m: Model, kin: Kinematics, b: int) -> Array:
    """World position of body b's center of mass (MuJoCo's xipos)."""
    return kin.pos[b] + rot(kin.ang[b], m.body_com[b])


def point_jac(m: Model, kin: Kinematics, b: int, r: Array) -> Array:
    """(2, nv) Jacobian of the world point r moving with body b: rows x and z."""
    chain = set(m.chain(b))
    zeros = jnp.zeros(2, r.dtype)
    cols = []
    for d in range(m.nv):
        if d not in chain:
            cols.append(zeros)
        elif m.dof_kind[d] == "hinge":
            off = r - kin.anchor[d]
            cols.append(jnp.stack([off[1], -off[0]]))
        else:
            cols.append(kin.axis[d])
    return jnp.stack(cols, axis=1)


def ang_jac(m: Model, b: int) -> np.ndarray:
    """(nv,) angular Jacobian (about y) of body b: 1 for every hinge that turns it."""
    chain = set(m.chain(b))
    return np.array([1.0 if d in chain and m.dof_kind[d] == "hinge" else 0.0 for d in range(m.nv)])


def com_jacs(m: Model, kin: Kinematics) -> list[Array]:
    """The (2, nv) center-of-mass Jacobian of every body (index 0, the world, is None)."""
    return [None] + [point_jac(m, kin, b, com(m, kin, b)) for b in range(1, len(m.parent))]


def mass_matrix(m: Model, kin: Kinematics) -> Array:
    """Joint-space inertia (mj_crb + armature): sum of m Jc'Jc + Iyy Jw Jw' over bodies."""
    jacs = com_jacs(m, kin)
    out = jnp.diag(jnp.asarray(m.dof_armature, kin.pos.dtype))
    for b in range(1, len(m.parent)):
        jw = ang_jac(m, b)
        out = out + m.body_mass[b] * (jacs[b].T @ jacs[b]) + m.body_iyy[b] * np.outer(jw, jw).astype(out.dtype)
    return out


def bias(m: Model, qpos: Array, qvel: Array) -> Array:
    """Bias forces (mj_rne with zero acceleration): Coriolis, centrifugal and gravity, qfrc_bias."""

    def com_vel(q: Array) -> Array:
        kin = kinematics(m, q)
        return jnp.stack([point_jac(m, kin, b, com(m, kin, b)) @ qvel for b in range(1, len(m.parent))])

    _, acc = jax.jvp(com_vel, (qpos,), (qvel,))
    kin = kinematics(m, qpos)
    jacs = com_jacs(m, kin)
    out = jnp.zeros_like(qvel)
    for b in range(1, len(m.parent)):
        out = out + m.body_mass[b] * (jacs[b].T @ (acc[b - 1] - jnp.array([0.0, m.gravity], qvel.dtype)))
    return out


def passive(m: Model, qpos: Array, qvel: Array) -> Array:
    """Joint springs and dampers (qfrc_passive)."""
    return -m.dof_stiffness * (qpos - m.qpos_spring) - m.dof_damping * qvel


def actuation(m: Model, ctrl: Array, dtype: Any) -> Array:
    """Motor forces in joint space: gear x ctrl clamped to the control range (qfrc_actuator)."""
    lo, hi = m.ctrl_range[:, 0], m.ctrl_range[:, 1]
    force = jnp.asarray(m.gear, dtype) * jnp.clip(ctrl.astype(dtype), lo, hi)
    return jnp.zeros(m.nv, dtype).at[np.array(m.act_dof)].set(force)


def colliders(m: Model) -> list[int]:
    """Indices of the capsules that can touch the floor."""
    return [i for i, c in enumerate(m.capsules) if c.collides]


def contacts(m: Model, kin: Kinematics) -> tuple[Array, Array, list[int]]:
    """Floor contacts of every colliding capsule, both end spheres (mjc_PlaneCapsule): distance (n,),
    contact position (n, 2) halfway into the penetration, and the capsule of each (static)."""
    dist, pos, owner = [], [], []
    for i in colliders(m):
        c = m.capsules[i]
        center = kin.pos[c.body] + rot(kin.ang[c.body], c.pos)
        seg = rot(kin.ang[c.body], c.axis) * c.half
        for end in (center + seg, center - seg):
            dd = end[1] - c.radius
            dist.append(dd)
            pos.append(jnp.stack([end[0], end[1] - c.radius - 0.5 * dd]))
            owner.append(i)
    return jnp.stack(dist), jnp.stack(pos), owner


def _kbi(m: Model, solref: np.ndarray, solimp: np.ndarray, pos: Array) -> tuple[Array, Array, Array]:
    """Stiffness k, damping b and impedance of soft constraints at violation `pos` (MuJoCo's solref/solimp)."""
    timeconst = np.maximum(solref[:, 0], 2 * m.timestep)
    dampratio = solref[:, 1]
    dmin = np.clip(solimp[:, 0], MJ_MINIMP, MJ_MAXIMP)
    dmax = np.clip(solimp[:, 1], MJ_MINIMP, MJ_MAXIMP)
    width = np.maximum(MJ_MINVAL, solimp[:, 2])
    mid = np.clip(solimp[:, 3], MJ_MINIMP, MJ_MAXIMP)
    power = np.maximum(1.0, solimp[:, 4])
    k = (1.0 / (dmax * dmax * timeconst * timeconst * dampratio * dampratio)).astype(pos.dtype)
    b = (2.0 / (dmax * timeconst)).astype(pos.dtype)
    dmin, dmax, mid, power = (x.astype(pos.dtype) for x in (dmin, dmax, mid, power))
    width = width.astype(pos.dtype)
    x = jnp.abs(pos) / width
    y_lo = (1.0 / mid ** (power - 1)) * x ** power
    y_hi = 1.0 - (1.0 / (1.0 - mid) ** (power - 1)) * jnp.maximum(1.0 - x, 0.0) ** power
    imp = dmin + jnp.where(x < mid, y_lo, y_hi) * (dmax - dmin)
    imp = jnp.where(x > 1.0, dmax, jnp.clip(imp, dmin, dmax))
    return k, b, imp


def constraints(m: Model, kin: Kinematics, qpos: Array, qvel: Array) -> Constraints:
    """Joint-limit rows, then 4 pyramid-edge rows per floor contact (inactive rows are zero)."""
    dtype = qpos.dtype
    eye = np.eye(m.nv, dtype=dtype)
    rows, pos, invw, solref, solimp = [], [], [], [], []
    for d in np.flatnonzero(m.jnt_limited):
        lo, hi = m.jnt_range[d]
        dlo, dhi = qpos[d] - lo, hi - qpos[d]
        rows.append(jnp.where(dlo < dhi, 1.0, -1.0).astype(dtype) * eye[d])
        pos.append(jnp.minimum(dlo, dhi))
        invw.append(m.dof_invweight[d])
        solref.append(m.jnt_solref[d])
        solimp.append(m.jnt_solimp[d])
    dist, cpos, owner = contacts(m, kin)
    for n, i in enumerate(owner):
        c = m.capsules[i]
        jac = point_jac(m, kin, c.body, cpos[n])
        jx, jz = jac[0], jac[1]
        mu = c.friction
        edge = m.capsule_friction[i]
        w = m.body_invweight[c.body]
        w = (w + mu * mu * w) * 2 * mu * mu / m.impratio
        for row in (jz + edge * jx, jz - edge * jx, jz, jz):
            rows.append(row)
            pos.append(jnp.where(m.capsule_mask[i] > 0, dist[n], 1.0))
            invw.append(w)
            solref.append(c.solref)
            solimp.append(c.solimp)
    pos_all = jnp.stack(pos)
    active = pos_all < 0
    J = jnp.stack(rows) * active[:, None]
    k, b, imp = _kbi(m, np.array(solref), np.array(solimp), pos_all)
    R = jnp.maximum(np.array(invw, dtype) * (1.0 - imp) / imp, MJ_MINVAL)
    aref = -b * (J @ qvel) - k * imp * pos_all * active
    return Constraints(J, 1.0 / R, aref, active)


def cho_factor(a: Array) -> list[list[Array]]:
    """Lower Cholesky factor of a small SPD matrix, unrolled (scalars, so vmap makes them vectors)."""
    n = a.shape[0]
    L: list[list[Array]] = [[None] * n for _ in range(n)]  # type: ignore[list-item]
    for j in range(n):
        s = a[j, j]
        for k in range(j):
            s = s - L[j][k] * L[j][k]
        L[j][j] = jnp.sqrt(s)
        inv = 1.0 / L[j][j]
        for i in range(j + 1, n):
            s = a[i, j]
            for k in range(j):
                s = s - L[i][k] * L[j][k]
            L[i][j] = s * inv
    return L


def cho_solve(L: list[list[Array]], b: Array) -> Array:
    """x with L L' x = b, unrolled forward and back substitution."""
    n = len(L)
    y: list[Array] = []
    for i in range(n):
        s = b[i]
        for k in range(i):
            s = s - L[i][k] * y[k]
        y.append(s / L[i][i])
    x: list[Array] = [None] * n  # type: ignore[list-item]
    for i in reversed(range(n)):
        s = y[i]
        for k in range(i + 1, n):
            s = s - L[k][i] * x[k]
        x[i] = s / L[i][i]
    return jnp.stack(x)


def solve_spd(a: Array, b: Array) -> Array:
    """a^-1 b for a small SPD matrix a."""
    return cho_solve(cho_factor(a), b)


class _Solver(NamedTuple):
    qacc: Array
    Ma: Array
    jaref: Array
    cost: Array
    prev_cost: Array
    grad: Array
    search: Array
    it: Array


def _gauss(Ma: Array, qacc: Array, qfrc_smooth: Array, qacc_smooth: Array) -> Array:
    return 0.5 * jnp.dot(Ma - qfrc_smooth, qacc - qacc_smooth)


def _linesearch(m: Model, M: Array, c: Constraints, qfrc_smooth: Array, s: _Solver, trace: Array) -> _Solver:
    """Exact minimum of the (convex, piecewise quadratic) cost along the search direction: Newton steps
    on the derivative, kept inside the bracket [lo, hi] by bisection."""
    p = s.search
    mv = M @ p
    jv = c.J @ p
    g1 = jnp.dot(p, s.Ma) - jnp.dot(p, qfrc_smooth)
    g2 = 0.5 * jnp.dot(p, mv)
    gtol = m.tolerance * m.ls_tolerance * jnp.sqrt(jnp.dot(p, p)) * trace

    def derivs(alpha: Array) -> tuple[Array, Array]:
        x = s.jaref + alpha * jv
        act = x < 0
        d1 = g1 + 2 * alpha * g2 + jnp.sum(jnp.where(act, c.D * jv * x, 0.0))
        d2 = 2 * g2 + jnp.sum(jnp.where(act, c.D * jv * jv, 0.0))
        return d1, jnp.maximum(d2, MJ_MINVAL)

    d0, h0 = derivs(jnp.zeros_like(g1))
    inf = jnp.full_like(g1, jnp.inf)

    def cond(st: tuple) -> Array:
        lo, hi, alpha, d, h, it, moved = st
        return (it < m.ls_iterations) & (jnp.abs(d) >= gtol) & moved

    def body(st: tuple) -> tuple:
        lo, hi, alpha, d, h, it, _ = st
        nxt = alpha - d / h
        outside = (nxt <= lo) | (nxt >= hi)
        nxt = jnp.where(outside, jnp.where(jnp.isfinite(hi), 0.5 * (lo + hi), alpha), nxt)
        dn, hn = derivs(nxt)
        lo = jnp.where(dn < 0, nxt, lo)
        hi = jnp.where(dn < 0, hi, nxt)
        return lo, hi, nxt, dn, hn, it + 1, nxt != alpha

    start = (jnp.zeros_like(g1), inf, jnp.zeros_like(g1), d0, h0, jnp.int32(0), d0 < 0)
    _, _, alpha, _, _, _, _ = jax.lax.while_loop(cond, body, start)
    alpha = jnp.where(d0 < 0, alpha, 0.0)
    return s._replace(qacc=s.qacc + alpha * p, Ma=s.Ma + alpha * mv, jaref=s.jaref + alpha * jv)


def _update(M: Array, c: Constraints, qfrc_smooth: Array, qacc_smooth: Array, s: _Solver
            ) -> tuple[Array, Array, Array, Array]:
    """(cost, gradient, Newton direction, qfrc_constraint) at the solver's current qacc."""
    act = s.jaref < 0
    force = jnp.where(act, -c.D * s.jaref, 0.0)
    qfrc_constraint = c.J.T @ force
    cost = _gauss(s.Ma, s.qacc, qfrc_smooth, qacc_smooth) + 0.5 * jnp.sum(jnp.where(act, c.D * s.jaref ** 2, 0.0))
    grad = s.Ma - qfrc_smooth - qfrc_constraint
    H = M + (c.J.T * jnp.where(act, c.D, 0.0)) @ c.J
    return cost, grad, -solve_spd(H, grad), qfrc_constraint


def solve(m: Model, M: Array, c: Constraints, qfrc_smooth: Array, qacc_smooth: Array, warmstart: Array
          ) -> tuple[Array, Array]:
    """MuJoCo's Newton solver (primal, exact line search): (qacc, qfrc_constraint). The start is the
    warm start or the unconstrained acceleration, whichever costs less, as in MuJoCo."""

    def cost_at(qacc: Array) -> Array:
        Ma = M @ qacc
        jaref = c.J @ qacc - c.aref
        return _gauss(Ma, qacc, qfrc_smooth, qacc_smooth) + 0.5 * jnp.sum(jnp.where(jaref < 0, c.D * jaref ** 2, 0.0))

    qacc = jnp.where(cost_at(warmstart) < cost_at(qacc_smooth), warmstart, qacc_smooth)
    trace = jnp.maximum(jnp.trace(M), MJ_MINVAL)
    s = _Solver(qacc, M @ qacc, c.J @ qacc - c.aref, jnp.inf, jnp.inf, jnp.zeros_like(qacc),
                jnp.zeros_like(qacc), jnp.int32(0))
    cost, grad, search, _ = _update(M, c, qfrc_smooth, qacc_smooth, s)
    s = s._replace(cost=cost.astype(qacc.dtype), prev_cost=jnp.asarray(jnp.inf, qacc.dtype), grad=grad, search=search)

    def cond(s: _Solver) -> Array:
        improvement = (s.prev_cost - s.cost) / trace
        gradient = jnp.sqrt(jnp.dot(s.grad, s.grad)) / trace
        return (s.it < m.iterations) & (improvement >= m.tolerance) & (gradient >= m.tolerance)

    def body(s: _Solver) -> _Solver:
        s = _linesearch(m, M, c, qfrc_smooth, s, trace)
        cost, grad, search, _ = _update(M, c, qfrc_smooth, qacc_smooth, s)
        return s._replace(cost=cost, prev_cost=s.cost, grad=grad, search=search, it=s.it + 1)

    s = jax.lax.while_loop(cond, body, s)
    _, _, _, qfrc_constraint = _update(M, c, qfrc_smooth, qacc_smooth, s)
    return s.qacc, qfrc_constraint


class Forward(NamedTuple):
    """What mj_forward computes at one state (the L1 material)."""

    kin: Kinematics
    M: Array
    qfrc_bias: Array
    qfrc_smooth: Array
    qacc_smooth: Array
    constraints: Constraints
    qacc: Array
    qfrc_constraint: Array


def forward(m: Model, qpos: Array, qvel: Array, ctrl: Array, warmstart: Array) -> Forward:
    """Forward dynamics: smooth forces, constraints, the constrained acceleration."""
    kin = kinematics(m, qpos)
    M = mass_matrix(m, kin)
    qfrc_bias = bias(m, qpos, qvel)
    qfrc_smooth = passive(m, qpos, qvel) - qfrc_bias + actuation(m, ctrl, qpos.dtype)
    qacc_smooth = solve_spd(M, qfrc_smooth)
    c = constraints(m, kin, qpos, qvel)
    qacc, qfrc_constraint = solve(m, M, c, qfrc_smooth, qacc_smooth, warmstart)
    return Forward(kin, M, qfrc_bias, qfrc_smooth, qacc_smooth, c, qacc, qfrc_constraint)


def step(m: Model, qpos: Array, qvel: Array, ctrl: Array, warmstart: Array) -> tuple[Array, Array, Array]:
    """One mj_step: forward, then Euler with implicit damping (M + h D); returns qpos, qvel and the
    solver's qacc (MuJoCo's next warm start)."""
    f = forward(m, qpos, qvel, ctrl, warmstart)
    h = m.timestep
    damping = h * m.eulerdamp * jnp.asarray(m.dof_damping, qpos.dtype)
    qacc = solve_spd(f.M + jnp.diag(damping), f.qfrc_smooth + f.qfrc_constraint)
    qvel = qvel + h * qacc
    return qpos + h * qvel, qvel, f.qacc


def invweights(m: Model) -> tuple[np.ndarray, np.ndarray]:
    """MuJoCo's body_invweight0[:, 0] (mean translational diagonal of Jc M^-1 Jc' over 3 axes) and
    dof_invweight0 (diag M^-1), at qpos0 in float64."""
    with jax.enable_x64(True):
        kin = kinematics(m, jnp.zeros(m.nv, jnp.float64))
        M = np.asarray(mass_matrix(m, kin), np.float64)
        jacs = [None if j is None else np.asarray(j, np.float64) for j in com_jacs(m, kin)]
    Minv = np.linalg.inv(M)
    body = np.zeros(len(m.parent))
    for b in range(1, len(m.parent)):
        body[b] = np.trace(jacs[b] @ Minv @ jacs[b].T) / 3.0
    return body, np.diag(Minv).copy()
