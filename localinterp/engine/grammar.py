"""The GBNF grammar (llama.cpp's format) that keeps a reply's code blocks well formed.

A reply is prose and fenced blocks. Every fence names a language that has a runner here (any of its
usual tags: ```py, ```bash, ...), and every opened block is closed: the end of the turn is only allowed
outside a block. Prose and code may hold one or two backticks in a row, never three.
"""

from __future__ import annotations

from collections.abc import Sequence

from localinterp.engine.languages import aliases


def _literal(tag: str) -> str:
    return '"' + tag.replace("\\", "\\\\").replace('"', '\\"') + '"'


def code_block_grammar(languages: Sequence[str]) -> str:
    """A GBNF grammar for prose with code blocks in `languages` (canonical names)."""
    tags = sorted(set(aliases(list(languages))), key=lambda t: (-len(t), t))
    if not tags:
        raise ValueError("a code-block grammar needs at least one language")
    return "\n".join(
        [
            # One or two backticks are fine anywhere (a reply may even end with them); a third starts a fence.
            'root ::= text (block text)* ("`" | "``")?',
            'text ::= ([^`] | "`" [^`] | "``" [^`])*',
            'block ::= "```" tag "\\n" code "```"',
            "tag ::= " + " | ".join(_literal(t) for t in tags),
            'code ::= ([^`] | "`" [^`] | "``" [^`])*',
        ]
    )
