"""A plain Python function as a triage system (``python:module:function``)."""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from backtriage.harness.model import Decision, Presentation
from backtriage.harness.systems.decision_parsing import decision_from_obj
from backtriage.harness.systems.fingerprints import python_source
from backtriage.harness.systems.protocol import Reply
from backtriage.harness.systems.spec_errors import SpecError


class PythonCallableSystem:
    """Calls ``function(presentation_dict)``; accepts a Decision, Reply or decision dict back.

    The function receives a fresh ``{"narrative": ..., "findings": {...}}`` dictionary per call
    (the same JSON the subprocess and HTTP adapters send), so it cannot alter the corpus.
    """

    def __init__(self, spec: str, function: Callable[[dict[str, Any]], Any],
                 module_name: str | None = None):
        self.spec = spec
        self._function = function
        # Read now, as imported: an edit of the file during the run is the next run's business.
        self._source = python_source(function, module_name)

    @property
    def function(self) -> Callable[[dict[str, Any]], Any]:
        """The user's function."""
        return self._function

    def triage(self, presentation: Presentation) -> Decision | Reply:
        """Call the function and validate its answer strictly."""
        answer = self._function(presentation.to_dict())
        if isinstance(answer, Reply):
            return answer
        return decision_from_obj(answer)

    def describe(self) -> dict[str, Any]:
        """Identify the system: its spec and a hash of its source file(s), for cache keys."""
        return {"kind": "python", "spec": self.spec, **self._source}

    def close(self) -> None:
        """Nothing to release."""


def from_spec(spec: str) -> PythonCallableSystem:
    """Resolve ``python:module:function`` or ``python:path/to/file.py:function``.

    Raises:
        SpecError: if the module or function cannot be found.
    """
    target = spec.removeprefix("python:")
    module_name, sep, attr = target.rpartition(":")
    if not sep or not module_name or not attr:
        raise SpecError(spec, "expected python:MODULE:FUNCTION, e.g. python:mytriage:triage")
    try:
        if module_name.endswith(".py"):
            module = _import_file(Path(module_name))
        else:
            if str(Path.cwd()) not in sys.path:
                # Let users name a module in the folder they run from, as pytest does.
                sys.path.insert(0, str(Path.cwd()))
            module = importlib.import_module(module_name)
    except SystemExit as exc:
        raise SpecError(
            spec, f"cannot import {module_name!r}: the module called sys.exit({exc.code!r}) "
            "while being imported"
        ) from None
    except Exception as exc:
        raise SpecError(spec, f"cannot import {module_name!r}: {exc}") from exc
    function = getattr(module, attr, None)
    if not callable(function):
        raise SpecError(spec, f"{module_name!r} has no callable named {attr!r}")
    return PythonCallableSystem(spec, function, module.__name__)


def _import_file(path: Path) -> Any:
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    name = f"backtriage_user_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
