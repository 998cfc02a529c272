"""A fixed-latency OpenAI-compatible chat completions server on 127.0.0.1, for the benchmarks.

``POST /v1/chat/completions`` answers, after ``--latency`` seconds, with a valid backtriage
decision as the message content and ``usage`` token counts; ``GET /stats`` gives the number of
completions served (and when the first and last were), ``POST /reset`` sets it back to zero,
``POST /latency?seconds=S`` changes the latency (one server, one base URL, for a whole benchmark:
the base URL is part of the adapter's cache key).
Anything else is a 404, counted apart so a client calling an unexpected endpoint shows up.

It is one asyncio process speaking raw HTTP/1.1 with keep-alive and TCP_NODELAY: no framework,
no thread per connection, so at concurrency 32 on 2 cores it costs a few tens of microseconds
per request and the harness being measured stays the bottleneck. The latency is a timer, not a
sleep, so 32 waiting requests cost nothing.

Run alone (prints the port on its first line)::

    python benchmarks/openai_server.py --latency 0.1 [--port 0]

or from another script::

    with BenchServer(latency=0.1) as server:
        os.environ["OPENAI_BASE_URL"] = server.base_url
        ...
        server.stats()["requests"]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import json
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import Any

DECISION = {
    "urgency": "routine",
    "imaging": "none",
    "category": "nonspecific",
    "suspected_conditions": [],
    "safety_net": ["bladder", "bowel", "saddle", "weakness"],
    "questions": [],
    "rationale": "Back pain without red flags; review in a few weeks if it is not improving.",
}
"""What every completion answers: a valid decision with every field the prompt asks for."""

_CONTENT = json.dumps(DECISION)
_COMPLETION_TOKENS = len(_CONTENT) // 4
_MAX_HEAD = 64 * 1024


class _Stats:
    """Counters shared by every connection of the server."""

    def __init__(self, latency: float) -> None:
        self.latency = latency  # seconds before each completion is sent; kept across resets
        self.reset()

    def reset(self) -> None:
        self.requests = 0
        self.other = 0
        self.first: float | None = None
        self.last: float | None = None
        self.cpu_at_reset = time.process_time()

    def as_dict(self) -> dict[str, Any]:
        return {"requests": self.requests, "other_requests": self.other,
                "first": self.first, "last": self.last,
                "cpu": time.process_time() - self.cpu_at_reset}


def _response(status: str, body: bytes, close: bool) -> bytes:
    head = (f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n"
            f"Connection: {'close' if close else 'keep-alive'}\r\n\r\n")
    return head.encode("ascii") + body


def _completion(body: bytes, number: int) -> bytes:
    try:
        request = json.loads(body)
        model = str(request.get("model") or "bench-model")
    except (ValueError, AttributeError):
        model = "bench-model"
    # About four bytes a token: the count only has to be plausible and grow with the prompt.
    prompt_tokens = max(1, len(body) // 4)
    reply = {
        "id": f"chatcmpl-bench-{number}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": _CONTENT, "refusal": None},
            "logprobs": None,
            "finish_reason": "stop",
        }],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": _COMPLETION_TOKENS,
                  "total_tokens": prompt_tokens + _COMPLETION_TOKENS},
    }
    return json.dumps(reply).encode()


class _Connection(asyncio.Protocol):
    """One keep-alive connection: requests are answered one at a time, in order."""

    def __init__(self, stats: _Stats) -> None:
        self.stats = stats
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None
        self.busy = False  # a request is waiting for its latency; later bytes wait their turn

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if not self.busy:
            self._next()

    def _next(self) -> None:
        """Parse and answer the next complete request in the buffer, if there is one."""
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            if len(self.buffer) > _MAX_HEAD:
                self._send(_response("431 Request Header Fields Too Large", b"{}", True), True)
            return
        lines = bytes(self.buffer[:end]).decode("latin-1").split("\r\n")
        method, _, rest = lines[0].partition(" ")
        path = rest.partition(" ")[0]
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if "chunked" in headers.get("transfer-encoding", "").lower():
            self._send(_response("411 Length Required", b"{}", True), True)
            return
        length = int(headers.get("content-length") or 0)
        if len(self.buffer) < end + 4 + length:
            return  # the body is still coming
        body = bytes(self.buffer[end + 4:end + 4 + length])
        del self.buffer[:end + 4 + length]
        close = headers.get("connection", "").lower() == "close"
        self._answer(method, path, body, close)

    def _answer(self, method: str, target: str, body: bytes, close: bool) -> None:
        stats = self.stats
        path, _, query = target.partition("?")
        if method == "POST" and path.rstrip("/").endswith("/chat/completions"):
            stats.requests += 1
            now = time.time()
            stats.first = stats.first or now
            payload = _response("200 OK", _completion(body, stats.requests), close)
            if stats.latency > 0:
                self.busy = True
                asyncio.get_running_loop().call_later(stats.latency, self._send, payload, close,
                                                      True)
            else:
                self._send(payload, close, True)
            return
        if method == "GET" and path == "/stats":
            self._send(_response("200 OK", json.dumps(stats.as_dict()).encode(), close), close)
        elif method == "POST" and path == "/reset":
            stats.reset()
            self._send(_response("200 OK", b"{}", close), close)
        elif method == "POST" and path == "/latency" and query.startswith("seconds="):
            stats.latency = float(query.removeprefix("seconds="))
            self._send(_response("200 OK", b"{}", close), close)
        else:
            stats.other += 1
            print(f"openai_server: unexpected {method} {path}", file=sys.stderr, flush=True)
            self._send(_response("404 Not Found", b'{"error": {"message": "not found"}}', close),
                       close)

    def _send(self, payload: bytes, close: bool, completion: bool = False) -> None:
        self.busy = False
        if completion:
            self.stats.last = time.time()
        if self.transport is None:
            return
        self.transport.write(payload)
        if close:
            self.transport.close()
            self.transport = None
        elif self.buffer:
            self._next()


async def _serve(host: str, port: int, latency: float) -> None:
    stats = _Stats(latency)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: _Connection(stats), host, port,
                                      backlog=1024, reuse_address=True)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


class BenchServer:
    """The server in its own process (so it never competes with the harness for the GIL)."""

    def __init__(self, latency: float, python: str = sys.executable) -> None:
        self.latency = latency
        self._process = subprocess.Popen(
            [python, str(Path(__file__).resolve()), "--latency", repr(latency)],
            stdout=subprocess.PIPE, text=True,
        )
        assert self._process.stdout is not None
        line = self._process.stdout.readline()
        if not line.strip().isdigit():
            self._process.kill()
            raise RuntimeError(f"benchmark server did not start (said {line!r})")
        self.port = int(line)
        self.base_url = f"http://127.0.0.1:{self.port}/v1"

    def _call(self, method: str, path: str) -> dict[str, Any]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request(method, path)
            data: dict[str, Any] = json.loads(connection.getresponse().read())
            return data
        finally:
            connection.close()

    def stats(self) -> dict[str, Any]:
        """Since the last reset: completions served, the wall-clock times of the first request
        and the last reply (``time.time()``, ``None`` before any), the server's CPU seconds."""
        return self._call("GET", "/stats")

    def reset(self) -> None:
        """Set the counters back to zero."""
        self._call("POST", "/reset")

    def set_latency(self, seconds: float) -> None:
        """Change the latency of the replies from now on."""
        self._call("POST", f"/latency?seconds={seconds!r}")
        self.latency = seconds

    def close(self) -> None:
        """Stop the server process."""
        self._process.terminate()
        try:
            self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        if self._process.stdout is not None:
            self._process.stdout.close()

    def __enter__(self) -> BenchServer:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per reply")
    parser.add_argument("--port", type=int, default=0, help="0: any free port (printed)")
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve("127.0.0.1", args.port, args.latency))
    return 0


if __name__ == "__main__":
    sys.exit(main())
