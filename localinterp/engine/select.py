"""Which backend answers: the local model as planned, or (only when asked) an OpenAI-compatible endpoint.

`--fallback cloud` uses the endpoint only when the local plan does not fit or the model fails to load,
and says so; `--offline` forbids it, since it would need the network.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from localinterp.engine.cloud import CloudEngine, Endpoint, endpoint_from_env
from localinterp.engine.legacy import LegacyEngine, is_legacy_ggml
from localinterp.engine.local import LoadOptions, LocalEngine
from localinterp.errors import BadInput, DoesNotFit, LoadError
from localinterp.plan import Plan

FALLBACKS = ("none", "cloud")


def open_file(path: Path, options: LoadOptions, *, languages: Sequence[str]) -> LocalEngine | LegacyEngine:
    """A model file opened by what its first bytes say: GGUF through llama.cpp, pre-GGUF GGML files
    through ctransformers (the `legacy` extra)."""
    if is_legacy_ggml(path):
        return LegacyEngine(path, n_ctx=options.n_ctx, languages=languages)
    return LocalEngine(path, options, languages=languages)


def open_engine(
    plan: Plan,
    model_file: Callable[[], Path],
    *,
    languages: Sequence[str],
    fallback: str = "none",
    offline: bool = False,
    endpoint: Callable[[], Endpoint] = endpoint_from_env,
    on_status: Callable[[str], None] | None = None,
    rpc_servers: tuple[str, ...] = (),
    n_threads: int | None = None,
) -> LocalEngine | LegacyEngine | CloudEngine:
    """The engine for this plan. `model_file` gets the verified local file (it may download), and is
    only called when the plan fits. `n_threads`: llama.cpp's CPU threads (hardware.CPU.threads); None
    leaves llama-cpp-python's default, half the logical cores."""
    if fallback not in FALLBACKS:
        raise BadInput(f"--fallback {fallback} is not one of {', '.join(FALLBACKS)}.")
    if fallback == "cloud" and offline:
        raise BadInput("--fallback cloud needs the network, and --offline forbids it; drop one of them.")
    say = on_status or (lambda _m: None)
    if plan.fits:
        try:
            return open_file(
                model_file(),
                LoadOptions.from_plan(plan, n_threads=n_threads, rpc_servers=rpc_servers),
                languages=languages,
            )
        except LoadError as e:
            if fallback != "cloud":
                raise
            why = f"the local model failed to load ({e})"
    else:
        if fallback != "cloud":
            raise DoesNotFit(plan.reason)
        why = f"the local plan does not fit: {plan.reason}"
    target = endpoint()
    say(f"Using the cloud endpoint {target.base_url} (model {target.model}) because {why}")
    return CloudEngine(target, languages=languages)
