"""Running the CLI in tests: in-process through typer's runner, or as a real subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass

from typer.testing import CliRunner

from localinterp.cli import app


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


def invoke(*args: str) -> Result:
    """The CLI in this process (fast; the environment is the test's)."""
    result = CliRunner().invoke(app, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Result(result.exit_code, result.stdout, result.stderr)


def run_cli(*args: str, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """The CLI the way a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "localinterp", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=timeout,
    )


def assert_one_line_error(result, code: int, *fragments: str) -> str:
    """Exit `code`, exactly one `localinterp: error:` line, last on stderr, no traceback."""
    assert result.returncode == code, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    errors = [ln for ln in lines if ln.startswith("localinterp: error: ")]
    assert len(errors) == 1 and lines[-1] == errors[0], result.stderr
    for fragment in fragments:
        assert fragment in errors[0], errors[0]
    return errors[0]
