"""Recorded model replies, at the HTTP level, so that the real `openai` client and langchain's
parsing run in every offline eval and test, with no network.

A reply is stored under the hash of the request body (model + messages + parameters, as the
client sends it). Modes: `replay` fails on a miss (the offline default for the LLM path), `record`
forwards to the live endpoint and stores what came back, `live` only forwards.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

MODES = ("replay", "record", "live")


class ReplayMiss(RuntimeError):
    """No recorded reply for this exact request; a prompt or rule change altered the request."""


def request_key(body: dict[str, Any]) -> str:
    canonical = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:24]


class RecordingTransport(httpx.BaseTransport):
    def __init__(self, store: Path, mode: str = "replay", inner: httpx.BaseTransport | None = None):
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        self.store, self.mode = store, mode
        self.inner = inner if inner is not None else httpx.HTTPTransport()
        self.hits = self.misses = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content or b"{}")
        key = request_key(body)
        path = self.store / f"{key}.json"
        if self.mode == "replay":
            if not path.is_file():
                self.misses += 1
                raise ReplayMiss(f"no recorded reply {path.name} for this request")
            self.hits += 1
            stored = json.loads(path.read_text(encoding="utf-8"))
            return httpx.Response(
                stored.get("status", 200), json=stored["response"], request=request
            )
        response = self.inner.handle_request(request)
        if self.mode == "record":
            response.read()
            self.store.mkdir(parents=True, exist_ok=True)
            record = {
                "label": f"recorded from the live model {body.get('model')} on "
                f"{datetime.now(UTC):%Y-%m-%d}",
                "request": body,
                "status": response.status_code,
                "response": response.json(),
            }
            path.write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
        return response
