"""Asides: the clauses an office editor strikes out of a draft although they are not chat — the
story of what happened last time (「上个月就有一个同事过期了两个月才发现」), the speaker's feelings
(「我听了心里也难受得很」), thinking aloud (「我们重新算了一下」), an announcement of what comes next
(「最后强调两点：」), an ask the closing says again (「您看能不能批」).

A linear model trained by `python -m training` on the annotated drafts (`corpus/clauses/train/`)
reads each clause the writer keeps, as the writer reads it, and gives the chance that the editor's
reference says none of it (almost none of its character pairs are in the reference). The writer
strikes a clause only when the model is sure (the file's `sure`, chosen out of writer for few
wrong strikes) and the clause holds no fact (a date, a time, a number, an amount): what a reader
needs is never struck on the model's word. Weights ship in `models/asides.json`; training and run
time share `aside_features`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from assistant.engine.ngrams import read_model
from assistant.engine.paths import MODELS_DIR
from assistant.rewriting.writer.linear import Linear, bucket
from assistant.rewriting.writer.wording import char_pairs, official

MODEL_FILE = "asides.json"
_LENGTHS = (6, 12, 20, 35)
_KEY = re.compile(r"[\W_]")


def aside_features(
    said: str, label: str, at: str, kind: str, *, has_fact: bool, earlier: set[str]
) -> dict[str, float]:
    """What the model reads of one kept clause (`said`: in official wording): its character
    pairs and triples, its label, where it stands (`at`: first, mid, last), how it ends, how
    much of it was said already (`earlier`: the character pairs of the clauses before it), and
    whether it holds a fact."""
    key = _KEY.sub("", said)
    pairs = char_pairs(key)
    out: dict[str, float] = {
        f"lab={label}": 1.0,
        f"lab_at={label}{at}": 1.0,
        f"kind_lab={kind}{label}": 1.0,
        f"at={at}": 1.0,
        f"len={bucket(len(key), _LENGTHS)}": 1.0,
        f"end={said.rstrip()[-1:] if said.rstrip() else ''}": 1.0,
        f"said={bucket(len(pairs & earlier) / len(pairs), (0.34, 0.67, 0.9)) if pairs else -1}": 1.0,
        "fact": 1.0 if has_fact else 0.0,
        "digit": 1.0 if re.search(r"\d", key) else 0.0,
    }
    for i in range(len(key) - 1):
        out[f"b={key[i : i + 2]}"] = 1.0
    for i in range(len(key) - 2):
        out[f"t={key[i : i + 3]}"] = 1.0
    if key:
        out[f"head={key[:2]}"] = 1.0
        out[f"tail={key[-2:]}"] = 1.0
    return out


def features_of(
    clauses: list[tuple[str, str]], kind: str, facts: list[bool]
) -> list[dict[str, float]]:
    """`aside_features` for every clause, in one pass: what was said before grows as it reads,
    so a long draft costs as many clause readings as it has clauses."""
    earlier: set[str] = set()
    out = []
    for k, (text, label) in enumerate(clauses):
        said = official(text)  # once per clause: read for its features, then as said before
        at = "first" if k == 0 else "last" if k == len(clauses) - 1 else "mid"
        out.append(aside_features(said, label, at, kind, has_fact=facts[k], earlier=earlier))
        earlier |= char_pairs(_KEY.sub("", said))  # after: the features are read
    return out


@dataclass(frozen=True)
class AsidesModel:
    model: Linear
    sure: float  # strike only at this chance or above

    def chances(self, clauses: list[tuple[str, str]], kind: str, facts: list[bool]) -> list[float]:
        """For each kept clause, the chance the editor strikes it."""
        return [self.model.probability(f) for f in features_of(clauses, kind, facts)]


@cache
def model() -> AsidesModel | None:
    data = read_model(MODELS_DIR, MODEL_FILE)
    if data is None:
        return None
    return AsidesModel(Linear(data["model"]), data["sure"])
