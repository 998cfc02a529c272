"""Keys in the environment or a URL appear in no output, whatever the system kind."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

import pytest

from backtriage.harness.cli.main import main
from backtriage.harness.redaction import REDACTED, scrub
from tests.support.engine_corpus import engine_corpus_dir
from tests.support.scripted_server import Request, Scripted, ScriptedServer

KEY = "sk-live-0123456789abcdefSECRET"
TOKEN = "tok-9f8e7d6c5b4a3921"
PASSWORD = "hunter2-is-SECRET"
REPLY_CMD = Path(__file__).parent / "support" / "reply_cmd.py"


def _everything(tmp_path: Path, captured: pytest.CaptureFixture[str]) -> str:
    out = captured.readouterr()
    files = "\n".join(p.read_text(errors="replace") for p in tmp_path.rglob("*")
                      if p.is_file() and p.suffix in {".json", ".jsonl", ".xml", ".md", ".log"})
    return "\n".join([files, out.out, out.err])


def _run(tmp_path: Path, system: str, *extra: str) -> int:
    corpus = engine_corpus_dir(tmp_path / "corpus", 3)
    out = tmp_path / "out"
    return main(["run", "--system", system, "--corpus", str(corpus), "--output", str(out),
                 "--cache", str(out / "cache"), "--junit", str(out / "junit.xml"),
                 "--markdown", str(out / "summary.md"), "--no-progress",
                 "--retry-backoff", "0.01", *extra])


@pytest.mark.parametrize("isolate", ["--isolate", "--no-isolate"])
def test_a_python_exception_holding_environment_keys_is_redacted_everywhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    isolate: str,
) -> None:
    """Defect 16: not only the LLM adapters redact; tracebacks included."""
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("MY_SERVICE_TOKEN", TOKEN)
    module = tmp_path / "leaky.py"
    module.write_text(
        "import os\n"
        "def triage(p):\n"
        "    key, token = os.environ['OPENAI_API_KEY'], os.environ['MY_SERVICE_TOKEN']\n"
        "    raise RuntimeError(f'could not call with {key} and {token}')\n"
    )
    assert _run(tmp_path, f"python:{module}:triage", isolate) == 1
    text = _everything(tmp_path, capsys)
    assert KEY not in text and TOKEN not in text
    doc = json.loads((tmp_path / "out" / "results.json").read_text())
    answer = doc["vignettes"][0]["answers"][0]
    assert f"could not call with {REDACTED} and {REDACTED}" in answer["error"]
    assert REDACTED in answer["traceback"] and "leaky.py" in answer["traceback"]


def test_a_cmd_program_echoing_a_key_on_stderr_and_in_escapes_is_redacted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    """Defects 16 and 24: stderr log, messages, and a key spelled in \\u escapes."""
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    escaped = "".join(f"\\u{ord(c):04x}" for c in KEY)
    reply = tmp_path / "reply.txt"
    reply.write_text('"urgency": "self_care", "imaging": "none", "category": "nonspecific", '
                     f'"suspected_conditions": [], "rationale": "key {escaped}"}}')
    monkeypatch.setenv("REPLY_FILE", str(reply))
    script = f"echo using $ANTHROPIC_API_KEY >&2; exec {sys.executable} {REPLY_CMD}"
    command = f"bash -c {shlex.quote(script)}"
    status = _run(tmp_path, f"cmd:{command}", "--config", str(_stderr_config(tmp_path)))
    assert status in (0, 1)
    text = _everything(tmp_path, capsys)
    assert KEY not in text and escaped not in text
    assert "using [REDACTED]" in (tmp_path / "stderr.log").read_text()


def _stderr_config(tmp_path: Path) -> Path:
    config = tmp_path / "config.yaml"
    config.write_text(f"adapter:\n  stderr_log: {tmp_path / 'stderr.log'}\n")
    return config


def test_url_userinfo_and_its_basic_header_are_redacted_when_echoed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Defect 11: ``http://user:SECRET@host/`` sends Basic credentials; an echo leaks nothing."""
    def echo(request: Request) -> Scripted:
        return Scripted(400, {"error": f"bad request, headers were {request.headers}"})

    with ScriptedServer(echo) as server:
        url = server.url.replace("http://", f"http://triager:{PASSWORD}@")
        assert _run(tmp_path, url) == 1
        sent = json.dumps([r.headers for r in server.requests])
    assert "Basic " in sent  # the credentials really went over the wire
    text = _everything(tmp_path, capsys)
    assert PASSWORD not in text
    assert sent.split("Basic ")[1][:20] not in text


def test_scrub_patterns_for_credentials_never_registered() -> None:
    text = ("Authorization: Basic dXNlcjpodW50ZXIy, see https://me:p4ssw0rd-x@example.org/v1 "
            "and Authorization: Bearer abcdefghijk")
    cleaned = scrub(text)
    for secret in ("dXNlcjpodW50ZXIy", "p4ssw0rd-x", "abcdefghijk"):
        assert secret not in cleaned
    assert "https://me:[REDACTED]@example.org/v1" in cleaned
    assert scrub("a plain sentence about urgent MRI") == "a plain sentence about urgent MRI"
