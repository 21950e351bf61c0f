"""The probe: real readings on this machine, compared with psutil; parsers on real sysfs-shaped files."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import psutil

from localinterp.hardware import (
    CPU,
    GPU,
    LlamaCppBuild,
    build_advice,
    metal_working_set,
    parse_backends,
    probe,
    probe_rocm,
    reinstall_command,
)


def test_probe_agrees_with_psutil():
    hw = probe(llama_cpp=False)
    vm = psutil.virtual_memory()
    assert hw.cpu.logical_cores == psutil.cpu_count()
    assert 1 <= hw.cpu.physical_cores <= hw.cpu.logical_cores
    assert 0 < hw.ram.total_bytes <= vm.total
    assert 0 < hw.ram.available_bytes <= hw.ram.total_bytes
    assert (
        abs(hw.ram.available_bytes - vm.available) < max(vm.total // 10, 1) or hw.ram.total_bytes < vm.total
    )
    assert hw.disk.free_bytes > 0


def test_llama_cpp_gets_one_thread_per_physical_core():
    # Not llama-cpp-python's default (half the logical cores): without SMT that is half the cores.
    assert CPU("a VM", physical_cores=2, logical_cores=2, flags=()).threads == 2
    assert CPU("SMT", physical_cores=8, logical_cores=16, flags=()).threads == 8
    assert CPU("unreadable", physical_cores=0, logical_cores=0, flags=()).threads == 1


def test_probe_reads_simd_flags_from_this_cpu():
    hw = probe(llama_cpp=False)
    if hw.arch in ("x86_64", "AMD64"):
        assert "sse3" in hw.cpu.flags  # every x86-64 CPU llama.cpp supports has it
        cpuinfo_path = Path("/proc/cpuinfo")
        cpuinfo = cpuinfo_path.read_text() if cpuinfo_path.exists() else ""
        assert ("avx2" in hw.cpu.flags) == (" avx2" in cpuinfo)


def test_probe_json_keys_are_stable():
    data = probe().to_json()
    assert {"os", "arch", "cpu", "ram", "disk", "gpus", "llama_cpp"} <= set(data)
    assert {"model", "physical_cores", "logical_cores", "flags"} <= set(data["cpu"])
    assert {"total_bytes", "available_bytes"} <= set(data["ram"])
    assert {"path", "free_bytes"} <= set(data["disk"])
    assert {"version", "gpu_offload"} <= set(data["llama_cpp"])
    for gpu in data["gpus"]:
        assert {"backend", "name", "total_bytes", "free_bytes"} <= set(gpu)


def test_installed_llama_cpp_build_is_described():
    build = probe().llama_cpp
    assert build.installed and build.version
    assert build.gpu_offload in (True, False)
    assert "CPU" in build.backends


def test_backends_are_parsed_from_llama_cpp_system_info():
    cuda = "CUDA : ARCHS = 890 | USE_GRAPHS = 1 | PEER_MAX_BATCH_SIZE = 128 | CPU : SSE3 = 1 | AVX2 = 1 | "
    assert parse_backends(cuda) == ("CUDA", "CPU")
    assert parse_backends("Metal : EMBED_LIBRARY = 1 | CPU : NEON = 1 | ARM_FMA = 1 | ") == ("Metal", "CPU")


def test_amd_gpus_are_read_from_sysfs(tmp_path):
    card = tmp_path / "card0" / "device"
    card.mkdir(parents=True)
    (card / "vendor").write_text("0x1002\n")
    (card / "mem_info_vram_total").write_text(str(16 * 2**30))
    (card / "mem_info_vram_used").write_text(str(2**30))
    (card / "product_name").write_text("Radeon RX 7800 XT\n")
    intel = tmp_path / "card1" / "device"
    intel.mkdir(parents=True)
    (intel / "vendor").write_text("0x8086\n")
    (gpu,) = probe_rocm(tmp_path)
    assert (gpu.backend, gpu.name, gpu.total_bytes, gpu.free_bytes) == (
        "rocm",
        "Radeon RX 7800 XT",
        16 * 2**30,
        15 * 2**30,
    )


def test_metal_working_set_fractions(monkeypatch):
    assert metal_working_set(16 * 2**30) == int(16 * 2**30 * 2 / 3)  # 10922.67 MB, as Metal reports
    assert metal_working_set(64 * 2**30) == 48 * 2**30
    monkeypatch.setenv("LOCALINTERP_METAL_WORKING_SET_BYTES", str(12 * 2**30))
    assert metal_working_set(16 * 2**30) == 12 * 2**30


def test_reinstall_commands_name_the_right_backend():
    linux = reinstall_command("cuda", "0.3.36", windows=False)
    assert linux.startswith('CMAKE_ARGS="-DGGML_CUDA=on" ')
    assert "--no-cache-dir" in linux and '"llama-cpp-python==0.3.36"' in linux
    assert reinstall_command("cuda", "0.3.36", windows=True).startswith('$env:CMAKE_ARGS="-DGGML_CUDA=on"; ')
    assert "-DGGML_METAL=on" in reinstall_command("metal", None, windows=False)
    assert "-DGGML_HIP=on" in reinstall_command("rocm", None, windows=False)


def test_gpu_with_cpu_only_build_gets_advice():
    hw = probe(llama_cpp=False)
    gpu = GPU("cuda", "NVIDIA GeForce RTX 4090", 24 * 2**30, 23 * 2**30, driver="550.54", cuda_version="12.4")
    cpu_only = dataclasses.replace(hw, gpus=(gpu,), llama_cpp=LlamaCppBuild(True, "0.3.36", False, ("CPU",)))
    advice = build_advice(cpu_only)
    assert advice and "RTX 4090" in advice and "-DGGML_CUDA=on" in advice and "docs/GPU.md" in advice
    cuda_build = dataclasses.replace(cpu_only, llama_cpp=LlamaCppBuild(True, "0.3.36", True, ("CUDA", "CPU")))
    assert build_advice(cuda_build) is None
    assert cuda_build.usable_gpus() == (gpu,)
