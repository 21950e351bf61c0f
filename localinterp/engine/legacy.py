"""Legacy GGML models (`.bin` files from before GGUF, 2023), through ctransformers, in a worker process.

llama.cpp no longer reads these files and ctransformers is unmaintained (it cannot load current GGUF
files); it stays as the optional `legacy` extra for old files only, chosen by the file's magic. There is no
grammar here, so code blocks are parsed as written (an unclosed block ends unclosed). Prefer converting the
file: llama.cpp's `convert_llama_ggml_to_gguf.py` turns llama-family GGML files into GGUF.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from localinterp.engine.blocks import BlockParser, closes_runnable
from localinterp.engine.types import DEFAULT_SAMPLING, ChatMessage, Event, Sampling, TurnEnd, TurnStats
from localinterp.errors import LoadError

# File magics (little-endian uint32 as bytes on disk) of the GGML generations.
LLAMA_MAGICS = {b"tjgg": "ggjt", b"fmgg": "ggmf", b"algg": "ggla"}
GGML_MAGIC = b"lmgg"
# Unversioned GGML files do not say which architecture they hold; their names usually do.
NAME_HINTS = (
    (("gpt2", "gpt-2", "cerebras"), "gpt2"),
    (("gptj", "gpt-j", "gpt4all-j"), "gptj"),
    (("neox", "pythia", "stablelm", "redpajama", "dolly"), "gpt_neox"),
    (("mpt",), "mpt"),
    (("starcoder", "santacoder", "wizardcoder"), "starcoder"),
    (("falcon",), "falcon"),
    (("replit",), "replit"),
    (("llama", "alpaca", "vicuna", "wizardlm", "koala", "orca"), "llama"),
)
TRANSCRIPT = "### {role}:\n{content}\n\n"
STOP = ["### User:", "### System:"]


def is_legacy_ggml(path: Path) -> bool:
    """Whether `path` starts with one of the pre-GGUF GGML magics."""
    try:
        with path.open("rb") as f:
            magic = f.read(4)
    except OSError:
        return False
    return magic == GGML_MAGIC or magic in LLAMA_MAGICS


def guess_model_type(path: Path) -> str | None:
    """ctransformers' model type for a GGML file: llama for versioned magics, else from the file name."""
    with path.open("rb") as f:
        if f.read(4) in LLAMA_MAGICS:
            return "llama"
    name = path.name.lower()
    for hints, model_type in NAME_HINTS:
        if any(h in name for h in hints):
            return model_type
    return None


def render_transcript(messages: Sequence[ChatMessage]) -> str:
    """A plain `### Role:` transcript: GGML files carry no chat template."""
    text = "".join(TRANSCRIPT.format(role=m.role.capitalize(), content=m.content) for m in messages)
    return text + "### Assistant:\n"


class LegacyEngine:
    """A GGML model served by a ctransformers worker process; yields the same events as the others."""

    def __init__(
        self,
        path: Path,
        *,
        n_ctx: int = 2048,
        model_type: str | None = None,
        languages: Sequence[str] = ("python",),
    ) -> None:
        self.path = path
        self.n_ctx = n_ctx
        self.languages = tuple(languages)
        self.model_type = model_type or guess_model_type(path)
        if self.model_type is None:
            raise LoadError(
                f"{path.name} is a legacy GGML model whose architecture its name does not reveal; name it "
                "(e.g. gpt2, gptj, gpt_neox, mpt, starcoder, falcon) or convert the model to GGUF."
            )
        self._proc: subprocess.Popen[str] | None = None
        self._start()

    def _start(self) -> None:
        cmd = [sys.executable, "-m", "localinterp.engine.legacy_worker", str(self.path), self.model_type or "",
               str(self.n_ctx)]  # fmt: skip
        self._proc = subprocess.Popen(
            cmd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            bufsize=1,
        )
        first = self._read()
        if first.get("ready"):
            return
        self._stop()
        if first.get("error") == "missing":
            raise LoadError(
                f"{self.path.name} is a legacy GGML model, which needs the optional ctransformers package: "
                "pip install 'localinterp[legacy]' (or convert the model to GGUF)."
            )
        detail = first.get("error") or f"the worker exited with code {first.get('exit')}"
        raise LoadError(
            f"ctransformers could not load {self.path.name} as a {self.model_type} model ({detail}). "
            "Convert it to GGUF (llama.cpp's convert_llama_ggml_to_gguf.py) or try another model type."
        )

    def _read(self) -> dict[str, Any]:
        assert self._proc is not None and self._proc.stdout is not None
        line = self._proc.stdout.readline()
        if not line:
            code = self._proc.wait()
            return {"exit": code}
        return json.loads(line)

    def _stop(self) -> None:
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait()
            self._proc = None

    def close(self) -> None:
        """End the worker."""
        self._stop()

    def chat(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int = 512,
        sampling: Sampling = DEFAULT_SAMPLING,
        stop: threading.Event | None = None,
        until_block: bool = False,
        force_code: bool = False,
        start: str = "",
    ) -> Iterator[Event]:
        """Stream the reply as events, ending with one TurnEnd; a stop request ends the worker (restarted
        on the next turn) so it cannot keep generating. `until_block`: end the turn (reason "block") once
        a runnable block is closed, the same way. `force_code` cannot be honoured (ctransformers takes no
        grammar): the reply is whatever the model writes. `start`: text the reply begins with, as if the
        model had written it."""
        if self._proc is None:
            self._start()
        assert self._proc is not None and self._proc.stdin is not None
        request = {
            "prompt": render_transcript(messages) + start,
            "max_new_tokens": max_tokens,
            "temperature": max(sampling.temperature, 0.0),
            "top_k": sampling.top_k if sampling.temperature > 0 else 1,
            "top_p": sampling.top_p,
            "repetition_penalty": sampling.repeat_penalty,
            "seed": sampling.seed,
            "stop": STOP,
        }
        self._proc.stdin.write(json.dumps(request) + "\n")
        self._proc.stdin.flush()
        parser = BlockParser()
        reply: list[str] = [start]
        started, first, reason, n = time.perf_counter(), 0.0, "stop", 0
        yield from parser.feed(start)
        try:
            while True:
                if stop is not None and stop.is_set():
                    reason = "interrupted"
                    self._stop()
                    break
                msg = self._read()
                if "text" in msg:
                    first = first or time.perf_counter()
                    reply.append(msg["text"])
                    events = parser.feed(msg["text"])
                    yield from events
                    if until_block and closes_runnable(events, self.languages):
                        reason = "block"
                        self._stop()
                        break
                elif msg.get("done"):
                    n = msg["tokens"]
                    reason = "length" if n >= max_tokens else "stop"
                    break
                else:
                    self._proc = None
                    raise LoadError(
                        f"ctransformers crashed running {self.path.name} as a {self.model_type} model (exit "
                        f"{msg.get('exit')}). Convert it to GGUF (llama.cpp's convert_llama_ggml_to_gguf.py)."
                    )
        except KeyboardInterrupt:
            reason = "interrupted"
            self._stop()
        yield from parser.close()
        now = time.perf_counter()
        yield TurnEnd(
            reason,
            TurnStats(
                generated_tokens=n or len(reply),
                time_to_first_token_s=(first - started) if first else 0.0,
                generation_s=(now - first) if first else 0.0,
            ),
            "".join(reply),
        )
