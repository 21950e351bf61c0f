"""Planning for another machine: `localinterp probe --json > laptop.json` there, then `plan MODEL --hardware
laptop.json` anywhere. Files written by hand (a GPU with only backend, name and total size) still plan, with
what was assumed said."""

from __future__ import annotations

import json

import pytest
from clihelp import assert_one_line_error, invoke
from ggufgen import FTYPES, llama_tensors, write_gguf

GIB = 1024**3


@pytest.fixture(scope="module")
def dense_32b(tmp_path_factory):
    """A Qwen2.5-32B-shaped llama GGUF at Q4_K_M (about 19 GB), header only, the rest sparse."""
    path = tmp_path_factory.mktemp("m") / "dense-32b-Q4_K_M.gguf"
    ftype, qtype = FTYPES["Q4_K_M"]
    meta = {"block_count": 64, "context_length": 32768, "embedding_length": 5120, "feed_forward_length": 27648,
            "attention.head_count": 40, "attention.head_count_kv": 8, "general.file_type": ftype,
            "general.name": "Dense 32B"}  # fmt: skip
    return write_gguf(path, "llama", meta, llama_tensors(64, 5120, 27648, 40, 8, 152064, qtype), data=False,
                      sparse=True, vocab=64)  # fmt: skip


def machine(tmp_path, name: str, ram_gib: float, gpus: list[dict] | None = None, **extra) -> str:
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps({"os": "Linux", "arch": "x86_64", "ram": {"total_bytes": int(ram_gib * GIB)},
                                "gpus": gpus or [], **extra}))  # fmt: skip
    return str(path)


def planned(model, hardware: str) -> tuple[int, dict, str]:
    result = invoke("plan", str(model), "--hardware", hardware, "--json")
    return result.returncode, json.loads(result.stdout) if result.stdout.strip() else {}, result.stderr


def test_a_24_gb_gpu_takes_every_layer_of_a_32b_at_a_working_context(dense_32b, tmp_path):
    gpu = [{"backend": "cuda", "name": "RTX 4090", "total_bytes": 24 * GIB}]
    code, plan, _ = planned(dense_32b, machine(tmp_path, "desk", 64, gpu))
    assert code == 0 and plan["fits"]
    assert plan["gpu_layers"] == plan["n_layers"] + 1  # 18.5 GiB of weights in 24 GiB, less the reserve
    assert plan["memory"]["vram_bytes"] < 24 * GIB


def test_a_12_gb_gpu_with_64_gb_ram_splits_the_layers(dense_32b, tmp_path):
    gpu = [{"backend": "cuda", "name": "RTX 3060", "total_bytes": 12 * GIB}]
    code, plan, _ = planned(dense_32b, machine(tmp_path, "mid", 64, gpu))
    assert code == 0 and plan["fits"]
    assert 0 < plan["gpu_layers"] < plan["n_layers"]  # about half of the 19 GB fits in 12 GB


def test_a_128_gb_mac_runs_it_all_on_its_gpu(dense_32b, tmp_path):
    gpu = [{"backend": "metal", "name": "Apple M3 Max", "total_bytes": 96 * GIB, "unified_memory": True}]
    code, plan, _ = planned(dense_32b, machine(tmp_path, "mac", 128, gpu, os="Darwin", arch="arm64"))
    assert code == 0 and plan["fits"] and plan["gpu_layers"] == plan["n_layers"] + 1


def test_a_16_gb_laptop_without_a_gpu_cannot_and_is_told_so(dense_32b, tmp_path):
    code, plan, err = planned(dense_32b, machine(tmp_path, "laptop", 16))
    assert code == 3 and not plan["fits"] and plan["gpu_layers"] == 0
    assert "localinterp: error:" in err


def test_what_a_hand_written_file_leaves_out_is_assumed_and_said(dense_32b, tmp_path):
    gpu = [{"backend": "cuda", "name": "RTX 4090", "total_bytes": 24 * GIB}]
    result = invoke("plan", str(dense_32b), "--hardware", machine(tmp_path, "hand", 64, gpu))
    assert result.returncode == 0, result.stderr
    for said in ("planned for the machine described in hand.json", "RAM available assumed 85 % of total",
                 "CPU assumed 4 cores", "a llama.cpp build that offloads to its GPUs assumed (cuda)"):  # fmt: skip
        assert said in " ".join(result.stderr.split()), result.stderr


def test_a_probe_of_this_machine_plans_as_this_machine(smollm2_path, tmp_path):
    probe = invoke("probe", "--json")
    path = tmp_path / "here.json"
    path.write_text(probe.stdout)
    here = json.loads(invoke("plan", str(smollm2_path), "--json").stdout)
    there = json.loads(invoke("plan", str(smollm2_path), "--hardware", str(path), "--json").stdout)
    assert (there["quant"], there["context_window"], there["gpu_layers"]) == (
        here["quant"], here["context_window"], here["gpu_layers"]
    )  # fmt: skip


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("not json", "not a JSON machine description"),
        ('{"gpus": []}', "it names no RAM (ram.total_bytes)"),
        ('{"ram": {"total_bytes": "lots"}}', "total_bytes must be a number"),
        ('{"ram": {"total_bytes": 1}, "gpus": [{"backend": "cuda"}]}', "GPU 0 needs backend, name and total_bytes"),
        ('{"ram": {"total_bytes": 1}, "gpus": [{"backend": "tpu", "name": "x", "total_bytes": 1}]}',
         "'tpu' is not cuda, metal, rocm or rpc"),
    ],
)  # fmt: skip
def test_a_bad_hardware_file_is_one_line(smollm2_path, tmp_path, content, fragment):
    path = tmp_path / "bad.json"
    path.write_text(content)
    assert_one_line_error(invoke("plan", str(smollm2_path), "--hardware", str(path)), 2, fragment)


# -- mixture-of-experts models: the experts that do not fit in VRAM stay in RAM (llama.cpp's --n-cpu-moe) ----


@pytest.fixture(scope="module")
def gpt_oss_20b(tmp_path_factory):
    """gpt-oss-20b's shape: 24 layers of 32 experts (4 used), experts in MXFP4 (423 MB a layer, 10.15 GB in
    all), attention, embeddings and head in Q8_0 (0.68 + 0.62 + 0.62 GB): 12.06 GB, as the hub's file."""
    from gguf.constants import GGMLQuantizationType as Q

    path = tmp_path_factory.mktemp("m") / "gpt-oss-20b-mxfp4.gguf"
    meta = {"block_count": 24, "context_length": 131072, "embedding_length": 2880, "feed_forward_length": 2880,
            "attention.head_count": 64, "attention.head_count_kv": 8, "attention.key_length": 64,
            "attention.value_length": 64, "attention.sliding_window": 128, "expert_count": 32,
            "expert_used_count": 4, "general.file_type": 38, "general.name": "gpt-oss-20b"}  # fmt: skip
    tensors = [(n, shape, Q.MXFP4 if "_exps" in n else q)
               for n, shape, q in llama_tensors(24, 2880, 2880, 64, 8, 201088, Q.Q8_0, head_dim=64, experts=32)]  # fmt: skip
    return write_gguf(path, "gpt-oss", meta, tensors, data=False, sparse=True, vocab=64)


@pytest.fixture(scope="module")
def qwen3_coder_30b(tmp_path_factory):
    """Qwen3-Coder-30B-A3B's shape: 48 layers of 128 experts (8 used) of width 768, in Q4_K: experts 340 MB
    a layer (16.3 GB in all), attention 10.6 MB a layer, embeddings and head 175 MB each: 17.1 GB."""
    ftype, qtype = FTYPES["Q4_K_M"]
    path = tmp_path_factory.mktemp("m") / "Qwen3-Coder-30B-A3B-Instruct-Q4_K_M.gguf"
    meta = {"block_count": 48, "context_length": 262144, "embedding_length": 2048, "feed_forward_length": 6144,
            "expert_feed_forward_length": 768, "attention.head_count": 32, "attention.head_count_kv": 4,
            "attention.key_length": 128, "attention.value_length": 128, "expert_count": 128,
            "expert_used_count": 8, "general.file_type": ftype, "general.name": "Qwen3-Coder-30B-A3B"}  # fmt: skip
    tensors = llama_tensors(48, 2048, 768, 32, 4, 151936, qtype, head_dim=128, experts=128)
    return write_gguf(path, "qwen3moe", meta, tensors, data=False, sparse=True, vocab=64)


DESK = {"backend": "cuda", "name": "RTX 4090", "total_bytes": 24 * GIB}
MID = {"backend": "cuda", "name": "RTX 3060", "total_bytes": 12 * GIB}
MAC = {"backend": "metal", "name": "Apple M3 Max", "total_bytes": 96 * GIB, "unified_memory": True}


def test_gpt_oss_20b_on_a_24_gb_gpu_runs_whole_on_it(gpt_oss_20b, tmp_path):
    # 12.06 GB of weights + 0.4 GB of KV cache at 8k + ~0.5 GB compute + 0.6 GiB driver < 22.8 GiB usable.
    code, plan, _ = planned(gpt_oss_20b, machine(tmp_path, "desk", 64, [DESK]))
    assert code == 0 and plan["fits"] and plan["gpu_layers"] == 25 and plan["n_cpu_moe"] == 0
    assert plan["context_window"] == 8192


def test_gpt_oss_20b_on_a_12_gb_gpu_keeps_three_or_four_layers_of_experts_in_ram(gpt_oss_20b, tmp_path):
    # Usable VRAM: 12 GiB less 5 % = 12.24 GB. Without experts the GPU holds 1.29 GB of attention and head,
    # 0.1 GB of KV cache (2k), ~0.46 GB compute (the 201k-token vocabulary's logits), 0.64 GB driver and
    # 0.55 GB for the expert products (an H100 measured it): 3.0 GB, leaving 9.2 GB for experts of 423 MB a
    # layer: 21 of 24 layers. So --n-cpu-moe 3 (4 if the context grows into it), and generation stays on
    # the GPU but for 160-210 MB a token from RAM.
    code, plan, _ = planned(gpt_oss_20b, machine(tmp_path, "mid", 64, [MID]))
    assert code == 0 and plan["fits"] and plan["gpu_layers"] == 25
    assert plan["n_cpu_moe"] in (3, 4)
    assert plan["memory"]["vram_bytes"] <= 12 * GIB * 0.95
    # The whole-layer split it replaces would be several times slower: 1 GB a token from RAM at 10 GB/s.
    assert plan["speed"]["tg_tokens_per_s"] > 25


def test_gpt_oss_20b_on_a_128_gb_mac_runs_whole_on_its_gpu(gpt_oss_20b, tmp_path):
    code, plan, _ = planned(gpt_oss_20b, machine(tmp_path, "mac", 128, [MAC], os="Darwin", arch="arm64"))
    assert code == 0 and plan["fits"] and plan["gpu_layers"] == 25 and plan["n_cpu_moe"] == 0


def test_gpt_oss_20b_on_a_16_gb_laptop_runs_on_its_cpu_at_a_shorter_context(gpt_oss_20b, tmp_path):
    # RAM it may use: 85 % of 16 GiB less 10 % = 13.1 GB. 12.06 GB of weights, then ~0.25 GB per 1k tokens
    # (KV cache and the attention scores of the CPU kernel): about 3.5k tokens, below the 8k chat default.
    # A token reads 2.56 GB (4 of 32 experts, the rest whole): ~4 tokens/s at the assumed 10 GB/s.
    code, plan, _ = planned(gpt_oss_20b, machine(tmp_path, "laptop", 16))
    assert code == 0 and plan["fits"] and plan["gpu_layers"] == 0 and plan["n_cpu_moe"] == 0
    assert 2048 <= plan["context_window"] <= 4096
    assert 3 < plan["speed"]["tg_tokens_per_s"] < 5


def test_qwen3_coder_30b_on_a_24_gb_gpu_runs_whole_on_it(qwen3_coder_30b, tmp_path):
    # 17.1 GB of weights (16.9 on the GPU: the embeddings stay in RAM) + 0.8 GB of KV cache at 8k + ~0.6 GB
    # compute + 0.64 GB driver = 18.9 GB < 24.5 GB usable.
    code, plan, _ = planned(qwen3_coder_30b, machine(tmp_path, "desk", 64, [DESK]))
    assert code == 0 and plan["fits"] and plan["gpu_layers"] == 49 and plan["n_cpu_moe"] == 0
    assert plan["context_window"] == 8192


def test_qwen3_coder_30b_on_a_12_gb_gpu_keeps_about_20_layers_of_experts_in_ram(qwen3_coder_30b, tmp_path):
    # 12.24 GB usable; without experts: 0.7 GB of attention, routers and head, 0.2 GB of KV cache (2k),
    # ~0.37 GB compute, 0.64 GB driver, 0.55 GB for the expert products = 2.5 GB; 9.8 GB left for experts
    # of 340 MB a layer: 28 of 48 layers on the GPU, the experts of the other 20 (6.8 GB) in the RAM.
    code, plan, _ = planned(qwen3_coder_30b, machine(tmp_path, "mid", 64, [MID]))
    assert code == 0 and plan["fits"] and plan["gpu_layers"] == 49
    assert 19 <= plan["n_cpu_moe"] <= 21
    # A token reads 8/128 of 20 layers' experts from RAM (0.42 GB at 10 GB/s: 42 ms) and 1.2 GB from the
    # GPU (360 GB/s x 0.4: 8 ms), plus 2 ms fixed (the CPU's and the GPU's, by share): about 20 tokens/s.
    assert 17 < plan["speed"]["tg_tokens_per_s"] < 25


def test_qwen3_coder_30b_on_a_128_gb_mac_runs_whole_on_its_gpu(qwen3_coder_30b, tmp_path):
    code, plan, _ = planned(qwen3_coder_30b, machine(tmp_path, "mac", 128, [MAC], os="Darwin", arch="arm64"))
    assert code == 0 and plan["fits"] and plan["gpu_layers"] == 49 and plan["n_cpu_moe"] == 0


def test_qwen3_coder_30b_does_not_fit_a_16_gb_laptop_and_is_told_so(qwen3_coder_30b, tmp_path):
    code, plan, err = planned(qwen3_coder_30b, machine(tmp_path, "laptop", 16))
    assert code == 3 and not plan["fits"] and "does not fit" in err  # 17.1 GB of weights in 13.1 GB
