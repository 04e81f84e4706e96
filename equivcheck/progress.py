"""A progress bar for long runs (rich), and a no-op when progress is off."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def progress_bar(enabled: bool, total: int, label: str) -> Iterator[Callable[..., None]]:
    """Yield `advance(n, description=None)`; draws a transient bar on stderr when enabled and stderr is a
    terminal (a description replaces the label, e.g. to add the divergences found so far)."""
    if not enabled or not sys.stderr.isatty():
        yield lambda n, description=None: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(label, total=total)
        yield lambda n, description=None: progress.update(task, advance=n, description=description or label)
