"""How fast a plan will run: generation is bound by the bytes each token reads, prompt processing by compute.

Generation reads every weight the token passes through once: the layers on the CPU from RAM, the layers on
the GPU from VRAM, and of a mixture-of-experts layer only its shared part and the experts the router picks
(expert_used_count of expert_count). So

    seconds per token = CPU bytes / (RAM bandwidth x CPU_EFFICIENCY) + PER_TOKEN_S x CPU blocks share
                      + GPU bytes / (VRAM bandwidth x GPU_EFFICIENCY) + GPU_PER_BLOCK_S x GPU blocks

RAM bandwidth is measured here once (a copy benchmark, cached per CPU); a GPU's
comes from NVML, else from a table of known GPUs, else a stated conservative figure. The CPU constants
below were fitted on this project's 2-core development machine against `localinterp bench`
(scripts/check_speed_prediction.py prints predicted / measured); the GPU ones on an H100 against
llama-bench and bench (docs/GPU.md).
"""

from __future__ import annotations

import functools
import json
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from localinterp.gguf import ModelSpec
    from localinterp.hardware import GPU, Hardware

# Fitted on the development machine (2-core AMD EPYC, AVX-512 VNNI, 40 GB/s copy bandwidth) against
# `localinterp bench` tg128 / pp512 of SmolLM2-135M Q4_1, Qwen2.5-Coder 0.5B and 1.5B Q4_K_M (least squares
# over the three; see docs/EVAL.md and the notes of issue 12). Other CPUs are a prediction, not a fit.
CPU_EFFICIENCY = 1.0  # generation read its weights at the copy benchmark's rate (39 vs 40 GB/s)
PER_TOKEN_S = 0.0042  # fixed cost of a generated token beyond reading weights (sampling, graph, our loop)
# Prompt processing: two operations per weight of the repeating blocks (the head runs for the last token
# only), at this rate per physical core, plus a fixed cost per prompt token (attention, norms).
CPU_FLOPS_PER_CORE = {"avx512": 355e9, "avx2": 180e9, "": 60e9}  # avx2 and plain: scaled guesses
PP_PER_TOKEN_S = 0.0021
# Fitted on an H100 (NVML: 3,352 GB/s) against llama-bench with every layer offloaded, SmolLM2-135M and
# Qwen2.5-Coder 0.5B/1.5B (tg128 756/699/496 t/s, pp512 41,894/36,954/21,812; docs/GPU.md): a token
# read its weights at 0.4 of the nominal bandwidth plus a fixed cost (kernel launches, below), and a prompt
# token cost 22 us plus its operations at 33 per byte/s of bandwidth (110 TFLOP/s there; other GPUs are
# scaled by their bandwidth, since compute and bandwidth grow together across generations). The figures
# before it (0.7, the CPU's 4.2 ms, 30 TFLOP/s) predicted 217 t/s for the 1.5B where it ran 510.
GPU_EFFICIENCY = 0.4
# The fixed cost is the kernels each block launches, so it is counted per block: 41-45 us for a dense
# block (SmolLM2 30 blocks, the 0.5B 24, the 1.5B 28: 1.22-1.27 ms a token), 51-59 us for a
# mixture-of-experts block (router, top-k and three expert products more; random-weight qwen3moe files of
# 16 and 8 blocks), measured on the same H100 on 2026-11-24. One cost per token, as fitted before them,
# predicted 0.5 of what the 8-block MoE ran.
GPU_PER_BLOCK_S = 43e-6
GPU_PER_MOE_BLOCK_S = 55e-6
GPU_FLOPS_PER_BANDWIDTH = 33.0
GPU_PP_PER_TOKEN_S = 22e-6
# With a discrete GPU, llama.cpp sends a big batch's products with weights kept in RAM to the GPU and
# copies those weights over PCIe once per micro-batch: prompt processing then costs their bytes at this
# rate. Fitted on the H100's host (experts of 4-16 layers in RAM: 7.4-10.8 GB/s; the 1.5B's blocks
# 4.7-6.1 GB/s, where the CPU's own attention for its layers adds time this does not count).
HOST_TO_GPU_BYTES_PER_S = 8e9
ASSUMED_RAM_BANDWIDTH = 10e9  # when a hardware file gives none: a slow laptop's dual-channel DDR4
ASSUMED_GPU_BANDWIDTH = {"cuda": 300e9, "rocm": 300e9, "metal": 100e9, "rpc": 1e9}
INTERACTIVE_TOKENS_PER_S = 8.0  # the default `min_speed`: slower than this is not a conversation

# Nominal memory bandwidth of GPUs NVML cannot be asked about (hand-written hardware files, Apple, AMD),
# matched as a part of the name. Vendor figures, bytes per second.
KNOWN_GPU_BANDWIDTH = {
    "h200": 4.8e12, "h100": 3.35e12, "a100": 1.9e12, "l40s": 864e9, "a6000": 768e9, "rtx 5090": 1.79e12,
    "rtx 4090": 1.01e12, "rtx 4080": 717e9, "rtx 4070": 504e9, "rtx 4060": 272e9, "rtx 3090": 936e9,
    "rtx 3080": 760e9, "rtx 3070": 448e9, "rtx 3060": 360e9, "t4": 320e9, "m4 max": 546e9,
    "m3 max": 400e9, "m2 ultra": 800e9, "m2 max": 400e9, "m1 ultra": 800e9, "m1 max": 400e9,
    "m4 pro": 273e9, "m3 pro": 150e9, "m2 pro": 200e9, "m1 pro": 200e9, "mi300": 5.3e12, "rx 7900": 960e9,
}  # fmt: skip


@dataclass(frozen=True)
class Speed:
    """Predicted tokens per second: generation (tg) and prompt processing (pp)."""

    tg_tokens_per_s: float
    pp_tokens_per_s: float

    def to_json(self) -> dict[str, float]:
        """The `speed` object of `plan --json`."""
        return {
            "tg_tokens_per_s": round(self.tg_tokens_per_s, 1),
            "pp_tokens_per_s": round(self.pp_tokens_per_s, 1),
        }


def gpu_bandwidth(gpu: GPU) -> float:
    """A GPU's memory bandwidth: as probed, else from the table of known GPUs, else a conservative figure."""
    if gpu.bandwidth_bytes_per_s:
        return float(gpu.bandwidth_bytes_per_s)
    name = gpu.name.lower()
    for part, bandwidth in KNOWN_GPU_BANDWIDTH.items():
        if part in name:
            return bandwidth
    return ASSUMED_GPU_BANDWIDTH.get(gpu.backend, 100e9)


def _expert_share(spec: ModelSpec) -> float:
    """The fraction of a layer's routed experts one token reads."""
    return spec.expert_used_count / spec.expert_count if spec.expert_count else 1.0


def active_layer_bytes(spec: ModelSpec) -> list[float]:
    """The bytes a token reads in each block: all of a dense block; of a mixture-of-experts block its
    shared weights and expert_used_count / expert_count of its experts."""
    share = _expert_share(spec)
    experts = spec.expert_bytes or (0,) * len(spec.layer_bytes)
    return [whole - e + e * share for whole, e in zip(spec.layer_bytes, experts, strict=True)]


def predict(spec: ModelSpec, hw: Hardware, gpu_layers: int, n_cpu_moe: int = 0, n_ubatch: int = 512) -> Speed:
    """The speed of `spec` with `gpu_layers` offloaded (llama.cpp's count: the output, then the last blocks)
    and the routed experts of the first `n_cpu_moe` blocks read from RAM; prompts in micro-batches of
    `n_ubatch` tokens."""
    layers = active_layer_bytes(spec)
    first_gpu, head_on_gpu = spec.offloaded(gpu_layers)
    cpu_bytes = sum(layers[:first_gpu])
    gpu_bytes = sum(layers[first_gpu:])
    if n_cpu_moe > 0:
        from localinterp.plan import moved_expert_bytes

        moved = moved_expert_bytes(spec, gpu_layers, n_cpu_moe) * _expert_share(spec)
        cpu_bytes, gpu_bytes = cpu_bytes + moved, gpu_bytes - moved
    head = float(spec.head_bytes or spec.output_bytes)
    if head_on_gpu:
        gpu_bytes += head
    else:
        cpu_bytes += head
    ram_bw = float(hw.ram.bandwidth_bytes_per_s or ASSUMED_RAM_BANDWIDTH)
    gpus = hw.usable_gpus()
    gpu_bw = min((gpu_bandwidth(g) for g in gpus), default=ram_bw)
    on_gpu_share = gpu_bytes / max(1.0, cpu_bytes + gpu_bytes)
    # The fixed cost of a token: each block pays its device's (experts kept in RAM leave the block on
    # the GPU).
    gpu_blocks = spec.n_layer - first_gpu
    seconds = cpu_bytes / (ram_bw * CPU_EFFICIENCY) + PER_TOKEN_S * first_gpu / max(1, spec.n_layer)
    if gpu_bytes:
        per_block = GPU_PER_MOE_BLOCK_S if spec.is_moe else GPU_PER_BLOCK_S
        seconds += gpu_bytes / (gpu_bw * GPU_EFFICIENCY) + per_block * gpu_blocks
    # Prompt processing: two operations per weight of the blocks a token passes through, on the GPU when
    # most of the model is there, or when a discrete one takes the big products of the weights in RAM.
    block_params = spec.n_params * sum(layers) / max(1.0, spec.weights_bytes)
    flags = " ".join(hw.cpu.flags).lower()
    simd = "avx512" if "avx512" in flags else "avx2" if "avx2" in flags else ""
    discrete = any(not g.unified_memory and g.backend in ("cuda", "rocm") for g in gpus)
    if on_gpu_share > 0.5 or discrete:
        pp_seconds = 2 * block_params / (GPU_FLOPS_PER_BANDWIDTH * gpu_bw) + GPU_PP_PER_TOKEN_S
        if discrete:
            pp_seconds += _host_weight_bytes(spec, gpu_layers, n_cpu_moe) / (
                n_ubatch * HOST_TO_GPU_BYTES_PER_S
            )
    else:
        pp_seconds = 2 * block_params / (CPU_FLOPS_PER_CORE[simd] * hw.cpu.threads) + PP_PER_TOKEN_S
    return Speed(1.0 / seconds, 1.0 / pp_seconds)


def _host_weight_bytes(spec: ModelSpec, gpu_layers: int, n_cpu_moe: int) -> float:
    """The bytes of the weights a batch's products read from RAM beside a GPU: the blocks (and head) not
    offloaded, and every routed expert of the layers whose experts stay in RAM."""
    from localinterp.plan import moved_expert_bytes

    first_gpu, head_on_gpu = spec.offloaded(gpu_layers)
    held = sum(spec.layer_bytes[:first_gpu]) + moved_expert_bytes(spec, gpu_layers, n_cpu_moe)
    return float(held + (0 if head_on_gpu else spec.output_bytes))


# -- measuring this machine ---------------------------------------------------------------------------


@functools.cache
def ram_bandwidth(cpu_model: str) -> int:
    """This machine's memory bandwidth in bytes per second: the best of a few 64 MiB copies (read and
    write both count), measured once per CPU and kept in the cache (about 0.1 s the first time)."""
    from localinterp.settings import cache_dir

    path = cache_dir() / "bandwidth.json"
    try:
        known: dict[str, Any] = json.loads(path.read_text())
        if isinstance(known.get(cpu_model), int):
            return int(known[cpu_model])
    except (OSError, ValueError):
        known = {}
    measured = _measure_copy()
    if measured:
        known = known if isinstance(known, dict) else {}
        known[cpu_model] = measured
        try:
            from localinterp.fsutil import atomic_write

            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, json.dumps(known))
        except OSError:
            pass  # a read-only cache: measured again next time
    return measured


def _measure_copy(size: int = 64 * 1024**2, rounds: int = 5) -> int:
    # memmove of 64 MiB, well past any cache: libc's copy, as fast as the memory bus (no numpy: the probe
    # stays light to import).
    import ctypes

    src, dst = bytearray(b"\1") * size, bytearray(size)
    src_p = (ctypes.c_char * size).from_buffer(src)
    dst_p = (ctypes.c_char * size).from_buffer(dst)
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        ctypes.memmove(dst_p, src_p, size)
        best = min(best, time.perf_counter() - started)
    del src_p, dst_p  # the buffers' exports end here
    return int(2 * size / best) if best > 0 else 0


def rough_tokens_per_s(active_bytes: float, hw: Hardware, *, on_gpu: bool) -> float:
    """`predict` for a model known only by the bytes a token reads (a catalog entry not yet resolved)."""
    if on_gpu:
        gpus = hw.usable_gpus()
        bandwidth = min((gpu_bandwidth(g) for g in gpus), default=0.0) * GPU_EFFICIENCY
    else:
        bandwidth = 0.0
    if not bandwidth:
        bandwidth = float(hw.ram.bandwidth_bytes_per_s or ASSUMED_RAM_BANDWIDTH) * CPU_EFFICIENCY
    return 1.0 / (active_bytes / bandwidth + PER_TOKEN_S)
