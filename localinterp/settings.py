"""Every environment variable and user directory localinterp reads, in one place.

Values are read when asked for, never frozen at import, so tests and long-lived processes see changes.
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "localinterp"

# Environment variables (documented in README.md).
ENV_DEBUG = "LOCALINTERP_DEBUG"
ENV_CACHE_DIR = "LOCALINTERP_CACHE_DIR"
ENV_DATA_DIR = "LOCALINTERP_DATA_DIR"
ENV_CONFIG = "LOCALINTERP_CONFIG"
ENV_METAL_WORKING_SET = "LOCALINTERP_METAL_WORKING_SET_BYTES"
ENV_OFFLINE = "LOCALINTERP_OFFLINE"
ENV_MODELS_TOML = "LOCALINTERP_MODELS_TOML"
ENV_CPU_REPACK = "LOCALINTERP_CPU_REPACK"
# Hugging Face's own variables, honoured so that localinterp shares the user's hub setup.
ENV_HF_OFFLINE = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
ENV_HF_ENDPOINT = "HF_ENDPOINT"
ENV_HF_HOME = "HF_HOME"
ENV_HF_HUB_CACHE = "HF_HUB_CACHE"
DEFAULT_HF_ENDPOINT = "https://huggingface.co"
# Credentials localinterp or the hub client read: never handed to model-written code (runners/base.py).
CREDENTIAL_VARIABLES = frozenset(
    {
        "LOCALINTERP_API_KEY", "OPENAI_API_KEY", "ANTHROPIC_API_KEY",
        "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_API_TOKEN",
    }
)  # fmt: skip

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def variables() -> frozenset[str]:
    """Every environment variable localinterp reads: the ones above, the chat settings' (config.SETTINGS,
    each LOCALINTERP_<NAME>, and the OPENAI_* ones honoured after them) and the credentials. Tests clear
    them all from this list."""
    from localinterp.config import environment_variables

    own = {
        ENV_DEBUG, ENV_CACHE_DIR, ENV_DATA_DIR, ENV_CONFIG, ENV_METAL_WORKING_SET, ENV_OFFLINE,
        ENV_MODELS_TOML, ENV_CPU_REPACK, *ENV_HF_OFFLINE, ENV_HF_ENDPOINT, ENV_HF_HOME, ENV_HF_HUB_CACHE,
    }  # fmt: skip
    return frozenset(own | set(environment_variables()) | CREDENTIAL_VARIABLES)


def debug_enabled() -> bool:
    """Whether errors should show their full traceback (LOCALINTERP_DEBUG=1)."""
    return os.environ.get(ENV_DEBUG, "").strip().lower() in _TRUE


def cache_dir() -> Path:
    """Where localinterp keeps downloaded models and its own state."""
    override = os.environ.get(ENV_CACHE_DIR)
    if override:
        return Path(override).expanduser()
    from platformdirs import user_cache_path

    return user_cache_path(APP_NAME, appauthor=False)


def data_dir() -> Path:
    """Where localinterp keeps what the user made: saved conversations."""
    override = os.environ.get(ENV_DATA_DIR)
    if override:
        return Path(override).expanduser()
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def config_path() -> Path:
    """The config file (LOCALINTERP_CONFIG, else config.toml in the user config folder)."""
    override = os.environ.get(ENV_CONFIG)
    if override:
        return Path(override).expanduser()
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False) / "config.toml"


def models_dir() -> Path:
    """Where model files that do not live in the Hugging Face cache are stored."""
    return cache_dir() / "models"


def user_catalog_path() -> Path | None:
    """The user's own models.toml: LOCALINTERP_MODELS_TOML, else one in the user config folder, if present."""
    explicit = os.environ.get(ENV_MODELS_TOML)
    if explicit:
        return Path(explicit).expanduser()  # named explicitly: a missing file is an error, not silence
    from platformdirs import user_config_path

    path = user_config_path(APP_NAME, appauthor=False) / "models.toml"
    try:
        return path if path.is_file() else None
    except OSError:  # a config folder this user may not enter holds no catalog of theirs
        return None


def editor_command() -> list[str]:
    """The user's editor ($VISUAL, then $EDITOR; nano, or notepad on Windows, when neither is set)."""
    import shlex

    raw = os.environ.get("VISUAL") or os.environ.get("EDITOR") or ("notepad" if os.name == "nt" else "nano")
    return shlex.split(raw, posix=os.name != "nt")


def open_in_editor(path: Path) -> bool:
    """Let the user edit `path`; False when the editor could not be started."""
    import subprocess

    try:
        subprocess.run([*editor_command(), str(path)], check=False)
    except FileNotFoundError:
        return False
    return True


def offline_from_env() -> bool:
    """Whether the environment asks for no network at all (LOCALINTERP_OFFLINE or HF_HUB_OFFLINE)."""
    names = (ENV_OFFLINE, *ENV_HF_OFFLINE)
    return any(os.environ.get(name, "").strip().lower() in _TRUE for name in names)


def hf_endpoint() -> str:
    """The Hugging Face hub to talk to (HF_ENDPOINT, for mirrors and tests)."""
    return (os.environ.get(ENV_HF_ENDPOINT) or DEFAULT_HF_ENDPOINT).rstrip("/")


def hf_hub_cache() -> Path:
    """The Hugging Face hub cache, resolved the way huggingface_hub does, so downloads are shared."""
    explicit = os.environ.get(ENV_HF_HUB_CACHE)
    if explicit:
        return Path(explicit).expanduser()
    home = os.environ.get(ENV_HF_HOME)
    if home:
        return Path(home).expanduser() / "hub"
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "huggingface" / "hub"


def metal_working_set_override() -> int | None:
    """A user-set Metal working-set size in bytes, for machines where our estimate is wrong."""
    raw = os.environ.get(ENV_METAL_WORKING_SET, "").strip()
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        return None
    return value if value > 0 else None


def cpu_repack() -> bool | None:
    """Whether llama.cpp may repack weights into its extra CPU buffer types (AMX, the AVX repack):
    True or False where the user said (LOCALINTERP_CPU_REPACK=on/off), None for the default (engine/local.py
    decides)."""
    raw = os.environ.get(ENV_CPU_REPACK, "").strip().lower()
    if raw in ("", "auto"):
        return None
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    from localinterp.errors import BadInput

    raise BadInput(f"{ENV_CPU_REPACK}={raw!r} is not a choice: set it to on, off or auto.")
