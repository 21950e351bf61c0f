"""Python blocks, in one persistent interpreter process: variables and imports survive between blocks."""

from __future__ import annotations

import json
import os
import sys
import threading
from pathlib import Path

from localinterp.runners.base import ProcessRunner

DRIVER = Path(__file__).with_name("_python_driver.py")


class PythonRunner(ProcessRunner):
    """`python -u _python_driver.py`, fed one JSON line per block.

    On POSIX the driver also reports which line of the block is running (sampled every 0.1 s from another
    thread, so it costs nothing per line) through a pipe of its own; it arrives as Output("line", "N").
    """

    language = "python"

    def __init__(self, *, python: str = sys.executable, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.python = python
        self._line_fd: int | None = None

    def command(self) -> list[str]:
        extra = [f"--line-fd={self._line_fd}"] if self._line_fd is not None else []
        return [self.python, "-u", "-X", "utf8", str(DRIVER), *extra]

    def _start(self, pass_fds: tuple[int, ...] = ()) -> None:
        if os.name != "posix":
            super()._start(pass_fds)
            return
        read_fd, write_fd = os.pipe()
        self._line_fd = write_fd
        try:
            super()._start((*pass_fds, write_fd))
        finally:
            os.close(write_fd)  # the child has its copy; ours would keep the pipe open forever
            self._line_fd = None
        pipe = os.fdopen(read_fd, "rb", buffering=0)
        threading.Thread(target=self._pump, args=("line", pipe, self._queue), daemon=True).start()

    def send(self, code: str, marker: str) -> None:
        assert self._proc is not None and self._proc.stdin is not None
        self._proc.stdin.write((json.dumps({"code": code, "marker": marker}) + "\n").encode())
        self._proc.stdin.flush()
