"""Python blocks, in one persistent interpreter process: variables and imports survive between blocks."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from localinterp.runners.base import ProcessRunner

DRIVER = Path(__file__).with_name("_python_driver.py")


class PythonRunner(ProcessRunner):
    """`python -u _python_driver.py`, fed one JSON line per block."""

    language = "python"

    def __init__(self, *, python: str = sys.executable, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.python = python

    def command(self) -> list[str]:
        return [self.python, "-u", "-X", "utf8", str(DRIVER)]

    def send(self, code: str, marker: str) -> None:
        assert self._proc is not None and self._proc.stdin is not None
        self._proc.stdin.write((json.dumps({"code": code, "marker": marker}) + "\n").encode())
        self._proc.stdin.flush()
