"""What this machine has: CPU, memory, disk, GPUs, and what the installed llama.cpp build can use.

Every probe is best effort and never raises: a machine without NVML, a container, macOS or Windows each
get the fields that can be read there, and a note says what could not be.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import platform
import re
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

# SIMD features that decide which llama.cpp kernels run (and which weights it repacks).
RELEVANT_CPU_FLAGS = [
    "sse3",
    "ssse3",
    "avx",
    "avx2",
    "fma",
    "f16c",
    "avx_vnni",
    "avx512f",
    "avx512bw",
    "avx512vl",
    "avx512_vnni",
    "avx512_vbmi",
    "avx512_bf16",
    "amx_tile",
    "amx_int8",
    "amx_bf16",
    "neon",
    "dotprod",
    "i8mm",
    "fp16",
    "bf16",
    "sve",
    "sve2",
]
# Linux spells some flags differently from llama.cpp's names.
_FLAG_ALIASES = {
    "avx512vnni": "avx512_vnni",
    "avx512vbmi": "avx512_vbmi",
    "asimd": "neon",
    "asimddp": "dotprod",
    "asimdhp": "fp16",
    "fphp": "fp16",
    "pni": "sse3",
}

# Metal lets the GPU wire at most `recommendedMaxWorkingSetSize` bytes of unified memory. Reports of it as
# llama.cpp prints it give 2/3 of RAM up to 36 GiB (10922.67 MB on a 16 GB Mac) and about 3/4 above
# (~48 GB on a 64 GB Mac). Without Objective-C bindings we cannot ask Metal, so we use those fractions;
# LOCALINTERP_METAL_WORKING_SET_BYTES overrides them.
METAL_SMALL_FRACTION = 2 / 3
METAL_LARGE_FRACTION = 3 / 4
METAL_LARGE_FROM_BYTES = 36 * 1024**3

LLAMA_CPP_PROBE_TIMEOUT_S = 60


@dataclass(frozen=True)
class CPU:
    """The processor."""

    model: str
    physical_cores: int
    logical_cores: int
    flags: tuple[str, ...]

    @property
    def threads(self) -> int:
        """Threads for llama.cpp's CPU work: one per physical core, llama.cpp's own default (a second
        hardware thread on a core adds nothing to matrix work). llama-cpp-python's default is half the
        logical cores, which on a machine without SMT (most VMs) halves generation: on a 2-core VM the
        1.5B generated 9.9 tokens/s with its 1 thread and 15.9 with 2 (`localinterp bench -t 1,2`)."""
        return max(1, self.physical_cores)


@dataclass(frozen=True)
class Memory:
    """System memory (RAM) and swap. Container limits are applied when they are lower."""

    total_bytes: int
    available_bytes: int
    swap_total_bytes: int = 0
    swap_free_bytes: int = 0
    bandwidth_bytes_per_s: int = 0  # measured by a copy benchmark (speed.py); 0: not measured


@dataclass(frozen=True)
class Disk:
    """Free space on the file system that holds the model cache."""

    path: str
    free_bytes: int


@dataclass(frozen=True)
class GPU:
    """One GPU. For unified memory (Apple Silicon) the sizes are the GPU's usable share of RAM."""

    backend: str  # "cuda", "metal", "rocm", "rpc" (a device lent by a llama.cpp rpc-server)
    name: str
    total_bytes: int
    free_bytes: int
    index: int = 0
    driver: str | None = None
    cuda_version: str | None = None
    compute_capability: str | None = None
    unified_memory: bool = False
    bandwidth_bytes_per_s: int = 0  # from NVML (bus width x memory clock); 0: unknown (speed.py assumes)


@dataclass(frozen=True)
class LlamaCppBuild:
    """The installed llama-cpp-python and what its native library was built with."""

    installed: bool
    version: str | None = None
    gpu_offload: bool | None = None  # None: could not be determined (see error)
    backends: tuple[str, ...] = ()
    error: str | None = None

    def supports(self, gpu: GPU) -> bool:
        """Whether this build can offload layers to `gpu`."""
        if gpu.backend == "rpc":
            return True  # an RPC device exists only once this build has connected to it (engine/rpc.py)
        if not self.gpu_offload:
            return False
        names = {b.lower() for b in self.backends}
        wanted = {"cuda": {"cuda"}, "metal": {"metal"}, "rocm": {"rocm", "hip"}}.get(gpu.backend, set())
        return bool(names & wanted) or "vulkan" in names


@dataclass(frozen=True)
class Hardware:
    """Everything the planner needs to know about this machine."""

    os: str
    arch: str
    cpu: CPU
    ram: Memory
    disk: Disk
    gpus: tuple[GPU, ...] = ()
    llama_cpp: LlamaCppBuild = field(default_factory=lambda: LlamaCppBuild(installed=False))
    notes: tuple[str, ...] = ()

    def usable_gpus(self) -> tuple[GPU, ...]:
        """GPUs the installed llama.cpp build can actually offload to."""
        return tuple(g for g in self.gpus if self.llama_cpp.supports(g))

    def to_json(self) -> dict[str, Any]:
        """The stable `probe --json` document."""
        return {
            "os": self.os,
            "arch": self.arch,
            "cpu": asdict(self.cpu) | {"flags": list(self.cpu.flags)},
            "ram": asdict(self.ram),
            "disk": asdict(self.disk),
            "gpus": [asdict(g) for g in self.gpus],
            "llama_cpp": asdict(self.llama_cpp) | {"backends": list(self.llama_cpp.backends)},
            "notes": list(self.notes),
            "advice": build_advice(self),
        }


def hardware_from_file(path: Path) -> Hardware:
    """Another machine, as `localinterp probe --json` described it there (or as written by hand), to plan
    for it here. What a hand-written file leaves out is assumed, and said in `notes`:
    - no `cpu`: 4 cores, no SIMD flags listed; no `disk`: unlimited free space (the download is not checked);
    - `ram` needs `total_bytes`; `available_bytes` defaults to 85 % of it (a machine after boot);
    - a GPU needs `backend`, `name` and `total_bytes`; `free_bytes` defaults to `total_bytes`;
    - no `llama_cpp`, or one without offload: a build that offloads to every GPU listed (the file describes
      the machine as it will run, and planning for its GPUs is the point).
    One clear line for a file that is not such a description."""
    import json

    from localinterp.errors import BadInput

    def bad(why: str) -> BadInput:
        return BadInput(f"--hardware {path}: {why} (write it with `localinterp probe --json > FILE`).")

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BadInput(f"--hardware {path}: no such file.") from None
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as e:
        raise bad(f"not a JSON machine description ({str(e)[:80]})") from None
    if not isinstance(data, dict):
        raise bad("not a JSON object")
    notes: list[str] = [f"planned for the machine described in {Path(path).name}, not this one"]

    def number(obj: Any, key: str, default: int | None = None) -> int:
        value = obj.get(key, default) if isinstance(obj, dict) else default
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            if default is not None and value is default:
                return default
            raise bad(f"{key} must be a number of bytes (or cores), got {value!r}")
        return int(value)

    ram_data = data.get("ram")
    if not isinstance(ram_data, dict) or "total_bytes" not in ram_data:
        raise bad("it names no RAM (ram.total_bytes)")
    total = number(ram_data, "total_bytes")
    if "available_bytes" not in ram_data:
        notes.append("RAM available assumed 85 % of total")
    ram = Memory(total, number(ram_data, "available_bytes", int(total * 0.85)),
                 number(ram_data, "swap_total_bytes", 0), number(ram_data, "swap_free_bytes", 0),
                 number(ram_data, "bandwidth_bytes_per_s", 0))  # fmt: skip
    if not ram.bandwidth_bytes_per_s:
        notes.append("RAM bandwidth not given: speed predicted with a conservative figure (speed.py)")
    cpu_data = data.get("cpu") if isinstance(data.get("cpu"), dict) else None
    if cpu_data is None:
        notes.append("CPU assumed 4 cores")
        cpu = CPU("unknown", 4, 4, ())
    else:
        flags = cpu_data.get("flags", [])
        cpu = CPU(str(cpu_data.get("model", "unknown")), number(cpu_data, "physical_cores", 4),
                  number(cpu_data, "logical_cores", number(cpu_data, "physical_cores", 4)),
                  tuple(str(f) for f in flags) if isinstance(flags, list) else ())  # fmt: skip
    disk_data = data.get("disk")
    disk = (
        Disk(str(disk_data.get("path", "?")), number(disk_data, "free_bytes", 2**62))
        if isinstance(disk_data, dict)
        else Disk("?", 2**62)
    )
    gpus = []
    for i, g in enumerate(data.get("gpus") or []):
        if not isinstance(g, dict) or not all(k in g for k in ("backend", "name", "total_bytes")):
            raise bad(f"GPU {i} needs backend, name and total_bytes")
        if g["backend"] not in ("cuda", "metal", "rocm", "rpc"):
            raise bad(f"GPU {i}'s backend {g['backend']!r} is not cuda, metal, rocm or rpc")
        gpu_total = number(g, "total_bytes")
        gpus.append(GPU(g["backend"], str(g["name"]), gpu_total, number(g, "free_bytes", gpu_total),
                        index=number(g, "index", i), unified_memory=bool(g.get("unified_memory", False)),
                        bandwidth_bytes_per_s=number(g, "bandwidth_bytes_per_s", 0)))  # fmt: skip
    build_data = data.get("llama_cpp") if isinstance(data.get("llama_cpp"), dict) else {}
    backends = tuple(sorted({g.backend for g in gpus} - {"rpc"}))
    if gpus and not build_data.get("gpu_offload"):
        notes.append(f"a llama.cpp build that offloads to its GPUs assumed ({', '.join(backends) or 'rpc'})")
        build = LlamaCppBuild(
            installed=True, version=build_data.get("version"), gpu_offload=True, backends=backends
        )
    else:
        listed = build_data.get("backends") or backends
        build = LlamaCppBuild(installed=bool(build_data.get("installed", True)), version=build_data.get("version"),
                              gpu_offload=build_data.get("gpu_offload"), backends=tuple(str(b) for b in listed))  # fmt: skip
    return Hardware(
        os=str(data.get("os", "unknown")), arch=str(data.get("arch", "unknown")), cpu=cpu, ram=ram, disk=disk,
        gpus=tuple(gpus), llama_cpp=build, notes=tuple(notes),
    )  # fmt: skip


# ---------------------------------------------------------------------------------------------------- CPU


def _read_text(path: str | Path) -> str | None:
    try:
        return Path(path).read_text(errors="replace")
    except OSError:
        return None


def _sysctl(name: str) -> str | None:
    try:
        out = subprocess.run(["sysctl", "-n", name], capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 and out.stdout.strip() else None


def _normalise_flags(raw: set[str]) -> tuple[str, ...]:
    named = {_FLAG_ALIASES.get(f, f) for f in raw}
    return tuple(f for f in RELEVANT_CPU_FLAGS if f in named)


def _windows_cpu_flags() -> set[str]:
    import ctypes

    # IsProcessorFeaturePresent constants (winnt.h).
    features = {"sse3": 13, "ssse3": 36, "avx": 39, "avx2": 40, "avx512f": 41, "neon": 19, "dotprod": 43}
    present = set()
    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    for name, code in features.items():
        with contextlib.suppress(OSError):
            if kernel32.IsProcessorFeaturePresent(code):
                present.add(name)
    return present


def probe_cpu() -> CPU:
    """CPU model, core counts and the SIMD flags llama.cpp cares about."""
    import psutil

    system = platform.system()
    model = ""
    flags: set[str] = set()
    if system == "Linux":
        info = _read_text("/proc/cpuinfo") or ""
        for line in info.splitlines():
            key, _, value = line.partition(":")
            key = key.strip().lower()
            if key in ("model name", "hardware", "cpu model") and not model:
                model = value.strip()
            elif key in ("flags", "features") and not flags:
                flags = set(value.split())
    elif system == "Darwin":
        model = _sysctl("machdep.cpu.brand_string") or ""
        if platform.machine() == "arm64":
            flags.add("neon")
            for flag, key in (
                ("dotprod", "FEAT_DotProd"),
                ("i8mm", "FEAT_I8MM"),
                ("fp16", "FEAT_FP16"),
                ("bf16", "FEAT_BF16"),
            ):
                if _sysctl(f"hw.optional.arm.{key}") == "1":
                    flags.add(flag)
        else:
            for key in ("machdep.cpu.features", "machdep.cpu.leaf7_features"):
                flags |= {f.lower().replace(".", "_") for f in (_sysctl(key) or "").split()}
    elif system == "Windows":
        flags = _windows_cpu_flags()
    model = model or platform.processor() or platform.machine() or "unknown"
    logical = psutil.cpu_count(logical=True) or os.cpu_count() or 1
    physical = psutil.cpu_count(logical=False) or logical
    return CPU(model=model, physical_cores=physical, logical_cores=logical, flags=_normalise_flags(flags))


# ------------------------------------------------------------------------------------------------- memory


def _own_cgroup_dirs() -> list[str]:
    """This process's memory cgroup folders (v2 unified, then v1 memory), from /proc/self/cgroup."""
    dirs = []
    for line in (_read_text("/proc/self/cgroup") or "").splitlines():
        hierarchy, _, rest = line.partition(":")
        controllers, _, path = rest.partition(":")
        if hierarchy == "0" and controllers == "":
            dirs.append("/sys/fs/cgroup" + path.rstrip("/"))
        elif "memory" in controllers.split(","):
            dirs.append("/sys/fs/cgroup/memory" + path.rstrip("/"))
    return dirs


def _cgroup_memory_limit() -> tuple[int, int] | None:
    """(limit, usage) of this process's cgroup when it caps memory (Docker, Kubernetes, systemd, a user's
    own `memory.limit_in_bytes`). Read where /proc/self/cgroup says this process is, not at the root."""
    candidates = []
    for folder in [*_own_cgroup_dirs(), "/sys/fs/cgroup", "/sys/fs/cgroup/memory"]:
        candidates += [
            (f"{folder}/memory.max", f"{folder}/memory.current"),  # cgroup v2
            (f"{folder}/memory.limit_in_bytes", f"{folder}/memory.usage_in_bytes"),  # v1
        ]
    for limit_path, usage_path in candidates:
        limit = (_read_text(limit_path) or "").strip()
        if limit and limit != "max" and limit.isdigit():
            usage = (_read_text(usage_path) or "0").strip()
            return int(limit), int(usage) if usage.isdigit() else 0
    return None


def probe_memory() -> tuple[Memory, list[str]]:
    """RAM and swap, lowered to the container's memory limit when there is one."""
    import psutil

    vm = psutil.virtual_memory()
    swap = psutil.swap_memory()
    total, available = vm.total, vm.available
    notes = []
    cgroup = _cgroup_memory_limit() if platform.system() == "Linux" else None
    if cgroup and cgroup[0] < total:
        limit, usage = cgroup
        total = limit
        available = max(0, min(available, limit - usage))
        notes.append(f"memory is limited by this container's cgroup to {limit / 1024**3:.1f} GiB")
    return Memory(total, available, swap.total, swap.free), notes


def probe_disk(path: Path) -> Disk:
    """Free space where `path` (perhaps not created yet) would live."""
    existing = path

    def usable(p: Path) -> bool:
        try:
            return p.exists()
        except OSError:  # a folder on the way this user may not enter: look further up
            return False

    while not usable(existing) and existing.parent != existing:
        existing = existing.parent
    try:
        free = shutil.disk_usage(existing).free
    except OSError:
        free = 0
    return Disk(path=str(path), free_bytes=free)


# --------------------------------------------------------------------------------------------------- GPUs


def _visible_cuda_filter(count: int, uuids: list[str]) -> list[int]:
    """Indices of the devices CUDA_VISIBLE_DEVICES lets llama.cpp see (NVML itself ignores it)."""
    raw = os.environ.get("CUDA_VISIBLE_DEVICES")
    if raw is None:
        return list(range(count))
    visible = []
    for item in (s.strip() for s in raw.split(",")):
        if not item:
            break
        if item.isdigit():
            index = int(item)
            if index >= count:
                break  # CUDA stops at the first invalid entry
        else:
            matches = [i for i, u in enumerate(uuids) if u.startswith(item)]
            if len(matches) != 1:
                break
            index = matches[0]
        visible.append(index)
    return visible


def probe_nvidia() -> tuple[list[GPU], list[str]]:
    """NVIDIA GPUs through NVML (nvidia-ml-py); none, with a note, when the driver is absent."""
    try:
        import pynvml
    except ImportError:
        return [], ["nvidia-ml-py is not installed, so NVIDIA GPUs were not looked for"]
    try:
        pynvml.nvmlInit()
    except pynvml.NVMLError as e:
        if platform.system() == "Darwin":
            return [], []
        return [], [f"no NVIDIA driver found (NVML: {e})"]
    gpus = []
    notes: list[str] = []
    try:
        driver = _nvml_str(pynvml.nvmlSystemGetDriverVersion)
        cuda = None
        with contextlib.suppress(pynvml.NVMLError):
            v = pynvml.nvmlSystemGetCudaDriverVersion_v2()
            cuda = f"{v // 1000}.{v % 1000 // 10}"
        count = pynvml.nvmlDeviceGetCount()
        handles = [pynvml.nvmlDeviceGetHandleByIndex(i) for i in range(count)]
        uuids = [_nvml_str(pynvml.nvmlDeviceGetUUID, h) or "" for h in handles]
        visible = _visible_cuda_filter(count, uuids)
        if len(visible) < count:
            notes.append(f"CUDA_VISIBLE_DEVICES hides {count - len(visible)} of {count} NVIDIA GPUs")
        for index in visible:
            h = handles[index]
            try:
                mem = pynvml.nvmlDeviceGetMemoryInfo(h)
            except pynvml.NVMLError as e:
                notes.append(f"GPU {index}: memory could not be read ({e})")
                continue
            cc = None
            with contextlib.suppress(pynvml.NVMLError):
                major, minor = pynvml.nvmlDeviceGetCudaComputeCapability(h)
                cc = f"{major}.{minor}"
            bandwidth = 0
            with contextlib.suppress(pynvml.NVMLError, AttributeError):
                # Bytes per transfer x transfers per second: the memory clock is double-pumped.
                bus_bits = pynvml.nvmlDeviceGetMemoryBusWidth(h)
                clock_mhz = pynvml.nvmlDeviceGetMaxClockInfo(h, pynvml.NVML_CLOCK_MEM)
                bandwidth = int(bus_bits / 8 * clock_mhz * 1e6 * 2)
            gpus.append(
                GPU(
                    backend="cuda",
                    name=_nvml_str(pynvml.nvmlDeviceGetName, h) or f"NVIDIA GPU {index}",
                    total_bytes=int(mem.total),
                    free_bytes=int(mem.free),
                    index=index,
                    driver=driver,
                    cuda_version=cuda,
                    compute_capability=cc,
                    bandwidth_bytes_per_s=bandwidth,
                )
            )
    except pynvml.NVMLError as e:
        notes.append(f"NVML failed while listing GPUs ({e})")
    finally:
        with contextlib.suppress(pynvml.NVMLError):
            pynvml.nvmlShutdown()
    return gpus, notes


def _nvml_str(fn: Any, *args: Any) -> str | None:
    import pynvml

    try:
        value = fn(*args)
    except pynvml.NVMLError:
        return None
    return value.decode() if isinstance(value, bytes) else str(value)


def metal_working_set(total_ram: int) -> int:
    """Bytes of unified memory Metal lets the GPU use (see METAL_* above)."""
    from localinterp.settings import metal_working_set_override

    override = metal_working_set_override()
    if override:
        return override
    fraction = METAL_LARGE_FRACTION if total_ram > METAL_LARGE_FROM_BYTES else METAL_SMALL_FRACTION
    return int(total_ram * fraction)


def probe_metal(ram: Memory, cpu: CPU) -> list[GPU]:
    """Apple Silicon's GPU, sized by its share of unified memory."""
    if platform.system() != "Darwin" or platform.machine() != "arm64":
        return []
    working_set = metal_working_set(ram.total_bytes)
    return [
        GPU(
            backend="metal",
            name=cpu.model or "Apple Silicon GPU",
            total_bytes=working_set,
            free_bytes=min(working_set, ram.available_bytes),
            unified_memory=True,
        )
    ]


def probe_rocm(drm: Path = Path("/sys/class/drm")) -> list[GPU]:
    """AMD GPUs as the amdgpu driver shows them in sysfs."""
    gpus = []
    for index, card in enumerate(sorted(drm.glob("card[0-9]*"))):
        device = card / "device"
        if (_read_text(device / "vendor") or "").strip() != "0x1002":
            continue
        total = (_read_text(device / "mem_info_vram_total") or "").strip()
        used = (_read_text(device / "mem_info_vram_used") or "0").strip()
        if not total.isdigit():
            continue
        name = (_read_text(device / "product_name") or "").strip()
        device_id = (_read_text(device / "device") or "").strip()
        gpus.append(
            GPU(
                backend="rocm",
                name=name or f"AMD GPU {device_id}".strip(),
                total_bytes=int(total),
                free_bytes=int(total) - (int(used) if used.isdigit() else 0),
                index=index,
            )
        )
    return gpus


# ---------------------------------------------------------------------------------------------- llama.cpp

# Runs in a child process: a broken native build (missing CUDA runtime, illegal instruction) can kill the
# process that loads it, and the probe must survive that. It also keeps llama_cpp out of the CLI process.
_LLAMA_CPP_PROBE = """
import json, llama_cpp
info = llama_cpp.llama_print_system_info()
print(json.dumps({
    "version": getattr(llama_cpp, "__version__", None),
    "gpu_offload": bool(llama_cpp.llama_supports_gpu_offload()),
    "system_info": info.decode("utf-8", "replace") if isinstance(info, bytes) else str(info),
}))
"""


def parse_backends(system_info: str) -> tuple[str, ...]:
    """Backend names in llama.cpp's system info ("CUDA : ARCHS = 890 | ... | CPU : AVX2 = 1 | ...")."""
    names = re.findall(r"(?:^|\|)\s*([A-Za-z][A-Za-z0-9_]*)\s+:\s", system_info)
    return tuple(dict.fromkeys(names))


def probe_llama_cpp(python: str = sys.executable) -> LlamaCppBuild:
    """Version, GPU offload support and backends of the llama-cpp-python that `python` imports."""
    from importlib import metadata

    try:
        version = metadata.version("llama-cpp-python")
    except metadata.PackageNotFoundError:
        return LlamaCppBuild(installed=False, error="llama-cpp-python is not installed")
    try:
        out = subprocess.run(
            [python, "-c", _LLAMA_CPP_PROBE],
            capture_output=True,
            text=True,
            timeout=LLAMA_CPP_PROBE_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return LlamaCppBuild(
            True, version, error=f"loading llama_cpp took over {LLAMA_CPP_PROBE_TIMEOUT_S} s"
        )
    except OSError as e:
        return LlamaCppBuild(True, version, error=f"could not start {python}: {e}")
    lines = out.stdout.strip().splitlines()
    if out.returncode != 0 or not lines:
        reason = (out.stderr.strip().splitlines() or [f"exit code {out.returncode}"])[-1]
        return LlamaCppBuild(True, version, error=f"its native library failed to load: {reason}")
    data = json.loads(lines[-1])
    return LlamaCppBuild(
        installed=True,
        version=data.get("version") or version,
        gpu_offload=data["gpu_offload"],
        backends=parse_backends(data["system_info"]),
    )


# ------------------------------------------------------------------------------------------------ advice

_BACKEND_CMAKE = {"cuda": "-DGGML_CUDA=on", "metal": "-DGGML_METAL=on", "rocm": "-DGGML_HIP=on"}


def reinstall_command(backend: str, version: str | None, *, windows: bool, python: str = "python") -> str:
    """The command that rebuilds llama-cpp-python with `backend` (see docs/GPU.md)."""
    spec = f"llama-cpp-python=={version}" if version else "llama-cpp-python"
    # --no-cache-dir: pip would otherwise reuse the CPU-only wheel it built before.
    pip = f'{python} -m pip install --force-reinstall --no-deps --no-cache-dir --no-binary=llama-cpp-python "{spec}"'
    flag = _BACKEND_CMAKE[backend]
    if windows:
        return f'$env:CMAKE_ARGS="{flag}"; {pip}'
    return f'CMAKE_ARGS="{flag}" {pip}'


def build_advice(hw: Hardware) -> str | None:
    """What to do when a GPU is present but the llama.cpp build cannot use it."""
    if not hw.gpus or hw.usable_gpus() or not hw.llama_cpp.installed or hw.llama_cpp.gpu_offload is None:
        return None
    gpu = hw.gpus[0]
    command = reinstall_command(gpu.backend, hw.llama_cpp.version, windows=hw.os == "Windows")
    return (
        f"{gpu.name} is present but llama-cpp-python {hw.llama_cpp.version} was built without "
        f"{gpu.backend.upper()} support, so models would run on the CPU only. Rebuild it with: {command} "
        "(see docs/GPU.md)"
    )


# ------------------------------------------------------------------------------------------------- probe


def probe(*, llama_cpp: bool | None = True, disk_path: Path | None = None) -> Hardware:
    """Detect this machine.

    `llama_cpp` decides whether to check the llama.cpp build (a child process, about half a second):
    True always, False never, None only when a GPU is present (the build matters only for offload).
    """
    from localinterp.settings import models_dir
    from localinterp.speed import ram_bandwidth

    cpu = probe_cpu()
    ram, notes = probe_memory()
    ram = dataclasses.replace(ram, bandwidth_bytes_per_s=ram_bandwidth(cpu.model))
    nvidia, nvidia_notes = probe_nvidia()
    gpus = nvidia + probe_metal(ram, cpu) + probe_rocm()
    notes += nvidia_notes
    check = llama_cpp if llama_cpp is not None else bool(gpus)
    build = probe_llama_cpp() if check else LlamaCppBuild(installed=False, error="not checked")
    if build.error and check:
        notes.append(f"llama-cpp-python: {build.error}")
    return Hardware(
        os=platform.system() or sys.platform,
        arch=platform.machine() or "unknown",
        cpu=cpu,
        ram=ram,
        disk=probe_disk(disk_path or models_dir()),
        gpus=tuple(gpus),
        llama_cpp=build,
        notes=tuple(notes),
    )
