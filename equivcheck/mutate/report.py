"""The mutation report: per-mutant outcomes, the score, per-tier kills, time to kill, survivors.

Score = killed / (killed + survived + timeout), over mutants not marked equivalent. A crashed
mutant (does not import, or its run died) is left out of the score, like a mutant that does
not compile; an error (e.g. a mutant the run never loaded) makes the whole run exit 2.
Marks live in a text file (`--equivalent FILE`): one mutant id per line, `#` starts a comment.
"""

from __future__ import annotations

import json
import statistics
import time
from collections import Counter
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from equivcheck.errors import UsageError

STATUSES = ("killed", "survived", "timeout", "crashed", "error", "not run")


@dataclass
class MutantResult:
    """What happened to one mutant."""

    id: str
    module: str
    operator: str
    lineno: int
    scope: str
    before: str
    after: str
    status: str = "error"
    tier: str = ""
    item: str = ""
    episode: int | None = None
    step: int | None = None
    seconds: float | None = None
    wall: float = 0.0
    detail: str = ""
    equivalent: str | None = None
    tier_seconds: dict[str, float] = field(default_factory=dict)
    reached: bool = True
    """False: the unmutated run never executed its statement, so it survived without being run."""

    def diff_line(self) -> str:
        """`module:line: before -> after`, one line."""
        return f"{self.module}:{self.lineno}: {_cut(self.before)}  ->  {_cut(self.after)}"


def _cut(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def load_marks(path: Path) -> dict[str, str]:
    """Mutant id -> the note after it, from an equivalence file; UsageError when it cannot be read."""
    try:
        lines = path.read_text().splitlines()
    except OSError as exc:
        raise UsageError(f"--equivalent: cannot read {path}: {exc.strerror or exc}") from exc
    marks = {}
    for line in lines:
        body, _, note = line.partition("#")
        if body.strip():
            if len(body.split()) != 1:
                raise UsageError(f"--equivalent {path}: one mutant id per line, got {line.strip()!r}")
            marks[body.strip()] = note.strip()
    return marks


def mark_line(result: MutantResult) -> str:
    """The line to paste into the equivalence file to mark `result` equivalent."""
    return f"{result.id}  # {result.diff_line()}"


@dataclass
class MutationReport:
    """A whole mutation run."""

    case: str
    ref: str
    cand: str
    tiers: list[str]
    seed: int
    modules: dict[str, int]
    population: int
    sample: int
    timeout: float
    baseline_seconds: float
    results: list[MutantResult] = field(default_factory=list)
    min_score: float | None = None
    stale_marks: list[str] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0
    started: str = field(default_factory=lambda: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
    settings: dict[str, Any] = field(default_factory=dict)

    def counts(self) -> Counter:
        """Mutants per status; equivalent-marked survivors and timeouts count as 'equivalent'."""
        return Counter("equivalent" if self._excluded(r) else r.status for r in self.results)

    @staticmethod
    def _excluded(r: MutantResult) -> bool:
        return r.equivalent is not None and r.status in ("survived", "timeout")

    @property
    def scored(self) -> list[MutantResult]:
        """The mutants the score is over: killed, survived or timed out, not marked equivalent."""
        return [r for r in self.results if r.status in ("killed", "survived", "timeout") and not self._excluded(r)]

    @property
    def score(self) -> float | None:
        """Killed / scored (None when nothing could be scored)."""
        scored = self.scored
        return sum(r.status == "killed" for r in scored) / len(scored) if scored else None

    @property
    def problems(self) -> list[str]:
        """Why the run is not a valid measurement (exit 2)."""
        out = [self.error] if self.error else []
        counts = self.counts()
        if counts["error"]:
            out.append(f"{counts['error']} mutant(s) could not be judged (see 'errors')")
        if counts["not run"]:
            out.append(f"{counts['not run']} mutant(s) not run (budget or interrupt)")
        if not self.error and self.score is None:
            out.append("no mutant could be scored")
        return out

    @property
    def exit_code(self) -> int:
        """2 when the run is not a valid measurement; 1 below --min-score; else 0."""
        if self.problems:
            return 2
        if self.min_score is not None and (self.score or 0.0) < self.min_score:
            return 1
        return 0

    def tier_table(self) -> list[dict[str, Any]]:
        """Per tier (and, within L1/L2, per item): how many mutants it killed first, and their median seconds."""
        rows: dict[tuple[str, str], list[float]] = {}
        for r in self.results:
            if r.status == "killed":
                key = (r.tier, r.item if r.tier in ("property", "interaction") else "")
                rows.setdefault(key, []).append(r.seconds or 0.0)
        order = {t: i for i, t in enumerate(("property", "interaction", "rollout", "transfer"))}
        return [{"tier": t, "item": item, "killed": len(v), "median_seconds": statistics.median(v)}
                for (t, item), v in sorted(rows.items(), key=lambda kv: (order.get(kv[0][0], 9), -len(kv[1])))]

    def per_operator(self) -> list[dict[str, Any]]:
        """Per operator: killed / scored."""
        return self._group(lambda r: r.operator)

    def per_module(self) -> list[dict[str, Any]]:
        """Per module: killed / scored."""
        return self._group(lambda r: r.module)

    def _group(self, key: Any) -> list[dict[str, Any]]:
        groups: dict[str, list[MutantResult]] = {}
        for r in self.results:
            groups.setdefault(key(r), []).append(r)
        counted = {r.id for r in self.scored}
        rows = []
        for name, rs in sorted(groups.items()):
            scored = [r for r in rs if r.id in counted]
            killed = sum(r.status == "killed" for r in scored)
            rows.append({"name": name, "mutants": len(rs), "scored": len(scored), "killed": killed,
                         "score": killed / len(scored) if scored else None})
        return rows

    def not_reached(self) -> list[dict[str, Any]]:
        """Scopes (functions, classes) with mutants the unmutated run never executed: what it did not exercise."""
        groups: dict[tuple[str, str], int] = {}
        for r in self.results:
            if not r.reached:
                key = (r.module, r.scope or "<module>")
                groups[key] = groups.get(key, 0) + 1
        return [{"module": m, "scope": s, "mutants": n} for (m, s), n in sorted(groups.items())]

    def time_to_kill(self) -> dict[str, float]:
        """Seconds from a mutant's process start to its kill: min, quartiles, p90, max."""
        times = sorted(r.seconds for r in self.results if r.status == "killed" and r.seconds is not None)
        if not times:
            return {}
        q = statistics.quantiles(times, n=10, method="inclusive") if len(times) > 1 else [times[0]] * 9
        quart = statistics.quantiles(times, n=4, method="inclusive") if len(times) > 1 else [times[0]] * 3
        return {"n": len(times), "min": times[0], "p25": quart[0], "median": quart[1], "p75": quart[2],
                "p90": q[8], "max": times[-1]}

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(score=self.score, exit_code=self.exit_code, counts=dict(self.counts()),
                    tier_table=self.tier_table(), per_operator=self.per_operator(), per_module=self.per_module(),
                    time_to_kill=self.time_to_kill(), not_reached=self.not_reached(), problems=self.problems)
        return data

    def markdown(self) -> str:
        """The report as Markdown: score, kill tables, time to kill, survivors with their one-line diffs."""
        c = self.counts()
        score = "n/a" if self.score is None else f"{self.score:.1%}"
        unreached = sum(not r.reached for r in self.results if r.status == "survived" and r.equivalent is None)
        lines = [f"# Mutation report: {self.cand} vs {self.ref} (case {self.case})", "",
                 f"**Score {score}**: {c['killed']} killed of {len(self.scored)} scored "
                 f"({c['survived']} survived, {unreached} of them never reached; {c['timeout']} timed out; "
                 f"{c['equivalent']} marked equivalent, "
                 f"{c['crashed']} crashed, {c['error']} errors, {c['not run']} not run).",
                 "",
                 f"Sample {self.sample} of {self.population} mutants (seed {self.seed}) from "
                 + ", ".join(f"`{m}` ({n})" for m, n in self.modules.items())
                 + f"; tiers {', '.join(self.tiers)}; timeout {self.timeout:.0f}s per mutant; "
                 f"baseline (unmutated) {self.baseline_seconds:.1f}s; {self.seconds:.0f}s in all.", ""]
        if self.min_score is not None:
            verdict = "meets" if self.exit_code == 0 else "is below"
            lines += [f"The score {verdict} --min-score {self.min_score:.1%}.", ""]
        for problem in self.problems:
            lines.append(f"- **not a valid measurement**: {problem}")
        lines += ["", "## Kills by tier (the first tier, and L1/L2 item, that diverged)", "",
                  "| tier | item | killed | median seconds |", "|---|---|---:|---:|"]
        lines += [f"| {r['tier']} | {r['item'] or '-'} | {r['killed']} | {r['median_seconds']:.1f} |"
                  for r in self.tier_table()]
        ttk = self.time_to_kill()
        if ttk:
            lines += ["", "## Time to kill (seconds from the mutant's process start)", "",
                      "| n | min | p25 | median | p75 | p90 | max |", "|---:|---:|---:|---:|---:|---:|---:|",
                      f"| {ttk['n']} | " + " | ".join(f"{ttk[k]:.1f}" for k in
                                                      ("min", "p25", "median", "p75", "p90", "max")) + " |"]
        for title, rows in (("operator", self.per_operator()), ("module", self.per_module())):
            lines += ["", f"## By {title}", "", f"| {title} | mutants | scored | killed | score |",
                      "|---|---:|---:|---:|---:|"]
            lines += [f"| {r['name']} | {r['mutants']} | {r['scored']} | {r['killed']} | "
                      f"{'-' if r['score'] is None else format(r['score'], '.0%')} |" for r in rows]
        unreached = self.not_reached()
        if unreached:
            lines += ["", "## Not reached (no line of the mutant's statement ran in the unmutated run)", "",
                      "| module | scope | mutants |", "|---|---|---:|"]
            lines += [f"| {r['module']} | {r['scope']} | {r['mutants']} |" for r in unreached]
        survivors = [r for r in self.results if r.status in ("survived", "timeout") and r.equivalent is None]
        lines += ["", f"## Survivors ({len(survivors)})", "",
                  "Each line can be pasted into the `--equivalent` file once a person has checked the mutant "
                  "cannot change behaviour.", "", "```"]
        lines += [mark_line(r) + (" [timeout]" if r.status == "timeout" else "")
                  + ("" if r.reached else " [not reached]") for r in survivors]
        lines += ["```"]
        for title, status in (("Crashed", "crashed"), ("Errors", "error"), ("Not run", "not run")):
            rows = [r for r in self.results if r.status == status]
            if rows:
                lines += ["", f"## {title} ({len(rows)})", ""]
                lines += [f"- `{r.id}` {r.diff_line()}: {r.detail}" for r in rows]
        marked = [r for r in self.results if r.equivalent is not None]
        if marked:
            lines += ["", f"## Marked equivalent ({len(marked)})", ""]
            lines += [f"- `{r.id}` {r.diff_line()}" + (f" ({r.equivalent})" if r.equivalent else "")
                      + (" **killed: the mark is wrong**" if r.status == "killed" else "") for r in marked]
        if self.stale_marks:
            lines += ["", "Marks that match no mutant (of the current source; with --rescore, of this run): "
                      + ", ".join(self.stale_marks)]
        killed = [r for r in self.results if r.status == "killed"]
        if killed:
            lines += ["", f"## Killed ({len(killed)})", "", "| mutant | diff | tier | item | step | seconds |",
                      "|---|---|---|---|---:|---:|"]
            lines += [f"| `{r.id}` | {_md(r.diff_line())} | {r.tier} | {_md(r.item)} | {r.step} | {r.seconds:.1f} |"
                      for r in killed]
        return "\n".join(lines) + "\n"

    @classmethod
    def load(cls, path: Path) -> MutationReport:
        """A report from its JSON file (derived keys are recomputed, not read)."""
        try:
            data = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise UsageError(f"--rescore: cannot read {path}: {exc}") from exc
        names = {f.name for f in fields(cls)}
        result_names = {f.name for f in fields(MutantResult)}
        report = cls(**{k: v for k, v in data.items() if k in names and k != "results"})
        report.results = [MutantResult(**{k: v for k, v in r.items() if k in result_names}) for r in data["results"]]
        return report

    def apply_marks(self, marks: dict[str, str], all_ids: set[str] | None = None) -> None:
        """Set each result's equivalence mark from `marks` (replacing earlier ones); list marks matching nothing."""
        for r in self.results:
            r.equivalent = marks.get(r.id)
        known = all_ids if all_ids is not None else {r.id for r in self.results}
        self.stale_marks = sorted(set(marks) - known)

    def write(self, report_dir: Path) -> dict[str, Path]:
        """Write `mutate-<cand>-<time>.json` and `.md`; returns their paths."""
        report_dir.mkdir(parents=True, exist_ok=True)
        base = stem = f"mutate-{self.cand}-{time.strftime('%Y%m%d-%H%M%S', time.gmtime())}"
        n = 1
        while (report_dir / f"{stem}.json").exists():
            n += 1
            stem = f"{base}-{n}"
        paths = {"json": report_dir / f"{stem}.json", "md": report_dir / f"{stem}.md"}
        paths["json"].write_text(json.dumps(self.to_dict(), indent=1, default=str))
        paths["md"].write_text(self.markdown())
        return paths


def _md(text: str) -> str:
    return text.replace("|", "\\|")
