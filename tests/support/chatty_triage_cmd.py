"""A cmd: program that talks too much: ``python chatty_triage_cmd.py MODE``.

``chatty`` prints a "ready" banner and, before each reply, a log line and a decoy decision (a
JSON line with someone else's id) on stdout; each real reply names the case number it read
in its rationale, so a test can see every answer landed on its own vignette. ``legacy``
answers without echoing the id (the protocol before ids). ``spawn-hang`` starts a grandchild
that writes its pid to ``$HANG_PID_FILE`` and hangs (the reply never comes).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

DECISION = {"imaging": "none", "category": "nonspecific", "suspected_conditions": []}


def main() -> None:
    mode = sys.argv[1]
    if mode == "spawn-hang":
        sys.stdin.readline()
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
        with open(os.environ["HANG_PID_FILE"], "w", encoding="utf-8") as fh:
            fh.write(str(child.pid))
        time.sleep(120)
        return
    print("triage server ready", flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        case = request["narrative"].rsplit("Case ", 1)[-1].rstrip(".")
        urgency = "emergency" if "retention" in request["narrative"] else "self_care"
        answer = {**DECISION, "urgency": urgency, "rationale": f"case {case}"}
        if mode == "legacy":
            print(json.dumps(answer), flush=True)
            continue
        print(f"INFO handling case {case}", flush=True)
        print(json.dumps({"id": "not-yours", **answer, "urgency": "self_care"}), flush=True)
        print(json.dumps({"id": request["id"], **answer}), flush=True)


if __name__ == "__main__":
    main()
