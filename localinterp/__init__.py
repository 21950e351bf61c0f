"""localinterp: a local-first, offline model runner that lets a language model run code on your machine.

    import localinterp
    localinterp.chat("Plot AAPL's normalized price")       # streams to the terminal, returns the messages
    for chunk in localinterp.chat("...", display=False, stream=True): ...
    localinterp.messages; localinterp.reset(); localinterp.system_message += "..."
    localinterp.auto_run = True; localinterp.sandbox = "strict"     # every setting is an attribute
    li = localinterp.Interpreter(model="smollm2", auto_run=True)   # independent instances
    from localinterp import TextDelta, CodeEnd, RunResult, Message  # the chunk and message types

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


def chat(message: str | None = None, *, display: bool = True, stream: bool = False) -> _Any:
    """Send `message` with the default Interpreter (see Interpreter.chat; no message: the terminal chat)."""
    return _interpreter().chat(message, display=display, stream=stream)


def reset() -> None:
    """Start a new conversation with the default Interpreter."""
    _interpreter().reset()


# What a caller of the API meets, importable from the package (loaded on first use): the chunks a stream
# yields, the messages of a conversation, an approval decision, the interpreter and the errors' base.
_EXPORTS = {
    "Interpreter": "localinterp.interpreter",
    "TextDelta": "localinterp.engine.types", "CodeStart": "localinterp.engine.types",
    "CodeDelta": "localinterp.engine.types", "CodeEnd": "localinterp.engine.types",
    "TurnEnd": "localinterp.engine.types", "TurnStats": "localinterp.engine.types",
    "Output": "localinterp.runners.base", "RunResult": "localinterp.runners.base",
    "Message": "localinterp.session", "Approval": "localinterp.session", "RunStart": "localinterp.session",
    "Declined": "localinterp.session", "Unrunnable": "localinterp.session", "Repeated": "localinterp.session",
    "Recheck": "localinterp.session", "StepLimit": "localinterp.session",
    "LocalinterpError": "localinterp.errors",
}  # fmt: skip
__all__ = ["chat", "reset", *_EXPORTS]


def __getattr__(name: str) -> _Any:
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'localinterp' has no attribute {name!r}")


def _settings() -> frozenset[str]:
    from localinterp.config import BY_NAME

    return frozenset(BY_NAME)


class _Module(_types.ModuleType):
    # `localinterp.messages`, `localinterp.system_message += ...` and every setting (`localinterp.auto_run =
    # True`) reach the default Interpreter.
    def __setattr__(self, name: str, value: _Any) -> None:
        # (Importing a submodule sets it here too: a module is never a setting's value.)
        if not name.startswith("_") and not isinstance(value, _types.ModuleType) and name in _settings():
            setattr(_interpreter(), name, value)
        else:
            super().__setattr__(name, value)

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

    def __getattr__(self, name: str) -> _Any:  # only for names not found otherwise
        if not name.startswith("_") and name in _settings():
            return getattr(_interpreter(), name)
        return __getattr__(name)


_sys.modules[__name__].__class__ = _Module
