"""A small Hugging Face hub on loopback: the endpoints huggingface_hub and localinterp use, nothing more.

It stands in for huggingface.co (unreachable here) so the real huggingface_hub client is tested end to
end: model info with file sizes and LFS sha256s, model search, `resolve` with the hub's ETag / linked-size /
commit headers and a redirect to a "CDN" on a second port, HTTP Range, 401/403 with the hub's error codes. Knobs
let a test throttle downloads, cut a connection mid-file, or serve bytes that do not match the listing.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse


@dataclass
class ServedFile:
    """A repo file: bytes on disk (sparse files serve a 100 GB model from a few MB of header)."""

    path: Path
    sha256: str
    size: int


@dataclass
class ServedRepo:
    id: str
    files: dict[str, ServedFile]
    commit: str
    gated: bool = False
    tags: list[str] = field(default_factory=list)
    downloads: int = 0


class FakeHub:
    """The server's state; tests add repos and flip knobs, then read `requests`."""

    def __init__(self) -> None:
        self.repos: dict[str, ServedRepo] = {}
        self.token = "hf_test_token_never_logged"
        self.rate: int | None = None  # bytes per second for file bodies
        self.drop_after: int | None = (
            None  # cut the next download (open-ended range) after this many bytes, once
        )
        self.tamper: set[str] = set()  # sha256s whose bodies are served with one byte flipped
        # The real CDN may refuse a GET of a large file that has no Range header, and a file it serves only
        # through Xet storage: a 403 for un-ranged GETs (when set), and for these sha256s always.
        self.refuse_unranged = False
        self.xet_only: set[str] = set()
        # A hostile or broken API: this body (and content type) instead of every API answer...
        self.api_body: tuple[bytes, str] | None = None
        self.api_trickle_s: float = 0.0  # ...or the real answer, one byte every this many seconds
        self.requests: list[tuple[str, str, str | None]] = []  # method, path, Range
        self.url = ""
        self.cdn_url = ""
        self._servers: list[ThreadingHTTPServer] = []

    def add_repo(
        self,
        repo_id: str,
        files: dict[str, Path],
        *,
        gated: bool = False,
        tags: list[str] | None = None,
        downloads: int = 0,
        fake_sha: bool = False,
    ) -> ServedRepo:
        served = {}
        for name, path in files.items():
            if fake_sha:  # a sparse 100 GB file is never downloaded: do not hash it
                sha = hashlib.sha256(f"{repo_id}/{name}".encode()).hexdigest()
            else:
                sha = hashlib.sha256(path.read_bytes()).hexdigest()
            served[name] = ServedFile(path, sha, path.stat().st_size)
        commit = hashlib.sha1(repo_id.encode()).hexdigest()
        repo = ServedRepo(repo_id, served, commit, gated, tags or [], downloads)
        self.repos[repo_id.lower()] = repo
        return repo

    def body_requests(self) -> list[str | None]:
        """The Range header of every file-body request, in order (None: the whole file)."""
        return [r for m, p, r in self.requests if m == "GET" and p.startswith("/cdn/")]

    # -- server -------------------------------------------------------------------------------------

    def start(self) -> str:
        hub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output clean
                pass

            def do_HEAD(self):
                hub._handle(self, head=True)

            def do_GET(self):
                hub._handle(self, head=False)

        # Two servers, like huggingface.co and its CDN: file bodies live on another host (huggingface_hub
        # 1.x follows a redirect to the same host name, whatever the port, and then missed the metadata
        # that only the redirect carries), so clients must take the file's metadata from the redirect
        # itself, and the token is not sent to the CDN.
        for host in ("127.0.0.1", "127.0.0.2"):
            server = ThreadingHTTPServer((host, 0), Handler)
            server.daemon_threads = True
            threading.Thread(target=server.serve_forever, daemon=True).start()
            self._servers.append(server)
        self.url = f"http://127.0.0.1:{self._servers[0].server_address[1]}"
        self.cdn_url = f"http://127.0.0.2:{self._servers[1].server_address[1]}"
        return self.url

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()

    # -- routing ------------------------------------------------------------------------------------

    def _handle(self, h: BaseHTTPRequestHandler, head: bool) -> None:
        url = urlparse(h.path)
        path = unquote(url.path)
        self.requests.append(("HEAD" if head else "GET", path, h.headers.get("Range")))
        try:
            if path == "/api/models":
                return self._search(h, parse_qs(url.query))
            m = re.match(r"^/api/models/([^/]+/[^/]+?)(?:/revision/([^/]+))?$", path)
            if m:
                return self._info(h, m[1])
            m = re.match(r"^/([^/]+/[^/]+)/resolve/([^/]+)/(.+)$", path)
            if m:
                return self._resolve(h, m[1], m[3], head)
            m = re.match(r"^/cdn/([0-9a-f]{64})$", path)
            if m:
                return self._body(h, m[1], head)
            self._error(h, 404, "NotFound", "no such endpoint")
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _json(self, h, data, status=200):
        body, kind = json.dumps(data).encode(), "application/json"
        if self.api_body is not None:
            body, kind = self.api_body
        h.send_response(status)
        h.send_header("Content-Type", kind)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        if not self.api_trickle_s:
            h.wfile.write(body)
            return
        for i in range(len(body)):
            h.wfile.write(body[i : i + 1])
            h.wfile.flush()
            time.sleep(self.api_trickle_s)

    def _error(self, h, status, code, message):
        body = json.dumps({"error": message}).encode()
        h.send_response(status)
        h.send_header("X-Error-Code", code)
        h.send_header("X-Error-Message", message)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    def _repo(self, h, repo_id) -> ServedRepo | None:
        repo = self.repos.get(repo_id.lower())
        if repo is None:
            self._error(h, 401, "RepoNotFound", "Repository not found")
        return repo

    def _info(self, h, repo_id):
        repo = self._repo(h, repo_id)
        if repo is None:
            return
        siblings = [
            {
                "rfilename": name,
                "size": f.size,
                "blobId": hashlib.sha1(f.sha256.encode()).hexdigest(),
                "lfs": {"sha256": f.sha256, "size": f.size, "pointerSize": 134},
            }
            for name, f in sorted(repo.files.items())
        ]
        self._json(
            h,
            {
                "id": repo.id,
                "modelId": repo.id,
                "sha": repo.commit,
                "private": False,
                "gated": "manual" if repo.gated else False,
                "disabled": False,
                "downloads": repo.downloads,
                "likes": 0,
                "tags": repo.tags,
                "siblings": siblings,
                "lastModified": "2026-01-01T00:00:00.000Z",
            },
        )

    def _search(self, h, query):
        text = query.get("search", [""])[0].lower()
        wanted = set(query.get("filter", []))
        hits = [r for r in self.repos.values() if text in r.id.lower() and wanted <= set(r.tags)]
        hits.sort(key=lambda r: -r.downloads)
        limit = int(query.get("limit", ["1000"])[0])
        self._json(
            h, [{"id": r.id, "modelId": r.id, "tags": r.tags, "downloads": r.downloads} for r in hits[:limit]]
        )

    def _authorized(self, h) -> bool:
        return h.headers.get("Authorization") == f"Bearer {self.token}"

    def _resolve(self, h, repo_id, name, head):
        repo = self._repo(h, repo_id)
        if repo is None:
            return
        if repo.gated and not self._authorized(h):
            status = 403 if h.headers.get("Authorization") else 401
            return self._error(h, status, "GatedRepo", "Access to this model is restricted")
        f = repo.files.get(name)
        if f is None:
            return self._error(h, 404, "EntryNotFound", "Entry not found")
        h.send_response(302)
        h.send_header("Location", f"{self.cdn_url}/cdn/{f.sha256}")
        h.send_header("X-Repo-Commit", repo.commit)
        h.send_header("X-Linked-Etag", f'"{f.sha256}"')
        h.send_header("X-Linked-Size", str(f.size))
        h.send_header("ETag", f'"{hashlib.sha1(f.sha256.encode()).hexdigest()}"')
        h.send_header("Content-Length", "0")
        h.end_headers()

    def _find(self, sha) -> ServedFile | None:
        for repo in self.repos.values():
            for f in repo.files.values():
                if f.sha256 == sha:
                    return f
        return None

    def _body(self, h, sha, head):
        f = self._find(sha)
        if f is None:
            return self._error(h, 404, "EntryNotFound", "no such blob")
        start, end = 0, f.size - 1
        rng = h.headers.get("Range")
        if sha in self.xet_only or (self.refuse_unranged and rng is None and not head):
            return self._error(h, 403, "Forbidden", "this file is served through Xet storage only")
        partial = False
        if rng:
            m = re.match(r"bytes=(\d+)-(\d*)$", rng)
            if m:
                start = int(m[1])
                end = min(int(m[2]), f.size - 1) if m[2] else f.size - 1
                partial = True
                if start >= f.size:
                    h.send_response(416)
                    h.send_header("Content-Range", f"bytes */{f.size}")
                    h.send_header("Content-Length", "0")
                    h.end_headers()
                    return
        length = end - start + 1
        h.send_response(206 if partial else 200)
        h.send_header("Accept-Ranges", "bytes")
        h.send_header("Content-Length", str(length))
        h.send_header("ETag", f'"{sha}"')
        if partial:
            h.send_header("Content-Range", f"bytes {start}-{end}/{f.size}")
        h.end_headers()
        if head:
            return
        drop = None
        if rng is None or rng.endswith("-"):  # a download, not a header read
            drop, self.drop_after = self.drop_after, None
        sent = 0
        with f.path.open("rb") as src:
            src.seek(start)
            while sent < length:
                n = min(64 * 1024, length - sent)
                chunk = src.read(n)
                if sha in self.tamper and start + sent <= 1000 < start + sent + len(chunk):
                    i = 1000 - start - sent
                    chunk = chunk[:i] + bytes([chunk[i] ^ 0xFF]) + chunk[i + 1 :]
                if drop is not None and sent + len(chunk) > drop:
                    h.wfile.write(chunk[: max(0, drop - sent)])
                    h.wfile.flush()
                    h.close_connection = True
                    h.connection.shutdown(2)
                    return
                h.wfile.write(chunk)
                sent += len(chunk)
                if self.rate:
                    time.sleep(len(chunk) / self.rate)
