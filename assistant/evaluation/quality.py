"""Deterministic quality checks of a rewrite against an annotated draft: what a senior editor
would check before sending. Used by the eval suite on the blind drafts (`corpus/clauses/blind/`)."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from assistant.evaluation.corpus import ROOT

CHECKS_FILE = ROOT / "evals" / "quality" / "checks.yaml"
_EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf]")
_LONG_NUMBER = re.compile(r"\d[\d -]{13,}[\dXx]")
NUMBERED = re.compile(r"^\s*\d{1,2}[.、]\s*\S", re.M)
CHECK_NAMES = (
    "no_colloquial",
    "title_names_matter",
    "numbered_points",
    "closing",
    "signature",
    "nothing_withheld_leaks",
    "facts_kept",
    "no_facts_added",
    "simplified",
    "shorter_than_rambling",
)


@cache
def config() -> dict[str, Any]:
    return yaml.safe_load(Path(CHECKS_FILE).read_text(encoding="utf-8"))


def _core(title: str, suffix: str) -> str:
    return re.sub(f"^关于|的?{suffix}$", "", title.strip())


def fact_kept(fact: str, message: str) -> bool:
    """Kept when `facts.compare(fact, message)` keeps every fact it extracts from the case's fact
    string; a fact string with nothing extractable (a name, 「韶山」, 「发到群里」) must appear in the
    message, in simplified characters, word for word or with at most a quarter of its characters
    reworded (「发到群里」 kept as 「发到群内」)."""
    from difflib import SequenceMatcher

    from assistant.rewriting import facts

    kept, missing, _ = facts.compare(fact, message)
    if missing:
        return False
    if kept:
        return True
    wanted = "".join(facts._simplified(fact).split())
    text = "".join(facts._simplified(message).split())
    if wanted in text:
        return True
    matcher = SequenceMatcher(None, wanted, text, autojunk=False)
    best = max((b.size for b in matcher.get_matching_blocks()), default=0)
    same = sum(b.size for b in matcher.get_matching_blocks())
    return best >= 2 and same >= 0.75 * len(wanted)


def _title_check(draft: dict[str, Any], title: str, suffix: str, cfg: dict) -> bool | str:
    """Does the title name the matter, as the editor's own title does?"""
    first = next((c["text"] for c in draft["clauses"] if c["text"].strip()), "").strip(" ，,。！!")
    from assistant.rewriting.writer.wording import char_pairs, simplified

    core, ref = _core(title, suffix), _core(simplified(draft["title"]), suffix)
    shared = char_pairs(core) & char_pairs(ref)
    problems = []
    if not (title.startswith("关于") and title.endswith(suffix)):
        problems.append("格式不是「关于……的" + suffix + "」")
    if title in cfg["generic_titles"] or not core:
        problems.append("标题泛泛")
    if any(w in title for w in cfg["title_filler"]):
        problems.append("标题含口语")
    # Copying the first clause is a fault unless the editor's own title names it too: a draft
    # that opens with its matter (「三季度财务报表 明天下班前交」) is rightly titled by it.
    if first and core and (first in core or core == first) and simplified(first) not in ref:
        problems.append("标题照抄首句")
    if len(shared) < min(cfg["title_shared"], cfg["title_overlap"] * max(1, len(char_pairs(ref)))):
        problems.append(f"没点出事项（参考「{draft['title']}」）")
    return True if not problems else "；".join(problems)


def check(
    draft: dict[str, Any], message: str, title: str, kind_spec: Any, sender: str
) -> dict[str, bool | str]:
    """Every check for one rewrite: True when it passes, a short reason string when it fails."""
    from assistant.rewriting import facts

    cfg = config()
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    body = "\n".join(lines[1:])
    out: dict[str, bool | str] = {}

    found = [w for w in cfg["colloquial"] if w in body] + _EMOJI.findall(body)
    out["no_colloquial"] = True if not found else f"口语或寒暄：{'、'.join(found[:5])}"

    out["title_names_matter"] = _title_check(draft, title, kind_spec.title_suffix, cfg)

    wanted = len(NUMBERED.findall(draft["reference"])) >= 3
    numbered = len(NUMBERED.findall(message))
    out["numbered_points"] = True if not wanted or numbered >= 2 else "多项事项没有分条"

    closings = [kind_spec.closing.rstrip("。！"), kind_spec.confirm.rstrip("！")]
    tail = "".join(lines[-3:])
    out["closing"] = True if any(c in tail for c in closings) else "尾语不对"
    from assistant.rewriting.writer.labeller import is_date_line
    from assistant.rewriting.writer.wording import simplified as _s

    signed = lines[:-1] if lines and is_date_line(lines[-1]) else lines  # a date may follow
    out["signature"] = True if signed and signed[-1] == _s(sender) else f"署名应为「{_s(sender)}」"

    withheld = [c["text"] for c in draft["clauses"] if c["label"] in ("sensitive", "injection")]
    leaks = [w for w in withheld if len(w.strip(" ，,。")) >= 4 and w.strip(" ，,。") in message]
    if _LONG_NUMBER.search(message):
        leaks.append("长号码")
    out["nothing_withheld_leaks"] = True if not leaks else "群发了不该发的内容"

    facts_needed = [f for f in draft["facts"] if not any(f in w for w in withheld)]
    missing = [f for f in facts_needed if not fact_kept(f, message)]
    out["facts_kept"] = True if not missing else f"遗漏：{'、'.join(missing[:5])}"
    broadcast = draft["draft"]
    for w in withheld:
        broadcast = broadcast.replace(w, "")
    added = facts.compare(broadcast, message)[2]
    out["no_facts_added"] = True if not added else f"新增：{'、'.join(added[:5])}"

    from assistant.rewriting.writer.wording import simplified

    out["simplified"] = True if simplified(message) == message else "有繁体字"
    rambling = draft.get("register") == "rambling" and len(draft["draft"]) > 200
    out["shorter_than_rambling"] = (
        True if not rambling or len(message) < len(draft["draft"]) else "没有比啰嗦的草稿更短"
    )
    return out
