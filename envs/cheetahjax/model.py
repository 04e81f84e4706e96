"""HalfCheetah's model constants, read from the half_cheetah.xml that the installed Gymnasium ships.

The XML is parsed with the standard library (no MuJoCo): the planar chain (bodies, joints, capsule
geoms), MuJoCo's defaults for what the file leaves out, inertia from the capsules (MuJoCo's capsule
formula, density 1000) scaled to `settotalmass`, and the solver options. The model is planar: every
hinge turns about y and every slide moves along x or z, so positions are (x, z) pairs and
orientations one angle; the parser refuses anything else.
"""

from __future__ import annotations

import importlib.util
import os
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field, replace
from functools import cache

import numpy as np

DENSITY = 1000.0
"""kg/m^3, MuJoCo's default geom density (inertiafromgeom)."""


def model_path() -> str:
    """Path of Gymnasium's half_cheetah.xml, found without importing Gymnasium or MuJoCo."""
    spec = importlib.util.find_spec("gymnasium")
    if spec is None or spec.origin is None:
        raise ImportError("cheetahjax reads half_cheetah.xml from the installed gymnasium: pip install gymnasium")
    return os.path.join(os.path.dirname(spec.origin), "envs", "mujoco", "assets", "half_cheetah.xml")


@dataclass(frozen=True)
class Capsule:
    """A capsule geom in its body's frame: center (x, z), unit axis (x, z), radius, half-length."""

    name: str
    body: int
    pos: tuple[float, float]
    axis: tuple[float, float]
    radius: float
    half: float
    friction: float
    solref: tuple[float, float]
    solimp: tuple[float, float, float, float, float]
    contype: int
    conaffinity: int
    collides: bool
    mass: float = 0.0
    inertia_perp: float = 0.0


TRACED = ("gear", "dof_damping", "dof_stiffness", "dof_armature", "jnt_range", "capsule_friction", "capsule_mask",
          "eulerdamp")
"""Model arrays that are arguments of the compiled step rather than constants folded into it."""


@dataclass(frozen=True)
class Model:
    """Everything the dynamics need, as plain numbers; the mutants are `replace`d copies."""

    timestep: float
    gravity: float
    iterations: int
    tolerance: float
    ls_iterations: int
    ls_tolerance: float
    impratio: float
    parent: tuple[int, ...]
    """Parent body of bodies 1..7 (index 0 is the world)."""
    body_pos: np.ndarray
    """(nbody, 2) body origin in the parent frame."""
    body_mass: np.ndarray
    body_com: np.ndarray
    """(nbody, 2) center of mass in the body frame."""
    body_iyy: np.ndarray
    """Moment of inertia about the y axis through the center of mass."""
    dof_body: tuple[int, ...]
    dof_kind: tuple[str, ...]
    """'x', 'z' (slides of the root) or 'hinge' (about y at the body origin)."""
    dof_damping: np.ndarray
    dof_stiffness: np.ndarray
    dof_armature: np.ndarray
    qpos_spring: np.ndarray
    jnt_limited: np.ndarray
    jnt_range: np.ndarray
    jnt_solref: np.ndarray
    jnt_solimp: np.ndarray
    capsules: tuple[Capsule, ...]
    gear: np.ndarray
    ctrl_range: np.ndarray
    act_dof: tuple[int, ...]
    capsule_friction: np.ndarray = field(default_factory=lambda: np.zeros(0))
    """Sliding friction of each capsule's floor contacts, as it enters the pyramid edges."""
    capsule_mask: np.ndarray = field(default_factory=lambda: np.zeros(0))
    """1 where a capsule's floor contacts count, 0 where they are switched off (a mutant)."""
    eulerdamp: np.ndarray = field(default_factory=lambda: np.ones(()))
    """1: Euler integrates joint damping implicitly (MuJoCo's default); 0: explicitly (a mutant)."""
    body_invweight: np.ndarray = field(default_factory=lambda: np.zeros(0))
    """Translational inverse weight of each body at qpos0 (MuJoCo's body_invweight0[:, 0])."""
    dof_invweight: np.ndarray = field(default_factory=lambda: np.zeros(0))
    """diag(M^-1) at qpos0 (MuJoCo's dof_invweight0)."""

    @property
    def nv(self) -> int:
        return len(self.dof_body)

    def chain(self, body: int) -> tuple[int, ...]:
        """The dofs that move `body` (its own and its ancestors'), in tree order."""
        bodies = []
        b = body
        while b > 0:
            bodies.append(b)
            b = self.parent[b]
        return tuple(d for d in range(self.nv) if self.dof_body[d] in bodies)

    def knobs(self) -> dict[str, np.ndarray]:
        """The arrays passed to the compiled kernels as arguments (TRACED), so variants share compiled code."""
        return {f: getattr(self, f) for f in TRACED}

    def astype(self, dtype: object) -> Model:
        """A copy whose float arrays have `dtype` (JAX then traces float32 constants in the float32 build)."""
        return replace(self, **{f: getattr(self, f).astype(dtype) for f in self.__dataclass_fields__
                                if isinstance(getattr(self, f), np.ndarray) and getattr(self, f).dtype.kind == "f"})

    def with_(self, **changes: object) -> Model:
        """A copy with some fields changed (mutants)."""
        return replace(self, **changes)


def _floats(text: str | None, default: tuple[float, ...]) -> tuple[float, ...]:
    return tuple(float(x) for x in text.split()) if text is not None else default


class _Defaults:
    """The top-level <default> attributes per element kind (the file has no nested classes)."""

    def __init__(self, root: ET.Element) -> None:
        self.attrs: dict[str, dict[str, str]] = {}
        for dflt in root.findall("default"):
            if dflt.findall("default"):
                raise ValueError("nested default classes are not supported")
            for child in dflt:
                self.attrs.setdefault(child.tag, {}).update(child.attrib)

    def get(self, el: ET.Element, key: str) -> str | None:
        return el.get(key, self.attrs.get(el.tag, {}).get(key))


def _pad_solimp(text: str | None) -> tuple[float, ...]:
    """solimp with MuJoCo's defaults for the values the file leaves out."""
    default = (0.9, 0.95, 0.001, 0.5, 2.0)
    given = _floats(text, ())
    return given + default[len(given):]


def _capsule_inertia(radius: float, half: float) -> tuple[float, float]:
    """Mass and inertia about a perpendicular axis through the center of a density-1000 capsule."""
    height = 2.0 * half
    sphere = DENSITY * 4.0 * np.pi * radius ** 3 / 3.0
    cylinder = DENSITY * np.pi * radius * radius * height
    perp = cylinder * (3 * radius * radius + height * height) / 12.0 \
        + sphere * (2 * radius * radius / 5.0 + height * height / 4.0 + 3 * height * radius / 8.0)
    return sphere + cylinder, perp


def _planar_axis(el: ET.Element) -> tuple[tuple[float, float], tuple[float, float], float | None]:
    """(center, unit axis, half-length from fromto or None) of a capsule, refusing out-of-plane ones."""
    if el.get("fromto") is not None:
        f = _floats(el.get("fromto"), ())
        a, b = np.array(f[:3]), np.array(f[3:])
        if a[1] != 0 or b[1] != 0:
            raise ValueError("capsule out of the x-z plane")
        d = b - a
        length = float(np.linalg.norm(d))
        mid = (a + b) / 2
        return (float(mid[0]), float(mid[2])), (float(d[0] / length), float(d[2] / length)), length / 2
    pos = _floats(el.get("pos"), (0.0, 0.0, 0.0))
    if pos[1] != 0:
        raise ValueError("geom out of the x-z plane")
    aa = _floats(el.get("axisangle"), (0.0, 1.0, 0.0, 0.0))
    if aa[0] != 0 or aa[2] != 0:
        raise ValueError("geom rotated about an axis other than y")
    angle = aa[3] * (1.0 if aa[1] > 0 else -1.0)
    return (pos[0], pos[2]), (float(np.sin(angle)), float(np.cos(angle))), None


def parse(path: str) -> Model:
    """The planar model of `path` (invweights left empty: `load` fills them from the dynamics)."""
    root = ET.parse(path).getroot()
    compiler = root.find("compiler")
    if compiler is None or compiler.get("angle") != "radian" or compiler.get("inertiafromgeom") != "true":
        raise ValueError("expected <compiler angle='radian' inertiafromgeom='true'>")
    option = root.find("option")
    opt = option.attrib if option is not None else {}
    for key, allowed in (("solver", "Newton"), ("integrator", "Euler"), ("cone", "pyramidal")):
        if opt.get(key, allowed) != allowed:
            raise ValueError(f"option {key}={opt[key]} is not supported (only {allowed})")
    gravity = _floats(opt.get("gravity"), (0.0, 0.0, -9.81))
    if gravity[0] != 0 or gravity[1] != 0:
        raise ValueError("gravity must point along z")
    dflt = _Defaults(root)

    parent: list[int] = [-1]
    body_pos: list[tuple[float, float]] = [(0.0, 0.0)]
    dofs: list[dict] = []
    capsules: list[Capsule] = []
    floor: list[tuple] = []

    def geom(el: ET.Element, body: int) -> None:
        gtype = dflt.get(el, "type") or "sphere"
        contype = int(dflt.get(el, "contype") or 1)
        conaff = int(dflt.get(el, "conaffinity") or 1)
        if gtype == "plane":
            if el.get("pos", "0 0 0").split() != ["0", "0", "0"] or body != 0:
                raise ValueError("expected the floor plane at the world origin")
            floor.append((contype, conaff, _floats(dflt.get(el, "friction"), (1.0, 0.005, 0.0001))[0],
                          _floats(dflt.get(el, "solref"), (0.02, 1.0)), _pad_solimp(dflt.get(el, "solimp"))))
            return
        if gtype != "capsule":
            raise ValueError(f"geom type {gtype} is not supported")
        if int(dflt.get(el, "condim") or 3) != 3:
            raise ValueError("only condim 3 is supported")
        center, axis, half = _planar_axis(el)
        size = _floats(dflt.get(el, "size"), ())
        radius = size[0]
        half = half if half is not None else size[1]
        mass, perp = _capsule_inertia(radius, half)
        solimp = _pad_solimp(dflt.get(el, "solimp"))
        capsules.append(Capsule(
            name=el.get("name", ""), body=body, pos=center, axis=axis, radius=radius, half=half,
            friction=_floats(dflt.get(el, "friction"), (1.0, 0.005, 0.0001))[0],
            solref=_floats(dflt.get(el, "solref"), (0.02, 1.0)), solimp=solimp,  # type: ignore[arg-type]
            contype=contype, conaffinity=conaff, collides=False, mass=mass, inertia_perp=perp))

    def body(el: ET.Element, par: int) -> None:
        idx = len(parent)
        parent.append(par)
        pos = _floats(el.get("pos"), (0.0, 0.0, 0.0))
        if pos[1] != 0:
            raise ValueError("body out of the x-z plane")
        body_pos.append((pos[0], pos[2]))
        for j in el.findall("joint"):
            jtype = dflt.get(j, "type") or "hinge"
            axis = _floats(dflt.get(j, "axis"), (0.0, 0.0, 1.0))
            if _floats(dflt.get(j, "pos"), (0.0, 0.0, 0.0)) != (0.0, 0.0, 0.0):
                raise ValueError("joints must sit at their body's origin")
            if jtype == "hinge" and axis == (0.0, 1.0, 0.0):
                kind = "hinge"
            elif jtype == "slide" and par == 0 and axis in ((1.0, 0.0, 0.0), (0.0, 0.0, 1.0)):
                kind = "x" if axis[0] else "z"
            else:
                raise ValueError(f"joint {j.get('name')}: only y hinges and root x/z slides are supported")
            limited = (dflt.get(j, "limited") or "false") == "true"
            dofs.append({
                "body": idx, "kind": kind,
                "damping": float(dflt.get(j, "damping") or 0.0),
                "stiffness": float(dflt.get(j, "stiffness") or 0.0),
                "armature": float(dflt.get(j, "armature") or 0.0),
                "ref": float(dflt.get(j, "springref") or 0.0),
                "limited": limited,
                "range": _floats(dflt.get(j, "range"), (0.0, 0.0)),
                "solref": _floats(dflt.get(j, "solreflimit"), (0.02, 1.0)),
                "solimp": _pad_solimp(dflt.get(j, "solimplimit")),
            })
        for g in el.findall("geom"):
            geom(g, idx)
        for child in el.findall("body"):
            body(child, idx)

    world = root.find("worldbody")
    assert world is not None
    for g in world.findall("geom"):
        geom(g, 0)
    for b in world.findall("body"):
        body(b, 0)

    if len(floor) != 1:
        raise ValueError("expected one floor plane")
    ftype, faff, ffric, fref, fimp = floor[0]
    capsules = [replace(c, collides=bool((c.contype & faff) | (ftype & c.conaffinity)),
                        friction=max(c.friction, ffric),
                        solref=tuple(0.5 * (a + b) for a, b in zip(c.solref, fref)),
                        solimp=tuple(0.5 * (a + b) for a, b in zip(c.solimp, fimp)))
                for c in capsules]
    for i, a in enumerate(capsules):
        for b in capsules[i + 1:]:
            if (a.contype & b.conaffinity) | (b.contype & a.conaffinity):
                raise ValueError(f"capsules {a.name} and {b.name} can collide: only floor contacts are supported")
    nbody = len(parent)
    mass = np.zeros(nbody)
    com = np.zeros((nbody, 2))
    iyy = np.zeros(nbody)
    for b in range(1, nbody):
        own = [c for c in capsules if c.body == b]
        m = sum(c.mass for c in own)
        c = sum(np.array(g.pos) * g.mass for g in own) / m
        mass[b], com[b] = m, c
        iyy[b] = sum(g.inertia_perp + g.mass * float(np.sum((np.array(g.pos) - c) ** 2)) for g in own)
    total = compiler.get("settotalmass")
    if total is not None:
        scale = float(total) / mass.sum()
        mass, iyy = mass * scale, iyy * scale

    motors = [] if root.find("actuator") is None else list(root.find("actuator"))  # type: ignore[arg-type]
    names = {j.get("name"): i for i, j in enumerate(world.iter("joint"))}
    gear, ctrl_range, act_dof = [], [], []
    for mot in motors:
        if mot.tag != "motor":
            raise ValueError("only motors are supported")
        gear.append(_floats(dflt.get(mot, "gear"), (1.0,))[0])
        limited = (dflt.get(mot, "ctrllimited") or "false") == "true"
        ctrl_range.append(_floats(dflt.get(mot, "ctrlrange"), (0.0, 0.0)) if limited else (-np.inf, np.inf))
        act_dof.append(names[mot.get("joint")])

    return Model(
        timestep=float(opt.get("timestep", 0.002)),
        gravity=float(gravity[2]),
        iterations=int(opt.get("iterations", 100)),
        tolerance=float(opt.get("tolerance", 1e-8)),
        ls_iterations=int(opt.get("ls_iterations", 50)),
        ls_tolerance=float(opt.get("ls_tolerance", 0.01)),
        impratio=float(opt.get("impratio", 1.0)),
        parent=tuple(parent),
        body_pos=np.array(body_pos),
        body_mass=mass,
        body_com=com,
        body_iyy=iyy,
        dof_body=tuple(d["body"] for d in dofs),
        dof_kind=tuple(d["kind"] for d in dofs),
        dof_damping=np.array([d["damping"] for d in dofs]),
        dof_stiffness=np.array([d["stiffness"] for d in dofs]),
        dof_armature=np.array([d["armature"] for d in dofs]),
        qpos_spring=np.array([d["ref"] for d in dofs]),
        jnt_limited=np.array([d["limited"] for d in dofs]),
        jnt_range=np.array([d["range"] for d in dofs]),
        jnt_solref=np.array([d["solref"] for d in dofs]),
        jnt_solimp=np.array([d["solimp"] for d in dofs]),
        capsules=tuple(capsules),
        capsule_friction=np.array([c.friction for c in capsules]),
        capsule_mask=np.ones(len(capsules)),
        gear=np.array(gear),
        ctrl_range=np.array(ctrl_range),
        act_dof=tuple(act_dof),
    )


@cache
def load(path: str | None = None) -> Model:
    """The model of Gymnasium's half_cheetah.xml with MuJoCo's inverse weights at qpos0 (computed in float64)."""
    from envs.cheetahjax import physics

    base = parse(path or model_path())
    body_w, dof_w = physics.invweights(base)
    return base.with_(body_invweight=body_w, dof_invweight=dof_w)
