"""A loopback OpenAI-compatible server for tests: the real `openai` client talks real HTTP to it.

Each test gives it a script, one step per request received (the last step repeats when the
script runs out):

- ``("json", obj)``       a chat.completion whose ``message.content`` is ``json.dumps(obj)``
- ``("raw", text)``       a chat.completion whose content is ``text`` as is (e.g. malformed JSON)
- ``("status", code)``    an OpenAI-style error body with that HTTP status (500, 429, …)
- ``("sleep", s, step)``  wait ``s`` seconds, then answer ``step`` (the client may have gone)
- ``("refusal", text)``   a message with ``refusal`` set and ``content`` null
- ``("status", code, headers)``  the same error, with these headers instead of ``retry-after-ms``
- ``("http", code, body, headers)``  any body (str or bytes) with that status, e.g. an HTML page
  served as 200 or a JSON body cut short; ``headers`` (optional) default to ``text/html``
- ``("completion", obj)`` ``obj`` itself as the JSON body (e.g. ``{"choices": []}``)
- ``("tool", obj)``       a chat.completion whose message calls the requested tool with ``obj`` as
  its arguments (the ``function_calling`` output mode)
- ``("trickle", s, step)`` answer ``step``, its body written one byte every ``s`` seconds
- ``("call", fn)``        ``fn(request body)`` returns the step to answer with

Every request body it received is kept, parsed, in ``server.requests`` (and its Authorization
header in ``server.auth``). Error replies carry ``retry-after-ms: 5`` so that the client's own
retries, still bounded by ``max_retries``, do not slow the tests down.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

Step = tuple[Any, ...]

_ERRORS = {
    400: ("invalid_request_error", "Bad request"),
    401: ("invalid_request_error", "Incorrect API key provided"),
    429: ("rate_limit_exceeded", "Rate limit reached for requests"),
    500: ("server_error", "The server had an error while processing your request"),
    503: ("server_error", "The engine is currently overloaded"),
}


def completion(content: str | None, *, model: str = "test-model", refusal: str | None = None):
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": refusal},
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
    }


class FakeOpenAI:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.paths: list[str] = []
        self.auth: list[str] = []  # the Authorization header of each request
        self._script: list[Step] = [("status", 500)]
        self._served = 0
        # Replies written to the end: a client that gave up before a slow reply finished never
        # sees it counted here (the handler is still sleeping or trickling when the call returns).
        self.delivered = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        handler = type("Handler", (_Handler,), {"fake": self})
        self.httpd = _QuietServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.httpd.block_on_close = False
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def script(self, *steps: Step) -> FakeOpenAI:
        with self._lock:
            self._script, self._served, self.delivered = list(steps), 0, 0
            self.requests.clear()
            self.paths.clear()
            self.auth.clear()
        return self

    def start(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def close(self) -> None:
        self._stop.set()  # wakes any handler still sleeping
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def settings(self, **over: Any) -> Any:
        """The assistant's model settings pointed at this server: no retries, a short timeout."""
        from pydantic import SecretStr

        from assistant.rewriting.settings import Settings

        values = {
            "api_key": SecretStr("sk-test"),
            "base_url": self.url,
            "model": "test-model",
            "timeout": 5,
            "max_retries": 0,
            **over,
        }
        return Settings(**values)

    # -- used by the handler ------------------------------------------------------------------
    def _next(self, body: dict[str, Any], path: str, auth: str) -> Step:
        with self._lock:
            self.requests.append(body)
            self.paths.append(path)
            self.auth.append(auth)
            step = self._script[min(self._served, len(self._script) - 1)]
            self._served += 1
        return step

    def request_texts(self) -> list[str]:
        """Every request body as the JSON text it was, for substring assertions."""
        return [json.dumps(r, ensure_ascii=False) for r in self.requests]


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)  # a client that went away is no error


class _Handler(BaseHTTPRequestHandler):
    fake: FakeOpenAI
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # no 40 ms delayed-ACK stall between headers and body

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {"_unparsed": raw.decode("utf-8", "replace")}
        if not self.path.rstrip("/").endswith("/chat/completions"):
            self._send(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})
            return
        step = self.fake._next(body, self.path, self.headers.get("Authorization") or "")
        self._answer(step, body.get("model") or "test-model", body)

    def _answer(self, step: Step, model: str, body: dict[str, Any], trickle: float = 0) -> None:
        kind = step[0]
        if kind == "sleep":
            if self.fake._stop.wait(step[1]):
                return
            self._answer(step[2] if len(step) > 2 else ("raw", "{}"), model, body, trickle)
        elif kind == "trickle":
            self._answer(step[2], model, body, trickle=float(step[1]))
        elif kind == "call":
            self._answer(step[1](body), model, body, trickle)
        elif kind == "json":
            content = json.dumps(step[1], ensure_ascii=False)
            self._send(200, completion(content, model=model), trickle=trickle)
        elif kind == "raw":
            self._send(200, completion(step[1], model=model), trickle=trickle)
        elif kind == "refusal":
            self._send(200, completion(None, model=model, refusal=step[1]), trickle=trickle)
        elif kind == "completion":
            self._send(200, step[1], trickle=trickle)
        elif kind == "tool":
            tools = body.get("tools") or [{"function": {"name": "OfficialMessage"}}]
            reply = completion(None, model=model)
            reply["choices"][0]["finish_reason"] = "tool_calls"
            reply["choices"][0]["message"]["tool_calls"] = [
                {
                    "id": "call_fake",
                    "type": "function",
                    "function": {
                        "name": tools[0]["function"]["name"],
                        "arguments": json.dumps(step[1], ensure_ascii=False),
                    },
                }
            ]
            self._send(200, reply, trickle=trickle)
        elif kind == "http":
            data = step[2] if isinstance(step[2], bytes) else str(step[2]).encode("utf-8")
            headers = step[3] if len(step) > 3 else {"Content-Type": "text/html; charset=utf-8"}
            self._write(int(step[1]), data, headers, trickle)
        elif kind == "status":
            code = int(step[1])
            etype, message = _ERRORS.get(code, ("server_error", f"HTTP {code}"))
            self._send(
                code,
                {"error": {"message": message, "type": etype, "param": None, "code": None}},
                # Retries stay bounded by max_retries; this only keeps the back-off short.
                headers=step[2] if len(step) > 2 else {"retry-after-ms": "5"},
                trickle=trickle,
            )
        else:  # pragma: no cover - a mistake in a test's script
            raise ValueError(f"unknown step {step!r}")

    def _delivered(self) -> None:
        with self.fake._lock:
            self.fake.delivered += 1

    def _send(
        self, status: int, obj: Any, headers: dict[str, str] | None = None, trickle: float = 0
    ) -> None:
        data = json.dumps(obj, ensure_ascii=False).encode("utf-8")
        self._write(status, data, {"Content-Type": "application/json", **(headers or {})}, trickle)

    def _write(self, status: int, data: bytes, headers: dict[str, str], trickle: float) -> None:
        try:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if not trickle:
                self.wfile.write(data)
                self.wfile.flush()
                self._delivered()
                return
            self.wfile.flush()
            for i in range(len(data)):
                if self.fake._stop.wait(trickle):
                    return
                self.wfile.write(data[i : i + 1])
                self.wfile.flush()
            self._delivered()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client timed out and went away


# The draft the model-path tests rewrite, and the point a good reply makes of it.
DRAFT = "在吗各位，明天26号下午三点三楼第二会议室开防汛会，带材料5份😂😂，别忘了啊"
POINT = "明天26号下午三点在三楼第二会议室召开防汛工作会议，请带材料5份。"


def official_reply(*points: str, closing: str = "特此通知。", **over: object) -> dict[str, object]:
    """An OfficialMessage for DRAFT as the model would send it."""
    return {
        "subject": "关于召开防汛工作会议的通知",
        "salutation": "各位同事",
        "points": list(points) or [POINT],
        "closing": closing,
        "signature": "办公室",
        "date": None,
        **over,
    }


def cli_env(
    server: FakeOpenAI | None = None, *, key: str = "sk-test", **extra: str
) -> dict[str, str]:
    """The environment of a CLI subprocess: none of the user's model settings or proxies, the
    tests' rules cache, and (with `server`) the settings that point the CLI at the server."""
    import os
    from pathlib import Path

    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("OPENAI_", "ASSISTANT_"))
        and k.lower() not in ("http_proxy", "https_proxy", "all_proxy")
    }
    env.update(
        ASSISTANT_CACHE_DIR=str(Path(__file__).resolve().parents[1] / ".cache" / "test-rules"),
        NO_PROXY="127.0.0.1,localhost",
        PYTHONIOENCODING="utf-8",
    )
    if server is not None:
        env.update(
            OPENAI_API_KEY=key,
            OPENAI_BASE_URL=server.url,
            ASSISTANT_MODEL="test-model",
            ASSISTANT_TIMEOUT="5",
            ASSISTANT_MAX_RETRIES="0",
        )
    env.update(extra)
    return env


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server
