"""Settings for a chat, resolved once: flags > environment > config file > built-in defaults.

The config file is TOML (`localinterp config` prints its path, `--edit` opens it). Every key is optional:

    model = "qwen2.5-coder-7b"      # alias, repo id or path
    quant = "Q4_K_M"
    context_window = 8192
    max_tokens = 1024
    temperature = 0.2
    gpu_layers = -1
    flash_attn = false              # true saves memory; needed for kv_type q8_0 / q4_0
    kv_type = "f16"                 # or "q8_0", "q4_0": a smaller KV cache
    rpc = "10.0.0.2:50052"          # llama.cpp rpc-server workers (needs an RPC build; docs/GPU.md)
    auto_run = false
    offline = false
    fallback = "none"               # or "cloud"
    api_base = "https://api.openai.com/v1"
    api_model = "gpt-4o-mini"
    api_key = "sk-..."              # prefer LOCALINTERP_API_KEY; never saved in conversations
    system_message = "..."
    timeout = 120                   # seconds per code block
    python = "python3"              # the Python that runs blocks (default: yours on PATH, not localinterp's)
    sandbox = "workspace"           # off | workspace | strict (default: workspace with auto_run, else off)
    allow_net = false               # let sandboxed blocks use the network (pip install)
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from localinterp.errors import BadInput

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


@dataclass(frozen=True)
class Config:
    """Everything a chat can be configured with."""

    model: str | None = None
    quant: str | None = None
    context_window: int | None = None
    max_tokens: int = 1024
    temperature: float = 0.2
    gpu_layers: int | None = None
    flash_attn: bool = False
    kv_type: str = "f16"
    rpc: str | None = None
    auto_run: bool = False
    offline: bool = False
    fallback: str = "none"
    api_base: str | None = None
    api_model: str | None = None
    api_key: str | None = field(default=None, repr=False)
    system_message: str | None = None
    timeout: float = 120.0
    debug: bool = False
    python: str | None = None
    sandbox: str | None = None  # None: workspace with auto_run, off otherwise (sandbox.choose)
    allow_net: bool = False


_TYPES: dict[str, tuple[type, ...]] = {
    f.name: (int,) if f.type in ("int", "int | None") else (float, int) if "float" in str(f.type)
    else (bool,) if f.type == "bool" else (str,)
    for f in fields(Config)
}  # fmt: skip
_KIND_NAMES = {int: "a whole number", float: "a number", bool: "true or false", str: "a string"}
# Environment variables, by key (the API ones are shared with the cloud backend).
ENV = {
    "model": "LOCALINTERP_MODEL",
    "auto_run": "LOCALINTERP_AUTO_RUN",
    "offline": "LOCALINTERP_OFFLINE",
    "api_base": "LOCALINTERP_API_BASE",
    "api_model": "LOCALINTERP_API_MODEL",
    "api_key": "LOCALINTERP_API_KEY",
    "fallback": "LOCALINTERP_FALLBACK",
    "context_window": "LOCALINTERP_CONTEXT_WINDOW",
    "python": "LOCALINTERP_PYTHON",
    "sandbox": "LOCALINTERP_SANDBOX",
    "allow_net": "LOCALINTERP_ALLOW_NET",
}
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}
SECRET_KEYS = frozenset({"api_key"})


def _line_of(text: str, key: str) -> str:
    for no, line in enumerate(text.splitlines(), 1):
        if line.strip().startswith(f"{key} ") or line.strip().startswith(f"{key}="):
            return f":{no}"
    return ""


def read_config_file(path: Path) -> dict[str, Any]:
    """The file's settings, checked: unknown keys and wrong types are one clear error with file and line."""
    if path.exists() and not path.is_file():
        raise BadInput(
            f"{path} is not a regular file; the config file is TOML text (`localinterp config --edit`)."
        )
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as e:
        raise BadInput(f"{path} cannot be read ({e.strerror or e}).") from None
    except UnicodeDecodeError:
        raise BadInput(
            f"{path} is not text (not UTF-8); the config file is TOML. Fix or remove it."
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise BadInput(f"{path} is not valid TOML: {e}.") from None
    for key, value in data.items():
        if key not in _TYPES:
            known = ", ".join(_TYPES)
            raise BadInput(f"{path}{_line_of(text, key)}: unknown setting {key!r}; known: {known}.")
        ok = isinstance(value, _TYPES[key]) and not (isinstance(value, bool) and bool not in _TYPES[key])
        if not ok:
            shown = "a value of another type" if key in SECRET_KEYS else repr(value)  # never echo a key
            raise BadInput(
                f"{path}{_line_of(text, key)}: {key} must be {_KIND_NAMES[_TYPES[key][0]]}, got {shown}."
            )
    return data


def _from_env() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, var in ENV.items():
        raw = os.environ.get(var)
        if raw is None:
            continue
        kind = _TYPES[key][0]
        if kind is bool:
            if raw.strip().lower() not in _TRUE | _FALSE:
                raise BadInput(f"{var}={raw!r} is not a yes/no value (use 1 or 0).")
            out[key] = raw.strip().lower() in _TRUE
        elif kind is int:
            try:
                out[key] = int(raw)
            except ValueError:
                raise BadInput(f"{var}={raw!r} is not a whole number.") from None
        elif kind is float:
            try:
                out[key] = float(raw)
            except ValueError:
                raise BadInput(f"{var}={raw!r} is not a number.") from None
        else:
            out[key] = raw
    if "api_key" not in out and os.environ.get("OPENAI_API_KEY"):
        out["api_key"] = os.environ["OPENAI_API_KEY"]
    return out


def check_value(key: str, value: Any, where: str) -> None:
    """Refuse a value the chat cannot use, naming where it came from (`--max-tokens`, `LOCALINTERP_...`,
    `config.toml: timeout`), instead of silently clamping it or failing later."""
    import math

    def bad(why: str) -> BadInput:
        return BadInput(f"{where} = {value!r}: {why}")

    if key == "temperature" and not (
        isinstance(value, int | float) and math.isfinite(value) and 0 <= value <= 5
    ):
        raise bad("the temperature must be a number from 0 (greedy) to 5.")
    if key == "max_tokens" and value < 1:
        raise bad("a reply needs at least 1 token; give a whole number such as 1024.")
    if key == "timeout" and not (math.isfinite(value) and value > 0):
        raise bad("the timeout is in seconds and must be above 0, such as 120.")
    if key == "context_window":
        from localinterp.plan import MAX_CONTEXT, MIN_CONTEXT

        if not MIN_CONTEXT <= value <= MAX_CONTEXT:
            raise bad(f"give a context window between {MIN_CONTEXT} and {MAX_CONTEXT:,} tokens.")
    if key == "fallback" and value not in ("none", "cloud"):
        raise bad("the fallback is none or cloud.")
    if key == "sandbox":
        from localinterp.sandbox import MODES

        if value not in MODES:
            raise bad(f"the sandbox is one of {', '.join(MODES)}.")
    if key == "model" and not str(value).strip():
        raise bad("name a model: an alias, a repo id or a file.")


def resolve_config(flags: dict[str, Any], path: Path | None = None) -> Config:
    """Flags (None: not given) over the environment over the config file over the defaults."""
    from localinterp.settings import config_path

    file = path or config_path()
    layers = (
        (read_config_file(file), lambda k: f"{file}: {k}"),
        (_from_env(), lambda k: ENV.get(k, "OPENAI_API_KEY")),
        ({k: v for k, v in flags.items() if v is not None}, lambda k: "--" + k.replace("_", "-")),
    )
    merged: dict[str, Any] = {}
    for values, where in layers:
        for key, value in values.items():
            check_value(key, value, where(key))
        merged.update(values)
    return Config(**merged)
