"""Languages run one process per block (javascript, ruby, r, powershell, applescript): no state is kept
between blocks, which the system message tells the model."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from localinterp.runners.base import Output, ProcessRunner, RunResult, install_root

# language -> (programs to try, file suffix, extra arguments before the file)
PROGRAMS: dict[str, tuple[tuple[str, ...], str, tuple[str, ...]]] = {
    "javascript": (("node",), ".js", ()),
    "ruby": (("ruby",), ".rb", ()),
    "r": (("Rscript",), ".R", ()),
    "powershell": (("pwsh", "powershell"), ".ps1", ("-NoProfile", "-NonInteractive", "-File")),
    "applescript": (("osascript",), ".applescript", ()),
}


# How a block reaches its program without a copy staying on disk: a POSIX shell opens the private file,
# deletes it, then starts node with the open file as its stdin (node reads a whole program from stdin
# before running it, and /dev/fd/N fails because node resolves its script's real path). The others (ruby,
# Rscript, pwsh, which wants a .ps1 name, osascript) are not installed here, so they keep reading the
# private file, which is deleted when the block ends.
_FROM_STDIN = ("javascript",)
_OPEN_AND_DELETE = 'exec 9<"$1" && rm -f -- "$1" && shift && exec "$@" - 0<&9 9<&-'


class OneShotRunner(ProcessRunner):
    """Writes the block to a private file and runs the language's program on it."""

    persistent = False

    def __init__(self, language: str, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.language = language
        programs, self._suffix, self._args = PROGRAMS[language]
        program = next((shutil.which(p) for p in programs if shutil.which(p)), None)
        if program is None:
            raise FileNotFoundError(f"none of {', '.join(programs)} is installed")
        self._program = program
        self._file: Path | None = None

    def prepare(self, code: str) -> None:
        self._remove_file()
        # Sandboxed, the block goes to the runner's own folder: strict mode does not let it read /tmp.
        fd, path = tempfile.mkstemp(prefix="localinterp-block-", suffix=self._suffix, dir=self.scratch())
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(code + "\n")
        self._file = Path(path)

    def command(self) -> list[str]:
        assert self._file is not None
        if os.name == "posix" and self.language in _FROM_STDIN:
            return ["/bin/sh", "-c", _OPEN_AND_DELETE, "sh", str(self._file), self._program, *self._args]
        return [self._program, *self._args, str(self._file)]

    def program_files(self) -> list[Path]:
        return [install_root(self._program), install_root("/bin/sh")]

    def send(self, code: str, marker: str) -> None:
        assert self._proc is not None and self._proc.stdin is not None
        self._proc.stdin.close()  # the program reads nothing from us: EOF at once

    def _run(self, code: str, stop: object) -> Iterator[Output | RunResult]:
        try:
            yield from super()._run(code, stop)  # type: ignore[arg-type]
        finally:
            self._remove_file()

    def _remove_file(self) -> None:
        if self._file is not None:
            self._file.unlink(missing_ok=True)
            self._file = None

    def close(self) -> None:
        super().close()
        self._remove_file()
