"""The index of known false claims: each restated rumor (claim and variants) as a tf-idf vector
over its distinctive character n-grams, and the similarity above which a message retells it.

Similarity is the cosine of binary idf-weighted n-gram sets (n-gram similarity): retellings share
the rare words of the story (紫菜, 塑料, 泡水) while the common words of any notice weigh little.
The threshold is calibrated on half of the probes (a retelling written apart from the indexed
texts) against the must-pass messages of the training corpus; the other half of the probes is
kept for the tests.
"""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

from assistant.engine.ngrams import char_ngrams
from assistant.evaluation import corpus
from training.features import message, view

BASE = corpus.CORPUS / "known_rumors.yaml"
CONFIG = Path(__file__).with_name("known_rumors.yaml")


class KnownRumor(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^kr-\d{3}$")
    topic: str
    claim: str
    variants: list[str] = Field(min_length=1)
    probe: str
    refuted_by: str
    when: str
    when_approx: bool
    truth: str


def load_base() -> list[KnownRumor]:
    data = yaml.safe_load(BASE.read_text(encoding="utf-8"))
    rumors = [KnownRumor.model_validate({**r, "when": str(r["when"])}) for r in data["rumors"]]
    if len({r.id for r in rumors}) != len(rumors):
        raise ValueError(f"{BASE.name}: duplicate ids")
    return sorted(rumors, key=lambda r: r.id)


def calibration_probes(rumors: list[KnownRumor]) -> list[KnownRumor]:
    """Odd-numbered entries' probes calibrate; even-numbered ones are kept for the tests."""
    return [r for r in rumors if int(r.id[3:]) % 2 == 1]


def shingles(text: str, low: int, high: int) -> set[str]:
    return set(char_ngrams(view(text), low, high))


def refutation_cues() -> list[str]:
    """The words that make a retelling a refutation, from the rule that uses the index."""
    from assistant.engine.loader import load_rule_set

    rule = next(r for r in load_rule_set().rules if r.match.detector == "known_rumor.match")
    return list(rule.match.params["refutation_cues"])


class Index:
    """Distinctive n-grams of every indexed text, and containment: the share of a text's idf
    weight that a message contains (extra words around a retelling do not dilute it)."""

    def __init__(self, rumors: list[KnownRumor], background: list[set[str]], cfg: dict) -> None:
        low, high = cfg["ngrams"]
        self.low, self.high = low, high
        self.texts = [(i, t) for i, r in enumerate(rumors) for t in (r.claim, *r.variants)]
        text_sets = [shingles(t, low, high) for _, t in self.texts]
        df: Counter[str] = Counter()
        for s in background:
            df.update(s)
        n = len(background)
        max_df = cfg["max_background_share"] * n
        self.vocab = sorted({g for s in text_sets for g in s if df[g] <= max_df})
        self.index = {g: i for i, g in enumerate(self.vocab)}
        self.idf2 = [(math.log((1 + n) / (1 + df[g])) + 1) ** 2 for g in self.vocab]
        self.vectors = [sorted(self.index[g] for g in s if g in self.index) for s in text_sets]
        self.norms = [sum(self.idf2[i] for i in v) for v in self.vectors]

    def best(self, text: str) -> tuple[float, int]:
        present = {self.index[g] for g in shingles(text, self.low, self.high) if g in self.index}
        best, rumor = 0.0, -1
        for (r, _), vec, norm in zip(self.texts, self.vectors, self.norms, strict=True):
            if norm:
                share = sum(self.idf2[i] for i in vec if i in present) / norm
                if share > best:
                    best, rumor = share, r
        return best, rumor


def build() -> dict[str, Any]:
    cfg = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    low, high = cfg["ngrams"]
    rumors = load_base()
    background = corpus.load("train")
    index = Index(rumors, [shingles(m.text, low, high) for m in background], cfg)
    cues = refutation_cues()

    benign = sorted(
        (
            index.best(m.text)[0]
            for m in background
            if not m.labels and not any(c in view(m.text) for c in cues)
        ),
        reverse=True,
    )
    standalone = benign[int(cfg["max_false_share"] * len(benign))] + 1e-6
    probes = [
        (index.best(r.probe), i) for i, r in enumerate(rumors) if r in calibration_probes(rumors)
    ]
    # Naming: walk down the similarities of the calibration probes while the share of matches
    # that name their own entry stays at the target.
    ranked = sorted(probes, key=lambda p: -p[0][0])
    naming, own = standalone, 0
    for k, ((score, rumor), truth) in enumerate(ranked, 1):
        own += rumor == truth
        if own / k >= cfg["naming_precision"]:
            naming = min(naming, score)
    decimals = cfg["decimals"]
    matched = [(s, r, t) for (s, r), t in probes]
    gate = rumor_gate(calibration_probes(rumors), cfg)
    return {
        "format": 1,
        "ngrams": [low, high],
        "standalone": round(standalone, decimals),
        "naming": round(naming, decimals),
        "gate": None if gate is None else round(gate, decimals),
        "features": index.vocab,
        "idf_squared": [round(v, decimals) for v in index.idf2],
        "texts": [
            {"rumor": r, "features": vec}
            for (r, _), vec in zip(index.texts, index.vectors, strict=True)
        ],
        "rumors": [
            {
                "id": r.id,
                "claim": r.claim,
                "refuted_by": r.refuted_by,
                "when": r.when,
                "when_approx": r.when_approx,
                "truth": r.truth,
            }
            for r in rumors
        ],
        "calibration": {
            "probes": len(matched),
            "standalone_matched_own": sum(1 for s, r, t in matched if s >= standalone and r == t),
            "naming_matched_own": sum(1 for s, r, t in matched if s >= naming and r == t),
            "naming_matched_other": sum(1 for s, r, t in matched if s >= naming and r != t),
            "benign_messages": len(benign),
            "benign_standalone": sum(1 for s in benign if s >= standalone),
        },
    }


def rumor_gate(probes: list[KnownRumor], cfg: dict) -> float | None:
    """The learned model's rumor score below which the index is not even consulted: all but
    `gate_loss` of the calibration probes score above it, most ordinary messages far below, so
    `check` skips the index for them. Needs the judgement model trained first."""
    import json

    from assistant.engine.detectors.judgement import NgramModel
    from training.__main__ import MODELS

    path = MODELS / "judgement.json"
    if not path.is_file():
        return None
    model = NgramModel(json.loads(path.read_text(encoding="utf-8")))
    if "rumor" not in model.labels:
        return None
    at = model.labels.index("rumor")
    scores = sorted(model.scores(message(p.probe))[at] for p in probes)
    return min(scores[int(cfg["gate_loss"] * len(scores))], model.thresholds["rumor"])


def train() -> dict[str, Any]:
    return build()
