"""The OS sandbox every runner process starts in: what model-written code may write, read and reach.

Modes (the `sandbox` setting):
- `workspace`: reads anywhere; writes only in the working directory, the temp folder and the runner's own
  scratch folder; no network. The default when code runs without asking (auto-run).
- `strict`: as workspace, and reads only in the working directory, the scratch folder, system
  libraries and configuration, and the files of the programs that run blocks. The temp folder is
  replaced by the scratch folder (TMPDIR), since /tmp holds other programs' files.
- `off`: the user's full rights, as every program they start has.
`allow_net` lifts the network rule, and only that.

Linux: Landlock (filesystem rules; TCP connect/bind rules from ABI 4), unprivileged, applied in the child
between fork and exec, so nothing of the model's runs before it. With the network off the child also gets
an empty network namespace where the kernel lets this user make one (root, or unprivileged user
namespaces): that covers UDP, DNS and ICMP, which Landlock does not. The ruleset is built in the parent;
the child only makes two system calls. The bindings are ctypes, a page of code: the kernel ABI is small
and stable, and a binding from PyPI would be one more dependency on the code path that must not fail.
macOS: a Seatbelt profile through sandbox-exec (written from Apple's profile language; not run on this
project's CI). Windows: nothing; a clear refusal.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import os
import sys
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from localinterp.errors import SandboxUnavailable

MODES = ("off", "workspace", "strict")

# -- Landlock's kernel ABI (include/uapi/linux/landlock.h) -------------------------------------------
_SYS_CREATE, _SYS_ADD_RULE, _SYS_RESTRICT = 444, 445, 446  # the same on every architecture but alpha
_CREATE_VERSION = 1
_RULE_PATH_BENEATH = 1
_EXECUTE, _WRITE_FILE, _READ_FILE, _READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
_REMOVE_DIR, _REMOVE_FILE, _MAKE_CHAR, _MAKE_DIR = 1 << 4, 1 << 5, 1 << 6, 1 << 7
_MAKE_REG, _MAKE_SOCK, _MAKE_FIFO, _MAKE_BLOCK, _MAKE_SYM = 1 << 8, 1 << 9, 1 << 10, 1 << 11, 1 << 12
_REFER, _TRUNCATE = 1 << 13, 1 << 14  # ABI 2, ABI 3
_NET_BIND_TCP, _NET_CONNECT_TCP = 1 << 0, 1 << 1  # ABI 4
_SCOPE_ABSTRACT_UNIX, _SCOPE_SIGNAL = 1 << 0, 1 << 1  # ABI 6
_FILE_RIGHTS = _EXECUTE | _WRITE_FILE | _READ_FILE | _TRUNCATE  # the rights a rule on a file may carry
_READ = _EXECUTE | _READ_FILE | _READ_DIR
_PR_SET_NO_NEW_PRIVS, _PR_SET_PDEATHSIG = 38, 1
_CLONE_NEWUSER, _CLONE_NEWNET = 0x10000000, 0x40000000


def _write_rights(abi: int) -> int:
    rights = (
        _WRITE_FILE | _REMOVE_DIR | _REMOVE_FILE | _MAKE_CHAR | _MAKE_DIR | _MAKE_REG | _MAKE_SOCK
        | _MAKE_FIFO | _MAKE_BLOCK | _MAKE_SYM
    )  # fmt: skip
    if abi >= 2:
        rights |= _REFER  # handled, so a hard link cannot carry an outside file into the workspace
    if abi >= 3:
        rights |= _TRUNCATE
    return rights


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("fs", ctypes.c_uint64), ("net", ctypes.c_uint64), ("scoped", ctypes.c_uint64)]


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


@functools.cache
def _libc() -> ctypes.CDLL:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    return libc


@functools.cache
def landlock_abi() -> int:
    """The Landlock ABI version this kernel offers; 0 without Landlock (old kernel, not enabled, WSL1)."""
    if not sys.platform.startswith("linux"):
        return 0
    try:
        version = _libc().syscall(_SYS_CREATE, None, ctypes.c_size_t(0), ctypes.c_uint32(_CREATE_VERSION))
    except (OSError, AttributeError):
        return 0
    return max(int(version), 0)


def _netns_entering() -> Callable[[], None]:
    """A function for the child between fork and exec that gives it an empty network namespace. Everything
    it needs is computed here, in the parent: the child only makes system calls."""
    libc = _libc()
    uid, gid = os.getuid(), os.getgid()
    maps = ((b"/proc/self/setgroups", b"deny"), (b"/proc/self/uid_map", f"{uid} {uid} 1".encode()),
            (b"/proc/self/gid_map", f"{gid} {gid} 1".encode()))  # fmt: skip

    def enter() -> None:  # pragma: no cover - runs in the child between fork and exec
        if libc.unshare(_CLONE_NEWNET) == 0:  # root
            return
        # An unprivileged user: a user namespace first, mapping this user to itself so files keep their owner.
        if libc.unshare(_CLONE_NEWUSER | _CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "unshare")
        for path, text in maps:
            fd = os.open(path, os.O_WRONLY)
            try:
                os.write(fd, text)
            finally:
                os.close(fd)

    return enter


@functools.cache
def netns_available() -> bool:
    """Whether this user can give a process an empty network namespace (tried once, on /bin/true)."""
    if not sys.platform.startswith("linux") or not Path("/bin/true").exists():
        return False
    import subprocess

    try:
        subprocess.run(["/bin/true"], preexec_fn=_netns_entering(), check=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return False
    return True


# -- what the user chose --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sandbox:
    """The sandbox blocks run in: `mode` (off | workspace | strict) and whether the network is allowed."""

    mode: str = "off"
    allow_net: bool = False

    @property
    def on(self) -> bool:
        """Whether blocks are confined at all."""
        return self.mode != "off"

    def label(self) -> str:
        """A few words for the approval prompt and the status line."""
        if not self.on:
            return "no sandbox"
        return f"{self.mode} sandbox" + (", network allowed" if self.allow_net else "")

    def describe(self, cwd: str | Path) -> str:
        """One sentence for the user and the model: what a block may do."""
        where = Path(cwd)
        if not self.on:
            return "No sandbox: code runs with your full rights" + (
                "." if not self.allow_net else " (and the network)."
            )
        writes = f"writes only inside {where} and the temp folder"
        if self.mode == "strict":
            writes = (
                f"reads and writes only inside {where} and a private temp folder (system files are readable)"
            )
        net = "the network is allowed" if self.allow_net else "no network"
        return f"{self.mode.capitalize()} sandbox: {writes}; {net}."

    def for_model(self, cwd: str | Path) -> str:
        """The system message's line: so the model does not try what will fail and loop on the error."""
        if not self.on:
            return ""
        parts = ["Sandbox: code may write only inside the working directory and the temp folder"]
        if self.mode == "strict":
            parts = ["Sandbox: code may read and write only inside the working directory and $TMPDIR"]
        if not self.allow_net:
            parts.append("there is no network (no downloads, no pip install)")
        return "; ".join(parts) + "."


def choose(mode: str | None, *, auto_run: bool, allow_net: bool = False) -> Sandbox:
    """The sandbox for a chat: `mode` as set, else workspace with auto-run and off with approval (where
    the user reads each block; they can still ask for one). Raises BadInput for an unknown mode."""
    from localinterp.errors import BadInput

    if mode is None:
        mode = "workspace" if auto_run else "off"
    if mode not in MODES:
        raise BadInput(f"sandbox = {mode!r}: choose one of {', '.join(MODES)}.")
    return Sandbox(mode, allow_net)


def missing(sandbox: Sandbox) -> str:
    """What this machine lacks to give `sandbox`, in a few words; "" when it can give it."""
    if not sandbox.on:
        return ""
    if os.name == "nt":
        return "Windows has no sandbox localinterp can use (run it inside WSL2 or a VM for one)"
    if sys.platform == "darwin":
        return "" if Path(SANDBOX_EXEC).exists() else f"{SANDBOX_EXEC} is missing"
    abi = landlock_abi()
    if abi == 0:
        return (
            "this kernel has no Landlock (it needs Linux 5.13 or later with landlock among its security "
            "modules; WSL1 has none)"
        )
    if not sandbox.allow_net and abi < 4 and not netns_available():
        return (
            f"this kernel's Landlock (ABI {abi}) cannot block TCP and this user may not make a network "
            "namespace, so the network cannot be turned off (--allow-net keeps files confined)"
        )
    return ""


def require(sandbox: Sandbox) -> None:
    """Refuse, in one line, a sandbox this machine cannot give."""
    why = missing(sandbox)
    if why:
        raise SandboxUnavailable(
            f"sandbox {sandbox.mode}: {why}. Pass --sandbox off to run blocks unconfined (and approve each one)."
        )


_NETWORK_ERRORS = (
    "Network is unreachable", "Temporary failure in name resolution", "Name or service not known",
    "getaddrinfo", "ENETUNREACH", "EAI_AGAIN", "Could not resolve host",
)  # fmt: skip


def hint(sandbox: Sandbox, output: str) -> str:
    """What to tell the user when a failed block's output suggests the sandbox stopped it ("" if not)."""
    if not sandbox.on:
        return ""
    if not sandbox.allow_net and any(e in output for e in _NETWORK_ERRORS):
        return "The sandbox blocks the network; if this task needs it, restart with --allow-net."
    if "Permission denied" in output or "EACCES" in output or "Operation not permitted" in output:
        return (
            "The sandbox may have refused this: blocks write only inside the working directory and the temp "
            "folder" + ("" if sandbox.allow_net else ", with no network") + " (--sandbox off lifts it)."
        )
    return ""


# -- confining one process ------------------------------------------------------------------------------


def system_read_paths() -> list[Path]:
    """What strict mode lets every program read: libraries, system programs and their configuration."""
    names = ["/usr", "/lib", "/lib32", "/lib64", "/libx32", "/bin", "/sbin", "/etc", "/proc", "/sys", "/dev"]
    names += ["/nix/store", "/run/current-system"]  # NixOS keeps its whole system there
    if sys.platform == "darwin":
        names += ["/System", "/Library", "/private/etc", "/private/var/db", "/opt/homebrew", "/usr/local"]
    return [Path(n) for n in names]


_DEVICES_WRITABLE = ("/dev/null", "/dev/zero", "/dev/full", "/dev/tty", "/dev/ptmx", "/dev/pts", "/dev/shm")


@dataclass
class Confinement:
    """How to start one process in a sandbox: a command prefix (macOS), environment additions and a
    function for the child between fork and exec (Linux). `close()` after the process started."""

    wrap: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    preexec: Callable[[], None] | None = None
    _fds: list[int] = field(default_factory=list)

    def close(self) -> None:
        """Release what the parent held for the child (the ruleset)."""
        for fd in self._fds:
            with contextlib.suppress(OSError):
                os.close(fd)
        self._fds.clear()


def temp_folder() -> Path:
    """The temp folder blocks see: $TMPDIR if it is a folder, else the system's."""
    env = os.environ.get("TMPDIR")
    if env and Path(env).is_dir():
        return Path(env).resolve()
    return Path(tempfile.gettempdir()).resolve()


def confine(sandbox: Sandbox, cwd: str | Path, scratch: Path, programs: Iterable[Path] = ()) -> Confinement:
    """The confinement for a process that runs in `cwd`, may use `scratch` as its own, and runs the
    programs whose files are `programs` (strict mode lets it read them)."""
    if not sandbox.on:
        return Confinement()
    require(sandbox)
    work = Path(cwd).resolve()
    writable = [work, scratch.resolve()]
    env = {"XDG_CACHE_HOME": str(scratch)}  # caches (pip, matplotlib) that would write to ~/.cache
    if sandbox.mode == "strict":
        env["TMPDIR"] = str(scratch)  # /tmp holds other programs' files: not readable in strict
    else:
        writable.append(temp_folder())
    readable = [*system_read_paths(), *programs] if sandbox.mode == "strict" else []
    if sys.platform == "darwin":
        profile = seatbelt_profile(sandbox, writable, readable)
        return Confinement(wrap=[SANDBOX_EXEC, "-p", profile], env=env)
    return _landlock(sandbox, writable, readable, env)


def _landlock(
    sandbox: Sandbox, writable: list[Path], readable: list[Path], env: dict[str, str]
) -> Confinement:
    abi = landlock_abi()
    libc = _libc()
    write = _write_rights(abi)
    handled_fs = write | (_READ if sandbox.mode == "strict" else 0)
    handled_net = _NET_BIND_TCP | _NET_CONNECT_TCP if abi >= 4 and not sandbox.allow_net else 0
    # Signals stay free in workspace (a task may be "stop my stuck server"); strict keeps them inside.
    scoped = 0
    if abi >= 6:
        scoped = (_SCOPE_ABSTRACT_UNIX if not sandbox.allow_net else 0) | (
            _SCOPE_SIGNAL if sandbox.mode == "strict" else 0
        )
    attr = _RulesetAttr(handled_fs, handled_net, scoped)
    size = 24 if abi >= 6 else 16 if abi >= 4 else 8
    ruleset = int(libc.syscall(_SYS_CREATE, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0)))
    if ruleset < 0:
        err = ctypes.get_errno()
        raise SandboxUnavailable(
            f"the Landlock ruleset could not be made ({os.strerror(err)}); pass --sandbox off."
        )
    confinement = Confinement(env=env, _fds=[ruleset])

    def allow(path: Path, rights: int) -> None:
        try:
            fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
        except OSError:  # not on this machine
            return
        try:
            is_dir = Path(f"/proc/self/fd/{fd}").is_dir()
            rule = _PathBeneath((rights & handled_fs) & (~0 if is_dir else _FILE_RIGHTS), fd)
            if libc.syscall(_SYS_ADD_RULE, ctypes.c_int(ruleset), ctypes.c_int(_RULE_PATH_BENEATH),
                            ctypes.byref(rule), ctypes.c_uint32(0)) != 0:  # fmt: skip
                err = ctypes.get_errno()
                confinement.close()
                raise SandboxUnavailable(f"the sandbox could not allow {path} ({os.strerror(err)}).")
        finally:
            os.close(fd)

    for path in readable:
        allow(path, _READ)
    for path in (*writable, *(Path(d) for d in _DEVICES_WRITABLE)):
        allow(path, write | _READ)
    enter_netns = _netns_entering() if not sandbox.allow_net and netns_available() else None

    def preexec() -> None:  # pragma: no cover - runs in the child between fork and exec
        libc.prctl(_PR_SET_PDEATHSIG, 9)  # the child dies with localinterp, even by kill -9
        if enter_netns is not None:
            enter_netns()
        if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "no_new_privs")
        if libc.syscall(_SYS_RESTRICT, ctypes.c_int(ruleset), ctypes.c_uint32(0)) != 0:
            raise OSError(ctypes.get_errno(), "landlock_restrict_self")

    confinement.preexec = preexec
    return confinement


# -- macOS ----------------------------------------------------------------------------------------------

SANDBOX_EXEC = "/usr/bin/sandbox-exec"


def _sb_string(path: Path) -> str:
    text = str(path)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def seatbelt_profile(sandbox: Sandbox, writable: Iterable[Path], readable: Iterable[Path]) -> str:
    """A Seatbelt (SBPL) profile for sandbox-exec. Paths are given resolved (macOS's /tmp is /private/tmp):
    Seatbelt matches the real path."""
    lines = ["(version 1)", "(allow default)", "(deny file-write*)"]
    allowed = [f"(subpath {_sb_string(Path(p).resolve())})" for p in writable]
    allowed += [
        f"(literal {_sb_string(Path(d))})" for d in _DEVICES_WRITABLE if not d.endswith(("pts", "shm"))
    ]
    allowed.append('(regex #"^/dev/ttys[0-9]+$")')
    lines.append("(allow file-write* " + " ".join(allowed) + ")")
    if sandbox.mode == "strict":
        reads = [f"(subpath {_sb_string(Path(p))})" for p in (*readable, *writable)]
        # Resolving a path needs to stat its parents: metadata stays readable, contents do not.
        lines += ["(deny file-read-data)", "(allow file-read-data " + " ".join(reads) + ")"]
    if not sandbox.allow_net:
        lines += ["(deny network-outbound (remote ip))", "(deny network-inbound (local ip))",
                  "(deny network-bind (local ip))"]  # fmt: skip
    return "\n".join(lines) + "\n"
