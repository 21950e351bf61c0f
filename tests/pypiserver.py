"""A package index on loopback (PEP 503 simple pages over HTTP) serving wheels from a folder: the real pip
downloads from it, with its real progress, and nothing leaves the machine."""

from __future__ import annotations

import http.server
import re
import threading
from pathlib import Path


class PackageIndex:
    """`url` is what PIP_INDEX_URL takes."""

    def __init__(self, folder: Path) -> None:
        wheels = {re.sub(r"[-_.]+", "-", w.name.split("-")[0]).lower(): w for w in folder.glob("*.whl")}

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *_args: object) -> None:
                pass

            def do_GET(self) -> None:
                parts = [p for p in self.path.split("/") if p]
                if len(parts) == 2 and parts[0] == "simple" and parts[1] in wheels:
                    name = wheels[parts[1]].name
                    self._send(
                        f'<html><body><a href="/files/{name}">{name}</a></body></html>'.encode(), "text/html"
                    )
                elif len(parts) == 2 and parts[0] == "files" and (folder / parts[1]).is_file():
                    self._send((folder / parts[1]).read_bytes(), "application/octet-stream")
                else:
                    self.send_error(404)

            def _send(self, body: bytes, kind: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/simple/"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def make_wheel(directory: Path, package: str, version: str, member: str, payload: bytes) -> Path:
    """A minimal valid wheel of `package` holding `payload` as `member`."""
    import zipfile

    dist = package.replace("-", "_")
    wheel = directory / f"{dist}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr(member, payload)
        zf.writestr(
            f"{dist}-{version}.dist-info/METADATA",
            f"Metadata-Version: 2.1\nName: {package}\nVersion: {version}\n",
        )
        zf.writestr(
            f"{dist}-{version}.dist-info/WHEEL",
            "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        )
        zf.writestr(f"{dist}-{version}.dist-info/RECORD", "")
    return wheel
