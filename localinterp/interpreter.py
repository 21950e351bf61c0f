"""`Interpreter`: a model, runners and a conversation, wired the way the user configured them.

The CLI's chat and the Python API (`localinterp.chat`, `localinterp.Interpreter`) are both this class;
instances are independent (no global state needed), and the model loads on first use.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

from localinterp.config import Config, resolve_config
from localinterp.session import Approver, Chunk, Message, Session, deny_all


class Interpreter:
    """Chat with a model that runs code on this machine (after approval, unless auto_run)."""

    def __init__(
        self,
        model: str | None = None,
        *,
        approve: Approver | None = None,
        cwd: str | None = None,
        save_history: bool = True,
        on_status: Callable[[str], None] | None = None,
        progress: Any = None,
        config: Config | None = None,
        **settings: Any,
    ) -> None:
        """`model` and every setting of config.SETTINGS (auto_run, offline, temperature, sandbox, ...) as
        keywords; they are also attributes (`li.auto_run = True`). Unset ones come from the environment,
        the config file and the defaults. `approve(language, code) -> Approval` decides on each block when
        auto_run is off (without it: the terminal prompt with display=True, else nothing runs)."""
        from localinterp.config import BY_NAME

        unknown = [k for k in settings if k not in BY_NAME]
        if unknown:
            raise TypeError(
                f"Interpreter() got an unknown setting {unknown[0]!r}; settings are: {', '.join(BY_NAME)}."
            )
        self.config = config or resolve_config({"model": model, **settings}, named="attribute")
        self.approve = approve
        self.cwd = cwd
        self.save_history = save_history
        self.on_status = on_status or (lambda _m: None)
        self.progress = progress  # models.download.Progress: byte counts of a first download
        # What a refusal to run code without a terminal tells the user to do, in the caller's words.
        self.unattended_hint = "Set auto_run = True (or pass approve=) to run code without a terminal."
        self.view_console: Any = None  # the rich Console a displayed chat draws on (ui/; None: stdout)
        self.session: Session | None = None
        self.prepared: Any = None  # prepare.Prepared, for a local model
        self.model_file: Any = None  # its verified file, once fetched
        self.plan: Any = None
        self.model_ref: str | None = None
        self.engine: Any = None
        self._system_message = self.config.system_message
        self._history: Any = None
        self._pending_messages: list[Message] = []
        self._sandbox: tuple[Config, Any] | None = None  # (the config it was chosen for, the sandbox)

    # -- settings as attributes ---------------------------------------------------------------------

    # Settings that need the model loaded again (or the engine rebuilt) when they change.
    # (`languages` too: the engine's grammar admits only the languages it was built with.)
    _RELOAD = frozenset(
        {"model", "quant", "context_window", "gpu_layers", "n_cpu_moe", "flash_attn", "kv_type", "rpc", "offline",
         "fallback", "api_base", "api_model", "api_key", "languages"}
    )  # fmt: skip

    def _set(self, **values: Any) -> None:
        """Change settings, checked as any other source is; what is running follows."""
        from dataclasses import replace

        from localinterp.config import check_value

        for key, value in values.items():
            check_value(key, value, key)
        self.config = replace(self.config, **values)
        session = self.session
        if session is None:
            return
        if self._RELOAD & values.keys():
            self._unload()  # the next chat loads again, with the conversation kept
            return
        session.auto_run = self.config.auto_run
        session.max_tokens = self.config.max_tokens
        session.sampling = replace(session.sampling, temperature=self.config.temperature)
        session.runners.set_timeout(self.config.timeout)
        session.runners.set_sandbox(self.sandbox_choice())
        if "python" in values:  # the next python block starts in the new interpreter
            from localinterp.runners.python import user_python

            session.runners.python, note = user_python(self.config.python)
            session.runners.close()
            if note:
                self.on_status(note)

    def _unload(self) -> None:
        messages = list(self.messages)
        self.close()
        self.prepared = self.model_file = self.plan = None
        self._pending_messages[:] = messages
        # The default system message describes the languages and sandbox: made afresh at the next load
        # (one the user set is kept: the setter stores it in the config).
        self._system_message = self.config.system_message

    # -- the sandbox --------------------------------------------------------------------------------

    def sandbox_choice(self) -> Any:
        """The sandbox blocks will run in (sandbox.Sandbox), checked against this machine: a sandbox the
        user asked for and the machine cannot give is refused; the automatic one (auto-run) falls back to
        none, saying so."""
        from localinterp.sandbox import Sandbox, choose, missing, require

        cfg = self.config
        if self._sandbox is not None and self._sandbox[0] == cfg:
            return self._sandbox[1]
        chosen = choose(cfg.sandbox, auto_run=cfg.auto_run, allow_net=cfg.allow_net)
        if cfg.sandbox is not None:
            require(chosen)
        elif missing(chosen):
            self.on_status(f"Running code without a sandbox: {missing(chosen)}.")
            chosen = Sandbox("off", cfg.allow_net)
        self._sandbox = (cfg, chosen)
        return chosen

    @property
    def sandbox(self) -> str:
        """off | workspace | strict: where blocks run (set it to change; running interpreters restart)."""
        if self.session is not None:
            return self.session.runners.sandbox.mode
        return self.sandbox_choice().mode

    @sandbox.setter
    def sandbox(self, mode: str) -> None:
        self._set(sandbox=mode)

    # -- loading ------------------------------------------------------------------------------------

    def _offline(self) -> bool:
        from localinterp.settings import offline_from_env

        return self.config.offline or offline_from_env()

    def _cloud_only(self) -> bool:
        return bool(self.config.api_base and self.config.fallback == "none" and not self.config.model)

    def _legacy_file(self) -> Any:
        from pathlib import Path

        from localinterp.engine.legacy import is_legacy_ggml

        path = Path(self.config.model).expanduser() if self.config.model else None
        return path if path is not None and path.is_file() and is_legacy_ggml(path) else None

    def fetch_model(self) -> None:
        """Choose, plan and fetch the local model (a first download shows `progress`), without loading it.
        The chat calls this before its loading spinner, so a download is never hidden behind one."""
        if self.prepared is not None or self._cloud_only() or self._legacy_file() is not None:
            return
        from localinterp.models.fetch import materialize
        from localinterp.prepare import default_note, prepare

        cfg = self.config
        offline = self._offline()
        prepared = prepare(
            cfg.model,
            ctx=cfg.context_window,
            quant=cfg.quant,
            gpu_layers=cfg.gpu_layers,
            n_cpu_moe=cfg.n_cpu_moe,
            offline=offline,
            flash_attn=bool(cfg.flash_attn),
            kv_type=cfg.kv_type,
            rpc=cfg.rpc,
            min_speed=cfg.min_speed,
            on_status=self.on_status,
        )
        if prepared.chosen_by_default:
            self.on_status(default_note(prepared))
        self.on_status(prepared.plan.reason)
        if prepared.plan.fits:  # otherwise open_engine refuses, or falls back to the cloud
            self.model_file = materialize(
                prepared.option, offline=offline, progress=self.progress, on_status=self.on_status
            )
        self.prepared, self.plan, self.model_ref = prepared, prepared.plan, prepared.ref

    def load(self) -> None:
        """Fetch and load the model; start the runners. Called by the first chat."""
        if self.session is not None:
            return
        from localinterp.engine.cloud import CloudEngine, Endpoint
        from localinterp.engine.cloud import endpoint as checked_endpoint
        from localinterp.engine.languages import chosen
        from localinterp.engine.legacy import LegacyEngine
        from localinterp.engine.select import open_engine
        from localinterp.runners import Runners

        cfg = self.config
        languages = chosen(cfg.languages)

        def endpoint() -> Endpoint:
            # An endpoint named without a model (llama-server, which serves one) is asked for "default".
            return checked_endpoint(cfg.api_base, cfg.api_model or (cfg.api_base and "default"), cfg.api_key)

        legacy = self._legacy_file()
        if self._cloud_only():
            self.engine = CloudEngine(endpoint(), languages=languages)
            self.model_ref = f"{cfg.api_base} ({cfg.api_model})"
        elif legacy is not None:
            self.engine = LegacyEngine(legacy, n_ctx=cfg.context_window or 2048, languages=languages)
            self.model_ref = cfg.model
        else:
            self.fetch_model()
            rpc_servers: tuple[str, ...] = ()
            if cfg.rpc:
                from localinterp.engine.rpc import parse_endpoints

                rpc_servers = tuple(parse_endpoints(cfg.rpc))
            self.engine = open_engine(
                self.plan,
                lambda: self.model_file,
                languages=languages,
                fallback=cfg.fallback,
                offline=self._offline(),
                endpoint=endpoint,
                on_status=self.on_status,
                rpc_servers=rpc_servers,
                n_threads=self.prepared.hardware.cpu.threads if self.prepared else None,
            )
        from localinterp.engine.types import Sampling
        from localinterp.runners.python import user_python

        python, note = user_python(cfg.python)
        if note:
            self.on_status(note)
        sandbox = self.sandbox_choice()
        if cfg.auto_run and not sandbox.on:
            self.on_status("Auto-run with no sandbox: code runs with your full rights, unasked.")
        self.session = Session(
            self.engine,
            Runners(languages, timeout_s=cfg.timeout, cwd=self.cwd, python=python, sandbox=sandbox),
            system_message=self._system_message or "",
            auto_run=cfg.auto_run,
            approve=self.approve or deny_all,
            max_tokens=cfg.max_tokens,
            sampling=Sampling(temperature=cfg.temperature),
            messages=self._pending_messages,
            previews=not isinstance(self.engine, CloudEngine),
        )
        self._system_message = self.session.system_message

    # -- conversation -------------------------------------------------------------------------------

    @property
    def messages(self) -> list[Message]:
        """The conversation so far."""
        return self.session.messages if self.session else self._pending_messages

    @messages.setter
    def messages(self, value: list[Message] | list[dict[str, Any]]) -> None:
        from localinterp.history import to_messages

        checked = to_messages(value)  # dicts as Open Interpreter's users write them: {"role", "content"}
        if self.session:
            self.session.messages[:] = checked
        else:
            self._pending_messages[:] = checked

    @property
    def system_message(self) -> str:
        """What the model is told first (the default describes this machine and the languages here)."""
        if self.session:
            return self.session.system_message
        if self._system_message is None:
            from localinterp.engine.languages import chosen
            from localinterp.session import default_system_message

            languages = chosen(self.config.languages)
            self._system_message = default_system_message(languages, self.cwd, self.sandbox_choice())
        return self._system_message

    @system_message.setter
    def system_message(self, value: str) -> None:
        from dataclasses import replace

        self.config = replace(self.config, system_message=value)
        self._system_message = value
        if self.session:
            self.session.system_message = value

    def _record(self, first_words: str) -> None:
        if not self.save_history or self.session is None:
            return
        if self._history is None:
            from localinterp.history import History

            self._history = History.new(first_words, model=self.model_ref)
        self.session.on_change = self._history.save

    def resume(self, wanted: str | None = None) -> str:
        """Continue a saved conversation (`wanted`: an ID `localinterp history` shows, or None for the last
        one): its messages come back and new ones are saved to the same file. Returns its ID."""
        from localinterp.history import History, conversation_id, find, load

        path = find(wanted)
        meta, messages = load(path)
        self.messages = messages
        self._history = History(path, meta)
        return conversation_id(path)

    def stream(self, message: str, *, stop: threading.Event | None = None) -> Iterator[Chunk]:
        """Send `message` and yield every chunk of what follows (replies, code, output)."""
        self.load()
        assert self.session is not None
        self._record(message)
        yield from self.session.send(message, stop=stop)

    def chat(
        self,
        message: str | None = None,
        *,
        display: bool = True,
        stream: bool = False,
        stop: threading.Event | None = None,
    ) -> list[Message] | Iterator[Chunk]:
        """Send `message`. `display`: render to the terminal; `stream`: return the chunks as they come
        (typed: TextDelta, CodeStart/CodeDelta/CodeEnd, RunStart, Output, RunResult, TurnEnd, ...);
        otherwise return the messages this call added. With no message, the interactive chat in this
        terminal (until Ctrl-D), as `localinterp` runs it."""
        if message is None:
            return self._interactive()
        if not isinstance(message, str):
            from localinterp.errors import BadInput

            raise BadInput(f"chat() takes the message as a string, not {type(message).__name__}.")
        chunks = self.stream(message, stop=stop)
        if display:
            from localinterp.ui.chat import displayed  # the terminal view lives in ui/, loaded only here

            chunks = displayed(self, chunks)
        if stream:
            return chunks
        before = len(self.messages)
        for _chunk in chunks:
            pass
        return self.messages[before:]

    def _interactive(self) -> list[Message]:
        import sys

        from localinterp.errors import BadInput

        if not sys.stdin.isatty():
            raise BadInput(
                "chat() with no message is the interactive chat, which needs a terminal; pass a message."
            )
        from localinterp.chatcli import interactive

        before = len(self.messages)
        interactive(self, print)
        return self.messages[before:]

    def undo(self) -> list[Message]:
        """Remove the last user message and what followed it; returns what was removed."""
        if self.session:
            return self.session.undo()
        from localinterp.session import undo

        return undo(self._pending_messages)

    def reset(self) -> None:
        """Start a new conversation (a new history file, too)."""
        if self.session:
            self.session.reset()
        else:
            self._pending_messages.clear()
        self._history = None

    def close(self) -> None:
        """End the runners and free the model."""
        if self.session:
            self.session.runners.close()
        if self.engine is not None and hasattr(self.engine, "close"):
            self.engine.close()
        self.session = None
        self.engine = None


def _setting_attribute(name: str) -> property:
    from localinterp.config import BY_NAME

    def get(self: Interpreter) -> Any:
        return getattr(self.config, name)

    def put(self: Interpreter, value: Any) -> None:
        self._set(**{name: value})

    return property(get, put, doc=BY_NAME[name].help)


def _add_setting_attributes() -> None:
    """Every setting of config.SETTINGS becomes an attribute of Interpreter, read from its config and set
    through `_set` (checked; what is running follows), unless the class defines it itself."""
    from localinterp.config import SETTINGS

    for setting in SETTINGS:
        if setting.name not in Interpreter.__dict__:
            setattr(Interpreter, setting.name, _setting_attribute(setting.name))


_add_setting_attributes()
