"""Chat wording made plain official wording, from the vocabulary in `rules/writing.yaml`:
fillers and particles go, colloquial words become official ones, traditional characters become
simplified, emoji and stickers go. Facts — dates, times, places, numbers, phones — are never
touched: replacements apply only to the text between them."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import yaml

from assistant.engine.detectors.emoji import EMOJI
from assistant.engine.paths import RULES_DIR
from assistant.rewriting.facts import fact_spans

WRITING_FILE = Path(RULES_DIR) / "writing.yaml"
_STICKER = re.compile(r"\[(?!(?:电话|证件号|卡号|编号)\d+\])[\u4e00-\u9fffA-Za-z0-9]{1,4}\]")
_MARKS = re.compile(r"[~～]+|[!！]{2,}|[?？]{2,}|[。]{2,}|[.]{3,}|…+")
_RANGE = re.compile(
    r"(?<=[\d点时分号日月周一二三四五六七八九十天])\s*[~～]+\s*(?=[\d周上下早晚中零一二三四五六七八九十次])"
)
_TILDE_COMMA = re.compile(r"(?<=[\w\u4e00-\u9fff])\s*[~～]+\s*(?=[\w\u4e00-\u9fff])")
_SPACES = re.compile(r"[ \t\u3000]+")
_STUTTER = re.compile(r"([\u4e00-\u9fff]{2,4})\1+")
_PUNCT = "，,。！？!?；;：:、 "


@cache
def vocabulary() -> dict:
    data = yaml.safe_load(WRITING_FILE.read_text(encoding="utf-8"))
    data["replacements"] = dict(sorted(data["replacements"].items(), key=lambda kv: -len(kv[0])))
    data["fillers"] = sorted(set(data["fillers"]), key=len, reverse=True)
    data["keep_words"] = sorted(set(data.get("keep_words", [])), key=len, reverse=True)
    return data


@cache
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def simplified(text: str) -> str:
    return _t2s().convert(text)


def _outside_facts(text: str, edit) -> str:
    """Apply `edit` to the stretches of `text` between its facts."""
    out, pos = [], 0
    for s, e in fact_spans(text):
        out += [edit(text[pos:s]), text[s:e]]
        pos = e
    out.append(edit(text[pos:]))
    return "".join(out)


def _replace(stretch: str) -> str:
    vocab = vocabulary()
    kept = {f"\x00{n}\x00": w for n, w in enumerate(vocab.get("keep_words", []))}
    for mark, word in kept.items():
        stretch = stretch.replace(word, mark)
    for word in vocab["fillers"]:
        stretch = stretch.replace(word, "")
    for mark, word in kept.items():
        stretch = stretch.replace(mark, word)
    for pattern, new in vocab.get("patterns", {}).items():
        stretch = re.sub(pattern, new, stretch)
    for old, new in vocab["replacements"].items():
        stretch = _word_replace(stretch, old, new)
    return stretch


def _word_replace(text: str, old: str, new: str) -> str:
    if old.isascii():  # Latin words only as whole words: 「OK」 but not 「OKR」
        # A lower-case word may follow capitals (「PPTdeadline」): a case change is a boundary.
        before = "a-z" if old[:1].islower() else "A-Za-z"
        return re.sub(rf"(?<![{before}]){re.escape(old)}(?![A-Za-z])", new, text)
    return text.replace(old, new)


# The draft's own item markers (the layout numbers the points itself): 「1 」「2、」「③」「（1）」.
ITEM_MARK = re.compile(
    r"^\s*(?:[-•·*]|\d{1,2}\s*(?:[.．](?!\d)|[.．](?=\d{4}\s*年)|[、)）])|\d{1,2}\s+(?![\d点时分号日月年周个人份元楼层页字张岁本篇次场批户家所间组位万千百米天件条名台辆箱袋斤吨块小届期:：.．%])|"
    r"[一二三四五六七八九十]{1,3}\s*、|[①②③④⑤⑥⑦⑧⑨⑩]|[(（]\d{1,2}[)）])\s*"
)


@cache
def _point_words() -> re.Pattern[str]:
    return re.compile(r"^\s*" + vocabulary()["point_words"])


def opens_point(text: str) -> bool:
    """Does the clause open with the draft's own word for an item (「二是」, 「第三，」)?"""
    return bool(_point_words().match(text))


def without_point_word(text: str) -> str:
    """A numbered point without the draft's own item word: the number says it."""
    return _point_words().sub("", text, count=1) or text


def official(text: str) -> str:
    """One clause in official wording, or "" when nothing of substance is left."""
    text = simplified(text.replace("\r", ""))
    text = ITEM_MARK.sub("", text)
    text = _STUTTER.sub(r"\1", text)  # 「明早明早明早」 is said once
    text = EMOJI.sub("", text)
    text = _STICKER.sub("", text)
    text = _outside_facts(text, _replace)
    # A tilde between two times or days is a range (「8点～10点」 → 「8点至10点」); elsewhere
    # inside a sentence it is a chatty comma (「要开始啦～时间上午9点」).
    text = _RANGE.sub("至", text)
    text = _TILDE_COMMA.sub("，", text)
    text = _MARKS.sub(lambda m: m.group()[0] if m.group()[0] in "!！?？" else "", text)
    text = _SPACES.sub(" ", text).strip(" \n" + _PUNCT)
    particles = "".join(vocabulary()["particles"])
    text = re.sub(f"[{particles}]+(?=[{re.escape(_PUNCT)}]|$)", "", text).strip(" " + _PUNCT)
    text = re.sub(r"[，,]{2,}", "，", text)
    if not re.sub(r"[\W_]", "", text):
        return ""
    return text


def char_pairs(text: str) -> set[str]:
    """The character pairs of a text, marks and spaces left out: what the title vote, the
    restatement check and the eval's title check compare."""
    text = re.sub(r"[\W_]", "", text)
    return {text[i : i + 2] for i in range(len(text) - 1)}


_PIECES = re.compile(r"([，,；;])")
_ONCE_MAX = 6  # characters: a longer piece said again is a restatement, for `_Said` to judge


def said_once(text: str) -> str:
    """A sentence without a short piece that only repeats the piece before it (「……下降了2.7个
    百分点，下降了」): a repeated point is said once. A piece with a digit is never dropped."""
    pieces = _PIECES.split(text)
    out = [pieces[0]]
    for mark, piece in zip(pieces[1::2], pieces[2::2], strict=True):
        bare = piece.strip(" 。！？")
        if bare and len(bare) <= _ONCE_MAX and not re.search(r"\d", bare) and bare in out[-1]:
            out[-1] += piece[len(piece.rstrip(" 。！？")) :]  # keep the sentence's own end
            continue
        out += [mark, piece]
    return "".join(out)


def sentence(text: str) -> str:
    """A clause as a sentence: official wording, each piece said once, and a full stop."""
    text = said_once(official(text))
    if text and text[-1] not in "。！？；：":
        text += "。"
    return text
