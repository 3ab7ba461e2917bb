"""A progress bar with rate and ETA on a terminal (rich, on stderr); nothing otherwise."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from bot.audit.export import DayFile
from bot.audit.runner import Progress as RunProgress


class _Bar:
    def __init__(self, progress: Progress, total: int) -> None:
        self._progress = progress
        self._task = progress.add_task("day files", total=total, messages=0, rate="")
        self._messages = 0

    def advance(self, day_file: DayFile, messages: int) -> None:
        self._messages += messages
        task = self._progress.tasks[self._task]
        elapsed = task.elapsed or 0.0
        rate = f"{self._messages / elapsed:,.0f} msg/s" if elapsed > 0 else ""
        self._progress.update(
            self._task, advance=1, description=day_file.path, messages=self._messages, rate=rate
        )


@contextmanager
def terminal_progress() -> Iterator[Callable[[int], RunProgress] | None]:
    if not sys.stdout.isatty():
        yield None
        return
    progress = Progress(
        TextColumn("{task.description}", style="dim"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[messages]:,} messages {task.fields[rate]}"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    with progress:
        yield lambda total: _Bar(progress, total)
