"""Shell blocks, in one persistent bash: the working directory, variables and functions survive.

Each block is `source`d from a file with stdin from /dev/null, so a syntax error stays inside the block
(an unclosed quote cannot swallow what follows) and nothing can read the control channel. The file is
private (0600) and deleted before a line of it runs: on Linux at once, bash opening it through
localinterp's descriptor in /proc; elsewhere by bash itself once it has it open. No copy of the code stays
on disk while the block runs, or after either process is killed.
"""

from __future__ import annotations

import os
import shutil
import sys
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

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._block_fd: int | None = None  # the deleted file of the running block (Linux)

    def command(self) -> list[str]:
        return program()

    def send(self, code: str, marker: str) -> None:
        assert self._proc is not None and self._proc.stdin is not None
        self._release_block()
        fd, path = tempfile.mkstemp(prefix="localinterp-block-", suffix=".sh")
        os.write(fd, (code + "\n").encode("utf-8"))
        if sys.platform.startswith("linux"):
            # Deleted at once; bash opens it through our descriptor, which we hold until the next block.
            Path(path).unlink()
            self._block_fd = fd
            source = f". '/proc/{os.getpid()}/fd/{fd}' < /dev/null\n"
        else:
            # bash opens it on fd 9 and deletes it (an `rm` per block: ~1 ms) before running a line of it.
            os.close(fd)
            source = f"exec 9<'{path}' && rm -f '{path}'; . /dev/fd/9 < /dev/null; exec 9<&-\n"
        script = (
            source
            + "__li_status=$?\n"
            + f"printf '%s %d\\n' '{marker}' \"$__li_status\"\n"
            + f"printf '%s\\n' '{marker}' >&2\n"
        )
        try:
            self._proc.stdin.write(script.encode())
            self._proc.stdin.flush()
        except OSError:
            if not sys.platform.startswith("linux"):
                Path(path).unlink(missing_ok=True)  # the shell is gone; the run notices
            raise

    def _release_block(self) -> None:
        if self._block_fd is not None:
            os.close(self._block_fd)
            self._block_fd = None

    def close(self) -> None:
        super().close()
        self._release_block()
