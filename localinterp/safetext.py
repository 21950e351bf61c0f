"""Strings that came from a file or a server, made safe to show in a terminal.

A GGUF's `general.name`, a hub's file names or a server's error text can carry escape sequences: OSC 0
retitles the terminal, OSC 52 writes the clipboard, CSI moves the cursor, and a carriage return or
backspace overwrites what was shown. Everything localinterp prints of such a string goes through
`printable` first: sequences are removed, other control characters shown as the replacement character.
"""

from __future__ import annotations

import re

# ESC [ ... final byte (CSI) | ESC ] ... BEL or ESC \ (OSC, also unterminated) | ESC P/X/^/_ ... ST |
# any other two-byte ESC sequence | the 8-bit CSI/OSC introducers and their bodies.
_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"
    r"|\x1b[ -~]?"
    r"|\x9b[0-?]*[ -/]*[@-~]?"
    r"|\x9d[^\x07\x9c]*[\x07\x9c]?"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str, *, newlines: bool = True) -> str:
    """`text` without terminal escape sequences or control characters (newlines and tabs kept unless
    `newlines` is False)."""
    text = _CONTROL.sub("\ufffd", _SEQUENCE.sub("", text))
    return text if newlines else text.replace("\n", " ").replace("\t", " ")


def has_control(text: str) -> bool:
    """Whether `text` holds a control character other than newline and tab."""
    return bool(_CONTROL.search(text) or "\x1b" in text)


def visible(text: str) -> str:
    """`text` with every control character but newline and tab drawn as a visible symbol (ESC as ␛, a
    carriage return as ␍, a backspace as ␈, DEL as ␡, C1 codes as �): for code shown for approval, where
    nothing may be hidden or removed, since what is shown is what runs."""
    return _CONTROL.sub(_picture, text.replace("\x1b", "\u241b"))


def _picture(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    if code < 0x20:
        return chr(0x2400 + code)
    return "\u2421" if code == 0x7F else "\ufffd"


def for_output(text: str) -> str:
    """A program's output made safe to show: colour and other sequences removed, and a carriage return that
    would draw over a line (a progress bar) starting a new line instead."""
    return printable(text.replace("\r\n", "\n").replace("\r", "\n"))
