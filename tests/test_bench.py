"""`localinterp bench` on the real SmolLM2: llama-bench's rows, sweeps, skipped configurations, formats."""

from __future__ import annotations

import csv
import io
import json
import signal
import subprocess
import sys
import time

import pytest
from clihelp import assert_one_line_error, run_cli

LLAMA_BENCH_FIELDS = {"model_filename", "model_type", "n_gpu_layers", "n_threads", "n_prompt", "n_gen", "test",
                      "avg_ts", "stddev_ts", "samples_ts", "avg_ns", "stddev_ns", "samples_ns"}  # fmt: skip


def test_a_thread_sweep_gives_pp_and_tg_rows_with_llama_bench_fields(smollm2_path):
    result = run_cli("bench", str(smollm2_path), "-p", "32", "-n", "8", "-r", "2", "-t", "1,2", "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [(r["n_threads"], r["test"]) for r in rows] == [(1, "pp32"), (1, "tg8"), (2, "pp32"), (2, "tg8")]
    for row in rows:
        assert set(row) >= LLAMA_BENCH_FIELDS
        assert row["model_type"] == "llama 135M Q4_1" and row["avg_ts"] > 0 and len(row["samples_ts"]) == 2
        assert row["peak_rss_bytes"] > row["model_size"] // 2 and row["predicted_memory_bytes"] > 0


def test_the_default_thread_count_is_the_chats(smollm2_path):
    from localinterp.hardware import probe_cpu

    result = run_cli("bench", str(smollm2_path), "-p", "8", "-n", "0", "-r", "1", "--json")
    assert result.returncode == 0, result.stderr
    assert [r["n_threads"] for r in json.loads(result.stdout)] == [probe_cpu().threads]


def test_configurations_that_cannot_run_are_skipped_with_the_reason(smollm2_path):
    result = run_cli(
        "bench", str(smollm2_path), "-p", "32", "-n", "8", "-r", "1", "--ctx", "99999,32,512", "--md"
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("| model_type |") and len(lines) == 2 + 1 + 1 + 2
    assert "skipped: --ctx 99,999 is above what" in lines[2]
    assert "skipped: --ctx 32 is smaller than -p 32 plus -n 8" in lines[3]
    assert "pp32" in lines[4] and "tg8" in lines[5]


def test_csv_has_every_field(smollm2_path):
    result = run_cli("bench", str(smollm2_path), "-p", "16", "-n", "0", "-r", "1", "--csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 1 and rows[0]["test"] == "pp16" and float(rows[0]["avg_ts"]) > 0


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["-r", "0"], "-r must be at least 1"),
        (["-t", "two"], "--threads: 'two' is not a valid value"),
        (["--flash-attn", "2"], "--flash-attn: '2' is not a valid value"),
        (["--json", "--md"], "choose one of --json, --csv and --md"),
    ],
)
def test_bad_bench_input_is_one_line(smollm2_path, args, fragment):
    assert_one_line_error(run_cli("bench", str(smollm2_path), *args), 2, fragment)


def test_ctrl_c_prints_the_rows_finished_so_far(smollm2_path):
    proc = subprocess.Popen(
        [sys.executable, "-m", "localinterp", "bench", str(smollm2_path), "-p", "32", "-n", "8", "-r", "2",
         "-t", "1,2,1,2,1,2,1,2", "--md"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert proc.stderr is not None
    seen = 0
    deadline = time.monotonic() + 60
    while seen < 2 and time.monotonic() < deadline:  # two configurations started: the first one is done
        if "flash attention" in proc.stderr.readline():
            seen += 1
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "rows finished" in err
    rows = [ln for ln in out.splitlines() if "| llama" in ln]
    assert 2 <= len(rows) < 16


def test_plot_needs_matplotlib_or_draws_the_chart(smollm2_path, tmp_path):
    target = tmp_path / "speed.png"
    result = run_cli(
        "bench", str(smollm2_path), "-p", "16", "-n", "4", "-r", "1", "--md", "--plot", str(target)
    )
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert_one_line_error(result, 2, "--plot needs matplotlib")
        return
    assert result.returncode == 0 and target.read_bytes().startswith(b"\x89PNG")
    # pp and tg each get a panel of their own (on one axis the slower tg bars were invisible), and an
    # SVG keeps its text as text.
    svg = tmp_path / "speed.svg"
    result = run_cli(
        "bench",
        str(smollm2_path),
        "-p",
        "16",
        "-n",
        "4",
        "-r",
        "1",
        "-t",
        "1,2",
        "-ngl",
        "0",
        "--plot",
        str(svg),
    )
    assert result.returncode == 0, result.stderr
    text = svg.read_text()
    assert "prompt processing (pp16)" in text and "generation (tg4)" in text
    assert text.count("ngl=0 t=2 b=512 fa=0") == 2


@pytest.mark.gpu
def test_nvml_readings_are_recorded_on_an_nvidia_gpu(smollm2_path):
    pynvml = pytest.importorskip("pynvml")
    try:
        pynvml.nvmlInit()
    except pynvml.NVMLError:
        pytest.skip("no NVIDIA driver on this machine")
    result = run_cli("bench", str(smollm2_path), "-p", "512", "-n", "64", "-r", "3", "-ngl", "-1", "--json")
    row = json.loads(result.stdout)[0]
    assert row["vram_peak_bytes"] > 0 and row["gpu_power_w"] > 0 and row["gpu_sm_clock_mhz"] > 0
    assert row["gpu_info"] and row["gpu_driver"]


def test_gpu_layers_default_to_the_plans_and_rows_show_the_layers_loaded(smollm2_path):
    # Without -ngl, bench loads what the chat would: the plan's layers. The old default, 0, benchmarked an
    # H100 machine on its CPU at a tenth of llama-bench's speed. Rows show the count loaded (-1 once
    # showed 1000000).
    planned = json.loads(run_cli("plan", str(smollm2_path), "--ctx", "256", "--json").stdout)["gpu_layers"]
    for extra in ([], ["-ngl", "-1"]):
        result = run_cli("bench", str(smollm2_path), "-p", "8", "-n", "0", "-r", "1", *extra, "--json")
        assert result.returncode == 0, result.stderr
        (row,) = json.loads(result.stdout)
        assert row["n_gpu_layers"] == (planned if not extra else (31 if planned else 0))
