"""The planner's prediction against real llama.cpp on the real model (the script's own measurement)."""

from __future__ import annotations

import pytest
from check_plan_accuracy import measure, predict


@pytest.mark.slow
@pytest.mark.parametrize("flash_attn", [False, True])
def test_prediction_is_within_ten_percent_of_real_memory_growth(smollm2_path, flash_attn):
    # Skipped on AMX CPUs from the seventeenth session to the twenty-fourth: the 0.84-0.97 measured there
    # was the measurement's own error (llama_cpp's libraries, 18-23 MiB, imported after the first reading
    # and counted as the load's); the same error on an AMD EPYC read the same, and measured right it
    # reads 0.98-1.04 (SmolLM2) and 0.95-1.00 (the 0.5B coder) at 512-8192 tokens.
    measured = measure(smollm2_path, 2048, flash_attn, 0)["ram"]
    predicted, _ = predict(smollm2_path, 2048, flash_attn, 0)
    assert 0.9 <= predicted / measured <= 1.1, (predicted, measured)


# VRAM growth NVML measured on an NVIDIA H100 80GB (driver 580.159.04, CUDA 13.0, llama-cpp-python
# 0.3.36 built with CUDA; scripts/check_plan_accuracy.py --gpu, 2026-11-23): (context, flash attention,
# -ngl or -1 for all) -> MiB. CI has no GPU; these keep the planner honest against what one measured.
H100_VRAM_MIB = {
    "smollm2": {
        (512, False, -1): 906.8, (512, True, -1): 808.8, (2048, False, -1): 950.8, (2048, True, -1): 842.8,
        (8192, False, -1): 1204.8, (8192, True, -1): 976.8,
    },
    "qwen05": {
        (512, False, -1): 1384.8, (512, True, -1): 1286.8, (2048, False, -1): 1420.8, (2048, True, -1): 1304.8,
        (8192, False, -1): 1574.8, (8192, True, -1): 1376.8, (32768, False, -1): 2864.8, (32768, True, -1): 1664.8,
    },
}  # fmt: skip


@pytest.mark.parametrize("model", sorted(H100_VRAM_MIB))
def test_gpu_prediction_is_within_three_percent_of_what_an_h100_used(model, request):
    # Before these measurements the plan assumed 400 MiB of CUDA context (530 at load + 78 at the first
    # evaluation were measured) and no pool for f16 scores: it was 13-33 % short on every point.
    path = request.getfixturevalue(f"{model}_path")
    for (n_ctx, flash_attn, layers), measured in H100_VRAM_MIB[model].items():
        _, predicted = predict(path, n_ctx, flash_attn, layers)
        assert 0.97 <= predicted / 2**20 / measured <= 1.03, (n_ctx, flash_attn, predicted / 2**20, measured)
