"""The title names the matter: 「关于召开年底考核工作会议的通知」, never the draft's first clause.

The clause that reads most as the matter (the clause model's score) is cut into words with their
parts of speech (jieba); what a title never carries goes — pronouns, adverbs, particles, numbers,
times, the speaker's modal verbs (想, 要), small words (一下, 那个) — and what is left is named in
the office's verbs (开会 → 召开会议, 买 → 购买, 报 → 报送), from the vocabulary in
`rules/writing.yaml`.
"""

from __future__ import annotations

import re
from functools import cache

from assistant.rewriting.facts import fact_spans
from assistant.rewriting.writer.wording import official, vocabulary

_DROP_POS = (
    "r",
    "d",
    "u",
    "y",
    "e",
    "o",
    "x",
    "m",
    "q",
    "t",
    "p",
    "c",
    "zg",
    "w",
    "ul",
    "uj",
    "ud",
)
_MAX = 18


@cache
def _posseg():
    import jieba
    import jieba.posseg

    jieba.setLogLevel(60)  # no start-up chatter on stdout
    return jieba.posseg


def core(clause: str) -> str:
    """The matter of a clause as a title phrase, or "" when nothing is left."""
    vocab = vocabulary()["title"]
    text = official(clause)
    # Facts (dates, times, places, amounts) are details for the body, not for the title.
    out, pos = [], 0
    for s, e in fact_spans(text):
        out.append(text[pos:s])
        pos = e
    out.append(text[pos:])
    text = re.sub(r"[（(][^）)]*[）)]", "", " ".join(out))
    for pattern in vocab["strip_patterns"]:
        text = re.sub(pattern, "", text.strip())
    for prefix in vocab["strip_prefixes"]:
        text = re.sub(f"^{re.escape(prefix)}", "", text.strip())
    words = []
    tokens = [(w.strip(), p) for w, p in _posseg().cut(text) if w.strip()]
    negations = set(vocab.get("negations", []))
    for i, (w, _) in enumerate(tokens):
        if w in negations:
            # 「身体不舒服」 is never 「身体舒服」: the negation stays with the word it negates
            # (past an adverb the title leaves out: 「不能按时完成」 → 「不能完成」); with a verb
            # it leaves out it goes too (「不上幼儿园」 is never 「不幼儿园」)
            k = i + 1
            while (
                k < len(tokens) - 1
                and tokens[k][1].startswith("d")
                and not core_word(tokens, k, vocab, words)
            ):
                k += 1
            if k < len(tokens) and core_word(tokens, k, vocab, words):
                words.append(w)
            continue
        kept = core_word(tokens, i, vocab, words)
        if kept:
            words.append(kept)
    phrase = "".join(words)
    for old, new in vocab["phrases"].items():
        phrase = phrase.replace(old, new)
    phrase = re.sub("召开会(?![\u4e00-\u9fff])", "召开会议", phrase)
    if phrase.endswith("会") and not phrase.endswith(tuple(vocab["meeting_names"])):
        phrase += "议"  # 「安全生产会」 → 「安全生产会议」
    phrase = phrase.strip("的之和与及、")
    if len(phrase) > _MAX:
        phrase = _shorten(words, vocab)
    return phrase if len(phrase) >= 2 else ""


def core_word(tokens: list[tuple[str, str]], i: int, vocab: dict, words: list[str]) -> str:
    """What a title keeps of the clause's i-th word (`words`: what it kept before), "" for
    nothing."""
    w, pos_tag = tokens[i]
    if w == "会" and i == len(tokens) - 1 and words:
        return w  # 「开安全生产会」: at the end, 会 is the meeting
    if w in vocab["drop_words"]:
        return ""
    if pos_tag.startswith(("t", "m")) and (
        w in vocab["time_words_kept"]
        or (
            not re.search(r"\d", w)
            and pos_tag == "m"
            and len(w) > 1
            and w[-1] not in "个次下点些台天份名人件条"
        )
    ):
        return w
    if pos_tag.startswith(_DROP_POS) and w not in vocab["keep_words"]:
        return ""
    return vocab["verbs"].get(w, w)


def _shorten(words: list[str], vocab: dict) -> str:
    out = ""
    for w in words:
        if len(out) + len(w) > _MAX:
            break
        out += w
    return out.strip("的之和与及、")


def title(candidates: list[str], suffix: str, fallback: str) -> str:
    """「关于{matter}的{suffix}」 from the first candidate clause with a matter in it."""
    for clause in candidates:
        phrase = re.sub(f"的?{suffix}$", "", core(clause)).strip("的")
        if len(phrase) >= 2:
            return f"关于{phrase}的{suffix}"
    return fallback
