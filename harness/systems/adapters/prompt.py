"""The prompt an LLM adapter sends: a versioned template, overridable from a file.

A template file has a ``[system]`` and a ``[user]`` section; ``$narrative`` and ``$findings``
are replaced by the presentation. The bundled template's version is its file name
(``triage-v2``); a user's file is identified by the SHA-256 of its text, so results and cache
keys change whenever the wording does.
"""

from __future__ import annotations

import hashlib
import json
import string
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from backtriage.harness.model import Presentation
from backtriage.harness.systems.spec_errors import SpecError
from backtriage.harness.vocabulary import (
    CATEGORIES,
    CONDITIONS,
    IMAGING,
    SAFETY_NET_TOPICS,
    URGENCIES,
)

DEFAULT_TEMPLATE = "triage-v2"
PLACEHOLDERS = frozenset({"narrative", "findings"})


@dataclass(frozen=True)
class PromptTemplate:
    """A parsed template.

    Attributes:
        version: ``triage-v2`` for the bundled template, ``file:<name>`` for a user's file.
        sha256: hash of the template text (changes with any edit).
        system: the system message template.
        user: the user message template.
        uses_findings: whether either message has ``$findings`` (when not, the findings are
            not serialised for every call only to be thrown away).
    """

    version: str
    sha256: str
    system: string.Template
    user: string.Template
    uses_findings: bool = True

    def render(self, presentation: Presentation) -> tuple[str, str]:
        """Return the system and user messages for one presentation."""
        values = {"narrative": presentation.narrative}
        if self.uses_findings:
            values["findings"] = json.dumps(presentation.findings_dict(), sort_keys=True)
        return self.system.substitute(values), self.user.substitute(values)

    def describe(self) -> dict[str, str]:
        """Facts for results and cache keys."""
        return {"version": self.version, "sha256": self.sha256}


def load_template(spec: str, path: str | None = None) -> PromptTemplate:
    """Load the bundled template, or the file at ``path``.

    Raises:
        SpecError: if the file cannot be read or is not a valid template.
    """
    if path is None:
        text = (resources.files("backtriage.harness.systems.adapters") / "prompts" /
                f"{DEFAULT_TEMPLATE}.txt").read_text(encoding="utf-8")
        version = DEFAULT_TEMPLATE
    else:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise SpecError(spec, f"cannot read prompt template {path}: "
                                  f"{exc.strerror or exc}") from None
        version = f"file:{Path(path).name}"
    return parse_template(spec, text, version)


def load_bundled(spec: str, name: str) -> PromptTemplate:
    """Load a bundled template by name (its version is its name).

    Raises:
        SpecError: if the bundled text is not a valid template (a packaging bug).
    """
    text = (resources.files("backtriage.harness.systems.adapters") / "prompts" /
            f"{name}.txt").read_text(encoding="utf-8")
    return parse_template(spec, text, name)


def parse_template(spec: str, text: str, version: str) -> PromptTemplate:
    """Parse template text into its sections and check its placeholders.

    Raises:
        SpecError: for a missing section, an unknown placeholder, or no ``$narrative``.
    """
    sections: dict[str, list[str]] = {}
    current: str | None = None
    for line in text.splitlines():
        stripped = line.strip()
        if stripped in ("[system]", "[user]"):
            current = stripped[1:-1]
            sections[current] = []
        elif current is not None:
            sections[current].append(line)
        elif stripped and not stripped.startswith("#"):
            raise SpecError(spec, f"prompt template {version}: text before the first section "
                                  "([system] or [user])")
    if "user" not in sections:
        raise SpecError(spec, f"prompt template {version}: no [user] section")
    parts = {k: string.Template("\n".join(v).strip()) for k, v in sections.items()}
    used: set[str] = set()
    for part in parts.values():
        for match in part.pattern.finditer(part.template):
            name = match.group("named") or match.group("braced")
            if match.group("invalid") is not None:
                raise SpecError(spec, f"prompt template {version}: a '$' that is not a "
                                      "placeholder (write $$ for a dollar sign)")
            if name:
                used.add(name)
    unknown = used - PLACEHOLDERS
    if unknown:
        raise SpecError(spec, f"prompt template {version}: unknown placeholder(s) "
                              f"{', '.join(sorted(unknown))}; known: $narrative, $findings")
    if "narrative" not in used and "findings" not in used:
        raise SpecError(spec, f"prompt template {version}: uses neither $narrative nor $findings")
    return PromptTemplate(
        version=version,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        system=parts.get("system", string.Template("")),
        user=parts["user"],
        uses_findings="findings" in used,
    )


def decision_json_schema() -> dict[str, Any]:
    """The decision as a JSON Schema fit for structured output (every field required).

    Structured-output modes (OpenAI's strict json_schema, Anthropic's tool input) want every
    property required and no extra ones; the reply is still validated against the project's
    decision schema afterwards.
    """
    topics = {"type": "array", "items": {"type": "string", "enum": list(SAFETY_NET_TOPICS)}}
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["urgency", "imaging", "category", "suspected_conditions", "safety_net",
                     "questions", "rationale"],
        "properties": {
            "urgency": {"type": "string", "enum": list(URGENCIES)},
            "imaging": {"type": "string", "enum": list(IMAGING)},
            "category": {"type": "string", "enum": list(CATEGORIES)},
            "suspected_conditions": {
                "type": "array", "items": {"type": "string", "enum": list(CONDITIONS)},
            },
            "safety_net": topics,
            "questions": topics,
            "rationale": {"type": "string"},
        },
    }
