"""The GBNF grammars (llama.cpp's format) that keep a reply's code well formed.

A reply is prose and fenced blocks. A fence names a language that has a runner here (any of its usual
tags: ```py, ```bash, ...), or is display-only (untagged, ```text, ```output, ```json, ...: shown, never
run). A runnable block is always closed; a display block may be the end of the reply, so a model that
wants to stop while quoting something can. Prose and code may hold one or two backticks in a row, never
three. The JSON mode's grammar (see jsoncall.py) admits one object: a message, or a call with a language
and code.
"""

from __future__ import annotations

from collections.abc import Sequence

from localinterp.engine.languages import DISPLAY_TAGS, aliases


def _literal(tag: str) -> str:
    return '"' + tag.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _tags(languages: Sequence[str]) -> list[str]:
    """Every fence tag of `languages`, longest first (so `python` is tried before `py`)."""
    tags = sorted(set(aliases(list(languages))), key=lambda t: (-len(t), t))
    if not tags:
        raise ValueError("a grammar needs at least one language")
    return tags


def code_block_grammar(languages: Sequence[str]) -> str:
    """A GBNF grammar for prose with code blocks in `languages` (canonical names) and display blocks."""
    tags = _tags(languages)
    shown = sorted(set(DISPLAY_TAGS) - set(tags), key=lambda t: (-len(t), t))
    return "\n".join(
        [
            # One or two backticks are fine anywhere (a reply may even end with them); a third starts a fence.
            'root ::= text (block text)* (("`" | "``") | shown-open)?',
            'text ::= ([^`] | "`" [^`] | "``" [^`])*',
            'block ::= "```" tag "\\n" code "```" | shown-open "```"',
            "tag ::= " + " | ".join(_literal(t) for t in tags),
            # An untagged fence is display-only too: "```" then the newline.
            'shown-open ::= "```" shown-tag? "\\n" code',
            "shown-tag ::= " + " | ".join(_literal(t) for t in shown),
            'code ::= ([^`] | "`" [^`] | "``" [^`])*',
        ]
    )


def code_first_grammar(languages: Sequence[str]) -> str:
    """A GBNF grammar for a reply that is one runnable block from its first character: what a model gets
    when it must run code (Session.send: a check when no code has run for the request, a look asked
    again). Without it the 0.5B answered a check with the same page of mental arithmetic three times
    (multiply: 0 of 3 runs)."""
    tags = _tags(languages)
    return "\n".join(
        [
            # Text may follow the block (the turn ends when it closes): a model whose closing token is
            # "```\n" would otherwise be pushed into "``" and write on inside the block.
            'root ::= "```" tag "\\n" code "```" code',
            "tag ::= " + " | ".join(_literal(t) for t in tags),
            'code ::= ([^`] | "`" [^`] | "``" [^`])*',
        ]
    )


def json_call_grammar(languages: Sequence[str]) -> str:
    """GBNF for one JSON object: a message, or code in one of `languages` (canonical names)."""
    tags = _tags(languages)
    return "\n".join(
        [
            'root ::= "{" ws (message | call) ws "}"',
            'message ::= "\\"message\\"" ws ":" ws string',
            'call ::= "\\"language\\"" ws ":" ws lang ws "," ws "\\"code\\"" ws ":" ws string',
            "lang ::= " + " | ".join(f'"\\"{t}\\""' for t in tags),
            'string ::= "\\"" ([^"\\\\\\x00-\\x1f] | "\\\\" (["\\\\/bfnrt] | "u" [0-9a-fA-F]{4}))* "\\""',
            # Bounded whitespace: a model cannot pad forever between the tokens that matter.
            "ws ::= [ \\t\\n]{0,8}",
        ]
    )
