"""Languages run one process per block (javascript, ruby, r, powershell, applescript): no state is kept
between blocks, which the system message tells the model."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from localinterp.runners.base import ProcessRunner

# language -> (programs to try, file suffix, extra arguments before the file)
PROGRAMS: dict[str, tuple[tuple[str, ...], str, tuple[str, ...]]] = {
    "javascript": (("node",), ".js", ()),
    "ruby": (("ruby",), ".rb", ()),
    "r": (("Rscript",), ".R", ()),
    "powershell": (("pwsh", "powershell"), ".ps1", ("-NoProfile", "-NonInteractive", "-File")),
    "applescript": (("osascript",), ".applescript", ()),
}


class OneShotRunner(ProcessRunner):
    """Writes the block to a file and runs the language's program on it."""

    persistent = False

    def __init__(self, language: str, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.language = language
        programs, self._suffix, self._args = PROGRAMS[language]
        program = next((shutil.which(p) for p in programs if shutil.which(p)), None)
        if program is None:
            raise FileNotFoundError(f"none of {', '.join(programs)} is installed")
        self._program = program
        self._dir = Path(tempfile.mkdtemp(prefix=f"localinterp-{language}-"))
        self._file = self._dir / f"block{self._suffix}"

    def prepare(self, code: str) -> None:
        self._dir.mkdir(parents=True, exist_ok=True)
        self._file.write_text(code + "\n", encoding="utf-8")

    def command(self) -> list[str]:
        return [self._program, *self._args, str(self._file)]

    def send(self, code: str, marker: str) -> None:
        assert self._proc is not None and self._proc.stdin is not None
        self._proc.stdin.close()  # the program reads nothing from us: EOF at once

    def close(self) -> None:
        super().close()
        shutil.rmtree(self._dir, ignore_errors=True)
