"""Hostile policies, configs and flags: each is exit 2 naming the file, field or flag.

Policies and configs go through the one strict YAML reader (``harness/loading/yamlfile.py``);
every number, whatever its source, through the one range check (``harness/loading/numbers.py``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from backtriage.harness.cli.main import main

DEFAULT_POLICY = """\
schema_version: "1.0.0"
name: strict
thresholds:
  critical_misses: {max: 0}
"""

ALIAS_BOMB = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def _run(capsys: pytest.CaptureFixture[str], corpus: Path, tmp_path: Path,
         *extra: str) -> tuple[int, str]:
    status = main(["run", "--system", "baseline:never-image", "--corpus", str(corpus),
                   "--output", str(tmp_path / "out"), "--no-progress", "--quiet", *extra])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return status, err


def _file(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_a_second_thresholds_block_cannot_remove_every_gate(
    small_corpus_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Defect 4: never-image used to pass (exit 0) once a second `thresholds: {}` replaced
    the gates; the duplicate key is now refused, naming its line."""
    policy = _file(tmp_path, "p.yaml", DEFAULT_POLICY + "thresholds: {}\n")
    status, err = _run(capsys, small_corpus_dir, tmp_path, "--policy", str(policy))
    assert status == 2
    assert f"{policy}: not valid YAML: duplicate key 'thresholds'" in err and "line 5" in err


@pytest.mark.parametrize("where", ["policy", "config-adapter-params", "config-headers"])
def test_an_alias_bomb_fails_fast_with_one_short_line(
    small_corpus_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    """Defect 8: a 600-byte alias bomb is refused at its first alias: exit 2, a short message
    (it used to run a minute, print 2 GB and exit 1; in adapter params the run hung)."""
    if where == "policy":
        flag = ["--policy", str(_file(tmp_path, "bomb.yaml", DEFAULT_POLICY + ALIAS_BOMB))]
    else:
        key = "params" if where == "config-adapter-params" else "headers"
        nested = ALIAS_BOMB.replace("\n", "\n    ").rstrip()
        text = f"adapter:\n  {key}:\n    {nested}\n"
        flag = ["--config", str(_file(tmp_path, "bomb.yaml", text))]
    status, err = _run(capsys, small_corpus_dir, tmp_path, *flag)
    assert status == 2
    assert "aliases (*name) are not allowed" in err
    assert len(err) < 500


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (b"system: r\xe9f\xe9rence\n", "not UTF-8 text"),
        ("a:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 5000)), "nested deeper"),
        ("epochs: " + "9" * 5000 + "\n", "a number of 5000 digits"),
        ("corpus: [1, 2]\n", "/corpus/0: a corpus entry is a folder or file path"),
        ("adapter: {timeout: abc}\n", "/adapter/timeout: must be a number above 0"),
        ("timeout: .nan\n", "not a finite number"),
        ("epochs: 100000000\n", "/epochs: must be a whole number from 1 to 1000"),
        ("concurrency: 0\n", "/concurrency: must be a whole number from 1 to 256"),
        ("resume: true\nresume: false\n", "duplicate key 'resume'"),
        ("system: ok\n1: x\n", "key 1 is not text"),
        ('system: "\\ud800"\n', "lone surrogate"),
    ],
    ids=["latin-1", "5000-deep", "huge int", "corpus ints", "timeout abc", ".nan",
         "epochs huge", "concurrency 0", "duplicate key", "int key", "surrogate"],
)
def test_a_hostile_config_is_a_named_problem(
    small_corpus_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    text: str | bytes, expected: str,
) -> None:
    """Defect 18: non-UTF-8, 5000-deep YAML, a huge integer, `corpus: [1, 2]`,
    `adapter: {timeout: abc}` and the like are exit 2 naming the config file."""
    config = _file(tmp_path, "c.yaml", text)
    status, err = _run(capsys, small_corpus_dir, tmp_path, "--config", str(config))
    assert status == 2, err
    assert str(config) in err and expected in err, err


@pytest.mark.parametrize(
    ("flag", "value", "expected"),
    [
        ("--timeout", "nan", "not a finite number"),
        ("--timeout", "inf", "not a finite number"),
        ("--timeout", "1e308", "at most 86400"),
        ("--retry-backoff", "nan", "not a finite number"),
        ("--max-total-seconds=-inf", "", "not a finite number"),
        ("--epochs", "100000000", "from 1 to 1000"),
        ("--retries", "1000000", "from 0 to 100"),
    ],
)
def test_a_number_flag_out_of_range_is_named(
    small_corpus_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    flag: str, value: str, expected: str,
) -> None:
    """Defect 19 (and 18's --epochs): NaN, infinities and absurd sizes are exit 2 naming the
    flag; NaN used to pass every `value < low` check."""
    status, err = _run(capsys, small_corpus_dir, tmp_path, *([flag, value] if value else [flag]))
    assert status == 2
    assert f"error: {flag.split('=')[0]}: must be" in err and expected in err, err


@pytest.mark.parametrize(
    ("bound", "expected"),
    [
        ("{max: .nan}", "'.nan' is not a finite number"),
        ("{max: .inf}", "'.inf' is not a finite number"),
        ("{max: 1.0e+400}", "not a finite number"),
        ("{max: " + "9" * 5000 + "}", "a number of 5000 digits"),
    ],
)
def test_a_non_finite_policy_bound_is_refused(
    small_corpus_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    bound: str, expected: str,
) -> None:
    """Defect 19: `.nan` bounds compared false with everything, so the gate always passed."""
    policy = _file(tmp_path, "p.yaml", DEFAULT_POLICY.replace("{max: 0}", bound))
    status, err = _run(capsys, small_corpus_dir, tmp_path, "--policy", str(policy))
    assert status == 2
    assert str(policy) in err and expected in err, err


def test_a_policy_built_in_code_is_checked_for_nan_too() -> None:
    """Defect 19: policy_from_dict (used for policies embedded in results) refuses NaN."""
    from backtriage.harness.loading.problems import InputError
    from backtriage.scoring.policy import policy_from_dict

    with pytest.raises(InputError, match="not a finite number"):
        policy_from_dict({"schema_version": "1.0.0", "name": "x",
                          "thresholds": {"critical_misses": {"max": float("nan")}}})


def test_a_policy_that_is_a_folder_is_refused(
    small_corpus_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A policy path naming a folder or FIFO is 'not a regular file', exit 2."""
    folder = tmp_path / "p.yaml"
    folder.mkdir()
    status, err = _run(capsys, small_corpus_dir, tmp_path, "--policy", str(folder))
    assert status == 2 and "not a regular file (a folder)" in err
