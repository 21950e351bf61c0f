"""Shell blocks, in one persistent bash: the working directory, variables and functions survive.

Each block is `source`d from a file with stdin from /dev/null, so a syntax error stays inside the block
(an unclosed quote cannot swallow what follows) and nothing can read the control channel. On Linux the
file is a memfd, an anonymous file in memory that bash inherits when it starts and that holds each block
in turn: it never touches a disk. (Reading a deleted file through localinterp's descriptor in /proc, the
previous way, is refused to a Landlock-sandboxed bash.) Elsewhere it is a private (0600) file that bash
opens and deletes before a line of it runs. No copy of the code stays on disk while the block runs, or
after either process is killed.
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
        self._block_fd: int | None = None  # the memfd bash reads each block from (Linux)

    def command(self) -> list[str]:
        return program()

    def _start(self, pass_fds: tuple[int, ...] = ()) -> None:
        if not sys.platform.startswith("linux"):
            super()._start(pass_fds)
            return
        self._release_block()
        self._block_fd = os.memfd_create("localinterp-block", os.MFD_CLOEXEC)
        super()._start((*pass_fds, self._block_fd))  # bash gets it under the same number

    def send(self, code: str, marker: str) -> None:
        assert self._proc is not None and self._proc.stdin is not None
        if self._block_fd is not None:
            data = (code + "\n").encode("utf-8")
            os.ftruncate(self._block_fd, 0)
            os.pwrite(self._block_fd, data, 0)
            # /dev/fd/N opens the memfd afresh, at its start.
            source = f". /dev/fd/{self._block_fd} < /dev/null\n"
        else:
            fd, path = tempfile.mkstemp(prefix="localinterp-block-", suffix=".sh", dir=self.scratch())
            os.write(fd, (code + "\n").encode("utf-8"))
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
            if self._block_fd is None:
                Path(path).unlink(missing_ok=True)  # the shell is gone; the run notices
            raise

    def _release_block(self) -> None:
        if self._block_fd is not None:
            os.close(self._block_fd)
            self._block_fd = None

    def close(self) -> None:
        super().close()
        self._release_block()
