"""Normalize before matching, report on the original.

Two views of a text are matched against: `folded` (width, case, traditional→simplified and
invisible characters undone) for regexes that must still see punctuation and digits' separators,
and `squeezed` (folded, with whitespace and filler symbols also removed) for keywords, so that
「紅 包」, 「机*密」 and 「红\u200b包」 all read 「红包」. Both come from one `str.translate` each: a
character maps to at most one character, so offsets only move where characters are deleted, and
only then is an index map built.
"""

from __future__ import annotations

import re
from functools import cache

# Characters that carry no meaning and are used to break words apart invisibly.
INVISIBLE = [
    *(0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180E, 0x3164, 0xFEFF, 0xFFA0),
    *range(0x200B, 0x2010),
    *range(0x202A, 0x202F),
    *range(0x2060, 0x2070),
    *range(0xFE00, 0xFE10),
    *range(0xE0100, 0xE01F0),
    *range(0xE0000, 0xE0080),
]
# C0/C1 controls other than line breaks and tabs, which users never mean.
CONTROLS = [c for c in range(0x00, 0x20) if c not in (0x09, 0x0A, 0x0D)] + list(range(0x7F, 0xA0))
# Fillers users slip inside a word: 「红 包」, 「机*密」, 「拉.票」, 「投-票」. Chinese sentence
# punctuation (，。！？；：) is kept so that neighbouring sentences do not fuse into a keyword.
SEPARATORS = " \t\r\u3000*·•‧∙・.-_~|/\\#@^+=`'\"" + "＊．－＿～｜／＼＃＠＾＋＝“”‘’「」『』"

SENTENCE_BREAKS = frozenset("。！？!?；;\n…")

CJK_RANGES = [(0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00), (0x20000, 0x2A6E0)]


def build_fold_table(t2s: dict[str, str]) -> dict[int, str | None]:
    """The fold translate table; built when the rules compile, not per text."""
    import unicodedata

    fold: dict[int, str | None] = {}
    for cp in range(0x20, 0x30000):
        ch = chr(cp)
        if 0xD800 <= cp < 0xE000:
            continue
        out = unicodedata.normalize("NFKC", ch)
        if len(out) != 1:
            out = ch
        out = out.lower() if len(out.lower()) == 1 else out
        out = t2s.get(out, out)
        if out != ch:
            fold[cp] = out
    for cp in INVISIBLE + CONTROLS + hidden_code_points():
        fold[cp] = None
    return fold


# Unicode categories of characters that draw nothing a reader notices and so can hide a word
# from a keyword: format (Cf), controls (Cc, but tab and line breaks), private use (Co),
# combining and enclosing marks (Mn, Me: variation selectors, U+1D173…), line and paragraph
# separators (Zl, Zp), and the object replacement character.
HIDDEN_CATEGORIES = frozenset({"Cf", "Cc", "Co", "Mn", "Me", "Zl", "Zp"})
_KEEP = frozenset({0x09, 0x0A, 0x0D})


def hidden_code_points() -> list[int]:
    """Every code point of the hidden categories below U+30000 (the private-use planes 15 and
    16 are deleted by a regex in `squeeze_view`, not by a table of 130,000 entries)."""
    import unicodedata

    out = [0xFFFC, 0xFFFD]
    for cp in range(0x30000):
        if 0xD800 <= cp < 0xE000 or cp in _KEEP:
            continue
        if unicodedata.category(chr(cp)) in HIDDEN_CATEGORIES:
            out.append(cp)
    return out


def opencc_t2s_table() -> dict[str, str]:
    """Character-level traditional→simplified from OpenCC; phrase conversion would move offsets."""
    import opencc

    converter = opencc.OpenCC("t2s")
    chars = [chr(cp) for lo, hi in CJK_RANGES for cp in range(lo, hi)]
    converted = converter.convert("\n".join(chars)).split("\n")
    if len(converted) != len(chars):  # pragma: no cover - would mean OpenCC merged lines
        raise RuntimeError("OpenCC changed the line count; cannot build a 1:1 table")
    return {a: b for a, b in zip(chars, converted, strict=True) if a != b and len(b) == 1}


class LazyPattern:
    """A regex compiled on first use. Compiling costs ~0.5–1 ms a pattern; patterns that a `check`
    run may never need (the format checks, the personal-data validators) should not make every
    CLI start-up pay for them."""

    __slots__ = ("_args", "_compiled")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._args = (pattern, flags)
        self._compiled: re.Pattern[str] | None = None

    def __reduce__(self) -> tuple[type, tuple[str, int]]:
        # Pickled as its source, so a compiled rule set (the cache) unpickles without compiling
        # patterns a `check` may never use (a regex behind a trigger keyword).
        return (LazyPattern, self._args)

    def __getattr__(self, name: str) -> object:
        compiled = self._compiled
        if compiled is None:
            compiled = self._compiled = re.compile(*self._args)
        return getattr(compiled, name)


class View:
    """A normalized text and, where characters were deleted, the way back to the original.

    The index map is built only when a span is asked for: most messages have no hit at all, and
    then deleting a space or a zero-width character costs nothing beyond the translate itself.
    """

    __slots__ = ("_map", "_parent", "_source", "deleted", "text")

    def __init__(
        self,
        text: str,
        source: str | None = None,
        deleted: frozenset[str] = frozenset(),
        parent: View | None = None,
    ) -> None:
        self.text = text
        self._source = source  # the text this one was made from by deletions; None: same length
        self.deleted = deleted
        self._parent = parent  # the view `source` is, when it is not the original
        self._map: list[int] | None = None

    @property
    def to_orig(self) -> list[int] | None:
        if self._source is None:
            return self._parent.to_orig if self._parent is not None else None
        if self._map is None:
            deleted = self.deleted
            if isinstance(deleted, list):  # spans deleted (context-dependent deletions)
                gone = set()
                for s, e in deleted:
                    gone.update(range(s, e))
                kept = [i for i in range(len(self._source)) if i not in gone]
            else:
                kept = [i for i, c in enumerate(self._source) if c not in deleted]
            up = self._parent.to_orig if self._parent is not None else None
            self._map = [up[i] for i in kept] if up is not None else kept
        return self._map

    def orig_span(self, start: int, end: int) -> tuple[int, int]:
        m = self.to_orig
        if m is None:
            return start, end
        if start >= len(m):
            return (m[-1] + 1, m[-1] + 1) if m else (0, 0)
        return m[start], m[max(start, end - 1)] + 1


def make_view(raw: str, table: dict[int, str | None], deleted: str) -> View:
    text = raw.translate(table)
    if len(text) == len(raw):
        return View(text)
    return View(text, raw, _as_set(deleted))


@cache
def _as_set(chars: str) -> frozenset[str]:
    return frozenset(chars)


_SEPARATOR_RUN = re.compile("[" + re.escape(SEPARATORS) + "]+")
_SEPARATOR_SET = frozenset(SEPARATORS)


def squeeze_text(text: str, fold: dict[int, str | None]) -> str:
    """What the keyword matcher sees of `text`: folded, separators removed."""
    return _SEPARATOR_RUN.sub("", text.translate(fold))


# A pictograph between two Chinese characters breaks a word (「红❤包」); elsewhere it is the
# writer's emoji and stays (the learned model reads 🙏). Private-use planes 15 and 16 draw nothing.
PICTOGRAPHS = (
    "\u2190-\u21ff\u2300-\u23ff\u25a0-\u27bf\u2900-\u297f\u2b00-\u2bff\u3030\u303d\u3297\u3299"
    "\U0001f000-\U0001faff"
)
# The separators around the pictograph go with it: 「不😂 转」 is 「不转」.
_IN_WORD = LazyPattern(
    r"(?<=[\u3400-\u9fff\uf900-\ufaff])[" + re.escape(SEPARATORS) + r"]*[" + PICTOGRAPHS + r"]+"
    r"[" + re.escape(SEPARATORS) + r"]*(?=[\u3400-\u9fff\uf900-\ufaff])"
    r"|[\U000f0000-\U0010ffff]+"
)
# The pattern above costs ~3 ms to compile, which every CLI start paid; this one class tells
# whether a text has any pictograph at all (most work messages have none).
_ANY_PICTOGRAPH = LazyPattern("[" + PICTOGRAPHS + "\U000f0000-\U0010ffff]")


def squeeze_view(folded: View) -> View:
    """`folded` without separators: a regex deletion, far cheaper than a second translate."""
    text = _SEPARATOR_RUN.sub("", folded.text)
    if _ANY_PICTOGRAPH.search(text) is None or _IN_WORD.search(text) is None:
        if len(text) == len(folded.text):
            return View(text, None, frozenset(), folded)
        return View(text, folded.text, _SEPARATOR_SET, folded)
    # Rare: deletions that depend on their neighbours; the way back is built from the spans.
    spans = [
        m.span() for m in re.finditer(_IN_WORD.pattern + "|" + _SEPARATOR_RUN.pattern, folded.text)
    ]
    return View(text_without(folded.text, spans), folded.text, spans, folded)


def text_without(text: str, spans: list[tuple[int, int]]) -> str:
    out, pos = [], 0
    for s, e in spans:
        out.append(text[pos:s])
        pos = e
    out.append(text[pos:])
    return "".join(out)


def deleted_chars(table: dict[int, str | None]) -> frozenset[str]:
    return frozenset(chr(cp) for cp, out in table.items() if out is None)
