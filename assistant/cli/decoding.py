"""Bytes from a file or standard input as text: which encoding, decided by what reads as Chinese."""

from __future__ import annotations

from assistant.inputs import InputError

_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


def decode(data: bytes, source: str = "输入") -> str:
    """UTF-8 (with or without BOM), UTF-16 or UTF-32 with a BOM, else GB18030 or Big5 — told
    apart by which decoding reads as Chinese (charset-normalizer's ranking and how many of the
    characters are ones Chinese messages use); when neither clearly does, a clear refusal
    rather than a guess that would be judged as mojibake."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding)
            except UnicodeDecodeError:
                raise InputError(f"{source}的 {encoding.upper()} 编码有误，无法解码。") from None
    if b"\x00" in data:
        raise InputError(f"{source}看起来是二进制文件（含 NUL 字节），不是文本。")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    candidates = {}
    for encoding in ("gb18030", "big5"):
        try:
            candidates[encoding] = data.decode(encoding)
        except UnicodeDecodeError:
            continue
    if len(candidates) == 1 or len(set(candidates.values())) == 1:
        return next(iter(candidates.values()))
    if not candidates:
        raise InputError(
            f"{source}不是有效的 UTF-8、GB18030 或 Big5 文本（第 {utf8_error.start + 1} 字节处无法解码）。"
        )
    chosen = _likelier(data, candidates)
    if chosen is None:
        raise InputError(
            f"{source}的编码无法确定（可能是 GB18030，也可能是 Big5）：请另存为 UTF-8 后再试。"
        )
    return candidates[chosen]


def _likelier(data: bytes, candidates: dict[str, str]) -> str | None:
    """The decoding that reads as Chinese, or None when the two are too close to tell."""
    from charset_normalizer import from_bytes

    common = _common_characters()
    scores = {}
    for encoding, text in candidates.items():
        cjk = [ch for ch in text if "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"]
        scores[encoding] = sum(ch in common for ch in _folded(cjk)) / len(cjk) if cjk else 0.0
    ranked = sorted(scores, key=scores.get, reverse=True)
    if scores[ranked[0]] - scores[ranked[1]] >= 0.15:
        return ranked[0]
    best = from_bytes(data, cp_isolation=list(candidates)).best()
    if best is not None and best.encoding in candidates and scores[best.encoding] >= 0.8:
        return best.encoding
    return None


def _common_characters() -> frozenset[str]:
    """The characters the learned model knows as words of their own: those Chinese messages use."""
    from assistant.engine.checker import default_engine

    model = default_engine().compiled.models.get("judgement")
    return frozenset(model.characters) if model is not None else frozenset()


def _folded(chars: list[str]) -> list[str]:
    from assistant.engine.checker import default_engine

    fold = default_engine().compiled.fold
    return [ch.translate(fold) for ch in chars]
