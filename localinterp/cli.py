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
from localinterp.errors import LocalinterpError

app = typer.Typer(
    name="localinterp",
    help="Run language models locally, and let them run code on your machine.",
    add_completion=False,
    no_args_is_help=True,
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
            print(f"localinterp: error: {e}", file=sys.stderr)
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


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Run language models locally, and let them run code on your machine."""


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


@app.command()
@_user_errors
def plan(
    model: Annotated[
        str | None,
        typer.Argument(
            help="A .gguf file, a directory of them, or a catalog alias. Default: the embedded model."
        ),
    ] = None,
    ctx: Annotated[int | None, typer.Option("--ctx", help="Context window in tokens.")] = None,
    quant: Annotated[str | None, typer.Option("--quant", help="Quantization to use, e.g. Q4_K_M.")] = None,
    gpu_layers: Annotated[
        int | None, typer.Option("--gpu-layers", help="Layers to offload to the GPU (-1: all, 0: none).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")] = False,
) -> None:
    """Work out how MODEL fits this machine: quantization, context window, GPU layers, and why.

    Exits with code 3 when nothing fits.
    """
    from localinterp.hardware import probe as detect
    from localinterp.models.resolve import resolve
    from localinterp.plan import make_plan, validate_context

    if ctx is not None:
        validate_context(ctx)  # before any download
    err = _stderr_console()
    resolved = resolve(model, show_progress=not as_json, on_status=lambda msg: err.print(f"[dim]{msg}[/dim]"))
    hw = detect(llama_cpp=None)
    result = make_plan(resolved.specs, hw, ctx=ctx, quant=quant, gpu_layers=gpu_layers)
    if as_json:
        _print_json(result.to_json())
    else:
        from rich.console import Console

        from localinterp.ui.render import plan_view

        Console().print(plan_view(result))
    if not result.fits:
        if as_json:
            print(f"localinterp: error: {result.reason}", file=sys.stderr)
        raise typer.Exit(3)


def main() -> None:
    """Console-script entry point."""
    app()
