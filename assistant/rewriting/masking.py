"""Personal data never reaches a remote model: phones, ID numbers and bank cards become
placeholders before the prompt and are restored after, and the restore is verified.

The vault is an object passed through one rewrite (LLM Guard's `Vault`), never module state, so two
requests can never see each other's values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_LABELS = {
    "privacy-mobile-number": "电话",
    "privacy-id-number": "证件号",
    "privacy-bank-card": "卡号",
}
PLACEHOLDER = re.compile(r"\[(?:电话|证件号|卡号)\d+\]")


@dataclass
class Vault:
    values: dict[str, str] = field(default_factory=dict)

    def mask(self, text: str, spans: list[tuple[int, int, str]]) -> str:
        """Replace each span (start, end, rule id) by a placeholder such as 「[电话1]」."""
        out, pos, counters = [], 0, dict.fromkeys(_LABELS.values(), 0)
        seen: dict[str, str] = {}
        for start, end, rule in sorted(spans):
            if start < pos:
                continue
            value = text[start:end]
            if value not in seen:
                label = _LABELS.get(rule, "编号")
                counters[label] = counters.get(label, 0) + 1
                seen[value] = f"[{label}{counters[label]}]"
                self.values[seen[value]] = value
            out += [text[pos:start], seen[value]]
            pos = end
        out.append(text[pos:])
        return "".join(out)

    def mask_known(self, text: str) -> str:
        """Replace values already in the vault, e.g. inside a finding's excerpt."""
        for placeholder, value in self.values.items():
            text = text.replace(value, placeholder)
        return text

    def unmask(self, text: str) -> str:
        return PLACEHOLDER.sub(lambda m: self.values.get(m.group(), m.group()), text)

    def problems(self, masked_output: str) -> list[str]:
        """Placeholders the model dropped or made up; both mean the restore cannot be trusted."""
        found = set(PLACEHOLDER.findall(masked_output))
        out = [f"遗漏了 {p}（原文中的个人信息）" for p in self.values if p not in found]
        out += [f"出现了原文没有的占位符 {p}" for p in sorted(found - self.values.keys())]
        return out
