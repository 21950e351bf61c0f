"""Every exception a user may see.

Each type carries an exit code and a message that says what is wrong and what to do. The CLI catches
`LocalinterpError` once, prints its message on one line and exits with its code; anything else is a bug
and keeps its traceback (shown in full with LOCALINTERP_DEBUG=1 for these ones too).
"""

from __future__ import annotations


class LocalinterpError(Exception):
    """Base of all user-facing errors."""

    exit_code = 1


class BadInput(LocalinterpError):
    """A value the user typed cannot be used (a flag out of range, an unknown quant)."""

    exit_code = 2


class UnsafePath(BadInput):
    """A name that came from outside (a hub listing, an export manifest, a catalog, a saved conversation)
    would become a path outside the folder it belongs in."""


class ModelNotFound(LocalinterpError):
    """A model reference names nothing that exists: no file, no alias."""

    exit_code = 2


class InvalidModelFile(LocalinterpError):
    """A file that should be a GGUF model is not one, is truncated, or describes something we cannot run."""

    exit_code = 2


class CatalogError(LocalinterpError):
    """models.toml (ours or the user's) cannot be read."""

    exit_code = 2


class DoesNotFit(LocalinterpError):
    """No plan fits this machine's memory. Exit code 3, as documented for `localinterp plan`."""

    exit_code = 3


class DownloadError(LocalinterpError):
    """Fetching model weights failed (network, mirror, package index)."""

    exit_code = 4


class VerificationError(LocalinterpError):
    """Downloaded bytes do not match the checksum they were promised to have."""

    exit_code = 5


class NotCached(ModelNotFound):
    """Offline, and the model is not in any local cache. The message says what is missing and how to get it."""


class HubUnreachable(DownloadError):
    """The Hugging Face hub (or HF_ENDPOINT) cannot be reached."""


class AccessDenied(LocalinterpError):
    """The hub refused access: a gated model whose license was not accepted, or a private repo."""

    exit_code = 6


class LoadError(LocalinterpError):
    """llama.cpp could not load a model file it was given."""

    exit_code = 7


class CloudError(LocalinterpError):
    """An OpenAI-compatible endpoint failed: unreachable, too slow, or answered with an error."""

    exit_code = 8


class SandboxUnavailable(LocalinterpError):
    """The sandbox asked for cannot be given on this machine (no Landlock, Windows, ...): never pretended."""

    exit_code = 9
