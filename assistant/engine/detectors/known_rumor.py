"""Known false claims: a message that retells a rumor already refuted, matched by n-gram
similarity against `models/known_rumors.json` (built by `python -m training` from the base in
`corpus/known_rumors.yaml`), and named with the refutation it received.

Similarity is containment: the share of an indexed retelling's distinctive n-grams (weighted by
idf) that the message contains, so that the words a forwarder adds around a rumor do not dilute
it. A strong match flags the message on its own; a weaker one only names the refutation of a
message the learned model already judges a rumor. A message that retells a rumor in order to
refute it (「网传……系谣言」) never matches.
"""

from __future__ import annotations

from array import array
from operator import itemgetter

from assistant.engine.detectors.base import Hit
from assistant.engine.ngrams import feature_automaton, model_text, read_model

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

    from assistant.engine.document import Document
    from assistant.engine.rule import RuntimeRule

MODEL_FILE = "known_rumors.json"
_SECOND = itemgetter(1)


class RumorIndex:
    __slots__ = (
        "automaton",
        "gate",
        "idf2",
        "lengths",
        "naming",
        "norms",
        "post_flat",
        "post_start",
        "rumors",
        "standalone",
        "text_rumor",
    )

    def __init__(self, data: dict[str, Any]) -> None:
        features: list[str] = data["features"]
        self.idf2 = array("d", data["idf_squared"])
        self.lengths = array("B", [len(f) for f in features])
        self.standalone: float = data["standalone"]
        self.naming: float = data["naming"]
        self.gate: float | None = data.get("gate")
        self.rumors: list[dict[str, Any]] = data["rumors"]
        texts = data["texts"]
        self.text_rumor = array("H", [t["rumor"] for t in texts])
        self.norms = array("d", [sum(self.idf2[i] for i in t["features"]) for t in texts])
        postings: list[list[int]] = [[] for _ in features]
        for k, t in enumerate(texts):
            for i in t["features"]:
                postings[i].append(k)
        # Flat arrays, not a tuple per n-gram: tens of thousands of small objects were most of
        # the index's unpickling, which every `check` start pays.
        self.post_flat = array("I", [k for p in postings for k in p])
        self.post_start = array("I", [0])
        for p in postings:
            self.post_start.append(self.post_start[-1] + len(p))
        self.automaton = feature_automaton(features)

    def _texts_with(self, feature: int) -> array:
        """The indexed retellings that contain `feature`."""
        return self.post_flat[self.post_start[feature] : self.post_start[feature + 1]]

    def best(self, text: str) -> tuple[float, int, set[int]]:
        """(containment, text index, features present) of the closest indexed retelling."""
        present = set(map(_SECOND, self.automaton.iter(text)))
        if not present:
            return 0.0, -1, present
        dots: dict[int, float] = {}
        idf2 = self.idf2
        for f in present:
            w = idf2[f]
            for k in self._texts_with(f):
                dots[k] = dots.get(k, 0.0) + w
        k = max(dots, key=lambda t: (dots[t] / self.norms[t], -t))
        return dots[k] / self.norms[k], k, present

    def span(self, text: str, k: int, present: set[int]) -> tuple[int, int]:
        """From the first to the last n-gram the message shares with retelling `k`."""
        mine = {f for f in present if k in self._texts_with(f)}
        ends = [(end, f) for end, f in self.automaton.iter(text) if f in mine]
        start = min(end + 1 - self.lengths[f] for end, f in ends)
        return start, max(end for end, _ in ends) + 1


def compile_data(models_dir: str) -> RumorIndex | None:
    data = read_model(models_dir, MODEL_FILE)
    return RumorIndex(data) if data is not None else None


class KnownRumorMatch:
    PARAMS = "KnownRumorParams"

    def __init__(self, rule: RuntimeRule) -> None:
        self.rule = rule
        self.cues = [c.lower() for c in rule.params.refutation_cues]

    def detect(self, doc: Document) -> Iterator[Hit]:
        index: RumorIndex | None = doc.compiled.models.get("known_rumor")
        if index is None:
            return
        rumor_score = _rumor_score(doc)
        if index.gate is not None and rumor_score is not None and rumor_score < index.gate:
            return  # nothing like a rumor: the index is not consulted (most messages)
        text = model_text(doc.squeezed.text)
        similarity, k, present = index.best(text)
        if similarity < index.naming or any(c in text for c in self.cues):
            return
        if similarity < index.standalone and not _judged_rumor(doc, rumor_score):
            return
        rumor = index.rumors[index.text_rumor[k]]
        s, e = index.span(text, k, present)
        start, end = doc.squeezed.orig_span(s, e)
        when = rumor["when"] + ("前后" if rumor["when_approx"] else "")
        yield Hit(
            self.rule.index,
            start,
            end,
            {
                "claim": rumor["claim"],
                "similarity": f"{similarity:.2f}",
                "refuted_by": rumor["refuted_by"],
                "when": _when(when),
                "truth": rumor["truth"],
            },
        )


def _rumor_score(doc: Document) -> float | None:
    """The learned model's rumor score for the document (computed once), or None."""
    model = doc.compiled.models.get("judgement")
    if model is None or "rumor" not in model.thresholds:
        return None
    from assistant.engine.detectors.judgement import document_scores

    scores = document_scores(doc, model)
    return None if scores is None else scores["rumor"]


def _judged_rumor(doc: Document, score: float | None) -> bool:
    """Does the learned model judge this message a rumor?"""
    model = doc.compiled.models.get("judgement")
    return score is not None and score >= model.thresholds["rumor"]


def _when(value: str) -> str:
    """「2017-02」 → 「2017年2月」, 「2016」 → 「2016年」."""
    year, _, rest = value.partition("-")
    month = rest.partition("-")[0]
    suffix = value[len(year) + (len(rest) + 1 if rest else 0) :]
    return f"{year}年" + (f"{int(month)}月" if month.isdigit() else "") + suffix


DETECTORS = {"match": KnownRumorMatch}
