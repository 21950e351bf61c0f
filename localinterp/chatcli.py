"""The interactive chat of the `localinterp` command: input with history, magic commands, Ctrl-C that
stops the reply or the running block (and keeps the session), and one-shot use from a pipe."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from localinterp.errors import BadInput, LocalinterpError
from localinterp.interpreter import Interpreter

HELP = """Magic commands:
  %reset                  start a new conversation
  %undo                   remove your last message and what followed it
  %save_message [path]    save the conversation as JSON (default: messages.json)
  %load_message [path]    load a conversation saved with %save_message (or from the history folder)
  %tokens                 context window use, per message
  %debug [on|off]         show token speed and llama.cpp's log
  %model                  what is loaded, and why
  %sandbox [MODE]         where code runs; MODE off, workspace or strict restarts the interpreters in it
  %help                   this help
Multi-line input: start and end it with \"\"\" on a line of its own. Ctrl-C stops a reply or a running
block; Ctrl-D (or exit) leaves."""


SECOND_CTRL_C_S = 1.0  # a Ctrl-C this soon after the one that stopped a reply leaves, wherever it lands
_last_interrupt = [0.0]


def _leave() -> None:
    # Not KeyboardInterrupt: the engine takes that as "stop this reply", and the user asked to leave.
    print("\nlocalinterp: interrupted", file=sys.stderr)
    raise SystemExit(130)


def run_turn(interp: Interpreter, message: str) -> None:
    """One message; the first Ctrl-C stops the reply or block (keeping what was said), a second one exits."""
    stop = threading.Event()
    previous = signal.getsignal(signal.SIGINT)
    # Two Ctrl-C that land during one long C call (llama.cpp evaluating the prompt) reach Python as one
    # call of the handler; the wakeup pipe gets a byte per signal, so the handler can count them.
    wakeup_r, wakeup_w = os.pipe()
    for fd in (wakeup_r, wakeup_w):
        os.set_blocking(fd, False)
    previous_wakeup = signal.set_wakeup_fd(wakeup_w, warn_on_full_buffer=False)

    def on_interrupt(_sig: int, _frame: Any) -> None:
        try:
            count = os.read(wakeup_r, 64).count(signal.SIGINT.to_bytes(1, "little"))
        except BlockingIOError:
            count = 1
        if stop.is_set() or count >= 2:
            _leave()
        stop.set()
        _last_interrupt[0] = time.monotonic()

    signal.signal(signal.SIGINT, on_interrupt)
    try:
        interp.chat(message, stop=stop)
        if stop.is_set():
            # Wait out the second-Ctrl-C window here, where a signal is handled at once, rather than in
            # readline's prompt, which can miss one that lands while it sets up the terminal.
            time.sleep(max(0.0, SECOND_CTRL_C_S - (time.monotonic() - _last_interrupt[0])))
    finally:
        signal.signal(signal.SIGINT, previous)
        signal.set_wakeup_fd(previous_wakeup)
        os.close(wakeup_r)
        os.close(wakeup_w)


def read_message(prompt: str = "> ") -> str | None:
    """A message from the terminal (None at end of input), with \"\"\"-delimited multi-line input."""
    try:
        line = input(prompt)
    except EOFError:
        return None
    if line.strip() != '"""':
        return line
    lines: list[str] = []
    while True:
        try:
            more = input("... ")
        except EOFError:
            break
        if more.strip() == '"""':
            break
        lines.append(more)
    return "\n".join(lines)


def _setup_readline() -> None:
    try:
        import readline
    except ImportError:  # pragma: no cover - Windows without pyreadline
        return
    from localinterp.settings import data_dir

    history = data_dir() / "input_history"
    try:
        history.parent.mkdir(parents=True, exist_ok=True)
        if history.exists():
            readline.read_history_file(history)
    except OSError:
        return
    readline.set_history_length(2000)
    import atexit

    atexit.register(lambda: _save_readline(readline, history))


def _save_readline(readline: Any, path: Path) -> None:
    with contextlib.suppress(OSError):
        readline.write_history_file(path)


def magic(interp: Interpreter, line: str, say: Callable[[str], None]) -> None:
    """Run a %command."""
    from localinterp.history import load

    name, _, arg = line[1:].strip().partition(" ")
    arg = arg.strip()
    if name == "help":
        say(HELP)
    elif name == "reset":
        interp.reset()
        say("New conversation.")
    elif name == "undo":
        removed = interp.undo()
        say(f"Removed {len(removed)} message(s)." if removed else "Nothing to undo.")
    elif name == "save_message":
        path = Path(arg or "messages.json").expanduser()
        from localinterp.fsutil import atomic_write

        try:
            atomic_write(path, json.dumps({"format": "localinterp-conversation", "version": 1,
                                       "messages": [m.to_json() for m in interp.messages]}, indent=1),
                         private=True)  # fmt: skip
        except OSError as e:
            raise BadInput(f"cannot save to {path} ({e.strerror or e}); give another path.") from None
        say(f"Saved {len(interp.messages)} messages to {path}.")
    elif name == "load_message":
        from localinterp.history import latest

        path = Path(arg).expanduser() if arg else (latest() or Path("messages.json"))
        _meta, messages = load(path)
        interp.messages = messages
        say(f"Loaded {len(messages)} messages from {path}.")
    elif name == "tokens":
        say(token_report(interp))
    elif name == "debug":
        on = arg.lower() not in ("off", "0", "false")
        set_debug(interp, on)
        say(f"Debug {'on' if on else 'off'}.")
    elif name == "model":
        interp.load()
        plan = interp.plan
        if plan is None:
            say(f"Model: {interp.model_ref}")
        else:
            say(
                f"Model: {interp.model_ref} ({plan.model}, {plan.quant}), context {plan.context_window:,} tokens, "
                f"{plan.gpu_layers} GPU layers. {plan.reason}"
            )
    elif name == "sandbox":
        if arg:
            interp.sandbox = arg  # a bad mode, or one the machine lacks, is one line (BadInput)
        interp.load()
        assert interp.session is not None
        runners = interp.session.runners
        say(runners.sandbox.describe(runners.cwd or Path.cwd()))
    else:
        say(f"Unknown command %{name}; %help lists them.")


def token_report(interp: Interpreter) -> str:
    """Context window use, per message: exact for a local model, estimated (characters / 4) otherwise."""
    interp.load()
    assert interp.session is not None
    chat = interp.session.chat_messages()
    engine = interp.engine
    exact = hasattr(engine, "count_tokens") and hasattr(engine, "tokenize")
    count = (lambda text: len(engine.tokenize(text))) if exact else (lambda text: len(text) // 4)
    lines = [f"{m.role:9} {count(m.content):>7,}  {m.content[:50]!r}" for m in chat]
    total = engine.count_tokens(chat) if exact else sum(count(m.content) for m in chat)
    window = getattr(engine, "n_ctx", None)
    lines.append(
        f"total     {total:>7,}" + (f" of {window:,} ({100 * total / window:.0f} %)" if window else "")
    )
    if not exact:
        lines.append("(estimated: this backend does not expose its tokenizer)")
    return "\n".join(lines)


def set_debug(interp: Interpreter, on: bool) -> None:
    """Token speed after each reply, and localinterp's and llama.cpp's log on the chat's console (stderr
    without one)."""
    import dataclasses
    import logging

    interp.config = dataclasses.replace(interp.config, debug=on)
    logger = logging.getLogger("localinterp")
    # One handler of ours at a time, on this chat's console (an earlier chat's may point elsewhere).
    for old in [h for h in logger.handlers if getattr(h, "_localinterp", False)]:
        logger.removeHandler(old)
    if on:
        handler: logging.Handler
        if interp.view_console is not None:
            # Through the chat's console: a log line lands above the live text instead of breaking it.
            from rich.logging import RichHandler

            handler = RichHandler(console=interp.view_console, show_time=False, show_path=False, markup=False)
        else:
            handler = logging.StreamHandler(sys.stderr)
        handler._localinterp = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if on else logging.WARNING)


def interactive(interp: Interpreter, say: Callable[[str], None]) -> None:
    """The read-eval loop until end of input or `exit`."""
    _setup_readline()
    say("localinterp: type a task, %help for commands, Ctrl-D to leave.")
    while True:
        try:
            message = read_message()
        except KeyboardInterrupt:
            if time.monotonic() - _last_interrupt[0] < SECOND_CTRL_C_S:
                _leave()  # the second of two quick Ctrl-C: the first stopped the reply
            _last_interrupt[0] = time.monotonic()
            say("")
            continue
        if message is None or message.strip() in ("exit", "quit"):
            return
        if not message.strip():
            continue
        if message.startswith("%"):
            try:
                magic(interp, message, say)
            except LocalinterpError as e:  # a bad path or file is said; the chat goes on
                say(f"error: {e}")
            continue
        run_turn(interp, message)
