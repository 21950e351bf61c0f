"""Windows process plumbing: job objects, so a runner's process tree ends with localinterp, and the
console facts that decide how a child is started and what code page its output is in.

POSIX gets this from process groups and PR_SET_PDEATHSIG (base.py). Windows has neither: killing cmd.exe
leaves what it started running, and nothing ends a child when its parent is killed. A job object with
JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE does both: every process the runner starts joins the job, and the job
ends them all when its last handle closes, which the system does when localinterp exits in any way.

The structures are defined on every platform (their layout is checked by a test on Linux); the calls only
work on Windows.
"""

from __future__ import annotations

import ctypes
import functools
import subprocess
from ctypes import wintypes

JOB_OBJECT_EXTENDED_LIMIT_INFORMATION_CLASS = 9
JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE = 0x2000
CREATE_NO_WINDOW = 0x08000000
# Spelled out, not wintypes.DWORD: that is a C long, 8 bytes on Linux, where the layout test runs.
DWORD = ctypes.c_uint32


class IO_COUNTERS(ctypes.Structure):  # the Windows SDK's names
    _fields_ = [
        ("ReadOperationCount", ctypes.c_ulonglong),
        ("WriteOperationCount", ctypes.c_ulonglong),
        ("OtherOperationCount", ctypes.c_ulonglong),
        ("ReadTransferCount", ctypes.c_ulonglong),
        ("WriteTransferCount", ctypes.c_ulonglong),
        ("OtherTransferCount", ctypes.c_ulonglong),
    ]


class JOBOBJECT_BASIC_LIMIT_INFORMATION(ctypes.Structure):
    _fields_ = [
        ("PerProcessUserTimeLimit", ctypes.c_int64),  # LARGE_INTEGER
        ("PerJobUserTimeLimit", ctypes.c_int64),
        ("LimitFlags", DWORD),
        ("MinimumWorkingSetSize", ctypes.c_size_t),
        ("MaximumWorkingSetSize", ctypes.c_size_t),
        ("ActiveProcessLimit", DWORD),
        ("Affinity", ctypes.c_size_t),  # ULONG_PTR
        ("PriorityClass", DWORD),
        ("SchedulingClass", DWORD),
    ]


class JOBOBJECT_EXTENDED_LIMIT_INFORMATION(ctypes.Structure):
    _fields_ = [
        ("BasicLimitInformation", JOBOBJECT_BASIC_LIMIT_INFORMATION),
        ("IoInfo", IO_COUNTERS),
        ("ProcessMemoryLimit", ctypes.c_size_t),
        ("JobMemoryLimit", ctypes.c_size_t),
        ("PeakProcessMemoryUsed", ctypes.c_size_t),
        ("PeakJobMemoryUsed", ctypes.c_size_t),
    ]


@functools.cache
def _kernel32():  # pragma: no cover - Windows
    k32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
    k32.CreateJobObjectW.restype = wintypes.HANDLE
    k32.CreateJobObjectW.argtypes = (ctypes.c_void_p, wintypes.LPCWSTR)
    k32.SetInformationJobObject.restype = wintypes.BOOL
    k32.SetInformationJobObject.argtypes = (wintypes.HANDLE, ctypes.c_int, ctypes.c_void_p, wintypes.DWORD)
    k32.AssignProcessToJobObject.restype = wintypes.BOOL
    k32.AssignProcessToJobObject.argtypes = (wintypes.HANDLE, wintypes.HANDLE)
    k32.TerminateJobObject.restype = wintypes.BOOL
    k32.TerminateJobObject.argtypes = (wintypes.HANDLE, wintypes.UINT)
    k32.CloseHandle.restype = wintypes.BOOL
    k32.CloseHandle.argtypes = (wintypes.HANDLE,)
    return k32


def has_console() -> bool:  # pragma: no cover - Windows
    """Whether localinterp runs in a console (a terminal), which its children then share."""
    return bool(_kernel32().GetConsoleWindow())


def creation_flags() -> int:  # pragma: no cover - Windows
    """Popen flags for a runner: its own process group, so the console's Ctrl-C reaches only localinterp
    (which then interrupts the block on purpose); and, without a console of ours, no window popping up."""
    flags = subprocess.CREATE_NEW_PROCESS_GROUP  # type: ignore[attr-defined]
    return flags if has_console() else flags | CREATE_NO_WINDOW


def console_encoding() -> str:  # pragma: no cover - Windows
    """The code page cmd.exe reads batch files in and writes its own output in: the console's, or for the
    hidden console a windowless child gets, the OEM one."""
    k32 = _kernel32()
    page = (k32.GetConsoleOutputCP() if has_console() else 0) or k32.GetOEMCP()
    return "utf-8" if page == 65001 else f"cp{page}"


def kill_on_close_job(proc: subprocess.Popen[bytes]) -> int | None:  # pragma: no cover - Windows
    """Put `proc` (just started, before it starts anything) in a new kill-on-close job; its handle.

    None when the system refuses (an old Windows whose job localinterp already runs in forbids nesting):
    the runner then works as before, only without the guarantee.
    """
    k32 = _kernel32()
    job = k32.CreateJobObjectW(None, None)
    if not job:
        return None
    info = JOBOBJECT_EXTENDED_LIMIT_INFORMATION()
    info.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE
    ok = k32.SetInformationJobObject(
        job, JOB_OBJECT_EXTENDED_LIMIT_INFORMATION_CLASS, ctypes.byref(info), ctypes.sizeof(info)
    ) and k32.AssignProcessToJobObject(job, int(proc._handle))  # type: ignore[attr-defined]
    if not ok:
        k32.CloseHandle(job)
        return None
    return int(job)


def terminate(job: int) -> None:  # pragma: no cover - Windows
    """End every process in the job and let the job go."""
    k32 = _kernel32()
    k32.TerminateJobObject(job, 1)
    k32.CloseHandle(job)
