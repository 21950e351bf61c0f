"""Where code runs: one runner per language, all behind `Runner.run(code) -> Iterator[Output | RunResult]`.

Runners are subprocesses that can be signalled and killed. Each starts in the sandbox the user chose
(sandbox.py: workspace, strict or off); with it off, model-written code runs with the user's rights,
which is why the interpreter asks before each block unless told not to.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from localinterp.runners.base import DEFAULT_TIMEOUT_S, Output, ProcessRunner, RunResult
from localinterp.sandbox import Sandbox

__all__ = ["DEFAULT_TIMEOUT_S", "Output", "ProcessRunner", "RunResult", "Runners", "shell_program"]


class Runners:
    """One runner per language, started on first use and closed together."""

    def __init__(
        self,
        languages: Sequence[str],
        *,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        cwd: str | None = None,
        python: str | None = None,
        sandbox: Sandbox | None = None,
    ):
        self.languages = tuple(languages)
        self.timeout_s = timeout_s
        self.cwd = cwd
        self.python = python  # the interpreter for python blocks (runners.python.user_python); None: ours
        self.sandbox = sandbox or Sandbox()
        self._runners: dict[str, ProcessRunner] = {}

    def set_timeout(self, seconds: float) -> None:
        """The time limit of every later block, in running interpreters too."""
        self.timeout_s = seconds
        for runner in self._runners.values():
            runner.timeout_s = seconds

    def set_sandbox(self, sandbox: Sandbox) -> bool:
        """Run later blocks in `sandbox`. True when running interpreters were ended for it (their state,
        variables and working directory, is gone)."""
        if sandbox == self.sandbox:
            return False
        self.sandbox = sandbox
        had_state = any(r.persistent and r.alive for r in self._runners.values())
        self.close()
        return had_state

    def get(self, language: str) -> ProcessRunner:
        """The runner for `language` (canonical name), created on first use."""
        if language not in self.languages:
            raise KeyError(language)
        if language not in self._runners:
            runner = _make(language, self.timeout_s, self.cwd, self.python)
            runner.sandbox = self.sandbox
            self._runners[language] = runner
        return self._runners[language]

    def close(self) -> None:
        """End every interpreter process."""
        for runner in self._runners.values():
            runner.close()
        self._runners.clear()


def shell_program() -> str:
    """What runs "shell" blocks here, as the system message names it: cmd.exe on Windows, else bash (or sh)."""
    if os.name == "nt":
        return "cmd.exe"
    from localinterp.runners.shell import program

    return Path(program()[0]).name


def _make(language: str, timeout_s: float, cwd: str | None, python: str | None) -> ProcessRunner:
    if language == "python":
        from localinterp.runners.python import PythonRunner

        return PythonRunner(timeout_s=timeout_s, cwd=cwd, python=python or sys.executable)
    if language == "shell" and os.name == "nt":  # pragma: no cover - Windows
        from localinterp.runners.cmd import CmdRunner

        return CmdRunner(timeout_s=timeout_s, cwd=cwd)
    if language == "shell":
        from localinterp.runners.shell import ShellRunner

        return ShellRunner(timeout_s=timeout_s, cwd=cwd)
    from localinterp.runners.oneshot import OneShotRunner

    return OneShotRunner(language, timeout_s=timeout_s, cwd=cwd)
