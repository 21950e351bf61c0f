"""Mixture-of-experts models are planned and loaded as llama.cpp's `--n-cpu-moe N` runs them: when the whole
model does not fit in VRAM, every layer stays on the GPU and the routed experts of the first N layers live in
RAM, with the smallest N that fits. The loading half is proven on this CPU with real llama.cpp and a small
qwen3moe file of random weights the tests write; the planning half with hardware files of GPU machines
(tests/test_hardware_file.py has the real-size models)."""

from __future__ import annotations

import json
import logging
import re

import pytest
from clihelp import assert_one_line_error, invoke
from ggufgen import random_moe

from localinterp.engine.local import LoadOptions, load_llama
from localinterp.gguf import read_model_spec
from localinterp.hardware import hardware_from_file
from localinterp.plan import MiB, budget_for, estimate_memory, make_plan
from localinterp.speed import predict

GIB = 1024**3
OVERRIDDEN = re.compile(r"tensor (blk\.(\d+)\.ffn_\w+_exps\.weight) .* buffer type overridden to (\S+)")


@pytest.fixture(scope="module")
def moe(tmp_path_factory):
    """Four qwen3moe layers of eight experts (two used per token), random Q8_0 weights, about 1 MB."""
    return random_moe(tmp_path_factory.mktemp("moe") / "random-moe-Q8_0.gguf")


def machine(tmp_path, gpu_bytes: int) -> str:
    """A hand-written hardware file: 8 GiB of RAM and one CUDA GPU of `gpu_bytes`."""
    path = tmp_path / "gpu-box.json"
    gpu = {"backend": "cuda", "name": "Small GPU", "total_bytes": gpu_bytes}
    path.write_text(
        json.dumps({"os": "Linux", "arch": "x86_64", "ram": {"total_bytes": 8 * GIB}, "gpus": [gpu]})
    )
    return str(path)


def loaded_overrides(path, options: LoadOptions, caplog) -> tuple[dict[str, str], str]:
    """Load with real llama.cpp: which tensors its log says were overridden (name -> buffer type), and the
    greedy continuation of a prompt."""
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="localinterp.llama_cpp"):
        llm = load_llama(path, options)
    try:
        text = llm.create_completion("hello world", max_tokens=12, temperature=0.0)["choices"][0]["text"]
    finally:
        llm.close()
    found = {m.group(1): m.group(3) for r in caplog.records for m in [OVERRIDDEN.search(r.getMessage())] if m}
    return found, text


def test_the_experts_of_the_first_n_layers_go_to_ram_and_the_model_still_runs_the_same(moe, caplog):
    overridden, text = loaded_overrides(moe, LoadOptions(n_ctx=256, n_cpu_moe=2), caplog)
    expected = {f"blk.{i}.ffn_{p}_exps.weight" for i in (0, 1) for p in ("gate", "up", "down")}
    assert set(overridden) == expected  # layers 0 and 1, all three expert tensors, nothing else
    assert set(overridden.values()) <= {"CPU", "CPU_REPACK"}
    plain, plain_text = loaded_overrides(moe, LoadOptions(n_ctx=256), caplog)
    assert plain == {}  # without n_cpu_moe no override is set
    assert text == plain_text and len(text) > 0  # where the experts live does not change the arithmetic


def test_the_planner_keeps_the_fewest_layers_of_experts_in_ram_and_the_plan_loads_that_way(
    moe, tmp_path, caplog
):
    spec = read_model_spec(moe)
    hw = hardware_from_file(
        machine(tmp_path, 4 * GIB)
    )  # the planner's own sizes, at the model's 1,024 tokens
    vram = {n: estimate_memory(spec, 1024, spec.n_layer + 1, n_cpu_moe=n).vram_bytes for n in range(5)}
    assert all(vram[n] - vram[n + 1] == spec.expert_bytes[n] for n in range(4))  # each step moves one layer's
    # A GPU whose budget (its size less the 256 MiB reserve) holds the model with two layers' experts out.
    gpu_bytes = 256 * MiB + vram[2]
    plan = make_plan([spec], hw, budget=budget_for(hardware_from_file(machine(tmp_path, gpu_bytes))))
    assert plan.fits and plan.gpu_layers == spec.n_layer + 1 and plan.n_cpu_moe == 2
    assert "experts of the first 2" in plan.reason and "--n-cpu-moe 2" in plan.reason

    result = invoke("plan", str(moe), "--hardware", machine(tmp_path, gpu_bytes), "--json")
    assert result.returncode == 0, result.stderr
    planned = json.loads(result.stdout)
    assert planned["n_cpu_moe"] == 2 and planned["candidates"][0]["n_cpu_moe"] == 2
    assert planned["memory"]["vram_bytes"] == vram[2]

    # What the plan says is what llama.cpp is asked for (on this CPU-only build the "GPU" layers stay on
    # the CPU, but the overrides are applied all the same).
    overridden, _ = loaded_overrides(moe, LoadOptions.from_plan(plan), caplog)
    assert {int(n.split(".")[1]) for n in overridden} == {0, 1}


# NVML's peak VRAM under `localinterp bench -ngl -1 -ncmoe N -p 512 -n 128` (context 1,024, flash attention
# off) on an H100, llama-cpp-python 0.3.36 built for CUDA 13.0 (docs/GPU.md): two random-weight shapes.
H100_MOE_VRAM = {
    (16, 1024, 16, 512, 64, 8): {0: 3_064_791_040, 4: 2_660_040_704, 8: 2_234_318_848, 16: 1_382_875_136},
    (8, 2048, 16, 768, 32, 4): {0: 2_691_497_984, 4: 2_083_323_904},
}


@pytest.mark.parametrize("shape", H100_MOE_VRAM)
def test_a_mixture_of_experts_model_on_a_gpu_is_planned_at_the_vram_an_h100_measured(shape, tmp_path):
    # Before these were measured the plan was 486-528 MiB short at every point (0.61-0.83 of the peak):
    # a plan that fills a GPU to its budget would have run out of memory.
    n_layer, n_embd, n_head, n_ff_exp, experts, used = shape
    path = random_moe(
        tmp_path / "shape.gguf", n_layer=n_layer, n_embd=n_embd, n_head=n_head, n_head_kv=4,
        n_ff_exp=n_ff_exp, experts=experts, used=used, weights=False,
    )  # fmt: skip
    spec = read_model_spec(path)
    for n_cpu_moe, measured in H100_MOE_VRAM[shape].items():
        planned = estimate_memory(spec, 1024, n_layer + 1, n_cpu_moe=n_cpu_moe).vram_bytes
        assert 1.0 <= planned / measured <= 1.02, (n_cpu_moe, planned / measured)


def test_experts_in_ram_are_repacked_like_any_cpu_weight_and_their_file_pages_reclaimable(tmp_path, caplog):
    from gguf.constants import GGMLQuantizationType

    from localinterp.hardware import probe
    from localinterp.plan import repacked_types

    path = random_moe(tmp_path / "q4.gguf", expert_type=GGMLQuantizationType.Q4_0)
    spec = read_model_spec(path)
    repack = repacked_types(probe(llama_cpp=None))
    if "Q4_0" not in repack:
        pytest.skip(
            "no repacked Q4_0 layout here (needs AVX2 or Arm dot-product, and repacking: off on AMX CPUs)"
        )
    overridden, _ = loaded_overrides(path, LoadOptions(n_ctx=256, n_cpu_moe=1), caplog)
    assert set(overridden.values()) == {"CPU_REPACK"}  # seen in llama.cpp's own log
    all_gpu = estimate_memory(spec, 256, spec.n_layer + 1, repack=repack)
    one_out = estimate_memory(spec, 256, spec.n_layer + 1, repack=repack, n_cpu_moe=1)
    assert one_out.ram_bytes - all_gpu.ram_bytes == 2 * spec.expert_bytes[0]  # the copy and the mapped file
    assert one_out.reclaimable_bytes - all_gpu.reclaimable_bytes == spec.expert_bytes[0]


def test_experts_in_ram_cost_speed_by_the_experts_a_token_reads_from_ram(moe, tmp_path):
    spec = read_model_spec(moe)
    hw = hardware_from_file(machine(tmp_path, 8 * GIB))
    speeds = [predict(spec, hw, spec.n_layer + 1, n).tg_tokens_per_s for n in range(5)]
    assert speeds == sorted(speeds, reverse=True) and speeds[0] > speeds[4]
    # Still faster than moving whole layers off the GPU: a token reads 2 of 8 experts from RAM, not the
    # whole of the layer.
    assert predict(spec, hw, spec.n_layer + 1, 4).tg_tokens_per_s > predict(spec, hw, 0).tg_tokens_per_s


def test_n_cpu_moe_is_refused_for_a_dense_model_in_one_line(smollm2_path, tmp_path):
    result = invoke("plan", str(smollm2_path), "--n-cpu-moe", "2")
    assert_one_line_error(result, 2, "--n-cpu-moe 2 applies to mixture-of-experts models only")


def test_n_cpu_moe_given_is_taken_as_given(moe, tmp_path):
    result = invoke("plan", str(moe), "--hardware", machine(tmp_path, 8 * GIB), "--n-cpu-moe", "3", "--json")
    assert result.returncode == 0, result.stderr
    planned = json.loads(result.stdout)
    assert planned["n_cpu_moe"] == 3 and planned["gpu_layers"] == planned["n_layers"] + 1


def test_bench_sweeps_n_cpu_moe_like_llama_bench(moe):
    from clihelp import run_cli

    result = run_cli("bench", str(moe), "-p", "16", "-n", "8", "-r", "1", "-ncmoe", "0,2", "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert sorted({r["n_cpu_moe"] for r in rows}) == [0, 2]
    assert all(r["avg_ts"] > 0 and not r.get("skipped") for r in rows)
    table = run_cli("bench", str(moe), "-p", "16", "-n", "0", "-r", "1", "-ncmoe", "2", "--md")
    assert "| n_cpu_moe |" in table.stdout and "| 2 |" in table.stdout
