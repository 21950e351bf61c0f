"""Runners under faults a hostile or careless block causes: every process a block starts ends when the block
is stopped or the chat ends, nothing hangs, no code stays on disk, and no credential reaches the code."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

import pytest
from test_runners import alive, run

from localinterp.runners import Runners
from localinterp.settings import CREDENTIAL_VARIABLES

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX process groups and /proc")


def gone(pid: int, within: float = 5.0) -> bool:
    deadline = time.monotonic() + within
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not alive(pid)


@pytest.fixture
def runners():
    r = Runners(["python", "shell"], timeout_s=30)
    yield r
    r.close()


def test_a_crash_after_a_background_start_recovers_at_once_and_close_ends_everything(runners):
    # The audit's hang: the background child kept the dead interpreter's pipes open, and close() waited
    # on them forever.
    sleeper = int(
        run(runners, "python", "import subprocess; subprocess.Popen(['sleep', '3017']).pid")[1].output
    )
    started = time.monotonic()
    _, crashed = run(runners, "python", "import ctypes; ctypes.string_at(0)")
    assert crashed.status == "crashed" and time.monotonic() - started < 5
    assert gone(sleeper), "the crashed interpreter's background child survived"
    assert run(runners, "python", "1 + 1")[1].output == "2\n"  # a fresh interpreter
    started = time.monotonic()
    runners.close()
    assert time.monotonic() - started < 3


def test_a_grandchild_that_ignores_sigint_and_sigterm_ends_with_an_interrupted_block(runners):
    code = textwrap.dedent(
        """
        import subprocess, sys, time
        child = subprocess.Popen([sys.executable, "-c",
            "import signal, time; signal.signal(signal.SIGINT, signal.SIG_IGN); "
            "signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(300)"])
        print(child.pid, flush=True)
        time.sleep(300)
        """
    )
    stop = threading.Event()
    pids: list[int] = []

    def press_ctrl_c_once_it_started() -> None:
        while not pids:
            time.sleep(0.05)
        time.sleep(0.3)
        stop.set()

    threading.Thread(target=press_ctrl_c_once_it_started, daemon=True).start()
    for item in runners.get("python").run(code, stop=stop):
        if getattr(item, "stream", "") == "stdout" and item.text.strip().isdigit():
            pids.append(int(item.text))
        if getattr(item, "status", None):
            assert item.status == "interrupted"
    assert pids and gone(pids[0]), "a child that ignores signals outlived the interrupted block"
    assert run(runners, "python", "'still here'")[1].output == "'still here'\n"


def test_a_timed_out_block_takes_its_stubborn_grandchild_with_it(tmp_path):
    r = Runners(["shell"], timeout_s=1.5, cwd=str(tmp_path))
    try:
        _, result = run(r, "shell", "sh -c \"trap '' INT TERM; sleep 300\" & echo $! > pid; wait")
        assert result.status == "timeout"
        assert gone(int((tmp_path / "pid").read_text()))
    finally:
        r.close()


def test_a_setsid_grandchild_ends_with_the_chat(runners):
    code = "import subprocess; subprocess.Popen(['sleep', '3018'], start_new_session=True).pid"
    pid = int(run(runners, "python", code)[1].output)
    time.sleep(0.2)
    assert alive(pid)
    runners.close()
    assert gone(pid), "a process in its own session outlived the chat"


def test_sigterm_to_localinterp_ends_the_background_children_of_blocks():
    # The CLI's handlers turn SIGTERM and SIGHUP into an orderly exit, so runners close.
    script = textwrap.dedent(
        """
        import signal, sys, time
        from localinterp.cli import _exit_on_signal
        from localinterp.runners import Runners
        signal.signal(signal.SIGTERM, _exit_on_signal)
        signal.signal(signal.SIGHUP, _exit_on_signal)
        r = Runners(["shell"])
        *_, result = r.get("shell").run("setsid sleep 3019 & echo $!")
        print(result.output.strip(), flush=True)
        time.sleep(60)
        """
    )
    for sig in (signal.SIGTERM, signal.SIGHUP):
        proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
        child = int(proc.stdout.readline())
        assert alive(child)
        proc.send_signal(sig)
        assert proc.wait(timeout=10) == 128 + sig
        assert gone(child), f"{sig.name} orphaned a block's background child"


def holding(marker: str) -> list[str]:
    """Files in the temp folder that hold `marker` (a copy of a block's code)."""
    found = []
    for path in Path(tempfile.gettempdir()).glob("localinterp-*"):
        try:
            if marker in path.read_text(errors="replace"):
                found.append(path)
        except OSError:  # a folder, or gone
            continue
    return found


def test_no_copy_of_a_shell_block_stays_on_disk(runners):
    marker = f"code-marker-{os.getpid()}-1"
    tmp = tempfile.gettempdir()
    code = f"grep -l {marker} {tmp}/localinterp-* 2>/dev/null | wc -l  # {marker}"
    assert run(runners, "shell", code)[1].output.strip() == "0", "the running block's code was on disk"
    assert holding(marker) == []


def test_no_copy_of_a_shell_block_survives_kill_9():
    script = textwrap.dedent(
        """
        import os, signal, threading
        from localinterp.runners import Runners
        r = Runners(["shell"])
        def die():
            import time; time.sleep(0.5); os.kill(os.getpid(), signal.SIGKILL)
        threading.Thread(target=die).start()
        for _ in r.get("shell").run("echo started; sleep 30  # MARKER"):
            pass
        """
    )
    marker = f"code-marker-{os.getpid()}-2"
    proc = subprocess.run([sys.executable, "-c", script.replace("MARKER", marker)], timeout=30, check=False)
    assert proc.returncode == -signal.SIGKILL
    assert holding(marker) == []


def test_blocks_never_see_localinterps_or_the_hubs_credentials(runners, monkeypatch):
    for name in CREDENTIAL_VARIABLES:
        monkeypatch.setenv(name, f"sk-secret-{name}")
    monkeypatch.setenv("HARMLESS_SETTING", "visible")
    _, result = run(
        runners, "python", "import os; sorted(k for k, v in os.environ.items() if 'sk-secret' in v)"
    )
    assert result.output == "[]\n"
    _, result = run(runners, "shell", "env | grep -c sk-secret; echo $HARMLESS_SETTING")
    assert result.output.split() == ["0", "visible"]
