"""The run context every tier reads: what to run (RunConfig), the pair under test (RunContext).

Tiers depend on this module; `session` depends on the tiers. Nothing here imports a tier.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from equivcheck import corpus
from equivcheck.case import Case
from equivcheck.report.model import Divergence, Shrink

TIERS = ("property", "interaction", "rollout", "transfer")
DEFAULT_TIERS = ("property", "interaction", "rollout")
"""Every tier but transfer: L1 and L2 catch what rollouts rarely reach; L4 trains policies (minutes)."""


@dataclass
class RunConfig:
    """What to run and how much of it. None means the case's default."""

    tiers: tuple[str, ...] = DEFAULT_TIERS
    runner: str | None = None
    episodes: int | None = None
    steps: int | None = None
    master_seed: int = 0
    jobs: int = 1
    batch: int = 0
    shrink: bool = True
    save_corpus: bool = True
    report_dir: Path | None = None
    progress: bool = False
    max_examples: int | None = None
    episode_offset: int = 0
    track_errors: bool = True
    deadline: float | None = None
    only: tuple[str, ...] = ()


@dataclass
class RunContext:
    """The pair under test and how to build fresh adapters for it."""

    case: Case
    ref_name: str
    cand_name: str
    config: RunConfig
    make_ref: Callable[[], Any]
    make_cand: Callable[[], Any]
    versions: dict[str, dict[str, str]] = field(default_factory=dict)
    replay_path: str = ""

    def diff_command(self, **overrides: Any) -> str:
        """The `equivcheck diff` command line that reruns this configuration (or a part of it)."""
        cfg = self.config
        args = ["equivcheck", "diff", "--case", self.case.name, "--ref", self.ref_name, "--cand", self.cand_name]
        opts = {
            "tier": ",".join(cfg.tiers),
            "runner": cfg.runner,
            "episodes": cfg.episodes,
            "steps": cfg.steps,
            "seed": cfg.master_seed,
            "episode": None,
        }
        opts.update(overrides)
        for key, value in opts.items():
            if value is not None:
                args += [f"--{key.replace('_', '-')}", str(value)]
        return shlex.join(args)

    def save_failure(self, entry: corpus.ReplayFile) -> Path | None:
        """Save a replay file to the case corpus (or the report dir when the corpus is off)."""
        entry.versions = self.versions
        directory = self.case.corpus_dir if self.config.save_corpus else None
        if directory is None and self.config.report_dir is not None:
            directory = self.config.report_dir / "replays"
        if directory is None:
            return None
        return corpus.save(entry, directory)

    def finish_divergence(self, div: Divergence, entry: corpus.ReplayFile | None) -> Divergence:
        """Attach the saved replay file and its one-line repro command."""
        path = self.save_failure(entry) if entry is not None else None
        if path is not None:
            div.corpus_file = str(path)
            div.repro = f"equivcheck replay {shlex.quote(str(path))}"
        elif not div.repro:
            div.repro = self.diff_command()
        return div


def adapter_versions(adapter: Any) -> dict[str, str]:
    """versions() of an adapter, never raising (a failure is recorded as text)."""
    try:
        return {str(k): str(v) for k, v in adapter.versions().items()}
    except Exception as exc:  # noqa: BLE001
        return {"error": f"versions() raised {type(exc).__name__}: {exc}"}


def build_context(case: Case, ref_name: str, cand_name: str, config: RunConfig) -> RunContext:
    """Resolve adapters through the registry, run their setup once, and start each once for versions().

    A backend that cannot start raises SetupError here, before any work, as a one-line error.
    """
    from equivcheck import registry

    ref_opts = case.adapter_options.get(ref_name, {})
    cand_opts = case.adapter_options.get(cand_name, {})
    registry.setup_adapter(ref_name)
    registry.setup_adapter(cand_name)
    ctx = RunContext(
        case,
        ref_name,
        cand_name,
        config,
        lambda: registry.make_adapter(ref_name, **ref_opts),
        lambda: registry.make_adapter(cand_name, **cand_opts),
    )
    for side, make in (("ref", ctx.make_ref), ("cand", ctx.make_cand)):
        adapter = make()
        try:
            ctx.versions[side] = adapter_versions(adapter)
        finally:
            adapter.close()
    return ctx


def shrink_record(original: int, actions: list[Any], replays: int, seconds: float) -> Shrink:
    """A Shrink record for the report."""
    return Shrink(original_steps=original, shrunk_steps=len(actions), actions=actions, replays=replays, seconds=seconds)
