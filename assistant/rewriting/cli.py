"""`python -m assistant rewrite`: one draft, or `--jsonl` lines, per DESIGN.md's contract."""

from __future__ import annotations

import argparse
import sys

from assistant.cli import EXIT_BAD_INPUT, EXIT_FINDINGS, EXIT_OK, emit, iter_jsonl, read_input
from assistant.inputs import InputError


def cmd_rewrite(args: argparse.Namespace) -> int:
    from assistant.rewriting.pipeline import build_prompt, make_request, rewrite
    from assistant.rewriting.settings import SettingsError, describe_backend

    try:
        backend_line = describe_backend(force_offline=args.offline)
    except SettingsError as exc:
        raise InputError(str(exc)) from None
    if args.jsonl:
        return _rewrite_jsonl(args)
    draft = read_input(args.file)
    if args.show_prompt:
        request = make_request(
            draft, args.sender or "", args.audience or "", args.kind, args.important
        )
        messages, _, _ = build_prompt(request)
        for m in messages:
            print(f"----- {m.type} -----\n{m.content}")
        print("-----")
    result = rewrite(
        draft,
        sender=args.sender or "",
        audience=args.audience or "",
        kind=args.kind,
        important=args.important,
        offline=args.offline,
    )
    if args.json:
        emit(result.contract())
    else:
        from assistant.models import VERDICT_LABELS

        print(result.message)
        print(f"——\n后端：{result.backend}（{backend_line}），尝试 {result.attempts} 次")
        print(f"复核：{VERDICT_LABELS[result.report.verdict]}（{result.report.verdict.value}）")
        print(
            f"事实：保留 {len(result.facts.kept)} 项；遗漏 {result.facts.missing or '无'}；新增 {result.facts.added or '无'}"
        )
        for note in result.notes:
            print(f"说明：{note}")
    return EXIT_OK if result.report.verdict == "ok" and result.facts.ok else EXIT_FINDINGS


def _rewrite_jsonl(args: argparse.Namespace) -> int:
    from assistant.rewriting.pipeline import rewrite

    worst = EXIT_OK
    for number, obj, error in iter_jsonl(args.jsonl):
        problem = error
        if obj is not None:
            try:
                result = rewrite(
                    obj.get("draft"),
                    sender=obj.get("sender") or args.sender or "",
                    audience=obj.get("audience") or args.audience or "",
                    kind=obj.get("kind") or args.kind,
                    important=bool(obj.get("important", args.important)),
                    offline=args.offline,
                )
            except (InputError, ValueError) as exc:
                problem = (
                    str(exc) if isinstance(exc, InputError) else f"第 {number} 行参数无效：{exc}"
                )
            else:
                emit({**result.contract(), "id": obj.get("id")})
                sys.stdout.flush()
                if result.report.verdict != "ok" or not result.facts.ok:
                    worst = max(worst, EXIT_FINDINGS)
                continue
        emit({"id": obj.get("id") if obj else None, "line": number, "error": problem})
        worst = EXIT_BAD_INPUT
    return worst
