"""`python -m assistant rewrite`: one draft, or `--jsonl` lines, per DESIGN.md's contract."""

from __future__ import annotations

from assistant.cli.batch import run_jsonl
from assistant.cli.exits import Exit
from assistant.cli.output import emit
from assistant.cli.reading import UsageError, read_input

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import Any


def _exit_of(result: Any) -> Exit:
    return Exit.ok if result.report.verdict == "ok" and result.facts.ok else Exit.findings


def cmd_rewrite(args: argparse.Namespace) -> Exit:
    from assistant.rewriting.pipeline import build_prompt, make_request, rewrite
    from assistant.rewriting.settings import SettingsError, describe_backend, from_env

    try:
        if not args.offline:
            from_env()  # a wrong setting is a usage error (exit 2), said once, up front
        backend_line = describe_backend(force_offline=args.offline)
    except SettingsError as exc:
        raise UsageError(f"模型配置有误：{exc}") from None
    if args.jsonl:

        def handle(number: int, obj: dict[str, Any]) -> tuple[dict[str, Any], Exit]:
            result = rewrite(
                obj.get("draft"),
                sender=obj.get("sender") or args.sender or "",
                audience=obj.get("audience") or args.audience or "",
                kind=obj.get("kind") or args.kind,
                important=bool(obj.get("important", args.important)),
                offline=args.offline,
            )
            return result.contract(), _exit_of(result)

        return run_jsonl(args.jsonl, handle)

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
    return _exit_of(result)
