"""Runs inside the persistent Python subprocess (started by path, without importing localinterp).

Blocks arrive as JSON lines on a private copy of the original stdin; the real fd 0 becomes /dev/null, so
neither a block nor a program it starts can read (or wait on) the control channel. Each block runs in one
namespace that persists between blocks; a final expression's value is printed, as in a REPL.
"""

import ast
import contextlib
import json
import linecache
import os
import signal
import sys
import traceback

_ctl = os.fdopen(os.dup(0), "r", encoding="utf-8")
_null = os.open(os.devnull, os.O_RDONLY)
os.dup2(_null, 0)
sys.stdin = open(os.devnull, encoding="utf-8")  # noqa: SIM115, PTH123 - lives as long as the process; no pathlib import
if hasattr(signal, "SIGBREAK"):  # Windows: the runner interrupts with Ctrl-Break (a group cannot get Ctrl-C)
    signal.signal(signal.SIGBREAK, signal.default_int_handler)
_ns = {"__name__": "__main__", "__builtins__": __builtins__}
_running = False


def _report_lines(fd: int) -> None:
    # Sample the main thread's innermost frame of the block every 0.1 s; report a line when it changes.
    import threading
    import time

    main = threading.main_thread().ident
    last = None
    while True:
        time.sleep(0.1)
        line = None
        if _running:
            frame = sys._current_frames().get(main)
            while frame is not None:
                if frame.f_code.co_filename == _current:
                    line = frame.f_lineno
                    break
                frame = frame.f_back
        if line is not None and line != last:
            try:
                os.write(fd, f"{line}\n".encode())
            except OSError:
                return
        last = line


for _arg in sys.argv[1:]:
    if _arg.startswith("--line-fd="):
        import threading as _threading

        _threading.Thread(target=_report_lines, args=(int(_arg.split("=", 1)[1]),), daemon=True).start()
_out, _err = sys.__stdout__, sys.__stderr__


_blocks = 0
_current = "<block>"


def _run(code: str) -> None:
    global _blocks, _current
    # Each block is its own "file" whose source the traceback can quote, as a REPL does: a model told
    # only `line 14` of code it cannot see rewrites the wrong line. A function defined by an earlier block
    # keeps that block's name, so its lines are quoted from the right source.
    _blocks += 1
    _current = f"<block {_blocks}>"
    linecache.cache[_current] = (len(code), None, code.splitlines(True), _current)
    tree = ast.parse(code, _current, "exec")
    last = tree.body[-1] if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    body = tree.body[:-1] if last is not None else tree.body
    exec(compile(ast.Module(body=body, type_ignores=[]), _current, "exec"), _ns)
    if last is not None:
        value = eval(compile(ast.Expression(last.value), _current, "eval"), _ns)
        if value is not None:
            print(repr(value))


def _report(exc: BaseException) -> None:
    # The traceback from the block's own frames on: the driver's are noise to the model. It goes to
    # stdout, after what the block printed there: on a pipe of its own it could be read before that
    # output, and the model took a printed value for the error.
    with contextlib.suppress(OSError, ValueError):
        sys.stdout.flush()
    if isinstance(exc, SyntaxError):  # raised by the parser: its frames mean nothing to the model
        _out.write("".join(traceback.format_exception_only(type(exc), exc)))
        return
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
        tb = tb.tb_next
    _out.write("".join(traceback.format_exception(type(exc), exc, tb)))


def _main() -> None:
    while True:
        try:
            line = _ctl.readline()
        except KeyboardInterrupt:
            continue  # an interrupt between blocks: nothing to stop
        if not line:
            return
        request = json.loads(line)
        status = 0
        global _running
        _running = True
        try:
            _run(request["code"])
        except SystemExit as e:
            status = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        except KeyboardInterrupt as e:
            _report(e)
            status = 130
        except BaseException as e:
            _report(e)
            status = 1
        _running = False
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
        _out.write(f"{request['marker']} {status}\n")
        _out.flush()
        _err.write(f"{request['marker']}\n")
        _err.flush()


_main()
