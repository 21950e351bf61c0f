"""The local engine on the real SmolLM2 model: streaming events, grammar-constrained blocks, the KV cache
kept across turns, stopping, and conversations longer than the window."""

from __future__ import annotations

import re
import subprocess
import sys
import threading

import pytest

from localinterp.engine.context import fit_messages, truncate_middle
from localinterp.engine.languages import canonical, is_display
from localinterp.engine.local import LoadOptions, LocalEngine, _looping
from localinterp.engine.template import chat_template
from localinterp.engine.types import ChatMessage as M
from localinterp.engine.types import CodeDelta, CodeEnd, Sampling, TextDelta, TurnEnd
from localinterp.errors import BadInput, InvalidModelFile, LoadError
from localinterp.settings import ENV_CPU_REPACK, cpu_repack

GREEDY = Sampling(temperature=0.0)
SYSTEM = M("system", "You are a helpful assistant. Answer with code in fenced blocks.")
PROMPTS = [
    "Write Python code that prints the numbers 1 to 5.",
    "Show me a markdown code block with a heading and a list.",
    "Write a JavaScript function that adds two numbers.",
    "Give me a shell command to list files, in a code block.",
]


@pytest.fixture(scope="module")
def engine(smollm2_path):
    e = LocalEngine(smollm2_path, LoadOptions(n_ctx=2048), languages=("python", "shell"))
    yield e
    e.close()


def reply(engine, messages, **kwargs):
    events = list(engine.chat(messages, **kwargs))
    assert isinstance(events[-1], TurnEnd) and not any(isinstance(e, TurnEnd) for e in events[:-1])
    return events, events[-1]


def without_fences(text: str) -> str:
    """The reply as its events spell it: a block's opening line (tag and newline) and its closing backticks
    are not text; the newline after those backticks is, the start of the prose that follows."""
    text = re.sub(r"```[^\n]*\n(.*?)```", r"\1", text, flags=re.S)
    return re.sub(r"```[^\n]*\n?", "", text)  # a block max_tokens cut off: only its opening line


def test_a_reply_streams_as_events_that_add_up_to_the_text(engine):
    events, end = reply(engine, [SYSTEM, M("user", PROMPTS[0])], max_tokens=120, sampling=GREEDY)
    streamed = "".join(e.text for e in events if isinstance(e, (TextDelta, CodeDelta)))
    assert end.reason in ("stop", "length") and end.stats.generated_tokens > 5
    assert without_fences(end.text) == streamed
    assert end.stats.tokens_per_s > 0 and end.stats.time_to_first_token_s > 0


def test_constrained_blocks_are_closed_and_in_an_available_language(engine):
    violations_without = blocks_with = 0
    for prompt in PROMPTS:
        for constrained in (True, False):
            events, _ = reply(
                engine, [SYSTEM, M("user", prompt)], max_tokens=200, sampling=GREEDY, constrained=constrained
            )
            blocks = [e for e in events if isinstance(e, CodeEnd)]
            # Runnable blocks are closed and in a language that runs here; display-only ones (```text,
            # untagged) may be anything, and are never run.
            bad = [
                b
                for b in blocks
                if not is_display(b.language) and (not b.closed or b.language not in ("python", "shell"))
            ]
            if constrained:
                assert not bad, (prompt, blocks)
                blocks_with += len(blocks)
            else:
                violations_without += len(bad)
    # The prompts do exercise the grammar: left alone, this model breaks the format at least once.
    assert blocks_with >= 3 and violations_without > 0


def test_a_reply_forced_to_run_code_is_one_runnable_block_from_its_first_token(engine):
    # Asked for prose, the model still answers with a block to run when the session demands code.
    ask = [SYSTEM, M("user", "In one sentence, what is the capital of France?")]
    free, _ = reply(engine, ask, max_tokens=60, sampling=GREEDY)
    assert not any(isinstance(e, CodeEnd) for e in free)
    events, end = reply(engine, ask, max_tokens=200, sampling=GREEDY, force_code=True, until_block=True)
    blocks = [e for e in events if isinstance(e, CodeEnd)]
    assert end.reason == "block" and end.text.startswith(f"```{blocks[0].language}")
    assert len(blocks) == 1 and blocks[0].closed and blocks[0].language in ("python", "shell")
    assert not any(isinstance(e, TextDelta) and e.text.strip() for e in events)


def test_a_reply_begun_with_a_handed_line_goes_on_from_it_inside_the_grammar(engine):
    # The session begins a forced reply with the first line of the block it handed the model: the reply
    # holds that line as written, the block closes and runs, and the grammar still holds after it.
    ask = [SYSTEM, M("user", "Print the sum of 2 and 3.")]
    start = "```python\ntotal = 2 + 3\n"
    events, end = reply(
        engine, ask, max_tokens=120, sampling=GREEDY, force_code=True, until_block=True, start=start
    )
    blocks = [e for e in events if isinstance(e, CodeEnd)]
    assert end.text.startswith(start) and end.reason == "block"
    assert len(blocks) == 1 and blocks[0].closed and blocks[0].language == "python"
    assert blocks[0].code.startswith("total = 2 + 3\n") and len(blocks[0].code) > len("total = 2 + 3\n")
    # Only what the model wrote counts as generated: the start was given.
    assert end.stats.generated_tokens < len(engine.tokenize(end.text)) - 5
    # A JSON-mode reply has no fence to begin with: refused before anything is generated.
    with pytest.raises(ValueError, match="fences-mode"):
        reply(engine, ask, max_tokens=20, mode="json", start=start)


def test_the_kv_cache_is_kept_so_a_second_turn_evaluates_only_new_tokens(engine):
    conversation = [SYSTEM, M("user", "Write Python code that prints hello.")]
    _, first = reply(engine, conversation, max_tokens=60, sampling=GREEDY)
    conversation += [M("assistant", first.text), M("user", "Now print goodbye instead.")]
    new = len(engine.prompt_tokens(conversation)) - len(engine.cached_tokens)
    _, second = reply(engine, conversation, max_tokens=30, sampling=GREEDY)
    assert second.stats.reused_tokens >= first.stats.prompt_tokens
    assert second.stats.evaluated_tokens == new < second.stats.prompt_tokens // 3


def test_a_stop_request_ends_the_turn_and_keeps_the_partial_reply(engine):
    stop = threading.Event()
    events = []
    for event in engine.chat([SYSTEM, M("user", PROMPTS[0])], max_tokens=200, sampling=GREEDY, stop=stop):
        events.append(event)
        if len(events) == 3:
            stop.set()
    end = events[-1]
    assert end.reason == "interrupted" and end.text and end.stats.generated_tokens < 10


def test_max_tokens_ends_the_turn_with_reason_length(engine):
    _, end = reply(
        engine, [M("user", "Count from 1 to 100, one number per line.")], max_tokens=7, sampling=GREEDY
    )
    assert end.reason == "length" and end.stats.generated_tokens == 7


def test_a_conversation_longer_than_the_window_is_trimmed_not_crashed(smollm2_path):
    small = LocalEngine(smollm2_path, LoadOptions(n_ctx=512), languages=("python",))
    conversation = [SYSTEM]
    for i in range(12):
        conversation += [M("user", f"Question {i}: " + "tell me more. " * 20), M("assistant", "Sure. " * 30)]
    conversation.append(M("user", "What is 2 + 2?"))
    _, end = reply(small, conversation, max_tokens=64, sampling=GREEDY)
    assert end.reason in ("stop", "length")
    assert end.stats.prompt_tokens + 64 <= 512
    small.close()


def test_fitting_keeps_the_system_message_and_the_newest_turns():
    count = lambda msgs: sum(len(m.content) for m in msgs)  # noqa: E731 - characters stand in for tokens
    msgs = [M("system", "S" * 10)] + [
        M("user" if i % 2 == 0 else "assistant", f"{i}" * 50) for i in range(10)
    ]
    fitted = fit_messages(msgs, count, 260)
    assert fitted[0].role == "system" and "earlier messages were dropped" in fitted[0].content
    assert fitted[-1] == msgs[-1] and count(fitted) <= 260
    assert fit_messages(msgs, count, 10_000) == msgs
    huge = fit_messages([M("user", "x" * 5000)], count, 1000)
    assert count(huge) <= 1000 and "characters" in huge[0].content


def test_long_output_keeps_head_and_tail_and_says_what_was_cut():
    text = "\n".join(f"line {i}" for i in range(10_000))
    cut = truncate_middle(text, 2000)
    assert len(cut) <= 2000 and cut.startswith("line 0\n") and cut.endswith("line 9999")
    assert "lines) cut" in cut
    assert truncate_middle("short", 100) == "short"


def test_a_looping_reply_is_detected():
    assert _looping("x = 1\n" * 14)
    assert not _looping("".join(f"x = {i}\n" for i in range(30)))


def test_chat_templates_run_sandboxed_and_fall_back_to_chatml():
    evil = "{{ ''.__class__.__mro__[1].__subclasses__() }}"
    with pytest.raises(InvalidModelFile, match="unsafe"):
        chat_template({"tokenizer.chat_template": evil}, "<s>", "</s>").render([M("user", "hi")])
    with pytest.raises(InvalidModelFile, match="does not compile"):
        chat_template({"tokenizer.chat_template": "{% for %}"}, "<s>", "</s>")
    fallback = chat_template({}, "", "")
    assert fallback.is_fallback
    assert fallback.render([M("user", "hi")]) == "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n"


def test_the_models_own_template_is_used(engine):
    assert not engine.template.is_fallback
    assert engine.template.render([M("user", "hi")]).endswith("<|im_start|>assistant\n")


def test_a_file_llama_cpp_cannot_load_is_one_clear_error(tmp_path):
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"GGUF" + b"\0" * 100)
    with pytest.raises(LoadError, match=r"llama\.cpp could not load"):
        LocalEngine(bad, LoadOptions(n_ctx=256))


def test_a_prompt_of_hundreds_of_tokens_evaluates_without_crashing_the_process(smollm2_path):
    # llama.cpp's AMX repack path kills the process (SIGSEGV) on the first batch of a few hundred tokens
    # on a Sapphire Rapids CPU; in a subprocess, so that a crash fails this test instead of the run.
    code = (
        "import sys\n"
        "from localinterp.engine.local import LoadOptions, load_llama\n"
        "llm = load_llama(__import__('pathlib').Path(sys.argv[1]), LoadOptions(n_ctx=1024))\n"
        "tokens = llm.tokenize(b'def fib(n):\\n    return n\\n' * 40)\n"
        "llm.eval(tokens)\n"
        "print('evaluated', len(tokens))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(smollm2_path)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert int(done.stdout.split()[-1]) > 300


@pytest.mark.parametrize(
    ("value", "expected"), [("", None), ("auto", None), ("on", True), ("1", True), ("off", False)]
)
def test_cpu_repacking_is_on_off_or_left_to_the_engine(value, expected, monkeypatch):
    monkeypatch.setenv(ENV_CPU_REPACK, value)
    assert cpu_repack() is expected


def test_a_cpu_repack_value_that_is_no_choice_is_one_clear_error(monkeypatch):
    monkeypatch.setenv(ENV_CPU_REPACK, "maybe")
    with pytest.raises(BadInput, match="LOCALINTERP_CPU_REPACK='maybe' is not a choice: set it to on, off"):
        cpu_repack()


def test_the_engine_loads_with_what_the_planner_chose(smollm2_path):
    from localinterp.hardware import probe
    from localinterp.models.resolve import resolve
    from localinterp.plan import make_plan

    resolved = resolve(str(smollm2_path))
    plan = make_plan(resolved.specs, probe(llama_cpp=False), ctx=1024)
    engine = LocalEngine(smollm2_path, LoadOptions.from_plan(plan))
    assert engine.n_ctx == plan.context_window == 1024
    engine.close()


def test_json_mode_replies_are_valid_json_calls_or_messages(engine):
    import json

    from localinterp.engine.languages import aliases

    system = M(
        "system", 'Reply with one JSON object: {"language": "python", "code": "..."} or {"message": "..."}.'
    )
    for prompt in ("Print hello world in Python.", "What is the capital of France?", "List the files here."):
        events, end = reply(engine, [system, M("user", prompt)], max_tokens=150, sampling=GREEDY, mode="json")
        data = json.loads(end.text)
        assert set(data) in ({"message"}, {"language", "code"}), data
        if "code" in data:
            assert data["language"] in aliases(["python", "shell"])
            assert events[-2] == CodeEnd(canonical(data["language"]), data["code"])


def test_a_quantized_kv_cache_loads_with_flash_attention_and_is_refused_without(smollm2_path):
    engine = LocalEngine(smollm2_path, LoadOptions(n_ctx=512, flash_attn=True, kv_type="q8_0"))
    _, end = reply(engine, [M("user", "Say hi.")], max_tokens=5, sampling=GREEDY)
    assert end.stats.generated_tokens >= 1
    engine.close()
    with pytest.raises(BadInput, match="needs --flash-attn"):
        LocalEngine(smollm2_path, LoadOptions(n_ctx=512, kv_type="q8_0"))
