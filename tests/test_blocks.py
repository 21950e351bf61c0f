"""The streaming split of a reply into prose and code blocks, and the grammar that keeps blocks well formed."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from localinterp.engine.blocks import BlockParser
from localinterp.engine.grammar import code_block_grammar
from localinterp.engine.languages import available, canonical
from localinterp.engine.types import CodeDelta, CodeEnd, CodeStart, TextDelta

REPLY = "Here you go:\n```py\nprint('a `b` ``c``')\n```\nand in the shell:\n```bash\nls\n```\nDone `x`."


def parse(pieces):
    parser = BlockParser()
    events = [e for p in pieces for e in parser.feed(p)]
    return events + parser.close()


def summary(events):
    """Adjacent deltas merged, so that how the text was chunked does not matter."""
    out = []
    for e in events:
        if isinstance(e, (TextDelta, CodeDelta)) and out and type(out[-1]) is type(e):
            out[-1] = type(e)(out[-1].text + e.text)
        else:
            out.append(e)
    return out


def test_a_reply_splits_into_prose_and_blocks_with_canonical_languages():
    assert summary(parse([REPLY])) == [
        TextDelta("Here you go:\n"),
        CodeStart("python"),
        CodeDelta("print('a `b` ``c``')\n"),
        CodeEnd("python", "print('a `b` ``c``')"),
        TextDelta("\nand in the shell:\n"),
        CodeStart("shell"),
        CodeDelta("ls\n"),
        CodeEnd("shell", "ls"),
        TextDelta("\nDone `x`."),
    ]


@given(st.lists(st.integers(min_value=1, max_value=len(REPLY)), max_size=30))
def test_any_chunking_gives_the_same_events(cuts):
    points = sorted(set(cuts))
    pieces = [REPLY[a:b] for a, b in zip([0, *points], [*points, len(REPLY)], strict=True)]
    assert summary(parse(pieces)) == summary(parse([REPLY]))


def test_backticks_are_held_until_they_are_known_not_to_open_a_fence():
    parser = BlockParser()
    assert parser.feed("a ``") == [TextDelta("a ")]
    assert parser.feed("`sh\necho") == [CodeStart("shell"), CodeDelta("echo")]
    assert parser.in_code


def test_an_unclosed_block_ends_unclosed_and_an_unknown_tag_is_kept():
    assert parse(["```markdown\n# hi\n"])[-1] == CodeEnd("markdown", "# hi", closed=False)
    assert parse(["```"])[-1] == CodeEnd("text", "", closed=False)


def test_languages_have_canonical_names_and_python_is_always_available():
    assert canonical("py") == canonical("Python3") == "python"
    assert canonical("zsh") == "shell" and canonical("cobol") is None
    assert "python" in available()


def test_the_grammar_names_every_tag_of_the_allowed_languages_only():
    grammar = code_block_grammar(["python", "shell"])
    tag_rule = next(line for line in grammar.splitlines() if line.startswith("tag ::="))
    assert '"bash"' in tag_rule and '"py"' in tag_rule and '"javascript"' not in tag_rule
    with pytest.raises(ValueError):
        code_block_grammar([])


def test_a_json_call_streams_as_code_events_with_escapes_split_anywhere():
    from localinterp.engine.jsoncall import JsonCallParser

    raw = '{"language": "py", "code": "print(\\"a\\\\tb\\")\\nx = \\u00e9\\n"}'
    for cut in range(1, len(raw)):
        parser = JsonCallParser()
        events = parser.feed(raw[:cut]) + parser.feed(raw[cut:]) + parser.close()
        assert events[0] == CodeStart("python")
        assert events[-1] == CodeEnd("python", 'print("a\\tb")\nx = é\n')
        assert "".join(e.text for e in events if isinstance(e, CodeDelta)) == 'print("a\\tb")\nx = é\n'


def test_a_json_message_streams_as_text_and_an_unfinished_call_ends_unclosed():
    from localinterp.engine.jsoncall import JsonCallParser

    parser = JsonCallParser()
    assert summary(parser.feed('{"message": "Hi \\"you\\""}') + parser.close()) == [TextDelta('Hi "you"')]
    parser = JsonCallParser()
    assert parser.feed('{"language": "bash", "code": "ls')[-1] == CodeDelta("ls")
    assert parser.close() == [CodeEnd("shell", "ls", closed=False)]
    parser = JsonCallParser()  # keys in another order: understood at the end
    assert parser.feed('{"code": "1+1", "language": "python"}') == []
    assert parser.close()[-1] == CodeEnd("python", "1+1")


def test_a_run_of_blank_lines_or_of_one_repeated_line_is_a_loop():
    from localinterp.engine.local import BLANK_LINES_LIMIT, REPEATED_LINES_LIMIT, _looping

    assert _looping("```text\nsome output" + "\n" * (BLANK_LINES_LIMIT + 1))
    assert not _looping("def f():\n    pass\n\n\nprint(1)\n")  # blank lines in code are fine
    assert _looping("x = 1\n" * (REPEATED_LINES_LIMIT + 2))
    assert not _looping("x = 1\n" * (REPEATED_LINES_LIMIT - 1))


def test_a_cycle_of_a_few_lines_written_three_times_running_is_a_loop():
    # The 0.5B's multiply: four lines of LaTeX over and over until its tokens ran out.
    from localinterp.engine.local import CYCLE_LINES_LIMIT, REPEATED_LINES_LIMIT, _looping

    cycle = "   - \\(40341 \\times (25000 - 2)\\)\n     \\[\n     40341 \\times 25000\n     \\]\n"
    assert _looping("To solve this:\n" + cycle * 3 + "   - next\n")
    assert not _looping("To solve this:\n" + cycle * 2 + "   - next\n")
    # Two lines in turn count once they fill REPEATED_LINES_LIMIT lines; a cycle longer than the limit,
    # or lines that differ each time, never.
    assert _looping("a = 1\nb = 2\n" * (REPEATED_LINES_LIMIT // 2) + "c\n")
    assert not _looping("a = 1\nb = 2\n" * (REPEATED_LINES_LIMIT // 2 - 1) + "c\n")
    longer = "".join(f"line {i}\n" for i in range(CYCLE_LINES_LIMIT + 1))
    assert not _looping(longer * 3 + "end\n")
    assert not _looping("".join(f"    print(row[{i}])\n" for i in range(40)))


def test_display_fences_are_shown_as_text_and_never_runnable():
    from localinterp.engine.blocks import BlockParser, closes_runnable
    from localinterp.engine.grammar import code_block_grammar
    from localinterp.engine.languages import is_display

    events = BlockParser().feed("See:\n```\n$ ls\na.txt\n```\nand\n```json\n{}\n```\n")
    ends = [e for e in events if isinstance(e, CodeEnd)]
    assert [e.language for e in ends] == ["text", "json"] and all(is_display(e.language) for e in ends)
    assert not closes_runnable(events, ("python", "shell"))
    grammar = code_block_grammar(["python", "shell"])
    assert '"json"' in grammar and '"console"' in grammar and "shown-open" in grammar.split("\n")[0]


INDENTED = (
    "1. Read the file:\n   ```python\n   with open('a.txt') as f:\n       text = f.read()\n   print(len(text))\n   ```\n"
    "2. Then:\n  ```sh\n   ls\n x\n  ```\n"
)


def test_an_indented_fence_takes_its_indentation_off_each_line_as_commonmark_says():
    # Inside a list item the fence and its lines carry the item's indentation; kept, Python stops at the
    # second line with "unexpected indent". A line indented less than the fence keeps what it has.
    ends = [e for e in parse([INDENTED]) if isinstance(e, CodeEnd)]
    assert ends == [
        CodeEnd("python", "with open('a.txt') as f:\n    text = f.read()\nprint(len(text))"),
        CodeEnd("shell", " ls\nx"),
    ]
    assert [e for e in parse(["x ```python\n  a = 1\n```"]) if isinstance(e, CodeEnd)] == [
        CodeEnd("python", "  a = 1")
    ]


@given(st.lists(st.integers(min_value=1, max_value=len(INDENTED)), max_size=30))
def test_an_indented_fence_dedents_the_same_however_the_reply_is_chunked(cuts):
    # What streams is what runs: the deltas shown while the block is written add up to its code.
    points = sorted(set(cuts))
    pieces = [INDENTED[a:b] for a, b in zip([0, *points], [*points, len(INDENTED)], strict=True)]
    events = parse(pieces)
    assert summary(events) == summary(parse([INDENTED]))
    shown = "".join(e.text for e in events if isinstance(e, CodeDelta))
    assert shown == "with open('a.txt') as f:\n    text = f.read()\nprint(len(text))\n ls\nx\n"
