"""pytest plugin: --tier, --ref, --cand, --episodes, --steps, --seed, --report-dir; corpus replays.

One master seed (random unless --seed) is printed in the header and passed to xdist workers;
each test derives its own seed from the master and its node id, so a failure replays with
`--seed MASTER` whichever worker ran it. Corpus files (cases/*/corpus/*.json) are collected
as regression tests that pass once the failure they record no longer diverges.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from equivcheck import seeding
from equivcheck.context import TIERS

_MASTER_KEY = "equivcheck_master_seed"
_master_stash = pytest.StashKey[int]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("equivcheck")
    group.addoption("--tier", default="all", help="property|interaction|rollout|transfer|all (comma-separated)")
    group.addoption("--ref", default=None, help="reference adapter name (override the case's)")
    group.addoption("--cand", default=None, help="only this candidate adapter")
    group.addoption("--episodes", type=int, default=None, help="rollout episodes per test")
    group.addoption("--steps", type=int, default=None, help="steps per episode")
    group.addoption("--seed", type=int, default=None, help="master seed (default: random, printed)")
    group.addoption("--report-dir", default=None, help="write a report per comparison test here")
    group.addoption("--executor", default="local", choices=("local", "ray"),
                    help="where rollout workers run: local processes or Ray actors (the [ray] extra)")
    group.addoption("--address", default=None, help="with --executor ray: the cluster (default: a local Ray)")
    group.addoption("--jobs", type=int, default=1, help="rollout workers (processes or Ray actors)")


def _selected_tiers(config: pytest.Config) -> set[str]:
    text = config.getoption("--tier")
    names = {t.strip() for t in text.split(",") if t.strip()}
    if "all" in names:
        return set(TIERS)
    bad = names - set(TIERS)
    if bad:
        raise pytest.UsageError(f"--tier: unknown tier(s) {', '.join(sorted(bad))}; choose from {', '.join(TIERS)}, all")
    return names


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "tier(name): the equivcheck tier a test belongs to (filtered by --tier)")
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None and _MASTER_KEY in workerinput:
        master = int(workerinput[_MASTER_KEY])
    elif config.getoption("--seed") is not None:
        master = int(config.getoption("--seed"))
    else:
        master = int.from_bytes(os.urandom(4), "little") & 0x7FFFFFFF
    config.stash[_master_stash] = master
    _selected_tiers(config)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist hook (optional: the plugin also runs without xdist): hand the controller's master seed to every worker."""
    node.workerinput[_MASTER_KEY] = node.config.stash[_master_stash]


def pytest_report_header(config: pytest.Config) -> str:
    master = config.stash[_master_stash]
    return f"equivcheck: master seed {master} (rerun with --seed {master}); tiers {config.getoption('--tier')}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    tiers = _selected_tiers(config)
    cand = config.getoption("--cand")
    keep, drop = [], []
    for item in items:
        marker = item.get_closest_marker("tier")
        params = getattr(getattr(item, "callspec", None), "params", {})
        if marker is not None and marker.args[0] not in tiers:
            drop.append(item)
        elif cand is not None and "cand" in params and params["cand"] != cand:
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if file_path.suffix == ".json" and file_path.parent.name == "corpus":
        return CorpusFile.from_parent(parent, path=file_path)
    return None


class CorpusFile(pytest.File):
    """A saved failure: one regression test that replays it."""

    def collect(self) -> Any:
        yield CorpusItem.from_parent(self, name=self.path.stem)


class CorpusItem(pytest.Item):
    """Replays one corpus file and fails while it still diverges."""

    def runtest(self) -> None:
        from equivcheck.replay import replay

        report = replay(self.path)
        if report.divergences:
            raise CorpusFailure(report)

    def repr_failure(self, excinfo: Any, style: Any = None) -> str:
        if isinstance(excinfo.value, CorpusFailure):
            from equivcheck.report.markdown import to_markdown

            return to_markdown(excinfo.value.report)
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"corpus replay {self.path.name}"


class CorpusFailure(Exception):
    """Raised by a corpus item whose failure still reproduces."""

    def __init__(self, report: Any) -> None:
        super().__init__(report.divergences[0].headline())
        self.report = report


class EquivcheckRunner:
    """The `equivcheck_run` fixture: runs one tier of a case for one candidate with the CLI's options."""

    def __init__(self, request: pytest.FixtureRequest) -> None:
        self.request = request
        self.config = request.config

    @property
    def seed(self) -> int:
        """This test's seed: derived from the master seed and the test's node id."""
        return seeding.derive(self.config.stash[_master_stash], self.request.node.nodeid)

    def __call__(self, case_name: str, tier: str, cand: str | None = None, **overrides: Any) -> Any:
        from equivcheck import registry
        from equivcheck.session import RunConfig, build_context, run_diff

        case = registry.get_case(case_name)
        ref = self.config.getoption("--ref") or case.reference
        cand = cand or self.config.getoption("--cand") or case.candidates[0]
        report_dir = self.config.getoption("--report-dir")
        run_config = RunConfig(
            tiers=(tier,),
            episodes=overrides.pop("episodes", self.config.getoption("--episodes")),
            steps=overrides.pop("steps", self.config.getoption("--steps")),
            master_seed=self.seed,
            jobs=overrides.pop("jobs", self.config.getoption("--jobs")),
            executor=overrides.pop("executor", self.config.getoption("--executor")),
            address=overrides.pop("address", self.config.getoption("--address")),
            report_dir=Path(report_dir) if report_dir else None,
            save_corpus=overrides.pop("save_corpus", True),
            **overrides,
        )
        report = run_diff(build_context(case, ref, cand, run_config))
        if report_dir:
            from equivcheck.report import write_reports

            write_reports(report, Path(report_dir), stem=f"{case.name}-{tier}-{cand}")
        return report


@pytest.fixture
def equivcheck_run(request: pytest.FixtureRequest) -> EquivcheckRunner:
    """Run an equivcheck tier from a test; returns the Report."""
    return EquivcheckRunner(request)


def assert_equivalent(report: Any) -> None:
    """Fail the test with the one-screen Markdown report unless the run certified equivalence."""
    if report.status != "equivalent":
        from equivcheck.report.markdown import to_markdown

        pytest.fail(to_markdown(report), pytrace=False)
