"""`python -m assistant explain [RULE_ID]`: what a rule checks, why, and its examples."""

from __future__ import annotations

from assistant.cli.exits import Exit
from assistant.cli.reading import UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse


def cmd_explain(args: argparse.Namespace) -> Exit:
    from assistant.explain import explain, list_rules

    if not args.rule_id:
        print(list_rules())
        return Exit.ok
    text = explain(args.rule_id)
    if text is None:
        raise UsageError(
            f"没有编号为 {args.rule_id} 的规则；运行 `python -m assistant explain` 查看全部。"
        )
    print(text)
    return Exit.ok
