"""Python blocks, in one persistent interpreter process: variables and imports survive between blocks."""

from __future__ import annotations

import functools
import json
import os
import sys
import threading
from pathlib import Path

from localinterp.runners.base import ProcessRunner

DRIVER = Path(__file__).with_name("_python_driver.py")
MIN_VERSION = (3, 8)  # what _python_driver.py needs
# Imported into the namespace before the first block, as a REPL's startup file would: the models forget
# them (the 0.5B's blocks failed 37 times in one evaluation on `json`, `csv` or `os` not defined, and the
# fix cost it the task more often than not). The README names them; the system message does not, so
# that the model's own imports stay as they were. The second row came later: the 1.5B, told `add import
# hashlib`, wrote its block again without it (sha256, fresh seed 10000), and both models forgot zipfile.
# Each is used as module.function; datetime and collections are not here, since `datetime.now()` after a
# preloaded `import datetime` fails where the missing import's NameError names the fix. (The second row
# costs the interpreter about 8 MB, half of it OpenSSL for hashlib, and some 30 ms at its start.)
PRELOADED = ("csv", "json", "math", "os", "re", "sys")
PRELOADED += ("glob", "gzip", "hashlib", "shutil", "sqlite3", "subprocess", "tarfile", "zipfile")


def user_python(setting: str | None = None) -> tuple[str, str]:
    """The Python interpreter blocks run in, and a note for the user when it is not theirs.

    By default the user's own `python3` on PATH, outside localinterp's virtual environment: their
    packages are importable and a block's `pip install` lands where they expect, not in localinterp's
    venv. `setting` (the `python` setting) names one explicitly. Without either, localinterp's own.
    """
    import shutil
    import subprocess

    if setting:
        found = shutil.which(setting) or (setting if Path(setting).is_file() else None)
        if found is None:
            from localinterp.errors import BadInput

            raise BadInput(
                f"python = {setting!r}: no such program; name a Python interpreter (path or command)."
            )
        return found, ""
    ours = Path(sys.prefix).resolve()
    in_venv = sys.prefix != sys.base_prefix
    path = os.environ.get("PATH", "")
    for name in ("python3", "python"):
        for folder in path.split(os.pathsep):
            if not folder or (in_venv and Path(folder).resolve().is_relative_to(ours)):
                continue
            candidate = shutil.which(name, path=folder)
            if candidate is None:
                continue
            try:
                probe = subprocess.run(
                    [candidate, "-c", "import sys; print(*sys.version_info[:2])"],
                    capture_output=True, text=True, timeout=10, check=False,
                )  # fmt: skip
                version = tuple(int(x) for x in probe.stdout.split())
            except (OSError, ValueError, subprocess.TimeoutExpired):
                continue
            if version >= MIN_VERSION:
                return candidate, ""
    return sys.executable, (
        "No python3 found on PATH outside localinterp's own environment: Python blocks run in "
        f"localinterp's ({sys.executable}), so a block's `pip install` lands there. Set `python` in the "
        "config to choose another."
    )


@functools.cache
def interpreter_paths(python: str) -> tuple[Path, ...]:
    """Where `python` keeps its standard library and packages (asked of it once): what the strict
    sandbox lets it read besides the system's folders."""
    import subprocess

    ask = "import sys, json; print(json.dumps([sys.prefix, sys.base_prefix, sys.exec_prefix, *sys.path]))"
    try:
        out = subprocess.run([python, "-c", ask], capture_output=True, text=True, timeout=30, check=True)
        found = [Path(p) for p in json.loads(out.stdout) if p]
    except (OSError, ValueError, subprocess.SubprocessError):
        found = []
    return (Path(python).resolve().parent.parent, *(p for p in found if p.is_absolute()))


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
        return [self.python, "-u", "-X", "utf8", str(DRIVER), f"--preload={','.join(PRELOADED)}", *extra]

    def program_files(self) -> list[Path]:
        return [*interpreter_paths(self.python), DRIVER.parent]

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
