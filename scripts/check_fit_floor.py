#!/usr/bin/env python3
"""Does "fits" mean "runs"? The smallest memory limit a model loads and generates in at full speed, against
the plan's resident figure, measured in one run with real cgroups.

For each model and context size: the plan's peak and resident RAM (`plan --json`); the model's unconfined
generation speed with the context filled (a prompt of the context's size, then 64 tokens, through
localinterp's bench worker); then, by bisection over cgroup v1
memory limits (page cache dropped before each try, so the mapped weights are charged to the group), the
smallest limit at which it loads and generates at >= 90 % of that speed. Prints planned-resident / floor
(goal 1.00-1.15: never below the floor, not far above it) and peak / floor.

Needs root and a cgroup v1 memory controller (/sys/fs/cgroup/memory), a machine otherwise idle.
Usage: python scripts/check_fit_floor.py [MODEL ...] [--ctx 1024,4096] [--step-mib 16]
       (default: the three test models, fetched if needed)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

CGROUP = Path("/sys/fs/cgroup/memory")
GOAL = (1.00, 1.15)
SPEED_FRACTION = 0.9
MiB = 1024**2


def plan(model: str, ctx: int) -> dict:
    out = subprocess.run([sys.executable, "-m", "localinterp", "plan", model, "--ctx", str(ctx), "--json"],
                         capture_output=True, text=True, check=True)  # fmt: skip
    return json.loads(out.stdout)


def generate(model: str, ctx: int, limit: int | None, timeout: float = 600) -> float:
    """tokens/s of 64 generated tokens in a fresh process, in a cgroup of `limit` bytes (None: no limit);
    0.0 when it could not load or was killed."""
    # The prompt fills the context first, so the whole KV cache is touched (a cache never written stays
    # out of memory and would flatter the floor); then 64 tokens are generated on top of it.
    cfg = {"model": model, "n_ctx": ctx, "n_gpu_layers": 0, "n_threads": os.cpu_count() or 1, "n_batch": 512,
           "n_ubatch": 512, "flash_attn": False, "n_prompt": ctx - 128, "n_gen": 64, "repetitions": 1,
           "rpc": []}  # fmt: skip
    command = [sys.executable, "-m", "localinterp.bench_worker", json.dumps(cfg)]
    group = None
    if limit is not None:
        group = CGROUP / f"localinterp-floor-{os.getpid()}"
        group.mkdir(exist_ok=True)
        (group / "memory.limit_in_bytes").write_text(str(limit))
        Path("/proc/sys/vm/drop_caches").write_text("1")  # the weights are read (and charged) afresh
        command = ["sh", "-c", f'echo $$ > {group}/cgroup.procs && exec "$@"', "sh", *command]
    try:
        # A limit far too low makes the kernel evict and re-read weights for every token: that crawl is a
        # failure as much as an out-of-memory kill, and is not waited out.
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return 0.0
    finally:
        if group is not None:
            group.rmdir()
    for line in done.stdout.splitlines():
        record = json.loads(line)
        if record.get("test") == "tg64":  # the bench worker's raw record: seconds per run of 64 tokens
            return 64 / min(record["samples_s"])
    return 0.0


def floor(model: str, ctx: int, low: int, high: int, target: float, step: int, timeout: float) -> int:
    """The smallest limit in [low, high] at which the speed reaches `target`, to within `step` bytes."""
    while high - low > step:
        middle = (low + high) // 2
        if generate(model, ctx, middle, timeout) >= target:
            high = middle
        else:
            low = middle
    return high


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*")
    parser.add_argument("--ctx", default="1024,4096")
    parser.add_argument("--step-mib", type=int, default=16)
    args = parser.parse_args()
    if os.geteuid() != 0 or not (CGROUP / "memory.limit_in_bytes").exists():
        print("needs root and a cgroup v1 memory controller at /sys/fs/cgroup/memory", file=sys.stderr)
        return 2
    models = args.models
    if not models:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from fetch_test_models import fetch_test_model

        models = [str(fetch_test_model(a)) for a in ("smollm2", "qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b")]
    print(
        f"{'model':40} {'ctx':>6} {'peak':>9} {'resident':>9} {'floor':>9} {'res/floor':>9} {'peak/floor':>10}"
    )
    inside = True
    for model in models:
        for ctx in (int(c) for c in args.ctx.split(",")):
            memory = plan(model, ctx)["memory"]
            peak, resident = memory["ram_bytes"], memory["resident_ram_bytes"]
            started = time.monotonic()
            free_speed = generate(model, ctx, None)
            # A try may take three times the unconfined run: slower than that is a crawl, not a pass.
            timeout = 3 * (time.monotonic() - started) + 10
            found = floor(model, ctx, resident // 3, int(peak * 1.5), free_speed * SPEED_FRACTION,
                          args.step_mib * MiB, timeout)  # fmt: skip
            ratio = resident / found
            inside &= GOAL[0] <= ratio <= GOAL[1]
            print(f"{Path(model).name[:40]:40} {ctx:6d} {peak / MiB:8.0f}M {resident / MiB:8.0f}M "
                  f"{found / MiB:8.0f}M {ratio:9.2f} {peak / found:10.2f}")  # fmt: skip
    print(f"resident / floor {'all' if inside else 'NOT all'} within {GOAL[0]:.2f}-{GOAL[1]:.2f}")
    return 0 if inside else 1


if __name__ == "__main__":
    sys.exit(main())
