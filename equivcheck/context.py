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
from equivcheck.errors import SetupError
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
    executor: str = "local"
    """Where parallel rollout episodes run: "local" (spawned processes, with jobs > 1) or "ray"."""
    address: str | None = None
    """The Ray cluster to join (auto, host:port, ray://host:port); None starts a local Ray runtime."""
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


def build_context(case: Case, ref_name: str, cand_name: str, config: RunConfig,
                  setup_progress: Callable[[str], None] | None = None, probe: bool = True) -> RunContext:
    """Resolve adapters through the registry, run their setup once, and start each once for versions().

    A backend that cannot start (its constructor or versions() raises) is a SetupError here, before
    any episode, as a one-line error. `setup_progress` gets the lines of a first-use install or
    build; `probe=False` skips the start (a --jobs worker, whose parent already probed).
    """
    from equivcheck import registry

    ref_opts = case.adapter_options.get(ref_name, {})
    cand_opts = case.adapter_options.get(cand_name, {})
    for name in (ref_name, cand_name):
        registry.setup_adapter(name, progress=_labelled(setup_progress, name))
    ctx = RunContext(
        case,
        ref_name,
        cand_name,
        config,
        lambda: registry.make_adapter(ref_name, **ref_opts),
        lambda: registry.make_adapter(cand_name, **cand_opts),
    )
    if probe:
        for side, name, make in (("ref", ref_name, ctx.make_ref), ("cand", cand_name, ctx.make_cand)):
            ctx.versions[side] = probe_adapter(name, make)
    return ctx


def probe_adapter(name: str, make: Callable[[], Any]) -> dict[str, str]:
    """Start the adapter `name` once and ask its versions(); any fault is a SetupError naming it."""
    adapter = make()
    try:
        versions = adapter.versions()
        return {str(k): str(v) for k, v in versions.items()}
    except SetupError:
        raise
    except Exception as exc:  # noqa: BLE001 - a backend that cannot answer versions() cannot run
        text = (str(exc).strip().splitlines() or [""])[0]
        raise SetupError(f"adapter '{name}' failed to start: {type(exc).__name__}: {text}") from exc
    finally:
        try:
            adapter.close()
        except Exception:  # noqa: BLE001, S110 - the probe's verdict is what matters
            pass


def _labelled(progress: Callable[[str], None] | None, name: str) -> Callable[[str], None] | None:
    """`progress` with each line prefixed by the adapter's name (None stays None)."""
    if progress is None:
        return None
    return lambda message: progress(f"setup {name}: {message}")


def shrink_record(original: int, actions: list[Any], replays: int, seconds: float) -> Shrink:
    """A Shrink record for the report."""
    return Shrink(original_steps=original, shrunk_steps=len(actions), actions=actions, replays=replays, seconds=seconds)
