"""The learned judgement model as a detector: one rule per policy row it was trained for.

The weights are data (`models/judgement.json`, written by `python -m training`). When the rules
compile, they become an Aho-Corasick automaton over the model's n-grams and, for each n-gram, one
Python integer that packs its weight for every label and its squared idf in fixed-point fields:
summing those integers over the n-grams present gives every label's score and the vector's norm
in a single C-level `sum`, which is what keeps a learned judgement of 17 labels cheap enough to
run on every `check`. The decision is exactly the trained model's (binary tf-idf, l2 norm, a
logistic regression per label), up to the 2⁻¹⁶ rounding of each weight.
"""

from __future__ import annotations

import math
from operator import itemgetter

from assistant.engine.detectors.base import Hit
from assistant.engine.ngrams import feature_automaton, message_view, model_text, read_model

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

    from assistant.engine.document import Document
    from assistant.engine.rule import RuntimeRule

MODEL_FILE = "judgement.json"
_SCALE = 1 << 12  # fixed-point weights: 1/4096 (a score moves by less than 0.001 for it)
_OFFSET = 1 << 20  # added to every field so a sum of fields never borrows from its neighbour
_WIDTH = 36  # bits a field needs for up to 2^15 n-grams (the vocabulary) of at most 2^21 each
_MASK = (1 << _WIDTH) - 1
_SECOND = itemgetter(1)
CLAUSE_BREAKS = frozenset("，,。！？!?；;：:\n…")


class NgramModel:
    """Everything the runtime needs of the trained model; built once, pickled with the rules."""

    __slots__ = (
        "automaton",
        "characters",
        "intercepts",
        "labels",
        "min_chars",
        "packed",
        "thresholds",
        "vetoes",
    )

    def __init__(self, data: dict[str, Any]) -> None:
        features: list[str] = data["features"]
        # The single characters among the features: the characters Chinese messages use (the
        # input decoder reads a Big5 or GB18030 file by how many of them it finds).
        self.characters = frozenset(f for f in features if len(f) == 1)
        self.labels: list[str] = sorted(data["labels"])
        weights = [data["labels"][label] for label in self.labels]
        self.intercepts = [w["intercept"] for w in weights]
        # Below this many characters of model view the model abstains: too few n-grams to read.
        self.min_chars: int = data.get("min_chars", 1)
        self.thresholds = {
            label: w["threshold"] for label, w in zip(self.labels, weights, strict=True)
        }
        # category -> (its labels, the score below which a keyword finding is a mere mention)
        self.vetoes = {
            category: ([x for x in self.labels if x.partition(".")[0] == category], threshold)
            for category, threshold in data.get("vetoes", {}).items()
        }
        columns = [w["coef"] for w in weights] + [data["idf_squared"]]
        self.packed = [
            sum((round(col[i] * _SCALE) + _OFFSET) << (_WIDTH * j) for j, col in enumerate(columns))
            for i in range(len(features))
        ]
        self.automaton = feature_automaton(features)

    def _packed_sum(self, text: str) -> tuple[int, int]:
        """The packed integers of the n-grams present in `text`, summed, and how many there are."""
        present = set(map(_SECOND, self.automaton.iter(text)))
        return sum(map(self.packed.__getitem__, present)), len(present)

    @staticmethod
    def _field(total: int, count: int, j: int) -> int:
        """Field `j` of a sum of `count` packed integers: the sum of that column's weights."""
        return ((total >> (_WIDTH * j)) & _MASK) - count * _OFFSET

    def scores(self, text: str) -> list[float]:
        """Each label's decision value for a model-view text, in `self.labels` order."""
        total, count = self._packed_sum(text)
        n = len(self.labels)
        if not count:
            return [b for b in self.intercepts]
        fields = [self._field(total, count, j) for j in range(n + 1)]
        norm = math.sqrt(fields[n] / _SCALE) or 1.0
        return [b + f / _SCALE / norm for b, f in zip(self.intercepts, fields, strict=False)]

    def heaviest_clause(self, text: str, label: str) -> tuple[int, int]:
        """The clause (between punctuation marks) whose n-grams weigh most for `label`, as
        offsets in the model-view text: what the finding points at. Each clause is scored on
        its own n-grams (one C-level pass each); only flagged messages pay for this."""
        # The label's own weights are a field of the packed integers: no second copy is kept
        # (it was half of what every `check` start unpickled).
        j = self.labels.index(label)
        best, best_span, start = -math.inf, (0, 0), 0
        for i in range(len(text) + 1):
            if i < len(text) and text[i] not in CLAUSE_BREAKS:
                continue
            s, e = start, i
            while s < e and text[s].isspace():
                s += 1
            if e > s:
                weight = self._field(*self._packed_sum(text[s:e]), j)
                if weight > best:
                    best, best_span = weight, (s, e)
            start = i + 1
        return best_span


def compile_data(models_dir: str) -> NgramModel | None:
    """The compiled model, or None when `models/judgement.json` is absent (rules still run)."""
    data = read_model(models_dir, MODEL_FILE)
    return NgramModel(data) if data is not None else None


def document_scores(doc: Document, model: NgramModel) -> dict[str, float] | None:
    """The model's scores for a document, computed once however many label rules ask; None when
    the text is too short for the model to judge (then it neither flags nor overrules)."""
    if "judgement" not in doc.memo:
        text = message_view(doc.squeezed.text)
        doc.memo["judgement"] = (
            dict(zip(model.labels, model.scores(text), strict=True))
            if len(text) >= model.min_chars
            else None
        )
    return doc.memo["judgement"]  # type: ignore[return-value]


class LabelScore:
    """A finding when the model's score for this rule's label reaches its calibrated threshold."""

    PARAMS = "JudgementParams"

    def __init__(self, rule: RuntimeRule) -> None:
        self.rule = rule
        self.label = rule.params.label

    def detect(self, doc: Document) -> Iterator[Hit]:
        return LabelScores([self]).detect(doc)

    @classmethod
    def grouped(cls, members: list[LabelScore]) -> LabelScores:
        return LabelScores(members)


class LabelScores:
    """All the label rules active on a channel, judged from one scoring of the document."""

    def __init__(self, members: list[LabelScore]) -> None:
        self.members = [(m.rule.index, m.label) for m in members]

    def detect(self, doc: Document) -> Iterator[Hit]:
        model: NgramModel | None = doc.compiled.models.get("judgement")
        if model is None:
            return
        scores = document_scores(doc, model)
        if scores is None:
            return
        for index, label in self.members:
            threshold = model.thresholds.get(label)
            if threshold is None or scores[label] < threshold:
                continue
            text = model_text(doc.squeezed.text)
            s, e = model.heaviest_clause(text, label)
            start, end = doc.squeezed.orig_span(s, e) if e > s else (0, 0)
            detail = {"score": f"{scores[label]:.2f}", "threshold": f"{threshold:.2f}"}
            yield Hit(index, start, end, detail)


def review(doc: Document, model: NgramModel, hits: list[Hit], rules: list) -> list[Hit]:
    """Keyword hits on meaning that the model reads as a mere mention are dropped: 「涉密」 in a
    notice about collecting classified papers in person, 「红包」 in a report of one returned.
    Code detectors (an ID number's checksum, the send time, the format) report facts and are
    never reviewed; nor is a keyword spelled so as to hide it (hb, 投piao): that is intent."""
    if not hits or not model.vetoes:
        return hits
    kept = []
    for hit in hits:
        rule = rules[hit.rule]
        veto = model.vetoes.get(rule.category) if rule.detector is None else None
        if veto is not None and not (hit.detail and hit.detail.get("evasion")):
            scores = document_scores(doc, model)
            if (
                scores is not None
                and max(scores[label] for label in veto[0]) < veto[1]
                and not _added_by_rewrite(doc, hit)
            ):
                continue
        kept.append(hit)
    return kept


def _added_by_rewrite(doc: Document, hit: Hit) -> bool:
    """A word a rewrite brought in that its draft never had (「赛后发红包」 slipped into a notice)
    is not excused by the rest of the message reading harmlessly: the writer added it."""
    if doc.draft is None:
        return False
    word = doc.raw[hit.start : hit.end]
    return bool(word.strip()) and word not in doc.draft


DETECTORS = {"label": LabelScore}
