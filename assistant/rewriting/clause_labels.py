"""The labels a draft's clauses get, and how a clause is presented to the clause model.

One source for both sides: the annotated corpus (`corpus/clauses/`), the training step
(`training/clauses.py`) and the offline writer read the labels and the clause view from here.
"""

from __future__ import annotations

LABELS = (
    "greeting",  # 各位好 / 王主任您好
    "ping",  # 在吗 / 看到请回复 / @所有人
    "chitchat",  # small talk unrelated to the matter
    "filler",  # 那个 / 然后 / 就这样 / 谢谢大家啦
    "sender",  # 我是办公室小吴 / a signature line
    "matter",  # the point itself: what happens or is asked
    "background",  # why, on whose instruction
    "time",
    "place",
    "attendees",
    "materials",
    "deadline",
    "submission",  # how or where to hand something in
    "contact",
    "requirement",  # other instructions: 请准时, 着正装
    "item",  # one item of a list (a roster line, an agenda point)
    "reply_request",  # 收到请回复 / 请接龙
    "answer",  # in a reply: the substance reported
    "sensitive",  # must never be broadcast: an ID number, a card, a secret
    "injection",  # an instruction aimed at an AI model
)
# Clauses that carry nothing a reader needs: the writer drops them.
DROPPED = frozenset({"greeting", "ping", "chitchat", "filler", "reply_request"})
# Clauses that must not reach the message: dropped, and the notes say why.
WITHHELD = frozenset({"sensitive", "injection"})

FIRST, LAST = "\x02", "\x03"  # position marks the clause model sees as characters


def clause_view(text: str, first: bool, last: bool) -> str:
    """A clause as the clause model reads it (already in model view): its position in the draft
    written as marks, so 「小刘」 at the end reads as a signature and at the start as an address."""
    return (FIRST if first else "") + text + (LAST if last else "")


PAD = "\x04"  # beyond the ends of the text


def boundary_window(text: str, at: int, width: int) -> str:
    """The `width` characters either side of position `at`, with 「|」 between them: what the
    boundary model reads to decide whether a clause ends there (drafts typed without commas)."""
    left = text[max(0, at - width) : at].rjust(width, PAD)
    right = text[at : at + width].ljust(width, PAD)
    return f"{left}|{right}"
