"""Property-based fuzzing of what systems reply (python:, cmd: and an HTTP server on 127.0.0.1).

Properties, for any reply (random JSON trees, odd unicode and lone surrogates, extreme
numbers, huge strings, a key from the environment anywhere in it):

- the run exits 0, 1, 2 or 4, never 3 (an internal error);
- nothing prints a traceback;
- ``results.json`` and every journal line are strict JSON;
- the key appears in no output (files, stdout, stderr).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shlex
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backtriage.harness.cli.main import main
from tests.support import fuzz_reply_system
from tests.support.engine_corpus import engine_corpus_dir
from tests.support.scripted_server import Scripted, ScriptedServer

KEY = "sk-fuzz-7a3c9e1b5d2f4a6c8e0b"
REPLY_CMD = Path(__file__).parent / "support" / "reply_cmd.py"
VOCAB = {"urgency": ["emergency", "urgent", "routine", "self_care"],
         "imaging": ["none", "mri"], "category": ["nonspecific", "serious_pathology"]}

odd_text = st.one_of(
    st.text(max_size=30),
    st.text(alphabet=st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), max_size=3),
    st.sampled_from([KEY, f"key={KEY}", f"Bearer {KEY}", "\u202e\x00\x1b[31m", "x" * 100_000,
                     "".join(f"\\u{ord(c):04x}" for c in KEY)]),
)
numbers = st.one_of(st.integers(), st.integers(min_value=10**300, max_value=10**400),
                    st.floats(allow_nan=True, allow_infinity=True))
leaves = st.one_of(st.none(), st.booleans(), numbers, odd_text)
trees = st.recursive(
    leaves,
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(odd_text, kids, max_size=4),
    max_leaves=12,
)


@st.composite
def replies(draw: st.DrawFn) -> dict[str, Any]:
    """A reply object: a decision with hostile parts, or a random JSON object."""
    if draw(st.booleans()):
        reply: dict[str, Any] = {k: draw(st.sampled_from(v)) for k, v in VOCAB.items()}
        reply["suspected_conditions"] = []
        reply["rationale"] = draw(odd_text)
        if draw(st.booleans()):
            reply[draw(st.sampled_from(["rationale", "urgency", "extra"]))] = draw(trees)
        return reply
    return draw(st.dictionaries(odd_text, trees, max_size=5))


FUZZ = settings(max_examples=10, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return engine_corpus_dir(tmp_path_factory.mktemp("fuzz") / "corpus", 2)


@contextlib.contextmanager
def key_in_environment() -> Iterator[None]:
    old = os.environ.get("OPENAI_API_KEY")
    os.environ["OPENAI_API_KEY"] = KEY
    try:
        yield
    finally:
        if old is None:
            del os.environ["OPENAI_API_KEY"]
        else:
            os.environ["OPENAI_API_KEY"] = old


def check_run(corpus: Path, out: Path, system: str, *extra: str) -> None:
    """Run once and assert every property."""
    shutil.rmtree(out, ignore_errors=True)
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        status = main(["run", "--system", system, "--corpus", str(corpus), "--output", str(out),
                       "--no-progress", "--retries", "0", "--timeout", "10", *extra])
    assert status in (0, 1, 2, 4), stderr.getvalue()[-2000:]
    assert "Traceback" not in stderr.getvalue() and "internal error" not in stderr.getvalue()
    texts = [stdout.getvalue(), stderr.getvalue()]
    if (out / "results.json").exists():
        text = (out / "results.json").read_bytes().decode("utf-8")
        json.loads(text, parse_constant=_refuse)
        texts.append(text)
    if (out / "journal.jsonl").exists():
        for line in (out / "journal.jsonl").read_bytes().decode("utf-8").split("\n")[:-1]:
            json.loads(line, parse_constant=_refuse)
            texts.append(line)
    assert not any(KEY in text for text in texts)


def _refuse(name: str) -> None:
    raise ValueError(f"not strict JSON: {name}")


@FUZZ
@given(reply=st.one_of(trees, replies()))
def test_any_python_reply_is_recorded_safely(
    corpus: Path, tmp_path_factory: pytest.TempPathFactory, reply: Any
) -> None:
    fuzz_reply_system.REPLY = reply
    with key_in_environment():
        check_run(corpus, tmp_path_factory.getbasetemp() / "fuzz-python",
                  "python:tests.support.fuzz_reply_system:triage", "--no-isolate")


@settings(FUZZ, max_examples=3)
@given(reply=replies())
def test_any_reply_from_an_isolated_python_worker_is_recorded_safely(
    corpus: Path, tmp_path_factory: pytest.TempPathFactory, reply: Any
) -> None:
    folder = tmp_path_factory.getbasetemp() / "fuzz-worker"
    folder.mkdir(exist_ok=True)
    module = folder / "worker_reply.py"
    module.write_text(f"import json\nREPLY = json.loads({json.dumps(json.dumps(reply))})\n"
                      "def triage(p):\n    return REPLY\n")
    with key_in_environment():
        check_run(corpus, folder / "out", f"python:{module}:triage")


@settings(FUZZ, max_examples=8)
@given(reply=replies(), ascii_only=st.booleans())
def test_any_cmd_reply_line_is_recorded_safely(
    corpus: Path, tmp_path_factory: pytest.TempPathFactory, reply: dict[str, Any],
    ascii_only: bool,
) -> None:
    folder = tmp_path_factory.getbasetemp() / "fuzz-cmd"
    folder.mkdir(exist_ok=True)
    text = json.dumps(reply, ensure_ascii=ascii_only)
    (folder / "reply.txt").write_bytes(text[1:].encode("utf-8", "surrogatepass")
                                       if text != "{}" else b'"empty": true}')
    os.environ["REPLY_FILE"] = str(folder / "reply.txt")
    with key_in_environment():
        check_run(corpus, folder / "out",
                  f"cmd:{shlex.quote(sys.executable)} {shlex.quote(str(REPLY_CMD))}")


@settings(FUZZ, max_examples=10)
@given(reply=st.one_of(trees, replies()), status=st.sampled_from([200, 200, 429, 500, 400]),
       retry_after=st.sampled_from(["", "inf", "1e308", "nan", "-1", "soon"]))
def test_any_http_reply_is_recorded_safely(
    corpus: Path, tmp_path_factory: pytest.TempPathFactory, server: ScriptedServer,
    reply: Any, status: int, retry_after: str,
) -> None:
    body = json.dumps(reply).encode("utf-8", "surrogatepass")
    headers = {"Retry-After": retry_after} if retry_after else {}
    server.script = lambda request: Scripted(status, body, headers)
    with key_in_environment():
        check_run(corpus, tmp_path_factory.getbasetemp() / "fuzz-http", server.url,
                  "--max-total-seconds", "5")


@pytest.fixture(scope="module")
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer(lambda request: Scripted(500, b"")) as running:
        yield running
