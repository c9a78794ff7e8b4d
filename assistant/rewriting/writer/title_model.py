"""The learned title: which words of the draft an office editor puts in the title, and the
office's own frame around them (「召开」「做好」「按时报送」 before, 「情况」「工作」「安排」 after).

Three linear models trained by `python -m training` on the editors' titles of the annotated drafts
(`corpus/clauses/train/`) and shipped as weights in `models/titles.json`:

- a word model: for each word of the draft (jieba, with its part of speech), whether the title
  carries it, from the word, its neighbours, its part of speech, the clause's label and position,
  whether it sits inside a fact (a date, a time: those stay in the body) and how often the draft
  repeats it;
- a prefix and a suffix model: which frame word, if any, the title adds, from the kind and the
  draft's words;
- a ranker: which of the candidate titles (`pool`) the editor's title is like, from how each
  candidate was made (the word model's thresholds that give it, the clause it is cut from and
  that clause's label), how much the other candidates agree with it, and its shape (its length,
  its first and last parts of speech, whether it names a thing at all). It is trained on
  candidates made as at run time, for drafts the word model never saw (`training/titles.py`).

A candidate is the kept words in the draft's order, each once, within the title's length,
framed. Training and run time share `word_features`, `frame_features` and `pool`, so both see the
same features.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from itertools import pairwise

from assistant.engine.ngrams import read_model
from assistant.engine.paths import MODELS_DIR
from assistant.rewriting.clause_labels import WITHHELD
from assistant.rewriting.facts import fact_spans, located
from assistant.rewriting.writer.linear import Linear, bucket
from assistant.rewriting.writer.wording import char_pairs, official, vocabulary

MODEL_FILE = "titles.json"
MAX_CHARS = 16  # the words of a title, frame left out: 「关于……的通知」 stays readable
_PUNCT_ONLY = re.compile(r"[\W_]+")


@cache
def _posseg():
    import jieba
    import jieba.posseg

    jieba.setLogLevel(60)  # no start-up chatter on stdout
    return jieba.posseg


@dataclass(frozen=True, slots=True)
class Word:
    text: str
    clause: int  # the clause it is in
    features: dict[str, float]


def words(clauses: list[tuple[str, str]], kind: str) -> list[Word]:
    """Every word of the draft's clauses (text, label) with its features. Clauses that must not
    be broadcast (a secret, an ID number, an instruction to a model) give no words."""
    cut = _posseg().cut
    per_clause: list[tuple[int, str, list[tuple[str, str, bool]]]] = []
    counts: Counter[str] = Counter()
    for k, (text, label) in enumerate(clauses):
        if label in WITHHELD:
            continue
        said = official(text)
        if not said:
            continue
        spans = fact_spans(said)
        at, toks = 0, []
        for w, p in cut(said):
            start, at = at, at + len(w)
            if not w.strip() or _PUNCT_ONLY.fullmatch(w):
                continue
            toks.append((w, p, any(s <= start < e for s, e in spans)))
            counts[w] += 1
        per_clause.append((k, label, toks))
    out = []
    for k, label, toks in per_clause:
        for j, (w, _, fact) in enumerate(toks):
            out.append(
                Word(w, k, word_features(toks, j, k, label, kind, repeats=counts[w], fact=fact))
            )
    return out


def word_features(
    toks: list[tuple[str, str, bool]],
    j: int,
    k: int,
    label: str,
    kind: str,
    *,
    repeats: int,
    fact: bool,
) -> dict[str, float]:
    w, p, _ = toks[j]
    pw, pp = (toks[j - 1][0], toks[j - 1][1]) if j else ("<s>", "<s>")
    nw, np_ = (toks[j + 1][0], toks[j + 1][1]) if j + 1 < len(toks) else ("</s>", "</s>")
    return {
        f"w={w}": 1.0,
        f"p={p}": 1.0,
        f"pw={pw}": 1.0,
        f"nw={nw}": 1.0,
        f"pp={pp}": 1.0,
        f"np={np_}": 1.0,
        f"bi={w}{nw}": 1.0,
        f"pb={pw}{w}": 1.0,
        f"lab={label}": 1.0,
        f"lab_p={label}{p}": 1.0,
        f"lab_k={label}{min(k, 3)}": 1.0,
        f"k={min(k, 5)}": 1.0,
        f"j={min(j, 6)}": 1.0,
        f"kind={kind}": 1.0,
        f"kind_w={kind}{w}": 1.0,
        f"len={min(len(w), 4)}": 1.0,
        f"rep={min(repeats, 3)}": 1.0,
        "fact": 1.0 if fact else 0.0,
    }


def frame_features(found: list[Word], kind: str) -> dict[str, float]:
    out = {f"kind={kind}": 1.0}
    for w in found:
        out[f"w={w.text}"] = 1.0
    return out


@dataclass(frozen=True)
class Fluency:
    """How like an editor's title a run of words reads, from the editors' own titles (their
    cores, 「关于」 and the kind's suffix left out): how often each part of speech follows
    another, and which words the editors put side by side. A word salad the pool can make from
    a draft's likely words (「周报前发送给」: a title that ends on a preposition) reads unlike
    any of them; the ranker weighs it."""

    tags: dict[str, int]  # "<tag> <tag>" -> count, with "<s>" and "</s>" at the ends
    firsts: dict[str, int]  # "<tag>" -> how often it opens a tag pair
    pairs: frozenset[str]  # "<word> <word>" the editors wrote side by side
    finals: dict[str, int]  # "<word>" -> how many titles end with it

    @staticmethod
    def fit(cores: list[list[tuple[str, str]]]) -> dict:
        """The counts to store, from each title's (word, part of speech)."""
        tags: dict[str, int] = {}
        pairs: set[str] = set()
        finals: dict[str, int] = {}
        for toks in cores:
            if not toks:
                continue
            seq = ["<s>", *(p for _, p in toks), "</s>"]
            for a, b in pairwise(seq):
                tags[f"{a} {b}"] = tags.get(f"{a} {b}", 0) + 1
            pairs.update(f"{a} {b}" for (a, _), (b, _) in pairwise(toks))
            finals[toks[-1][0]] = finals.get(toks[-1][0], 0) + 1
        return {"tags": tags, "pairs": sorted(pairs), "finals": finals}

    @classmethod
    def read(cls, data: dict) -> Fluency:
        firsts: dict[str, int] = {}
        for pair, n in data["tags"].items():
            first = pair.split(" ", 1)[0]
            firsts[first] = firsts.get(first, 0) + n
        return cls(dict(data["tags"]), firsts, frozenset(data["pairs"]), dict(data["finals"]))

    def _logp(self, a: str, b: str) -> float:
        vocab = len(self.firsts) + 1
        return math.log((self.tags.get(f"{a} {b}", 0) + 1) / (self.firsts.get(a, 0) + vocab))

    def features(self, toks: list[tuple[str, str]]) -> dict[str, float]:
        seq = ["<s>", *(p for _, p in toks), "</s>"]
        logps = [self._logp(a, b) for a, b in pairwise(seq)]
        seen = [f"{a} {b}" in self.pairs for (a, _), (b, _) in pairwise(toks)]
        edges = (-6.0, -5.0, -4.0, -3.0, -2.0)
        return {
            f"flu_mean={bucket(sum(logps) / len(logps), edges)}": 1.0,
            f"flu_min={bucket(min(logps), edges)}": 1.0,
            f"flu_end={bucket(logps[-1], edges)}": 1.0,
            f"flu_start={bucket(logps[0], edges)}": 1.0,
            f"flu_seen={bucket(sum(seen) / len(seen), (0.01, 0.34, 0.67, 1.0)) if seen else -1}": 1.0,
            f"flu_final={bucket(self.finals.get(toks[-1][0], 0), (1, 3, 10, 30))}": 1.0,
        }


@dataclass(frozen=True)
class TitleModel:
    word: Linear
    prefix: Linear
    suffix: Linear
    threshold: float
    # The word thresholds whose titles compete with the matter clause's (`consensus`): a title
    # at each, from few sure words to many.
    candidates: tuple[float, ...] = ()
    # Picks among the candidates of `pool`; None in a file from before it: the consensus picks.
    ranker: Linear | None = None
    pool_thresholds: tuple[float, ...] = ()
    # None in a file from before it: the ranker reads no fluency.
    fluency: Fluency | None = None

    def matter(self, clauses: list[tuple[str, str]], kind: str) -> str:
        """The title's matter (「召开安全生产工作会议」) at the model's threshold, or "" when the
        draft gives none."""
        return self._matter(words(clauses, kind), kind, self.threshold)

    def matters(self, clauses: list[tuple[str, str]], kind: str) -> list[str]:
        """The matter at each candidate threshold, each once."""
        found = words(clauses, kind)
        out = [self._matter(found, kind, t) for t in self.candidates or (self.threshold,)]
        return [m for m in dict.fromkeys(out) if m]

    def _matter(
        self,
        found: list[Word],
        kind: str,
        threshold: float,
        probs: list[float] | None = None,
    ) -> str:
        if not found:
            return ""
        if probs is None:
            probs = [self.word.probability(w.features) for w in found]
        kept: list[tuple[str, float]] = []
        for w, p in zip(found, probs, strict=True):
            if p >= threshold and all(w.text != k for k, _ in kept):
                kept.append((w.text, p))
        if not kept:
            return ""
        while sum(len(w) for w, _ in kept) > MAX_CHARS and len(kept) > 1:
            kept.remove(min(kept, key=lambda wp: wp[1]))
        body = "".join(w for w, _ in kept)
        frame = frame_features(found, kind)
        prefix, suffix = self.prefix.best(frame), self.suffix.best(frame)
        if prefix and not body.startswith(prefix):
            body = prefix + body
        if suffix and not body.endswith(suffix):
            body += suffix
        return body.strip("的之和与及、")


def consensus(phrases: list[str]) -> str:
    """The phrase that agrees most with the others (the sum of its character-pair overlap with
    each): candidates from several thresholds and from the matter clause vote, so one that is
    off on its own (a stray word, a clause that was not the matter) loses to what most of them
    name. Ties go to the earlier phrase."""
    phrases = [p for p in dict.fromkeys(phrases) if p]
    if len(phrases) <= 2:
        return phrases[0] if phrases else ""
    agreement = _agreement([char_pairs(p) for p in phrases])
    return phrases[max(range(len(phrases)), key=lambda i: (agreement[i], -i))]


def _agreement(pairs: list[set[str]]) -> list[float]:
    """For each phrase (its character pairs), the sum of its overlap (Jaccard) with each other
    one: the consensus's vote and the ranker's `agree` feature."""
    return [
        sum(len(a & b) / max(1, len(a | b)) for j, b in enumerate(pairs) if j != i)
        for i, a in enumerate(pairs)
    ]


@dataclass(frozen=True, slots=True)
class Candidate:
    phrase: str
    features: dict[str, float]


_DIGITS = re.compile(r"\d+")
_WHEN = frozenset({"time", "date", "year"})
_NOUNISH = ("n", "vn", "nz", "eng", "j", "l", "an")


def _thing(words: str) -> str:
    """The thing a frame names, without the when (「明天的校长会」 → 「校长会」): its dates and
    times left out, and what comes before its last 「的」."""
    spans: list[list[int]] = []
    for s, e in sorted((s, e) for fact, s, e in located(words) if fact.kind in _WHEN):
        if spans and s <= spans[-1][1]:  # a date inside a time is one stretch, cut once
            spans[-1][1] = max(spans[-1][1], e)
        else:
            spans.append([s, e])
    for s, e in reversed(spans):
        words = words[:s] + words[e:]
    return re.sub(r"^[把将]", "", words.rsplit("的", 1)[-1]).strip()


def _frames(said: str) -> list[tuple[str, str]]:
    """(frame name, title phrase) for each frame the draft says in pieces and a title says whole
    (「想请一天假」 → 「请假一天」, 「会议改到周五」 → 「调整会议时间」): `title.frames` in
    `rules/writing.yaml`."""
    out = []
    for entry in vocabulary()["title"].get("frames", []):
        for m in re.finditer(entry["pattern"], said):
            found = {k: v for k, v in m.groupdict().items() if v}
            for name in entry.get("reduce", []):
                if name in found:
                    found[name] = _thing(found[name])
            found = {k: v for k, v in found.items() if v}
            for form in entry["candidates"]:
                if set(re.findall(r"{(\w+)}", form)) <= set(found):
                    out.append((entry["name"], form.format(**found)))
    return list(dict.fromkeys(out))


def _negated(said: str) -> set[str]:
    """The two-character words the draft says only right after a negation (「不舒服」 → 「舒服」),
    by `title.negations` in `rules/writing.yaml`."""
    marks = sorted(vocabulary()["title"].get("negations", []), key=len, reverse=True)
    if not marks:
        return set()
    alt = "|".join(map(re.escape, marks))
    out = set()
    for w in {m.group(1) for m in re.finditer(f"(?:{alt})([\u4e00-\u9fff]{{2}})", said)}:
        if said.count(w) == len(re.findall(f"(?:{alt}){re.escape(w)}", said)):
            out.add(w)
    return out


def _drops_negation(phrase: str, negated: set[str]) -> bool:
    """Does a candidate say a word the draft says only negated, without its negation
    (「感觉舒服」 from 「感觉不舒服」)? Such a title says the opposite of the draft."""
    marks = vocabulary()["title"].get("negations", [])
    for w in negated:
        for m in re.finditer(re.escape(w), phrase):
            if not any(phrase[: m.start()].endswith(n) for n in marks):
                return True
    return False


def pool(
    learned: TitleModel,
    clauses: list[tuple[str, str]],
    kind: str,
    matters: list[str],
    suffix: str,
) -> list[Candidate]:
    """Every title the writer could give, each once, with what the ranker reads of it: the
    learned words at each of the pool's thresholds, the matter clauses (best first) reduced to
    their words, and every other clause that may be broadcast reduced likewise. A candidate
    that adds a fact (「一楼」 cut from 「一楼大会议室」) or a number is not one."""
    from assistant.rewriting.facts import added_by
    from assistant.rewriting.writer.title import core

    found = words(clauses, kind)
    probs = [learned.word.probability(w.features) for w in found]
    best_prob: dict[str, float] = {}
    for w, p in zip(found, probs, strict=True):
        best_prob[w.text] = max(p, best_prob.get(w.text, 0.0))
    made: dict[str, dict[str, float]] = {}

    def add(phrase: str, features: dict[str, float]) -> None:
        phrase = re.sub(f"的?{suffix}$", "", phrase).strip("的")
        if len(phrase) >= 2:
            made.setdefault(phrase, {}).update(features)

    thresholds = learned.pool_thresholds or learned.candidates or (learned.threshold,)
    for t in thresholds:
        add(learned._matter(found, kind, t, probs), {f"th={t:.2f}": 1.0, "learned": 1.0})
    for i, text in enumerate(matters):
        add(core(text), {f"matter_rank={i}": 1.0})
    for k, (text, label) in enumerate(clauses):
        if label not in WITHHELD:
            add(core(text), {f"clause={label}": 1.0, f"clause_at={min(k, 5)}": 1.0})
    said = "".join(text for text, label in clauses if label not in WITHHELD)
    said_words = official(said)
    for name, phrase in _frames(said_words):
        add(phrase, {f"frame={name}": 1.0})
    # A title's number is one the draft says outside its dates and times (「3楼」); one
    # cut from a date (「11月20日」 → 「1120」, 「20」) is not.
    plain = said_words
    for fact, s, e in located(plain):
        if fact.kind in _WHEN:
            plain = plain[:s] + " " * (e - s) + plain[e:]
    numbers = set(_DIGITS.findall(plain))
    adds = added_by(said)
    negated = _negated(said_words)
    phrases = [
        p
        for p in made
        if set(_DIGITS.findall(p)) <= numbers and not adds(p) and not _drops_negation(p, negated)
    ]
    if not phrases:
        return []
    others = max(1, len(phrases) - 1)
    agreement = [a / others for a in _agreement([char_pairs(p) for p in phrases])]
    order = sorted(range(len(phrases)), key=lambda i: (-agreement[i], i))
    rank = {i: r for r, i in enumerate(order)}
    first_matter = char_pairs(matters[0]) if matters else set()
    cut = _posseg().cut
    out = []
    for i, phrase in enumerate(phrases):
        toks = [(w, p) for w, p in cut(phrase) if w.strip()]
        first, last = toks[0][1], toks[-1][1]
        own = [best_prob[w] for w, _ in toks if w in best_prob]
        n_th = sum(1 for name in made[phrase] if name.startswith("th="))
        size = bucket(len(phrase), (4, 6, 9, 13))
        features = dict(made[phrase])
        features.update(
            {
                "agree": agreement[i],
                f"agree_rank={min(rank[i], 4)}": 1.0,
                f"n_th={min(n_th, 6)}": 1.0,
                f"len={size}": 1.0,
                f"words={min(len(toks), 5)}": 1.0,
                f"first={first}": 1.0,
                f"last={last}": 1.0,
                f"kind_first={kind}{first}": 1.0,
                f"kind_len={kind}{size}": 1.0,
                "names_thing": 1.0 if any(p.startswith(_NOUNISH) for _, p in toks) else 0.0,
                "ends_thing": 1.0 if last.startswith(_NOUNISH) else 0.0,
                "has_time": 1.0 if any(p.startswith(("t", "m")) for _, p in toks) else 0.0,
                f"own_mean={bucket(sum(own) / len(own), (0.2, 0.4, 0.6, 0.8)) if own else -1}": 1.0,
                f"own_min={bucket(min(own), (0.2, 0.4, 0.6, 0.8)) if own else -1}": 1.0,
                f"new_words={min(len(toks) - len(own), 2)}": 1.0,
                f"in_matter={bucket(len(char_pairs(phrase) & first_matter) / max(1, len(char_pairs(phrase))), (0.34, 0.67, 1.0))}": 1.0,
            }
        )
        if learned.fluency is not None:
            features.update(learned.fluency.features(toks))
        out.append(Candidate(phrase, features))
    return out


def pick(ranker: Linear, found: list[Candidate]) -> int:
    """The ranker's choice among a pool's candidates (ties to the earlier): the writer's and the
    training's dev figure's one pick."""
    scores = [ranker.probability(c.features) for c in found]
    return max(range(len(found)), key=lambda i: (scores[i], -i))


def voted_matter(
    learned: TitleModel | None,
    clauses: list[tuple[str, str]],
    kind: str,
    matters: list[str],
    suffix: str,
) -> str:
    """The title's matter: the candidate of `pool` the ranker likes best or, with a model file
    that has no ranker, the one most of the learned titles and the matter clauses reduced to
    their words (`title.core`) agree on. The writer and the training's dev figure both title
    through this."""
    if learned is not None and learned.ranker is not None:
        found = pool(learned, clauses, kind, matters, suffix)
        return found[pick(learned.ranker, found)].phrase if found else ""
    from assistant.rewriting.facts import compare
    from assistant.rewriting.writer.title import core

    phrases = learned.matters(clauses, kind) if learned is not None else []
    phrases += [core(c) for c in matters]
    phrases = [re.sub(f"的?{suffix}$", "", p).strip("的") for p in phrases]
    # A title adds no fact: 「一楼」 cut from 「一楼大会议室」 is another place, a year read out of
    # 「《2026年度工作总结》」 a date the draft never gave as one.
    said = "".join(text for text, label in clauses if label not in WITHHELD)
    return consensus([p for p in phrases if len(p) >= 2 and not compare(said, p)[2]])


@cache
def model() -> TitleModel | None:
    data = read_model(MODELS_DIR, MODEL_FILE)
    if data is None:
        return None
    return TitleModel(
        Linear(data["word"]),
        Linear(data["prefix"]),
        Linear(data["suffix"]),
        data["threshold"],
        tuple(data.get("candidates", ())),
        Linear(data["ranker"]) if "ranker" in data else None,
        tuple(data.get("pool_thresholds", ())),
        Fluency.read(data["fluency"]) if "fluency" in data else None,
    )
