"""The Windows shell runner (cmd.exe), driven for real through Wine's cmd.exe on Linux.

Wine's cmd is a reimplementation, so these tests pin down our protocol (the banner, the wrapper batch
file, the markers, CRLF, stdin from NUL, errorlevel, restarts, interrupts), not every cmd.exe quirk:
Wine loses `exit /b N`'s number (it reports 1), so exact exit codes are not asserted. What only Windows
has (job objects, Ctrl-Break, console code pages) is in winproc.py and is checked here for layout only.
`.ci/run` installs Debian's wine64 (a few seconds).
"""

from __future__ import annotations

import ctypes
import threading
import time
from pathlib import Path

import psutil
import pytest

from localinterp.engine.languages import languages_for
from localinterp.runners import wine, winproc
from localinterp.runners.base import RunResult
from localinterp.runners.cmd import CmdRunner, as_batch
from localinterp.session import default_system_message

WINE = wine.find_wine()
needs_wine = pytest.mark.skipif(WINE is None, reason="Wine is not installed (Debian: apt-get install wine64)")


@pytest.fixture(scope="session")
def wine_prefix(tmp_path_factory):
    prefix = tmp_path_factory.mktemp("wineprefix")
    yield prefix
    wine.stop_server(prefix)


@pytest.fixture
def cmd(wine_prefix, tmp_path):
    runner = wine.cmd_runner(WINE, wine_prefix, encoding="utf-8", timeout_s=60, cwd=str(tmp_path))
    yield runner
    runner.close()


def run(runner, code, stop=None):
    outputs, result = [], None
    for item in runner.run(code, stop=stop):
        if isinstance(item, RunResult):
            result = item
        else:
            outputs.append(item)
    return outputs, result


@needs_wine
def test_cmd_keeps_directory_and_variables_and_output_is_clean(cmd, tmp_path):
    (tmp_path / "sub").mkdir()
    first = run(cmd, "echo hello\ncd")[1]
    # No banner ("Microsoft Windows ...") before the first block's output, LF line ends, no marker.
    assert first.output == f"hello\n{wine.windows_path(tmp_path)}\n"
    assert first.status == "ok"
    run(cmd, "set GREETING=hi there\ncd sub")
    second = run(cmd, "echo %GREETING%\ncd")[1]
    assert second.output == f"hi there\n{wine.windows_path(tmp_path / 'sub')}\n"


@needs_wine
def test_cmd_separates_streams_and_reports_failure(cmd):
    outputs, result = run(cmd, "echo to out\necho to err 1>&2\nnotacommand")
    assert "to out" in "".join(o.text for o in outputs if o.stream == "stdout")
    stderr = "".join(o.text for o in outputs if o.stream == "stderr")
    assert "to err" in stderr and "notacommand" in stderr
    assert result.status == "error" and result.exit_code not in (0, None)
    # ERRORLEVEL is reset before each block: echo alone would otherwise inherit the failure above.
    assert run(cmd, "echo fine")[1].status == "ok"


@needs_wine
def test_cmd_blocks_never_wait_on_stdin(cmd):
    start = time.monotonic()
    result = run(cmd, "set /p ANSWER=Your name: \necho [%ANSWER%]\nmore\necho done")[1]
    assert time.monotonic() - start < 10
    assert result.output.endswith("[]\ndone\n")


@needs_wine
def test_cmd_runs_labels_and_loops_from_the_batch_file(cmd):
    code = "for /L %%i in (1,1,3) do echo n=%%i\ngoto skip\necho never\n:skip\necho after the label"
    assert run(cmd, code)[1].output == "n=1\nn=2\nn=3\nafter the label\n"


@needs_wine
def test_cmd_runs_for_loops_written_as_at_the_prompt(cmd, tmp_path):
    (tmp_path / "notes.txt").write_text("")
    (tmp_path / "data.csv").write_text("a,1,x\r\nb,2,y\r\n")
    # `for %i` is what one types at the prompt, and a syntax error in a batch file without the translation.
    assert run(cmd, "for %i in (one two) do echo %i")[1].output == "one\ntwo\n"
    assert run(cmd, "for %f in (*.txt) do echo %~nf")[1].output == "notes\n"
    code = 'for /f "tokens=1,2 delims=," %a in (data.csv) do echo %b-%a'
    assert run(cmd, code)[1].output == "1-a\n2-b\n"


@pytest.mark.parametrize(
    ("typed", "batch"),
    [
        ("for %i in (a b) do echo %i", "for %%i in (a b) do echo %%i"),
        ("FOR /L %N IN (1,1,3) DO (\n  echo %N\n)", "FOR /L %%N IN (1,1,3) DO (\n  echo %%N\n)"),
        ("for %f in (*) do echo %~nxf %~dp$PATH:f", "for %%f in (*) do echo %%~nxf %%~dp$PATH:f"),
        # tokens=2,3* defines three variables; %info% and %PATH% are environment variables, not %i / %P.
        (
            'for /f "tokens=2,3*" %x in (f) do echo %x %y %z %info%',
            'for /f "tokens=2,3*" %%x in (f) do echo %%x %%y %%z %info%',
        ),
        ("for %i in (a) do echo %i %PATH% %~dp0", "for %%i in (a) do echo %%i %PATH% %~dp0"),
        ("for %%i in (a) do echo %%i", "for %%i in (a) do echo %%i"),  # batch style already
        ("echo %i and 100%", "echo %i and 100%"),  # no FOR: nothing to translate
    ],
)
def test_for_variables_typed_at_the_prompt_become_batch_variables(typed, batch):
    assert as_batch(typed) == batch


@needs_wine
def test_cmd_exit_restarts_the_shell_with_a_note(cmd):
    run(cmd, "set KEPT=yes")
    result = run(cmd, "exit")[1]
    assert result.status == "crashed" and "exit` without /b" in result.output
    again = run(cmd, "echo [%KEPT%]")[1]
    assert again.status == "ok" and again.output == "[]\n"  # a new cmd.exe: the variable is gone


@needs_wine
def test_cmd_interrupt_ends_the_block_and_what_it_started(cmd):
    stop = threading.Event()
    threading.Timer(1.0, stop.set).start()
    start = time.monotonic()
    result = run(cmd, "ping -n 60 127.0.0.1 >nul\necho finished", stop)[1]
    assert result.status == "interrupted"
    assert time.monotonic() - start < 15
    time.sleep(0.5)
    pings = [
        p
        for p in psutil.process_iter(["cmdline"])
        if "60" in (p.info["cmdline"] or []) and "ping" in " ".join(p.info["cmdline"] or [])
    ]
    assert pings == []
    assert run(cmd, "echo still here")[1].output == "still here\n"


@needs_wine
def test_cmd_timeout(cmd):
    cmd.timeout_s = 1.0
    result = run(cmd, "ping -n 60 127.0.0.1 >nul")[1]
    assert result.status == "timeout" and "longer than 1 s" in result.output


def test_shell_on_windows_is_cmd_and_offers_cmd_tags_only():
    windows = {lang.name: lang for lang in languages_for("win32")}
    assert {"cmd", "bat", "batch", "shell"} <= set(windows["shell"].aliases)
    assert "bash" not in windows["shell"].aliases  # WSL's bash sees another machine's files
    linux = {lang.name: lang for lang in languages_for("linux")}
    assert "bash" in linux["shell"].aliases and "cmd" not in linux["shell"].aliases


def test_system_message_names_the_program_that_runs_shell_blocks(monkeypatch):
    monkeypatch.setenv("SHELL", "/usr/bin/zsh")  # the user's shell; blocks still run in bash
    message = default_system_message(("python", "shell"))
    assert "shell bash" in message and "zsh" not in message


def test_system_message_gives_the_pinned_date_when_source_date_epoch_is_set(monkeypatch):
    # scripts/eval_agent.py pins it, so that a run after midnight meets the same system message.
    import datetime

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795305600")
    assert "date 2026-11-22." in default_system_message(("python",))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "not a number")
    assert f"date {datetime.date.today().isoformat()}." in default_system_message(("python",))


@pytest.mark.skipif(ctypes.sizeof(ctypes.c_void_p) != 8, reason="the sizes below are the 64-bit ones")
def test_job_object_structures_have_the_windows_sdk_layout():
    # sizeof() in the Windows SDK headers on x64: a wrong field type here would make
    # SetInformationJobObject fail (or set the wrong limit) on Windows, where CI cannot look.
    assert ctypes.sizeof(winproc.IO_COUNTERS) == 48
    assert ctypes.sizeof(winproc.JOBOBJECT_BASIC_LIMIT_INFORMATION) == 64
    assert ctypes.sizeof(winproc.JOBOBJECT_EXTENDED_LIMIT_INFORMATION) == 144
    assert winproc.JOBOBJECT_BASIC_LIMIT_INFORMATION.LimitFlags.offset == 16
    assert winproc.JOBOBJECT_EXTENDED_LIMIT_INFORMATION.ProcessMemoryLimit.offset == 112


def test_batch_files_are_written_with_crlf_in_the_code_page_cmd_reads(tmp_path):
    # The runner writes its batch files with CRLF in the runner's code page; read them back.
    runner = CmdRunner(program=["true"], host_path=lambda path: str(Path(path)), encoding="cp437")
    try:
        name = runner._file("x.cmd", ["echo caf\u00e9", "echo two"])
        assert Path(name).read_bytes() == b"echo caf\x82\r\necho two\r\n"
    finally:
        runner.close()
