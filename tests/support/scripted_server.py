"""A scripted HTTP server on 127.0.0.1 for adapter tests: it answers from a script, not a model.

A script is a callable taking the request and returning a :class:`Scripted` reply (status,
headers, body, delay). Helpers build OpenAI- and Anthropic-shaped replies, and a fake "model"
that triages from keywords in the prompt, so tests exercise real sockets end to end.
"""

from __future__ import annotations

import json
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Request:
    """What the server received."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body or b"null")

    @property
    def text(self) -> str:
        """Everything a model would read: the message contents concatenated."""
        data = self.json
        if isinstance(data, dict) and "messages" in data:
            parts = [m["content"] for m in data["messages"] if isinstance(m.get("content"), str)]
            return "\n".join([data.get("system", "") or "", *parts])
        return self.body.decode("utf-8", "replace")


@dataclass(frozen=True)
class Scripted:
    """One scripted reply."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


Script = Callable[[Request], Scripted]

EMERGENCY = {"urgency": "emergency", "imaging": "mri", "category": "serious_pathology",
             "suspected_conditions": ["cauda_equina_syndrome"], "rationale": "retention"}
SELF_CARE = {"urgency": "self_care", "imaging": "none", "category": "nonspecific",
             "suspected_conditions": [], "rationale": "no red flags"}


def keyword_decision(text: str) -> dict[str, Any]:
    """The fake model: urinary retention means emergency, anything else self care."""
    return dict(EMERGENCY if "retention" in text.lower() else SELF_CARE)


def openai_body(content: str | None, finish_reason: str = "stop", **message: Any) -> dict[str, Any]:
    return {
        "id": "chatcmpl-test", "object": "chat.completion", "model": "fake-model",
        "choices": [{"index": 0, "finish_reason": finish_reason,
                     "message": {"role": "assistant", "content": content, **message}}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
    }


def anthropic_text_body(text: str, stop_reason: str = "end_turn") -> dict[str, Any]:
    return {"id": "msg_test", "type": "message", "role": "assistant", "model": "fake-claude",
            "content": [{"type": "text", "text": text}], "stop_reason": stop_reason,
            "usage": {"input_tokens": 10, "output_tokens": 5}}


def anthropic_tool_body(tool_input: Any, name: str = "record_triage_decision") -> dict[str, Any]:
    return {"id": "msg_test", "type": "message", "role": "assistant", "model": "fake-claude",
            "content": [{"type": "tool_use", "id": "toolu_1", "name": name, "input": tool_input}],
            "stop_reason": "tool_use", "usage": {"input_tokens": 10, "output_tokens": 5}}


def openai_model(request: Request) -> Scripted:
    """An OpenAI-compatible 'model' that answers every prompt correctly from keywords."""
    return Scripted(body=openai_body(json.dumps(keyword_decision(request.text))))


def anthropic_model(request: Request) -> Scripted:
    """An Anthropic-compatible 'model' answering with the forced tool call."""
    return Scripted(body=anthropic_tool_body(keyword_decision(request.text)))


def service_model(request: Request) -> Scripted:
    """A triage web service answering the posted presentation."""
    return Scripted(body=keyword_decision(request.json["narrative"]))


class Sequence:
    """A script that plays replies in order, then keeps repeating the last one (thread-safe)."""

    def __init__(self, replies: Iterable[Scripted | Script]):
        self.replies = list(replies)
        self._lock = threading.Lock()
        self.calls = 0

    def __call__(self, request: Request) -> Scripted:
        with self._lock:
            item = self.replies[min(self.calls, len(self.replies) - 1)]
            self.calls += 1
        return item(request) if callable(item) else item


class ScriptedServer:
    """A threaded HTTP/1.1 server on 127.0.0.1 with an ephemeral port."""

    def __init__(self, script: Script, latency: float = 0.0, tls: ssl.SSLContext | None = None):
        self.script = script
        self.tls = tls
        self.latency = latency
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # else each reply waits ~40 ms for a delayed ACK

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                headers = {k.lower(): v for k, v in self.headers.items()}
                request = Request("POST", self.path, headers, self.rfile.read(length))
                with server._lock:
                    server.requests.append(request)
                reply = server.script(request)
                delay = server.latency + reply.delay
                if delay:
                    time.sleep(delay)
                body = reply.body
                data = (body if isinstance(body, bytes) else
                        body.encode() if isinstance(body, str) else json.dumps(body).encode())
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    for k, v in reply.headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        if tls is not None:  # the handshake happens as each connection is accepted
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,),
                                        daemon=True)

    @property
    def url(self) -> str:
        port = self._server.server_address[1]
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{port}"

    def __enter__(self) -> ScriptedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def refused_url() -> str:
    """A URL on 127.0.0.1 where nothing listens (connection refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"
