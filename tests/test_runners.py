"""Runners: real interpreter processes, their state, their output, and every way a block can misbehave."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from localinterp.runners import Runners
from localinterp.runners.base import RunResult


@pytest.fixture
def runners():
    r = Runners(["python", "shell", "javascript"], timeout_s=30)
    yield r
    r.close()


def run(runners, language, code, stop=None, *, lines=False):
    """The outputs (without line reports unless `lines`) and the result of one block."""
    outputs, result = [], None
    for item in runners.get(language).run(code, stop=stop):
        if isinstance(item, RunResult):
            result = item
        elif lines or item.stream != "line":
            outputs.append(item)
    return outputs, result


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"  # a zombie is dead too


def test_python_keeps_state_and_prints_the_last_expression(runners):
    assert run(runners, "python", "x = 12345 * 6789")[1].output == ""
    outputs, result = run(runners, "python", "import math\nx")
    assert (
        result.status == "ok"
        and result.output == "83810205\n"
        and "".join(o.text for o in outputs) == "83810205\n"
        and {o.stream for o in outputs} == {"stdout"}
    )
    assert run(runners, "python", "math.sqrt(16)")[1].output == "4.0\n"


def test_python_starts_with_the_modules_models_forget_to_import(runners):
    # `json.load(...)` without `import json` was the 0.5B's commonest failure; the preloaded modules are
    # the real ones, and a block may still rebind their names.
    code = "print(json.dumps([1]), csv.excel.delimiter, math.floor(2.5), os.sep, re.escape('.'), sys.version_info >= (3,))"
    assert run(runners, "python", code)[1].output == "[1] , 2 / \\. True\n"
    assert run(runners, "python", "json = 5\nprint(json + 1)")[1].output == "6\n"
    # The 1.5B, told to add `import hashlib`, wrote its block again without it (sha256).
    later = "print(hashlib.sha256(b'').hexdigest()[:8], gzip.decompress(gzip.compress(b'x')))\n"
    later += "print([m.__name__ for m in (glob, shutil, sqlite3, subprocess, tarfile, zipfile)])"
    assert run(runners, "python", later)[1].output == (
        "e3b0c442 b'x'\n['glob', 'shutil', 'sqlite3', 'subprocess', 'tarfile', 'zipfile']\n"
    )


def test_python_errors_are_tracebacks_from_the_block_only(runners):
    result = run(runners, "python", "def f():\n    return 1 / 0\nf()")[1]
    assert result.status == "error" and result.exit_code == 1
    assert 'File "<block 1>", line 2, in f' in result.output and "ZeroDivisionError" in result.output
    assert "    return 1 / 0\n" in result.output  # the failing line is quoted, as a REPL does
    # A function from an earlier block is quoted from that block's source, not from the one running now.
    later = run(runners, "python", "x = 1\ny = 2\nprint('before')\nf()")[1]
    assert later.output.index("before") < later.output.index("Traceback")  # in the order it happened
    assert 'File "<block 2>", line 4' in later.output and "    f()\n" in later.output
    assert 'File "<block 1>", line 2, in f\n    return 1 / 0' in later.output
    assert "_python_driver" not in result.output
    syntax = run(runners, "python", "print(1")[1]
    assert "SyntaxError" in syntax.output and "ast.py" not in syntax.output


def test_a_python_error_shows_the_values_on_its_line_above_the_error_but_never_a_credential(runners):
    # Told `string indices must be integers` about item['stock'], the 1.5B rewrote the same line three
    # times: the value says the loop went over names, not records.
    code = "items = ['lamp', 'desk']\napi_token = 's3cr3t'\nout = [item for item in items if item['stock'] == 0 and api_token]"
    output = run(runners, "python", code)[1].output
    assert output.endswith(
        "Values on the failing line:\n  item = 'lamp'  (str)\n  items = ['lamp', 'desk']  (list, 2 items)\n"
        "TypeError: string indices must be integers, not 'str'\n"
    )
    assert "s3cr3t" not in output
    # A name that is not defined has no value to show; functions and modules are not values to show.
    assert "Values" not in run(runners, "python", "print(undefined_name)")[1].output
    assert "Values" not in run(runners, "python", "json.loads('{')")[1].output
    # Nor for a missing file: the line's `f` would be a stale one from an earlier block.
    run(runners, "python", "f = open(__import__('os').devnull)")
    assert "Values" not in run(runners, "python", "with open('no-such-file') as f: pass")[1].output


def test_shell_keeps_directory_and_environment_and_contains_syntax_errors(runners, tmp_path):
    run(runners, "shell", f"cd {tmp_path}\nexport GREETING=hello")
    assert run(runners, "shell", "echo $GREETING $PWD")[1].output == f"hello {tmp_path}\n"
    broken = run(runners, "shell", 'echo "never closed')[1]
    assert broken.status == "error" and "unexpected EOF" in broken.output
    assert run(runners, "shell", "echo still here")[1].output == "still here\n"
    assert run(runners, "shell", "false")[1].status == "error"


def test_reading_stdin_never_hangs(runners):
    assert "EOFError" in run(runners, "python", "input('name? ')")[1].output
    assert run(runners, "python", "import subprocess; subprocess.run(['cat']).returncode")[1].output == "0\n"
    assert run(runners, "shell", "read line; cat; echo done")[1].output == "done\n"


def test_an_interrupt_stops_the_block_and_keeps_the_session(runners):
    run(runners, "python", "kept = 42")
    stop = threading.Event()
    threading.Timer(0.3, stop.set).start()
    started = time.monotonic()
    result = run(runners, "python", "import time\nwhile True:\n    time.sleep(0.05)", stop=stop)[1]
    assert result.status == "interrupted" and "KeyboardInterrupt" in result.output
    assert time.monotonic() - started < 2
    assert run(runners, "python", "kept")[1].output == "42\n"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_an_interrupt_stops_the_block_even_when_localinterp_was_started_ignoring_sigint():
    # A shell's background job starts with SIGINT ignored, and a child inherits that: the driver, started
    # so, ignored the runner's SIGINT and was killed, its variables lost.
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        runners = Runners(["python"])
        run(runners, "python", "kept = 42")
    finally:
        signal.signal(signal.SIGINT, previous)
    try:
        stop = threading.Event()
        threading.Timer(0.3, stop.set).start()
        result = run(runners, "python", "import time\nwhile True:\n    time.sleep(0.05)", stop=stop)[1]
        assert result.status == "interrupted" and "KeyboardInterrupt" in result.output
        assert run(runners, "python", "kept")[1].output == "42\n"
    finally:
        runners.close()


def test_a_block_that_ignores_interrupts_is_killed_and_said_so(runners):
    stop = threading.Event()
    threading.Timer(0.2, stop.set).start()
    code = "import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True: time.sleep(0.05)"
    result = run(runners, "python", code, stop=stop)[1]
    assert result.status == "interrupted" and "did not stop and was killed" in result.output
    assert run(runners, "python", "print('fresh')")[1].output == "fresh\n"


def test_a_block_past_its_timeout_is_stopped():
    r = Runners(["shell"], timeout_s=0.5)
    result = run(r, "shell", "sleep 10")[1]
    r.close()
    assert result.status == "timeout" and "longer than 0.5 s" in result.output and result.duration_s < 4


def test_a_block_that_prints_100_mb_keeps_head_and_tail_only(runners):
    outputs, result = run(
        runners, "python", "import sys\nfor i in range(1_000_000): sys.stdout.write('%099d\\n' % i)"
    )
    assert result.status == "ok" and result.omitted_bytes > 99_000_000
    assert len(result.output) < 70_000 and result.output.endswith(f"{999_999:099d}\n")
    assert sum(len(o.text) for o in outputs) < 1_100_000 and outputs[-1].stream == "notice"


def test_a_crashed_interpreter_restarts_and_says_so(runners):
    run(runners, "python", "lost = 1")
    result = run(runners, "python", "import os; os._exit(3)")[1]
    assert result.status == "crashed" and "exit code 3" in result.output and "state was lost" in result.output
    assert "NameError" in run(runners, "python", "lost")[1].output
    assert run(runners, "shell", "exit 4")[1].status == "crashed"
    assert run(runners, "shell", "echo back")[1].output == "back\n"


def test_children_end_with_the_runner(runners):
    pid = int(run(runners, "shell", "sleep 100 & echo $!")[1].output)
    py_pid = int(
        run(runners, "python", "import subprocess; subprocess.Popen(['sleep', '100']).pid")[1].output
    )
    assert alive(pid) and alive(py_pid)
    runners.close()
    time.sleep(0.2)
    assert not alive(pid) and not alive(py_pid)


def test_what_a_python_block_starts_and_does_not_wait_for_is_still_its_output(runners):
    # `Popen(['ls', ...])` and then an error: ls's complaint came before the traceback on one run and
    # after the block's end on the next (lost), and the model's next reply differed. The driver waits a
    # moment for such children, so their output is the block's, in the order it happened, every time.
    code = "import subprocess, sys\np = subprocess.Popen(['ls', 'no-such-file'])\nraise ValueError('x')"
    for _ in range(5):
        output = run(runners, "python", code)[1].output
        assert output.index("no-such-file") < output.index("Traceback"), output
    # A child that runs on (a server) delays only the block that started it, by a moment.
    started = time.monotonic()
    pid = int(run(runners, "python", "server = subprocess.Popen(['sleep', '30']); server.pid")[1].output)
    assert alive(pid) and 0.4 < time.monotonic() - started < 5
    started = time.monotonic()
    assert run(runners, "python", "server.poll()")[1].output == "" and time.monotonic() - started < 0.4
    assert alive(pid)


def test_children_end_even_when_localinterp_is_killed(tmp_path):
    script = textwrap.dedent(
        """
        import os, signal
        from localinterp.runners import Runners
        r = Runners(["python"])
        *_, result = r.get("python").run("import os; os.getpid()")
        print(result.output.strip(), flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=30)
    child = int(proc.stdout.strip())
    deadline = time.monotonic() + 5
    while alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(child)


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_javascript_runs_one_process_per_block(runners):
    assert run(runners, "javascript", "console.log(6 * 7)")[1].output == "42\n"
    assert run(runners, "javascript", "throw new Error('boom')")[1].status == "error"


@pytest.mark.skipif(os.name != "posix", reason="line reports use an extra pipe (POSIX)")
def test_python_reports_the_running_line_without_mixing_it_into_the_output(runners):
    code = "import time\nfor i in range(3):\n    time.sleep(0.3)\nprint('done')"
    outputs, result = run(runners, "python", code, lines=True)
    lines = [o.text for o in outputs if o.stream == "line"]
    assert "3" in lines and result.output == "done\n"
