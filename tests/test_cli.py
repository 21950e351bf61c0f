"""The command line: through typer's runner, and as a real subprocess the way a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from clihelp import assert_one_line_error, run_cli
from gguf.constants import GGMLQuantizationType as Q
from ggufgen import llama_tensors, tiny_llama, write_gguf
from typer.testing import CliRunner

from localinterp.cli import app

runner = CliRunner()


def test_probe_json_through_the_runner():
    result = runner.invoke(app, ["probe", "--json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["cpu"]["logical_cores"] >= 1 and data["llama_cpp"]["version"]


def test_probe_table_is_plain_text_in_a_pipe():
    result = run_cli("probe")
    assert result.returncode == 0
    assert "This machine" in result.stdout and "llama-cpp-python" in result.stdout
    assert "\x1b[" not in result.stdout  # no colour codes when stdout is not a terminal


def test_plan_json_on_the_real_model(smollm2_path):
    result = runner.invoke(app, ["plan", str(smollm2_path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {
        "model",
        "file",
        "quant",
        "context_window",
        "gpu_layers",
        "n_cpu_moe",
        "fits",
        "memory",
        "candidates",
        "reason",
    } <= set(data)
    assert {
        "weights_bytes",
        "kv_cache_bytes",
        "compute_bytes",
        "total_bytes",
        "ram_bytes",
        "vram_bytes",
    } <= set(data["memory"])
    assert data["candidates"] == [
        {
            "quant": "Q4_1",
            "size_bytes": 98362432,
            "fits": True,
            "context_window": 8192,
            "gpu_layers": data["gpu_layers"],
            "n_cpu_moe": 0,
            "total_bytes": data["memory"]["total_bytes"],
            "speed": data["speed"],
        }
    ]
    assert data["quant"] == "Q4_1" and data["fits"] is True
    assert data["memory"]["resident_ram_bytes"] <= data["memory"]["ram_bytes"]


def test_plan_of_a_catalog_alias_through_its_cached_pypi_copy(smollm2_path, monkeypatch):
    # The alias resolves through localinterp's own cache; seed it with the fetched file to stay offline.
    cache = Path(os.environ["LOCALINTERP_CACHE_DIR"]) / "models" / "pypi"
    cache.mkdir(parents=True)
    (cache / smollm2_path.name).symlink_to(smollm2_path)
    result = run_cli("plan", "smollm2")
    assert result.returncode == 0, result.stderr
    assert "SmolLM2-135M-Instruct Q4_1 runs on the CPU" in " ".join(result.stdout.split())


def test_plan_of_a_directory_lists_each_file(tmp_path):
    tiny_llama(tmp_path / "a.gguf")
    result = runner.invoke(app, ["plan", str(tmp_path), "--json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["quant"] == "Q8_0"


def test_model_that_does_not_fit_exits_3_with_the_way_out(tmp_path):
    # A 100 GB-shaped model in a sparse file: real header, real size, no disk used.
    meta = {
        "block_count": 80,
        "context_length": 4096,
        "embedding_length": 8192,
        "feed_forward_length": 28672,
        "attention.head_count": 64,
        "attention.head_count_kv": 8,
        "general.file_type": 7,
    }
    path = write_gguf(
        tmp_path / "huge.gguf",
        "llama",
        meta,
        llama_tensors(80, 8192, 28672, 64, 8, 32000, Q.Q8_0),
        data=False,
        sparse=True,
        vocab=32000,
    )
    result = run_cli("plan", str(path), "--json")
    assert result.returncode == 3
    assert json.loads(result.stdout)["fits"] is False
    assert_one_line_error(result, 3, "does not fit", "smaller model", "RPC")


@pytest.mark.parametrize(
    ("args", "code", "fragment"),
    [
        (["plan", "/no/such/model.gguf"], 2, "No such file"),
        (["plan", "smolm2"], 2, "Did you mean smollm2?"),
        (["plan", "someone/SomeModel-GGUF"], 4, "cannot reach http://127.0.0.1:9"),
        (["plan", "someone/SomeModel-GGUF", "--offline"], 2, "offline, and someone/SomeModel-GGUF is not on"),
        (["plan", "smollm2", "--source", "ftp"], 2, "--source ftp is not one of auto, hub, pypi"),
        (["plan", "--ctx", "0"], 2, "--ctx 0 is out of range"),
        (["plan", "--ctx", "-5"], 2, "--ctx -5 is out of range"),
        (["plan", "--ctx", "999999999"], 2, "out of range"),
    ],
)
def test_bad_input_is_one_line_and_nonzero(args, code, fragment):
    assert_one_line_error(run_cli(*args), code, fragment)


def test_bad_files_are_one_line_each(tmp_path):
    text = tmp_path / "notes.gguf"
    text.write_text("not a model")
    truncated = tiny_llama(tmp_path / "t.gguf")
    truncated.write_bytes(truncated.read_bytes()[:-500])
    unknown = tiny_llama(tmp_path / "u.gguf", arch="nosucharch")
    assert_one_line_error(run_cli("plan", str(text)), 2, "is not a GGUF model file")
    assert_one_line_error(run_cli("plan", str(truncated)), 2, "is truncated")
    assert_one_line_error(run_cli("plan", str(unknown)), 2, "architecture llama.cpp does not know")


def test_quant_and_context_the_model_cannot_give(smollm2_path):
    assert_one_line_error(run_cli("plan", str(smollm2_path), "--quant", "Q9_Z"), 2, "offered: Q4_1")
    assert_one_line_error(
        run_cli("plan", str(smollm2_path), "--ctx", "65536"), 2, "trained for (8,192 tokens)"
    )


def test_debug_shows_the_traceback(tmp_path):
    result = run_cli("plan", str(tmp_path / "missing.gguf"), env={"LOCALINTERP_DEBUG": "1"})
    assert result.returncode != 0 and "Traceback" in result.stderr


def test_help_and_probe_do_not_import_heavy_modules():
    for args in (["--help"], ["probe", "--json"]):
        result = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "localinterp", *args],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0
        imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if "|" in line}
        assert not imported & {"llama_cpp", "huggingface_hub", "numpy", "torch"}, args


def test_version_and_module_entry_point():
    result = run_cli("--version")
    assert result.returncode == 0 and result.stdout.startswith("localinterp ")


def test_flash_attention_and_a_quantized_kv_cache_shrink_the_plan(smollm2_path):
    plain = json.loads(run_cli("plan", str(smollm2_path), "--ctx", "4096", "--json").stdout)
    small = json.loads(
        run_cli(
            "plan", str(smollm2_path), "--ctx", "4096", "--flash-attn", "--kv-type", "q8_0", "--json"
        ).stdout
    )
    assert small["settings"]["kv_type"] == "q8_0" and small["settings"]["flash_attn"] is True
    assert small["memory"]["kv_cache_bytes"] < plain["memory"]["kv_cache_bytes"] * 0.6
    assert_one_line_error(run_cli("plan", str(smollm2_path), "--kv-type", "q8_0"), 2, "needs --flash-attn")
    assert_one_line_error(
        run_cli("plan", str(smollm2_path), "--kv-type", "q2"), 2, "not one of f16, q8_0, q4_0"
    )
