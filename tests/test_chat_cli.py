"""`localinterp chat` the way a person uses it: in a real pseudo-terminal, with the approval prompt, magic
commands and Ctrl-D; and from a pipe. Plus the config file's precedence."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import select
import struct
import sys
import termios
import time
from pathlib import Path

import pytest
from clihelp import assert_one_line_error, run_cli

from localinterp.config import resolve_config
from localinterp.errors import BadInput

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\r")
EXAMPLE = {
    "format": "localinterp-conversation",
    "version": 1,
    "messages": [
        {"role": "user", "content": "Run this Python code: print('a' * 3)"},
        {"role": "assistant", "content": "```python\nprint('a' * 3)\n```"},
        {"role": "output", "content": "aaa\n", "language": "python", "status": "ok"},
        {"role": "assistant", "content": "It printed aaa."},
    ],
}
SYSTEM = "You are a helpful assistant. To run code, write it in a fenced code block: python or shell."


class Terminal:
    """A child process on a pty, read with a timeout; text is kept with colour codes removed."""

    def __init__(self, argv: list[str], env: dict[str, str], cwd: Path) -> None:
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # pragma: no cover - the child
            os.chdir(cwd)
            os.execvpe(argv[0], argv, env)
        # A real terminal has a size; rich's live display needs it to redraw in place.
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 100, 0, 0))
        self.text = ""

    def expect(self, pattern: str, timeout: float = 90) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if re.search(pattern, ANSI.sub("", self.text)):
                return ANSI.sub("", self.text)
            ready, _, _ = select.select([self.fd], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(self.fd, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                self.text += chunk.decode("utf-8", errors="replace")
        raise AssertionError(f"never saw {pattern!r}; the screen had:\n{ANSI.sub('', self.text)[-3000:]}")

    def send(self, text: str) -> None:
        os.write(self.fd, text.encode())

    def wait(self, timeout: float = 60) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return os.waitstatus_to_exitcode(status)
            try:
                if select.select([self.fd], [], [], 0.1)[0]:
                    os.read(self.fd, 65536)
            except OSError:
                pass
        raise AssertionError("the chat did not exit")


THINKING = re.compile(r". thinking \d+ s")  # the spinner before the first token: not reply text


def start_a_long_reply(term: Terminal) -> None:
    """Ask for a long story and return once 300 characters of it are on screen."""
    before = len(term.text)
    term.send("Write a very long story about a dragon who learns to cook, in many chapters.\r")
    deadline = time.monotonic() + 60
    while len(THINKING.sub("", ANSI.sub("", term.text[before:]))) < 300 and time.monotonic() < deadline:
        if select.select([term.fd], [], [], 0.1)[0]:
            term.text += os.read(term.fd, 65536).decode("utf-8", errors="replace")


def test_a_person_chats_approves_a_block_and_leaves(smollm2_path, tmp_path):
    example = tmp_path / "example.json"
    example.write_text(json.dumps(EXAMPLE))
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "100", "LINES": "40"}
    env.pop("NO_COLOR", None)
    argv = [sys.executable, "-m", "localinterp", "chat", "--model", str(smollm2_path), "--temperature", "0",
            "--system-message", SYSTEM]  # fmt: skip
    term = Terminal(argv, env, tmp_path)
    term.expect(r"> $")
    term.send(f"%load_message {example}\r")
    term.expect(r"Loaded 4 messages[\s\S]*> $")
    term.send("Use python to print the result of 12345*6789\r")
    term.expect(
        r"Run this python code \(no sandbox\)\? \[y\]es / \[n\]o / \[e\]dit / \[a\]lways / \[s\]andboxed: "
    )
    term.send("y\r")
    screen = term.expect(r"83810205[\s\S]*> $")
    assert "╭" in screen  # the code and its output are drawn in panels on a terminal
    # Ctrl-C at the approval prompt means no: nothing runs, and the chat goes on.
    term.send("Use python to print the result of 2*21\r")
    term.expect(
        r"Run this python code \(no sandbox\)\? \[y\]es / \[n\]o / \[e\]dit / \[a\]lways / \[s\]andboxed: $"
    )
    term.send("\x03")
    term.expect(r"Not run\.[\s\S]*> $")
    term.send("%tokens\r")
    term.expect(r"total +[\d,]+ of [\d,]+ \(\d+ %\)[\s\S]*> $")
    term.send("%model\r")
    # Keys typed before the prompt is back can be lost when readline switches the terminal mode: wait.
    term.expect(r"context [\d,]+ tokens[\s\S]*> $")
    # s: this block and the later ones run in the workspace sandbox, as the output panel and %sandbox say.
    term.send("Use python to print the result of 6*7\r")
    term.expect(r"\[s\]andboxed: $")
    term.send("s\r")
    term.expect(r"output · workspace sandbox[\s\S]*42[\s\S]*> $")
    term.send("%sandbox\r")
    term.expect(r"Workspace sandbox: writes only inside[\s\S]+the temp folder; no network\.[\s\S]*> $")
    # Ctrl-C while the model is writing stops the reply, keeps what it wrote, and the chat goes on.
    start_a_long_reply(term)
    term.send("\x03")
    term.expect(r"reply ended: interrupted[\s\S]*> $")
    term.send("\x04")  # Ctrl-D
    assert term.wait() == 0
    (saved,) = (Path(env["LOCALINTERP_DATA_DIR"]) / "conversations").glob("*.json")
    assert "83810205" in saved.read_text()


def test_from_a_pipe_it_runs_one_task_with_plain_output(smollm2_path, tmp_path):
    result = run_cli("chat", "-y", "--model", str(smollm2_path), "--temperature", "0", "--system-message", SYSTEM,
                     "Use python to print the result of 12345*6789")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "83810205" in result.stdout and "\x1b[" not in result.stdout
    refused = run_cli("chat", "--model", str(smollm2_path), "--temperature", "0", "--system-message", SYSTEM,
                      "Use python to print the result of 12345*6789")  # fmt: skip
    assert refused.returncode == 0 and "Not running code without approval" in refused.stdout + refused.stderr
    assert "83810205" not in refused.stdout


def test_bad_chat_input_is_one_line(smollm2_path, tmp_path):
    assert_one_line_error(run_cli("chat", "--model", "smolm2", "--once", "hi"), 2, "Did you mean smollm2?")
    assert_one_line_error(run_cli("chat", "--resume", "--once"), 2, "no saved conversation to resume")
    config = Path(os.environ["LOCALINTERP_CONFIG"])
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('model = "smollm2"\ncolour = "red"\n')
    assert_one_line_error(run_cli("chat", "--once", "hi"), 2, f"{config}:2: unknown setting 'colour'")


def test_settings_come_from_flags_then_environment_then_the_config_file(monkeypatch):
    config = Path(os.environ["LOCALINTERP_CONFIG"])
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('model = "from-file"\nmax_tokens = 100\ntemperature = 0.5\nauto_run = false\n')
    assert resolve_config({}).model == "from-file"
    monkeypatch.setenv("LOCALINTERP_MODEL", "from-env")
    monkeypatch.setenv("LOCALINTERP_AUTO_RUN", "1")
    cfg = resolve_config({"temperature": None})
    assert (cfg.model, cfg.auto_run, cfg.max_tokens, cfg.temperature) == ("from-env", True, 100, 0.5)
    assert resolve_config({"model": "from-flag"}).model == "from-flag"
    assert "sk-" not in repr(resolve_config({"api_key": "sk-hidden"}))
    config.write_text("max_tokens = 'many'\n")
    with pytest.raises(BadInput, match=r"config\.toml:1: max_tokens must be a whole number, got 'many'"):
        resolve_config({})


def test_config_command_prints_and_checks_the_file():
    result = run_cli("config")
    assert result.returncode == 0 and result.stdout.strip() == os.environ["LOCALINTERP_CONFIG"]


def test_the_python_api_module_functions_use_one_default_interpreter(smollm2_path, monkeypatch, tmp_path):
    import localinterp

    monkeypatch.setenv("LOCALINTERP_MODEL", str(smollm2_path))
    monkeypatch.setenv("LOCALINTERP_AUTO_RUN", "1")
    monkeypatch.setattr(localinterp, "_default", None)
    localinterp.system_message = SYSTEM
    localinterp.messages = [m for m in __import__("localinterp.history", fromlist=["load"]).load(
        _write(EXAMPLE, tmp_path / "example.json"))[1]]  # fmt: skip
    chunks = list(
        localinterp.chat("Use python to print the result of 12345*6789", display=False, stream=True)
    )
    assert any(getattr(c, "output", "").strip() == "83810205" for c in chunks)
    assert localinterp.messages[-1].role in ("assistant", "output")
    localinterp.reset()
    assert localinterp.messages == []
    localinterp._interpreter().close()


def _write(data, path: Path) -> Path:
    path.write_text(json.dumps(data))
    return path


def test_magic_commands_reset_undo_save_and_load(smollm2_path, tmp_path):
    from localinterp.chatcli import magic
    from localinterp.interpreter import Interpreter
    from localinterp.session import Message

    said = []
    li = Interpreter(str(smollm2_path), system_message=SYSTEM, save_history=False)
    li.messages = [
        Message("user", "one"),
        Message("assistant", "1"),
        Message("user", "two"),
        Message("assistant", "2"),
    ]
    magic(li, "%undo", said.append)
    assert [m.content for m in li.messages] == ["one", "1"] and said[-1] == "Removed 2 message(s)."
    target = tmp_path / "saved.json"
    magic(li, f"%save_message {target}", said.append)
    magic(li, "%reset", said.append)
    assert li.messages == []
    magic(li, f"%load_message {target}", said.append)
    assert [m.content for m in li.messages] == ["one", "1"]
    magic(li, "%debug on", said.append)
    assert li.config.debug and said[-1] == "Debug on."
    magic(li, "%help", said.append)
    assert "%tokens" in said[-1]
    magic(li, "%frobnicate", said.append)
    assert "Unknown command %frobnicate" in said[-1]
    li.close()


def test_config_edit_creates_a_commented_file_and_opens_the_editor(tmp_path):
    result = run_cli("config", "--edit", env={"EDITOR": "true"})
    assert result.returncode == 0
    text = Path(os.environ["LOCALINTERP_CONFIG"]).read_text()
    assert text.startswith("# localinterp settings") and "# model =" in text


def test_a_bad_magic_path_is_said_and_two_quick_ctrl_c_leave(smollm2_path, tmp_path):
    argv = [sys.executable, "-m", "localinterp", "chat", "--model", str(smollm2_path), "--temperature", "0",
            "--system-message", SYSTEM]  # fmt: skip
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "100", "LINES": "40"}
    term = Terminal(argv, env, tmp_path)
    term.expect(r"> $")
    # A path that is not there, or cannot be written, is said; the chat goes on.
    term.send("%load_message /nonexistent/x.json\r")
    term.expect(r"error: no saved conversation at /nonexistent/x\.json[\s\S]*> $")
    term.send("%save_message /proc/nope/x.json\r")
    term.expect(r"error: cannot save to /proc/nope/x\.json[\s\S]*> $")
    # The README's promise: a second Ctrl-C leaves, even 50 ms after the first.
    start_a_long_reply(term)
    term.send("\x03")
    time.sleep(0.05)
    term.send("\x03")
    assert term.wait(timeout=30) == 130


def test_two_quick_ctrl_c_while_the_model_reads_the_prompt_leave(smollm2_path, tmp_path):
    # Both land during one llama.cpp call (prompt evaluation), where Python sees them as one signal.
    argv = [sys.executable, "-m", "localinterp", "chat", "--model", str(smollm2_path), "--temperature", "0"]
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "100", "LINES": "40"}
    term = Terminal(argv, env, tmp_path)
    term.expect(r"> $")
    term.send("Write a very long story about a dragon who learns to cook, in many chapters.\r")
    term.expect(r"thinking \d+ s")
    term.send("\x03")
    time.sleep(0.05)
    term.send("\x03")
    assert term.wait(timeout=30) == 130
