"""localinterp bench vs llama.cpp's own llama-bench, same model and settings, in one run: prints ratios.

llama-bench sizes the context per test (n_prompt for pp, n_gen for tg); here each test runs with the
context set the same way (at least 256, the planner's minimum), so the two measure the same work.
llama-cpp-python does not ship llama-bench: build it from the llama.cpp commit your llama-cpp-python
vendors (see docs/GPU.md) and pass its path.

Usage: python scripts/compare_llama_bench.py LLAMA_BENCH [MODEL.gguf] [-p 512] [-n 128] [-r 5] [-t 2] [--fa 0,1]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def llama_bench(binary: Path, model: Path, test: str, n: int, r: int, t: int, fa: int) -> float:
    args = ["-p", str(n), "-n", "0"] if test == "pp" else ["-p", "0", "-n", str(n)]
    env = {**os.environ, "LD_LIBRARY_PATH": f"{binary.parent}:{os.environ.get('LD_LIBRARY_PATH', '')}"}
    out = subprocess.run(
        [str(binary), "-m", str(model), *args, "-r", str(r), "-t", str(t), "-fa", str(fa), "-o", "json"],
        capture_output=True, text=True, check=True, env=env,
    ).stdout  # fmt: skip
    return json.loads(out)[0]["avg_ts"]


def ours(model: Path, test: str, n: int, r: int, t: int, fa: int) -> float:
    args = ["-p", str(n), "-n", "0"] if test == "pp" else ["-p", "0", "-n", str(n)]
    out = subprocess.run(
        [sys.executable, "-m", "localinterp", "bench", str(model), *args, "-r", str(r), "-t", str(t),
         "--flash-attn", str(fa), "--ctx", str(max(256, n)), "--json"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return json.loads(out)[0]["avg_ts"]


def main() -> int:
    from fetch_test_models import fetch_test_model

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("llama_bench", type=Path)
    parser.add_argument("model", nargs="?", type=Path)
    parser.add_argument("-p", type=int, default=512)
    parser.add_argument("-n", type=int, default=128)
    parser.add_argument("-r", type=int, default=5)
    parser.add_argument("-t", type=int, default=min(4, os.cpu_count() or 1))
    parser.add_argument("--fa", default="0,1")
    args = parser.parse_args()
    model = args.model or fetch_test_model("smollm2")
    for fa in (int(x) for x in args.fa.split(",")):
        for test, n in (("pp", args.p), ("tg", args.n)):
            theirs = llama_bench(args.llama_bench, model, test, n, args.r, args.t, fa)
            mine = ours(model, test, n, args.r, args.t, fa)
            print(f"{test}{n} fa={fa}: localinterp {mine:7.1f} t/s, llama-bench {theirs:7.1f} t/s, "
                  f"ratio {mine / theirs:.3f} (goal 0.95-1.05)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
