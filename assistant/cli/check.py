"""`python -m assistant check`: one message or `--jsonl` lines, per DESIGN.md's contract."""

from __future__ import annotations

import sys

from assistant.cli.batch import run_jsonl
from assistant.cli.exits import Exit
from assistant.cli.output import emit
from assistant.cli.reading import read_input

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import Any


def _exit_of(verdict: Any) -> Exit:
    return Exit.ok if verdict == "ok" else Exit.findings


def cmd_check(args: argparse.Namespace) -> Exit:
    from assistant.engine.checker import default_engine
    from assistant.sendtime import parse_when

    engine = default_engine()
    if args.jsonl:

        def handle(number: int, obj: dict[str, Any]) -> tuple[dict[str, Any], Exit]:
            text = obj.get("text")
            options = {
                "channel": obj.get("channel") or args.channel,
                "when": parse_when(obj.get("time") or args.time),
                "kind": obj.get("kind") or args.kind,
            }
            outcome = engine.scan(text, **options)
            if not args.second_opinion:
                return outcome.as_json(), _exit_of(outcome.verdict)
            report, summary = _second_opinion(engine, text, options)
            payload = {**report.model_dump(mode="json"), "second_opinion": summary}
            return payload, _exit_of(report.verdict)

        return run_jsonl(args.jsonl, handle)

    text = read_input(args.file)
    options = {"channel": args.channel, "when": parse_when(args.time), "kind": args.kind}
    if args.second_opinion:
        report, summary = _second_opinion(engine, text, options)
        payload = {**report.model_dump(mode="json"), "second_opinion": summary}
    else:
        report = engine.scan(text, **options)
        payload = report.as_json()
    if args.json:
        emit(payload)
    else:
        from assistant.terminal import render

        print(render(text, report, engine.compiled.clauses, colour=sys.stdout.isatty()))
        if args.second_opinion:
            print(f"\n模型复核：{payload['second_opinion']['note']}")
    return _exit_of(report.verdict)


def _second_opinion(engine: Any, text: str, options: dict[str, Any]) -> tuple[Any, dict]:
    """The report with the model's findings added, and the summary of what the model said."""
    from assistant.rewriting.second_opinion import second_opinion

    opinion = second_opinion(text, engine.check(text, **options), channel=options["channel"])
    return opinion.report, opinion.summary()
