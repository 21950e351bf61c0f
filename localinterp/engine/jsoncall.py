"""JSON tool-call mode, for models that prefer it to fenced blocks: each reply is one JSON object,
either `{"message": "..."}` or `{"language": "python", "code": "..."}`, constrained by a grammar and
streamed as the same events as fenced replies (the string value is decoded as it arrives)."""

from __future__ import annotations

import json
import re

from localinterp.engine.languages import canonical
from localinterp.engine.types import CodeDelta, CodeEnd, CodeStart, Event, TextDelta

_MESSAGE_RE = re.compile(r'^\s*\{\s*"message"\s*:\s*"')
_CALL_RE = re.compile(r'^\s*\{\s*"language"\s*:\s*"(?P<lang>[^"\\]*)"\s*,\s*"code"\s*:\s*"')
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


class JsonCallParser:
    """Feed the reply's text pieces; get TextDelta (a message) or code-block events (a call)."""

    def __init__(self) -> None:
        self._buf = ""
        self._kind = ""  # "" until the key is known, then message | code | done
        self._language = ""
        self._code: list[str] = []
        self._pending = ""  # an escape sequence cut between pieces

    def feed(self, text: str) -> list[Event]:
        """Events for `text`, given everything fed before."""
        events: list[Event] = []
        if self._kind == "":
            self._buf += text
            if m := _CALL_RE.match(self._buf):
                self._kind, self._language = "code", canonical(m["lang"]) or m["lang"].lower()
                events.append(CodeStart(self._language))
                text = self._buf[m.end() :]
            elif m := _MESSAGE_RE.match(self._buf):
                self._kind = "message"
                text = self._buf[m.end() :]
            else:
                return events
        if self._kind in ("code", "message"):
            decoded, ended = self._decode(text)
            if decoded:
                if self._kind == "code":
                    self._code.append(decoded)
                    events.append(CodeDelta(decoded))
                else:
                    events.append(TextDelta(decoded))
            if ended:
                if self._kind == "code":
                    events.append(CodeEnd(self._language, "".join(self._code)))
                self._kind = "done"
        return events

    def _decode(self, text: str) -> tuple[str, bool]:
        out: list[str] = []
        s, self._pending = self._pending + text, ""
        i = 0
        while i < len(s):
            c = s[i]
            if c == '"':
                return "".join(out), True
            if c != "\\":
                out.append(c)
                i += 1
                continue
            if i + 1 >= len(s):
                self._pending = s[i:]
                break
            e = s[i + 1]
            if e == "u":
                if i + 6 > len(s):
                    self._pending = s[i:]
                    break
                out.append(chr(int(s[i + 2 : i + 6], 16)))
                i += 6
            else:
                out.append(_ESCAPES.get(e, e))
                i += 2
        return "".join(out), False

    def close(self) -> list[Event]:
        """End of reply: an unfinished call ends unclosed (possible only without the grammar)."""
        if self._kind == "code":
            self._kind = "done"
            return [CodeEnd(self._language, "".join(self._code), closed=False)]
        if self._kind == "":
            try:  # valid JSON in an order the streaming patterns did not expect
                data = json.loads(self._buf)
            except ValueError:
                return [TextDelta(self._buf)] if self._buf.strip() else []
            if isinstance(data, dict) and isinstance(data.get("code"), str):
                lang = canonical(str(data.get("language", ""))) or str(data.get("language", "text"))
                return [CodeStart(lang), CodeDelta(data["code"]), CodeEnd(lang, data["code"])]
            if isinstance(data, dict) and isinstance(data.get("message"), str):
                return [TextDelta(data["message"])]
            return [TextDelta(self._buf)]
        return []
