"""Per-block overhead of the python and shell runners, measured in one run (goal: <= 10 ms per trivial block).

Each is measured with no sandbox and in the workspace sandbox (where this machine has one): the sandbox is
applied once, when the interpreter starts, so a block should cost the same in both (goal: within 1 ms).

For comparison: a fresh `python -c pass` and `bash -c true` process per block, the cost a runner without
a persistent interpreter pays. (Open Interpreter 0.4.3 measured ~0.6 s python / ~1.1 s shell per trivial
block on the development machine; it is not installed here, so it is not re-measured.) With Wine
installed, also the Windows cmd.exe runner, run against Wine's cmd.exe.

Usage: python scripts/bench_runners.py [--blocks 200]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path


def per_block_ms(fn, n: int) -> float:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def main() -> int:
    from localinterp.runners import Runners

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", type=int, default=200)
    args = parser.parse_args()
    from localinterp.sandbox import Sandbox, missing

    py, sh = per_block(Sandbox("off"), args.blocks)
    confined = Sandbox("workspace")
    lacking = missing(confined)
    if not lacking:
        py_sb, sh_sb = per_block(confined, args.blocks)
    fresh = Runners(["python"])
    t = time.perf_counter()
    list(fresh.get("python").run("pass"))
    first = (time.perf_counter() - t) * 1000
    fresh.close()
    spawn_py = per_block_ms(lambda: subprocess.run([sys.executable, "-c", "x = 1"], check=True), 20)
    spawn_sh = per_block_ms(lambda: subprocess.run(["bash", "-c", "x=1"], check=True), 20)
    print(f"python runner: {py:.3f} ms per trivial block (median of {args.blocks}; goal <= 10 ms)")
    print(f"shell runner:  {sh:.3f} ms per trivial block (goal <= 10 ms)")
    if lacking:
        print(f"workspace sandbox: not measured ({lacking})")
    else:
        print(
            f"in the workspace sandbox: python {py_sb:.3f} ms ({py_sb - py:+.3f}), shell {sh_sb:.3f} ms "
            f"({sh_sb - sh:+.3f}) per trivial block (goal: within 1 ms of no sandbox)"
        )
    print(f"first python block, interpreter start included: {first:.1f} ms")
    print(
        f"a new process per block instead: python {spawn_py:.1f} ms, bash {spawn_sh:.1f} ms "
        f"({spawn_py / py:.0f}x and {spawn_sh / sh:.0f}x the runners)"
    )
    from localinterp.runners import wine

    wine_program = wine.find_wine()
    if wine_program:
        ms = cmd_under_wine(wine_program, args.blocks)
        print(f"cmd.exe runner (Windows' shell), under Wine's cmd.exe: {ms:.3f} ms")
    return 0


def per_block(sandbox, blocks: int) -> tuple[float, float]:
    """Median ms per trivial python and shell block, in `sandbox`, interpreters already started."""
    import tempfile

    from localinterp.runners import Runners

    with tempfile.TemporaryDirectory() as work:
        runners = Runners(["python", "shell"], cwd=work, sandbox=sandbox)
        python, shell = runners.get("python"), runners.get("shell")
        list(python.run("pass"))  # start the interpreters: first-block cost is reported separately
        list(shell.run("true"))
        py = per_block_ms(lambda: list(python.run("x = 1")), blocks)
        sh = per_block_ms(lambda: list(shell.run("x=1")), blocks)
        runners.close()
    return py, sh


def cmd_under_wine(wine_program: str, blocks: int) -> float:
    """The Windows shell runner's per-block cost, with Wine's cmd.exe standing in for Windows'."""
    import tempfile

    from localinterp.runners import wine

    with tempfile.TemporaryDirectory() as prefix:
        runner = wine.cmd_runner(wine_program, Path(prefix))
        list(runner.run("rem start"))
        ms = per_block_ms(lambda: list(runner.run("set X=1")), blocks)
        runner.close()
        wine.stop_server(Path(prefix))
    return ms


if __name__ == "__main__":
    sys.exit(main())
