"""Hand-written model replies for the LLM path, replayed at the HTTP level with no network.

`evals/recorded/fixtures.yaml` says, per rewrite case, which replies the "model" gives (one per
request, in order) and what the pipeline must make of them (backend, attempts, notes).
`evals/make_fixtures.py` runs the real pipeline against those replies through a recording
transport, so each reply is stored under the hash of the exact request the pipeline sends
(`<key>.json`); the eval then replays them with `RecordingTransport(mode="replay")`.

A prompt, template or rule change that alters a request changes its hash: the replay misses, the
case fails saying so, and `python evals/make_fixtures.py` regenerates the files.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, model_validator

from assistant.evaluation.cases import EVALS_DIR, CaseError
from assistant.rewriting.models import OfficialMessage
from assistant.rewriting.settings import Settings

RECORDED_DIR = EVALS_DIR / "recorded"
MANIFEST = "fixtures.yaml"
LIVE_DIR = "live"  # `--mode record` stores real replies here
LABEL = "hand-written fixture, not recorded from a live model"
FIXTURE_MODEL = "fixture-model"


def fixture_settings() -> Settings:
    # No retries: a replay miss should fail at once, not after a back-off.
    return Settings(
        api_key=SecretStr("sk-fixture"),
        base_url="http://fixture.invalid/v1",
        model=FIXTURE_MODEL,
        max_retries=0,
    )


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Reply(_Strict):
    """One model reply: a structured message, or raw text (e.g. malformed JSON)."""

    why: str = Field(min_length=1, description="what this reply exercises")
    message: OfficialMessage | None = None
    raw: str | None = None

    @model_validator(mode="after")
    def _one(self) -> Reply:
        if (self.message is None) == (self.raw is None):
            raise ValueError("give exactly one of message or raw")
        return self

    def content(self) -> str:
        if self.raw is not None:
            return self.raw
        assert self.message is not None
        return json.dumps(self.message.model_dump(mode="json"), ensure_ascii=False)


class Expect(_Strict):
    backend: Literal["llm", "offline"]
    attempts: int = Field(ge=1)
    requests: int = Field(ge=0, description="model requests the pipeline makes")
    notes_contain: list[str] = []


class Fixture(_Strict):
    case: str
    exercises: str = Field(min_length=1)
    replies: list[Reply] = []
    expect: Expect

    @model_validator(mode="after")
    def _enough(self) -> Fixture:
        if self.expect.requests != len(self.replies):
            raise ValueError("expect.requests must equal the number of replies")
        return self


class Manifest(_Strict):
    version: Literal[1]
    fixtures: list[Fixture]


def load_manifest(recorded_dir: Path = RECORDED_DIR) -> list[Fixture]:
    import yaml

    path = recorded_dir / MANIFEST
    if not path.is_file():
        return []
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
        manifest = Manifest.model_validate(data)
    except yaml.YAMLError as exc:
        raise CaseError(f"{path.name}: not valid YAML: {exc}") from None
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise CaseError(f"{path.name}: {problems}") from None
    seen: set[str] = set()
    for f in manifest.fixtures:
        if f.case in seen:
            raise CaseError(f"{path.name}: case {f.case}: listed twice")
        seen.add(f.case)
    return manifest.fixtures


def completion(content: str, ident: str) -> dict[str, Any]:
    """A chat.completion body as an OpenAI-compatible endpoint returns it."""
    return {
        "id": ident,
        "object": "chat.completion",
        "created": 0,
        "model": FIXTURE_MODEL,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
    }


def llm_backend(settings: Settings, store: Path, mode: str, inner: Any = None) -> tuple[Any, Any]:
    """(LLMBackend, RecordingTransport) talking through the recorder in `mode`; `inner` is the
    transport behind it in record/live mode (default: the real network)."""
    import httpx

    from assistant.rewriting.llm import LLMBackend
    from assistant.rewriting.recording import RecordingTransport

    transport = RecordingTransport(store, mode=mode, inner=inner)
    client = httpx.Client(transport=transport, timeout=settings.timeout)
    return LLMBackend(settings, http_client=client), transport
