"""The planner's prediction against real llama.cpp on the real model (the script's own measurement)."""

from __future__ import annotations

import pytest
from check_plan_accuracy import measure, predict


@pytest.mark.slow
@pytest.mark.parametrize("flash_attn", [False, True])
def test_prediction_is_within_ten_percent_of_real_memory_growth(smollm2_path, flash_attn):
    measured = measure(smollm2_path, 2048, flash_attn, 0)["ram"]
    predicted, _ = predict(smollm2_path, 2048, flash_attn, 0)
    assert 0.9 <= predicted / measured <= 1.1, (predicted, measured)
