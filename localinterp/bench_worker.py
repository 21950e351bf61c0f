"""One benchmark configuration, measured in a fresh process (run by localinterp.bench).

Fresh, so each row's peak memory is its own and a configuration that crashes llama.cpp costs one row, not
the run. Measures like llama-bench: a warm-up run, then `repetitions` timed runs of prompt processing
(n_prompt random tokens in batches) and of generation (n_gen single-token decodes, no sampling).
Prints one JSON object per test on stdout.
"""

from __future__ import annotations

import json
import random
import re
import sys
import threading
import time
from pathlib import Path
from typing import Any


def peak_rss() -> int:
    """This process's peak resident memory (VmHWM on Linux, the current RSS elsewhere)."""
    status = Path("/proc/self/status")
    if status.exists():
        return int(re.search(r"VmHWM:\s+(\d+)", status.read_text())[1]) * 1024
    import psutil

    return psutil.Process().memory_info().rss


class _GpuSampler:
    """NVML readings while the tests run: peak VRAM used, mean power and SM clock (NVIDIA only)."""

    def __init__(self) -> None:
        self.samples: list[tuple[int, float, int]] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._nvml: object = None
        self._handles: list[object] = []
        try:
            import pynvml
        except ImportError:
            return
        try:
            pynvml.nvmlInit()
            self._handles = [pynvml.nvmlDeviceGetHandleByIndex(i) for i in range(pynvml.nvmlDeviceGetCount())]
            self._nvml = pynvml
        except pynvml.NVMLError:  # no NVIDIA driver: no GPU readings, which is fine
            self._handles = []

    def start(self) -> None:
        if self._handles:
            self._thread = threading.Thread(target=self._run, daemon=True)
            self._thread.start()

    def _run(self) -> None:
        nv: Any = self._nvml
        while not self._stop.wait(0.1):
            used = sum(nv.nvmlDeviceGetMemoryInfo(h).used for h in self._handles)
            power = sum(nv.nvmlDeviceGetPowerUsage(h) for h in self._handles) / 1000.0
            clock = max(nv.nvmlDeviceGetClockInfo(h, nv.NVML_CLOCK_SM) for h in self._handles)
            self.samples.append((used, power, clock))

    def stop(self) -> dict:
        self._stop.set()
        if self._thread:
            self._thread.join()
        if not self.samples:
            return {}
        return {
            "vram_peak_bytes": max(s[0] for s in self.samples),
            "gpu_power_w": round(sum(s[1] for s in self.samples) / len(self.samples), 1),
            "gpu_sm_clock_mhz": round(sum(s[2] for s in self.samples) / len(self.samples)),
        }


def main() -> int:
    cfg = json.loads(sys.argv[1])
    import llama_cpp

    from localinterp.engine.local import LoadOptions, load_llama

    options = LoadOptions(
        n_ctx=cfg["n_ctx"],
        n_gpu_layers=cfg["n_gpu_layers"],
        n_threads=cfg["n_threads"],
        n_batch=cfg["n_batch"],
        n_ubatch=cfg["n_ubatch"],
        flash_attn=cfg["flash_attn"],
        rpc_servers=tuple(cfg.get("rpc") or ()),
        n_cpu_moe=cfg.get("n_cpu_moe", 0),
    )
    llm = load_llama(Path(cfg["model"]), options)
    ctx = llm._ctx.ctx
    n_vocab = llm.n_vocab()
    rng = random.Random(0)
    bos = llm.token_bos()

    memory = llama_cpp.llama_get_memory(ctx)
    n_batch = cfg["n_batch"]

    def decode(tokens: list[int]) -> None:
        # Straight to llama_decode, as llama-bench does: no Python bookkeeping in the timed loop.
        array = (llama_cpp.llama_token * len(tokens))(*tokens)
        if llama_cpp.llama_decode(ctx, llama_cpp.llama_batch_get_one(array, len(tokens))) != 0:
            raise SystemExit("llama_decode failed")

    def prompt_run() -> float:
        tokens = [rng.randrange(n_vocab) for _ in range(cfg["n_prompt"])]
        llama_cpp.llama_memory_clear(memory, True)
        start = time.perf_counter()
        for i in range(0, len(tokens), n_batch):
            decode(tokens[i : i + n_batch])
        llama_cpp.llama_synchronize(ctx)
        return time.perf_counter() - start

    def gen_run() -> float:
        llama_cpp.llama_memory_clear(memory, True)
        token = bos if bos >= 0 else rng.randrange(n_vocab)
        start = time.perf_counter()
        for _ in range(cfg["n_gen"]):
            decode([token])
            llama_cpp.llama_synchronize(ctx)
            token = rng.randrange(n_vocab)
        return time.perf_counter() - start

    gpu = _GpuSampler()
    gpu.start()
    for test, run, n in (("pp", prompt_run, cfg["n_prompt"]), ("tg", gen_run, cfg["n_gen"])):
        if n <= 0:
            continue
        run()  # warm-up, not counted
        samples = [run() for _ in range(cfg["repetitions"])]
        print(json.dumps({"test": f"{test}{n}", "n_prompt": n if test == "pp" else 0,
                          "n_gen": n if test == "tg" else 0, "samples_s": samples}), flush=True)  # fmt: skip
    print(json.dumps({"peak_rss_bytes": peak_rss(), **gpu.stop()}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
