"""Rich renderables for the probe, the plan, the model list, the history and the languages. Every string that came from a file, a server
or the machine is drawn through `_safe`: a GGUF's name cannot retitle the terminal or write the clipboard."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from localinterp.hardware import Hardware
from localinterp.plan import Plan
from localinterp.safetext import printable
from localinterp.units import fmt_bytes

if TYPE_CHECKING:
    from localinterp.history import Entry
    from localinterp.models.store import StoredModel


def _safe(text: str, style: str = "") -> Text:
    """A string from a file, a server or the machine, as plain text: no markup, no escape sequences."""
    return Text(printable(text), style=style)


def probe_view(hw: Hardware, advice: str | None) -> RenderableType:
    """The machine as a two-column table, with notes and build advice below."""
    table = Table(title="This machine", show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column()
    table.add_row("OS / arch", f"{hw.os} / {hw.arch}")
    table.add_row(
        "CPU", _safe(f"{hw.cpu.model} ({hw.cpu.physical_cores} cores, {hw.cpu.logical_cores} threads)")
    )
    table.add_row("SIMD", " ".join(hw.cpu.flags) or "none detected")
    table.add_row("RAM", f"{fmt_bytes(hw.ram.available_bytes)} available of {fmt_bytes(hw.ram.total_bytes)}")
    table.add_row("Swap", f"{fmt_bytes(hw.ram.swap_free_bytes)} free of {fmt_bytes(hw.ram.swap_total_bytes)}")
    table.add_row("Disk", f"{fmt_bytes(hw.disk.free_bytes)} free at {hw.disk.path}")
    if not hw.gpus:
        table.add_row("GPU", "none found")
    for gpu in hw.gpus:
        details = [f"{fmt_bytes(gpu.free_bytes)} free of {fmt_bytes(gpu.total_bytes)}"]
        if gpu.unified_memory:
            details.append("unified memory: the GPU's usable share of RAM")
        if gpu.compute_capability:
            details.append(f"compute {gpu.compute_capability}")
        if gpu.driver:
            details.append(f"driver {gpu.driver}")
        if gpu.cuda_version:
            details.append(f"CUDA {gpu.cuda_version}")
        table.add_row(f"GPU {gpu.index} ({gpu.backend})", _safe(f"{gpu.name}: {', '.join(details)}"))
    build = hw.llama_cpp
    if build.installed and build.gpu_offload is not None:
        offload = "can offload to a GPU" if build.gpu_offload else "CPU only"
        table.add_row("llama-cpp-python", f"{build.version}: {offload}; backends {', '.join(build.backends)}")
    else:
        table.add_row("llama-cpp-python", f"{build.version or 'not installed'}: {build.error or 'unknown'}")
    parts: list[RenderableType] = [table]
    parts += [_safe(f"note: {note}", style="dim") for note in hw.notes]
    if advice:
        parts.append(Text(advice, style="bold yellow"))
    return Group(*parts)


def plan_view(plan: Plan) -> RenderableType:
    """Candidates with their memory and verdict, the chosen breakdown, and the one-sentence reason."""
    candidates = Table(title=_safe(f"Plan for {plan.model}"), title_justify="left")
    for column in ("quant", "file size", "context", "GPU layers", "needs", "tok/s", "fits"):
        candidates.add_column(column, justify="left" if column == "quant" else "right", no_wrap=True)
    for c in plan.candidates:
        chosen = c.quant == plan.quant and c.size_bytes == plan.spec.file_bytes
        candidates.add_row(
            f"{c.quant}{' *' if chosen else ''}",
            fmt_bytes(c.size_bytes),
            f"{c.context_window:,}" if c.context_window else "-",
            f"{c.gpu_layers}/{plan.n_layers + 1}" + (f" cpu-moe {c.n_cpu_moe}" if c.n_cpu_moe else ""),
            fmt_bytes(c.memory.total_bytes) if c.memory else "-",
            f"~{c.speed.tg_tokens_per_s:.0f}" if c.speed else "-",  # predicted generation speed
            Text("yes", style="green") if c.fits else Text("no", style="red"),
        )
    mem = plan.memory
    # One row per part (a row of seven columns wrapped its figures at 80 columns).
    breakdown = Table(show_header=False, title="Memory (predicted)", title_justify="left")
    breakdown.add_column()
    breakdown.add_column(justify="right", no_wrap=True)
    for name, value in (("weights", mem.weights_bytes), ("KV cache", mem.kv_cache_bytes),
                        ("compute", mem.compute_bytes), ("overhead", mem.overhead_bytes), ("RAM", mem.ram_bytes),
                        ("VRAM", mem.vram_bytes), ("total (peak)", mem.total_bytes)):  # fmt: skip
        breakdown.add_row(name, fmt_bytes(value))
    if mem.reclaimable_bytes:  # the fit is judged on this: repacked weights' file pages are dropped
        breakdown.add_row("RAM kept resident", fmt_bytes(mem.resident_ram_bytes))
    budget = f"May use: {fmt_bytes(plan.budget.ram_bytes)} RAM"
    if plan.budget.gpus:
        budget += f", {fmt_bytes(plan.budget.vram_bytes)} VRAM"
    return Group(candidates, breakdown, Text(budget, style="dim"), _safe(plan.reason, style="bold"))


def source_view(location: str, download_bytes: int, notes: tuple[str, ...]) -> RenderableType:
    """Where the chosen file is, what getting it costs, and what the resolver decided on the way."""
    where = f"File: {location}"
    if download_bytes:
        where += f" (not downloaded yet: `localinterp pull` fetches {fmt_bytes(download_bytes)})"
    parts: list[RenderableType] = [_safe(note, style="dim") for note in notes]
    parts.append(_safe(where))
    return Group(*parts)


def models_view(models: list[StoredModel]) -> RenderableType:
    """Cached models first, then catalog entries not pulled."""
    import datetime as dt

    # Paths go below the table, one per line: as a column they folded over a dozen rows at 80 columns.
    table = Table(title="Models on this machine", title_justify="left")
    table.add_column("#", justify="right")
    for column in ("ref", "quant", "size", "last used", "source"):
        table.add_column(column, justify="right" if column == "size" else "left", overflow="fold")
    later, paths = [], []
    for m in models:
        if not m.pulled:
            later.append(m)
            continue
        used = m.last_used
        when = dt.datetime.fromtimestamp(used).strftime("%Y-%m-%d %H:%M") if used else "-"
        paths.append(_safe(f"{len(paths) + 1}. {_home(m.paths[0])}", style="dim"))
        table.add_row(
            str(len(paths)), _safe(m.ref), _safe(m.quant or "-"), fmt_bytes(m.size), when, _safe(m.source)
        )
    parts: list[RenderableType] = [table, *paths] if table.row_count else [Text("No models downloaded yet.")]
    if later:
        parts.append(_safe("In the catalog, not pulled: " + ", ".join(m.ref for m in later), style="dim"))
    return Group(*parts)


def _home(path: object) -> str:
    """A path with the home folder written as ~ (shorter, and the same on every screen of this user's)."""
    from pathlib import Path

    text, home = str(path), str(Path.home())
    return "~" + text[len(home) :] if home != "/" and text.startswith(home + "/") else text


def history_view(entries: list[Entry], search: str | None = None) -> RenderableType:
    """Saved conversations, newest first: the ID to resume with, when, how long, which model, how it began."""
    if not entries:
        return Text(
            f"No saved conversation contains {search!r}." if search else "No saved conversations yet."
        )
    table = Table(title="Saved conversations (localinterp --resume ID)", title_justify="left")
    table.add_column("ID", no_wrap=True)
    table.add_column("msgs", justify="right")
    table.add_column("model", overflow="ellipsis", max_width=24)
    table.add_column("first message", overflow="ellipsis", no_wrap=True, ratio=1)
    for e in entries:
        model = (
            e.model.rsplit("/", 1)[-1] if e.model.startswith(("/", "~", ".")) else e.model
        )  # a path: its file
        table.add_row(e.id, str(e.messages), _safe(model or "-"), _safe(" ".join(e.first.split())))
    return table


def languages_view(rows: list[tuple[str, str, bool]]) -> RenderableType:
    """The languages blocks can be written in: name, what runs them, whether it is installed here."""
    table = Table(title="Languages", title_justify="left")
    for column in ("language", "runs with", "here"):
        table.add_column(column)
    for name, program, installed in rows:
        table.add_row(name, _safe(program or "-"), "yes" if installed else "no")
    return table
