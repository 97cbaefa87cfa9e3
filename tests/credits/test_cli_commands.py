"""``ai-hubs``: every command in-process (output, --json, exit codes) and once as a real process."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from account_support import MODEL, chat, client_for, fresh_catalog, new_key, requests_of

from ai_hubs_cli import HUB_ERROR, OK, UNSUPPORTED, USAGE_ERROR, main
from hub_core.credits import estimate_call_cost
from hub_core.hubs import get_hub
from hub_core.tokens import count_message_tokens

pytestmark = pytest.mark.usefixtures(fresh_catalog.__name__)


@pytest.fixture
def hub_env(hub_emulator, monkeypatch: pytest.MonkeyPatch):
    """Point every hub's env vars at the emulator with a fresh key; returns {hub: key}."""
    keys = {}
    for hub in ("electronhub", "chainhub", "apihub", "tokenhub"):
        keys[hub] = new_key(hub)
        monkeypatch.setenv(f"{hub.upper()}_API_KEY", keys[hub])
        monkeypatch.setenv(f"{hub.upper()}_BASE_URL", hub_emulator.base_url(hub))
    return keys


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(err: str) -> None:
    assert err.startswith("ai-hubs: ") and err.count("\n") == 1 and "Traceback" not in err


def test_models_table_and_json(hub_env, hub_emulator, capsys) -> None:
    code, out, err = run(capsys, "models", "--hub", "apihub")
    assert (code, err) == (OK, "")
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["MODEL", "CONTEXT", "MAX"]
    qwen = next(line for line in lines if line.startswith("qwen-max "))
    assert "32,768" in qwen and "in 0.3 / out 0.3 per 1M" in qwen and "tools" in qwen
    # aligned: every row's CONTEXT column ends where the header's does
    end = lines[0].index("CONTEXT") + len("CONTEXT")
    assert all(line[end - 1].isdigit() for line in lines[1:])
    code, out, _ = run(capsys, "models", "--hub", "apihub", "--json")
    data = {m["id"]: m for m in json.loads(out)}
    assert code == OK and set(data) >= {"qwen-max", "deepseek-chat"}
    assert data["qwen-max"]["context_window"] == 32_768
    assert data["qwen-max"]["price"] == {"input_per_mtok": 0.3, "output_per_mtok": 0.3}
    assert data["qwen-max"]["price_unit"] == "USD" and "chat" in data["qwen-max"]["capabilities"]


def test_balance_table_and_json(hub_env, hub_emulator, capsys) -> None:
    hub_emulator.admin.set_account("electronhub", hub_env["electronhub"], balance=1234)
    code, out, err = run(capsys, "balance", "--hub", "electronhub")
    assert (code, err) == (OK, "")
    assert out.splitlines() == ["hub      electronhub", "balance  1,234", "unit     credits"]
    code, out, _ = run(capsys, "balance", "--hub", "electronhub", "--json")
    assert code == OK and json.loads(out) == {"hub": "electronhub", "amount": 1234, "unit": "credits"}
    assert hub_env["electronhub"] not in out


def test_usage_table_and_json(hub_env, hub_emulator, capsys) -> None:
    client = client_for(hub_emulator, "apihub", hub_env["apihub"])
    for text in ("one", "two two", "three three three"):
        chat(client, text)
    code, out, err = run(capsys, "usage", "--hub", "apihub", "--limit", "2")
    assert (code, err) == (OK, "")
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["TIME", "(UTC)", "MODEL"] and len(lines) == 3
    assert all(MODEL["apihub"] in line and "USD" in line for line in lines[1:])
    code, out, _ = run(capsys, "usage", "--hub", "apihub", "--limit", "2", "--json")
    records = json.loads(out)
    paid = [r["credits"] for r in requests_of(hub_emulator, "apihub", hub_env["apihub"]) if r["credits"]]
    assert code == OK and [r["total_tokens"] for r in records] == [paid[-1], paid[-2]]
    assert all(r["time"].endswith("+00:00") for r in records)


def test_usage_with_no_records_says_so(hub_env, capsys) -> None:
    code, out, _ = run(capsys, "usage", "--hub", "electronhub")
    assert code == OK and out.strip() == "electronhub: no usage records"


def test_estimate_from_a_file_matches_the_budget_arithmetic_and_sends_nothing(
    hub_env, hub_emulator, capsys, tmp_path: Path
) -> None:
    prompt = tmp_path / "prompt.txt"
    prompt.write_text("Summarise the history of credit cards in three sentences.", encoding="utf-8")
    code, out, err = run(capsys, "estimate", "--hub", "apihub", "--model", "qwen-max",
                         "--max-tokens", "500", "--json", str(prompt))
    data = json.loads(out)
    messages = [{"role": "user", "content": prompt.read_text(encoding="utf-8")}]
    tokens = count_message_tokens(messages, "qwen-max")
    expected = estimate_call_cost(get_hub("apihub"), "qwen-max", tokens, 500)
    assert (code, err) == (OK, "")
    assert data["prompt_tokens"] == tokens and data["max_output_tokens"] == 500
    assert data["max_output_source"] == "--max-tokens"
    assert data["cost"] == expected.amount and data["unit"] == "USD"
    assert requests_of(hub_emulator, "apihub", hub_env["apihub"]) == []


def test_estimate_reads_stdin_and_message_lists_and_falls_back_to_the_catalog(
    hub_env, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    messages = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi!"}]
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps({"messages": messages})))
    code, out, _ = run(capsys, "estimate", "--hub", "apihub", "--model", "deepseek-chat", "-")
    assert code == OK
    lines = dict(line.split("  ", 1) for line in out.splitlines())
    assert lines["prompt tokens"].strip().startswith(str(count_message_tokens(messages, "deepseek-chat")))
    assert lines["max output tokens"].strip() == "8,192 (from catalog)"
    assert lines["worst-case cost"].strip().endswith(" USD")


def test_estimate_with_an_unknown_price_says_so(hub_env, capsys, tmp_path: Path) -> None:
    prompt = tmp_path / "p.txt"
    prompt.write_text("hello", encoding="utf-8")
    code, out, _ = run(capsys, "estimate", "--hub", "tokenhub", "--model", "openai/gpt-4.1", "--json",
                       str(prompt))
    data = json.loads(out)
    assert code == OK and data["cost"] is None and data["max_output_tokens"] == 32_768


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["balance", "--hub", "chainhub"], "ChainHub documents no balance route"),
        (["balance", "--hub", "tokenhub", "--json"], "TokenHub documents no balance route"),
        (["usage", "--hub", "chainhub"], "no usage-history route"),
    ],
)
def test_unsupported_features_exit_3(hub_env, hub_emulator, capsys, argv, needle) -> None:
    code, out, err = run(capsys, *argv)
    assert code == UNSUPPORTED and out == "" and needle in err
    assert_one_line_error(err)
    assert requests_of(hub_emulator, argv[2], hub_env[argv[2]]) == []


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        ([], "required: COMMAND"),
        (["balance"], "--hub"),
        (["balance", "--hub", "nohub"], "unknown hub 'nohub'"),
        (["usage", "--hub", "apihub", "--limit", "0"], "--limit"),
        (["estimate", "--hub", "apihub", "--model", "qwen-max", "/no/such/file"], "cannot read /no/such/file"),
        (["estimate", "--hub", "apihub", "--model", "qwen-max", "--max-tokens", "x", "-"], "--max-tokens"),
        (["emulator", "--bogus"], "unrecognized arguments: --bogus"),
    ],
)
def test_usage_errors_exit_2(hub_env, capsys, argv, needle) -> None:
    code, out, err = run(capsys, *argv)
    assert code == USAGE_ERROR and out == "" and needle in err
    assert_one_line_error(err)


def test_missing_key_is_a_usage_error_naming_the_variable(hub_env, capsys, monkeypatch) -> None:
    monkeypatch.delenv("APIHUB_API_KEY")
    code, _, err = run(capsys, "balance", "--hub", "apihub")
    assert code == USAGE_ERROR and "set APIHUB_API_KEY" in err


def test_hub_errors_exit_1_with_the_error_type_and_no_key(hub_env, hub_emulator, capsys, monkeypatch) -> None:
    hub_emulator.admin.fault(hub="electronhub", path="user/me", count=1, status=401,
                             body=f"bad key {hub_env['electronhub']}")
    code, out, err = run(capsys, "balance", "--hub", "electronhub")
    assert code == HUB_ERROR and out == "" and err.startswith("ai-hubs: AuthenticationError: ")
    assert_one_line_error(err)
    assert hub_env["electronhub"] not in err
    monkeypatch.setenv("APIHUB_BASE_URL", "http://127.0.0.1:9/apihub/v1")
    code, _, err = run(capsys, "models", "--hub", "apihub")
    assert code == HUB_ERROR and "HubConnectionError" in err
    assert_one_line_error(err)
    code, out, _ = run(capsys, "models", "--hub", "apihub", "--base-url", hub_emulator.base_url("apihub"))
    assert code == OK and "qwen-max" in out  # --base-url wins over APIHUB_BASE_URL


def test_help_exits_0(capsys) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == OK and "exit codes: 0 ok, 1 hub or network error, 2 usage error, 3" in " ".join(out.split())
    code, out, _ = run(capsys, "emulator", "--help")
    assert code == OK and "--port" in out


def test_real_processes_console_script_and_python_m(hub_env, hub_emulator) -> None:
    env = dict(os.environ)
    script = Path(sys.executable).parent / "ai-hubs"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "ai_hubs_cli"]
    done = subprocess.run([*command, "balance", "--hub", "apihub", "--json"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == OK, done.stderr
    assert json.loads(done.stdout)["unit"] == "tokens"
    done = subprocess.run([sys.executable, "-m", "ai_hubs_cli", "estimate", "--hub", "apihub",
                           "--model", "qwen-max", "--json", "-"], input="hello there", env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == OK and json.loads(done.stdout)["cost"] > 0
    done = subprocess.run([*command, "usage", "--hub", "tokenhub"], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == UNSUPPORTED and done.stdout == ""
    assert_one_line_error(done.stderr)
