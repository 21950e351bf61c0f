"""`localinterp bench`: prompt-processing and generation speed, like llama-bench, for sweeps of settings.

Every combination is planned first; one that will not fit is reported as skipped with the planner's reason
instead of being run. Each one that fits runs in a fresh process (bench_worker.py), so its peak memory is
its own. Rows use llama-bench's field names where one exists, so the numbers can be compared with it.
"""

from __future__ import annotations

import itertools
import json
import statistics
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from localinterp.errors import BadInput

ROW_FIELDS = (
    "model_filename", "model_type", "model_size", "model_n_params", "n_batch", "n_ubatch", "n_threads",
    "n_gpu_layers", "n_cpu_moe", "flash_attn", "n_ctx", "n_prompt", "n_gen", "test", "avg_ns", "stddev_ns", "avg_ts",
    "stddev_ts", "samples_ns", "samples_ts", "backends", "gpu_info", "gpu_driver", "cpu_info",
    "predicted_memory_bytes", "peak_rss_bytes", "vram_peak_bytes", "gpu_power_w", "gpu_sm_clock_mhz",
    "llama_cpp_version", "skipped",
)  # fmt: skip


@dataclass(frozen=True)
class Combo:
    """One configuration of a sweep."""

    quant: str | None
    # None: as many as the plan puts on the GPU (what the chat would run with); -1: all of them.
    n_gpu_layers: int | None
    n_ctx: int
    n_threads: int
    n_batch: int
    flash_attn: bool
    n_cpu_moe: int = 0  # layers whose routed experts stay in RAM (mixture-of-experts models)


def parse_list(text: str | None, kind: Callable[[str], Any], name: str, default: Any) -> list[Any]:
    """A comma list from the command line (`1,2,4`), each value checked."""
    if text is None or text == "":
        return [default]
    out = []
    for raw in text.split(","):
        try:
            out.append(kind(raw.strip()))
        except ValueError:
            raise BadInput(f"{name}: {raw.strip()!r} is not a valid value in {text!r}.") from None
    return out


def combos(
    quants: Sequence[str | None],
    gpu_layers: Sequence[int],
    ctxs: Sequence[int],
    threads: Sequence[int],
    batches: Sequence[int],
    flash: Sequence[bool],
    n_cpu_moe: Sequence[int] = (0,),
) -> list[Combo]:
    """Every combination, in the order the flags were given."""
    return [
        Combo(*c) for c in itertools.product(quants, gpu_layers, ctxs, threads, batches, flash, n_cpu_moe)
    ]


def size_label(n_params: int) -> str:
    """135M, 7.6B: how llama-bench's model_type names sizes."""
    return f"{n_params / 1e9:.1f}B" if n_params >= 1e9 else f"{n_params / 1e6:.0f}M"


def run(
    model: str | None,
    sweep: list[Combo],
    *,
    n_prompt: int,
    n_gen: int,
    repetitions: int,
    offline: bool,
    on_status: Callable[[str], None],
    rpc_servers: Sequence[str] = (),
) -> Iterator[dict[str, Any]]:
    """Plan and measure each combination, yielding rows (skipped ones included) as they finish."""
    from localinterp.hardware import probe
    from localinterp.models.fetch import materialize
    from localinterp.plan import LoadSettings, make_plan
    from localinterp.prepare import prepare

    hw = probe(llama_cpp=True)
    if rpc_servers:
        from localinterp.engine.rpc import with_rpc

        hw = with_rpc(hw, rpc_servers)  # type: ignore[assignment]
    build = hw.llama_cpp
    cpu_info = hw.cpu.model
    gpu_info = ", ".join(g.name for g in hw.gpus)
    gpu_driver = ", ".join(sorted({g.driver for g in hw.gpus if g.driver}))
    resolved_by_quant: dict[str | None, Any] = {}
    for combo in sweep:
        base = {
            "n_batch": combo.n_batch, "n_ubatch": combo.n_batch, "n_threads": combo.n_threads,
            "n_gpu_layers": combo.n_gpu_layers, "n_cpu_moe": combo.n_cpu_moe, "flash_attn": combo.flash_attn,
            "n_ctx": combo.n_ctx,
            "backends": ",".join(build.backends), "gpu_info": gpu_info, "gpu_driver": gpu_driver, "cpu_info": cpu_info,
            "llama_cpp_version": build.version,
        }  # fmt: skip
        if combo.quant not in resolved_by_quant:
            # The same pipeline as plan, pull and chat (prepare.py): the same reference, default rule
            # and file on this machine. Each combination is then planned with its own settings below.
            resolved_by_quant[combo.quant] = prepare(
                model, quant=combo.quant, offline=offline, hardware=hw, on_status=on_status
            ).resolved
        resolved = resolved_by_quant[combo.quant]
        first = resolved.specs[0]
        base |= {
            "model_filename": first.path.name,
            "model_type": f"{first.architecture} {size_label(first.n_params)} {first.quant}",
        }
        settings = LoadSettings(n_batch=combo.n_batch, n_ubatch=combo.n_batch, flash_attn=combo.flash_attn)
        if n_prompt + n_gen > combo.n_ctx:
            yield base | {"skipped": f"--ctx {combo.n_ctx} is smaller than -p {n_prompt} plus -n {n_gen}"}
            continue
        try:
            plan = make_plan(
                resolved.specs, hw, ctx=combo.n_ctx, quant=combo.quant, gpu_layers=combo.n_gpu_layers,
                n_cpu_moe=combo.n_cpu_moe, settings=settings,
            )  # fmt: skip
        except BadInput as e:
            yield base | {"skipped": str(e)}
            continue
        spec = plan.spec
        base |= {
            "n_gpu_layers": plan.gpu_layers,
            "model_filename": spec.path.name, "model_type": f"{spec.architecture} {size_label(spec.n_params)} {spec.quant}",
            "model_size": spec.file_bytes, "model_n_params": spec.n_params,
            "predicted_memory_bytes": plan.memory.total_bytes,
        }  # fmt: skip
        if not plan.fits:
            yield base | {"skipped": plan.reason}
            continue
        path = materialize(resolved.option_for(spec), offline=offline, on_status=on_status)
        on_status(
            f"{spec.quant}, {plan.gpu_layers} GPU layers, ctx {combo.n_ctx}, {combo.n_threads} threads, "
            f"batch {combo.n_batch}, flash attention {'on' if combo.flash_attn else 'off'}"
        )
        cfg = {"model": str(path), "n_ctx": combo.n_ctx, "n_gpu_layers": plan.gpu_layers, "n_cpu_moe": combo.n_cpu_moe,
               "n_threads": combo.n_threads, "n_batch": combo.n_batch, "n_ubatch": combo.n_batch,
               "flash_attn": combo.flash_attn, "n_prompt": n_prompt, "n_gen": n_gen,
               "repetitions": repetitions, "rpc": list(rpc_servers)}  # fmt: skip
        yield from _measure(cfg, base)


def _measure(cfg: dict[str, Any], base: dict[str, Any]) -> Iterator[dict[str, Any]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "localinterp.bench_worker", json.dumps(cfg)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    tests: list[dict[str, Any]] = []
    extra: dict[str, Any] = {}
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            record = json.loads(line)
            if "test" in record:
                tests.append(record)
            else:
                extra = record
        proc.wait()
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    if proc.returncode != 0 and not tests:
        err = (proc.stderr.read() if proc.stderr else "").strip().splitlines()
        yield base | {
            "skipped": f"the run failed (exit {proc.returncode}): {err[-1] if err else 'no message'}"
        }
        return
    for t in tests:
        n = t["n_prompt"] or t["n_gen"]
        samples_ns = [int(s * 1e9) for s in t["samples_s"]]
        samples_ts = [n / s for s in t["samples_s"]]
        yield base | extra | {
            "test": t["test"], "n_prompt": t["n_prompt"], "n_gen": t["n_gen"],
            "avg_ns": int(statistics.mean(samples_ns)),
            "stddev_ns": int(statistics.stdev(samples_ns)) if len(samples_ns) > 1 else 0,
            "avg_ts": statistics.mean(samples_ts),
            "stddev_ts": statistics.stdev(samples_ts) if len(samples_ts) > 1 else 0.0,
            "samples_ns": samples_ns, "samples_ts": samples_ts,
        }  # fmt: skip


# -- output --------------------------------------------------------------------------------------------

TABLE_COLUMNS = ("model_type", "n_gpu_layers", "n_threads", "n_batch", "flash_attn", "n_ctx", "test", "t/s")


_SHORT = {"model_type": "model", "n_gpu_layers": "ngl", "n_cpu_moe": "ncmoe", "n_threads": "threads", "n_batch": "batch",
          "flash_attn": "fa", "n_ctx": "ctx"}  # fmt: skip


def _columns(rows: list[dict[str, Any]]) -> tuple[str, ...]:
    # n_cpu_moe only when a row sets it (mixture-of-experts sweeps): the table stays within 80 columns.
    if any(r.get("n_cpu_moe") for r in rows):
        return (*TABLE_COLUMNS[:2], "n_cpu_moe", *TABLE_COLUMNS[2:])
    return TABLE_COLUMNS


def _cells(row: dict[str, Any], columns: tuple[str, ...] = TABLE_COLUMNS) -> list[str]:
    if row.get("skipped"):
        speed = f"skipped: {row['skipped']}"
    else:
        speed = f"{row['avg_ts']:.2f} ± {row['stddev_ts']:.2f}"
    return [str(row.get(c, "")) for c in columns[:-1]] + [speed]


def to_markdown(rows: list[dict[str, Any]]) -> str:
    """A Markdown table, like llama-bench's default output."""
    columns = _columns(rows)
    lines = ["| " + " | ".join(columns) + " |", "|" + "|".join("---" for _ in columns) + "|"]
    lines += ["| " + " | ".join(_cells(r, columns)) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def to_csv(rows: list[dict[str, Any]]) -> str:
    """CSV with every field (lists as space-separated values)."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=ROW_FIELDS, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {k: " ".join(f"{x:g}" for x in v) if isinstance(v, list) else v for k, v in row.items()}
        )
    return out.getvalue()


def table(rows: list[dict[str, Any]]) -> Any:
    """A rich table of the rows."""
    from rich.table import Table

    t = Table(title="localinterp bench", title_justify="left")
    columns = _columns(rows)
    for c in columns:
        # Short headers, never cut (at 80 columns "model_type" became "model_t…"); the model folds.
        t.add_column(
            _SHORT.get(c, c),
            justify="right" if c not in ("model_type", "test") else "left",
            overflow="fold" if c == "model_type" else "ellipsis",
            no_wrap=c != "model_type",
        )
    for row in rows:
        t.add_row(*_cells(row, columns))
    return t


def plot(rows: list[dict[str, Any]], path: Path) -> None:
    """tokens/s per configuration, as PNG or SVG (needs matplotlib: pip install 'localinterp[plot]')."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise BadInput("--plot needs matplotlib: pip install 'localinterp[plot]'.") from None
    if path.suffix.lower() not in (".png", ".svg"):
        raise BadInput(f"--plot {path}: the file must end in .png or .svg.")
    done = [r for r in rows if not r.get("skipped")]
    # One panel per test: prompt processing runs 10-100x faster than generation (an H100 sweep showed
    # 21,900 and 510 t/s), so on one axis the tg bars were invisible.
    tests = list(dict.fromkeys(r["test"] for r in done)) or ["(no rows)"]
    matplotlib.rcParams["svg.fonttype"] = "none"  # text stays text in an SVG: searchable, selectable
    fig, axes = plt.subplots(
        len(tests), 1, figsize=(max(6, len(done) / len(tests) * 0.9), 3.2 * len(tests)), squeeze=False
    )
    for ax, test in zip(axes[:, 0], tests, strict=True):
        these = [r for r in done if r["test"] == test]
        labels = [
            f"ngl={r['n_gpu_layers']} t={r['n_threads']} b={r['n_batch']} fa={int(r['flash_attn'])}"
            + (f" ncmoe={r['n_cpu_moe']}" if r.get("n_cpu_moe") else "")
            + (f" ctx={r['n_ctx']}" if len({x["n_ctx"] for x in these}) > 1 else "")
            for r in these
        ]
        ax.bar(range(len(these)), [r["avg_ts"] for r in these], yerr=[r["stddev_ts"] for r in these])
        ax.set_xticks(range(len(these)), labels, rotation=30, ha="right", fontsize=8)
        ax.set_ylabel("tokens/s")
        kind = "prompt processing" if test.startswith("pp") else "generation"
        ax.set_title(f"{done[0]['model_type'] if done else 'localinterp bench'}: {kind} ({test})")
    fig.tight_layout()
    fig.savefig(path)
