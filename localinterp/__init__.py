"""localinterp: a local-first, offline model runner that lets a language model run code on your machine.

    import localinterp
    localinterp.chat("Plot AAPL's normalized price")       # streams to the terminal, returns the messages
    for chunk in localinterp.chat("...", display=False, stream=True): ...
    localinterp.messages; localinterp.reset(); localinterp.system_message += "..."
    li = localinterp.Interpreter(model="smollm2", auto_run=True)   # independent instances

The module-level functions use one default Interpreter, created on first use. Nothing heavy is imported
until then.
"""

import logging as _logging
import sys as _sys
import types as _types
from typing import Any as _Any

__version__ = "0.1.0"

# A library logs; the application decides what is shown (the CLI's --debug, or the caller's own config).
_logging.getLogger("localinterp").addHandler(_logging.NullHandler())

_default: _Any = None


def _interpreter() -> _Any:
    global _default
    if _default is None:
        from localinterp.interpreter import Interpreter

        _default = Interpreter()
    return _default


def chat(message: str, *, display: bool = True, stream: bool = False) -> _Any:
    """Send `message` with the default Interpreter (see Interpreter.chat)."""
    return _interpreter().chat(message, display=display, stream=stream)


def reset() -> None:
    """Start a new conversation with the default Interpreter."""
    _interpreter().reset()


def __getattr__(name: str) -> _Any:
    if name == "Interpreter":
        from localinterp.interpreter import Interpreter

        return Interpreter
    raise AttributeError(f"module 'localinterp' has no attribute {name!r}")


class _Module(_types.ModuleType):
    # `localinterp.messages` and `localinterp.system_message += ...` reach the default Interpreter.
    @property
    def messages(self) -> _Any:
        return _interpreter().messages

    @messages.setter
    def messages(self, value: _Any) -> None:
        _interpreter().messages = value

    @property
    def system_message(self) -> str:
        return _interpreter().system_message

    @system_message.setter
    def system_message(self, value: str) -> None:
        _interpreter().system_message = value


_sys.modules[__name__].__class__ = _Module
