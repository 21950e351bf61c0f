"""Talking to the Hugging Face hub: repo listings, model search, and GGUF headers read with range requests.

Everything goes through huggingface_hub's client and HTTP session, so HF_ENDPOINT, HF_TOKEN, the user's
login, proxies and a custom client factory all apply. Nothing here runs in offline mode: the resolver
never builds a Hub when offline, which is how `--offline` makes no connection at all.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from localinterp.errors import (
    AccessDenied,
    DownloadError,
    HubUnreachable,
    LocalinterpError,
    ModelNotFound,
    UnsafePath,
)
from localinterp.fsutil import relative_path
from localinterp.gguf import GGUFHeader, read_header

log = logging.getLogger(__name__)
_COMMIT_RE = re.compile(r"^[0-9a-zA-Z_.-]{1,64}$")

CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 30.0
API_DEADLINE_S = 120.0  # a whole API request or header read, however slowly its bytes arrive
# A GGUF header is mostly the tokenizer: 1-8 MB for 32k-256k vocabularies. Start small, then grow.
FIRST_RANGE = 512 * 1024
MAX_RANGE = 8 * 1024 * 1024
MAX_HEADER_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class HubFile:
    """A file of a repo at one commit."""

    path: str
    size: int
    sha256: str | None  # LFS files only; small git files have none


@dataclass(frozen=True)
class RepoListing:
    """What a repo holds at its current commit."""

    repo: str  # as the hub spells it
    commit: str
    files: dict[str, HubFile]
    gated: bool
    tags: tuple[str, ...]


@dataclass(frozen=True)
class SearchHit:
    """A model the hub's search returned."""

    repo: str
    downloads: int
    tags: tuple[str, ...]


def transport() -> Any:
    """The HTTP package huggingface_hub's own session is built on: httpx2 from its 2.x, httpx in 1.x.

    Its errors and timeouts must be that package's: catching httpx2's names under a 1.x hub missed every
    connection error (and importing httpx2 where it is absent was a traceback, seen on a GPU machine whose
    image ships huggingface_hub 1.33)."""
    import importlib

    from huggingface_hub.utils import get_session

    return importlib.import_module(type(get_session()).__module__.partition(".")[0])


def license_page(endpoint: str, repo: str) -> str:
    """Where a user accepts a gated model's license."""
    return f"{endpoint}/{repo}"


# The hub may serve files above 50 GB only through its Xet storage, which localinterp's plain, resumable
# HTTP route does not speak: when such a file is refused, the way around is said.
XET_ONLY_BYTES = 50 * 10**9


def xet_hint(size: int) -> str:
    """What to add to a refusal of a file of `size` bytes ("" below the Xet threshold)."""
    if size <= XET_ONLY_BYTES:
        return ""
    return (
        " Files above 50 GB may be served only through the hub's Xet storage: fetch it with `pip install "
        "hf_xet` and `hf download REPO FILE`, then give its path to localinterp."
    )


class Hub:
    """One hub endpoint with the user's credentials."""

    def __init__(self, endpoint: str | None = None, token: str | None = None) -> None:
        from huggingface_hub import HfApi, get_token

        from localinterp.settings import hf_endpoint

        self.endpoint = (endpoint or hf_endpoint()).rstrip("/")
        self._token = token if token is not None else get_token()
        self._api = HfApi(endpoint=self.endpoint, token=self._token or False)

    # -- errors ------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def errors(self, repo: str, what: str, *, deadline: float | None = None) -> Iterator[None]:
        """Turn huggingface_hub and transport exceptions into one-line user errors.

        `deadline` (None: API_DEADLINE_S; 0 for a download, which may rightly take hours) bounds the whole
        request: a server that trickles a byte at a time would reset the read timeout forever. When it
        passes, the shared session is closed under the request, which then fails and is reported so.
        """
        from huggingface_hub.utils import close_session

        expired = threading.Event()
        seconds = API_DEADLINE_S if deadline is None else deadline
        timer = None
        if seconds:
            timer = threading.Timer(seconds, lambda: (expired.set(), close_session()))
            timer.daemon = True
            timer.start()
        try:
            with self._mapped(repo, what):
                yield
        except LocalinterpError:
            if expired.is_set():
                raise DownloadError(
                    f"{self.endpoint} took more than {seconds:g} s {what} {repo}, so it was given up on: the "
                    "server is too slow or stalled. Try again later, or use --offline."
                ) from None
            raise
        finally:
            if timer is not None:
                timer.cancel()

    @contextlib.contextmanager
    def _mapped(self, repo: str, what: str) -> Iterator[None]:
        from huggingface_hub import errors as hf

        http = transport()

        try:
            yield
        except hf.GatedRepoError:
            advice = (
                "your token has not been granted access yet"
                if self._token
                else "log in first (`hf auth login`, or set HF_TOKEN)"
            )
            raise AccessDenied(
                f"{repo} is gated: accept its license at {license_page(self.endpoint, repo)}, and {advice}."
            ) from None
        except hf.RepositoryNotFoundError:
            login = "" if self._token else " If it is private, log in (`hf auth login`) or set HF_TOKEN."
            raise ModelNotFound(f"there is no model repo {repo} on {self.endpoint}.{login}") from None
        except hf.RevisionNotFoundError:
            raise ModelNotFound(f"{repo} has no such revision on {self.endpoint}.") from None
        except hf.EntryNotFoundError:
            raise ModelNotFound(f"{repo} no longer has the file being read ({what}); try again.") from None
        except hf.HfHubHTTPError as e:
            status = e.response.status_code if e.response is not None else "?"
            if status in (401, 403):
                raise AccessDenied(
                    f"{self.endpoint} refused {what} of {repo} (HTTP {status}). If the repo is gated, accept "
                    f"its license at {license_page(self.endpoint, repo)}; check your token (`hf auth whoami`)."
                ) from None
            raise DownloadError(f"{self.endpoint} answered HTTP {status} to {what} of {repo}.") from None
        except (http.ConnectError, http.ConnectTimeout) as e:
            raise HubUnreachable(
                f"cannot reach {self.endpoint} ({type(e).__name__}: {e or 'no detail'}) while {what} {repo}. "
                "Check the network or HF_ENDPOINT, or add --offline to use only the models already here."
            ) from None
        except http.TransportError as e:
            raise HubUnreachable(
                f"the connection to {self.endpoint} broke while {what} {repo} ({type(e).__name__}: "
                f"{e or 'no detail'}). Check the network and try again."
            ) from None
        except (ValueError, KeyError, TypeError, AttributeError) as e:
            # HTML from a captive portal or proxy, garbage, or JSON of another shape: not the hub's API.
            raise DownloadError(
                f"{self.endpoint} answered {what} {repo} with something that is not the Hugging Face API "
                f"({type(e).__name__}). Check HF_ENDPOINT and any proxy in between."
            ) from None

    def _raise_for(self, response: Any, repo: str, what: str) -> None:
        from huggingface_hub.utils import hf_raise_for_status

        with self.errors(repo, what):
            hf_raise_for_status(response)

    # -- listing and search ------------------------------------------------------------------------

    def listing(self, repo: str) -> RepoListing:
        """The repo's files with sizes and LFS sha256s, and the commit they belong to."""
        with self.errors(repo, "listing"):
            info = self._api.model_info(repo, files_metadata=True, timeout=READ_TIMEOUT)
        files = {}
        for s in info.siblings or []:
            try:
                relative_path(s.rfilename, "the hub lists the file")
            except UnsafePath as e:
                # A listing is data from a server: a name that would climb out of the cache is dropped
                # here, and hfcache refuses it again should it arrive another way.
                log.warning("%s: %s (ignored)", repo, e)
                continue
            sha = s.lfs.sha256 if s.lfs else None
            size = s.lfs.size if s.lfs else s.size
            files[s.rfilename] = HubFile(s.rfilename, int(size or 0), sha)
        if not info.sha or not _COMMIT_RE.match(info.sha):
            raise DownloadError(
                f"{self.endpoint} listed {repo} without a valid commit id ({info.sha!r}); cannot pin a download."
            )
        return RepoListing(info.id or repo, info.sha, files, bool(info.gated), tuple(info.tags or ()))

    def search_gguf(self, text: str, limit: int = 30) -> list[SearchHit]:
        """GGUF repos matching `text`, most downloaded first."""
        with self.errors(text, "searching for GGUF versions of"):
            found = list(self._api.list_models(search=text, filter="gguf", sort="downloads", limit=limit))
        return [SearchHit(m.id, int(m.downloads or 0), tuple(m.tags or ())) for m in found]

    # -- file contents -----------------------------------------------------------------------------

    def file_url(self, repo: str, commit: str, path: str) -> str:
        """The resolve URL of a file at a pinned commit."""
        return f"{self.endpoint}/{repo}/resolve/{commit}/{quote(path)}"

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        """Request headers with the user's token (never logged)."""
        from huggingface_hub.utils import build_hf_headers

        headers = build_hf_headers(token=self._token or False, library_name="localinterp")
        headers["Accept-Encoding"] = "identity"  # byte offsets must be offsets into the file itself
        return headers | (extra or {})

    @contextlib.contextmanager
    def stream(self, repo: str, url: str, start: int, end: int | None = None) -> Iterator[Any]:
        """A streamed GET from byte `start` (to `end`, inclusive); the response says if Range was honoured."""
        from huggingface_hub.utils import get_session

        span = f"bytes={start}-{'' if end is None else end}"
        timeout = transport().Timeout(READ_TIMEOUT, connect=CONNECT_TIMEOUT)
        with (
            self.errors(repo, "downloading", deadline=0),
            get_session().stream(
                "GET", url, headers=self.headers({"Range": span}), follow_redirects=True, timeout=timeout
            ) as response,
        ):
            if response.status_code not in (200, 206, 416):
                response.read()
                self._raise_for(response, repo, "downloading")
            yield response

    def read_range(self, repo: str, url: str, start: int, length: int) -> bytes:
        """Bytes [start, start+length) of a remote file (fewer at its end)."""
        with self.stream(repo, url, start, start + length - 1) as response:
            if response.status_code == 416:
                return b""
            out = bytearray()
            skip = start if response.status_code == 200 else 0  # the server ignored Range
            with self.errors(repo, "reading the header of"):
                for chunk in response.iter_bytes():
                    if skip:
                        cut = min(skip, len(chunk))
                        chunk, skip = chunk[cut:], skip - cut
                    out += chunk
                    if len(out) >= length:
                        break
            return bytes(out[:length])

    def read_header(self, repo: str, commit: str, path: str, size: int) -> tuple[GGUFHeader, bytes]:
        """Parse a remote GGUF header with range requests; also returns the raw header bytes for caching."""
        reader = _RangeReader(self, repo, self.file_url(repo, commit, path), size)
        header = read_header(reader, source=f"{repo}/{path}")  # type: ignore[arg-type]
        return header, reader.consumed()


class _RangeReader(io.RawIOBase):
    """A forward-only file over HTTP range requests, fetching growing blocks as the parser reads."""

    def __init__(self, hub: Hub, repo: str, url: str, size: int) -> None:
        super().__init__()
        self._hub, self._repo, self._url, self._size = hub, repo, url, size
        self._buf = bytearray()
        self._pos = 0
        self._block = FIRST_RANGE

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        if n < 0:
            raise ValueError("a remote header is read in pieces")
        while len(self._buf) < self._pos + n and len(self._buf) < self._size:
            if len(self._buf) >= MAX_HEADER_BYTES:
                raise DownloadError(
                    f"{self._repo}: the GGUF header is larger than {MAX_HEADER_BYTES:,} bytes."
                )
            want = max(self._block, self._pos + n - len(self._buf))
            data = self._hub.read_range(self._repo, self._url, len(self._buf), want)
            if not data:
                break
            self._buf += data
            self._block = min(self._block * 2, MAX_RANGE)
        out = bytes(self._buf[self._pos : self._pos + n])
        self._pos += len(out)
        return out

    def consumed(self) -> bytes:
        """The bytes the parser used: the whole header."""
        return bytes(self._buf[: self._pos])
