"""What counts as acceptable input, and how bytes from a file or stdin become text.

The cap exists so that a pasted log file cannot stall the page or the CLI; over it we refuse with
the numbers rather than check a part and pass the verdict off as covering the whole.
"""

from __future__ import annotations

MAX_CHARS = 20_000


class InputError(ValueError):
    """Bad input; the message is Chinese and shown to the user as is."""


# A rewritten message adds a title, a salutation, numbers, a closing and a signature to a draft
# that was itself within the cap: its re-check must not refuse it for that.
REWRITTEN_SLACK = 4_000


def validate_text(text: object, *, rewritten: bool = False) -> str:
    if not isinstance(text, str):
        raise InputError(f"需要文本，收到的是 {type(text).__name__}")
    if not text.strip():
        raise InputError("内容为空：请粘贴要检查的消息。")
    # A file's final line break is not content: a 20,000-character file saved with one passes.
    size = len(text) - (2 if text.endswith("\r\n") else 1 if text.endswith("\n") else 0)
    if size > MAX_CHARS + (REWRITTEN_SLACK if rewritten else 0):
        raise InputError(
            f"内容过长：共 {size:,} 字，上限 {MAX_CHARS:,} 字。请分段检查，未做部分检查以免误判。"
        )
    return text


def decode(data: bytes, source: str = "输入") -> str:
    """UTF-8 (with or without BOM), else GB18030 (files saved by older Chinese Windows tools)."""
    if b"\x00" in data:
        raise InputError(f"{source}看起来是二进制文件（含 NUL 字节），不是文本。")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise InputError(
            f"{source}不是有效的 UTF-8 或 GB18030 文本（第 {utf8_error.start + 1} 字节处无法解码）。"
        ) from None
