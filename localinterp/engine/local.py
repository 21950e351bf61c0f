"""The local backend: llama.cpp through llama-cpp-python, loaded the way the planner decided.

The generation loop is our own, over llama-cpp-python's thin bindings, for three reasons:
- the KV cache is kept across turns: each turn evaluates only the tokens after the longest prefix the
  cache already holds (the rendered conversation usually shares everything up to the new message);
- grammar-constrained sampling checks the sampled token against the grammar first and applies the full
  grammar mask only when it is rejected, as llama.cpp's own `common_sampler` does. A grammar in the
  sampler chain would mask the whole vocabulary on every token, which costs ~40 % of the throughput;
- llama.cpp's log goes to `logging` (logger `localinterp.llama_cpp`) through its log callback, instead of
  `verbose=False`, which points file descriptors 1 and 2 at /dev/null and would blank a live display.

Loading also reaches one thing llama-cpp-python does not expose: llama.cpp's tensor buffer-type overrides,
which keep a mixture-of-experts model's routed experts in RAM (`--n-cpu-moe`); see `_experts_in_ram`.
"""

from __future__ import annotations

import codecs
import contextlib
import ctypes
import io
import logging
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from localinterp.engine.blocks import BlockParser, closes_runnable
from localinterp.engine.context import fit_messages
from localinterp.engine.grammar import code_block_grammar, code_first_grammar, json_call_grammar
from localinterp.engine.jsoncall import JsonCallParser
from localinterp.engine.template import ChatTemplate, chat_template
from localinterp.engine.types import DEFAULT_SAMPLING, ChatMessage, Event, Sampling, TurnEnd, TurnStats
from localinterp.errors import InvalidModelFile, LoadError
from localinterp.plan import load_settings
from localinterp.settings import cpu_repack

if TYPE_CHECKING:
    from localinterp.plan import Plan

log = logging.getLogger("localinterp.llama_cpp")
# ggml_log_level in the vendored ggml.h: 1 debug, 2 info, 3 warn, 4 error, 5 continues the previous line.
_LEVELS = {1: logging.DEBUG, 2: logging.INFO, 3: logging.WARNING, 4: logging.ERROR}
_log_callback: Any = None  # kept referenced: llama.cpp holds only a C pointer to it
# ggml_type ids of the KV cache types llama.cpp accepts for type_k / type_v.
KV_TYPES = {"f16": 1, "q8_0": 8, "q4_0": 2}
REPEATED_LINES_LIMIT = 12  # the same non-blank line this many times in a row ends the turn
BLANK_LINES_LIMIT = 8  # so do this many blank lines in a row (a model stuck in a block writes newlines)
# And a cycle of this many lines or fewer, written three times running: asked for 40341 times 24902, the
# 0.5B rewrote four lines of LaTeX (`40341 \times (25000 - 2) = ...`) with small changes until its tokens
# ran out, 29 s, and never wrote a block (multiply, fresh seed 61000; the cycle held three times only at
# its end).
CYCLE_LINES_LIMIT = 8


@dataclass(frozen=True)
class LoadOptions:
    """How to load: what plan.py decided, in llama.cpp's terms."""

    n_ctx: int
    n_gpu_layers: int = 0
    n_threads: int | None = None
    n_batch: int = 512
    n_ubatch: int = 512
    flash_attn: bool = False
    kv_type: str = "f16"  # f16 | q8_0 | q4_0 (quantized V needs flash attention in llama.cpp)
    rpc_servers: tuple[str, ...] = ()  # llama.cpp rpc-server endpoints lending devices (engine/rpc.py)
    n_cpu_moe: int = 0  # the first N layers keep their routed experts in RAM (llama.cpp's --n-cpu-moe)

    @classmethod
    def from_plan(
        cls, plan: Plan, n_threads: int | None = None, rpc_servers: tuple[str, ...] = ()
    ) -> LoadOptions:
        """The options the planner chose: its context window, GPU layers and load settings."""
        return cls(
            n_ctx=plan.context_window,
            n_gpu_layers=plan.gpu_layers,
            n_threads=n_threads,
            n_batch=plan.settings.n_batch,
            n_ubatch=plan.settings.n_ubatch,
            flash_attn=plan.settings.flash_attn,
            kv_type=plan.settings.kv_type,
            rpc_servers=rpc_servers,
            n_cpu_moe=plan.n_cpu_moe,
        )


def _route_llama_logs() -> None:
    global _log_callback
    if _log_callback is not None:
        return
    import llama_cpp

    last = [logging.DEBUG]

    @llama_cpp.llama_log_callback
    def callback(level: int, text: bytes, _user: ctypes.c_void_p) -> None:
        lvl = _LEVELS.get(level, last[0])  # level 5 continues the previous line
        last[0] = lvl
        if log.isEnabledFor(lvl):
            log.log(lvl, text.decode("utf-8", errors="replace").rstrip("\n"))

    llama_cpp.llama_log_set(callback, ctypes.c_void_p(0))
    _log_callback = callback


def load_llama(path: Path, options: LoadOptions) -> Any:
    """A llama_cpp.Llama loaded with `options`: the one place that builds one (the engine, bench workers)."""
    import llama_cpp

    _route_llama_logs()
    kwargs: dict[str, Any] = {
        "model_path": str(path),
        "n_ctx": options.n_ctx,
        "n_gpu_layers": options.n_gpu_layers,
        "n_batch": options.n_batch,
        "n_ubatch": options.n_ubatch,
        "flash_attn": options.flash_attn,
        "verbose": True,  # see the module docstring: False would redirect file descriptors
    }
    if options.kv_type != "f16":
        load_settings(flash_attn=options.flash_attn, kv_type=options.kv_type)  # checks the pair
        kwargs["type_k"] = kwargs["type_v"] = KV_TYPES[options.kv_type]
    if options.rpc_servers:
        from localinterp.engine.rpc import add_rpc_servers

        add_rpc_servers(options.rpc_servers)  # their devices then take layers like local GPUs
    if options.n_threads:
        kwargs["n_threads"] = kwargs["n_threads_batch"] = options.n_threads
    captured = io.StringIO()
    overrides = _experts_in_ram(options.n_cpu_moe) if options.n_cpu_moe > 0 else None
    try:
        with contextlib.redirect_stderr(captured), model_params(overrides, repacking()):  # prints on load
            llm = llama_cpp.Llama(**kwargs)
    except ValueError as e:
        raise LoadError(
            f"llama.cpp could not load {path} ({e}); see the log with LOCALINTERP_DEBUG=1."
        ) from None
    finally:
        for line in captured.getvalue().splitlines():
            log.debug(line)
    # From here on its `verbose` only adds prints (timings after each completion); our log has them.
    llm.verbose = False
    return llm


# A llama_model_tensor_buft_override of llama.h: a regex over tensor names and the buffer type they go to.
class _BuftOverride(ctypes.Structure):
    _fields_ = (("pattern", ctypes.c_char_p), ("buft", ctypes.c_void_p))


_params_lock = threading.Lock()  # one load at a time may change how llama-cpp-python builds model params


def _experts_in_ram(n_cpu_moe: int) -> ctypes.Array[_BuftOverride]:
    """Overrides that put the routed experts of layers 0..n_cpu_moe-1 in the CPU's buffer type, one pattern
    per layer as llama.cpp's --n-cpu-moe writes them, NULL-terminated."""
    import llama_cpp
    from llama_cpp._ctypes_extensions import load_shared_library

    from localinterp.gguf import EXPERT_TENSORS

    libs = Path(llama_cpp.__file__).parent / "lib"
    try:
        ggml, base = load_shared_library("ggml", libs), load_shared_library("ggml-base", libs)
        ggml.ggml_backend_dev_by_type.restype = ctypes.c_void_p
        ggml.ggml_backend_dev_by_type.argtypes = (ctypes.c_int,)
        base.ggml_backend_dev_buffer_type.restype = ctypes.c_void_p
        base.ggml_backend_dev_buffer_type.argtypes = (ctypes.c_void_p,)
        cpu = ggml.ggml_backend_dev_by_type(0)  # GGML_BACKEND_DEVICE_TYPE_CPU
        buft = base.ggml_backend_dev_buffer_type(cpu) if cpu else None
    except (OSError, AttributeError, RuntimeError, FileNotFoundError) as e:
        raise LoadError(
            f"this llama-cpp-python cannot keep experts in RAM ({e}); load with --n-cpu-moe 0."
        ) from None
    if not buft:
        raise LoadError("llama.cpp reports no CPU device to keep experts in; load with --n-cpu-moe 0.")
    limit = llama_cpp.llama_max_tensor_buft_overrides()
    if n_cpu_moe >= limit:
        raise LoadError(
            f"--n-cpu-moe {n_cpu_moe} is more layers than llama.cpp takes overrides for ({limit - 1})."
        )
    array = (_BuftOverride * (n_cpu_moe + 1))()
    for layer in range(n_cpu_moe):
        array[layer] = _BuftOverride(rf"blk\.{layer}{EXPERT_TENSORS}".encode(), buft)
    return array  # the last entry stays zero: the terminator


def repacking() -> bool:
    """Whether llama.cpp may repack weights into its extra CPU buffer types: as LOCALINTERP_CPU_REPACK
    says, else wherever its AMX path (below) is not built in."""
    chosen = cpu_repack()
    return not _has_amx() if chosen is None else chosen


def _has_amx() -> bool:
    """Whether this llama.cpp would repack weights for the CPU's AMX units. Its AMX path crashes the
    process (SIGSEGV in the first batch of more than a few tokens: a 320-token prompt on a Sapphire Rapids
    Xeon with a native build of llama-cpp-python 0.3.36, for SmolLM2 Q4_1 and Qwen2.5 Q4_K_M alike;
    ggml-org/llama.cpp#20824, closed unfixed), so where it is built in, the extra buffer types are left
    off by default: the weights stay mapped from the file, as on any CPU without repacking."""
    import llama_cpp

    return b"AMX_INT8 = 1" in llama_cpp.llama_print_system_info()


@contextlib.contextmanager
def model_params(overrides: ctypes.Array[_BuftOverride] | None, repack: bool = True) -> Iterator[None]:
    """While a Llama is built, have its model params carry `overrides` and `repack` (use_extra_bufts).
    llama-cpp-python builds them from llama_model_default_params() inside Llama.__init__ and offers no
    argument for these fields, so that one function is wrapped for the duration (and the array outlives
    the load, which is all llama.cpp reads)."""
    if overrides is None and repack:
        yield
        return
    import llama_cpp.llama_cpp as bindings

    with _params_lock:
        original = bindings.llama_model_default_params

        def with_overrides() -> Any:
            params = original()
            if overrides is not None:
                params.tensor_buft_overrides = ctypes.cast(overrides, ctypes.c_void_p)
            if not repack:
                params.use_extra_bufts = False
            return params

        bindings.llama_model_default_params = with_overrides
        try:
            yield
        finally:
            bindings.llama_model_default_params = original


class LocalEngine:
    """A loaded GGUF model that turns conversations into event streams."""

    def __init__(self, path: Path, options: LoadOptions, *, languages: Sequence[str] = ("python",)) -> None:
        import llama_cpp

        self.path = path
        self.options = options
        self.languages = tuple(languages)
        self._llm = load_llama(path, options)
        self._ctx = self._llm._ctx.ctx
        self._vocab = llama_cpp.llama_model_get_vocab(self._llm._model.model)
        self.n_vocab = llama_cpp.llama_vocab_n_tokens(self._vocab)
        self.n_ctx = self._llm.n_ctx()
        self._pieces: dict[int, bytes] = {}
        self.template: ChatTemplate = chat_template(
            self._llm.metadata, self._text(self._llm.token_bos()), self._text(self._llm.token_eos())
        )
        self._grammars = (
            {
                "fences": code_block_grammar(self.languages),
                "json": json_call_grammar(self.languages),
                "code": code_first_grammar(self.languages),
            }
            if self.languages
            else {}
        )
        self._candidates = llama_cpp._internals.LlamaTokenDataArray(n_vocab=self.n_vocab)
        # The one-token array the grammar check uses, allocated once: this runs for every token.
        self._single = (llama_cpp.llama_token_data * 1)()
        self._check = llama_cpp.llama_token_data_array(self._single, 1, -1, False)
        self._check_ref = ctypes.byref(self._check)

    # -- tokens --------------------------------------------------------------------------------------

    def _text(self, token: int) -> str:
        return self._piece(token, special=True).decode("utf-8", errors="replace") if token >= 0 else ""

    def _piece(self, token: int, special: bool = False) -> bytes:
        key = token if not special else -token - 1
        piece = self._pieces.get(key)
        if piece is None:
            import llama_cpp

            buf = ctypes.create_string_buffer(256)
            n = llama_cpp.llama_token_to_piece(self._vocab, token, buf, len(buf), 0, special)
            piece = buf.raw[: max(n, 0)]
            self._pieces[key] = piece
        return piece

    def tokenize(self, text: str) -> list[int]:
        """Tokens of a rendered prompt: special tokens parsed, BOS added when the model wants one and the
        template did not write it."""
        tokens = self._llm.tokenize(text.encode("utf-8"), add_bos=False, special=True)
        bos = self._llm.token_bos()
        if self._llm._model.add_bos_token() and bos >= 0 and (not tokens or tokens[0] != bos):
            tokens.insert(0, bos)
        return tokens

    def prompt_tokens(self, messages: Sequence[ChatMessage]) -> list[int]:
        """The conversation as the model sees it, ready for the reply."""
        return self.tokenize(self.template.render(messages))

    def count_tokens(self, messages: Sequence[ChatMessage]) -> int:
        """How many tokens the conversation takes in the context window."""
        return len(self.prompt_tokens(messages))

    @property
    def cached_tokens(self) -> list[int]:
        """The tokens whose keys and values are in the KV cache now."""
        return list(self._llm._input_ids[: self._llm.n_tokens])

    # -- sampling ------------------------------------------------------------------------------------

    def _chain(self, sampling: Sampling) -> Any:
        import llama_cpp

        params = llama_cpp.llama_sampler_chain_default_params()
        chain = llama_cpp.llama_sampler_chain_init(params)
        add = llama_cpp.llama_sampler_chain_add
        # top-k first: the penalty sampler scans what it is given, and the whole vocabulary is slow.
        add(chain, llama_cpp.llama_sampler_init_top_k(sampling.top_k))
        if sampling.repeat_penalty != 1.0:
            penalties = llama_cpp.llama_sampler_init_penalties(
                self.n_vocab, sampling.repeat_last_n, sampling.repeat_penalty, 0.0, 0.0
            )
            add(chain, penalties)
        if sampling.temperature <= 0:
            add(chain, llama_cpp.llama_sampler_init_greedy())
        else:
            add(chain, llama_cpp.llama_sampler_init_top_p(sampling.top_p, 1))
            add(chain, llama_cpp.llama_sampler_init_min_p(sampling.min_p, 1))
            add(chain, llama_cpp.llama_sampler_init_temp(sampling.temperature))
            add(chain, llama_cpp.llama_sampler_init_dist(sampling.seed))
        return chain

    def _grammar(self, mode: str) -> Any:
        import llama_cpp

        grammar = llama_cpp.llama_sampler_init_grammar(self._vocab, self._grammars[mode].encode(), b"root")
        if not grammar:
            raise InvalidModelFile("llama.cpp rejected the code-block grammar for this model's vocabulary.")
        return grammar

    def _sample(self, chain: Any, grammar: Any) -> tuple[int, bool]:
        """One token: sampled freely, then checked against the grammar; resampled under it if rejected."""
        import llama_cpp
        import numpy as np

        cand = self._candidates
        logits = np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(self._ctx, -1), shape=(self.n_vocab,))
        cand.copy_logits(logits)
        arr = ctypes.byref(cand.candidates)
        llama_cpp.llama_sampler_apply(chain, arr)
        token = int(cand.candidates_data.id[cand.candidates.selected])
        if grammar is None:
            return token, False
        single, check = self._single, self._check
        single[0].id, single[0].logit, single[0].p = token, 1.0, 0.0
        check.size, check.selected, check.sorted = 1, -1, False
        llama_cpp.llama_sampler_apply(grammar, self._check_ref)
        if single[0].logit != float("-inf"):
            return token, False
        cand.copy_logits(logits)
        llama_cpp.llama_sampler_apply(grammar, arr)
        llama_cpp.llama_sampler_apply(chain, arr)
        return int(cand.candidates_data.id[cand.candidates.selected]), True

    # -- the turn ------------------------------------------------------------------------------------

    def chat(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int = 1024,
        sampling: Sampling = DEFAULT_SAMPLING,
        constrained: bool = True,
        stop: threading.Event | None = None,
        mode: str = "fences",
        until_block: bool = False,
        force_code: bool = False,
        start: str = "",
    ) -> Iterator[Event]:
        """Stream the model's reply to `messages` as events, ending with one TurnEnd.

        `mode` "fences": prose with fenced code blocks; "json": one JSON object per reply, a message or a
        {"language", "code"} call (jsoncall.py), for models that prefer tool calls.
        `until_block`: end the turn (reason "block") as soon as a runnable block is closed, so it can run
        and its real output come back before the model writes another word about it.
        `force_code` (fences mode, constrained): the reply is one runnable block from its first token.
        `start`: text the reply begins with, as if the model had written it (the opening of a block it was
        handed, Session.send); it must be text the grammar admits at the start of a reply.

        The conversation is trimmed to fit the window (see context.py); Ctrl-C or `stop` ends the turn
        with reason "interrupted" and the reply so far kept.
        """
        import llama_cpp

        if start and mode != "fences":  # the JSON grammar admits no fence: accepting one would abort
            raise ValueError("only a fences-mode reply can be begun with a start")
        max_tokens = max(1, min(max_tokens, self.n_ctx // 2))
        fitted = fit_messages(messages, self.count_tokens, self.n_ctx - max_tokens)
        llm = self._llm
        # Tokenized as text: a start is model-facing content and must not turn into control tokens.
        begun = llm.tokenize(start.encode("utf-8"), add_bos=False, special=False) if start else []
        tokens = self.prompt_tokens(fitted) + begun
        cached = llm._input_ids[: llm.n_tokens]
        reuse = 0
        for a, b in zip(cached, tokens, strict=False):
            if a != b:
                break
            reuse += 1
        reuse = min(reuse, len(tokens) - 1)  # at least one token is evaluated, to get fresh logits

        chain = self._chain(sampling)
        if mode not in ("fences", "json"):
            raise ValueError(f"unknown reply mode {mode!r}")
        grammar_mode = "code" if force_code and mode == "fences" else mode
        grammar = self._grammar(grammar_mode) if constrained and self._grammars else None
        parser: BlockParser | JsonCallParser = BlockParser() if mode == "fences" else JsonCallParser()
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        reply: list[str] = []
        generated = resamples = 0
        reason = "length"
        started = time.perf_counter()
        first_token_at = 0.0
        try:
            if grammar is not None:  # the grammar goes on from after the start (no penalty: it is copied)
                for token in begun:
                    llama_cpp.llama_sampler_accept(grammar, token)
            if start:
                reply.append(start)
                yield from parser.feed(start)
            llm.n_tokens = reuse
            llm.eval(tokens[reuse:])
            while generated < max_tokens:
                if stop is not None and stop.is_set():
                    reason = "interrupted"
                    break
                token, resampled = self._sample(chain, grammar)
                resamples += resampled
                llama_cpp.llama_sampler_accept(chain, token)
                if grammar is not None:
                    llama_cpp.llama_sampler_accept(grammar, token)
                generated += 1
                if generated == 1:
                    first_token_at = time.perf_counter()
                if llama_cpp.llama_vocab_is_eog(self._vocab, token):
                    reason = "stop"
                    break
                text = decoder.decode(self._piece(token))
                if text:
                    reply.append(text)
                    events = parser.feed(text)
                    yield from events
                    if until_block and closes_runnable(events, self.languages):
                        reason = "block"
                        break
                    if "\n" in text and _looping("".join(reply)):
                        reason = "repetition"
                        break
                if llm.n_tokens >= self.n_ctx:
                    reason = "context"
                    break
                llm.eval([token])
        except KeyboardInterrupt:
            reason = "interrupted"
        finally:
            llama_cpp.llama_sampler_free(chain)
            if grammar is not None:
                llama_cpp.llama_sampler_free(grammar)
        tail = decoder.decode(b"", final=True)
        if tail:
            reply.append(tail)
            yield from parser.feed(tail)
        yield from parser.close()
        now = time.perf_counter()
        log.debug("turn: %d tokens, %d resampled under the grammar", generated, resamples)
        yield TurnEnd(
            reason,
            TurnStats(
                prompt_tokens=len(tokens),
                reused_tokens=reuse,
                evaluated_tokens=len(tokens) - reuse,
                generated_tokens=generated,
                time_to_first_token_s=(first_token_at - started) if generated else 0.0,
                generation_s=(now - first_token_at) if generated else 0.0,
            ),
            "".join(reply),
        )

    def close(self) -> None:
        """Free the model and its context now rather than at garbage collection."""
        self._llm.close()


def _looping(reply: str) -> bool:
    """Whether the reply ends with the same non-blank line REPEATED_LINES_LIMIT times in a row, with a
    cycle of up to CYCLE_LINES_LIMIT lines written over at least REPEATED_LINES_LIMIT lines (three times at
    least), or with BLANK_LINES_LIMIT blank lines."""
    tail = reply[-4 * BLANK_LINES_LIMIT :].split("\n")
    if len(tail) > BLANK_LINES_LIMIT and all(not ln.strip() for ln in tail[-BLANK_LINES_LIMIT - 1 :]):
        return True
    lines = [ln.strip() for ln in reply.splitlines() if ln.strip()][:-1]  # complete: the newest may grow
    for period in range(1, CYCLE_LINES_LIMIT + 1):
        window = lines[-max(REPEATED_LINES_LIMIT, 3 * period) :]
        if len(window) >= max(REPEATED_LINES_LIMIT, 3 * period) and all(
            window[k] == window[k + period] for k in range(len(window) - period)
        ):
            return True
    return False
