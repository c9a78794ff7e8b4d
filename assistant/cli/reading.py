"""Reading what the user gives the CLI: a file or standard input, bytes decoded to text, and JSONL
records one line at a time. Nothing is read beyond what the cap allows, and every refusal is a
Chinese `InputError` that names the problem."""

from __future__ import annotations

import json
import sys

from assistant.cli.decoding import decode
from assistant.inputs import MAX_CHARS, InputError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import IO, Any

# The most bytes MAX_CHARS characters can take in any accepted encoding (4 a character), a BOM and
# a final line break: more than this is over the cap whatever it holds, so it is never read.
MAX_BYTES = 4 * MAX_CHARS + 8
# A JSONL line carries one text plus its options; JSON escapes can make it several times longer.
MAX_LINE_BYTES = 8 * MAX_BYTES


class UsageError(Exception):
    """A wrong option or a file that cannot be opened; the message is Chinese."""


def _read_capped(fh: IO[bytes], source: str) -> bytes:
    data = fh.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise InputError(
            f"{source}内容过长：超过 {MAX_CHARS:,} 字上限。请分段检查，未做部分检查以免误判。"
        )
    return data


def read_input(path: str | None) -> str:
    if path in (None, "-"):
        if path is None and sys.stdin.isatty():
            raise UsageError(
                "请给出文件名，或用管道输入内容（例如：echo 在吗 | python -m assistant check）。"
            )
        return decode(_read_capped(sys.stdin.buffer, "标准输入"), "标准输入")
    try:
        with open(path, "rb") as fh:
            return decode(_read_capped(fh, f"文件 {path} "), f"文件 {path} ")
    except OSError as exc:
        raise UsageError(f"无法读取文件 {path}：{exc.strerror}") from None


def open_lines(path: str) -> IO[bytes]:
    if path == "-":
        return sys.stdin.buffer
    try:
        return open(path, "rb")
    except OSError as exc:
        raise UsageError(f"无法读取文件 {path}：{exc.strerror}") from None


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} 不是有效的 JSON 值")


def parse_record(raw: bytes, number: int) -> dict[str, Any]:
    """One JSONL line as an object, or an InputError saying what is wrong with it."""
    text = decode(raw, f"第 {number} 行")
    try:
        obj = json.loads(text, parse_constant=_no_constants)
    except RecursionError:
        raise InputError(f"第 {number} 行嵌套过深，不是一条消息记录") from None
    except ValueError as exc:
        raise InputError(f"第 {number} 行不是有效的 JSON：{exc}") from None
    if not isinstance(obj, dict):
        raise InputError(f"第 {number} 行应是 JSON 对象")
    return obj


def _lines(fh: IO[bytes]) -> Iterator[tuple[bytes, bool]]:
    """(line, whether it was cut at the cap); the rest of an over-long line is skipped unread."""
    while True:
        line = fh.readline(MAX_LINE_BYTES + 1)
        if not line:
            return
        if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
            while True:
                rest = fh.readline(1 << 16)
                if not rest or rest.endswith(b"\n"):
                    break
            yield line, True
        else:
            yield line, False


def iter_jsonl(path: str) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    """(line number, object, error) per line, streaming: memory stays constant.

    One result per input line: a blank line between records is an error object of its own, so
    output line N answers input line N; blank lines at the very end (a trailing newline or two)
    are not records and yield nothing.
    """
    with open_lines(path) as fh:
        blank: list[int] = []
        for number, (raw, cut) in enumerate(_lines(fh), 1):
            if not cut and not raw.strip():
                blank.append(number)
                continue
            for skipped in blank:
                yield skipped, None, f"第 {skipped} 行为空"
            blank.clear()
            if cut:
                yield number, None, f"第 {number} 行过长（超过 {MAX_LINE_BYTES:,} 字节），已跳过"
                continue
            try:
                yield number, parse_record(raw, number), None
            except InputError as exc:
                yield number, None, str(exc)
