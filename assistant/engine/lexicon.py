"""The data-driven matcher: `any` keywords, `all` groups within a window, gated regexes,
negation cues and cancelling phrases, for every lexical rule in one pass of the automaton."""

from __future__ import annotations

from collections.abc import Iterator

from assistant.engine.compiled import ALL, ANY, CUE, CUE_AFTER, EXCLUDE, TRIGGER, RuntimeRule
from assistant.engine.document import Document, Hit
from assistant.engine.normalize import SENTENCE_BREAKS

Span = tuple[int, int]


def scan(doc: Document) -> Iterator[Hit]:
    compiled = doc.compiled
    view = doc.squeezed
    text = view.text
    per_rule: dict[int, list[tuple[int, int, int, int]]] = {}
    for last, entries in compiled.automaton.iter(text):
        for rule, role, group, length, edges in entries:
            start = last - length + 1
            # ASCII keywords (pinyin like 「hb」) must not be part of a longer Latin word.
            if edges and not _edges_clear(text, start, last + 1, edges):
                continue
            s, e = view.orig_span(start, last + 1)
            per_rule.setdefault(rule, []).append((role, group, s, e))
    for rule in compiled.ungated_regex:
        per_rule.setdefault(rule, [])

    rules = compiled.rules
    for index, found in per_rule.items():
        rule = rules[index]
        records = found
        if not rule.applies(doc.channel, doc.kind):
            continue
        # A keyword inside a cancelling phrase (「红包」 in 「警惕红包诈骗」) never counts.
        excludes = [(s, e) for role, _, s, e in records if role == EXCLUDE]
        if excludes:
            records = [r for r in records if r[0] == EXCLUDE or not _inside_any(r[2:], excludes)]
        spans = _candidates(rule, records, doc)
        if not spans:
            continue
        cues = [(s, e) for role, _, s, e in records if role == CUE]
        after = [(s, e) for role, _, s, e in records if role == CUE_AFTER]
        kept = [
            sp
            for sp in spans
            if not _inside_any(sp, excludes)
            and not _negated(sp, cues, rule.near, doc.raw)
            and not _warned_after(sp, after, rule.near, doc.raw)
        ]
        for s, e in _merge(kept):
            yield Hit(index, s, e)


def _candidates(
    rule: RuntimeRule, records: list[tuple[int, int, int, int]], doc: Document
) -> list[Span]:
    spans = [(s, e) for role, _, s, e in records if role == ANY]
    if rule.n_groups:
        spans.extend(_within_window(rule, records))
    if rule.regex is not None and (not rule.gated or any(role == TRIGGER for role, *_ in records)):
        view = doc.folded
        for m in rule.regex.finditer(view.text):
            if m.end() > m.start():
                spans.append(view.orig_span(m.start(), m.end()))
    return spans


def _within_window(rule: RuntimeRule, records: list[tuple[int, int, int, int]]) -> list[Span]:
    """For each occurrence of the first group, the nearest occurrence of every other group; the
    span covers them all and must fit in the rule's window."""
    groups: list[list[Span]] = [[] for _ in range(rule.n_groups)]
    for role, group, s, e in records:
        if role == ALL:
            groups[group].append((s, e))
    if not all(groups):
        return []
    out: list[Span] = []
    for anchor in groups[0]:
        lo, hi = anchor
        for others in groups[1:]:
            best = min(others, key=lambda sp: max(sp[0] - anchor[1], anchor[0] - sp[1], 0))
            lo, hi = min(lo, best[0]), max(hi, best[1])
        if hi - lo <= rule.window:
            out.append((lo, hi))
    return out


def _edges_clear(text: str, start: int, end: int, edges: int) -> bool:
    if edges & 1 and start > 0 and text[start - 1].isascii() and text[start - 1].isalnum():
        return False
    return not (edges & 2 and end < len(text) and text[end].isascii() and text[end].isalnum())


def _inside_any(span: Span, outers: list[Span]) -> bool:
    return any(o[0] <= span[0] and span[1] <= o[1] for o in outers)


def _negated(span: Span, cues: list[Span], near: int, raw: str) -> bool:
    """A cue such as 警惕 / 严禁 / 请勿 shortly before the hit, in the same sentence, negates it."""
    for cs, ce in cues:
        # Inside a window (「转发必有好运之类的消息请不要相信，更不要转发」) a cue between the parts
        # negates too.
        if span[0] < cs and ce < span[1]:
            return True
        # The cue may end inside the hit (「请勿转发」 negating 「转发」) but must start before it.
        if cs < span[0] and ce <= span[1] and span[0] - ce <= near:
            between = raw[ce : span[0]]
            if not any(ch in SENTENCE_BREAKS for ch in between):
                return True
    return False


def _warned_after(span: Span, cues: list[Span], near: int, raw: str) -> bool:
    """「涉密文件一律不得通过微信传递」: a cue just after the hit, same sentence, makes it a warning."""
    for cs, _ in cues:
        if (
            cs >= span[1]
            and cs - span[1] <= near
            and not any(ch in SENTENCE_BREAKS for ch in raw[span[1] : cs])
        ):
            return True
    return False


def _merge(spans: list[Span]) -> list[Span]:
    merged: list[Span] = []
    for s, e in sorted(spans):
        if merged and s < merged[-1][1]:
            if e > merged[-1][1]:
                merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return merged
