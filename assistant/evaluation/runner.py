"""Run the cases: what the library says for each, and whether that is what the case expects.

Items (one per case and path; the id says which):
- `chk-…`            check cases, through the rule engine (channel, time, kind), like `assistant.check`
- `rw-…`             rewrite cases, through `rewrite(offline=True)`
- `rw-…@replay`      fixture cases (evals/recorded/fixtures.yaml), through the LLM path with the
                     hand-written replies replayed by `RecordingTransport(mode="replay")`
- `rw-…@recorded`    (`--mode replay`, when evals/recorded/live/ holds recordings) every rewrite
                     case, through the LLM path, replaying what `--mode record` stored
- `rw-…@live`        (`--mode live|record`) every rewrite case through the configured model

No item touches the network except `@live`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.evaluation.cases import (
    CASES_DIR,
    Case,
    CaseError,
    CheckCase,
    RewriteCase,
    load_cases,
)
from assistant.evaluation.fixtures import (
    LIVE_DIR,
    RECORDED_DIR,
    Fixture,
    fixture_settings,
    llm_backend,
    load_manifest,
)
from assistant.vocabulary import Kind

MODES = ("offline", "replay", "live", "record")
LIVE_SETTINGS = "settings.json"
Progress = Callable[[int, int, str], None]


@dataclass
class Item:
    """One case on one path, with its expectation and what it got."""

    id: str
    case: str
    type: str  # check | rewrite
    group: str  # check | rewrite_offline | rewrite_replay | rewrite_recorded | rewrite_live
    tags: list[str]
    expected: dict[str, Any]
    input: dict[str, Any] = field(default_factory=dict)
    got: dict[str, Any] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)
    latency_ms: list[float] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.reasons

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "case": self.case,
            "type": self.type,
            "group": self.group,
            "tags": self.tags,
            "input": self.input,
            "passed": self.passed,
            "reasons": self.reasons,
            "expected": self.expected,
            "got": self.got,
            "latency_ms": [round(x, 3) for x in self.latency_ms],
        }


@dataclass
class Job:
    item: Item
    run: Callable[[], tuple[dict[str, Any], list[str]]]


@dataclass
class RunResult:
    mode: str
    filter: str | None
    repeat: int
    items: list[Item]
    seconds: float = 0.0


class EvalUsageError(ValueError):
    """Bad options (exit 2): unknown mode, a filter that matches nothing, no API key for live."""


# ---------------------------------------------------------------------------------------- checks
def check_job(case: CheckCase, engine: Any, group: str = "check") -> Job:
    expected = {
        "verdict": case.expect.verdict.value,
        "categories": sorted(c.value for c in case.expect.categories),
    }
    item = Item(case.id, case.id, "check", group, list(case.tags), expected)
    item.input = case.model_dump(mode="json", include={"text", "channel", "time", "kind"})

    def run() -> tuple[dict[str, Any], list[str]]:
        from assistant.sendtime import parse_when

        report = engine.check(
            case.text, channel=case.channel, when=parse_when(case.time), kind=case.kind
        )
        got = {
            "verdict": report.verdict.value,
            "categories": sorted(c.value for c in report.categories()),
            "findings": [
                f"{f.severity.value} {f.category.value} {f.rule} 「{f.excerpt}」"
                for f in report.findings
            ],
        }
        reasons = []
        if got["verdict"] != expected["verdict"]:
            reasons.append(f"verdict: expected {expected['verdict']}, got {got['verdict']}")
        missing = sorted(set(expected["categories"]) - set(got["categories"]))
        extra = sorted(set(got["categories"]) - set(expected["categories"]))
        if missing:
            reasons.append(f"categories not found: {', '.join(missing)}")
        if extra:
            reasons.append(f"unexpected categories: {', '.join(extra)}")
        return got, reasons

    return Job(item, run)


# -------------------------------------------------------------------------------------- rewrites
def structure_of(result: Any, sender: str) -> dict[str, bool]:
    """Title, salutation, closing and signature present in the message as rendered."""
    lines = [line.strip() for line in result.message.splitlines() if line.strip()]
    m = result.structured
    title = bool(lines) and bool(result.title.strip()) and lines[0] == result.title.strip()
    if m is not None:
        salutation = bool(m.salutation.strip()) and f"{m.salutation.strip()}：" in lines[:3]
        closing_lines = [c.strip() for c in m.closing.splitlines() if c.strip()]
        closing = bool(closing_lines) and all(c in lines for c in closing_lines)
    else:
        salutation = any(line.endswith(("：", ":")) for line in lines[1:3])
        closing = len(lines) >= 4
    signature = bool(sender.strip()) and sender.strip() in lines[2:]
    return {"title": title, "salutation": salutation, "closing": closing, "signature": signature}


def fact_kept(fact: str, message: str) -> bool:
    from assistant.evaluation.quality import fact_kept as kept

    return kept(fact, message)


def score_rewrite(case: RewriteCase, result: Any) -> tuple[dict[str, Any], list[str]]:
    from assistant.rewriting import facts

    kept = [f for f in case.facts if fact_kept(f, result.message)]
    missing = [f for f in case.facts if f not in kept]
    invented = facts.compare(case.draft, result.message)[2]
    structure = structure_of(result, case.sender)
    recheck = {
        "verdict": result.report.verdict.value,
        "categories": sorted(c.value for c in result.report.categories()),
    }
    got = {
        "message": result.message,
        "backend": result.backend,
        "attempts": result.attempts,
        "facts_kept": kept,
        "facts_missing": missing,
        "invented": invented,
        "structure": structure,
        "recheck": recheck,
        "notes": list(result.notes),
    }
    want = case.expected_recheck()
    reasons = []
    if case.withheld_note and not any("不宜群发" in n or "涉密" in n for n in result.notes):
        reasons.append("notes do not say what was left out (an ID number or a secret)")
    if missing:
        reasons.append(f"facts missing: {'、'.join(missing)}")
    if invented:
        reasons.append(f"facts invented: {'、'.join(invented)}")
    absent = [k for k, ok in structure.items() if not ok]
    if absent:
        reasons.append(f"structure incomplete: {', '.join(absent)} missing")
    want_cats = {c.value for c in want.categories}
    if recheck["verdict"] != want.verdict.value or not want_cats <= set(recheck["categories"]):
        reasons.append(
            f"re-check: expected {want.verdict.value}"
            + (f" with {', '.join(sorted(want_cats))}" if want_cats else "")
            + f", got {recheck['verdict']}"
            + (f" ({', '.join(recheck['categories'])})" if recheck["categories"] else "")
        )
    return got, reasons


def rewrite_expected(case: RewriteCase) -> dict[str, Any]:
    want = case.expected_recheck()
    return {
        "facts": list(case.facts),
        "invented": [],
        "structure": dict.fromkeys(("title", "salutation", "closing", "signature"), True),
        "recheck": {
            "verdict": want.verdict.value,
            "categories": sorted(c.value for c in want.categories),
        },
    }


def rewrite_input(case: RewriteCase) -> dict[str, Any]:
    return case.model_dump(
        mode="json", include={"draft", "sender", "audience", "kind", "important"}
    )


def _rewrite(case: RewriteCase, **options: Any) -> Any:
    from assistant.rewriting.pipeline import rewrite

    return rewrite(
        case.draft,
        sender=case.sender,
        audience=case.audience,
        kind=case.kind,
        important=case.important,
        **options,
    )


def offline_job(case: RewriteCase, engine: Any) -> Job:
    item = Item(case.id, case.id, "rewrite", "rewrite_offline", list(case.tags), {})
    item.expected = rewrite_expected(case)
    item.input = rewrite_input(case)

    def run() -> tuple[dict[str, Any], list[str]]:
        return score_rewrite(case, _rewrite(case, offline=True, engine=engine))

    return Job(item, run)


def fixture_problems(fixture: Fixture, result: Any, requests: int) -> list[str]:
    """Did the pipeline catch what the fixture's bad replies contain, the way the fixture says?"""
    want = fixture.expect
    out = []
    backend = "offline" if result.backend == "offline" else "llm"
    if backend != want.backend:
        out.append(f"backend: expected {want.backend}, got {result.backend}")
    if result.attempts != want.attempts:
        out.append(f"attempts: expected {want.attempts}, got {result.attempts}")
    if requests != want.requests:
        out.append(f"model requests: expected {want.requests}, got {requests}")
    notes = "\n".join(result.notes)
    out += [f"notes lack 「{s}」" for s in want.notes_contain if s not in notes]
    return out


def llm_job(
    case: RewriteCase,
    engine: Any,
    *,
    group: str,
    settings: Any,
    store: Path,
    mode: str,
    fixture: Fixture | None = None,
) -> Job:
    suffix = group.removeprefix("rewrite_")
    tags = [*case.tags, "llm"] + (["fixture"] if fixture else [])
    item = Item(f"{case.id}@{suffix}", case.id, "rewrite", group, tags, rewrite_expected(case))
    item.input = rewrite_input(case)
    if fixture is not None:
        item.expected["fixture"] = fixture.expect.model_dump()

    def run() -> tuple[dict[str, Any], list[str]]:
        backend, transport = llm_backend(settings, store, mode)
        try:
            result = _rewrite(case, backend=backend, engine=engine)
        finally:
            backend.http_client.close()
        got, reasons = score_rewrite(case, result)
        got["requests"] = backend.requests
        if transport.misses:
            reasons.insert(
                0,
                f"replay miss ({transport.misses}): the request changed (prompt, rules or "
                "pipeline); run `python evals/make_fixtures.py` to regenerate the fixtures",
            )
        if fixture is not None:
            reasons += fixture_problems(fixture, result, backend.requests)
        return got, reasons

    return Job(item, run)


# ------------------------------------------------------------------------------------- planning
def _live_settings() -> Any:
    from assistant.rewriting.settings import SettingsError, from_env

    try:
        settings = from_env()
    except SettingsError as exc:
        raise EvalUsageError(str(exc)) from None
    if settings is None:
        raise EvalUsageError(
            "--mode live/record 需要模型：请设置 OPENAI_API_KEY（可选 OPENAI_BASE_URL、ASSISTANT_MODEL）。"
            "离线评测请用 --mode offline（默认）。"
        )
    return settings


def _recorded_settings(live_dir: Path) -> Any:
    from pydantic import SecretStr

    from assistant.rewriting.settings import Settings

    path = live_dir / LIVE_SETTINGS
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return Settings(
        api_key=SecretStr("sk-replay"),
        model=data["model"],
        output_mode=data.get("output_mode", "json_schema"),
        max_retries=0,
    )


def blind_cases(split: str = "blind") -> list[CheckCase]:
    """The blind split of the judgement corpus as check cases: written by writers who never saw
    the rules or the training part, never trained on, never tuned to — only measured here. The
    expected verdict and categories follow from each message's labels through the policy."""
    from assistant.evaluation import corpus

    cases = []
    for m in corpus.load(split):
        tags = [
            "blind",
            m.writer,
            m.genre,
            *m.labels,
            *([f"lookalike:{m.lookalike}"] if m.lookalike else []),
        ]
        cases.append(
            CheckCase(
                id=f"blind-{m.id}",
                tags=tags,
                text=m.text,
                channel=m.channel,
                expect={
                    "verdict": corpus.expected_verdict(m),
                    "categories": corpus.expected_categories(m),
                },
            )
        )
    return cases


def blind_rewrite_jobs(engine: Any) -> list[Job]:
    """The blind rewrite drafts (`corpus/clauses/blind/`, written by an editor who never saw
    the writer): each rewritten offline and held to every quality check of
    `evals/quality/checks.yaml`. A draft that names no sender gets 「办公室」, as a user asked
    for one would answer."""
    from assistant.evaluation import quality
    from assistant.evaluation.corpus import CORPUS

    jobs = []
    for path in sorted((CORPUS / "clauses" / "blind").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            draft = json.loads(line)
            sender = draft["sender"] or "办公室"
            item = Item(
                f"wb-{draft['id']}",
                draft["id"],
                "rewrite",
                "rewrite_blind",
                ["blind", draft["kind"], draft["register"]],
                {"checks": dict.fromkeys(quality.CHECK_NAMES, True)},
            )
            item.input = {"draft": draft["draft"], "sender": sender, "kind": draft["kind"]}

            def run(draft=draft, sender=sender) -> tuple[dict[str, Any], list[str]]:
                from assistant.rewriting.pipeline import rewrite

                result = rewrite(draft["draft"], sender=sender, kind=draft["kind"], offline=True)
                spec = engine.compiled.kinds[Kind(draft["kind"])]
                checks = quality.check(draft, result.message, result.title, spec, sender)
                got = {
                    "message": result.message,
                    "checks": {k: v is True for k, v in checks.items()},
                    "notes": list(result.notes),
                }
                reasons = [f"{k}: {v}" for k, v in checks.items() if v is not True]
                return got, reasons

            jobs.append(Job(item, run))
    return jobs


def plan(
    cases: list[Case],
    fixtures: list[Fixture],
    *,
    mode: str,
    engine: Any,
    recorded_dir: Path = RECORDED_DIR,
    blind: list[CheckCase] | None = None,
) -> list[Job]:
    if mode not in MODES:
        raise EvalUsageError(f"unknown mode {mode!r}; one of {', '.join(MODES)}")
    rewrites = {c.id: c for c in cases if isinstance(c, RewriteCase)}
    jobs = [check_job(c, engine) for c in cases if isinstance(c, CheckCase)]
    jobs += [check_job(c, engine, group="check_blind") for c in blind or []]
    if blind is not None:
        jobs += blind_rewrite_jobs(engine)
    jobs += [offline_job(c, engine) for c in rewrites.values()]
    settings = fixture_settings()
    for fx in fixtures:
        if fx.case not in rewrites:
            raise CaseError(f"fixtures.yaml: case {fx.case}: no such rewrite case")
        jobs.append(
            llm_job(
                rewrites[fx.case],
                engine,
                group="rewrite_replay",
                settings=settings,
                store=recorded_dir,
                mode="replay",
                fixture=fx,
            )
        )
    live_dir = recorded_dir / LIVE_DIR
    if mode == "replay":
        recorded = _recorded_settings(live_dir)
        if recorded is not None:
            jobs += [
                llm_job(
                    c,
                    engine,
                    group="rewrite_recorded",
                    settings=recorded,
                    store=live_dir,
                    mode="replay",
                )
                for c in rewrites.values()
            ]
    if mode in ("live", "record"):
        live = _live_settings()
        if mode == "record":
            live_dir.mkdir(parents=True, exist_ok=True)
            (live_dir / LIVE_SETTINGS).write_text(
                json.dumps({"model": live.model, "output_mode": live.output_mode}, indent=1) + "\n",
                encoding="utf-8",
            )
        jobs += [
            llm_job(c, engine, group="rewrite_live", settings=live, store=live_dir, mode=mode)
            for c in rewrites.values()
        ]
    return jobs


def matches(item: Item, tag: str) -> bool:
    return tag in item.tags or tag in (item.case, item.id, item.type, item.group)


# -------------------------------------------------------------------------------------- running
@contextmanager
def prompts_from(prompts_dir: Path | None) -> Iterator[None]:
    """Point the prompt templates at another directory for the duration (tests break a copy)."""
    if prompts_dir is None:
        yield
        return
    from assistant.rewriting import prompts

    def clear() -> None:
        # Every cached template of the module (compiled prompts, the message layout): whatever
        # the caches are called, none may keep serving the templates of the other directory.
        for cached in list(vars(prompts).values()):
            if callable(getattr(cached, "cache_clear", None)):
                cached.cache_clear()

    saved = prompts.PROMPTS_DIR
    prompts.PROMPTS_DIR = Path(prompts_dir)
    clear()
    try:
        yield
    finally:
        prompts.PROMPTS_DIR = saved
        clear()


def _stable(got: dict[str, Any]) -> str:
    return json.dumps(got, ensure_ascii=False, sort_keys=True)


def execute(jobs: list[Job], repeat: int = 1, progress: Progress | None = None) -> list[Item]:
    total = len(jobs) * repeat
    done = 0
    for job in jobs:
        item = job.item
        seen: set[str] = set()
        failures: list[str] = []
        for n in range(repeat):
            start = time.perf_counter()
            try:
                got, reasons = job.run()
            except Exception as exc:  # one broken case must not hide the others
                error = f"{type(exc).__name__}: {exc}"
                got, reasons = {"error": error}, [f"raised {error}"]
            item.latency_ms.append((time.perf_counter() - start) * 1000)
            if n == 0:
                item.got = got
            if reasons and not failures:
                failures = (
                    reasons if repeat == 1 else [f"run {n + 1}/{repeat}: {r}" for r in reasons]
                )
            seen.add(_stable(got))
            done += 1
            if progress:
                progress(done, total, item.id)
        if len(seen) > 1:
            failures = [*failures, f"unstable: {len(seen)} different results in {repeat} runs"]
        item.reasons = failures
    return [job.item for job in jobs]


def _warm_up(jobs: list[Job]) -> None:
    """Pay the one-off imports before the clocks start, so per-case latency is the case's own."""
    if any(j.item.group != "check" for j in jobs):
        import assistant.rewriting.pipeline  # noqa: F401
    if any(j.item.id.count("@") for j in jobs):
        import langchain_openai  # noqa: F401
        import openai  # noqa: F401


def run(
    *,
    mode: str = "offline",
    tag: str | None = None,
    repeat: int = 1,
    cases_dir: Path = CASES_DIR,
    recorded_dir: Path = RECORDED_DIR,
    engine: Any = None,
    prompts_dir: Path | None = None,
    progress: Progress | None = None,
) -> RunResult:
    """Run every case (or those matching `tag`); `engine` and `prompts_dir` replace the default
    rules and prompt templates (the tests use them to break a copy and watch the gate fire)."""
    if repeat < 1:
        raise EvalUsageError("--repeat must be at least 1")
    started = time.perf_counter()
    if engine is None:
        from assistant.engine.checker import default_engine

        engine = default_engine()
    cases = load_cases(cases_dir)
    fixtures = load_manifest(recorded_dir)
    # The blind corpus belongs to the project's own suite, not to a case folder a caller passes.
    blind = blind_cases() if Path(cases_dir) == CASES_DIR else None
    jobs = plan(cases, fixtures, mode=mode, engine=engine, recorded_dir=recorded_dir, blind=blind)
    if tag:
        jobs = [j for j in jobs if matches(j.item, tag)]
        if not jobs:
            raise EvalUsageError(f"--filter {tag}: no case has this tag, id or type")
    with prompts_from(prompts_dir):
        _warm_up(jobs)
        items = execute(jobs, repeat, progress)
    return RunResult(
        mode=mode,
        filter=tag,
        repeat=repeat,
        items=items,
        seconds=time.perf_counter() - started,
    )
