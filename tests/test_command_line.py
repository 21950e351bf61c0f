"""The command line the mission names (`localinterp --model X -y "task"`), help and completion everywhere,
conversations listed and resumed, languages listed and limited, and what the chat draws: approval panels
that show every character that will run, and tables that read at 80 columns."""

from __future__ import annotations

import io
import json
import os
import sys

import pytest
from clihelp import assert_one_line_error, invoke, run_cli

from localinterp.history import History, entries
from localinterp.session import Message

COMMANDS = ["probe", "plan", "pull", "models", "rm", "export", "import", "chat", "config", "history",
            "languages", "bench"]  # fmt: skip


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_dash_h_works_everywhere(command):
    result = invoke(*([command] if command else []), "-h")
    assert result.returncode == 0, result.stdout
    assert result.stdout.startswith(f"Usage: localinterp {command}".rstrip() + " ")


def test_the_bare_command_takes_the_chats_flags_and_a_task(smollm2_path, tmp_path):
    result = run_cli("--model", str(smollm2_path), "-y", "--temperature", "0", "--offline",
                     "Use python to print the result of 12345*6789", env={"PWD": str(tmp_path)})  # fmt: skip
    assert result.returncode == 0, result.stderr
    (saved,) = entries()  # the task ran as a chat and was saved
    assert saved.first == "Use python to print the result of 12345*6789"
    assert saved.model == str(smollm2_path)


def test_a_root_flag_is_checked_like_the_chats_and_a_mistyped_command_is_not_a_task():
    assert_one_line_error(run_cli("--sandbox", "jail", "say hi"), 2, "--sandbox = 'jail'")
    typo = run_cli("plna")
    assert typo.returncode == 2 and "no such command 'plna'; did you mean 'plan'?" in typo.stderr


def test_shell_completion_is_offered():
    result = run_cli("--show-completion", "bash", env={"SHELL": "/bin/bash"})
    assert result.returncode == 0 and "_LOCALINTERP_COMPLETE=complete_bash" in result.stdout


def _saved(first: str, *more: Message) -> History:
    history = History.new(first, model="qwen2.5-coder-1.5b")
    history.save([Message("user", first), *more])
    return history


def test_history_lists_searches_and_resume_continues_the_same_file(smollm2_path, tmp_path):
    older = _saved("count the 404s in access.log", Message("assistant", "There are 17."))
    os.utime(older.path, (1_700_000_000, 1_700_000_000))
    newer = _saved("average the price column of data.csv")
    listing = invoke("history", "--json")
    rows = json.loads(listing.stdout)
    assert [r["first"] for r in rows] == [
        "average the price column of data.csv",
        "count the 404s in access.log",
    ]
    assert [r["first"] for r in json.loads(invoke("history", "404S", "--json").stdout)] == [
        "count the 404s in access.log"
    ]
    table = run_cli("history", env={"COLUMNS": "80"})
    assert all(len(line) <= 80 for line in table.stdout.splitlines())
    assert rows[1]["id"] in table.stdout and "count the 404s" in table.stdout
    # Resume the older one by its ID, add a message: it lands in the same file, after the old ones.
    result = run_cli("--resume", rows[1]["id"], "--model", str(smollm2_path), "--once", "--offline",
                     "--temperature", "0", "--max-tokens", "8", "and the 500s?")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert f"Resumed {rows[1]['id']} (2 messages" in result.stderr
    kept = json.loads(older.path.read_text())["messages"]
    assert [m["content"] for m in kept[:3]] == [
        "count the 404s in access.log",
        "There are 17.",
        "and the 500s?",
    ]
    assert (
        json.loads(newer.path.read_text())["messages"][0]["content"] == "average the price column of data.csv"
    )
    assert_one_line_error(run_cli("--resume", "1999-01-01"), 2, "no saved conversation is '1999-01-01'")


def test_languages_are_listed_and_limited(smollm2_path):
    listed = json.loads(invoke("languages", "--json").stdout)
    assert {"language": "python", "program": listed[0]["program"], "installed": True} == listed[0]
    from localinterp.interpreter import Interpreter

    li = Interpreter(model=str(smollm2_path), languages="python", save_history=False)
    try:
        assert "Languages: python." in li.system_message
        li.load()
        assert li.session.runners.languages == ("python",) and li.engine.languages == ("python",)
    finally:
        li.close()
    assert_one_line_error(
        run_cli("--languages", "cobol", "hi"), 2, "--languages = 'cobol': name languages from"
    )


# -- what the chat draws -----------------------------------------------------------------------------------


def _drawn(code: str, width: int = 80, blocks: int = 1) -> str:
    from rich.console import Console

    from localinterp.engine.types import CodeDelta, CodeEnd, CodeStart
    from localinterp.ui.chat import ChatView

    out = io.StringIO()
    view = ChatView(Console(file=out, width=width, force_terminal=True, color_system=None))
    for _ in range(blocks):
        view.show(CodeStart("python"))
        view.show(CodeDelta(code))
        view.show(CodeEnd("python", code))
    view.finish()
    return out.getvalue()


def test_the_approval_panel_wraps_so_every_character_that_will_run_is_on_screen():
    code = "x = '" + "a" * 100 + '\'; import shutil; shutil.rmtree(os.path.expanduser("~"))\nprint(x)'
    screen = _drawn(code)
    inside = "".join(line[2:-2].rstrip() for line in screen.splitlines() if line.startswith("│"))
    assert inside.replace(" ", "") == code.replace(" ", "").replace("\n", "")
    assert all(
        len(line) <= 80 for line in screen.replace("\x1b[?25l", "").replace("\x1b[?25h", "").splitlines()
    )
    assert "python · 2 lines" in screen


def test_control_sequences_in_code_are_shown_not_obeyed():
    # OSC 52 (write the clipboard), an erase-line CSI and a carriage return that would draw over the line
    code = 'print("\x1b]52;c;ZXZpbA==\x07safe\x1b[2K\rrm -rf ~")'
    screen = _drawn(code)
    assert "\x1b]52" not in screen and "\r" not in screen.replace("\r\n", "")
    assert 'print("␛]52;c;ZXZpbA==␇safe␛[2K␍rm -rf ~")' in screen


def test_program_output_and_model_prose_lose_their_escape_sequences():
    from rich.console import Console

    from localinterp.engine.types import TextDelta
    from localinterp.runners.base import Output
    from localinterp.ui.chat import ChatView

    out = io.StringIO()
    view = ChatView(Console(file=out, width=80, force_terminal=False))
    view.show(TextDelta("Done.\x1b]0;pwned\x07 Really\x08\x08\x08\x08\x08\x08 done."))
    view.show(Output("stdout", "10%\r50%\r100%\x1b[31m red\x1b[0m\n"))
    view.finish()
    text = out.getvalue()
    assert "\x1b" not in text and "\x08" not in text and "\r" not in text
    assert "10%\n50%\n100% red" in text


def test_the_second_block_of_a_task_says_so():
    assert "block 2 of this task" in _drawn("print(1)", blocks=2)


def test_bench_and_models_tables_read_at_80_columns():
    from rich.console import Console

    from localinterp import bench

    row = {"model_type": "qwen2 1.5B Q4_K_M", "n_gpu_layers": 0, "n_threads": 2, "n_batch": 512,
           "flash_attn": False, "n_ctx": 640, "test": "tg128", "avg_ts": 31.5, "stddev_ts": 0.4}  # fmt: skip
    out = io.StringIO()
    Console(file=out, width=80).print(bench.table([row]))
    text = out.getvalue()
    assert all(len(line) <= 80 for line in text.splitlines())
    for header in ("model", "ngl", "threads", "batch", "fa", "ctx", "test", "t/s"):
        assert f" {header} " in text
    assert "…" not in text.splitlines()[2]  # no header cut


def test_the_models_table_puts_paths_below_at_80_columns(smollm2_path):
    result = run_cli("models", env={"COLUMNS": "80", "LOCALINTERP_MODELS_TOML": ""})
    assert result.returncode == 0
    assert all(len(line) <= 80 for line in result.stdout.splitlines())


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX pty")
def test_the_chat_says_it_is_thinking_before_the_first_token(smollm2_path, tmp_path):
    from test_chat_cli import Terminal

    argv = [sys.executable, "-m", "localinterp", "--model", str(smollm2_path), "--temperature", "0",
            "--max-tokens", "16"]  # fmt: skip
    term = Terminal(argv, {**os.environ, "TERM": "xterm-256color", "COLUMNS": "80", "LINES": "30"}, tmp_path)
    term.expect(r"> $")
    term.send("Say hello.\r")
    term.expect(r"thinking \d+ s")
    term.expect(r"> $")
    term.send("\x04")
    assert term.wait() == 0


def test_the_plan_reads_at_80_columns_without_a_figure_split(smollm2_path):
    result = run_cli("plan", str(smollm2_path), env={"COLUMNS": "80"})
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines)
    for line in lines:
        if line.startswith("│"):
            cells = [c.strip() for c in line.strip("│").split("│")]
            assert not {"B", "KiB", "MiB", "GiB", "TiB"} & set(cells), (
                line
            )  # a unit wrapped away from its figure


def test_debug_log_lines_go_through_the_chats_console_above_its_live_text():
    import logging

    from rich.console import Console

    from localinterp.chatcli import set_debug
    from localinterp.engine.types import TextDelta
    from localinterp.interpreter import Interpreter
    from localinterp.ui.chat import ChatView

    out = io.StringIO()
    console = Console(file=out, width=80, force_terminal=True, color_system=None)
    li = Interpreter(save_history=False)
    set_debug(li, True)  # an earlier chat's handler, on stderr, as another test or %debug leaves it
    li.view_console = console
    set_debug(li, True)
    try:
        view = ChatView(console)
        view.show(TextDelta("The reply is being written"))
        logging.getLogger("localinterp.engine").debug("llama.cpp says hello")
        view.show(TextDelta(" and goes on."))
        view.finish()
    finally:
        set_debug(li, False)
    assert not [h for h in logging.getLogger("localinterp").handlers if getattr(h, "_localinterp", False)]
    screen = out.getvalue()
    assert "llama.cpp says hello" in screen
    # the log line is printed whole, on its own line, not spliced into the reply
    assert "The reply is being written and goes on." in screen.replace("\x1b[2K", "")
