"""What fits: memory estimates for a model on this machine, and the choice of quant, context and GPU layers.

The estimate is built from llama.cpp's own allocations, measured with llama-cpp-python 0.3.36 on
SmolLM2-135M and Gemma-3-270M, and for VRAM on an H100 with SmolLM2 and Qwen2.5-Coder 0.5B/1.5B
(scripts/check_plan_accuracy.py re-measures it; docs/GPU.md has the figures):

- weights: the tensor bytes of the file. They are memory-mapped and all read at load, so they count in
  full. On x86 with AVX2 (and Arm with dot-product) llama.cpp also keeps a repacked copy of some
  quantized block weights in RAM (its CPU_REPACK buffer), which is added;
- KV cache: n_ctx x n_layer x n_head_kv x (key_length + value_length) x bytes per element, with n_ctx
  rounded up to llama.cpp's 256-cell padding;
- compute: on the CPU, what a full context really touches: the attention scores (f32, plus the f16 copy
  the CPU kernel makes) unless flash attention is on, the attention masks, and per-token activations.
  On a GPU, the whole worst-case buffer llama.cpp reserves (allocated up front in VRAM), whose largest
  part is usually the logits of a full micro-batch;
- overhead: libllama's own state, the tokenizer (about 128 bytes per vocabulary entry) and per-cell
  bookkeeping; on a GPU, the driver's context; and the process around it (`runtime_bytes`: Python,
  llama.cpp's libraries, localinterp), there before any model is loaded.

Mixture-of-experts models are planned as llama.cpp's `--n-cpu-moe N` runs them: when the whole model does
not fit in VRAM, every layer stays on the GPU but the routed experts of the first N layers live in RAM (a
token reads only the few experts its router picks, so the CPU's share of the work stays small), with the
smallest N that fits. Experts moved to RAM are repacked like any CPU weight (llama.cpp's CPU_REPACK buffer
takes overridden tensors too: seen in its log with a qwen3moe file, tests/test_moe.py).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from localinterp.errors import BadInput
from localinterp.gguf import RECURRENT_ARCHITECTURES, ModelSpec
from localinterp.hardware import GPU, Hardware
from localinterp.settings import cpu_repack
from localinterp.speed import Speed
from localinterp.units import fmt_bytes

MiB = 1024**2

CONTEXT_ALIGN = 256  # llama.cpp pads the KV cache to 256 cells; we choose in the same steps
MIN_CONTEXT = 256  # below this not even a system message fits
MAX_CONTEXT = 1 << 24  # no GGUF in the wild is trained beyond this; anything larger is a typo
CHAT_CONTEXT_CAP = 8192  # default ceiling: a chat rarely needs more, and every cell costs memory and speed
AUTO_MIN_CONTEXT = 2048  # automatic choices go no lower: code output fills short windows fast

# Measured fixed costs (see the module docstring); the GPU ones are public reports, not yet measured here.
LLAMA_FIXED_OVERHEAD = 16 * MiB
# The process llama.cpp runs in, before a model: the resident set of a Python that has imported llama_cpp
# (and numpy with it) and localinterp's engine, measured at 44 MB here. Without it the smallest memory
# limits a model ran in (scripts/check_fit_floor.py) were 9-24 MB above the plan for SmolLM2.
RUNTIME_BYTES = 42 * MiB
BYTES_PER_VOCAB_ENTRY = 128
BYTES_PER_CONTEXT_CELL = 128
# The process's CUDA context and cuBLAS handles: 530 MiB of VRAM at load whatever the model, and 78 MiB
# more at the first evaluation (cuBLAS workspace, ggml's pool), measured on an H100 (CUDA 13.0, driver
# 580, llama-cpp-python 0.3.36; docs/GPU.md). The 400 MiB assumed before it had run left every VRAM
# prediction 170-300 MiB short. Smaller GPUs have smaller contexts: a plan there errs on the safe side.
GPU_CONTEXT_OVERHEAD = 608 * MiB
# Without flash attention, ggml-cuda converts the attention scores to f16 in its pool for cuBLAS: VRAM
# beyond the reserved compute buffer, measured as 80 MiB + 1.1 x that copy (98 MiB at 512 cells, 184
# at 8192, 481 at 32768 for Qwen2.5-1.5B on the H100).
GPU_SCORES_POOL_BASE = 80 * MiB
GPU_SCORES_POOL_FACTOR = 1.1
# A mixture-of-experts model took 486-528 MiB of VRAM beyond llama.cpp's own buffers and the pieces above
# (NVML's peak under `bench`, flash attention off, on an H100): two random-weight qwen3moe shapes of 1.3
# and 1.8 GB, with 0 to 16 layers' experts in RAM. The same whatever the shape or the experts kept on
# the GPU, so ggml-cuda's expert matrix products and their kernels, not weights; counted at its largest.
GPU_MOE_POOL = 528 * MiB

# What is kept free: RAM for the OS and the code localinterp runs, VRAM for fragmentation and the display.
RAM_RESERVE_FRACTION = 0.10
RAM_RESERVE_MIN = 512 * MiB
VRAM_RESERVE_FRACTION = 0.05
VRAM_RESERVE_MIN = 256 * MiB

# Bytes per cached key/value element for llama.cpp's cache types.
KV_TYPE_BYTES: dict[str, float] = {
    "f32": 4.0,
    "f16": 2.0,
    "bf16": 2.0,
    "q8_0": 34 / 32,
    "q5_1": 24 / 32,
    "q5_0": 22 / 32,
    "q4_1": 20 / 32,
    "q4_0": 18 / 32,
    "iq4_nl": 18 / 32,
}

# Automatic choice stays at or below this many bits per weight when the model runs (partly) on the CPU:
# there token speed is bound by memory bandwidth, and bigger quants are slower for little gain (~Q5_K_M).
CPU_PREFERRED_MAX_BPW = 5.8
# Float files are picked automatically only when nothing quantized is offered.
_FLOAT_QUANTS = {"F32", "F16", "BF16"}


@dataclass(frozen=True)
class LoadSettings:
    """How llama.cpp will be asked to load the model (llama-cpp-python's defaults)."""

    n_batch: int = 512
    n_ubatch: int = 512
    flash_attn: bool = False
    kv_type: str = "f16"
    swa_full: bool = True  # llama-cpp-python keeps full-size caches for sliding-window layers


LOADABLE_KV_TYPES = ("f16", "q8_0", "q4_0")


def load_settings(*, flash_attn: bool = False, kv_type: str = "f16", n_batch: int = 512) -> LoadSettings:
    """Checked load settings: llama.cpp quantizes the V cache only with flash attention."""
    if kv_type not in LOADABLE_KV_TYPES:
        raise BadInput(f"--kv-type {kv_type} is not one of {', '.join(LOADABLE_KV_TYPES)}.")
    if kv_type != "f16" and not flash_attn:
        raise BadInput(
            f"--kv-type {kv_type} needs --flash-attn: llama.cpp quantizes the V cache only with it."
        )
    return LoadSettings(n_batch=n_batch, n_ubatch=n_batch, flash_attn=flash_attn, kv_type=kv_type)


@dataclass(frozen=True)
class MemoryEstimate:
    """Predicted memory of one configuration, by kind and by where it lives."""

    weights_bytes: int
    kv_cache_bytes: int
    compute_bytes: int
    overhead_bytes: int
    ram_bytes: int
    vram_bytes: int
    # Of ram_bytes, what the kernel can take back without slowing generation: the mapped file pages of
    # weights llama.cpp repacked into a copy (clean page cache no token reads again). Measured: the 1.5B
    # coder planned at 1.89 GB peak runs at full speed in a 1.15 GB cgroup (scripts/check_fit_floor.py).
    reclaimable_bytes: int = 0
    # Of ram_bytes and overhead_bytes, the process's own (RUNTIME_BYTES): what llama.cpp adds to a running
    # process is ram_bytes - runtime_bytes (scripts/check_plan_accuracy.py compares that).
    runtime_bytes: int = 0

    @property
    def total_bytes(self) -> int:
        """Everything, RAM and VRAM together: the peak."""
        return self.ram_bytes + self.vram_bytes

    @property
    def resident_ram_bytes(self) -> int:
        """The RAM that must stay resident for full speed: what "fits" is decided on."""
        return self.ram_bytes - self.reclaimable_bytes

    def to_json(self) -> dict[str, int]:
        """The stable `memory` object of `plan --json`."""
        return asdict(self) | {"total_bytes": self.total_bytes, "resident_ram_bytes": self.resident_ram_bytes}


@dataclass(frozen=True)
class Budget:
    """Memory a plan may use."""

    ram_bytes: int
    vram_bytes: int = 0
    gpus: tuple[GPU, ...] = ()

    @property
    def unified(self) -> bool:
        """GPU memory is carved out of RAM (Apple Silicon)."""
        return any(g.unified_memory for g in self.gpus)


@dataclass(frozen=True)
class Candidate:
    """One file (quant) of the model as the planner judged it."""

    quant: str
    size_bytes: int
    fits: bool
    context_window: int = 0
    gpu_layers: int = 0
    memory: MemoryEstimate | None = None
    note: str = ""
    speed: Speed | None = None  # predicted (speed.py)
    n_cpu_moe: int = 0  # layers whose routed experts stay in RAM while the rest is on the GPU


@dataclass(frozen=True)
class Plan:
    """The chosen configuration and why."""

    model: str
    file: str
    quant: str
    context_window: int
    gpu_layers: int
    n_layers: int
    fits: bool
    memory: MemoryEstimate
    budget: Budget
    candidates: tuple[Candidate, ...]
    reason: str
    settings: LoadSettings
    spec: ModelSpec
    speed: Speed | None = None  # predicted tokens per second at this plan's offload (speed.py)
    n_cpu_moe: int = 0  # layers whose routed experts stay in RAM (llama.cpp's --n-cpu-moe)

    def to_json(self) -> dict[str, Any]:
        """The stable `plan --json` document."""
        return {
            "model": self.model,
            "file": self.file,
            "quant": self.quant,
            "context_window": self.context_window,
            "gpu_layers": self.gpu_layers,
            "n_cpu_moe": self.n_cpu_moe,
            "fits": self.fits,
            "memory": self.memory.to_json(),
            "candidates": [
                {
                    "quant": c.quant,
                    "size_bytes": c.size_bytes,
                    "fits": c.fits,
                    "context_window": c.context_window,
                    "gpu_layers": c.gpu_layers,
                    "n_cpu_moe": c.n_cpu_moe,
                    "total_bytes": c.memory.total_bytes if c.memory else None,
                    "speed": c.speed.to_json() if c.speed else None,
                }
                for c in self.candidates
            ],
            "reason": self.reason,
            "speed": self.speed.to_json() if self.speed else None,
            "n_layers": self.n_layers,
            "budget": {
                "ram_bytes": self.budget.ram_bytes,
                "vram_bytes": self.budget.vram_bytes,
                "gpus": [
                    {
                        "backend": g.backend,
                        "name": g.name,
                        "free_bytes": g.free_bytes,
                        "total_bytes": g.total_bytes,
                    }
                    for g in self.budget.gpus
                ],
            },
            "settings": asdict(self.settings),
        }


# ------------------------------------------------------------------------------------------ arithmetic


def padded_context(n_ctx: int) -> int:
    """KV cells llama.cpp allocates for a context of n_ctx tokens."""
    return -(-n_ctx // CONTEXT_ALIGN) * CONTEXT_ALIGN


def kv_cache_bytes(
    spec: ModelSpec,
    n_ctx: int,
    *,
    kv_type: str = "f16",
    layers: range | None = None,
    swa_full: bool = True,
    n_ubatch: int = 512,
) -> int:
    """KV cache of `layers` (all by default) for n_ctx tokens."""
    per_element = KV_TYPE_BYTES[kv_type]
    cells = padded_context(n_ctx)
    if spec.architecture in RECURRENT_ARCHITECTURES:
        return 0
    total = 0.0
    for layer in layers if layers is not None else range(spec.n_layer):
        layer_cells = cells
        if not swa_full and spec.is_swa_layer(layer):
            layer_cells = min(cells, padded_context(spec.sliding_window + n_ubatch))
        total += layer_cells * spec.n_head_kv[layer] * (spec.key_length + spec.value_length) * per_element
    return math.ceil(total)


def _activation_bytes(spec: ModelSpec, settings: LoadSettings) -> int:
    # Residual stream, FFN and attention projections of one micro-batch, held twice (input and output).
    width = spec.n_embd + spec.n_ff + spec.n_head * spec.key_length
    return settings.n_ubatch * 4 * width * 2


def _mask_count(spec: ModelSpec) -> int:
    # Models with sliding-window layers keep a second mask for them.
    return 2 if spec.swa_period and spec.sliding_window else 1


def cpu_compute_bytes(spec: ModelSpec, n_ctx: int, settings: LoadSettings) -> int:
    """Compute memory a CPU actually touches when the context is full (see the module docstring)."""
    cells = padded_context(n_ctx)
    ub = min(settings.n_ubatch, cells)
    if settings.flash_attn:
        scores = 0
        masks = cells * ub * 2 * _mask_count(spec)
    else:
        scores = spec.n_head * cells * ub * (4 + 2)
        masks = cells * ub * 4 * _mask_count(spec)
    return scores + masks + _activation_bytes(spec, settings)


def reserved_compute_bytes(spec: ModelSpec, n_ctx: int, settings: LoadSettings) -> int:
    """The worst-case compute buffer llama.cpp reserves (what a GPU must hold). Its allocator reuses memory
    along the graph, so the buffer is the largest of the logits of a micro-batch, the attention scores
    with their masks and the feed-forward temporaries, plus one micro-batch of the residual stream: equal
    to llama.cpp's reported CUDA0 compute buffer for Qwen2.5 0.5B/1.5B, 2.5 % under it for SmolLM2 at
    8,192 cells without flash attention (adding every activation, as before, was 5-15 % over)."""
    cells = padded_context(n_ctx)
    ub = min(settings.n_ubatch, cells)
    logits = spec.vocab_size * ub * 4
    scores = 0 if settings.flash_attn else spec.n_head * cells * ub * 4
    masks = cells * ub * (2 if settings.flash_attn else 4) * _mask_count(spec)
    ffn = 3 * spec.n_ff * ub * 4  # gate, up and their product
    return max(logits, scores + masks, ffn) + ub * spec.n_embd * 4


def gpu_pool_bytes(spec: ModelSpec, n_ctx: int, settings: LoadSettings) -> int:
    """VRAM a GPU's evaluation takes beyond the reserved buffer: the f16 copy of the attention scores
    (see GPU_SCORES_POOL_BASE; none with flash attention), and a mixture-of-experts model's expert
    products (GPU_MOE_POOL)."""
    pool = GPU_MOE_POOL if spec.is_moe else 0
    if settings.flash_attn:
        return pool
    cells = padded_context(n_ctx)
    copy = spec.n_head * cells * min(settings.n_ubatch, cells) * 2
    return pool + GPU_SCORES_POOL_BASE + int(GPU_SCORES_POOL_FACTOR * copy)


def repacked_types(hw: Hardware | None) -> frozenset[str]:
    """Quant types whose CPU-resident weights llama.cpp copies into a repacked layout on this CPU: none
    where the engine loads without repacking (LOCALINTERP_CPU_REPACK=off, or left to it on a CPU with AMX,
    whose llama.cpp path crashes; engine/local.py decides that from the build, this from the CPU, so a
    llama.cpp built without AMX on such a CPU repacks where this says it does not)."""
    if hw is None:
        return frozenset()
    flags = set(hw.cpu.flags)
    chosen = cpu_repack()
    if chosen is False or (chosen is None and "amx_int8" in flags):
        return frozenset()
    if "avx2" in flags:
        return frozenset({"Q4_0", "Q4_K", "IQ4_NL"})
    if "dotprod" in flags:
        return frozenset({"Q4_0", "IQ4_NL"} | ({"Q4_K"} if "i8mm" in flags else set()))
    return frozenset()


def estimate_memory(
    spec: ModelSpec,
    n_ctx: int,
    gpu_layers: int,
    *,
    settings: LoadSettings = LoadSettings(),
    repack: frozenset[str] = frozenset(),
    n_gpus: int = 1,
    n_cpu_moe: int = 0,
) -> MemoryEstimate:
    """Memory for `spec` with a context of n_ctx and `gpu_layers` offloaded (n_layer + 1 = all), the routed
    experts of the first `n_cpu_moe` layers kept in RAM."""
    n_layer = spec.n_layer
    gpu_layers = max(0, min(gpu_layers, n_layer + 1))
    first_gpu, output_on_gpu = spec.offloaded(gpu_layers)
    cpu_layers, gpu_range = range(first_gpu), range(first_gpu, n_layer)

    cpu_weights = spec.input_bytes + sum(spec.layer_bytes[:first_gpu])
    repacked = 0  # bytes of the repacked copies, and so of the mapped originals they replace
    if cpu_layers and spec.n_layer:
        share = len(cpu_layers) / n_layer
        repacked += int(sum(b for t, b in spec.layer_bytes_by_type.items() if t in repack) * share)
    gpu_weights = sum(spec.layer_bytes[first_gpu:])
    moved = moved_expert_bytes(spec, gpu_layers, n_cpu_moe)
    if moved:
        gpu_weights -= moved
        cpu_weights += moved
        experts = sum(spec.expert_bytes)
        repacked += int(moved * sum(b for t, b in spec.expert_bytes_by_type.items() if t in repack) / experts)
    if output_on_gpu:
        gpu_weights += spec.offloaded_output_bytes
    else:
        cpu_weights += spec.output_bytes
        if spec.output_type in repack:
            repacked += spec.head_bytes
    cpu_weights += repacked

    kv_args = {"kv_type": settings.kv_type, "swa_full": settings.swa_full, "n_ubatch": settings.n_ubatch}
    cpu_kv = kv_cache_bytes(spec, n_ctx, layers=cpu_layers, **kv_args)
    gpu_kv = kv_cache_bytes(spec, n_ctx, layers=gpu_range, **kv_args)

    cpu_compute = cpu_compute_bytes(spec, n_ctx, settings)
    gpu_compute = (
        (reserved_compute_bytes(spec, n_ctx, settings) + gpu_pool_bytes(spec, n_ctx, settings)) * n_gpus
        if gpu_layers
        else 0
    )
    cpu_overhead = (
        RUNTIME_BYTES
        + LLAMA_FIXED_OVERHEAD
        + spec.vocab_size * BYTES_PER_VOCAB_ENTRY
        + padded_context(n_ctx) * BYTES_PER_CONTEXT_CELL
    )
    gpu_overhead = GPU_CONTEXT_OVERHEAD * n_gpus if gpu_layers else 0

    return MemoryEstimate(
        weights_bytes=cpu_weights + gpu_weights,
        kv_cache_bytes=cpu_kv + gpu_kv,
        compute_bytes=cpu_compute + gpu_compute,
        overhead_bytes=cpu_overhead + gpu_overhead,
        ram_bytes=cpu_weights + cpu_kv + cpu_compute + cpu_overhead,
        vram_bytes=gpu_weights + gpu_kv + gpu_compute + gpu_overhead,
        reclaimable_bytes=repacked,
        runtime_bytes=RUNTIME_BYTES,
    )


def moved_expert_bytes(spec: ModelSpec, gpu_layers: int, n_cpu_moe: int) -> int:
    """Bytes of routed experts that `n_cpu_moe` keeps in RAM out of the layers `gpu_layers` offloads."""
    if n_cpu_moe <= 0 or not spec.expert_bytes:
        return 0
    first_gpu, _ = spec.offloaded(gpu_layers)
    return sum(spec.expert_bytes[first_gpu : min(n_cpu_moe, spec.n_layer)])


def budget_for(hw: Hardware) -> Budget:
    """What a plan may use on this machine, after the reserves above."""
    ram = hw.ram.available_bytes - max(RAM_RESERVE_MIN, int(hw.ram.available_bytes * RAM_RESERVE_FRACTION))
    gpus = hw.usable_gpus()
    vram = sum(
        max(0, g.free_bytes - max(VRAM_RESERVE_MIN, int(g.total_bytes * VRAM_RESERVE_FRACTION))) for g in gpus
    )
    return Budget(ram_bytes=max(0, ram), vram_bytes=vram, gpus=gpus)


def fits(memory: MemoryEstimate, budget: Budget) -> bool:
    """Whether an estimate stays within the budget (unified memory counts GPU bytes against RAM too). RAM
    is judged on what must stay resident, not the peak: the kernel drops repacked weights' file pages."""
    if memory.vram_bytes > budget.vram_bytes:
        return False
    ram_needed = memory.resident_ram_bytes + (memory.vram_bytes if budget.unified else 0)
    return ram_needed <= budget.ram_bytes


# ---------------------------------------------------------------------------------------------- choice


def validate_context(n_ctx: int, spec: ModelSpec | None = None) -> None:
    """Reject a --ctx no model could use, with the range that works."""
    if n_ctx < MIN_CONTEXT or n_ctx > MAX_CONTEXT:
        raise BadInput(
            f"--ctx {n_ctx} is out of range: give a context window between {MIN_CONTEXT} and "
            f"{spec.context_length if spec else MAX_CONTEXT:,} tokens."
        )
    if spec and n_ctx > spec.context_length:
        raise BadInput(
            f"--ctx {n_ctx:,} is above what {spec.name} was trained for ({spec.context_length:,} tokens); "
            f"use --ctx {spec.context_length} or less."
        )


def _largest_context(
    spec: ModelSpec,
    gpu_layers: int,
    low: int,
    high: int,
    budget: Budget,
    settings: LoadSettings,
    repack: frozenset[str],
    n_cpu_moe: int = 0,
) -> int | None:
    """The largest 256-aligned context in [low, high] that fits, or None."""

    def ok(n_ctx: int) -> bool:
        return fits(
            estimate_memory(
                spec,
                n_ctx,
                gpu_layers,
                settings=settings,
                repack=repack,
                n_gpus=max(1, len(budget.gpus)),
                n_cpu_moe=n_cpu_moe,
            ),
            budget,
        )

    if not ok(low):
        return None
    if ok(high):
        return high
    lo, hi = low // CONTEXT_ALIGN, high // CONTEXT_ALIGN  # ok(lo) holds, ok(hi) does not
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if ok(mid * CONTEXT_ALIGN) else (lo, mid)
    return max(low, lo * CONTEXT_ALIGN)


def _smallest(first: int, last: int, works: Callable[[int], bool]) -> int | None:
    """The smallest n in [first, last] for which `works` holds (monotone: once true, true above), or None."""
    if first > last or not works(last):
        return None
    lo, hi = first, last
    while lo < hi:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if works(mid) else (mid + 1, hi)
    return lo


def _context_bounds(spec: ModelSpec, ctx: int | None) -> tuple[int, int]:
    if ctx is not None:
        return ctx, ctx
    high = min(spec.context_length, CHAT_CONTEXT_CAP)
    high = max(MIN_CONTEXT, high // CONTEXT_ALIGN * CONTEXT_ALIGN) if high >= MIN_CONTEXT else high
    return min(AUTO_MIN_CONTEXT, high), high


def plan_candidate(
    spec: ModelSpec,
    budget: Budget,
    *,
    ctx: int | None = None,
    gpu_layers: int | None = None,
    n_cpu_moe: int | None = None,
    settings: LoadSettings = LoadSettings(),
    repack: frozenset[str] = frozenset(),
) -> Candidate:
    """The best context and GPU layers for one file: all layers on the GPU if they fit, shrinking the
    context before dropping layers; for a mixture of experts, then all layers with the experts of as few
    layers as possible in RAM; then as many layers as fit; then the largest context."""
    low, high = _context_bounds(spec, ctx)
    all_layers = spec.n_layer + 1
    n_gpus = max(1, len(budget.gpus))
    args = {"budget": budget, "settings": settings, "repack": repack}

    def make(n_ctx: int | None, layers: int, moe: int = 0) -> Candidate:
        chosen = n_ctx if n_ctx is not None else low
        mem = estimate_memory(
            spec, chosen, layers, settings=settings, repack=repack, n_gpus=n_gpus, n_cpu_moe=moe
        )
        return Candidate(
            spec.quant,
            spec.file_bytes,
            n_ctx is not None,
            chosen,
            layers,
            mem,
            n_cpu_moe=moe if layers else 0,
        )

    if gpu_layers is not None or n_cpu_moe is not None or not budget.gpus:
        wanted = all_layers if gpu_layers is None else gpu_layers
        layers = 0 if not budget.gpus else min(wanted, all_layers)
        moe = min(max(n_cpu_moe or 0, 0), spec.n_layer) if spec.is_moe else 0
        return make(_largest_context(spec, layers, low, high, n_cpu_moe=moe, **args), layers, moe)

    full = _largest_context(spec, all_layers, low, high, **args)
    if full is not None:
        return make(full, all_layers)
    if spec.is_moe:
        # llama.cpp's --n-cpu-moe: attention, norms, router and shared weights of every layer stay on the
        # GPU, the experts of the first N layers go to RAM; the smallest N that fits at the smallest context.
        moe = _smallest(
            1,
            spec.n_layer,
            lambda n: _largest_context(spec, all_layers, low, low, n_cpu_moe=n, **args) is not None,
        )
        if moe is not None:
            return make(_largest_context(spec, all_layers, low, high, n_cpu_moe=moe, **args), all_layers, moe)
    # Not everything fits on the GPU even at the smallest context: keep the context small and find how
    # many layers fit (monotone in the layer count), then grow the context back if room remains.
    best = None
    lo, hi = 0, all_layers
    while lo <= hi:
        mid = (lo + hi) // 2
        if _largest_context(spec, mid, low, low, **args) is not None:
            best, lo = mid, mid + 1
        else:
            hi = mid - 1
    if best is None:
        return make(None, 0)
    return make(_largest_context(spec, best, low, high, **args), best)


def _preference(spec: ModelSpec) -> tuple[bool, float]:
    return (spec.quant.upper() not in _FLOAT_QUANTS, spec.file_bytes)


def make_plan(
    specs: Sequence[ModelSpec],
    hw: Hardware,
    *,
    ctx: int | None = None,
    quant: str | None = None,
    gpu_layers: int | None = None,
    n_cpu_moe: int | None = None,
    settings: LoadSettings = LoadSettings(),
    budget: Budget | None = None,
) -> Plan:
    """Choose the quant, context window and GPU layers for a model offered as `specs` (one per file);
    `n_cpu_moe` fixes how many layers keep their experts in RAM (None: the smallest that fits)."""
    if not specs:
        raise BadInput("No model files to plan for.")
    if quant is not None:
        offered = sorted({s.quant for s in specs})
        specs = [s for s in specs if s.quant.upper() == quant.upper()]
        if not specs:
            raise BadInput(f"--quant {quant} is not offered for this model; offered: {', '.join(offered)}.")
    if ctx is not None:
        validate_context(ctx, max(specs, key=lambda s: s.context_length))
    if gpu_layers is not None and gpu_layers < -1:
        raise BadInput(
            f"--gpu-layers {gpu_layers} is invalid: give 0 (CPU only), a layer count, or -1 for all."
        )
    if n_cpu_moe is not None and n_cpu_moe < 0:
        raise BadInput(f"--n-cpu-moe {n_cpu_moe} is invalid: give 0 (experts on the GPU) or a layer count.")
    if n_cpu_moe and not any(s.is_moe for s in specs):
        raise BadInput(
            f"--n-cpu-moe {n_cpu_moe} applies to mixture-of-experts models only; {specs[0].name} is dense."
        )
    budget = budget or budget_for(hw)
    repack = repacked_types(hw)
    layers_wanted = None if gpu_layers is None else (10**6 if gpu_layers == -1 else gpu_layers)

    judged = []
    for spec in sorted(specs, key=_preference, reverse=True):
        if ctx is not None and ctx > spec.context_length:
            judged.append((spec, Candidate(spec.quant, spec.file_bytes, False, note="context too long")))
            continue
        judged.append(
            (
                spec,
                plan_candidate(
                    spec,
                    budget,
                    ctx=ctx,
                    gpu_layers=layers_wanted,
                    n_cpu_moe=n_cpu_moe,
                    settings=settings,
                    repack=repack,
                ),
            )
        )
    from localinterp.speed import predict

    judged = [
        (s, dataclasses.replace(c, speed=predict(s, hw, c.gpu_layers, c.n_cpu_moe, settings.n_ubatch)))
        for s, c in judged
    ]
    spec, chosen = _choose(judged, budget)
    candidates = tuple(c for _, c in judged)
    reason = _explain(spec, chosen, budget, hw, ctx=ctx, gpu_layers=gpu_layers, n_candidates=len(judged))
    memory = chosen.memory or estimate_memory(spec, ctx or MIN_CONTEXT, 0, settings=settings, repack=repack)
    return Plan(
        model=spec.name,
        file=str(spec.path),
        quant=spec.quant,
        context_window=chosen.context_window,
        gpu_layers=chosen.gpu_layers,
        n_layers=spec.n_layer,
        fits=chosen.fits,
        memory=memory,
        budget=budget,
        candidates=candidates,
        reason=reason,
        settings=settings,
        spec=spec,
        speed=chosen.speed,
        n_cpu_moe=chosen.n_cpu_moe,
    )


def _choose(judged: list[tuple[ModelSpec, Candidate]], budget: Budget) -> tuple[ModelSpec, Candidate]:
    fitting = [(s, c) for s, c in judged if c.fits]
    if not fitting:
        # Nothing fits: report the smallest requirement, the one closest to fitting.
        return min(judged, key=lambda sc: sc[1].memory.total_bytes if sc[1].memory else math.inf)
    quantized = [(s, c) for s, c in fitting if s.quant.upper() not in _FLOAT_QUANTS] or fitting
    if budget.gpus:
        whole = [(s, c) for s, c in quantized if c.gpu_layers > s.n_layer and not c.n_cpu_moe]
        if whole:
            return whole[0]  # the highest quality that runs entirely on the GPU
    # Partly or wholly on the CPU: the best quality under the speed cap, else the lightest file.
    light = [(s, c) for s, c in quantized if s.bits_per_weight <= CPU_PREFERRED_MAX_BPW]
    return light[0] if light else quantized[-1]


def _explain(
    spec: ModelSpec,
    c: Candidate,
    budget: Budget,
    hw: Hardware,
    *,
    ctx: int | None,
    gpu_layers: int | None,
    n_candidates: int,
) -> str:
    mem = c.memory
    if not c.fits or mem is None:
        need = mem.total_bytes if mem else 0
        where = f"{fmt_bytes(budget.ram_bytes)} of RAM" + (
            f" and {fmt_bytes(budget.vram_bytes)} of VRAM" if budget.gpus else ""
        )
        asked = f" with --ctx {ctx}" if ctx else f" even with a context of {c.context_window:,} tokens"
        return (
            f"{spec.name} does not fit: its smallest option ({spec.quant}{asked}) needs {fmt_bytes(need)}, and this "
            f"machine can give {where}. Ways out: a smaller model or quantization, a shorter --ctx, a bigger "
            "machine serving it over an OpenAI-compatible API, or llama.cpp RPC workers spreading it over "
            "several machines (docs/GPU.md)."
        )
    ctx_part = f"a context of {c.context_window:,} tokens"
    if ctx is None:
        trained = spec.context_length
        if c.context_window == min(trained, CHAT_CONTEXT_CAP):
            ctx_part += (
                " (the model's trained maximum)"
                if trained <= CHAT_CONTEXT_CAP
                else f" (chat default; trained for {trained:,})"
            )
        else:
            ctx_part += f" (the largest that fits; trained for {trained:,})"
    quant_part = f"{spec.quant}" + (
        f", the best of {n_candidates} files that fits," if n_candidates > 1 else ""
    )
    if not budget.gpus or c.gpu_layers == 0:
        gpu_note = ""
        if hw.gpus and not hw.usable_gpus():
            gpu_note = (
                " (a GPU is present but this llama-cpp-python build cannot use it; see `localinterp probe`)"
            )
        elif budget.gpus and gpu_layers == 0:
            gpu_note = " (as asked with --gpu-layers 0)"
        elif not hw.gpus:
            gpu_note = " (no GPU found)"
        return (
            f"{spec.name} {quant_part} runs on the CPU{gpu_note} with {ctx_part}, using "
            f"{fmt_bytes(mem.ram_bytes)} of the {fmt_bytes(budget.ram_bytes)} of RAM it may use."
        )
    rpc = sum(g.backend == "rpc" for g in budget.gpus)
    device = (
        "the RPC workers" if rpc == len(budget.gpus) else "the GPUs and RPC workers" if rpc else "the GPU"
    )
    memory = "lent memory" if rpc == len(budget.gpus) else "usable VRAM"
    if c.n_cpu_moe and c.gpu_layers > spec.n_layer:
        return (
            f"{spec.name} {quant_part}: its {spec.n_layer} layers run on {device}, with the experts of the "
            f"first {c.n_cpu_moe} kept in RAM (llama.cpp's --n-cpu-moe {c.n_cpu_moe}) so the rest fits in "
            f"{fmt_bytes(budget.vram_bytes)} of {memory}, with {ctx_part}."
        )
    if c.gpu_layers > spec.n_layer:
        return (
            f"{spec.name} {quant_part} runs entirely on {device} ({spec.n_layer} layers and the output) with "
            f"{ctx_part}, using {fmt_bytes(mem.vram_bytes)} of {fmt_bytes(budget.vram_bytes)} {memory}."
        )
    return (
        f"{spec.name} {quant_part}: {c.gpu_layers} of {spec.n_layer + 1} layers fit in "
        f"{fmt_bytes(budget.vram_bytes)} of {memory} on {device}, the rest run on the CPU, with {ctx_part}."
    )
