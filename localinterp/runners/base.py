"""The shared machinery of process runners: streaming output, the end-of-block marker, output caps,
timeouts, interrupts, crash recovery, and making sure no child outlives localinterp."""

from __future__ import annotations

import atexit
import codecs
import contextlib
import os
import queue
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from localinterp.sandbox import Sandbox
from localinterp.settings import CREDENTIAL_VARIABLES

DEFAULT_TIMEOUT_S = 120.0
HEAD_BYTES = 32 * 1024  # what the model and the history keep of a block's output: the head...
TAIL_BYTES = 32 * 1024  # ...and the tail
DISPLAY_LIMIT_BYTES = 1024 * 1024  # streamed to the screen before the rest is only counted
INTERRUPT_GRACE_S = 2.0  # after SIGINT, how long a block gets to stop before its process group is killed
EXIT_DRAIN_S = 0.3  # after the process exited, how long its last output may take to arrive
_LIVE: weakref.WeakSet[ProcessRunner] = weakref.WeakSet()


@dataclass(frozen=True)
class Output:
    """A piece of a running block's output. `stream`: stdout | stderr | notice (said by localinterp)."""

    stream: str
    text: str


@dataclass(frozen=True)
class RunResult:
    """How a block ended. `status`: ok | error | timeout | interrupted | crashed."""

    language: str
    status: str
    output: str  # head and tail of stdout and stderr interleaved, with a note of what was cut
    exit_code: int | None = None
    omitted_bytes: int = 0
    duration_s: float = 0.0


class OutputCap:
    """Keeps the head and tail of a stream of text without holding more than HEAD+TAIL bytes."""

    def __init__(self, head: int = HEAD_BYTES, tail: int = TAIL_BYTES) -> None:
        self._head_limit, self._tail_limit = head, tail
        self._head: list[str] = []
        self._head_size = 0
        self._tail = ""
        self.omitted = 0
        self.total = 0

    def add(self, text: str) -> None:
        """Append `text`."""
        self.total += len(text)
        room = self._head_limit - self._head_size
        if room > 0:
            self._head.append(text[:room])
            self._head_size += min(room, len(text))
            text = text[room:]
        if not text:
            return
        tail = self._tail + text
        if len(tail) > self._tail_limit:
            self.omitted += len(tail) - self._tail_limit
            tail = tail[-self._tail_limit :]
        self._tail = tail

    def text(self) -> str:
        """Head, a line saying how much was cut (if anything), tail."""
        head = "".join(self._head)
        if not self.omitted:
            return head + self._tail
        return f"{head}\n[... {self.omitted:,} characters of output omitted ...]\n{self._tail}"


def _kill_all() -> None:
    for runner in list(_LIVE):
        runner.close()


atexit.register(_kill_all)

# Every runner process carries this variable with a token of its own; the processes its blocks start inherit
# it, so they are found even after they leave its process group (setsid) or lose their parent.
TAG_VARIABLE = "LOCALINTERP_RUNNER"


def tagged_processes(token: str) -> list[int]:
    """The pids of the live processes whose environment carries runner `token`."""
    needle = f"{TAG_VARIABLE}={token}".encode()
    found = []
    if sys.platform.startswith("linux"):
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                with open(f"/proc/{entry.name}/environ", "rb") as f:  # noqa: PTH123 - hot loop, plain open
                    if needle + b"\0" in f.read() + b"\0":
                        found.append(int(entry.name))
            except OSError:  # gone, or another user's
                continue
        return found
    import psutil

    for proc in psutil.process_iter():
        try:
            if proc.environ().get(TAG_VARIABLE) == token:
                found.append(proc.pid)
        except (psutil.Error, OSError):
            continue
    return found


def kill_pids(pids: list[int]) -> None:
    """SIGKILL each of `pids` (gone already is fine)."""
    for pid in pids:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


def kill_tagged(token: str, keep: int | None = None) -> None:
    """SIGKILL every process carrying runner `token` but `keep`, scanning again until one scan finds none
    (at most 5 times, 20 ms apart): a process in the middle of an exec can read as having no environment
    for a moment, and one fork that the first scan missed must not survive (a `setsid sleep &` outlived
    a SIGTERM once in some dozens of runs)."""
    for _ in range(5):
        pids = [pid for pid in tagged_processes(token) if pid != keep]
        if not pids:
            return
        kill_pids(pids)
        time.sleep(0.02)


def _parent_death_signal() -> None:  # pragma: no cover - runs in the child between fork and exec
    # Linux: the child gets SIGKILL if localinterp dies, even by kill -9.
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class ProcessRunner:
    """A persistent interpreter process that runs blocks one at a time.

    A subclass says how to start the process (`command`) and how to send it a block that, once done,
    writes `marker` and the block's exit status to stdout and `marker` to stderr. Everything before the
    markers is the block's output, streamed as it comes.
    """

    language = ""
    restart_note = ""
    persistent = True  # False: a new process per block, whose exit ends the block (oneshot.py)
    sweeps_tagged = True  # end every process carrying the runner's tag, not only its process group

    def __init__(
        self, *, timeout_s: float = DEFAULT_TIMEOUT_S, cwd: str | None = None, sandbox: Sandbox | None = None
    ) -> None:
        self.timeout_s = timeout_s
        self.cwd = cwd
        self.sandbox = sandbox or Sandbox()
        self._scratch: Path | None = None  # the runner's own folder, while it is sandboxed
        self._proc: subprocess.Popen[bytes] | None = None
        self._queue: queue.Queue[tuple[str, bytes | None]] = queue.Queue()
        self._lock = threading.Lock()
        self._job: int | None = None  # Windows: the job object holding the process and its children
        self._token = secrets.token_hex(8)  # TAG_VARIABLE's value for this runner's processes
        _LIVE.add(self)

    # -- to be provided by subclasses ---------------------------------------------------------------

    def command(self) -> list[str]:
        raise NotImplementedError

    def send(self, code: str, marker: str) -> None:
        raise NotImplementedError

    def prepare(self, code: str) -> None:
        """Before starting a one-process-per-block program: write the block where `command` expects it."""

    def program_files(self) -> list[Path]:
        """The folders of the programs this runner starts: what strict mode lets them read."""
        return [install_root(self.command()[0])]

    def scratch(self) -> Path | None:
        """The runner's own private folder (0700) when sandboxed: TMPDIR in strict mode, caches in any."""
        if self._scratch is None and self.sandbox.on:
            import tempfile

            self._scratch = Path(tempfile.mkdtemp(prefix="localinterp-scratch-"))
        return self._scratch

    # -- process lifecycle --------------------------------------------------------------------------

    def _start(self, pass_fds: tuple[int, ...] = ()) -> None:
        posix = os.name == "posix"
        if not posix:  # pragma: no cover - Windows
            from localinterp.runners import winproc
        from localinterp.sandbox import confine

        scratch = self.scratch()
        confinement = confine(
            self.sandbox,
            self.cwd or Path.cwd(),
            scratch or Path(),
            self.program_files() if self.sandbox.mode == "strict" else [],
        )
        preexec = confinement.preexec
        if preexec is None and sys.platform.startswith("linux"):
            preexec = _parent_death_signal
        try:
            self._proc = subprocess.Popen(
                [*confinement.wrap, *self.command()],
                pass_fds=pass_fds,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                cwd=self.cwd,
                env={**self.environment(), **confinement.env},
                start_new_session=posix,  # its own process group: interrupts and kills reach its children too
                preexec_fn=preexec,
                creationflags=0 if posix else winproc.creation_flags(),
            )
        except subprocess.SubprocessError as e:  # the sandbox could not be applied in the child
            from localinterp.errors import SandboxUnavailable

            raise SandboxUnavailable(
                f"the {self.sandbox.mode} sandbox could not be applied to the {self.language} process ({e}); "
                "pass --sandbox off to run unconfined."
            ) from None
        finally:
            confinement.close()
        if not posix:  # pragma: no cover - Windows
            # A job that ends with its last handle, ours: its processes end when localinterp does,
            # however it ends, and close() ends them all at once (Windows has no process groups to kill).
            self._job = winproc.kill_on_close_job(self._proc)
        self._queue = queue.Queue()
        for name, pipe in (("stdout", self._proc.stdout), ("stderr", self._proc.stderr)):
            threading.Thread(target=self._pump, args=(name, pipe, self._queue), daemon=True).start()
        self.started()

    def environment(self) -> dict[str, str]:
        """The runner's environment: the user's, less localinterp's and the hub's credentials (a block that
        prints its environment must not put a key into the conversation), plus this runner's tag."""
        env = {k: v for k, v in os.environ.items() if k not in CREDENTIAL_VARIABLES}
        env[TAG_VARIABLE] = self._token
        return env

    def started(self) -> None:
        """Just after the process started, before the first block: a subclass may wait for it here."""

    def decoder(self) -> codecs.IncrementalDecoder:
        """Turns the bytes of one output stream into text, a chunk at a time."""
        return codecs.getincrementaldecoder("utf-8")(errors="replace")

    @staticmethod
    def _pump(name: str, pipe: object, q: queue.Queue[tuple[str, bytes | None]]) -> None:
        read = pipe.read1 if hasattr(pipe, "read1") else pipe.read  # type: ignore[attr-defined]
        while True:
            try:
                chunk = read(65536)
            except (OSError, ValueError):
                chunk = b""
            if not chunk:
                q.put((name, None))
                # The pump closes its own pipe: close() must never do it while this thread is blocked in a
                # read (the buffered reader's lock would make it wait for as long as some process the block
                # started keeps the pipe open).
                with contextlib.suppress(OSError, ValueError):
                    pipe.close()  # type: ignore[attr-defined]
                return
            q.put((name, chunk))

    @property
    def alive(self) -> bool:
        """Whether the interpreter process is running."""
        return self._proc is not None and self._proc.poll() is None

    def _signal(self, sig: int) -> None:
        if not self.alive:
            return
        assert self._proc is not None
        try:
            if os.name == "posix":
                os.killpg(self._proc.pid, sig)
            elif sig == signal.SIGINT:  # pragma: no cover - Windows
                self._proc.send_signal(signal.CTRL_BREAK_EVENT)  # type: ignore[attr-defined]
            else:  # pragma: no cover - Windows
                self._proc.kill()
        except OSError:  # it ended meanwhile; or, on Windows, Ctrl-Break cannot reach a windowless child
            pass

    def interrupt(self) -> None:
        """Ask the running block to stop (Ctrl-C, timeout); close() follows if it has not within the grace."""
        self._signal(signal.SIGINT)

    def close(self) -> None:
        """End the interpreter and everything it started, however it left: its process group, and every
        process carrying its tag (setsid ones too, and those of finished one-shot blocks). Never waits on
        a pipe."""
        proc, self._proc = self._proc, None
        if proc is not None and self._job is not None:  # pragma: no cover - Windows
            from localinterp.runners import winproc

            winproc.terminate(self._job)
            self._job = None
        elif proc is not None and os.name == "posix":
            # The group outlives its leader: kill it even when the interpreter itself is already dead.
            with contextlib.suppress(OSError):
                os.killpg(proc.pid, signal.SIGKILL)
        elif proc is not None:  # pragma: no cover - Windows without a job
            proc.kill()
        if os.name == "posix" and self.sweeps_tagged:
            kill_tagged(self._token)
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None
        if proc is None:
            return
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=5)
        if proc.stdin:
            with contextlib.suppress(OSError, ValueError):
                proc.stdin.close()

    def sweep(self) -> None:
        """Kill what the last block started and left behind (the runner itself stays): after a block was
        interrupted or timed out, a child that ignores SIGINT and SIGTERM must not live on."""
        if self._proc is None or os.name != "posix" or not self.sweeps_tagged:
            return
        kill_tagged(self._token, keep=self._proc.pid)

    # -- running a block ----------------------------------------------------------------------------

    def _drop_stale_lines(self) -> None:
        # A line report sampled just before the last block ended must not show up in this one.
        kept = []
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item[0] != "line":
                kept.append(item)
        for item in kept:
            self._queue.put(item)

    def run(self, code: str, *, stop: threading.Event | None = None) -> Iterator[Output | RunResult]:
        """Run `code`, yielding its output as it comes and then one RunResult."""
        with self._lock:
            yield from self._run(code, stop)

    def _run(self, code: str, stop: threading.Event | None) -> Iterator[Output | RunResult]:
        started = time.monotonic()
        if not self.persistent:
            self.prepare(code)
            self._start()
        elif not self.alive:
            if self._proc is not None:
                self.close()
            self._start()
        marker = f"__localinterp_done_{secrets.token_hex(8)}__"
        cap = OutputCap()
        shown = 0
        pending = {"stdout": "", "stderr": ""}
        done = {"stdout": False, "stderr": False}
        exit_code: int | None = None
        status = ""
        decoders = {name: self.decoder() for name in done}
        self._drop_stale_lines()
        with contextlib.suppress(OSError):  # it died: reading below notices
            self.send(code, marker)
        deadline = started + self.timeout_s
        interrupted_at = exited_at = 0.0
        ended = False  # a stream closed: the process is exiting
        while not all(done.values()):
            now = time.monotonic()
            if stop is not None and stop.is_set() and not interrupted_at:
                status, interrupted_at = "interrupted", now
                self.interrupt()
            if now > deadline and not interrupted_at:
                status, interrupted_at = "timeout", now
                self.interrupt()
            if interrupted_at and now - interrupted_at > INTERRUPT_GRACE_S:
                self.close()  # it would not stop: kill it and everything it started
                break
            try:
                name, chunk = self._queue.get(timeout=0.05)
            except queue.Empty:
                # The process is gone but its pipes stay open: something it started holds them (a
                # background child). What it wrote has arrived by now; do not wait for that child.
                if self._proc is not None and self._proc.poll() is not None:
                    exited_at = exited_at or now
                    if now - exited_at > EXIT_DRAIN_S:
                        ended = True
                        break
                continue
            if name == "line":  # where the block is now (python.py): shown, not kept
                if chunk:
                    lines = chunk.decode(errors="replace").split()
                    if lines:
                        yield Output("line", lines[-1])
                continue
            if chunk is None:
                done[name] = True
                ended = True
                continue
            text = pending[name] + decoders[name].decode(chunk)
            cut = text.find(marker)
            line_end = text.find("\n", cut) if cut >= 0 else -1
            if line_end >= 0:  # the marker's whole line is here (cmd.exe writes its end separately)
                rest = text[cut + len(marker) : line_end]
                text = text[:cut]
                done[name] = True
                if name == "stdout":
                    code_text = rest.strip().split()[0] if rest.strip() else ""
                    exit_code = int(code_text) if code_text.lstrip("-").isdigit() else None
                pending[name] = ""
            elif cut >= 0:
                pending[name], text = text[cut:], text[:cut]
            else:
                # Hold back only a tail that could be the start of a marker split across chunks.
                keep = _marker_prefix(text, marker)
                pending[name], text = text[len(text) - keep :], text[: len(text) - keep]
            if text:
                cap.add(text)
                if shown < DISPLAY_LIMIT_BYTES:
                    yield Output(name, text[: DISPLAY_LIMIT_BYTES - shown])
                    shown += len(text)
                    if shown >= DISPLAY_LIMIT_BYTES:
                        yield Output("notice", "\n[output continues; only its head and tail are kept]\n")
        for name, rest in pending.items():
            if rest:
                cap.add(rest)
                yield Output(name, rest)
        if not self.persistent and self._proc is not None and not interrupted_at:
            exit_code = self._proc.wait()
            self._proc = None
            yield RunResult(
                self.language,
                "ok" if exit_code == 0 else "error",
                cap.text(),
                exit_code=exit_code,
                omitted_bytes=cap.omitted,
                duration_s=time.monotonic() - started,
            )
            return
        if ended and self._proc is not None:
            # Its pipes closed, so it is exiting; wait for that, or `alive` could still say yes.
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._proc.wait(timeout=5)
        crashed = not self.alive
        if crashed and status not in ("timeout", "interrupted"):
            code_now = self._proc.returncode if self._proc is not None else None
            status = "crashed"
            note = (
                f"\n[the {self.language} process ended (exit code {code_now}); its state was lost and a new one "
                f"starts with the next block]{self.restart_note}\n"
            )
            cap.add(note)
            yield Output("notice", note)
            self.close()
        elif crashed:
            note = f"\n[the {self.language} process did not stop and was killed; its state was lost]\n"
            cap.add(note)
            yield Output("notice", note)
        if status == "timeout":
            note = f"\n[stopped: the block ran longer than {self.timeout_s:g} s]\n"
            cap.add(note)
            yield Output("notice", note)
        if interrupted_at:
            self.sweep()
        if not status:
            status = "ok" if exit_code in (0, None) else "error"
        yield RunResult(
            self.language,
            status,
            cap.text(),
            exit_code=exit_code,
            omitted_bytes=cap.omitted,
            duration_s=time.monotonic() - started,
        )


def install_root(program: str) -> Path:
    """The folder a program was installed under: /usr for /usr/bin/node, ~/.nvm/versions/node/v22 for a
    node there (its libraries sit beside its bin/)."""
    found = shutil.which(program) or program
    return Path(found).resolve().parent.parent


def _marker_prefix(text: str, marker: str) -> int:
    """The length of the longest end of `text` that begins `marker`."""
    for k in range(min(len(text), len(marker) - 1), 0, -1):
        if marker.startswith(text[-k:]):
            return k
    return 0
