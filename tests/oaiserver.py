"""A real OpenAI-compatible server for tests: llama-cpp-python's own (`python -m llama_cpp.server`) with the
small model, plus a loopback TCP proxy in front of it that can cut or stall a response."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# llama_cpp.server, loading its model as the engine does where that matters: without CPU repacking on a
# CPU whose llama.cpp AMX path crashes (engine/local.py), else the server dies on the first prompt.
_SERVE = """
import runpy, sys
from localinterp.engine.local import model_params, repacking
sys.argv[0] = "llama_cpp.server"
with model_params(None, repacking()):
    runpy.run_module("llama_cpp.server", run_name="__main__", alter_sys=True)
"""


class LlamaServer:
    def __init__(self, model_path, api_key: str | None = None) -> None:
        self.port = free_port()
        self.api_key = api_key
        cmd = [
            sys.executable, "-c", _SERVE, "--model", str(model_path), "--host", "127.0.0.1",
            "--port", str(self.port), "--n_ctx", "2048", "--chat_format", "chatml-function-calling",
            "--model_alias", "smollm2",
        ]  # fmt: skip
        if api_key:
            cmd += ["--api_key", api_key]
        self.proc = subprocess.Popen(
            cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=os.environ.copy()
        )
        self.url = f"http://127.0.0.1:{self.port}/v1"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("llama_cpp.server exited while starting")
            try:
                req = urllib.request.Request(
                    f"{self.url}/models", headers={"Authorization": f"Bearer {api_key}"}
                )
                urllib.request.urlopen(req, timeout=2)
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("llama_cpp.server did not start within 120 s")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


class Proxy:
    """Forwards loopback connections to `target_port`; `cut_after` bytes of response then closes,
    `stall_s` waits before forwarding any of the response."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.cut_after: int | None = None
        self.stall_s = 0.0
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            threading.Thread(target=self._pipe, args=(client, upstream, None, 0.0), daemon=True).start()
            threading.Thread(
                target=self._pipe, args=(upstream, client, self.cut_after, self.stall_s), daemon=True
            ).start()

    @staticmethod
    def _pipe(src, dst, cut_after, stall_s) -> None:
        sent = 0
        stalled = False
        try:
            while True:
                data = src.recv(4096)
                if not data:
                    break
                if stall_s and not stalled:
                    time.sleep(stall_s)
                    stalled = True
                if cut_after is not None and sent + len(data) >= cut_after:
                    dst.sendall(data[: max(cut_after - sent, 0)])
                    break
                dst.sendall(data)
                sent += len(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()

    def close(self) -> None:
        self.sock.close()
