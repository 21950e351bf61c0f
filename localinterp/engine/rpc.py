"""llama.cpp's RPC backend: `rpc-server` processes on other machines lend their memory and compute.

Adding a server registers its devices with ggml, process-wide, exactly as llama.cpp's own `--rpc` does
(`add_rpc_devices` in its common/arg.cpp); llama.cpp then offloads layers to them like to local GPUs, in
proportion to their free memory. The planner sees each one as a device with that free memory.
It needs a llama-cpp-python built with `-DGGML_RPC=on` (docs/GPU.md); rpc-server has no authentication,
so only use it on a network you trust.
"""

from __future__ import annotations

import ctypes
import os
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from localinterp.errors import BadInput, LoadError

_ENDPOINT_RE = re.compile(r"^[\w.\-]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$")
_ADDED: dict[str, list[RpcDevice]] = {}


@dataclass(frozen=True)
class RpcDevice:
    """One device an rpc-server offers."""

    endpoint: str
    name: str
    description: str
    free_bytes: int
    total_bytes: int


def parse_endpoints(text: str) -> list[str]:
    """`host:port,host:port` as typed after --rpc, checked."""
    endpoints = [e.strip() for e in text.split(",") if e.strip()]
    if not endpoints:
        raise BadInput("--rpc needs at least one host:port.")
    for e in endpoints:
        if not _ENDPOINT_RE.match(e):
            raise BadInput(f"--rpc {e!r} is not host:port (e.g. 192.168.1.20:50052).")
    return endpoints


def rpc_supported() -> bool:
    """Whether the installed llama-cpp-python was built with the RPC backend."""
    import llama_cpp

    return bool(llama_cpp.llama_supports_rpc())


def _lib(name: str) -> ctypes.CDLL:
    import llama_cpp

    base = Path(os.environ.get("LLAMA_CPP_LIB_PATH") or Path(llama_cpp.__file__).parent / "lib")
    file = {"win32": f"{name}.dll", "darwin": f"lib{name}.dylib"}.get(sys.platform, f"lib{name}.so")
    return ctypes.CDLL(str(base / file))


def add_rpc_servers(endpoints: Sequence[str]) -> list[RpcDevice]:
    """Register the servers' devices with ggml (once per endpoint) and report their memory."""
    if not endpoints:
        return []
    if not rpc_supported():
        raise BadInput(
            'this llama-cpp-python build has no RPC backend; rebuild it with CMAKE_ARGS="-DGGML_RPC=on" '
            "(see docs/GPU.md), or serve the model with llama.cpp's llama-server --rpc and use --api-base."
        )
    ggml, base = _lib("ggml"), _lib("ggml-base")
    ggml.ggml_backend_reg_by_name.restype = ctypes.c_void_p
    ggml.ggml_backend_reg_by_name.argtypes = [ctypes.c_char_p]
    ggml.ggml_backend_register.argtypes = [ctypes.c_void_p]
    base.ggml_backend_reg_get_proc_address.restype = ctypes.c_void_p
    base.ggml_backend_reg_get_proc_address.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    base.ggml_backend_reg_dev_count.restype = ctypes.c_size_t
    base.ggml_backend_reg_dev_count.argtypes = [ctypes.c_void_p]
    base.ggml_backend_reg_dev_get.restype = ctypes.c_void_p
    base.ggml_backend_reg_dev_get.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    base.ggml_backend_dev_memory.argtypes = [
        ctypes.c_void_p,
        ctypes.POINTER(ctypes.c_size_t),
        ctypes.POINTER(ctypes.c_size_t),
    ]
    for fn in ("ggml_backend_dev_name", "ggml_backend_dev_description"):
        getattr(base, fn).restype = ctypes.c_char_p
        getattr(base, fn).argtypes = [ctypes.c_void_p]

    reg = ggml.ggml_backend_reg_by_name(b"RPC")
    if not reg:
        raise LoadError("llama.cpp reports RPC support but has no RPC backend registered.")
    address = base.ggml_backend_reg_get_proc_address(reg, b"ggml_backend_rpc_add_server")
    if not address:
        raise LoadError("this llama.cpp's RPC backend has no ggml_backend_rpc_add_server (too old).")
    add_server = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_char_p)(address)
    devices: list[RpcDevice] = []
    for endpoint in endpoints:
        if endpoint not in _ADDED:
            _check_reachable(endpoint)
            server = add_server(endpoint.encode())
            if not server:
                raise LoadError(f"could not connect to the RPC server {endpoint}.")
            ggml.ggml_backend_register(server)
            found = []
            for i in range(base.ggml_backend_reg_dev_count(server)):
                dev = base.ggml_backend_reg_dev_get(server, i)
                free, total = ctypes.c_size_t(), ctypes.c_size_t()
                base.ggml_backend_dev_memory(dev, ctypes.byref(free), ctypes.byref(total))
                found.append(
                    RpcDevice(
                        endpoint,
                        (base.ggml_backend_dev_name(dev) or b"").decode(),
                        (base.ggml_backend_dev_description(dev) or b"").decode(),
                        free.value,
                        total.value,
                    )
                )
            _ADDED[endpoint] = found
        devices += _ADDED[endpoint]
    return devices


def _check_reachable(endpoint: str) -> None:
    # ggml's RPC client aborts the process on some connection failures; find out first, with a clear error.
    import socket

    host, _, port = endpoint.rpartition(":")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=5):
            pass
    except OSError as e:
        raise LoadError(
            f"cannot reach the RPC server {endpoint} ({e.strerror or e}); is rpc-server running?"
        ) from None


def as_gpus(devices: Sequence[RpcDevice]) -> list[object]:
    """The devices as hardware.GPU entries (backend "rpc") for the planner."""
    from localinterp.hardware import GPU

    return [
        GPU(
            "rpc",
            f"{d.name} ({d.description})" if d.endpoint in d.description else f"{d.name} at {d.endpoint}",
            d.total_bytes,
            d.free_bytes,
            index=i,
        )
        for i, d in enumerate(devices)
    ]


def with_rpc(hw: object, endpoints: Sequence[str]) -> object:
    """`hw` (a hardware.Hardware) with the RPC servers' devices added, for planning across machines."""
    import dataclasses

    if not endpoints:
        return hw
    devices = add_rpc_servers(endpoints)
    return dataclasses.replace(hw, gpus=(*hw.gpus, *as_gpus(devices)))  # type: ignore[attr-defined]
