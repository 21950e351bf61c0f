"""The OpenAI-compatible backend against a real server on loopback: llama-cpp-python's own server with the
small model, and a proxy in front of it that cuts or stalls the stream."""

from __future__ import annotations

import pytest
from oaiserver import LlamaServer, Proxy, free_port

from localinterp.engine.cloud import CloudEngine, Endpoint, endpoint_from_env
from localinterp.engine.types import ChatMessage as M
from localinterp.engine.types import CodeEnd, CodeStart, Sampling, TextDelta, TurnEnd
from localinterp.errors import AccessDenied, BadInput, CloudError

KEY = "sk-test-never-shown"
GREEDY = Sampling(temperature=0.0)
ASK = [M("system", "You are a helpful assistant."), M("user", "Write Python code that prints hello.")]


@pytest.fixture(scope="module")
def server(smollm2_path):
    s = LlamaServer(smollm2_path, api_key=KEY)
    yield s
    s.stop()


def engine(url, key=KEY, **kwargs):
    timeouts = {k: kwargs.pop(k) for k in ("read_timeout_s", "connect_timeout_s") if k in kwargs}
    return CloudEngine(Endpoint(url, "smollm2", key, **timeouts), languages=("python", "shell"), **kwargs)


def test_a_streamed_reply_becomes_the_same_events_as_the_local_engine(server):
    events = list(engine(server.url, tools=False).chat(ASK, max_tokens=80, sampling=GREEDY))
    end = events[-1]
    assert isinstance(end, TurnEnd) and end.reason in ("stop", "length")
    assert end.stats.generated_tokens > 3 and end.text
    assert any(isinstance(e, (TextDelta, CodeStart)) for e in events)


def test_a_streamed_tool_call_becomes_a_code_block(server):
    events = list(engine(server.url).chat(ASK, max_tokens=120, sampling=GREEDY, force_code=True))
    blocks = [e for e in events if isinstance(e, CodeEnd)]
    assert blocks and blocks[0].language in ("python", "shell") and blocks[0].code.strip()
    assert f"```{blocks[0].language}\n" in events[-1].text  # the history keeps it as a fenced block


def test_a_wrong_api_key_is_refused_with_advice_and_without_the_key(server):
    with pytest.raises(AccessDenied) as info:
        list(engine(server.url, key="sk-wrong-key").chat(ASK, max_tokens=5))
    assert "HTTP 401" in str(info.value) and "LOCALINTERP_API_KEY" in str(info.value)
    assert "sk-wrong-key" not in str(info.value) and KEY not in str(info.value)


def test_a_connection_dropped_mid_stream_keeps_the_partial_reply(server):
    proxy = Proxy(server.port)
    proxy.cut_after = 1200  # the response headers and a few events, then the line goes dead
    events = list(engine(proxy.url(), tools=False).chat(ASK, max_tokens=200, sampling=GREEDY))
    proxy.close()
    end = events[-1]
    assert end.reason == "disconnected" and end.text and end.stats.generated_tokens >= 1


def test_a_slow_server_times_out_with_a_clear_error(server):
    proxy = Proxy(server.port)
    proxy.stall_s = 3.0
    with pytest.raises(CloudError, match="did not answer within 1 s"):
        list(engine(proxy.url(), tools=False, read_timeout_s=1.0).chat(ASK, max_tokens=5))
    proxy.close()


def test_an_unreachable_endpoint_is_one_clear_error():
    with pytest.raises(CloudError, match="cannot reach"):
        list(engine(f"http://127.0.0.1:{free_port()}/v1").chat(ASK, max_tokens=5))


def test_the_endpoint_comes_from_flags_or_environment_and_hides_the_key(monkeypatch):
    for var in ("LOCALINTERP_API_BASE", "OPENAI_BASE_URL", "LOCALINTERP_API_KEY", "OPENAI_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    with pytest.raises(BadInput, match="--api-base"):
        endpoint_from_env(model="m")
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("LOCALINTERP_API_BASE", "http://127.0.0.1:1/v1/")
    endpoint = endpoint_from_env(model="m")
    assert endpoint.base_url == "http://127.0.0.1:1/v1" and endpoint.api_key == KEY
    assert KEY not in repr(endpoint)
    with pytest.raises(BadInput, match="must start with http"):
        endpoint_from_env("ftp://x", "m")


def test_fallback_cloud_is_used_only_when_the_local_plan_cannot_run(server, smollm2_path, tmp_path):
    from localinterp.engine.local import LocalEngine
    from localinterp.engine.select import open_engine
    from localinterp.errors import DoesNotFit, LoadError
    from localinterp.hardware import probe
    from localinterp.models.resolve import resolve
    from localinterp.plan import Budget, make_plan

    hw = probe(llama_cpp=False)
    spec = resolve(str(smollm2_path)).specs
    fits = make_plan(spec, hw, ctx=512)
    tiny_budget = make_plan(spec, hw, ctx=512, budget=Budget(ram_bytes=10 * 1024 * 1024))
    endpoint = lambda: Endpoint(server.url, "smollm2", KEY)  # noqa: E731
    said = []
    kw = {"languages": ("python",), "endpoint": endpoint, "on_status": said.append}

    local = open_engine(fits, lambda: smollm2_path, fallback="cloud", **kw)
    assert isinstance(local, LocalEngine) and not said
    local.close()
    with pytest.raises(DoesNotFit):
        open_engine(tiny_budget, lambda: smollm2_path, **kw)
    cloud = open_engine(tiny_budget, lambda: smollm2_path, fallback="cloud", **kw)
    assert isinstance(cloud, CloudEngine) and "does not fit" in said[-1] and server.url in said[-1]
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + b"\0" * 64)
    with pytest.raises(LoadError):
        open_engine(fits, lambda: broken, **kw)
    assert isinstance(open_engine(fits, lambda: broken, fallback="cloud", **kw), CloudEngine)
    assert "failed to load" in said[-1]
    with pytest.raises(BadInput, match="--offline forbids it"):
        open_engine(fits, lambda: smollm2_path, fallback="cloud", offline=True, **kw)
