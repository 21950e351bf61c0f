"""One registry of settings (config.SETTINGS): each setting works from its flag, its environment variable,
the config file and the API (keyword and attribute), with the same checks everywhere; and the Python API
behaves as Open Interpreter's users write it."""

from __future__ import annotations

import subprocess
import sys

import pytest
import typer

from localinterp.config import BY_NAME, SETTINGS, resolve_config, template
from localinterp.errors import BadInput
from localinterp.settings import config_path

# A valid value other than the default, for every setting.
SAMPLES = {
    "model": "smollm2", "quant": "Q8_0", "context_window": 4096, "max_tokens": 77, "temperature": 0.7,
    "gpu_layers": 5, "n_cpu_moe": 3, "flash_attn": True, "kv_type": "q8_0", "rpc": "10.0.0.2:50052", "auto_run": True,
    "offline": True, "fallback": "cloud", "api_base": "http://127.0.0.1:1/v1", "api_model": "m",
    "api_key": "sk-secret", "system_message": "Be brief.", "timeout": 30.0, "debug": True,
    "python": "python3", "languages": "python,shell", "sandbox": "strict", "allow_net": True, "min_speed": 4.0,
}  # fmt: skip


def test_every_setting_has_a_sample_here():
    assert set(SAMPLES) == set(BY_NAME)


def _toml(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else repr(value).replace("'", '"')


def _env(value: object) -> str:
    return "1" if value is True else str(value)


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_each_setting_from_the_config_file_the_environment_a_flag_and_the_api(name, monkeypatch):
    from localinterp.interpreter import Interpreter

    value, setting = SAMPLES[name], BY_NAME[name]
    config_path().parent.mkdir(parents=True, exist_ok=True)
    config_path().write_text(f"{name} = {_toml(value)}\n")
    assert getattr(resolve_config({}), name) == value
    config_path().unlink()

    monkeypatch.setenv(setting.env, _env(value))
    assert getattr(resolve_config({}), name) == value
    monkeypatch.delenv(setting.env)

    chat = typer.main.get_command(__import__("localinterp.cli", fromlist=["app"]).app).commands["chat"]
    args = [setting.flags[0]] if setting.kind is bool else [setting.flags[0], str(value)]
    ctx = chat.make_context("chat", args)
    assert ctx.params[name] == value

    li = Interpreter(save_history=False, **{name: value})
    assert getattr(li, name) == value if name != "sandbox" else li.config.sandbox == value
    li2 = Interpreter(save_history=False)
    setattr(li2, name, value)
    assert getattr(li2.config, name) == value


def test_a_bad_value_names_where_it_came_from_in_that_sources_words(monkeypatch):
    from localinterp.interpreter import Interpreter

    with pytest.raises(BadInput, match=r"^--max-tokens = 0: a reply needs at least 1 token"):
        resolve_config({"max_tokens": 0})
    monkeypatch.setenv("LOCALINTERP_TIMEOUT", "-5")
    with pytest.raises(BadInput, match=r"^LOCALINTERP_TIMEOUT = -5.0: the timeout is in seconds"):
        resolve_config({})
    monkeypatch.delenv("LOCALINTERP_TIMEOUT")
    with pytest.raises(BadInput, match=r"^temperature = 9: the temperature must be"):
        Interpreter(temperature=9)
    li = Interpreter(save_history=False)
    with pytest.raises(BadInput, match=r"^kv_type = 'q2': the kv type is one of f16, q8_0, q4_0"):
        li.kv_type = "q2"
    with pytest.raises(BadInput, match=r"^api_key = the value given: api_key must be a string"):
        li.api_key = 12345  # a key is never echoed, even a wrong one
    with pytest.raises(TypeError, match="unknown setting 'auto_runn'"):
        Interpreter(auto_runn=True)


def test_the_config_template_lists_every_setting_commented_and_is_valid_toml_once_uncommented():
    import tomllib

    text = template()
    for setting in SETTINGS:
        assert f"\n# {setting.name} = {setting.example}\n" in text
    uncommented = "\n".join(ln[2:] for ln in text.splitlines() if ln.startswith("# ") and " = " in ln)
    parsed = tomllib.loads(uncommented)
    assert set(parsed) == set(BY_NAME)
    resolve_config({}, path=_write(uncommented.replace('"sk-..."', '"sk-x"')))


def _write(text: str):
    config_path().parent.mkdir(parents=True, exist_ok=True)
    config_path().write_text(text)
    return config_path()


def test_the_test_isolation_covers_every_settings_variable():
    import os

    from localinterp.settings import variables

    for setting in SETTINGS:
        assert setting.env in variables() and setting.env not in os.environ


# -- the Python API ------------------------------------------------------------------------------------------

EXAMPLE = [
    {"role": "user", "content": "Use python to print the result of 2+2"},
    {"role": "assistant", "content": "```python\nprint(2+2)\n```"},
    {"role": "output", "content": "4\n", "language": "python", "status": "ok"},
    {"role": "assistant", "content": "The result is 4."},
]


def test_module_level_settings_reach_the_default_interpreter():
    import localinterp

    localinterp.auto_run = True
    localinterp.sandbox = "strict"
    try:
        default = localinterp._interpreter()
        assert default.config.auto_run is True and localinterp.auto_run is True
        assert default.config.sandbox == "strict"
        localinterp.messages = EXAMPLE  # plain dicts
        assert [m.role for m in localinterp.messages] == ["user", "assistant", "output", "assistant"]
    finally:
        localinterp._default = None


def test_the_chunk_and_message_types_are_importable_from_the_package():
    from localinterp import (
        Approval,
        CodeEnd,
        Interpreter,
        Message,
        Output,
        RunResult,
        RunStart,
        TextDelta,
        TurnEnd,
    )

    assert {c.__name__ for c in (Approval, CodeEnd, Message, Output, RunResult, RunStart, TextDelta, TurnEnd)}
    assert Interpreter.__name__ == "Interpreter"


def test_messages_refuse_what_is_not_a_message_before_changing_anything():
    from localinterp.interpreter import Interpreter

    li = Interpreter(save_history=False)
    li.messages = EXAMPLE
    with pytest.raises(BadInput, match=r"messages\[1\] must be a dict with a role"):
        li.messages = [EXAMPLE[0], {"role": "robot", "content": "x"}]
    with pytest.raises(BadInput, match="set system_message"):
        li.messages = [{"role": "system", "content": "x"}]
    assert len(li.messages) == 4


def test_auto_run_set_as_an_attribute_runs_the_models_block(smollm2_path, tmp_path):
    # Open Interpreter's users write `interpreter.auto_run = True` after creating it; it used to be ignored
    # (every block came back declined).
    from localinterp import Interpreter

    li = Interpreter(model=str(smollm2_path), temperature=0, cwd=str(tmp_path), save_history=False)
    li.auto_run = True
    li.messages = EXAMPLE
    try:
        added = li.chat("Use python to print the result of 12345*6789", display=False)
    finally:
        li.close()
    outputs = [m for m in added if m.role == "output"]
    assert outputs and outputs[0].status != "declined", added


def test_display_without_a_terminal_refuses_in_the_apis_words(smollm2_path, tmp_path, capsys):
    from localinterp import Interpreter

    li = Interpreter(model=str(smollm2_path), temperature=0, cwd=str(tmp_path), save_history=False)
    li.messages = EXAMPLE
    try:
        li.chat("Use python to print the result of 12345*6789")
    finally:
        li.close()
    out = capsys.readouterr().out
    assert "Set auto_run = True (or pass approve=) to run code without a terminal." in out
    assert "-y" not in out


def test_chat_with_no_message_needs_a_terminal():
    from localinterp import Interpreter

    with pytest.raises(BadInput, match="chat\\(\\) with no message is the interactive chat"):
        Interpreter(save_history=False).chat()


def test_python_dash_m_and_the_installed_command_are_the_same_program():
    from pathlib import Path

    script = Path(sys.executable).with_name("localinterp")  # the console script pip installed beside python
    if not script.exists():
        pytest.skip("no localinterp script beside this python (not installed with pip)")
    a = subprocess.run(
        [sys.executable, "-m", "localinterp", "-h"], capture_output=True, text=True, check=True
    )
    b = subprocess.run([script, "-h"], capture_output=True, text=True, check=True)
    assert a.stdout == b.stdout and a.stdout.startswith("Usage: localinterp ")


def test_settings_changed_on_a_running_session_take_effect_without_losing_the_conversation(
    smollm2_path, tmp_path
):
    from localinterp import Interpreter

    li = Interpreter(model=str(smollm2_path), cwd=str(tmp_path), save_history=False)
    li.messages = EXAMPLE
    try:
        li.load()
        engine, runners = li.engine, li.session.runners
        python = runners.get("python")
        li.timeout = 7
        li.max_tokens = 33
        li.auto_run = True
        assert python.timeout_s == 7 and li.session.max_tokens == 33 and li.session.auto_run
        assert li.engine is engine  # nothing reloaded for these
        li.temperature = 0.0
        assert li.session.sampling.temperature == 0.0
        li.languages = "python"  # the grammar changes with the languages: the model is loaded again
        assert li.session is None and len(li.messages) == 4
        li.load()
        assert li.session.runners.languages == ("python",) and len(li.messages) == 4
        assert "Languages: python." in li.system_message
    finally:
        li.close()


def test_a_root_chat_flag_before_another_command_is_refused_not_ignored():
    from clihelp import assert_one_line_error, invoke

    assert_one_line_error(invoke("--offline", "plan", "smollm2"), 2, "--offline before `plan` is a chat flag")
