"""The one `--jsonl` loop, shared by `check` and `rewrite`: a result line for every input line, and
whatever goes wrong with one record, the next one is still read."""

from __future__ import annotations

import sys

from assistant.cli.exits import Exit
from assistant.cli.output import emit
from assistant.cli.reading import iter_jsonl
from assistant.inputs import InputError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    Handler = Callable[[int, dict[str, Any]], tuple[dict[str, Any], Exit]]


def run_jsonl(path: str, handle: Handler) -> Exit:
    """`handle(line number, record)` returns the output object and its exit code, or raises
    InputError / ValueError for a bad record. Exit: the worst over all lines (2 if any was bad)."""
    worst = Exit.ok
    for number, obj, error in iter_jsonl(path):
        problem = error
        if obj is not None:
            try:
                out, code = handle(number, obj)
            except InputError as exc:
                problem = str(exc)
            except ValueError as exc:
                problem = f"第 {number} 行参数无效：{exc}"
            except Exception as exc:  # one broken record must never end the batch
                problem = f"第 {number} 行处理失败（内部错误 {exc.__class__.__name__}），已跳过"
            else:
                emit({**out, "id": obj.get("id")})
                sys.stdout.flush()
                worst = worst.worst(code)
                continue
        emit({"id": obj.get("id") if obj else None, "line": number, "error": problem})
        sys.stdout.flush()
        worst = Exit.bad_input
    return worst
