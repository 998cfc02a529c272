"""Cache keys follow the system: an edited ``python:`` or ``cmd:`` system is asked again."""

from __future__ import annotations

import json
import shlex
import shutil
import sys
from pathlib import Path

import pytest

from backtriage.harness.cli.main import main
from backtriage.harness.systems import resolve_system
from backtriage.harness.systems.fingerprints import command_files, files_sha256
from tests.support.engine_corpus import engine_corpus_dir

FAKE_CMD = Path(__file__).parent / "support" / "fake_triage_cmd.py"

SYSTEM_SOURCE = '''\
import json
from pathlib import Path

CALLS = Path(__file__).with_name("calls.log")


def triage(presentation):
    with CALLS.open("a") as fh:
        fh.write("call\\n")
    urgent = "retention" in presentation["narrative"]
    return {"urgency": "emergency" if urgent else "self_care",
            "imaging": "mri" if urgent else "none",
            "category": "serious_pathology" if urgent else "nonspecific",
            "suspected_conditions": ["cauda_equina_syndrome"] if urgent else []}
'''


def _run(capsys: pytest.CaptureFixture[str], spec: str, corpus: Path, tmp_path: Path,
         *extra: str) -> tuple[int, str]:
    status = main(["run", "--system", spec, "--corpus", str(corpus), "--output",
                   str(tmp_path / "out"), "--cache", str(tmp_path / "cache"), "--no-progress",
                   *extra])
    return status, capsys.readouterr().out


def _calls(folder: Path) -> int:
    log = folder / "calls.log"
    return len(log.read_text().splitlines()) if log.exists() else 0


def test_editing_a_python_system_after_a_cached_run_asks_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = engine_corpus_dir(tmp_path / "corpus", 6)
    source = tmp_path / "mytriage.py"
    source.write_text(SYSTEM_SOURCE)
    spec = f"python:{source}:triage"

    status, out = _run(capsys, spec, corpus, tmp_path)
    assert status == 0 and _calls(tmp_path) == 6
    assert "ANSWERS  6 asked, 0 from the cache" in out
    status, out = _run(capsys, spec, corpus, tmp_path)
    assert status == 0 and _calls(tmp_path) == 6  # nothing changed: served from the cache
    assert "ANSWERS  0 asked, 6 from the cache" in out

    # A change of the function's code: every answer is asked again, of the new code.
    source.write_text(SYSTEM_SOURCE.replace('"self_care"', '"routine"'))
    status, out = _run(capsys, spec, corpus, tmp_path)
    assert _calls(tmp_path) == 12
    assert "ANSWERS  6 asked, 0 from the cache" in out
    doc = json.loads((tmp_path / "out" / "results.json").read_text())
    assert {v["answers"][0]["decision"]["urgency"] for v in doc["vignettes"]} == {
        "emergency", "routine"}
    assert doc["system"]["source_files"] == ["mytriage.py"]
    assert doc["system"]["source_sha256"] == files_sha256([source.resolve()])


def test_a_package_module_is_keyed_by_its_own_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "triagepkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "rules.py").write_text(SYSTEM_SOURCE)
    # The named module re-exports a function defined in another: both files count.
    (package / "api.py").write_text("from triagepkg.rules import triage\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    system = resolve_system("python:triagepkg.api:triage", {"isolate": False})
    described = system.describe()
    assert described["source_files"] == ["api.py", "rules.py"]
    assert described["source_sha256"] == files_sha256(
        [(package / "api.py").resolve(), (package / "rules.py").resolve()])
    for name in ("triagepkg", "triagepkg.api", "triagepkg.rules"):
        monkeypatch.delitem(sys.modules, name)


def test_editing_a_cmd_script_after_a_cached_run_asks_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = engine_corpus_dir(tmp_path / "corpus", 6)
    script = tmp_path / "triage_cmd.py"
    shutil.copy(FAKE_CMD, script)
    monkeypatch.setenv("FAKE_TRIAGE_LOG", str(tmp_path / "calls.log"))
    spec = f"cmd:{shlex.quote(sys.executable)} {shlex.quote(str(script))} ok"
    assert _run(capsys, spec, corpus, tmp_path)[0] == 0
    assert _run(capsys, spec, corpus, tmp_path)[0] == 0
    assert _calls(tmp_path) == 6
    script.write_text(script.read_text() + "\n# a change of the program\n")
    status, out = _run(capsys, spec, corpus, tmp_path)
    assert status == 0 and _calls(tmp_path) == 12
    assert "ANSWERS  6 asked, 0 from the cache" in out


def test_a_cmd_system_is_keyed_by_its_executable_and_the_files_it_names(tmp_path: Path) -> None:
    script = tmp_path / "run.py"
    script.write_text("print('hello')\n")
    described = command_files([Path(sys.executable).name, "run.py", "--flag", "not-a-file"],
                              str(tmp_path))
    python = shutil.which(Path(sys.executable).name)
    assert python is not None
    assert described["source_files"] == [Path(python).resolve().name, "run.py"]
    before = described["source_sha256"]
    script.write_text("print('changed')\n")
    after = command_files([Path(sys.executable).name, "run.py"], str(tmp_path))
    assert after["source_sha256"] not in (None, before)
    assert command_files(["no-such-program-xyz"])["source_sha256"] is None
