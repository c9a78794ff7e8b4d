"""The rewrite pipeline. Deterministic checks run first and last; the model is never trusted on its
own word: every reply is rendered by our template, unmasked, re-checked against the rules, the facts
of the draft and the structure, repaired once with the failures in the prompt, and replaced by the
offline rewriter if it still fails, saying so."""

from __future__ import annotations

import time
from typing import Any

from assistant.engine.checker import Engine, default_engine
from assistant.inputs import InputError, validate_text
from assistant.models import Category, Channel, Finding, Kind, Severity
from assistant.rewriting import offline, recheck
from assistant.rewriting.facts import compare
from assistant.rewriting.llm import BackendError, backend_for
from assistant.rewriting.masking import Vault
from assistant.rewriting.models import Facts, OfficialMessage, RewriteRequest, RewriteResult
from assistant.rewriting.prompts import render_message, repair_message, rewrite_messages
from assistant.rewriting.recheck import Problem
from assistant.rewriting.settings import Settings, from_env

MAX_MODEL_ROUNDS = 2  # the first reply and one repair


def make_request(
    draft: str, sender: str, audience: str, kind: Kind | str, important: bool
) -> RewriteRequest:
    """The request, with the sender and the salutation taken from the draft when not given; the
    sender is asked for only when the draft does not name one."""
    validate_text(draft)
    reading = offline.read(draft)
    from assistant.rewriting.writer.compose import withheld_notes
    from assistant.rewriting.writer.wording import simplified

    who = (sender or "").strip() or reading.sender
    if not who:
        raise InputError(
            "请填写署名：草稿里没有写明是哪个单位或谁发的，公务消息结尾必须署名"
            '（例如 --sender "办公室 小吴"）。'
        )
    return RewriteRequest(
        draft=draft,
        sender=simplified(who),
        audience=(audience or "").strip().rstrip("：:")
        or reading.salutation
        or default_engine().compiled.kinds[Kind(kind)].salutation,
        kind=Kind(kind),
        important=important,
        broadcast=reading.broadcastable(draft),
        withheld_notes=withheld_notes(reading.labelled),
    )


def build_prompt(
    request: RewriteRequest, engine: Engine | None = None
) -> tuple[list[Any], Vault, list[Finding]]:
    """The messages as they would be sent: personal data masked, the draft fenced as data."""
    engine = engine or default_engine()
    # Only what may be broadcast goes to a model: withheld clauses never leave, even masked.
    # (A draft all of which was withheld is sent nowhere: `rewrite` stops before this.)
    text = request.broadcast or request.draft
    findings = engine.check(text, channel=Channel.work_group).findings
    vault = Vault()
    masked = vault.mask(text, engine.personal_data(text))
    messages = rewrite_messages(
        draft=masked,
        # Names and units are personal too: the model sees placeholders, restored after.
        sender=vault.mask_field(request.sender, "署名"),
        audience=vault.mask_field(request.audience, "称谓"),
        kind=request.kind,
        important=request.important,
        # Excerpts quote the draft: personal data in them is masked like the draft itself.
        findings=[
            f.model_copy(update={"excerpt": vault.mask_known(f.excerpt)})
            for f in findings
            if f.severity is not Severity.info
        ],
        clauses=engine.compiled.clauses,
    )
    return messages, vault, findings


def rewrite(
    draft: str,
    *,
    sender: str,
    audience: str = "",
    kind: Kind | str = Kind.notice,
    important: bool = False,
    offline: bool = False,
    settings: Settings | None = None,
    backend: Any = None,
    engine: Engine | None = None,
) -> RewriteResult:
    request = make_request(draft, sender, audience, kind, important)
    engine = engine or default_engine()
    notes: list[str] = list(request.withheld_notes)
    if backend is None and not offline:
        settings = settings or from_env()
        backend = backend_for(settings) if settings else None
    if offline:
        backend = None
    if backend is None:
        return _offline(request, engine, notes, attempts=0)

    secrets = engine.signs_of(request.draft, Category.secret)
    if not secrets and request.broadcast is not None and not request.broadcast.strip():
        # Everything in the draft was withheld (an ID number, an instruction to a model):
        # nothing is left that a model may see.
        notes.append("草稿的内容都不能发出，未发送给模型，改由离线改写")
        return _offline(request, engine, notes, attempts=0)
    messages, vault, findings = build_prompt(request, engine)
    inherited = _keys(findings, engine)
    if secrets:
        start, end = secrets[0]
        notes.append(
            f"草稿含涉密内容（「{request.draft[start:end]}」），未发送给模型，改由离线改写；涉密内容请勿通过微信发送"
        )
        return _offline(request, engine, notes, attempts=0, inherited=inherited)

    attempts, unavailable = 0, False
    # One deadline for the whole exchange: both rounds, their retries and any wait asked for.
    timeout = getattr(getattr(backend, "settings", None), "timeout", None)
    deadline = time.monotonic() + timeout if timeout else None
    for _ in range(MAX_MODEL_ROUNDS):
        attempts += 1
        try:
            structured, raw = backend.structured(OfficialMessage, messages, deadline=deadline)
        except BackendError as exc:
            notes.append(f"第 {attempts} 次调用模型失败：{exc.reason}")
            if exc.failure == "unavailable":
                unavailable = True
                break  # a repair prompt cannot help an endpoint that is down
            messages = [
                *messages,
                *([exc.raw] if exc.raw is not None else []),
                repair_message([exc.reason]),
            ]
            continue
        masked_text = render_message(structured)
        problems = [Problem("placeholder", p) for p in vault.problems(masked_text)]
        message = vault.unmask(masked_text)
        # Checked as the user will read it: [署名1] written back as the sender it stands for.
        structured = _unmasked(structured, vault)
        result, more = _validated(
            request,
            structured=structured,
            message=message,
            engine=engine,
            backend=backend.name,
            attempts=attempts,
            inherited=inherited,
        )
        problems += more
        if not problems:
            result.notes = notes + ([f"第 {attempts} 次修正后通过复核"] if attempts > 1 else [])
            result.notes += _inherited_note(result, inherited, engine)
            return result
        notes.append(f"第 {attempts} 次改写未通过复核：" + "；".join(p.text for p in problems))
        # The problems quote the unmasked message and draft: personal data in them is masked
        # again before it goes back to the model, like the draft itself.
        messages = [*messages, raw, repair_message([vault.mask_known(p.text) for p in problems])]
    notes.append(
        "模型服务暂不可用，已改用离线改写"
        if unavailable
        else "模型改写未能通过复核，已改用离线改写"
    )
    return _offline(request, engine, notes, attempts=attempts, inherited=inherited)


def _unmasked(structured: OfficialMessage, vault: Any) -> OfficialMessage:
    fields = structured.model_dump()
    for name, value in fields.items():
        if isinstance(value, str):
            fields[name] = vault.unmask(value)
        elif isinstance(value, list):
            fields[name] = [vault.unmask(v) if isinstance(v, str) else v for v in value]
    return OfficialMessage.model_validate(fields)


def _offline(
    request: RewriteRequest,
    engine: Engine,
    notes: list[str],
    attempts: int,
    inherited: frozenset[tuple[str, str]] | None = None,
) -> RewriteResult:
    """The offline rewriter's result, validated; `inherited` is the draft's own findings when the
    caller has already checked the draft (the model path), so it is not checked twice."""
    structured, cleaning = offline.generate(request)
    message = render_message(structured)
    if inherited is None:
        inherited = _keys(engine.check(request.draft, channel=Channel.work_group).findings, engine)
    result, problems = _validated(
        request,
        structured=structured,
        message=message,
        engine=engine,
        backend=offline.NAME,
        attempts=attempts + 1,
        inherited=inherited,
    )
    # The request's notes on what was left out are the writer's too: each is said once.
    result.notes = list(
        dict.fromkeys(notes + cleaning + _inherited_note(result, inherited, engine))
    )
    if problems:
        result.notes.append(
            "离线改写后仍有问题，请人工修改后再发：" + "；".join(p.text for p in problems)
        )
    return result


def _validated(
    request: RewriteRequest,
    *,
    structured: OfficialMessage,
    message: str,
    engine: Engine,
    backend: str,
    attempts: int,
    inherited: frozenset[tuple[str, str]] = frozenset(),
) -> tuple[RewriteResult, list[Problem]]:
    """The result plus every reason the writer must fix: rules, facts, structure.

    Findings the draft already had on the same words (an ID number the user asked to keep, a red
    line in the user's own text) stay in the report, so the verdict still says not to send, but
    they are not the writer's failure: repairing cannot remove them without dropping a fact.
    """
    # A draft all of which was withheld (a classified document) has no fact left to keep.
    source = request.draft if request.broadcast is None else request.broadcast
    # Checked against its draft: a missing fact or a placeholder is a finding, never 可以发.
    report = engine.check(message, channel=Channel.work_group, kind=request.kind, draft=source)
    kept, missing, added = compare(source, message)
    problems: list[Problem] = [
        Problem(
            "rule", f"[{f.clause}] {f.message}" + (f"（「{f.excerpt}」）" if f.excerpt else ""), f
        )
        for f in report.findings
        if f.severity is not Severity.info
        and _key(f, engine) not in inherited
        and f.rule != "fact-missing"  # said below, fact by fact, in the repair prompt's words
    ]
    problems += recheck.facts(missing, added)
    problems += recheck.structure(structured, request, message)
    problems += recheck.safety(message)
    problems += recheck.added_links(report, source)
    result = RewriteResult(
        message=message,
        title=structured.subject,
        backend=backend,
        attempts=attempts,
        report=report,
        facts=Facts(kept=kept, missing=missing, added=added),
        structured=structured,
    )
    return result, problems


def _key(finding: Finding, engine: Engine) -> tuple[str, str]:
    return finding.rule, engine.compiled.fold_text(finding.excerpt)


def _keys(findings: list[Finding], engine: Engine) -> frozenset[tuple[str, str]]:
    return frozenset(_key(f, engine) for f in findings if f.severity is not Severity.info)


def _inherited_note(result: RewriteResult, inherited: frozenset, engine: Engine) -> list[str]:
    kept = [
        f
        for f in result.report.findings
        if f.severity is not Severity.info and _key(f, engine) in inherited
    ]
    if not kept:
        return []
    listed = "、".join(sorted({f"「{f.excerpt}」" for f in kept}))
    return [
        f"草稿本身的问题（{listed}）改写时不能删改事实，仍保留在消息中：请先按检查结果处理，再决定是否发送"
    ]
