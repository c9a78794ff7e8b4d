"""Generate the replayed model replies of the eval from evals/recorded/fixtures.yaml.

    .venv/bin/python evals/make_fixtures.py

For each fixture it runs the REAL rewrite pipeline (real prompts, real `openai` client, real
langchain parsing) with settings model "fixture-model", key "sk-fixture", base URL
"http://fixture.invalid/v1", through `RecordingTransport(mode="record")` whose inner transport
answers with the fixture's hand-written replies in order. The recorder stores each reply under
the hash of the exact request body (`request_key`), so the eval's replay finds it. Each stored
file is then labelled as a hand-written fixture. No network is used.

It also checks that the pipeline did with the replies what the fixture expects (backend,
attempts, requests, notes) and exits 1 when not. Stale hand-written files are removed first;
recordings from a live model (evals/recorded/live/) are left alone.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from assistant.evaluation.cases import RewriteCase, load_cases  # noqa: E402
from assistant.evaluation.fixtures import (  # noqa: E402
    LABEL,
    RECORDED_DIR,
    Fixture,
    completion,
    fixture_settings,
    llm_backend,
    load_manifest,
)
from assistant.evaluation.runner import _rewrite, fixture_problems, score_rewrite  # noqa: E402
from assistant.rewriting.recording import request_key  # noqa: E402


def make(fixture: Fixture, case: RewriteCase, store: Path) -> list[str]:
    served: list[tuple[str, int]] = []  # (request key, reply index)

    def answer(request: httpx.Request) -> httpx.Response:
        index = len(served)
        if index >= len(fixture.replies):
            raise RuntimeError(f"{case.id}: the pipeline made more than {index} requests")
        served.append((request_key(json.loads(request.content)), index))
        body = completion(fixture.replies[index].content(), f"fixture-{case.id}-{index + 1}")
        return httpx.Response(200, json=body)

    backend, _ = llm_backend(fixture_settings(), store, "record", inner=httpx.MockTransport(answer))
    try:
        result = _rewrite(case, backend=backend)
    finally:
        backend.http_client.close()
    for key, index in served:
        path = store / f"{key}.json"
        record = json.loads(path.read_text(encoding="utf-8"))
        reply = fixture.replies[index]
        labelled = {
            "label": f"{LABEL}: {case.id} request {index + 1}: {reply.why} ({fixture.exercises})",
            "case": case.id,
            "request_number": index + 1,
            "request": record["request"],
            "status": record["status"],
            "response": record["response"],
        }
        path.write_text(json.dumps(labelled, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    problems = fixture_problems(fixture, result, backend.requests)
    _, reasons = score_rewrite(case, result)
    status = "ok" if not problems else "MISMATCH: " + "; ".join(problems)
    print(
        f"{case.id}: {len(served)} repl{'y' if len(served) == 1 else 'ies'} stored, "
        f"backend {result.backend}, attempts {result.attempts}: {status}"
        + (f" (final output: {'; '.join(reasons)})" if reasons else "")
    )
    return problems


def main() -> int:
    store = RECORDED_DIR
    for old in store.glob("*.json"):
        try:
            label = json.loads(old.read_text(encoding="utf-8")).get("label", "")
        except ValueError:
            continue
        if label.startswith(LABEL):
            old.unlink()
    cases = {c.id: c for c in load_cases() if isinstance(c, RewriteCase)}
    failed = 0
    for fixture in load_manifest(store):
        if fixture.case not in cases:
            print(f"{fixture.case}: no such rewrite case", file=sys.stderr)
            failed += 1
            continue
        failed += bool(make(fixture, cases[fixture.case], store))
    print(f"{len(list(store.glob('*.json')))} fixture files in {store.relative_to(ROOT)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
