"""Time faults: infinite or huge Retry-After and timeouts neither crash nor stall a run."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import pytest

from backtriage.harness.cli.main import main
from backtriage.harness.engine import EngineOptions, run_system
from backtriage.harness.engine.options import DEFAULT_MAX_TOTAL_SECONDS
from backtriage.harness.engine.retry import backoff_delay
from backtriage.harness.systems import resolve_system
from backtriage.harness.systems.protocol import TransientError
from backtriage.harness.waiting import RETRY_AFTER_CEILING_SECONDS
from tests.support.engine_corpus import engine_corpus, engine_corpus_dir
from tests.support.scripted_server import Scripted, ScriptedServer, service_model


@pytest.mark.parametrize("asked", [math.inf, 1e308, 100_000.0, 61.0])
def test_a_retry_after_beyond_the_ceiling_waits_the_ceiling(asked: float) -> None:
    """Defect 7: a server cannot make a run wait 28 hours per retry."""
    error = TransientError("429", retry_after=asked)
    assert error.retry_after == RETRY_AFTER_CEILING_SECONDS == 60.0
    assert backoff_delay(EngineOptions(), 1, asked) == 60.0


def test_a_nan_or_negative_retry_after_is_ignored() -> None:
    assert TransientError("x", retry_after=math.nan).retry_after is None
    assert TransientError("x", retry_after=-5).retry_after == 0.0
    assert backoff_delay(EngineOptions(backoff=1), 1, math.nan) <= 1.0


@pytest.mark.parametrize("header", ["inf", "1e308", "100000", "-inf", "nan"])
def test_a_hostile_retry_after_header_ends_in_a_recorded_answer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], header: str
) -> None:
    """Defect 6: no exit 3; the total time cap ends the wait; results are strict JSON."""
    served: list[int] = []

    def script(request: object) -> Scripted:
        served.append(1)
        if len(served) == 1:
            return Scripted(429, {"error": "slow down"}, {"Retry-After": header})
        return service_model(request)  # type: ignore[arg-type]

    corpus = engine_corpus_dir(tmp_path / "corpus", 1)
    out = tmp_path / "out"
    start = time.monotonic()
    with ScriptedServer(script) as server:
        status = main(["run", "--system", server.url, "--corpus", str(corpus), "--output",
                       str(out), "--no-progress", "--max-total-seconds", "1.5",
                       "--retry-backoff", "0.01"])
    assert status in (0, 1) and time.monotonic() - start < 15
    doc = json.loads((out / "results.json").read_text(), parse_constant=_refuse)
    attempts = doc["vignettes"][0]["answers"][0]["attempts"]
    assert all(a["retry_after"] is None or 0 <= a["retry_after"] <= 60 for a in attempts)
    assert "Traceback" not in capsys.readouterr().err


def _refuse(name: str) -> None:
    raise ValueError(name)


@pytest.mark.parametrize("timeout", [math.inf, 1e308])
def test_an_infinite_or_huge_timeout_waits_without_crashing(
    tmp_path: Path, timeout: float
) -> None:
    """Defect 6: ``--timeout inf`` reaches the engine as no limit, not an OverflowError."""
    corpus = engine_corpus(tmp_path / "corpus", 3)
    options = EngineOptions(timeout=timeout, max_total_seconds=math.inf)
    records = run_system(resolve_system("reference"), corpus.vignettes, options)
    assert [r.error for r in records] == [None] * 3


def test_a_run_has_a_default_total_time_cap_the_user_can_change() -> None:
    """Defect 7: a day by default; ``inf`` lifts it."""
    assert EngineOptions().max_total_seconds == DEFAULT_MAX_TOTAL_SECONDS == 86400.0
    assert EngineOptions(max_total_seconds=math.inf).max_total_seconds is None
    with pytest.raises(ValueError, match="NaN"):
        EngineOptions(timeout=math.nan)
