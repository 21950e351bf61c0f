"""Every setting of a chat, declared once, and how a value is resolved: flags > environment > config file >
built-in defaults.

Each `Setting` below is the one place its name, type, default, flags, environment variable and help live
(llama.cpp's common/arg.cpp and ollama's envconfig work this way). From the list come the chat's command-line
options (cli.py), the `Config` dataclass, the config file's checks and its commented template (`localinterp
config --edit`), the environment map (`LOCALINTERP_` + the name in capitals), the API's keyword arguments and
attributes (`Interpreter(auto_run=True)`, `li.auto_run = True`, `localinterp.auto_run = True`) and the tests'
isolation of the environment.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, make_dataclass
from pathlib import Path
from typing import Any

from localinterp.errors import BadInput
from localinterp.sandbox import MODES as SANDBOX_MODES

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


@dataclass(frozen=True)
class Setting:
    """One setting. `default` None means "not set" (the code using it decides, as for `model`)."""

    name: str
    kind: type  # str, int, float or bool
    default: Any
    help: str
    flags: tuple[str, ...] = ()  # command-line spellings; the first is the canonical one
    example: str = ""  # a TOML value for the config template
    choices: tuple[str, ...] = ()
    check: Callable[[Any], str] | None = None  # what is wrong with a value ("" when nothing)
    secret: bool = False  # never echoed, never saved with a conversation
    also_env: tuple[str, ...] = ()  # other programs' variables honoured after ours (OPENAI_API_KEY)

    @property
    def env(self) -> str:
        """Its environment variable."""
        return f"LOCALINTERP_{self.name.upper()}"

    @property
    def flag(self) -> str:
        """How the user would write it on the command line (for messages)."""
        return self.flags[0] if self.flags else self.name


def _range(low: float, high: float, why: str) -> Callable[[Any], str]:
    return lambda v: "" if isinstance(v, int | float) and math.isfinite(v) and low <= v <= high else why


def _context_window(value: Any) -> str:
    from localinterp.plan import MAX_CONTEXT, MIN_CONTEXT

    if MIN_CONTEXT <= value <= MAX_CONTEXT:
        return ""
    return f"give a context window between {MIN_CONTEXT} and {MAX_CONTEXT:,} tokens."


def _languages(value: Any) -> str:
    from localinterp.engine.languages import LANGUAGES, canonical

    unknown = [name for name in _split(value) if canonical(name) is None]
    if unknown or not _split(value):
        known = ", ".join(lang.name for lang in LANGUAGES)
        return f"name languages from: {known} (comma-separated)."
    return ""


def _split(value: str) -> list[str]:
    return [part.strip() for part in str(value).split(",") if part.strip()]


SETTINGS: tuple[Setting, ...] = (
    Setting("model", str, None, "Model: alias, repo id or path. Default: the most capable that fits.",
            ("--model", "-m"), '"qwen2.5-coder-7b"',
            check=lambda v: "" if str(v).strip() else "name a model: an alias, a repo id or a file."),
    Setting("quant", str, None, "Quantization to use, e.g. Q4_K_M.", ("--quant",), '"Q4_K_M"'),
    Setting("context_window", int, None, "Context window in tokens.", ("--context-window", "--ctx"), "8192",
            check=_context_window),
    Setting("max_tokens", int, 1024, "Most tokens per reply.", ("--max-tokens",), "1024",
            check=lambda v: "" if v >= 1 else "a reply needs at least 1 token; give a whole number such as 1024."),
    Setting("temperature", float, 0.2, "Sampling temperature (0: greedy).", ("--temperature",), "0.2",
            check=_range(0, 5, "the temperature must be a number from 0 (greedy) to 5.")),
    Setting("gpu_layers", int, None, "Layers to offload to the GPU (-1: all, 0: none).", ("--gpu-layers",), "-1"),
    Setting("n_cpu_moe", int, None, "Mixture-of-experts models on a GPU: layers whose experts stay in RAM "
            "(0: none; default: the fewest that fit).", ("--n-cpu-moe",), "0",
            check=lambda v: "" if v >= 0 else "give 0 (experts on the GPU) or a number of layers."),
    Setting("flash_attn", bool, False, "Flash attention (smaller compute buffers; needed for a quantized KV cache).",
            ("--flash-attn",), "false"),
    Setting("kv_type", str, "f16", "KV cache type (q8_0 and q4_0 need --flash-attn).", ("--kv-type",), '"f16"',
            choices=("f16", "q8_0", "q4_0")),
    Setting("rpc", str, None, "llama.cpp rpc-server workers lending memory: host:port,host:port (docs/GPU.md).",
            ("--rpc",), '"10.0.0.2:50052"'),
    Setting("auto_run", bool, False, "Run code without asking (in the workspace sandbox unless --sandbox off).",
            ("--auto-run", "-y"), "false"),
    Setting("offline", bool, False, "Make no network connection (also HF_HUB_OFFLINE=1).", ("--offline",), "false"),
    Setting("fallback", str, "none", "cloud: use the endpoint when the local model cannot run.", ("--fallback",),
            '"none"', choices=("none", "cloud")),
    Setting("api_base", str, None, "An OpenAI-compatible endpoint URL.", ("--api-base",),
            '"https://api.openai.com/v1"', also_env=("OPENAI_BASE_URL",)),
    Setting("api_model", str, None, "The endpoint's model name.", ("--api-model",), '"gpt-4o-mini"'),
    Setting("api_key", str, None, "The endpoint's API key (better in the environment than on a command line).",
            ("--api-key",), '"sk-..."', secret=True, also_env=("OPENAI_API_KEY",)),
    Setting("system_message", str, None, "Replace the system message.", ("--system-message",), '"..."'),
    Setting("timeout", float, 120.0, "Seconds a code block may run.", ("--timeout",), "120",
            check=_range(1e-9, math.inf, "the timeout is in seconds and must be above 0, such as 120.")),
    Setting("debug", bool, False, "Show token speed and the engine's log.", ("--debug",), "false"),
    Setting("python", str, None, "The Python that runs blocks (default: yours on PATH, not localinterp's).",
            ("--python",), '"python3"'),
    Setting("languages", str, None, "Languages the model may run, e.g. python,shell (default: all installed).",
            ("--languages",), '"python,shell"', check=_languages),
    Setting("min_speed", float, 8.0, "With no model named, skip default models predicted to generate slower than "
            "this many tokens per second.", ("--min-speed",), "8",
            check=_range(0, 1e6, "give tokens per second, 0 or more, such as 8.")),
    Setting("sandbox", str, None, "Where code runs: workspace (writes only here and in temp, no network), strict "
            "(reads confined too) or off. Default: workspace with -y, else off.", ("--sandbox",), '"workspace"',
            choices=SANDBOX_MODES),
    Setting("allow_net", bool, False, "Let sandboxed code use the network (pip install).", ("--allow-net",), "false"),
)  # fmt: skip
BY_NAME = {s.name: s for s in SETTINGS}

Config = make_dataclass(
    "Config",
    [
        (
            s.name,
            s.kind if s.default is not None else s.kind | None,
            field(default=s.default, repr=not s.secret),
        )
        for s in SETTINGS
    ],
    frozen=True,
)
Config.__module__ = __name__
Config.__doc__ = "Everything a chat can be configured with: one field per Setting, resolved (resolve_config)."

_KIND_NAMES = {int: "a whole number", float: "a number", bool: "true or false", str: "a string"}
ENV = {s.name: s.env for s in SETTINGS}
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}
SECRET_KEYS = frozenset(s.name for s in SETTINGS if s.secret)


def environment_variables() -> tuple[str, ...]:
    """Every variable a setting is read from (ours and the ones honoured after ours)."""
    return tuple(v for s in SETTINGS for v in (s.env, *s.also_env))


def template() -> str:
    """The config file a user starts from: every key, commented out, with an example and its help."""
    import textwrap

    lines = ["# localinterp settings (flags > environment > this file > defaults). Every key is optional."]
    for s in SETTINGS:
        lines += ["", *textwrap.wrap(s.help, 98, initial_indent="# ", subsequent_indent="# ")]
        lines.append(f"# {s.name} = {s.example}")
    return "\n".join(lines) + "\n"


def _kind_ok(setting: Setting, value: Any) -> bool:
    if setting.kind is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, setting.kind) and not (isinstance(value, bool) and setting.kind is not bool)


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
        if key not in BY_NAME:
            known = ", ".join(BY_NAME)
            raise BadInput(f"{path}{_line_of(text, key)}: unknown setting {key!r}; known: {known}.")
        setting = BY_NAME[key]
        if not _kind_ok(setting, value):
            shown = "a value of another type" if setting.secret else repr(value)  # never echo a key
            raise BadInput(
                f"{path}{_line_of(text, key)}: {key} must be {_KIND_NAMES[setting.kind]}, got {shown}."
            )
    return data


def parse_env(setting: Setting, var: str, raw: str) -> Any:
    """A value as written in the environment, typed; a wrong one is one line naming the variable."""
    if setting.kind is bool:
        if raw.strip().lower() not in _TRUE | _FALSE:
            raise BadInput(f"{var}={raw!r} is not a yes/no value (use 1 or 0).")
        return raw.strip().lower() in _TRUE
    if setting.kind in (int, float):
        try:
            return setting.kind(raw)
        except ValueError:
            kind = "a whole number" if setting.kind is int else "a number"
            shown = "a value" if setting.secret else repr(raw)
            raise BadInput(f"{var}={shown} is not {kind}.") from None
    return raw


def _from_env() -> dict[str, tuple[Any, str]]:
    out: dict[str, tuple[Any, str]] = {}
    for setting in SETTINGS:
        for var in (setting.env, *setting.also_env):
            raw = os.environ.get(var)
            if raw is not None and (raw or var == setting.env):
                out[setting.name] = (parse_env(setting, var, raw), var)
                break
    return out


def check_value(key: str, value: Any, where: str) -> None:
    """Refuse a value the chat cannot use, naming where it came from (`--max-tokens`, `LOCALINTERP_...`,
    `config.toml: timeout`, an API attribute), instead of silently clamping it or failing later."""
    setting = BY_NAME.get(key)
    if setting is None:
        raise BadInput(f"unknown setting {key!r}; known: {', '.join(BY_NAME)}.")
    if value is None:
        return
    shown = "the value given" if setting.secret else repr(value)
    if not _kind_ok(setting, value):
        raise BadInput(f"{where} = {shown}: {key} must be {_KIND_NAMES[setting.kind]}.")
    if setting.choices and value not in setting.choices:
        raise BadInput(
            f"{where} = {shown}: the {key.replace('_', ' ')} is one of {', '.join(setting.choices)}."
        )
    problem = setting.check(value) if setting.check else ""
    if problem:
        raise BadInput(f"{where} = {shown}: {problem}")


def resolve_config(flags: dict[str, Any], path: Path | None = None, *, named: str = "flag") -> Config:
    """Flags (None: not given) over the environment over the config file over the defaults. `named`: how
    a bad flag is named in the error, as the command-line `flag` or as the API's `attribute`."""
    from localinterp.settings import config_path

    file = path or config_path()
    layers = (
        {k: (v, f"{file}: {k}") for k, v in read_config_file(file).items()},
        _from_env(),
        {
            k: (v, BY_NAME[k].flag if named == "flag" and k in BY_NAME else k)
            for k, v in flags.items()
            if v is not None
        },
    )
    merged: dict[str, Any] = {}
    for values in layers:
        for key, (value, where) in values.items():
            check_value(key, value, where)
            merged[key] = value
    return Config(**merged)
