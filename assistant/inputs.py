"""What counts as acceptable input, and how bytes from a file or stdin become text.

The cap exists so that a pasted log file cannot stall the page or the CLI; over it we refuse with
the numbers rather than check a part and pass the verdict off as covering the whole.
"""

from __future__ import annotations

MAX_CHARS = 20_000


class InputError(ValueError):
    """Bad input; the message is Chinese and shown to the user as is."""


def validate_text(text: object, *, rewritten: bool = False) -> str:
    if not isinstance(text, str):
        raise InputError(f"需要文本，收到的是 {type(text).__name__}")
    if not text.strip():
        raise InputError("内容为空：请粘贴要检查的消息。")
    # A file's final line break is not content: a 20,000-character file saved with one passes.
    size = len(text) - (2 if text.endswith("\r\n") else 1 if text.endswith("\n") else 0)
    # A rewritten message is checked whatever its length: its draft was within the cap.
    if size > MAX_CHARS and not rewritten:
        raise InputError(
            f"内容过长：共 {size:,} 字，上限 {MAX_CHARS:,} 字。请分段检查，未做部分检查以免误判。"
        )
    if _only_hidden(text):
        raise InputError("内容为空：只有看不见的字符（零宽、控制或私用字符），请粘贴要检查的消息。")
    return text


def _only_hidden(text: str) -> bool:
    """Nothing a reader can see: zero-width, format, control or private-use characters only."""
    for ch in text:  # stops at the first visible character: the first one, as a rule
        if ch.isspace():
            continue  # 「\u3000」, the ideographic space, is blank too
        if ch.isalnum() or "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef":
            return False  # a letter, a digit or a Chinese character: visible (the usual case)
    import unicodedata

    return all(
        ch.isspace() or unicodedata.category(ch) in ("Cf", "Cc", "Co", "Mn", "Me", "Zl", "Zp")
        for ch in text
    )
