"""Runs inside the persistent Python subprocess (started by path, without importing localinterp).

Blocks arrive as JSON lines on a private copy of the original stdin; the real fd 0 becomes /dev/null, so
neither a block nor a program it starts can read (or wait on) the control channel. Each block runs in one
namespace that persists between blocks; a final expression's value is printed, as in a REPL. The
modules named by --preload=a,b are imported into that namespace first (see PRELOADED in python.py).
"""

import ast
import contextlib
import json
import linecache
import os
import re
import signal
import sys
import traceback

_ctl = os.fdopen(os.dup(0), "r", encoding="utf-8")
_null = os.open(os.devnull, os.O_RDONLY)
os.dup2(_null, 0)
sys.stdin = open(os.devnull, encoding="utf-8")  # noqa: SIM115, PTH123 - lives as long as the process; no pathlib import
if hasattr(signal, "SIGBREAK"):  # Windows: the runner interrupts with Ctrl-Break (a group cannot get Ctrl-C)
    signal.signal(signal.SIGBREAK, signal.default_int_handler)
else:
    # The runner interrupts a block with SIGINT. Python installs its handler only where SIGINT was not
    # ignored when it started, and a shell's background job (`localinterp chat ... &`, nohup) starts with
    # it ignored: every interrupt then killed the process, and the session's variables with it.
    signal.signal(signal.SIGINT, signal.default_int_handler)
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
    if _arg.startswith("--preload="):
        import importlib

        for _name in filter(None, _arg.split("=", 1)[1].split(",")):
            # An interpreter without it: the block imports it, or is told what is missing.
            with contextlib.suppress(ImportError):
                _ns[_name] = importlib.import_module(_name)
    if _arg.startswith("--line-fd="):
        import threading as _threading

        _threading.Thread(target=_report_lines, args=(int(_arg.split("=", 1)[1]),), daemon=True).start()
_out, _err = sys.__stdout__, sys.__stderr__


_blocks = 0
_current = "<block>"
_NAME = re.compile(r"(?<![\w.'\"])[A-Za-z_]\w*")  # a name, not an attribute or in quotes


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
    parts = traceback.format_exception(type(exc), exc, tb)
    values = ""
    if isinstance(exc, _DATA_ERRORS):
        with contextlib.suppress(Exception):  # a debugging aid: never a second error of its own
            values = _values(tb)
    # The values go just above the error line, which stays the last: it is what the model is quoted.
    _out.write("".join(parts[:-1]) + values + parts[-1])


# Errors about what a value holds, where seeing it helps. Not OSError: a missing file's `with open(...) as
# f` line showed the previous block's `f`, which misled the 1.5B; not NameError: the name has no value.
_DATA_ERRORS = (TypeError, KeyError, IndexError, AttributeError, ValueError, ZeroDivisionError)
# Names that may hold a credential: their values are never shown (outputs are saved in the history).
_SECRET = ("key", "token", "secret", "passw", "auth", "credential", "cookie")


def _values(tb: object) -> str:
    """The values of the variables on the failing line of the innermost block frame, as `pytest -l`
    shows them: told `string indices must be integers` about `item['stock']`, the 1.5B rewrote the same
    line three times; `item = 'lamp' (str)` says what the loop went over."""
    import reprlib

    frame, lineno = None, 0
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.startswith("<block"):
            frame, lineno = tb.tb_frame, tb.tb_lineno
        tb = tb.tb_next
    if frame is None:
        return ""
    line = linecache.getline(frame.f_code.co_filename, lineno)
    shown, seen = [], set()
    short = reprlib.Repr()
    short.maxstring = short.maxother = 60
    short.maxlist = short.maxdict = short.maxtuple = short.maxset = 4
    for name in _NAME.findall(line):
        if name in seen or any(s in name.lower() for s in _SECRET):
            continue
        seen.add(name)
        for scope in (frame.f_locals, frame.f_globals):
            if name in scope:
                value = scope[name]
                if not (callable(value) or type(value).__name__ == "module"):
                    n = len(value) if isinstance(value, (list, dict, tuple, set)) else -1
                    size = f", {n} item{'' if n == 1 else 's'}" if n >= 0 else ""
                    shown.append(f"  {name} = {short.repr(value)}  ({type(value).__name__}{size})")
                break
        if len(shown) == 5:
            break
    return "Values on the failing line:\n" + "\n".join(shown) + "\n" if shown else ""


def _children() -> list:
    """The pids of the block's child processes that have not exited yet."""
    tasks = "/proc/self/task"
    if os.access(tasks, os.R_OK):  # Linux: without psutil, which the chosen Python may lack
        pids = []
        for task in os.listdir(tasks):  # noqa: PTH208 - the driver starts without importing pathlib
            pids += _read(f"{tasks}/{task}/children").split()
        # A zombie has exited, so all it wrote is in the pipe.
        return [
            pid for pid in pids if _read(f"/proc/{pid}/stat").rpartition(")")[2][:3].strip() not in ("Z", "")
        ]
    try:
        import psutil
    except ImportError:
        return []
    with contextlib.suppress(psutil.Error):
        return [c.pid for c in psutil.Process().children() if c.status() != psutil.STATUS_ZOMBIE]
    return []


def _read(path: str) -> str:
    try:
        with open(path) as f:  # noqa: PTH123 - as above
            return f.read()
    except OSError:
        return ""


def _settle_children(before: set, grace_s: float = 0.5) -> None:
    """Wait a moment for what the block started to finish (`Popen(['ls', ...])` with no wait), so that
    its output is the block's, before the traceback and the end marker, every time: it once came after
    the marker on one run and before it on the next, and the model's next reply differed. What runs on
    (a server) is left running after `grace_s`; children from earlier blocks (`before`) are not waited
    for again."""
    import time

    deadline = time.monotonic() + grace_s
    while set(_children()) - before and time.monotonic() < deadline:
        time.sleep(0.01)


def _main() -> None:
    while True:
        try:
            line = _ctl.readline()
        except KeyboardInterrupt:
            continue  # an interrupt between blocks: nothing to stop
        if not line:
            return
        request = json.loads(line)
        status, error, before = 0, None, set(_children())
        global _running
        _running = True
        try:
            _run(request["code"])
        except SystemExit as e:
            status = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        except KeyboardInterrupt as e:
            status, error = 130, e
        except BaseException as e:
            status, error = 1, e
        _running = False
        with contextlib.suppress(KeyboardInterrupt):
            _settle_children(before)
        if error is not None:
            _report(error)
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
        _out.write(f"{request['marker']} {status}\n")
        _out.flush()
        _err.write(f"{request['marker']}\n")
        _err.flush()


_main()
