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
ENV_METAL_WORKING_SET = "LOCALINTERP_METAL_WORKING_SET_BYTES"

_TRUE = {"1", "true", "yes", "on"}


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


def models_dir() -> Path:
    """Where model files that do not live in the Hugging Face cache are stored."""
    return cache_dir() / "models"


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
