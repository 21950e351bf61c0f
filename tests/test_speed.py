"""Predicted speed: generation reads each active weight once per token, so it follows memory bandwidth, the
CPU/GPU split of the layers, and for mixture-of-experts models only the experts a token uses.
(scripts/check_speed_prediction.py compares predictions with `localinterp bench` on this machine.)"""

from __future__ import annotations

import dataclasses
import json

from clihelp import invoke
from ggufgen import FTYPES, llama_tensors, random_moe, write_gguf

from localinterp.gguf import read_model_spec
from localinterp.hardware import GPU, LlamaCppBuild, probe
from localinterp.speed import active_layer_bytes, gpu_bandwidth, predict

GB = 10**9


def machine(bandwidth_gbps: float, gpu: GPU | None = None):
    hw = probe(llama_cpp=None)
    ram = dataclasses.replace(hw.ram, bandwidth_bytes_per_s=int(bandwidth_gbps * GB))
    build = LlamaCppBuild(True, "x", True, ("CUDA",)) if gpu else hw.llama_cpp
    return dataclasses.replace(hw, ram=ram, gpus=(gpu,) if gpu else (), llama_cpp=build)


def moe(tmp_path, experts: int = 8, used: int = 2):
    """A qwen3moe-shaped model: 4 blocks of `experts` experts, `used` per token (header and zeros)."""
    ftype, qtype = FTYPES["Q8_0"]
    meta = {"block_count": 4, "context_length": 4096, "embedding_length": 256, "feed_forward_length": 512,
            "expert_feed_forward_length": 512, "attention.head_count": 4, "attention.head_count_kv": 2,
            "expert_count": experts, "expert_used_count": used, "general.file_type": ftype, "general.name": "moe"}  # fmt: skip
    tensors = llama_tensors(4, 256, 512, 4, 2, 512, qtype, experts=experts)
    return read_model_spec(write_gguf(tmp_path / "moe.gguf", "qwen3moe", meta, tensors, vocab=512))


def test_a_token_reads_only_the_experts_it_uses(tmp_path):
    spec = moe(tmp_path)
    assert all(e > 0 for e in spec.expert_bytes)
    active = active_layer_bytes(spec)
    for whole, expert, act in zip(spec.layer_bytes, spec.expert_bytes, active, strict=True):
        assert act == whole - expert + expert * 2 / 8
    all_experts = dataclasses.replace(spec, expert_used_count=8)
    hw = machine(20)
    assert predict(spec, hw, 0).tg_tokens_per_s > predict(all_experts, hw, 0).tg_tokens_per_s


def test_speed_follows_bandwidth_and_the_gpu_split(smollm2_path):
    spec = read_model_spec(smollm2_path)
    slow, fast = predict(spec, machine(5), 0), predict(spec, machine(40), 0)
    assert fast.tg_tokens_per_s > 2 * slow.tg_tokens_per_s
    gpu = GPU("cuda", "NVIDIA GeForce RTX 4090", 24 * 1024**3, 23 * 1024**3)
    on_gpu = predict(spec, machine(40, gpu), spec.n_layer + 1)
    half = predict(spec, machine(40, gpu), spec.n_layer // 2)
    assert on_gpu.tg_tokens_per_s > half.tg_tokens_per_s > fast.tg_tokens_per_s
    assert gpu_bandwidth(gpu) == 1.01e12  # from the table: NVML was not asked


def test_plan_json_carries_the_predicted_speed_for_the_plan_and_each_candidate(smollm2_path):
    plan = json.loads(invoke("plan", str(smollm2_path), "--json").stdout)
    assert plan["speed"]["tg_tokens_per_s"] > 0 and plan["speed"]["pp_tokens_per_s"] > 0
    assert all(c["speed"]["tg_tokens_per_s"] > 0 for c in plan["candidates"])


def test_the_probe_measures_ram_bandwidth_once(monkeypatch):
    from localinterp import speed

    speed.ram_bandwidth.cache_clear()
    first = speed.ram_bandwidth("test cpu")
    assert first > 10**8  # more than 100 MB/s on any machine that runs this
    monkeypatch.setattr(speed, "_measure_copy", lambda: 1)
    speed.ram_bandwidth.cache_clear()
    assert speed.ram_bandwidth("test cpu") == first  # from the cache file, not measured again
    speed.ram_bandwidth.cache_clear()


# llama-bench on an H100 (NVML bandwidth 3,352 GB/s), every layer offloaded, flash attention off,
# 2026-11-23 (docs/GPU.md): tokens/s for tg128 and pp512.
H100_MEASURED = {"smollm2": (755.9, 41893.6), "qwen05": (699.1, 36954.3)}


def test_gpu_speed_predictions_match_what_an_h100_ran(request):
    # Before the H100's figures the prediction for a model on a GPU carried the CPU's fixed cost per token
    # (4.2 ms) and 30 TFLOP/s: it said 217 t/s for the 1.5B where llama-bench ran 496.
    h100 = GPU(
        "cuda", "NVIDIA H100 80GB HBM3", 80 * 1024**3, 79 * 1024**3, bandwidth_bytes_per_s=3352320000000
    )
    for model, (tg, pp) in H100_MEASURED.items():
        spec = read_model_spec(request.getfixturevalue(f"{model}_path"))
        speed = predict(spec, machine(40, h100), spec.n_layer + 1)
        assert 0.85 <= speed.tg_tokens_per_s / tg <= 1.15, (model, speed, tg)
        assert 0.85 <= speed.pp_tokens_per_s / pp <= 1.15, (model, speed, pp)


# bench / llama-bench on the same H100 on 2026-11-24, flash attention off (docs/GPU.md): (model, -ngl,
# --n-cpu-moe) -> tg128 and pp512 tokens/s. A and B are random-weight qwen3moe files (tests/test_moe.py's
# shapes): A 16 blocks of 64 experts, 8 used; B 8 blocks of 32, 4 used.
H100_MOE = {"A": (16, 1024, 512, 64, 8), "B": (8, 2048, 768, 32, 4)}
H100_MEASURED_MOE = {
    ("A", 0): (993.5, 44367.2), ("B", 0): (1516.5, 58404.0), ("A", 4): (447.1, 7229.1),
    ("A", 8): (263.4, 5030.4), ("A", 16): (137.5, 2997.3), ("B", 4): (586.7, 6984.7),
}  # fmt: skip
# GB/s: about what llama.cpp's 16 threads read on that host (the 1.5B on its CPU alone ran 54 t/s); the
# probe's one-thread copy said 13.2 there (docs/GPU.md: not solved).
H100_HOST_RAM = 50


def test_moe_speed_on_an_h100_with_its_experts_on_the_gpu_or_in_ram(tmp_path):
    # Before these were measured the experts kept in RAM were predicted at 5x or 0.15x of the prompt speed
    # (the copy of the experts to the GPU for each batch was not counted), and with all on the GPU the
    # 8-block file at 0.5 of its generation speed (one fixed cost per token, not per block).
    h100 = GPU(
        "cuda", "NVIDIA H100 80GB HBM3", 80 * 1024**3, 79 * 1024**3, bandwidth_bytes_per_s=3352320000000
    )
    hw = machine(H100_HOST_RAM, h100)
    hw = dataclasses.replace(hw, cpu=dataclasses.replace(hw.cpu, physical_cores=16, logical_cores=16))
    for (name, n_cpu_moe), (tg, pp) in H100_MEASURED_MOE.items():
        n_layer, n_embd, n_ff_exp, experts, used = H100_MOE[name]
        path = random_moe(
            tmp_path / f"{name}.gguf", n_layer=n_layer, n_embd=n_embd, n_head=16, n_head_kv=4,
            n_ff_exp=n_ff_exp, experts=experts, used=used, weights=False,
        )  # fmt: skip
        spec = read_model_spec(path)
        speed = predict(spec, hw, n_layer + 1, n_cpu_moe)
        assert 0.75 <= speed.tg_tokens_per_s / tg <= 1.45, (name, n_cpu_moe, speed, tg)
        assert 0.6 <= speed.pp_tokens_per_s / pp <= 1.35, (name, n_cpu_moe, speed, pp)
