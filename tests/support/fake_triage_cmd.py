"""A JSON-lines triage program for subprocess-adapter tests: ``python fake_triage_cmd.py MODE``.

Every reply echoes the request's ``id`` (the protocol). Modes: ``ok`` answers from keywords;
``crash`` exits on the third request of each process; ``hang-once`` never answers the very first
request (a marker file says it happened); ``garbage`` prints a non-JSON line, then a JSON reply
that is no decision; ``vocab`` answers outside the vocabulary; ``slow`` waits ``SLOW_SECONDS``.
Each answered request appends "pid case-number" to the file named by ``FAKE_TRIAGE_LOG``.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

EMERGENCY = {"urgency": "emergency", "imaging": "mri", "category": "serious_pathology",
             "suspected_conditions": ["cauda_equina_syndrome"]}
SELF_CARE = {"urgency": "self_care", "imaging": "none", "category": "nonspecific",
             "suspected_conditions": []}


def main() -> None:
    mode = sys.argv[1] if len(sys.argv) > 1 else "ok"
    log = os.environ.get("FAKE_TRIAGE_LOG")
    print(f"fake triage {os.getpid()} starting in mode {mode}", file=sys.stderr, flush=True)
    count = 0
    for line in sys.stdin:
        count += 1
        presentation = json.loads(line)
        rid = presentation.pop("id", None)
        text = presentation["narrative"]
        if mode == "crash" and count == 3:
            print("fatal: simulated crash", file=sys.stderr, flush=True)
            sys.exit(3)
        if mode == "hang-once":
            marker = Path(os.environ["FAKE_TRIAGE_MARKER"])
            if not marker.exists():
                marker.write_text("hung")
                time.sleep(60)
        if mode == "slow":
            time.sleep(float(os.environ.get("SLOW_SECONDS", "0.05")))
        if mode == "garbage":
            print("I think it is urgent", flush=True)  # stale: answers no request
            print(json.dumps({"id": rid, "answer": "urgent"}), flush=True)
            continue
        decision = dict(EMERGENCY if "retention" in text.lower() else SELF_CARE)
        if mode == "vocab":
            decision["urgency"] = "asap"
        if log:
            with open(log, "a", encoding="utf-8") as fh:
                fh.write(f"{os.getpid()} {text.rsplit('Case ', 1)[-1].rstrip('.')}\n")
        print(json.dumps({"id": rid, **decision}), flush=True)


if __name__ == "__main__":
    main()
