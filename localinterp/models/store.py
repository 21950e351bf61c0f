"""What is on this machine: every cached model (hub cache, joined parts, PyPI copies, imports), and removal.

Only files in localinterp's own cache or the Hugging Face cache are listed or removed; files the user keeps
elsewhere are theirs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from localinterp.errors import BadInput, ModelNotFound
from localinterp.models import hfcache
from localinterp.models.catalog import Catalog
from localinterp.models.files import group_files, quant_from_name
from localinterp.models.resolve import joined_dir, parse_repo_ref, pypi_cache_dir
from localinterp.models.usage import forget, last_used
from localinterp.models.verify import forget_verified


@dataclass(frozen=True)
class StoredModel:
    """One model file (or shard set) on this machine, or a catalog entry not pulled yet."""

    ref: str  # what to type to use it
    file: str
    quant: str | None
    size: int
    paths: tuple[Path, ...]  # empty for a catalog entry not pulled
    source: str  # hub | joined | pypi | imported | catalog
    repo: str | None = None
    alias: str | None = None

    @property
    def pulled(self) -> bool:
        """Whether the files are here."""
        return bool(self.paths)

    @property
    def last_used(self) -> float | None:
        """When it was last used, if ever."""
        return last_used(self.paths[0]) if self.paths else None

    def to_json(self) -> dict[str, Any]:
        """The stable `models --json` record."""
        return {
            "ref": self.ref,
            "file": self.file,
            "quant": self.quant,
            "size": self.size,
            "path": str(self.paths[0]) if self.paths else None,
            "last_used": self.last_used,
            "source": self.source,
            "pulled": self.pulled,
            "repo": self.repo,
            "alias": self.alias,
        }


def imported_dir() -> Path:
    """Where imported models that came from neither the hub nor PyPI are kept."""
    from localinterp.settings import models_dir

    return models_dir() / "imported"


def _hub_models(catalog: Catalog) -> list[StoredModel]:
    out = []
    for repo in hfcache.cached_repos():
        seen: dict[str, hfcache.CachedFile] = {}
        for cached in hfcache.cached_files(repo):
            seen.setdefault(cached.path, cached)
        groups, _ = group_files((c.path, c.size) for c in seen.values())
        quants = [g.quant for g in groups]
        entries = catalog.for_repo(repo)
        for g in groups:
            unique = g.quant and quants.count(g.quant) == 1
            ref = f"{repo}:{g.quant}" if unique else f"{repo}:{g.name}"
            alias = next((e.alias for e in entries if g.quant and e.matches(g.paths[0], g.quant)), None)
            out.append(
                StoredModel(
                    ref, g.name, g.quant, g.size, tuple(seen[p].local for p in g.paths), "hub", repo, alias
                )
            )
        for joined in sorted(joined_dir(repo).glob("*.gguf")):
            quant = quant_from_name(joined.name)
            alias = next((e.alias for e in entries if quant and e.matches(joined.name, quant)), None)
            out.append(
                StoredModel(
                    f"{repo}:{quant or joined.name}",
                    joined.name,
                    quant,
                    joined.stat().st_size,
                    (joined,),
                    "joined",
                    repo,
                    alias,
                )
            )
    return out


def stored_models(catalog: Catalog, *, include_catalog: bool = True) -> list[StoredModel]:
    """Everything cached, then (optionally) the catalog entries with nothing cached."""
    found = _hub_models(catalog)
    for entry in catalog.entries.values():
        if entry.pypi:
            path = pypi_cache_dir() / entry.pypi.file
            if path.is_file():
                found.append(
                    StoredModel(
                        entry.alias,
                        path.name,
                        entry.pypi.quant,
                        path.stat().st_size,
                        (path,),
                        "pypi",
                        None,
                        entry.alias,
                    )
                )
    for folder in (imported_dir(), joined_dir(None)):
        for path in sorted(folder.glob("*.gguf")) if folder.is_dir() else []:
            found.append(
                StoredModel(
                    str(path),
                    path.name,
                    quant_from_name(path.name),
                    path.stat().st_size,
                    (path,),
                    "imported" if folder == imported_dir() else "joined",
                )
            )
    if include_catalog:
        have = {m.alias for m in found if m.alias}
        for entry in catalog.entries.values():
            if entry.alias not in have:
                found.append(
                    StoredModel(entry.alias, entry.file, None, 0, (), "catalog", entry.repo, entry.alias)
                )
    return found


def _matches(model: StoredModel, ref: str, quant: str | None, catalog: Catalog) -> bool:
    if quant and (model.quant or "").upper() != quant.upper():
        return False
    if catalog.get(ref) is not None:
        return model.alias == catalog.get(ref).alias  # type: ignore[union-attr]
    repo_ref = parse_repo_ref(ref)
    if repo_ref and model.repo and model.repo.lower() == repo_ref.repo.lower():
        if repo_ref.quant:
            return (model.quant or "").upper() == repo_ref.quant
        if repo_ref.filename:
            return repo_ref.filename in (model.file, Path(model.file).name)
        return True
    path = Path(ref).expanduser()
    return any(p.absolute() == path.absolute() for p in model.paths)


def remove(ref: str, catalog: Catalog, *, quant: str | None = None) -> list[tuple[StoredModel, int]]:
    """Delete the cached files `ref` names; returns each removed model with the bytes freed."""
    matches = [m for m in stored_models(catalog, include_catalog=False) if _matches(m, ref, quant, catalog)]
    if not matches:
        path = Path(ref).expanduser()
        if path.exists():
            raise BadInput(
                f"{path} is not in localinterp's cache or the Hugging Face cache; localinterp only removes "
                "what it downloaded. Delete your own files yourself."
            )
        raise ModelNotFound(
            f"nothing cached matches {ref}{f' --quant {quant}' if quant else ''}; see `localinterp models`."
        )
    removed = []
    for model in matches:
        freed = 0
        if model.source == "hub" and model.repo:
            for cached in hfcache.cached_files(model.repo):
                if cached.local in model.paths:
                    freed += hfcache.remove_file(cached)
        else:
            for path in model.paths:
                freed += path.stat().st_size
                path.unlink()
                path.with_name(path.name + ".json").unlink(missing_ok=True)  # a joined file's record
        for path in model.paths:
            forget_verified(path)
        forget(list(model.paths))
        removed.append((model, freed))
    repo_ref = parse_repo_ref(ref)
    if repo_ref and not repo_ref.quant and not repo_ref.filename and not quant:
        canonical = hfcache.canonical_repo(repo_ref.repo)
        if canonical:
            for partial in (hfcache.repo_dir(canonical) / "blobs").glob(f"*{hfcache.PARTIAL_SUFFIX}"):
                partial.unlink()
    return removed
