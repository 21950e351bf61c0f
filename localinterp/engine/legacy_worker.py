"""The legacy GGML worker: ctransformers in its own process.

ctransformers aborts the whole process on some files (a C++ exception escapes), so it never runs inside
localinterp's own process. Protocol, one JSON object per line: the parent writes a request, the worker
answers `{"text": ...}` pieces and then `{"done": ..., "tokens": n}`; load errors are `{"error": ...}`.
"""

from __future__ import annotations

import json
import sys


def main() -> int:
    """Load the model named by argv, then serve requests from stdin until it closes."""
    path, model_type, context_length = sys.argv[1], sys.argv[2], int(sys.argv[3])
    out = sys.stdout

    def send(obj: dict) -> None:
        out.write(json.dumps(obj) + "\n")
        out.flush()

    try:
        from ctransformers import AutoModelForCausalLM
    except ImportError:
        send({"error": "missing"})
        return 3
    try:
        llm = AutoModelForCausalLM.from_pretrained(path, model_type=model_type, context_length=context_length)
    except (OSError, ValueError, RuntimeError) as e:
        send({"error": str(e)})
        return 4
    send({"ready": True})
    for line in sys.stdin:
        req = json.loads(line)
        n = 0
        for piece in llm(
            req["prompt"],
            stream=True,
            max_new_tokens=req["max_new_tokens"],
            temperature=req["temperature"],
            top_k=req["top_k"],
            top_p=req["top_p"],
            repetition_penalty=req["repetition_penalty"],
            seed=req["seed"],
            stop=req["stop"],
        ):
            n += 1
            send({"text": piece})
        send({"done": True, "tokens": n})
    return 0


if __name__ == "__main__":
    sys.exit(main())
