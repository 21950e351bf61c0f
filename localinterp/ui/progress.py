"""Download, verify and copy progress as a rich bar on stderr (bytes, speed, time left)."""

from __future__ import annotations

from typing import Any


class RichProgress:
    """Implements models.download.Progress with one rich task per file, on stderr so stdout stays clean."""

    def __init__(self, console: Any | None = None) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
            TransferSpeedColumn,
        )

        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(binary_units=True),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
            console=console or Console(stderr=True),
            transient=False,
        )
        self._task: Any = None

    def begin(self, label: str, total: int, done: int) -> None:
        """Start a bar for one file, `done` bytes already there (a resumed download)."""
        if self._task is not None:
            self.end()
        self._progress.start()
        self._task = self._progress.add_task(label, total=total, completed=done)

    def advance(self, n: int) -> None:
        """Add `n` bytes."""
        if self._task is not None:
            self._progress.advance(self._task, n)

    def end(self) -> None:
        """Finish the current bar."""
        if self._task is not None:
            self._progress.stop()
            self._task = None
