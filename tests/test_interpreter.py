"""The whole loop on the real SmolLM2 model: the model writes code, it runs, the output goes back.

SmolLM2-135M is tiny: it copies code reliably only after an example of the format, so the tests start
from a short example conversation (what `%load_message` does for a user) and a fixed system message (the
default one holds the date and working directory, which would change what a greedy model writes). Where a
test needs exact code (100 MB of output, a long block), the approval step edits the block the model wrote,
as a user pressing `e` would: the loop, the runner and the way back to the model are all real.
"""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

import pytest

from localinterp.interpreter import Interpreter
from localinterp.runners.base import RunResult
from localinterp.session import Approval, Declined, Message, RunStart

SYSTEM = "You are a helpful assistant. To run code, write it in a fenced code block: python or shell."
EXAMPLE = [
    Message("user", "Run this Python code: print('a' * 3)"),
    Message("assistant", "```python\nprint('a' * 3)\n```"),
    Message("output", "aaa\n", "python", "ok"),
    Message("assistant", "It printed aaa."),
    Message("user", "Run this shell command: echo hi"),
    Message("assistant", "```shell\necho hi\n```"),
    Message("output", "hi\n", "shell", "ok"),
    Message("assistant", "It printed hi."),
]


@pytest.fixture
def make(smollm2_path, tmp_path):
    made = []

    def factory(**kwargs):
        kwargs.setdefault("auto_run", True)
        kwargs.setdefault("system_message", SYSTEM)
        li = Interpreter(str(smollm2_path), temperature=0.0, cwd=str(tmp_path), **kwargs)
        li.messages = list(EXAMPLE)
        made.append(li)
        return li

    yield factory
    for li in made:
        li.close()


def edit_to(code):
    """An approval that runs `code` in place of the first block the model writes (the `e` answer), and
    declines any later one."""
    calls = []

    def approve(_language, _written):
        calls.append(1)
        return Approval("run", code) if len(calls) == 1 else Approval("skip")

    return approve


def results(chunks):
    return [c for c in chunks if isinstance(c, RunResult)]


def test_the_model_runs_on_one_thread_per_physical_core(make):
    from localinterp.hardware import probe_cpu

    li = make()
    li.load()
    params = li.engine._llm.context_params  # what llama.cpp was given, read back
    assert params.n_threads == params.n_threads_batch == probe_cpu().physical_cores


def test_python_arithmetic_runs_and_its_output_reaches_the_model(make):
    li = make()
    added = li.chat("Use python to print the result of 12345*6789", display=False)
    outputs = [m for m in added if m.role == "output"]
    assert outputs and outputs[0].language == "python" and "83810205" in outputs[0].content
    assert "83810205" in li.session.chat_messages()[-2].content or any(
        "83810205" in m.content for m in li.session.chat_messages()
    )


def test_a_shell_task_runs_in_the_shell(make, tmp_path):
    li = make()
    added = li.chat("Run this shell command: touch created.txt", display=False)
    assert any(m.role == "output" and m.language == "shell" for m in added)
    assert (tmp_path / "created.txt").exists()


def test_approval_denied_runs_nothing(make, tmp_path):
    asked = []

    def deny(language, code):
        asked.append((language, code))
        return Approval("skip")

    li = make(auto_run=False, approve=deny)
    chunks = list(li.chat("Run this shell command: touch created.txt", display=False, stream=True))
    assert asked and asked[0][0] == "shell" and "touch created.txt" in asked[0][1]
    assert any(isinstance(c, Declined) for c in chunks) and not results(chunks)
    assert not (tmp_path / "created.txt").exists()
    assert li.messages[-1].status == "declined"


def test_an_interrupt_during_a_long_block_stops_it_and_keeps_the_session(make):
    li = make(auto_run=False, approve=edit_to("import time\ntime.sleep(30)"))
    stop = threading.Event()
    started = time.monotonic()
    chunks = []
    for chunk in li.chat(
        "Run this Python code: import time; time.sleep(30)", display=False, stream=True, stop=stop
    ):
        chunks.append(chunk)
        if isinstance(chunk, RunStart):
            threading.Timer(0.5, stop.set).start()
    assert time.monotonic() - started < 15
    (result,) = results(chunks)
    assert result.status == "interrupted" and "KeyboardInterrupt" in result.output
    assert li.messages[-1].status == "interrupted"
    li.session.approve = edit_to("print(12345 * 6789)")
    more = li.chat("Use python to print the result of 12345*6789", display=False)
    assert any("83810205" in m.content for m in more if m.role == "output")


def test_a_block_printing_100_mb_is_kept_to_its_head_and_tail(make):
    li = make(auto_run=False, approve=edit_to("print('b' * 100_000_000)"))
    chunks = list(li.chat("Run this Python code: print('b' * 100000000)", display=False, stream=True))
    first = results(chunks)[0]
    assert first.omitted_bytes > 99_000_000 and len(first.output) < 70_000
    (to_model,) = [m.content for m in li.session.chat_messages() if "bbbbbbbb" in m.content]
    assert len(to_model) < 7_000 and "characters" in to_model


def test_a_block_reading_stdin_does_not_hang(make):
    li = make(auto_run=False, approve=edit_to("print(input('name? '))"))
    started = time.monotonic()
    chunks = list(li.chat("Run this Python code: print(input())", display=False, stream=True))
    assert "EOFError" in results(chunks)[0].output and time.monotonic() - started < 20


def test_the_conversation_is_saved_as_it_goes_without_secrets(make, monkeypatch):
    li = make(api_key="sk-secret-never-saved")
    li.chat("Use python to print the result of 12345*6789", display=False)
    (saved,) = (Path(os.environ["LOCALINTERP_DATA_DIR"]) / "conversations").glob("*.json")
    text = saved.read_text()
    data = json.loads(text)
    assert data["messages"][-1]["role"] in ("assistant", "output") and "83810205" in text
    assert "sk-secret-never-saved" not in text
