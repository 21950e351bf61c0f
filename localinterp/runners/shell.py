"""Shell blocks, in one persistent bash: the working directory, variables and functions survive.

Each block is written to a file and `source`d with stdin from /dev/null, so a syntax error stays inside
the block (an unclosed quote cannot swallow what follows) and nothing can read the control channel.
"""

from __future__ import annotations

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

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._dir = Path(tempfile.mkdtemp(prefix="localinterp-shell-"))
        self._count = 0

    def command(self) -> list[str]:
        return program()

    def send(self, code: str, marker: str) -> None:
        assert self._proc is not None and self._proc.stdin is not None
        self._count += 1
        self._dir.mkdir(parents=True, exist_ok=True)  # gone after a crash: close() removed it
        block = self._dir / f"block{self._count}.sh"
        block.write_text(code + "\n", encoding="utf-8")
        script = (
            f". '{block}' < /dev/null\n"
            f"__li_status=$?\n"
            f"printf '%s %d\\n' '{marker}' \"$__li_status\"\n"
            f"printf '%s\\n' '{marker}' >&2\n"
        )
        self._proc.stdin.write(script.encode())
        self._proc.stdin.flush()

    def close(self) -> None:
        super().close()
        shutil.rmtree(self._dir, ignore_errors=True)
