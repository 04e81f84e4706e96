"""The liveness trap, reproduced: the wheel's compiled CyPong loaded the ordinary way.

Without RTLD_DEEPBIND the module's call to its own C `step` binds to glibc's obsolete regexp
`step`, so CyPong.step() silently does nothing: the observation never changes and the reward
stays 0. Two such references agree perfectly; the Pong case's liveness conditions must turn
that into an error. `FrozenPongC` is the same failure without the shipped binary (any platform).
"""

from __future__ import annotations

import dataclasses
import importlib.util
import shutil
import tempfile
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from adapters.pong_c import PongC
from adapters.pong_c.build import cy_pong_path, ensure_installed
from adapters.pong_c.cypong import libc
from adapters.pong_c.lib import PongParams
from equivcheck.adapter import Adapter, Discrete, StepResult, file_sha256
from equivcheck.case import Case
from equivcheck.errors import SetupError
from equivcheck.schema import STEP_FIELDS, KnownDifference, Schema

OBS_FIELDS = ("obs", "ball.x", "ball.y", "paddle.yl", "paddle.yr")


@cache
def load_naively() -> ModuleType:
    """Import a copy of the shipped cy_pong with the interpreter's default dlopen flags."""
    ensure_installed()
    source = cy_pong_path()
    target = Path(tempfile.mkdtemp(prefix="eqc-naive-cypong-")) / source.name
    shutil.copyfile(source, target)
    spec = importlib.util.spec_from_file_location("cy_pong", target)
    if spec is None or spec.loader is None:
        raise SetupError(f"cannot load {target}")
    try:
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    except ImportError as exc:
        raise SetupError(f"cannot import the shipped cy_pong: {exc}") from exc
    return module


class NaiveCyPong(Adapter):
    """One env of the shipped CyPong, loaded naively; state read back from the observation only."""

    name = "pong-cypong-naive"
    action_space = Discrete(3)

    def __init__(self, params: PongParams = PongParams()) -> None:
        module = load_naively()
        p = params
        self.params = p
        self.obs = np.zeros((1, 8), dtype=np.float32)
        self.actions = np.zeros(1, dtype=np.int32)
        self.rewards = np.zeros(1, dtype=np.float32)
        self.terminals = np.zeros(1, dtype=np.uint8)
        self.env = module.CyPong(
            self.obs, self.actions, self.rewards, self.terminals, 1,
            p.width, p.height, p.paddle_width, p.paddle_height, p.ball_width, p.ball_height,
            p.paddle_speed, p.ball_initial_speed_x, p.ball_initial_speed_y,
            p.ball_max_speed_y, p.ball_speed_y_increment, p.max_score, p.frameskip,
        )

    def reset(self, seed: int, options: Any = None) -> np.ndarray:
        """srand(seed) on glibc's global stream (the one CyPong draws from), then CyPong.reset()."""
        libc().srand(int(seed) & 0xFFFFFFFF)
        self.env.reset()
        return self.obs[0].copy()

    def step(self, action: Any) -> StepResult:
        """CyPong.step(), which here calls glibc's regexp `step` and changes nothing."""
        value = self.action_space.validate(action)
        self.actions[:] = value
        self.env.step()
        return StepResult(self.obs[0].copy(), np.float32(self.rewards[0]), bool(self.terminals[0]), False, {})

    def snapshot(self) -> dict[str, np.ndarray]:
        """The observation and the positions it encodes."""
        return observed_fields(self.obs[0], self.params)

    def versions(self) -> dict[str, str]:
        """The shipped module's hash."""
        return {"backend": "shipped cy_pong loaded without RTLD_DEEPBIND", "cy_pong_sha256": file_sha256(cy_pong_path())}


def observed_fields(obs: np.ndarray, p: PongParams) -> dict[str, np.ndarray]:
    """Positions decoded from an observation (float32 arithmetic)."""
    f = np.float32
    lo, hi = f(-p.paddle_height / 2), f(p.height - p.paddle_height / 2)
    return {
        "obs": obs.copy(),
        "ball.x": f(obs[2] * f(p.width)),
        "ball.y": f(obs[3] * f(p.height)),
        "paddle.yl": f(obs[0] * (hi - lo) + lo),
        "paddle.yr": f(obs[1] * (hi - lo) + lo),
    }


class FrozenPongC(PongC):
    """pong-c whose step() does nothing: the same trap without the shipped binary."""

    name = "pong-c-frozen"

    def step(self, action: Any) -> StepResult:
        """Validate the action and return the unchanged observation."""
        self.action_space.validate(action)
        return StepResult(self.handle.obs[0].copy(), np.float32(0.0), False, False, {})


def observation_case(base: Case, name: str, reference: str, candidates: list[str]) -> Case:
    """`base` compared on the observation-derived fields only (what a naive CyPong can show)."""
    hidden = tuple(p for p in base.schema.fields if p not in OBS_FIELDS + STEP_FIELDS)
    schema = Schema(base.schema.fields.values(), known=[KnownDifference(
        "cypong-state-hidden", hidden, "the shipped CyPong exposes only its observation, reward and terminal")])
    return dataclasses.replace(base, name=name, reference=reference, candidates=candidates, schema=schema,
                               components=(), invariants=(), scenarios=(), transfer=None, corpus_dir=None)


def check(pairs: tuple[tuple[str, str], ...] = ((NaiveCyPong.name, NaiveCyPong.name),
                                                 (NaiveCyPong.name, "pong-c")),
          seed: int = 1, steps: int = 400) -> list[dict[str, Any]]:
    """Run the rollout tier for each (reference, candidate) pair with the naive CyPong registered."""
    from cases.pong.case import CASE
    from equivcheck import registry
    from equivcheck.session import RunConfig, build_context, run_diff

    registry.register_adapter(NaiveCyPong.name, NaiveCyPong)
    out = []
    for ref, cand in pairs:
        case = observation_case(CASE, f"pong-naive-{cand}", ref, [cand])
        config = RunConfig(tiers=("rollout",), episodes=1, steps=steps, master_seed=seed, shrink=False,
                           save_corpus=False, track_errors=False)
        report = run_diff(build_context(case, ref, cand, config))
        out.append({"ref": ref, "cand": cand, "status": report.status, "error": report.error,
                    "first_step": report.divergences[0].step if report.divergences else None,
                    "liveness": report.liveness})
    return out


if __name__ == "__main__":
    import json

    print(json.dumps(check()))
