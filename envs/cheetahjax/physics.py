"""HalfCheetah's dynamics in JAX: the pipeline MuJoCo runs for this model, written for the planar chain.

One physics step (`mj_step` with this model's options): kinematics, mass matrix (composite inertia
plus armature), bias forces (Coriolis/centrifugal/gravity), passive springs and dampers, motors,
joint-limit and floor-contact constraints as MuJoCo's soft constraints (solref/solimp, pyramidal
friction cone), the Newton solver with exact line search, then the Euler integrator with implicit
joint damping. Every loop over bodies and dofs runs at trace time (the tree is fixed), so under vmap
each line is one vector operation over the batch; the 9x9 factorizations are unrolled by column too.
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


def point_jacs(m: Model, kin: Kinematics, bodies: list[int], r: Array) -> Array:
    """(n, 2, nv) Jacobians of world points r (n, 2), point i moving with body bodies[i]: rows x and z.

    A hinge about y at anchor a moves point r at (r_z - a_z, -(r_x - a_x)) per unit speed; a slide moves
    it along its axis; dofs outside the body's chain do not move it (a static mask)."""
    anchors = jnp.stack(kin.anchor)
    off = r[:, None, :] - anchors[None, :, :]
    hinge = np.array([k == "hinge" for k in m.dof_kind])
    slide_axis = jnp.stack([jnp.zeros(2, r.dtype) if a is None else a for a in kin.axis])
    cols = jnp.where(hinge[None, :, None], jnp.stack([off[..., 1], -off[..., 0]], axis=-1), slide_axis[None])
    mask = np.array([[d in m.chain(b) for d in range(m.nv)] for b in bodies], dtype=r.dtype)
    return jnp.swapaxes(cols * mask[:, :, None], 1, 2)


def point_jac(m: Model, kin: Kinematics, b: int, r: Array) -> Array:
    """(2, nv) Jacobian of the world point r moving with body b."""
    return point_jacs(m, kin, [b], r[None])[0]


def ang_jacs(m: Model) -> np.ndarray:
    """(nbody - 1, nv) angular Jacobians (about y) of bodies 1..: 1 for every hinge that turns the body."""
    return np.array([[1.0 if d in m.chain(b) and m.dof_kind[d] == "hinge" else 0.0 for d in range(m.nv)]
                     for b in range(1, len(m.parent))])


def coms(m: Model, kin: Kinematics) -> Array:
    """(nbody - 1, 2) world centers of mass of bodies 1.. (MuJoCo's xipos)."""
    return jnp.stack([com(m, kin, b) for b in range(1, len(m.parent))])


def com_jacs(m: Model, kin: Kinematics) -> Array:
    """(nbody - 1, 2, nv) center-of-mass Jacobians of bodies 1.."""
    return point_jacs(m, kin, list(range(1, len(m.parent))), coms(m, kin))


def mass_matrix(m: Model, kin: Kinematics) -> Array:
    """Joint-space inertia (mj_crb + armature): sum over bodies of m Jc'Jc + Iyy Jw Jw'."""
    jc = com_jacs(m, kin)
    jw = ang_jacs(m).astype(kin.pos.dtype)
    mass, iyy = m.body_mass[1:], m.body_iyy[1:]
    out = jnp.einsum("b,bki,bkj->ij", mass, jc, jc) + jnp.einsum("b,bi,bj->ij", iyy, jw, jw)
    return out + jnp.diag(jnp.asarray(m.dof_armature, kin.pos.dtype))


def bias(m: Model, qpos: Array, qvel: Array) -> Array:
    """Bias forces (mj_rne with zero acceleration): Coriolis, centrifugal and gravity, qfrc_bias.

    sum over bodies of Jc' m (dJc/dt v - g): the centers' accelerations at zero qacc come from the
    derivative of their velocities Jc(q) v along v (a jvp); rotation about y adds no gyroscopic term."""

    def com_vel(q: Array) -> Array:
        return com_jacs(m, kinematics(m, q)) @ qvel

    _, acc = jax.jvp(com_vel, (qpos,), (qvel,))
    jc = com_jacs(m, kinematics(m, qpos))
    g = jnp.array([0.0, m.gravity], qvel.dtype)
    return jnp.einsum("b,bki,bk->i", m.body_mass[1:], jc, acc - g)


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
    contact position (n, 2) halfway into the penetration, and the capsule of each (static). A capsule
    switched off by `capsule_mask` reports distance 1 (never touching)."""
    dist, pos, owner = [], [], []
    for i in colliders(m):
        c = m.capsules[i]
        center = kin.pos[c.body] + rot(kin.ang[c.body], c.pos)
        seg = rot(kin.ang[c.body], c.axis) * c.half
        for end in (center + seg, center - seg):
            dd = end[1] - c.radius
            dist.append(jnp.where(m.capsule_mask[i] > 0, dd, 1.0))
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
    """Joint-limit rows, then the pyramid-edge rows of every floor contact (inactive rows are zero).

    Condim 3 on a planar model: of the 4 edges n +- mu t1, n +- mu t2, the pair along y (no dof moves
    along y) are both the normal row, so they are kept as one row of twice the stiffness D (the same
    cost, gradient and Hessian as MuJoCo's two)."""
    dtype = qpos.dtype
    limited = np.flatnonzero(m.jnt_limited)
    lo, hi = m.jnt_range[limited, 0], m.jnt_range[limited, 1]
    dlo, dhi = qpos[limited] - lo, hi - qpos[limited]
    lim_rows = jnp.where(dlo < dhi, 1.0, -1.0)[:, None] * np.eye(m.nv, dtype=dtype)[limited]
    lim_pos = jnp.minimum(dlo, dhi)

    dist, cpos, owner = contacts(m, kin)
    caps = [m.capsules[i] for i in owner]
    jac = point_jacs(m, kin, [c.body for c in caps], cpos)
    jx, jz = jac[:, 0], jac[:, 1]
    edge = m.capsule_friction[np.array(owner)][:, None]
    con_rows = jnp.stack([jz + edge * jx, jz - edge * jx, jz], axis=1).reshape(-1, m.nv)
    con_pos = jnp.repeat(dist, 3)
    mu = np.array([c.friction for c in caps])
    w = m.body_invweight[[c.body for c in caps]]
    w = (w + mu * mu * w) * 2 * mu * mu / m.impratio

    nlim = len(limited)
    pos_all = jnp.concatenate([lim_pos, con_pos])
    invw = np.concatenate([m.dof_invweight[limited], np.repeat(w, 3)]).astype(dtype)
    solref = np.concatenate([m.jnt_solref[limited], np.repeat([c.solref for c in caps], 3, axis=0)])
    solimp = np.concatenate([m.jnt_solimp[limited], np.repeat([c.solimp for c in caps], 3, axis=0)])
    copies = np.concatenate([np.ones(nlim), np.tile([1.0, 1.0, 2.0], len(caps))]).astype(dtype)
    active = pos_all < 0
    J = jnp.concatenate([lim_rows, con_rows]) * active[:, None]
    k, b, imp = _kbi(m, solref, solimp, pos_all)
    R = jnp.maximum(invw * (1.0 - imp) / imp, MJ_MINVAL)
    aref = -b * (J @ qvel) - k * imp * pos_all * active
    return Constraints(J, copies / R, aref, active)


def cho_factor(a: Array) -> Array:
    """Lower Cholesky factor of a small SPD matrix, right-looking: one column and one rank-1 update per
    (trace-time) step, so under vmap each step is a few batched vector operations (no LAPACK call)."""
    n = a.shape[0]
    cols = []
    for j in range(n):
        d = jnp.sqrt(a[j, j])
        below = np.arange(n) > j
        col = jnp.where(below, a[:, j] / d, 0.0)
        cols.append(jnp.where(np.arange(n) == j, d, col))
        if j + 1 < n:
            a = a - col[:, None] * col[None, :]
    return jnp.stack(cols, axis=1)


def cho_solve(L: Array, b: Array) -> Array:
    """x with L L' x = b: forward substitution by columns of L, back substitution by its rows."""
    n = L.shape[0]
    ys = []
    for j in range(n):
        yj = b[j] / L[j, j]
        ys.append(yj)
        b = b - L[:, j] * yj
    y = jnp.stack(ys)
    xs: list[Array] = [None] * n  # type: ignore[list-item]
    for i in reversed(range(n)):
        xs[i] = y[i] / L[i, i]
        y = y - L[i, :] * xs[i]
    return jnp.stack(xs)


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
    exact: Array


def _gauss(Ma: Array, qacc: Array, qfrc_smooth: Array, qacc_smooth: Array) -> Array:
    return 0.5 * jnp.dot(Ma - qfrc_smooth, qacc - qacc_smooth)


def _linesearch(m: Model, M: Array, c: Constraints, qfrc_smooth: Array, s: _Solver, trace: Array) -> _Solver:
    """Exact minimum of the (convex, piecewise quadratic) cost along the search direction: Newton steps
    on the derivative, kept inside the bracket [lo, hi] by bisection. A Newton step that stays in the
    quadratic piece it started from (same active rows) lands on the minimum exactly, and ends the search;
    so do MuJoCo's gradient tolerance and ls_iterations."""
    p = s.search
    mv = M @ p
    jv = c.J @ p
    g1 = jnp.dot(p, s.Ma) - jnp.dot(p, qfrc_smooth)
    g2 = 0.5 * jnp.dot(p, mv)
    gtol = m.tolerance * m.ls_tolerance * jnp.sqrt(jnp.dot(p, p)) * trace

    def derivs(alpha: Array) -> tuple[Array, Array, Array]:
        x = s.jaref + alpha * jv
        act = x < 0
        d1 = g1 + 2 * alpha * g2 + jnp.sum(jnp.where(act, c.D * jv * x, 0.0))
        d2 = 2 * g2 + jnp.sum(jnp.where(act, c.D * jv * jv, 0.0))
        return d1, jnp.maximum(d2, MJ_MINVAL), act

    zero = jnp.zeros_like(g1)
    d0, h0, act0 = derivs(zero)

    def cond(st: tuple) -> Array:
        lo, hi, alpha, d, h, act, it, done = st
        return (it < m.ls_iterations) & ~done

    def body(st: tuple) -> tuple:
        lo, hi, alpha, d, h, act, it, _ = st
        newton = alpha - d / h
        inside = (newton > lo) & (newton < hi)
        nxt = jnp.where(inside, newton, jnp.where(jnp.isfinite(hi), 0.5 * (lo + hi), alpha))
        dn, hn, actn = derivs(nxt)
        done = (inside & jnp.all(actn == act)) | (jnp.abs(dn) < gtol) | (nxt == alpha)
        lo = jnp.where(dn < 0, nxt, lo)
        hi = jnp.where(dn < 0, hi, nxt)
        return lo, hi, nxt, dn, hn, actn, it + 1, done

    start = (zero, jnp.full_like(g1, jnp.inf), zero, d0, h0, act0, jnp.int32(0), d0 >= 0)
    alpha = jax.lax.while_loop(cond, body, start)[2]
    alpha = jnp.where(d0 < 0, alpha, 0.0)
    return s._replace(qacc=s.qacc + alpha * p, Ma=s.Ma + alpha * mv, jaref=s.jaref + alpha * jv)


def _force(c: Constraints, jaref: Array) -> Array:
    """qfrc_constraint = J' f, f = -D (J qacc - aref) on the active rows."""
    return c.J.T @ jnp.where(jaref < 0, -c.D * jaref, 0.0)


def _update(M: Array, c: Constraints, qfrc_smooth: Array, qacc_smooth: Array, s: _Solver
            ) -> tuple[Array, Array, Array]:
    """(cost, gradient, Newton direction) at the solver's current qacc."""
    act = s.jaref < 0
    cost = _gauss(s.Ma, s.qacc, qfrc_smooth, qacc_smooth) + 0.5 * jnp.sum(jnp.where(act, c.D * s.jaref ** 2, 0.0))
    grad = s.Ma - qfrc_smooth - _force(c, s.jaref)
    H = M + (c.J.T * jnp.where(act, c.D, 0.0)) @ c.J
    return cost, grad, -solve_spd(H, grad)


def solve(m: Model, M: Array, c: Constraints, qfrc_smooth: Array, qacc_smooth: Array, warmstart: Array
          ) -> tuple[Array, Array]:
    """MuJoCo's Newton solver (primal, exact line search): (qacc, qfrc_constraint). The start is the
    warm start or the unconstrained acceleration, whichever costs less, as in MuJoCo. It stops on
    MuJoCo's criteria (iterations, cost improvement or gradient below tolerance), or when a Newton step
    left the active rows unchanged: the cost is then one quadratic whose minimum that step reached."""

    def cost_at(qacc: Array) -> Array:
        Ma = M @ qacc
        jaref = c.J @ qacc - c.aref
        return _gauss(Ma, qacc, qfrc_smooth, qacc_smooth) + 0.5 * jnp.sum(jnp.where(jaref < 0, c.D * jaref ** 2, 0.0))

    qacc = jnp.where(cost_at(warmstart) < cost_at(qacc_smooth), warmstart, qacc_smooth)
    trace = jnp.maximum(jnp.trace(M), MJ_MINVAL)
    s = _Solver(qacc, M @ qacc, c.J @ qacc - c.aref, jnp.inf, jnp.inf, jnp.zeros_like(qacc),
                jnp.zeros_like(qacc), jnp.int32(0), jnp.array(False))
    cost, grad, search = _update(M, c, qfrc_smooth, qacc_smooth, s)
    s = s._replace(cost=cost.astype(qacc.dtype), prev_cost=jnp.asarray(jnp.inf, qacc.dtype), grad=grad, search=search)

    def cond(s: _Solver) -> Array:
        improvement = (s.prev_cost - s.cost) / trace
        gradient = jnp.sqrt(jnp.dot(s.grad, s.grad)) / trace
        return (s.it < m.iterations) & (improvement >= m.tolerance) & (gradient >= m.tolerance) & ~s.exact

    def body(s: _Solver) -> _Solver:
        before = s.jaref < 0
        s = _linesearch(m, M, c, qfrc_smooth, s, trace)
        cost, grad, search = _update(M, c, qfrc_smooth, qacc_smooth, s)
        exact = jnp.all((s.jaref < 0) == before)
        return s._replace(cost=cost, prev_cost=s.cost, grad=grad, search=search, it=s.it + 1, exact=exact)

    s = jax.lax.while_loop(cond, body, s)
    return s.qacc, _force(c, s.jaref)


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
        jacs = np.asarray(com_jacs(m, kin), np.float64)
    Minv = np.linalg.inv(M)
    body = np.zeros(len(m.parent))
    body[1:] = np.einsum("bki,ij,bkj->b", jacs, Minv, jacs) / 3.0
    return body, np.diag(Minv).copy()
