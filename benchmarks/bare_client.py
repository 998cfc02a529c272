"""The calls alone: N chat completions at concurrency C by the barest client, no harness.

The ideal of ``llm_path.py`` (``N * latency / C``) is a fluid bound no client reaches: 1,000
calls on 32 connections take 32 rounds, not 31.25, and the server's own scheduling adds its
part. This client measures what is left when a run is nothing but its calls: asyncio streams,
one keep-alive connection per slot, a fixed ~1.5 KB request like the adapter's, each reply read
to its end and otherwise ignored (no JSON, no records, no files). Its wall time is the floor
the harness's call phase is compared with.

    python benchmarks/bare_client.py PORT N [--concurrency 32]   # prints the seconds
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time

_NARRATIVE = ("My lower back has ached for three days since I moved a sofa. It is worse when I "
              "bend and better when I walk about. No numbness, no trouble passing water. ") * 6


def request_bytes() -> bytes:
    """One chat-completions request, about the size of the adapter's for a 150-word case."""
    body = json.dumps({
        "model": "bench-model",
        "messages": [{"role": "system", "content": "Triage this back-pain message as JSON."},
                     {"role": "user", "content": _NARRATIVE}],
        "temperature": 0,
    }).encode()
    head = (f"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n")
    return head.encode() + body


async def _slot(port: int, todo: list[int], request: bytes) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while todo:
            todo.pop()
            writer.write(request)
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                          if line.lower().startswith(b"content-length:"))
            await reader.readexactly(length)
    finally:
        writer.close()


async def calls(port: int, n: int, concurrency: int) -> float:
    """Make ``n`` calls on ``concurrency`` connections; return the seconds they took."""
    todo = list(range(n))
    request = request_bytes()
    start = time.perf_counter()
    await asyncio.gather(*(_slot(port, todo, request) for _ in range(min(n, concurrency))))
    return time.perf_counter() - start


def main() -> int:
    """Print the seconds ``N`` calls took."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("port", type=int)
    parser.add_argument("n", type=int)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    print(f"{asyncio.run(calls(args.port, args.n, args.concurrency)):.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
