"""Reading an LLM's reply strictly: one JSON object, valid against the decision schema.

No searching the text for something that looks like JSON and no guessing at labels: a reply is
the JSON object, or the JSON object inside one Markdown code fence (a formatting habit, not a
change of meaning). Anything else is an invalid answer, scored as an error (fail closed).
"""

from __future__ import annotations

import json
import re

from backtriage.harness.model import Decision
from backtriage.harness.systems.decision_parsing import decision_from_obj
from backtriage.harness.systems.protocol import InvalidAnswer

_FENCE = re.compile(r"\A```(?:json)?[ \t]*\n(?P<body>.*)\n```\Z", re.DOTALL | re.IGNORECASE)


def decision_from_text(text: object) -> Decision:
    """Parse an LLM's text reply into a decision.

    Raises:
        InvalidAnswer: if the reply is empty, not a single JSON object, or not a valid decision;
            the raw reply is attached.
    """
    if not isinstance(text, str) or not text.strip():
        raise InvalidAnswer("empty reply", raw=text if isinstance(text, str) else None)
    body = text.strip()
    fenced = _FENCE.match(body)
    if fenced:
        body = fenced.group("body").strip()
    try:
        obj = json.loads(body)
    except ValueError as exc:
        raise InvalidAnswer(f"reply is not a JSON object: {exc}", raw=text) from None
    if not isinstance(obj, dict):
        raise InvalidAnswer("reply is JSON but not an object", raw=text)
    return decision_from_obj(obj, raw=text)
