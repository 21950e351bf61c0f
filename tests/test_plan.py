"""The planner: memory arithmetic against hand-computed figures, and the rules of choice."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from gguf.constants import GGMLQuantizationType as Q
from ggufgen import llama_tensors, tiny_llama, write_gguf
from hypothesis import given, settings
from hypothesis import strategies as st

from localinterp.errors import BadInput
from localinterp.gguf import ModelSpec, read_header, read_model_spec, spec_from_headers
from localinterp.hardware import CPU, GPU, Disk, Hardware, LlamaCppBuild, Memory
from localinterp.plan import (
    CHAT_CONTEXT_CAP,
    LoadSettings,
    estimate_memory,
    fits,
    kv_cache_bytes,
    make_plan,
)

GiB = 1024**3


def header_spec(tmp_path: Path, arch: str, meta: dict, tensors: list, vocab: int) -> ModelSpec:
    """A spec from a header-only GGUF, as a remote header read would give (no weights on disk)."""
    path = write_gguf(tmp_path / f"{arch}.gguf", arch, meta, tensors, data=False, vocab=vocab)
    with path.open("rb") as f:
        header = read_header(f, str(path))
    return spec_from_headers([header], (path,), header.data_offset + header.data_bytes)


def llama_meta(n_layer, n_embd, n_ff, n_head, n_head_kv, ctx, **extra):
    return {
        "block_count": n_layer,
        "context_length": ctx,
        "embedding_length": n_embd,
        "feed_forward_length": n_ff,
        "attention.head_count": n_head,
        "attention.head_count_kv": n_head_kv,
    } | extra


def machine(ram_gib: float, *, vram_gib: float | None = None, flags: tuple[str, ...] = ("avx2",)) -> Hardware:
    gpus = ()
    if vram_gib is not None:
        gpus = (GPU("cuda", "Test GPU", int(vram_gib * GiB), int(vram_gib * GiB)),)
    build = LlamaCppBuild(True, "0.3.36", gpu_offload=vram_gib is not None, backends=("CUDA", "CPU"))
    return Hardware(
        "Linux",
        "x86_64",
        CPU("test", 8, 16, flags),
        Memory(int(ram_gib * GiB), int(ram_gib * GiB)),
        Disk("/", 10**12),
        gpus,
        build,
    )


# ------------------------------------------------------------------ KV cache, by hand, for real architectures


def test_kv_cache_of_llama2_7b_full_multi_head_attention(tmp_path):
    spec = header_spec(
        tmp_path,
        "llama",
        llama_meta(32, 4096, 11008, 32, 32, 4096),
        llama_tensors(32, 4096, 11008, 32, 32, 32000, Q.Q4_0),
        32000,
    )
    # 4096 tokens x 32 layers x 32 kv heads x (128 + 128) x 2 bytes
    assert kv_cache_bytes(spec, 4096) == 2 * GiB


def test_kv_cache_of_llama3_8b_grouped_query_attention(tmp_path):
    spec = header_spec(
        tmp_path,
        "llama",
        llama_meta(32, 4096, 14336, 32, 8, 8192),
        llama_tensors(2, 4096, 14336, 32, 8, 1000, Q.Q4_0),
        1000,
    )
    assert kv_cache_bytes(spec, 8192) == 1 * GiB  # 8192 x 32 x 8 x 256 x 2
    assert kv_cache_bytes(spec, 8192, kv_type="q8_0") == 8192 * 32 * 8 * 256 * 34 // 32


def test_kv_cache_of_falcon_7b_multi_query_attention(tmp_path):
    # Falcon-7B: 71 query heads share ONE kv head; head size 4544 / 71 = 64.
    spec = header_spec(
        tmp_path,
        "falcon",
        llama_meta(32, 4544, 18176, 71, 1, 2048),
        llama_tensors(2, 4544, 18176, 71, 1, 1000, Q.F16),
        1000,
    )
    assert spec.key_length == 64
    assert kv_cache_bytes(spec, 2048) == 16 * 1024**2  # 2048 x 32 x 1 x 128 x 2


def test_falcon_180b_shape_does_not_fit_a_laptop(tmp_path):
    # Falcon-180B's real figures: 80 layers, 14848 wide, 232 heads, 8 kv heads, an ungated 4x MLP, vocab 65024.
    spec = header_spec(
        tmp_path,
        "falcon",
        llama_meta(80, 14848, 59392, 232, 8, 2048),
        llama_tensors(80, 14848, 59392, 232, 8, 65024, Q.Q2_K, gated=False),
        65024,
    )
    assert 179e9 < spec.n_params < 181e9
    assert kv_cache_bytes(spec, 2048) == 2048 * 80 * 8 * 128 * 2
    norms = 80 * 2 * 14848 + 14848  # f32; everything else is Q2_K (84 bytes per 256 weights)
    assert spec.weights_bytes == (spec.n_params - norms) // 256 * 84 + norms * 4
    plan = make_plan([spec], machine(23))
    assert not plan.fits
    assert "does not fit" in plan.reason and "RPC" in plan.reason


def test_moe_layers_hold_every_expert(tmp_path):
    # Mixtral-8x7B at Q4_0: attention 2x(4096x4096) + 2x(4096x1024); 3 expert matrices of 4096x14336x8.
    spec = header_spec(
        tmp_path,
        "llama",
        llama_meta(32, 4096, 14336, 32, 8, 32768, expert_count=8, expert_used_count=2),
        llama_tensors(2, 4096, 14336, 32, 8, 1000, Q.Q4_0, experts=8),
        1000,
    )
    quantized = 2 * 4096 * 4096 + 2 * 4096 * 1024 + 3 * 4096 * 14336 * 8
    assert spec.layer_bytes[0] == quantized // 32 * 18 + (4096 * 8 + 2 * 4096) * 4 == 816_480_256
    assert (spec.expert_count, spec.expert_used_count) == (8, 2)
    assert kv_cache_bytes(spec, 32768) == 4 * GiB


def test_context_is_padded_to_256_cells_like_llama_cpp(smollm2_path):
    spec = read_model_spec(smollm2_path)
    assert kv_cache_bytes(spec, 1000) == kv_cache_bytes(spec, 1024)
    # llama.cpp's own log for this model at n_ctx 512: "CPU KV buffer size = 11.25 MiB"
    assert kv_cache_bytes(spec, 512) == int(11.25 * 1024**2)


def test_sliding_window_layers_cache_only_the_window_when_not_full(tmp_path):
    spec = header_spec(
        tmp_path,
        "gemma3",
        llama_meta(
            12,
            640,
            2048,
            4,
            1,
            32768,
            **{"attention.sliding_window": 512, "attention.key_length": 256, "attention.value_length": 256},
        ),
        llama_tensors(12, 640, 2048, 4, 1, 1000, Q.Q8_0, head_dim=256),
        1000,
    )
    per_cell_layer = 1 * 512 * 2
    assert kv_cache_bytes(spec, 8192) == 8192 * 12 * per_cell_layer  # swa_full, llama-cpp-python's default
    # 2 of 12 layers are global; the other 10 keep 512 + 512 (ubatch) cells.
    assert kv_cache_bytes(spec, 8192, swa_full=False) == (2 * 8192 + 10 * 1024) * per_cell_layer


# --------------------------------------------------------------------------------- where memory lives


def test_partial_offload_splits_weights_and_cache_by_layer(tmp_path):
    # llama.cpp's -ngl counts the output head as the last layer and offloads from the end: -ngl 2 of 4
    # layers is the head and layer 3 (the split an H100 showed for Qwen2.5-1.5B's -ngl 14, to the byte).
    spec = read_model_spec(tiny_llama(tmp_path / "m.gguf", n_layer=4))
    assert (
        spec.offloaded(2) == (3, True) and spec.offloaded(0) == (4, False) and spec.offloaded(99) == (0, True)
    )
    cpu_only = estimate_memory(spec, 2048, 0)
    half = estimate_memory(spec, 2048, 2)
    assert cpu_only.vram_bytes == 0
    offloaded_weights = spec.layer_bytes[3] + spec.output_bytes
    offloaded_kv = kv_cache_bytes(spec, 2048, layers=range(3, 4))
    assert half.ram_bytes == cpu_only.ram_bytes - offloaded_weights - offloaded_kv
    assert half.vram_bytes > offloaded_weights + offloaded_kv  # plus compute buffer and driver context
    assert half.total_bytes == half.ram_bytes + half.vram_bytes


def test_offloading_a_tied_output_head_copies_the_embeddings(smollm2_path):
    spec = read_model_spec(smollm2_path)
    # -ngl 1 is the head alone; a tied head is a second copy of the embeddings, which stay in RAM.
    head_only = estimate_memory(spec, 2048, 1)
    assert spec.tied_output_bytes > 0
    assert head_only.weights_bytes - estimate_memory(spec, 2048, 0).weights_bytes == spec.tied_output_bytes
    # Each further layer is one more repeating layer, from the last one down.
    two = estimate_memory(spec, 2048, 2)
    last = spec.n_layer - 1
    added = spec.layer_bytes[last] + kv_cache_bytes(spec, 2048, layers=range(last, spec.n_layer))
    assert two.vram_bytes - head_only.vram_bytes == added
    assert head_only.ram_bytes == estimate_memory(spec, 2048, 0).ram_bytes - spec.output_bytes


def test_avx2_repacks_q4_k_block_weights(tmp_path):
    spec = header_spec(
        tmp_path,
        "llama",
        llama_meta(2, 512, 1024, 8, 8, 4096),
        llama_tensors(2, 512, 1024, 8, 8, 1000, Q.Q4_K),
        1000,
    )
    plain = estimate_memory(spec, 2048, 0)
    repacked = estimate_memory(spec, 2048, 0, repack=frozenset({"Q4_K"}))
    assert repacked.ram_bytes - plain.ram_bytes == spec.layer_bytes_by_type["Q4_K"] + spec.head_bytes


def test_flash_attention_shrinks_the_cpu_compute_memory(smollm2_path):
    spec = read_model_spec(smollm2_path)
    plain = estimate_memory(spec, 8192, 0)
    flash = estimate_memory(spec, 8192, 0, settings=LoadSettings(flash_attn=True))
    assert flash.compute_bytes < plain.compute_bytes / 5


# ------------------------------------------------------------------------------------------ choices


def test_cpu_machine_gets_the_trained_context_capped_for_chat(smollm2_path):
    plan = make_plan([read_model_spec(smollm2_path)], machine(16))
    assert plan.fits and plan.gpu_layers == 0
    assert plan.context_window == min(8192, CHAT_CONTEXT_CAP)
    assert "runs on the CPU" in plan.reason


def test_everything_on_the_gpu_when_it_fits(smollm2_path):
    plan = make_plan([read_model_spec(smollm2_path)], machine(16, vram_gib=8))
    assert plan.gpu_layers == plan.n_layers + 1
    assert "entirely on the GPU" in plan.reason


def test_plan_reduces_context_before_dropping_gpu_layers(tmp_path):
    spec = header_spec(
        tmp_path,
        "llama",
        llama_meta(32, 4096, 14336, 32, 8, 32768),
        llama_tensors(32, 4096, 14336, 32, 8, 32000, Q.Q4_K),
        32000,
    )
    roomy = make_plan([spec], machine(64, vram_gib=24))
    assert roomy.gpu_layers == 33 and roomy.context_window == CHAT_CONTEXT_CAP
    # 3.8 GiB of weights: with 5.5 GiB of VRAM, all layers fit only with a shorter context.
    tight = make_plan([spec], machine(64, vram_gib=5.5))
    assert tight.gpu_layers == 33
    assert 2048 <= tight.context_window < CHAT_CONTEXT_CAP
    assert "largest that fits" in tight.reason
    # At 4 GiB not even the smallest context fits with every layer: layers go, the context stays usable.
    small = make_plan([spec], machine(64, vram_gib=4))
    assert 0 < small.gpu_layers < 33 and small.context_window >= 2048
    assert fits(small.memory, small.budget)


def test_users_context_is_honoured_or_refused(smollm2_path):
    spec = read_model_spec(smollm2_path)
    assert make_plan([spec], machine(16), ctx=1024).context_window == 1024
    refused = make_plan([spec], machine(0.7), ctx=8192)
    assert not refused.fits and "--ctx 8192" in refused.reason


@pytest.mark.parametrize("ctx", [0, -5, 100, 1 << 30])
def test_out_of_range_context_is_bad_input(smollm2_path, ctx):
    with pytest.raises(BadInput, match="out of range"):
        make_plan([read_model_spec(smollm2_path)], machine(16), ctx=ctx)


def test_context_above_the_trained_one_is_bad_input(smollm2_path):
    with pytest.raises(BadInput, match="trained for"):
        make_plan([read_model_spec(smollm2_path)], machine(16), ctx=16384)


def test_quant_not_offered_lists_the_offered_ones(smollm2_path):
    with pytest.raises(BadInput, match=r"--quant Q5_K_M is not offered.*offered: Q4_1"):
        make_plan([read_model_spec(smollm2_path)], machine(16), quant="Q5_K_M")
    assert make_plan([read_model_spec(smollm2_path)], machine(16), quant="q4_1").quant == "Q4_1"


def _quant_files(tmp_path: Path) -> list[ModelSpec]:
    specs = []
    for qtype, ftype in ((Q.Q4_K, 15), (Q.Q6_K, 18), (Q.Q8_0, 7), (Q.F16, 1)):
        meta = llama_meta(32, 4096, 14336, 32, 8, 8192, **{"general.file_type": ftype})
        specs.append(
            header_spec(
                tmp_path / qtype.name,
                "llama",
                meta,
                llama_tensors(32, 4096, 14336, 32, 8, 32000, qtype),
                32000,
            )
        )
    return specs


def test_gpu_gets_the_best_quant_that_runs_entirely_on_it(tmp_path):
    for q in ("Q4_K", "Q6_K", "Q8_0", "F16"):
        (tmp_path / q).mkdir()
    specs = _quant_files(tmp_path)
    assert make_plan(specs, machine(64, vram_gib=24)).quant == "Q8_0"  # F16 only when nothing else is offered
    assert make_plan(specs, machine(64, vram_gib=8)).quant == "Q6_K"
    cpu = make_plan(specs, machine(64))
    assert cpu.quant == "Q4_K_M"  # on the CPU, speed is bandwidth: the lighter quant wins
    assert {c.quant for c in cpu.candidates} == {"Q4_K_M", "Q6_K", "Q8_0", "F16"}


def test_cpu_only_build_ignores_the_gpu_and_says_why(smollm2_path):
    hw = dataclasses.replace(
        machine(16, vram_gib=8), llama_cpp=LlamaCppBuild(True, "0.3.36", False, ("CPU",))
    )
    plan = make_plan([read_model_spec(smollm2_path)], hw)
    assert plan.gpu_layers == 0 and "cannot use it" in plan.reason


def test_gpu_layers_zero_means_cpu(smollm2_path):
    plan = make_plan([read_model_spec(smollm2_path)], machine(16, vram_gib=8), gpu_layers=0)
    assert plan.gpu_layers == 0 and plan.memory.vram_bytes == 0


# ------------------------------------------------------------------------------------------ property


@st.composite
def model_specs(draw):
    n_layer = draw(st.integers(1, 96))
    n_head = draw(st.sampled_from([4, 8, 16, 32, 64]))
    head_dim = draw(st.sampled_from([64, 128]))
    n_head_kv = draw(st.sampled_from([h for h in (1, 2, 4, 8, 16, 32, 64) if h <= n_head]))
    layer = draw(st.integers(10**5, 2 * 10**9))
    return ModelSpec(
        name="m",
        files=(Path("m.gguf"),),
        file_bytes=layer * n_layer,
        architecture="llama",
        quant="Q4_K_M",
        n_layer=n_layer,
        n_embd=n_head * head_dim,
        n_head=n_head,
        n_head_kv=(n_head_kv,) * n_layer,
        key_length=head_dim,
        value_length=head_dim,
        n_ff=draw(st.integers(256, 60000)),
        vocab_size=draw(st.integers(1000, 260000)),
        context_length=draw(st.sampled_from([2048, 4096, 32768, 131072])),
        layer_bytes=(layer,) * n_layer,
        input_bytes=draw(st.integers(10**5, 4 * 10**9)),
        output_bytes=draw(st.integers(10**5, 4 * 10**9)),
        n_params=layer * n_layer * 2,
    )


@settings(max_examples=150, deadline=None)
@given(
    spec=model_specs(),
    ram=st.integers(1 * 2**30, 256 * 2**30),
    vram=st.one_of(st.none(), st.integers(1 * 2**30, 96 * 2**30)),
    ctx=st.one_of(st.none(), st.sampled_from([256, 2048, 4096])),
    gpu_layers=st.one_of(st.none(), st.integers(-1, 100)),
)
def test_planner_never_returns_a_plan_over_its_budget(spec, ram, vram, ctx, gpu_layers):
    ctx = ctx if ctx is None or ctx <= spec.context_length else spec.context_length
    plan = make_plan(
        [spec],
        machine(ram / GiB, vram_gib=None if vram is None else vram / GiB),
        ctx=ctx,
        gpu_layers=gpu_layers,
    )
    if plan.fits:
        assert plan.memory.ram_bytes <= plan.budget.ram_bytes
        assert plan.memory.vram_bytes <= plan.budget.vram_bytes
        assert 256 <= plan.context_window <= spec.context_length
        assert plan.context_window % 256 == 0 or plan.context_window == ctx
        assert 0 <= plan.gpu_layers <= spec.n_layer + 1
