"""Shell blocks on Windows, in one persistent cmd.exe: the working directory and variables survive.

Each block is written to a batch file and run by a second, small batch file that we `call` with one line
on cmd's stdin:

    @echo off
    @(call )                        <- ERRORLEVEL 0: builtins such as echo never reset it
    @call "block7.cmd" <NUL         <- stdin from NUL: `set /p`, `pause`, `more` do not wait on us
    @echo MARKER %ERRORLEVEL%       <- expanded only after the block, one line being parsed at a time
    @echo MARKER 1>&2

Blocks are written the way cmd is typed at its prompt, which is how models and people write it; the one
difference that breaks such code in a batch file, FOR's `%i` (a batch file needs `%%i`), is translated
(`as_batch`).

One line per block: Wine's cmd.exe drops whatever follows the first line of what it reads from a pipe at
once, and a single line is safe with any cmd. Files are written with CRLF line ends (`goto` misbehaves in LF-only files)
in the code page cmd reads them in.

Ctrl-C: cmd.exe has no process group to signal, and Ctrl-Break makes it stop at "Terminate batch job
(Y/N)?" and wait for an answer. So an interrupt ends the programs the block started (the block then runs
on to its end); a block still running after the grace (a loop of builtins) costs the shell, which is
killed and started again with a note, like a crash.
"""

from __future__ import annotations

import codecs
import contextlib
import io
import locale
import os
import queue
import re
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from localinterp.runners.base import ProcessRunner

READY_TIMEOUT_S = 60.0  # cmd.exe answers at once; Wine's first start in a new prefix takes seconds
# A FOR loop's variable as typed at the prompt: `for %i in (`, `for /f "tokens=*" %a in (`, `for /L %n in (`.
_FOR_VARIABLE = re.compile(r"(?i:\bfor\b)[^\n]*?(?<!%)%([A-Za-z])\s+(?i:in)\s*\(")


class CmdRunner(ProcessRunner):
    """`cmd.exe /Q /D`: no echo of commands, no AutoRun commands from the registry."""

    language = "shell"
    restart_note = " (a block that runs `exit` without /b ends cmd.exe too)"

    def __init__(
        self,
        *,
        program: Sequence[str] | None = None,
        host_path: Callable[[Path], str] = str,
        encoding: str | None = None,
        **kwargs: object,
    ) -> None:
        """`program`: how to start cmd.exe (default: %COMSPEC%); `host_path`: how cmd.exe names one of our
        files (Wine sees /tmp/x as Z:\\tmp\\x); `encoding`: its code page (default: the console's)."""
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._program = list(program) if program else [os.environ.get("COMSPEC") or "cmd.exe"]
        self._host_path = host_path
        self.encoding = encoding or _default_encoding()
        self._dir = Path(tempfile.mkdtemp(prefix="localinterp-cmd-"))
        self._count = 0

    def command(self) -> list[str]:
        return [*self._program, "/Q", "/D"]

    def decoder(self) -> codecs.IncrementalDecoder:
        # CRLF -> LF, also when a chunk ends between the two.
        inner = codecs.getincrementaldecoder(self.encoding)(errors="replace")
        return io.IncrementalNewlineDecoder(inner, translate=True)  # type: ignore[return-value]

    def _write_line(self, line: str) -> None:
        assert self._proc is not None and self._proc.stdin is not None
        self._proc.stdin.write((line + "\r\n").encode(self.encoding, errors="replace"))
        self._proc.stdin.flush()

    def started(self) -> None:
        # cmd.exe greets with a banner ("Microsoft Windows [Version ...]"): read past it, so it does not
        # open the first block's output.
        token = f"__localinterp_ready_{secrets.token_hex(8)}__"
        with contextlib.suppress(OSError):
            self._write_line(f"echo {token}")
        seen = ""
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            try:
                name, chunk = self._queue.get(timeout=0.1)
            except queue.Empty:
                continue
            if chunk is None:  # it died: the block that follows reports it
                self._queue.put((name, chunk))
                return
            if name == "stdout":
                seen += chunk.decode(self.encoding, errors="replace")
                at = seen.find(token)
                if at >= 0 and "\n" in seen[at:]:
                    return

    def _file(self, name: str, lines: list[str]) -> str:
        path = self._dir / name
        path.write_bytes("".join(line + "\r\n" for line in lines).encode(self.encoding, errors="replace"))
        return self._host_path(path)

    def send(self, code: str, marker: str) -> None:
        self._count += 1
        self._dir.mkdir(parents=True, exist_ok=True)  # gone after a crash: close() removed it
        block = self._file(f"block{self._count}.cmd", as_batch(code).splitlines() or [""])
        wrapper = self._file(
            f"run{self._count}.cmd",
            [
                "@echo off",
                "@(call )",
                f'@call "{block}" <NUL',
                f"@echo {marker} %ERRORLEVEL%",
                f"@echo {marker} 1>&2",
            ],
        )
        self._write_line(f'call "{wrapper}"')

    def interrupt(self) -> None:
        """End what the block started; the block itself then runs on to its end (see the module's doc)."""
        if not self.alive:
            return
        import psutil

        assert self._proc is not None
        try:
            children = psutil.Process(self._proc.pid).children(recursive=True)
        except psutil.Error:
            return
        for child in children:
            with contextlib.suppress(psutil.Error):
                child.kill()

    def close(self) -> None:
        super().close()
        shutil.rmtree(self._dir, ignore_errors=True)


def as_batch(code: str) -> str:
    """`code`, typed-at-the-prompt style, as a batch file says it: each FOR variable `%i` becomes `%%i`,
    with its modifiers (`%~nxi`). At the prompt, `for %i in (*) do echo %i` works; in a batch file it is
    a syntax error. Code that already writes `%%` is batch style and left as it is."""
    if "%%" in code:
        return code
    variables = set()
    for loop in _FOR_VARIABLE.finditer(code):
        first = loop.group(1)
        tokens = re.search(r"tokens=([0-9,*\-]+)", loop.group(0), re.IGNORECASE)
        # `for /f "tokens=1,3*" %a` also defines %b and %c: one letter per token, in order.
        count = _token_count(tokens.group(1)) if tokens else 1
        last = "z" if first.islower() else "Z"
        variables.update(chr(c) for c in range(ord(first), min(ord(first) + count, ord(last) + 1)))
    for var in sorted(variables):
        # %i and %~dpi, but not the start of %info% or %i_x: a FOR variable is one letter.
        use = re.compile(rf"(?<!%)%(~[A-Za-z]*(?:\$[^:\s]+:)?)?{var}(?![A-Za-z0-9_%])")
        code = use.sub(lambda m: "%" + m.group(0), code)
    return code


def _token_count(spec: str) -> int:
    """How many variables a FOR /F `tokens=` spec defines: `1,2` 2, `1-3` 3, `*` 1, `2,3*` 3."""
    count = 0
    for item in spec.split(","):
        rest = item.endswith("*")
        item = item.rstrip("*")
        low, _, high = item.partition("-")
        if low.isdigit() and high.isdigit():
            count += max(int(high) - int(low) + 1, 1)
        elif item:
            count += 1
        count += rest
    return max(count, 1)


def _default_encoding() -> str:
    if os.name == "nt":  # pragma: no cover - Windows
        from localinterp.runners import winproc

        encoding = winproc.console_encoding()
    else:
        encoding = locale.getpreferredencoding(False)
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        return "utf-8"
