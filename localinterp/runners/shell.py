"""Shell blocks, in one persistent bash: the working directory, variables and functions survive.

Each block is `source`d from a file with stdin from /dev/null, so a syntax error stays inside the block
(an unclosed quote cannot swallow what follows) and nothing can read the control channel. The file is
private (0600) and bash deletes it once it has it open, before running a line of it: no copy of the code
stays on disk while the block runs, or after either process is killed.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from localinterp.runners.base import ProcessRunner


def program() -> list[str]:
    """bash without the user's startup files (their prompts and aliases are not the model's), else sh."""
    bash = shutil.which("bash")
    return [bash, "--noprofile", "--norc"] if bash else [shutil.which("sh") or "/bin/sh"]


class ShellRunner(ProcessRunner):
    """`bash --noprofile --norc`, or `sh` where there is no bash."""

    language = "shell"
    restart_note = " (a block that runs `exit` ends the shell too)"

    def command(self) -> list[str]:
        return program()

    def send(self, code: str, marker: str) -> None:
        assert self._proc is not None and self._proc.stdin is not None
        fd, path = tempfile.mkstemp(prefix="localinterp-block-", suffix=".sh")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(code + "\n")
        # Descriptor 9 holds the deleted file while `.` reads it (bash reads a sourced file whole first).
        script = (
            f"exec 9<'{path}' && rm -f '{path}'; . /dev/fd/9 < /dev/null\n"
            f"__li_status=$?; exec 9<&-\n"
            f"printf '%s %d\\n' '{marker}' \"$__li_status\"\n"
            f"printf '%s\\n' '{marker}' >&2\n"
        )
        try:
            self._proc.stdin.write(script.encode())
            self._proc.stdin.flush()
        except OSError:
            Path(path).unlink(missing_ok=True)  # the shell is gone; the run notices
            raise
