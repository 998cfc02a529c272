"""A cmd: program that answers every request with the line in ``$REPLY_FILE``, its id spliced in.

The file holds a JSON object's text without the opening brace (so any bytes a test wants,
escapes and all, follow the id): the reply is ``{"id": "<id>", <file contents>``.
"""

from __future__ import annotations

import json
import os
import sys


def main() -> None:
    with open(os.environ["REPLY_FILE"], encoding="utf-8") as fh:
        rest = fh.read()
    for line in sys.stdin:
        request_id = json.loads(line)["id"]
        sys.stdout.write('{"id": ' + json.dumps(request_id) + ", " + rest + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
