"""Engine speed, measured in one run on one model: ratios against raw llama-cpp-python, not wall times.

Prints
- localinterp tokens/s / raw llama-cpp-python tokens/s (same prompt, greedy, same token budget; goal >= 0.98)
- grammar-constrained tokens/s / unconstrained tokens/s (goal >= 0.95)
- turn 5: prompt tokens evaluated / tokens new in turn 5 (goal <= 1.05: earlier turns come from the KV cache)
- time to first token, cold (turn 1) and warm (turn 5)

Usage: python scripts/bench_engine.py [MODEL.gguf] [--tokens 256] [--ctx 4096] [--gpu-layers 0] [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

PROMPT = "Write a long, detailed story about a lighthouse keeper who learns to program. Use many paragraphs."
CODE_PROMPT = "Write a Python module with five small utility functions, each in its own fenced code block."
SYSTEM = "You are a helpful assistant. When asked for code, answer with one fenced code block."
TURNS = [
    "Write Python code that prints the first 10 square numbers.",
    "Now make it print cubes instead.",
    "Add a comment at the top explaining what it does.",
    "Make the count a variable n set to 12.",
    "Finally, print the sum of all of them at the end.",
]


def raw_tokens_per_s(llm, prompt: str, n: int, grammar=None) -> float:
    """llama-cpp-python's own completion loop, streaming, greedy (with its grammar support if given)."""
    llm.reset()
    count, first, end = 0, 0.0, 0.0
    chunks = llm.create_completion(
        prompt, max_tokens=n, temperature=0.0, repeat_penalty=1.0, stream=True, grammar=grammar
    )
    for _chunk in chunks:
        count += 1
        now = time.perf_counter()
        first = first or now
        end = now
    return (count - 1) / (end - first) if count > 1 else 0.0


def main() -> int:
    from fetch_test_models import fetch_test_model

    from localinterp.engine.local import LoadOptions, LocalEngine
    from localinterp.engine.types import ChatMessage, Sampling, TurnEnd

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", nargs="?", type=Path)
    parser.add_argument("--tokens", type=int, default=256)
    parser.add_argument("--ctx", type=int, default=4096)
    parser.add_argument("--gpu-layers", type=int, default=0)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    path = args.model or fetch_test_model("smollm2")
    engine = LocalEngine(
        path, LoadOptions(n_ctx=args.ctx, n_gpu_layers=args.gpu_layers), languages=("python", "shell")
    )
    greedy = Sampling(temperature=0.0, repeat_penalty=1.0)
    messages = [ChatMessage("user", PROMPT)]
    prompt_text = engine.template.render(messages)

    def ours(msgs: list, constrained: bool) -> float:
        engine._llm.reset()  # cold KV cache, like the raw run
        *_, end = engine.chat(msgs, max_tokens=args.tokens, sampling=greedy, constrained=constrained)
        assert isinstance(end, TurnEnd)
        return end.stats.tokens_per_s

    from llama_cpp import LlamaGrammar

    from localinterp.engine.grammar import code_block_grammar

    full_mask = LlamaGrammar.from_string(code_block_grammar(engine.languages), verbose=False)
    code_messages = [ChatMessage("user", CODE_PROMPT)]
    code_prompt = engine.template.render(code_messages)
    ratios, grammar_ratios, code_ratios, naive_ratios = [], [], [], []
    for _ in range(args.runs):
        raw = raw_tokens_per_s(engine._llm, prompt_text, args.tokens)
        free, constrained = ours(messages, False), ours(messages, True)
        code_free, code_constrained = ours(code_messages, False), ours(code_messages, True)
        raw_code = raw_tokens_per_s(engine._llm, code_prompt, args.tokens)
        naive = raw_tokens_per_s(engine._llm, code_prompt, args.tokens, grammar=full_mask)
        ratios.append(free / raw)
        grammar_ratios.append(constrained / free)
        code_ratios.append(code_constrained / code_free)
        naive_ratios.append(naive / raw_code)
        print(
            f"story: raw {raw:6.1f} tok/s, localinterp {free:6.1f}, constrained {constrained:6.1f} | "
            f"code: localinterp {code_free:6.1f}, constrained {code_constrained:6.1f}, "
            f"raw {raw_code:6.1f}, raw with grammar {naive:6.1f}"
        )

    engine._llm.reset()
    conversation = [ChatMessage("system", SYSTEM)]
    stats = []
    for i, text in enumerate(TURNS):
        conversation.append(ChatMessage("user", text))
        # New this turn: everything the KV cache does not hold yet, i.e. the user's message, the template's
        # markup around it, and the end-of-turn marker that closed the previous reply (sampled, never
        # evaluated). Anything evaluated beyond that is history read again.
        new = len(engine.prompt_tokens(conversation)) - len(engine.cached_tokens)
        *_, end = engine.chat(conversation, max_tokens=160, sampling=greedy)
        assert isinstance(end, TurnEnd)
        stats.append((end.stats, new))
        conversation.append(ChatMessage("assistant", end.text))
        print(
            f"turn {i + 1}: prompt {end.stats.prompt_tokens}, reused {end.stats.reused_tokens}, "
            f"evaluated {end.stats.evaluated_tokens}, new {new}, "
            f"first token {end.stats.time_to_first_token_s * 1000:.0f} ms"
        )
    turn5, new5 = stats[-1]
    print()
    print(f"localinterp / raw llama-cpp-python tokens/s: {statistics.median(ratios):.3f} (goal >= 0.98)")
    print(
        f"constrained / unconstrained tokens/s:        {statistics.median(grammar_ratios):.3f} story, "
        f"{statistics.median(code_ratios):.3f} code (goal >= 0.95)"
    )
    print(
        f"  for comparison, llama-cpp-python's grammar (full mask per token): {statistics.median(naive_ratios):.3f}"
    )
    print(
        f"turn 5 evaluated / new tokens:               {turn5.evaluated_tokens / max(new5, 1):.3f} (goal <= 1.05)"
    )
    print(
        f"time to first token: turn 1 {stats[0][0].time_to_first_token_s * 1000:.0f} ms, "
        f"turn 5 {turn5.time_to_first_token_s * 1000:.0f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
