"""`python -m assistant …`: check, rewrite, eval, explain. Exit 0 ok, 1 revise/block, 2 bad input.

Only the standard library and the engine are imported at start; each subcommand imports what it
needs, so `check` never pays for langchain, openai or streamlit.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator

from assistant.inputs import InputError, decode
from assistant.vocabulary import Channel, Kind

TYPE_CHECKING = False  # typing costs start-up time; annotations are strings
if TYPE_CHECKING:
    from typing import IO, Any

EXIT_OK, EXIT_FINDINGS, EXIT_BAD_INPUT = 0, 1, 2


class UsageError(Exception):
    pass


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m assistant", description="党员干部微信、短信公务消息助手：检查与改写。"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    check = sub.add_parser("check", help="这条消息能发吗？给出结论、问题位置、依据和修改建议")
    check.add_argument("file", nargs="?", help="消息文件；- 或省略表示从标准输入读取")
    check.add_argument("--channel", choices=[c.value for c in Channel], default="work_group")
    check.add_argument("--time", help="计划发送时间：HH:MM 或 2026-11-24 23:10（北京时间）")
    check.add_argument("--kind", choices=[k.value for k in Kind], help="按公务消息格式检查")
    check.add_argument("--json", action="store_true", help="输出 JSON")
    check.add_argument("--jsonl", metavar="FILE", help="批量：每行一个 {id,text,channel,time}")
    check.add_argument("--second-opinion", action="store_true", help="同时请已配置的模型复核")

    rewrite = sub.add_parser("rewrite", help="把草稿改写成规范的公务消息")
    rewrite.add_argument("file", nargs="?", help="草稿文件；- 或省略表示从标准输入读取")
    rewrite.add_argument("--sender", help="署名（单位或姓名）")
    rewrite.add_argument("--audience", help="称谓对象，如「各位同事」")
    rewrite.add_argument("--kind", choices=[k.value for k in Kind], default="notice")
    rewrite.add_argument("--important", action="store_true", help="重要事项：结尾请对方回复确认")
    rewrite.add_argument("--json", action="store_true")
    rewrite.add_argument(
        "--jsonl", metavar="FILE", help="批量：每行一个 {id,draft,sender,audience,kind,important}"
    )
    rewrite.add_argument("--offline", action="store_true", help="只用离线改写，不连接模型")
    rewrite.add_argument(
        "--show-prompt", action="store_true", help="打印发给模型的提示词（已脱敏）"
    )

    ev = sub.add_parser("eval", help="离线回归评测")
    ev.add_argument("--mode", choices=["offline", "replay", "live", "record"], default="offline")
    ev.add_argument("--filter", metavar="TAG", help="只跑带这个标签的用例")
    ev.add_argument("--repeat", type=int, default=1)
    ev.add_argument("--report", metavar="DIR", help="写出 report.json、report.html、junit.xml")
    ev.add_argument("--update-baseline", action="store_true", help="接受当前结果为新基线")
    ev.add_argument("--cases", metavar="DIR", help=argparse.SUPPRESS)
    ev.add_argument("--baseline", metavar="FILE", help=argparse.SUPPRESS)

    explain = sub.add_parser("explain", help="说明一条规则：查什么、为什么、错误与正确示例")
    explain.add_argument("rule_id", nargs="?", help="规则编号；省略则列出全部规则")
    return parser


def main(argv: list[str] | None = None) -> int:
    _utf8_stdio()
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "check":
            return cmd_check(args)
        if args.command == "rewrite":
            from assistant.rewriting.cli import cmd_rewrite

            return cmd_rewrite(args)
        if args.command == "eval":
            from assistant.evaluation.cli import cmd_eval

            return cmd_eval(args)
        return cmd_explain(args)
    except (InputError, UsageError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        return EXIT_OK


def _utf8_stdio() -> None:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8", errors="replace")


def read_input(path: str | None) -> str:
    if path in (None, "-"):
        if path is None and sys.stdin.isatty():
            raise UsageError(
                "请给出文件名，或用管道输入内容（例如：echo 在吗 | python -m assistant check）。"
            )
        return decode(sys.stdin.buffer.read(), "标准输入")
    try:
        with open(path, "rb") as fh:
            return decode(fh.read(), f"文件 {path} ")
    except OSError as exc:
        raise UsageError(f"无法读取文件 {path}：{exc.strerror}") from None


def open_lines(path: str) -> IO[bytes]:
    if path == "-":
        return sys.stdin.buffer
    try:
        return open(path, "rb")
    except OSError as exc:
        raise UsageError(f"无法读取文件 {path}：{exc.strerror}") from None


def iter_jsonl(path: str) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    """(line number, object, error) per line, streaming: memory stays constant.

    One result per input line: a blank line between records is an error object of its own, so
    output line N answers input line N; blank lines at the very end (a trailing newline or two)
    are not records and yield nothing.
    """
    with open_lines(path) as fh:
        blank: list[int] = []
        for number, raw in enumerate(fh, 1):
            if not raw.strip():
                blank.append(number)
                continue
            for skipped in blank:
                yield skipped, None, f"第 {skipped} 行为空"
            blank.clear()
            try:
                obj = json.loads(decode(raw, f"第 {number} 行"))
            except InputError as exc:
                yield number, None, str(exc)
                continue
            except ValueError as exc:
                yield number, None, f"第 {number} 行不是有效的 JSON：{exc}"
                continue
            if not isinstance(obj, dict):
                yield number, None, f"第 {number} 行应是 JSON 对象"
                continue
            yield number, obj, None


def emit(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")


def report_json(report: Any) -> dict[str, Any]:
    return report.model_dump(mode="json")


def cmd_check(args: argparse.Namespace) -> int:
    from assistant.engine.checker import default_engine
    from assistant.sendtime import parse_when

    engine = default_engine()
    if args.jsonl:
        return _check_jsonl(args, engine)
    text = read_input(args.file)
    options = {"channel": args.channel, "when": parse_when(args.time), "kind": args.kind}
    report: Any = engine.scan(text, **options)
    payload = report.as_json()
    if args.second_opinion:
        from assistant.rewriting.second_opinion import second_opinion

        opinion = second_opinion(text, engine.check(text, **options), channel=args.channel)
        report = opinion.report
        payload = report_json(report)
        payload["second_opinion"] = opinion.summary()
    if args.json:
        emit(payload)
    else:
        from assistant.terminal import render

        print(render(text, report, engine.compiled.clauses, colour=sys.stdout.isatty()))
        if args.second_opinion:
            print(f"\n模型复核：{payload['second_opinion']['note']}")
    return EXIT_OK if report.verdict == "ok" else EXIT_FINDINGS


def _check_jsonl(args: argparse.Namespace, engine: Any) -> int:
    from assistant.sendtime import parse_when

    worst = EXIT_OK
    for number, obj, error in iter_jsonl(args.jsonl):
        problem = error
        if obj is not None:
            try:
                report = engine.scan(
                    obj.get("text"),
                    channel=obj.get("channel") or args.channel,
                    when=parse_when(obj.get("time") or args.time),
                    kind=obj.get("kind") or args.kind,
                )
            except (InputError, ValueError) as exc:
                problem = (
                    str(exc) if isinstance(exc, InputError) else f"第 {number} 行参数无效：{exc}"
                )
            else:
                out = report.as_json()
                out["id"] = obj.get("id")
                emit(out)
                if report.verdict != "ok":
                    worst = max(worst, EXIT_FINDINGS)
                continue
        emit({"id": obj.get("id") if obj else None, "line": number, "error": problem})
        worst = EXIT_BAD_INPUT
    return worst


def cmd_explain(args: argparse.Namespace) -> int:
    from assistant.explain import explain, list_rules

    if not args.rule_id:
        print(list_rules())
        return EXIT_OK
    text = explain(args.rule_id)
    if text is None:
        raise UsageError(
            f"没有编号为 {args.rule_id} 的规则；运行 `python -m assistant explain` 查看全部。"
        )
    print(text)
    return EXIT_OK
