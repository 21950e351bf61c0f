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
