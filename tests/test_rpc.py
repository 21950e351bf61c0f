"""llama.cpp's RPC backend: workers lending memory to a model.

The loopback test needs what CI does not have: a llama-cpp-python built with -DGGML_RPC=on and an
rpc-server binary from the same llama.cpp (LOCALINTERP_RPC_SERVER, or `ggml-rpc-server` / `rpc-server` on
PATH). Without them it is skipped, and says why; the checks around it run everywhere.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time

import pytest
from clihelp import assert_one_line_error, run_cli

from localinterp.engine.rpc import parse_endpoints, rpc_supported
from localinterp.errors import BadInput


def test_endpoints_are_checked():
    assert parse_endpoints("10.0.0.2:50052, host-b:50053") == ["10.0.0.2:50052", "host-b:50053"]
    for bad in ("", "nohost", "a:b", "a:50052:1"):
        with pytest.raises(BadInput):
            parse_endpoints(bad)


@pytest.mark.skipif(rpc_supported(), reason="this build has RPC; the refusal is for builds without it")
def test_a_build_without_rpc_says_how_to_get_it(smollm2_path):
    result = run_cli("plan", str(smollm2_path), "--rpc", "127.0.0.1:50052")
    assert_one_line_error(result, 2, "no RPC backend", "-DGGML_RPC=on", "--api-base")


def _rpc_server() -> str | None:
    return (
        os.environ.get("LOCALINTERP_RPC_SERVER")
        or shutil.which("ggml-rpc-server")
        or shutil.which("rpc-server")
    )


@pytest.mark.skipif(
    not rpc_supported() or _rpc_server() is None, reason="needs an RPC build and an rpc-server"
)
def test_a_loopback_rpc_worker_takes_layers_and_generates(smollm2_path):
    from localinterp.engine.local import LoadOptions, LocalEngine
    from localinterp.engine.types import ChatMessage, Sampling

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [_rpc_server(), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        endpoint = f"127.0.0.1:{port}"
        plan = run_cli("plan", str(smollm2_path), "--rpc", endpoint, "--json")
        assert plan.returncode == 0, plan.stderr
        import json

        data = json.loads(plan.stdout)
        assert data["gpu_layers"] > 0 and any(g["backend"] == "rpc" for g in data["budget"]["gpus"])
        engine = LocalEngine(smollm2_path, LoadOptions(n_ctx=512, n_gpu_layers=99, rpc_servers=(endpoint,)))
        *_, end = engine.chat(
            [ChatMessage("user", "Say hello.")], max_tokens=8, sampling=Sampling(temperature=0)
        )
        engine.close()
        assert end.stats.generated_tokens > 0 and end.text
    finally:
        server.terminate()
        out, _ = server.communicate(timeout=10)
    assert "accepted client connection" in out.lower() or "client" in out.lower()
