#!/usr/bin/env python3
"""Predicted / measured tokens per second, for the models on this machine, measured in one run.

The prediction is `localinterp plan MODEL --json`'s `speed` (speed.py: bytes read per token over the
measured memory bandwidth); the measurement is `localinterp bench MODEL -p 512 -n 128` (llama-bench's tg128
and pp512) on the plan's own offload. Goal: every generation ratio within 0.75-1.33. Prompt processing is
printed too, with no goal: its model (a flat rate per core) is coarser.

Usage: python scripts/check_speed_prediction.py [MODEL ...] [--repetitions N]
       (default: the three test models, SmolLM2-135M and Qwen2.5-Coder 0.5B and 1.5B, fetched if needed)
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

GOAL = (0.75, 1.33)


def cli(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "localinterp", *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"localinterp {' '.join(args)} failed: {done.stderr.strip()[-300:]}")
    return done.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*")
    parser.add_argument("--repetitions", "-r", type=int, default=3)
    args = parser.parse_args()
    models = args.models
    if not models:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from fetch_test_models import fetch_test_model

        models = [str(fetch_test_model(a)) for a in ("smollm2", "qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b")]
    rows, worst = [], 1.0
    for model in models:
        plan = json.loads(cli("plan", model, "--json"))
        predicted = plan["speed"]
        bench = json.loads(
            cli("bench", model, "-p", "512", "-n", "128", "-r", str(args.repetitions),
                "--gpu-layers", str(plan["gpu_layers"]), "--json")
        )  # fmt: skip
        measured = {r["test"]: r["avg_ts"] for r in bench if not r.get("skipped")}
        tg = predicted["tg_tokens_per_s"] / measured["tg128"]
        pp = predicted["pp_tokens_per_s"] / measured["pp512"]
        worst = max(worst, tg, 1 / tg) if tg > 0 else float("inf")
        rows.append((Path(model).name, predicted, measured, tg, pp))
    print(
        f"{'model':44} {'tg pred':>8} {'tg meas':>8} {'ratio':>6}   {'pp pred':>8} {'pp meas':>8} {'ratio':>6}"
    )
    for name, predicted, measured, tg, pp in rows:
        print(
            f"{name[:44]:44} {predicted['tg_tokens_per_s']:8.1f} {measured['tg128']:8.1f} {tg:6.2f}   "
            f"{predicted['pp_tokens_per_s']:8.1f} {measured['pp512']:8.1f} {pp:6.2f}"
        )
    inside = all(GOAL[0] <= r[3] <= GOAL[1] for r in rows)
    print(
        f"generation ratios {'all' if inside else 'NOT all'} within {GOAL[0]}-{GOAL[1]} (worst factor {worst:.2f})"
    )
    return 0 if inside else 1


if __name__ == "__main__":
    sys.exit(main())
