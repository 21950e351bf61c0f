"""Wine's cmd.exe standing in for Windows' on Linux: how the tests and `scripts/bench_runners.py` run the
Windows shell runner (cmd.py) for real on a machine without Windows."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from localinterp.runners.cmd import CmdRunner

_DEBIAN = "/usr/lib/wine"  # Debian's wine64 package puts its programs here, not on PATH


def find_wine() -> str | None:
    """The wine64 (or wine) program, or None when Wine is not installed."""
    for candidate in (shutil.which("wine64"), shutil.which("wine"), f"{_DEBIAN}/wine64"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def windows_path(path: Path) -> str:
    """How Wine's programs name a Unix path: its Z: drive is the Unix root."""
    return "Z:" + str(path).replace("/", "\\")


def cmd_runner(wine: str, prefix: Path, **kwargs: object) -> CmdRunner:
    """A CmdRunner on Wine's cmd.exe, with its Wine configuration in `prefix` (made at first start)."""
    settings = [
        f"WINEPREFIX={prefix}",
        "WINEDEBUG=-all",
        "WINEDLLOVERRIDES=mscoree,mshtml=",  # no Mono or Gecko installer at first start
    ]
    program = ["env", *settings, wine, "cmd.exe"]
    runner = CmdRunner(program=program, host_path=windows_path, **kwargs)  # type: ignore[arg-type]
    # The first Wine program starts the prefix's wineserver, which inherits the runner's tag; the tag
    # sweep would kill it while it still writes the prefix, and Wine's own programs would then be
    # missing. Wine's processes stay in the runner's session and end with its group (and stop_server).
    runner.sweeps_tagged = False
    return runner


def stop_server(prefix: Path) -> None:
    """End the Wine server of `prefix`, which otherwise lingers a few seconds after its last program."""
    server = shutil.which("wineserver") or f"{_DEBIAN}/wineserver64"
    if os.access(server, os.X_OK):
        subprocess.run([server, "-k"], env={**os.environ, "WINEPREFIX": str(prefix)}, check=False)
