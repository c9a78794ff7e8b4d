"""Personal data never reaches a remote model: every way people write a phone number, an ID
number, a bank card, an e-mail address, a QQ or WeChat id, a licence plate or a passport number
becomes a placeholder before the prompt and is restored after, and the restore is verified.

Detection here errs toward masking: a mistyped ID number (wrong check digit, impossible birth
date) and a card that fails Luhn are still someone's numbers, and 138.1234.5678, 138—1234—5678 or
一三八一二三四五六七八 is still a phone. The engine's validated detectors decide what the *checker*
reports; the vault decides what may leave the machine.

The vault is an object passed through one rewrite (LLM Guard's `Vault`), never module state, so two
requests can never see each other's values. A placeholder a user typed into the draft itself
(「[电话1]」) is escaped first, so it can never be given someone else's number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Labels of the placeholders, one per kind of value (the restore regex is built from them).
LABELS = ("电话", "证件号", "卡号", "邮箱", "账号", "车牌", "护照", "署名", "称谓")
PLACEHOLDER = re.compile(r"\[(?:" + "|".join(LABELS) + r")\d+\]")
_ESCAPED_OPEN, _ESCAPED_CLOSE = "［", "］"  # full-width: a literal placeholder stays inert

_SEP = r"[\s\-.—–/·_]*"
_CN = "零〇一二两三四五六七八九幺"
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("邮箱", re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")),
    (
        "账号",
        re.compile(
            r"(?:(?<=QQ)|(?<=qq)|(?<=扣扣)|(?<=微信)|(?<=VX)|(?<=vx)|(?<=WX)|(?<=wx)|(?<=V信)|(?<=薇信))"
            r"(?:号码?)?[:：\s]*(?P<v>[A-Za-z][-_A-Za-z0-9]{5,19}|\d{5,11})"
        ),
    ),
    ("护照", re.compile(r"(?<![A-Za-z0-9])[EGDSPHegdsph]\d{8}(?![\dA-Za-z])")),
    (
        "车牌",
        re.compile(
            r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-Za-z][·\s]?[A-Za-z0-9]{4,5}[A-Za-z0-9挂学警]"
        ),
    ),
    # 15 digits or more in one run (separators allowed): an ID number or a bank card.
    ("长号", re.compile(rf"(?<![\dA-Za-z])\d(?:{_SEP}\d){{14,18}}(?:{_SEP}[Xx])?(?!\d)")),
    ("电话", re.compile(rf"(?<!\d)(?:\+?86{_SEP})?1[3-9]\d(?:{_SEP}\d){{8}}(?!\d)")),
    ("中文数字", re.compile(rf"[{_CN}](?:[\s、，,]*[{_CN}]){{10,18}}")),
]


def _digits(value: str) -> str:
    table = {ord(c): str(i % 10) for i, c in enumerate("零一二三四五六七八九")}
    table.update({ord("〇"): "0", ord("两"): "2", ord("幺"): "1"})
    return re.sub(r"[^\dXx]", "", value.translate(table)).upper()


def find(text: str) -> list[tuple[int, int, str]]:
    """(start, end, label) of every value to mask, longest first where they overlap."""
    found: list[tuple[int, int, str]] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            start, end = m.span("v") if "v" in pattern.groupindex else m.span()
            label = kind
            if kind in ("长号", "中文数字"):
                n = len(_digits(m.group()))
                if kind == "中文数字" and n == 11:
                    label = "电话"
                elif n in (15, 17, 18):  # 17: an 18-digit ID number with a mistyped last place
                    label = "证件号"
                else:
                    label = "卡号" if n >= 12 else "电话"
            found.append((start, end, label))
    found.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    kept: list[tuple[int, int, str]] = []
    for span in found:
        if not kept or span[0] >= kept[-1][1]:
            kept.append(span)
    return kept


@dataclass
class Vault:
    values: dict[str, str] = field(default_factory=dict)
    _counts: dict[str, int] = field(default_factory=dict)

    def _placeholder(self, label: str, value: str) -> str:
        for placeholder, known in self.values.items():
            if known == value and placeholder.startswith(f"[{label}"):
                return placeholder
        self._counts[label] = self._counts.get(label, 0) + 1
        placeholder = f"[{label}{self._counts[label]}]"
        self.values[placeholder] = value
        return placeholder

    def mask(self, text: str, spans: list[tuple[int, int, str]] | None = None) -> str:
        """The text with every personal value replaced by a placeholder such as 「[电话1]」.
        `spans` (start, end, rule id) from the engine are masked too; the vault's own search
        finds every other spelling."""
        text = escape_placeholders(text)
        found = find(text)
        for start, end, _rule in spans or []:
            if not any(s <= start < e for s, e, _ in found):
                found.append((start, end, "电话" if "mobile" in _rule else "证件号"))
        found.sort()
        out, pos = [], 0
        for start, end, label in found:
            if start < pos:
                continue
            out += [text[pos:start], self._placeholder(label, text[start:end])]
            pos = end
        out.append(text[pos:])
        return "".join(out)

    def mask_field(self, value: str, label: str) -> str:
        """A whole field (the signature, the salutation) as one placeholder."""
        return self._placeholder(label, value) if value else value

    def mask_known(self, text: str) -> str:
        """Values already in the vault, however they are spelled here (「+86 13812345678」 or the
        bare 11 digits a fact check quotes), and any new personal value, become placeholders."""
        for placeholder, value in sorted(self.values.items(), key=lambda kv: -len(kv[1])):
            text = text.replace(value, placeholder)
            digits = _digits(value)
            if len(digits) == 13 and digits.startswith("861"):
                digits = digits[2:]  # 「+86 138……」: the country code is matched as optional below
            if len(digits) >= 7:
                spelled = _SEP.join(re.escape(d) for d in digits)
                text = re.sub(rf"(?<![\dXx])(?:\+?86{_SEP})?{spelled}(?![\dXx])", placeholder, text)
        return self.mask(text) if find(escape_placeholders(text)) else text

    def unmask(self, text: str) -> str:
        restored = PLACEHOLDER.sub(lambda m: self.values.get(m.group(), m.group()), text)
        return unescape_placeholders(restored)

    def problems(self, masked_output: str) -> list[str]:
        """Placeholders the model dropped or made up; both mean the restore cannot be trusted.
        The signature and salutation placeholders are checked by the structure check instead."""
        found = set(PLACEHOLDER.findall(masked_output))
        data = [p for p in self.values if not p.startswith(("[署名", "[称谓"))]
        out = [f"遗漏了 {p}（原文中的个人信息）" for p in data if p not in found]
        out += [f"出现了原文没有的占位符 {p}" for p in sorted(found - self.values.keys())]
        return out


def escape_placeholders(text: str) -> str:
    """A placeholder typed into the draft is the user's text, not a vault key."""
    return PLACEHOLDER.sub(lambda m: _ESCAPED_OPEN + m.group()[1:-1] + _ESCAPED_CLOSE, text)


def unescape_placeholders(text: str) -> str:
    pattern = re.compile(
        re.escape(_ESCAPED_OPEN) + r"((?:" + "|".join(LABELS) + r")\d+)" + re.escape(_ESCAPED_CLOSE)
    )
    return pattern.sub(lambda m: f"[{m.group(1)}]", text)
