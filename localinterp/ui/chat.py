"""The chat in a terminal: streaming markdown, code in syntax-highlighted panels, output in its own panel,
and the approval prompt. In a pipe (or with NO_COLOR) it writes plain text with no control codes.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from localinterp.engine.types import CodeDelta, CodeEnd, CodeStart, TextDelta, TurnEnd
from localinterp.runners.base import Output, RunResult
from localinterp.session import Approval, Declined, Repeated, RunStart, StepLimit, Unrunnable


class ChatView:
    """Renders a session's chunks. One segment (prose, code, output) is live at a time."""

    def __init__(self, console: Any = None, *, debug: bool = False) -> None:
        from rich.console import Console

        self.console = console or Console(highlight=False)
        self.debug = debug
        self._live: Any = None
        self._kind = ""
        self._text = ""
        self._language = ""
        self._line = ""  # the line of the running python block, when known
        self._where = ""  # the sandbox the running block is in ("workspace sandbox", "no sandbox")
        self.runners: Any = None  # the session's Runners: the approval prompt names their sandbox

    @property
    def fancy(self) -> bool:
        """Live panels and colour: only on a terminal, and not with NO_COLOR (rich honours it too)."""
        return self.console.is_terminal and not os.environ.get("NO_COLOR")

    # -- segments -----------------------------------------------------------------------------------

    def _renderable(self) -> Any:
        from rich.markdown import Markdown
        from rich.panel import Panel
        from rich.syntax import Syntax
        from rich.text import Text

        if self._kind == "prose":
            return Markdown(self._text)
        if self._kind == "code":
            lexer = {"shell": "bash", "r": "r"}.get(self._language, self._language)
            return Panel(Syntax(self._text.rstrip("\n") or " ", lexer, theme="monokai"), title=self._language)
        title = " · ".join(
            x for x in ("output", self._where, self._line and f"running line {self._line}") if x
        )
        return Panel(Text(self._text.rstrip("\n") or " "), title=title, border_style="dim")

    def _begin(self, kind: str) -> None:
        if self._kind == kind:
            return
        self._end()
        self._kind, self._text = kind, ""
        if self.fancy:
            from rich.live import Live

            self._live = Live(
                self._renderable(), console=self.console, refresh_per_second=12, transient=False
            )
            self._live.start()
        elif kind == "code":
            self.console.file.write(f"\n```{self._language}\n")
        elif kind == "output":
            self.console.file.write(f"\n[output · {self._where}]\n" if self._where else "\n[output]\n")

    def _add(self, text: str) -> None:
        self._text += text
        if self._live is not None:
            self._live.update(self._renderable())
        else:
            self.console.file.write(text)
            self.console.file.flush()

    def _end(self) -> None:
        if self._live is not None:
            self._live.update(self._renderable())
            self._live.stop()
            self._live = None
        elif self._kind == "code":
            self.console.file.write("\n```\n" if not self._text.endswith("\n") else "```\n")
        elif self._kind == "prose" and self._text and not self._text.endswith("\n"):
            self.console.file.write("\n")
        self.console.file.flush()
        self._kind, self._text = "", ""

    def note(self, text: str, style: str = "dim") -> None:
        """A line from localinterp itself."""
        self._end()
        if self.fancy:
            from rich.text import Text

            self.console.print(Text(text, style=style))
        else:
            self.console.file.write(text + "\n")
            self.console.file.flush()

    # -- chunks -------------------------------------------------------------------------------------

    def show(self, chunk: Any) -> None:
        """Render one chunk of the session's stream."""
        if isinstance(chunk, TextDelta):
            self._begin("prose")
            self._add(chunk.text)
        elif isinstance(chunk, CodeStart):
            self._end()
            self._language = chunk.language
            self._begin("code")
        elif isinstance(chunk, CodeDelta):
            self._add(chunk.text)
        elif isinstance(chunk, CodeEnd):
            if not chunk.closed:
                self._end()
                self.note("(the code block was not finished)")
            self._end()
        elif isinstance(chunk, RunStart):
            self._end()
            self._line = ""
            self._where = chunk.sandbox
        elif isinstance(chunk, Output) and chunk.stream == "line":
            self._line = chunk.text  # shown in the live output panel's title; a pipe gets only output
            if self.fancy:
                self._begin("output")
                self._add("")
        elif isinstance(chunk, Output):
            self._begin("output")
            self._add(chunk.text)
        elif isinstance(chunk, RunResult):
            self._line = ""
            self._end()
            if chunk.status != "ok":
                self.note(f"({chunk.language} block: {chunk.status}, exit code {chunk.exit_code})")
                if self.runners is not None:
                    from localinterp.sandbox import hint

                    advice = hint(self.runners.sandbox, chunk.output)
                    if advice:
                        self.note(advice)
        elif isinstance(chunk, Declined):
            self.note("Not run.")
        elif isinstance(chunk, Repeated):
            self.note("The model wrote the same code again; not running it twice.")
        elif isinstance(chunk, Unrunnable):
            self.note(f"Not run: {chunk.reason}.")
        elif isinstance(chunk, StepLimit):
            self.note(f"Stopped after {chunk.steps} rounds of code; say how to go on.")
        elif isinstance(chunk, TurnEnd):
            self._end()
            if chunk.reason in ("interrupted", "disconnected", "timeout", "length", "context", "repetition"):
                self.note(f"(reply ended: {chunk.reason})")
            if self.debug:
                s = chunk.stats
                self.note(
                    f"[{s.generated_tokens} tokens, {s.tokens_per_s:.1f} tok/s, first token "
                    f"{s.time_to_first_token_s * 1000:.0f} ms; prompt {s.prompt_tokens}, evaluated {s.evaluated_tokens}]"
                )

    def finish(self) -> None:
        """Close any open segment."""
        self._end()

    # -- approval -----------------------------------------------------------------------------------

    def ask(self, language: str, code: str) -> Approval:
        """Ask before running a block: y(es), n(o), e(dit in $EDITOR), a(lways for this session)."""
        import signal
        import threading

        self._end()
        # While asking, Ctrl-C means "no" (the chat's own handler would only flag the turn to stop).
        restore = None
        if threading.current_thread() is threading.main_thread():
            restore = signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            return self._ask(language, code)
        except KeyboardInterrupt:
            self.console.print()
            return Approval("skip")
        finally:
            if restore is not None:
                signal.signal(signal.SIGINT, restore)

    def _read_answer(self, prompt: str) -> str:
        """One line typed at the terminal.

        On a POSIX terminal this waits 0.1 s at a time instead of in input(): CPython's readline notices
        a signal only when it interrupts its select(), so a Ctrl-C that lands while readline is still
        setting up the terminal is ignored until Enter (seen in a test run on a loaded machine, where the
        pty test presses Ctrl-C the moment the prompt appears). Between short waits the SIGINT handler
        always runs. The terminal's own line editing (erase, kill) still works; readline's history is not
        wanted for y/n/e/a anyway.
        """
        import select
        import sys

        from rich.text import Text

        stdin = sys.stdin
        if os.name != "posix" or not stdin.isatty():
            return self.console.input(Text(prompt))
        self.console.print(Text(prompt), end="")
        self.console.file.flush()
        fd = stdin.fileno()
        data = b""
        while not data.endswith(b"\n"):
            ready, _, _ = select.select([fd], [], [], 0.1)
            if not ready:
                continue
            chunk = os.read(fd, 1024)
            if not chunk:  # Ctrl-D
                if not data:
                    raise EOFError
                break
            data += chunk
        return data.decode(errors="replace").rstrip("\r\n")

    def _ask(self, language: str, code: str) -> Approval:
        from localinterp.sandbox import Sandbox, missing

        sandbox = self.runners.sandbox if self.runners is not None else Sandbox()
        # Offered only when it would work here: one answer moves this block and the later ones into it.
        offer = (
            not sandbox.on
            and self.runners is not None
            and not missing(Sandbox("workspace", sandbox.allow_net))
        )
        prompt = f"Run this {language} code ({sandbox.label()})? [y]es / [n]o / [e]dit / [a]lways"
        prompt += " / [s]andboxed: " if offer else ": "
        while True:
            try:
                answer = self._read_answer(prompt)
            except EOFError:
                return Approval("skip")
            answer = answer.strip().lower()
            if offer and answer in ("s", "sandbox", "sandboxed"):
                return Approval("sandbox", code)
            if answer in ("y", "yes"):
                return Approval("run", code)
            if answer in ("n", "no", ""):
                return Approval("skip")
            if answer in ("a", "always"):
                return Approval("always", code)
            if answer in ("e", "edit"):
                edited = edit_in_editor(code, language)
                self.console.print(edited)
                code = edited
                continue
            self.console.print("Please answer y, n, e, a or s." if offer else "Please answer y, n, e or a.")


def edit_in_editor(code: str, language: str) -> str:
    """`code` after the user edited it in their editor (settings.editor_command); unchanged if none starts."""
    from localinterp.settings import open_in_editor

    suffix = {"python": ".py", "shell": ".sh", "javascript": ".js", "r": ".R", "ruby": ".rb"}.get(
        language, ".txt"
    )
    with tempfile.NamedTemporaryFile("w", suffix=suffix, delete=False, encoding="utf-8") as f:
        f.write(code)
        path = Path(f.name)
    try:
        return path.read_text(encoding="utf-8") if open_in_editor(path) else code
    finally:
        path.unlink(missing_ok=True)
