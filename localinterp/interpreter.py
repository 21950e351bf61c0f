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
        auto_run: bool | None = None,
        offline: bool | None = None,
        quant: str | None = None,
        context_window: int | None = None,
        max_tokens: int | None = None,
        temperature: float | None = None,
        gpu_layers: int | None = None,
        flash_attn: bool | None = None,
        kv_type: str | None = None,
        rpc: str | None = None,
        api_base: str | None = None,
        api_model: str | None = None,
        api_key: str | None = None,
        fallback: str | None = None,
        system_message: str | None = None,
        timeout: float | None = None,
        debug: bool | None = None,
        sandbox: str | None = None,
        allow_net: bool | None = None,
        python: str | None = None,
        approve: Approver | None = None,
        cwd: str | None = None,
        save_history: bool = True,
        on_status: Callable[[str], None] | None = None,
        progress: Any = None,
        config: Config | None = None,
    ) -> None:
        flags = {
            "model": model, "auto_run": auto_run, "offline": offline, "quant": quant,
            "context_window": context_window, "max_tokens": max_tokens, "temperature": temperature,
            "gpu_layers": gpu_layers, "flash_attn": flash_attn, "kv_type": kv_type, "rpc": rpc, "api_base": api_base, "api_model": api_model, "api_key": api_key,
            "fallback": fallback, "system_message": system_message, "timeout": timeout, "debug": debug,
            "sandbox": sandbox, "allow_net": allow_net, "python": python,
        }  # fmt: skip
        self.config = config or resolve_config(flags)
        self.approve = approve
        self.cwd = cwd
        self.save_history = save_history
        self.on_status = on_status or (lambda _m: None)
        self.progress = progress  # models.download.Progress: byte counts of a first download
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

    @property
    def allow_net(self) -> bool:
        """Whether sandboxed blocks may use the network."""
        return self.config.allow_net

    @allow_net.setter
    def allow_net(self, value: bool) -> None:
        self._set(allow_net=value)

    def _set(self, **values: Any) -> None:
        from dataclasses import replace

        from localinterp.config import check_value

        for key, value in values.items():
            check_value(key, value, key)
        self.config = replace(self.config, **values)
        if self.session is not None:
            self.session.runners.set_sandbox(self.sandbox_choice())

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
            offline=offline,
            flash_attn=bool(cfg.flash_attn),
            kv_type=cfg.kv_type,
            rpc=cfg.rpc,
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
        from localinterp.engine.cloud import CloudEngine, Endpoint, endpoint_from_env
        from localinterp.engine.languages import available
        from localinterp.engine.legacy import LegacyEngine
        from localinterp.engine.select import open_engine
        from localinterp.runners import Runners

        cfg = self.config
        languages = available()

        def endpoint() -> Endpoint:
            if cfg.api_base:
                if not cfg.api_model:
                    return endpoint_from_env(cfg.api_base, cfg.api_model or "default")
                return Endpoint(cfg.api_base.rstrip("/"), cfg.api_model, cfg.api_key)
            return endpoint_from_env()

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
    def messages(self, value: list[Message]) -> None:
        if self.session:
            self.session.messages[:] = value
        else:
            self._pending_messages[:] = value

    @property
    def system_message(self) -> str:
        """What the model is told first (the default describes this machine and the languages here)."""
        if self.session:
            return self.session.system_message
        if self._system_message is None:
            from localinterp.engine.languages import available
            from localinterp.session import default_system_message

            self._system_message = default_system_message(available(), self.cwd, self.sandbox_choice())
        return self._system_message

    @system_message.setter
    def system_message(self, value: str) -> None:
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

    def stream(self, message: str, *, stop: threading.Event | None = None) -> Iterator[Chunk]:
        """Send `message` and yield every chunk of what follows (replies, code, output)."""
        self.load()
        assert self.session is not None
        self._record(message)
        yield from self.session.send(message, stop=stop)

    def chat(
        self, message: str, *, display: bool = True, stream: bool = False, stop: threading.Event | None = None
    ) -> list[Message] | Iterator[Chunk]:
        """Send `message`. `display`: render to the terminal; `stream`: return the chunks as they come
        (typed: TextDelta, CodeStart/CodeDelta/CodeEnd, RunStart, Output, RunResult, TurnEnd, ...);
        otherwise return the messages this call added."""
        if stream:
            return (
                self._display(self.stream(message, stop=stop)) if display else self.stream(message, stop=stop)
            )
        before = len(self.messages)
        for _chunk in (
            self._display(self.stream(message, stop=stop)) if display else self.stream(message, stop=stop)
        ):
            pass
        return self.messages[before:]

    def _display(self, chunks: Iterator[Chunk]) -> Iterator[Chunk]:
        import sys

        from localinterp.session import Approval
        from localinterp.ui.chat import ChatView

        view = ChatView(debug=self.config.debug)
        self.load()
        assert self.session is not None
        view.runners = self.session.runners
        if self.approve is None and not self.config.auto_run:
            if sys.stdin.isatty():
                self.session.approve = view.ask
            else:

                def refuse(_language: str, _code: str) -> Approval:
                    view.note(
                        "Not running code without approval: stdin is not a terminal. "
                        "Pass -y (--auto-run) to run code unattended."
                    )
                    return Approval("skip")

                self.session.approve = refuse
        try:
            for chunk in chunks:
                view.show(chunk)
                yield chunk
        finally:
            view.finish()

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
