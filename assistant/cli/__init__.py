"""`python -m assistant …`: check, rewrite, eval, explain. Exit 0 ok, 1 revise/block, 2 bad input.

Only the standard library and the engine are imported at start; each subcommand imports what it
needs, so `check` never pays for langchain, openai or streamlit.
"""

from __future__ import annotations

import sys

from assistant.cli.exits import Exit
from assistant.cli.reading import UsageError
from assistant.inputs import InputError

__all__ = ["Exit", "UsageError", "main"]


def main(argv: list[str] | None = None) -> int:
    _utf8_stdio()
    from assistant.cli.parser import build_parser

    try:
        args = build_parser().parse_args(argv)
        if args.command == "check":
            from assistant.cli.check import cmd_check

            return int(cmd_check(args))
        if args.command == "rewrite":
            from assistant.cli.rewrite import cmd_rewrite

            return int(cmd_rewrite(args))
        if args.command == "eval":
            from assistant.evaluation.cli import cmd_eval

            return int(cmd_eval(args))
        from assistant.cli.explain import cmd_explain

        return int(cmd_explain(args))
    except (InputError, UsageError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return int(Exit.bad_input)
    except BrokenPipeError:
        return int(Exit.ok)


def _utf8_stdio() -> None:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8", errors="replace")
