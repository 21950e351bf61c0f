"""The chat in a terminal: streaming markdown, code in syntax-highlighted panels, output in its own panel,
and the approval prompt. In a pipe (or with NO_COLOR) it writes plain text with no control codes.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from localinterp.engine.languages import is_display
from localinterp.engine.types import CodeDelta, CodeEnd, CodeStart, TextDelta, TurnEnd
from localinterp.runners.base import Output, RunResult
from localinterp.session import Approval, Declined, Recheck, Repeated, RunStart, StepLimit, Unrunnable


class _Elapsed:
    """ "thinking 12 s", counted when drawn."""

    def __init__(self, label: str) -> None:
        import time

        self.label, self.started = label, time.monotonic()

    def __rich__(self) -> Any:
        import time

        from rich.text import Text

        return Text(f"{self.label} {time.monotonic() - self.started:.0f} s", style="dim")


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
        self._block = 0  # runnable blocks of the current task so far (the approval panel says which)
        self._think_next = False  # a block's result was shown: the model reads it next
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
            return Markdown(_shown("prose", self._text))
        if self._kind == "code":
            lexer = {"shell": "bash", "r": "r"}.get(self._language, self._language)
            code = _shown("code", self._text.rstrip("\n"))
            lines = code.count("\n") + 1
            title = f"{self._language} · {lines} line{'s' if lines != 1 else ''}"
            if self._block > 1:
                title += f" · block {self._block} of this task"
            # word_wrap: a line longer than the panel is wrapped, never cut, so every character that will
            # run is on screen when the user is asked.
            return Panel(Syntax(code or " ", lexer, theme="monokai", word_wrap=True), title=title)
        title = " · ".join(
            x for x in ("output", self._where, self._line and f"running line {self._line}") if x
        )
        return Panel(Text(_shown("output", self._text).rstrip("\n") or " "), title=title, border_style="dim")

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
            self.console.file.write(_shown(self._kind, text))
            self.console.file.flush()

    def thinking(self, label: str = "thinking") -> None:
        """Between Enter (or a block's output) and the model's first token: a live line with the seconds
        waited, so a 20 s prompt evaluation on a CPU is not a frozen screen. Ends with the next segment."""
        if not self.fancy or self._live is not None:
            return
        from rich.live import Live
        from rich.spinner import Spinner

        self._kind, self._text = "thinking", ""
        self._live = Live(
            Spinner("dots", text=_Elapsed(label), style="dim"),
            console=self.console,
            refresh_per_second=8,
            transient=True,
        )
        self._live.start()

    def _end(self) -> None:
        if self._kind == "thinking" and self._live is not None:
            self._live.stop()  # transient: the line goes away
            self._live = None
            self._kind, self._text = "", ""
            return
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
        self._show(chunk)
        if self._think_next or isinstance(chunk, Recheck):
            self._think_next = False
            self.thinking()

    def _show(self, chunk: Any) -> None:
        if isinstance(chunk, TextDelta):
            self._begin("prose")
            self._add(chunk.text)
        elif isinstance(chunk, CodeStart):
            self._end()
            self._language = chunk.language
            if not is_display(chunk.language):
                self._block += 1
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
            self._think_next = True
            if chunk.status != "ok":
                self.note(f"({chunk.language} block: {chunk.status}, exit code {chunk.exit_code})")
                if self.runners is not None:
                    from localinterp.sandbox import hint

                    advice = hint(self.runners.sandbox, chunk.output)
                    if advice:
                        self.note(advice)
        elif isinstance(chunk, Recheck):
            if chunk.why:
                self.note(f"({chunk.why}; asking the model again)")
            else:
                self.note(f"(not backed by what ran: {', '.join(chunk.claims)}; asking the model to show it)")
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


def _shown(kind: str, text: str) -> str:
    """What reaches the terminal of model text, code and program output: nothing in it can move the cursor,
    retitle the window, write the clipboard or draw over what was shown. Code keeps every character,
    controls drawn as symbols (it is what will run); prose and output lose escape sequences."""
    from localinterp.safetext import for_output, printable, visible

    if kind == "code":
        return visible(text)
    if kind == "output":
        return for_output(text)
    return printable(text)


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


def displayed(interp: Any, chunks: Iterator[Any]) -> Iterator[Any]:
    """`chunks` of `interp`'s session, drawn in this terminal as they pass. Without auto_run or an approve
    function of the caller's, blocks are asked about at the terminal; with no terminal, refused, saying how
    to run them (in the caller's words: `interp.unattended_hint`)."""
    import sys

    view = ChatView(getattr(interp, "view_console", None), debug=interp.config.debug)
    interp.load()
    session = interp.session
    view.runners = session.runners
    if interp.approve is None and not interp.config.auto_run:
        if sys.stdin.isatty():
            session.approve = view.ask
        else:

            def refuse(_language: str, _code: str) -> Approval:
                view.note(
                    f"Not running code without approval: stdin is not a terminal. {interp.unattended_hint}"
                )
                return Approval("skip")

            session.approve = refuse
    view.thinking()
    try:
        for chunk in chunks:
            view.show(chunk)
            yield chunk
    finally:
        view.finish()
