"""The title model (`assistant/rewriting/writer/title_model.py`): trained on the editors' titles
of the annotated drafts in `corpus/clauses/train/`.

A word of the draft is labelled "in the title" when the editor's title (「关于」 and the kind's
suffix left out) has it as a word, or holds it when it is two characters or more. The frame is
the title's first word when the draft does not have it (an adverb with its verb: 「按时报送」) and
its last word likewise; frames seen fewer than `min_frame` times count as none.

The ranker (`title_model.pool`) is trained on candidates made as the writer makes them at run
time — each training draft read by the clause labeller, its candidates made by a word model
trained without the draft's writer — labelled by whether they are like the editor's title:
an F1 of their character pairs against the editor's (「关于」 and the suffix left out) of at least
`RANK_F1`. (Labelled by the eval's title check instead, the ranker learns that a long title
shares more with any reference: out of writer it passed 0.891 of the drafts against 0.872, but
with F1 0.489 against 0.516 and word lists for titles.) So it learns to pick among candidates from a word model that never
saw the draft, as the writer's always are. (The clause labeller did see the training drafts: its
labels here are better than on a new draft.)

The dev figures are out of writer, as for the other models: each writer's drafts titled by
models trained without them, scored by the eval's own title check.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from assistant.rewriting.writer import title_model as tm
from assistant.rewriting.writer.linear import Linear
from assistant.rewriting.writer.wording import char_pairs, official, simplified
from training.clauses import Draft, load

C = 1.0
MIN_FRAME = 3
THRESHOLD = 0.5
# The word thresholds whose titles compete, with the matter clauses reduced to their words, for
# the title most of them agree on (`title_model.consensus`). Chosen on the dev split (each
# writer's drafts titled by a model trained without them, on the annotated matter clauses):
# titles passing the title check 0.756 with one threshold (0.5) alone, 0.778 with 0.4–0.6,
# 0.788 with 0.3–0.7, 0.799 with 0.2–0.8 (the figures for the 1,440 drafts of c1–c4).
CANDIDATES = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
# The thresholds whose learned titles enter the ranker's pool: more candidates than the vote's,
# from a few sure words to many (the pool holds a title that passes for 0.905 of the blind
# drafts with these, 0.87 with `CANDIDATES`).
POOL_THRESHOLDS = tuple(round(x / 20, 2) for x in range(1, 20))
RANK_C = 1.0
RANK_F1 = 0.5
MIN_WEIGHT = 0.01  # weights smaller than this change no title: left out of the file
MIN_COUNT = 2  # a feature seen once says nothing about other drafts


def _suffixes() -> dict[str, str]:
    from assistant.engine.checker import default_engine

    return {name: spec.title_suffix for name, spec in default_engine().compiled.kinds.items()}


def title_core(d: Draft, suffix: str) -> str:
    title = simplified(d.title)
    m = re.fullmatch(rf"关于(.*)的{suffix}", title)
    return m.group(1) if m else re.sub(r"^关于|的[^的]*$", "", title)


def _clauses(d: Draft) -> list[tuple[str, str]]:
    return [(c.text, c.label) for c in d.clauses]


def _frame(core: str, said: str, first: bool) -> str:
    pairs = [(w, p) for w, p in tm._posseg().cut(core)]
    if not pairs:
        return ""
    w, p = pairs[0] if first else pairs[-1]
    if w in said:
        return ""
    if first and p.startswith("d") and len(pairs) > 1 and pairs[1][0] not in said:
        return w + pairs[1][0]  # 「按时报送」: an adverb needs its verb
    return w


def _fit_linear(
    rows: list[dict[str, float]], labels: list[Any], c: float = C, min_count: int = MIN_COUNT
) -> dict[str, Any]:
    """A logistic regression over the features seen in at least `MIN_COUNT` rows, stored
    sparsely: each feature's non-negligible weights as [class, weight] pairs."""
    import numpy as np
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    seen = Counter(name for row in rows for name, value in row.items() if value)
    rows = [{k: v for k, v in row.items() if seen[k] >= min_count} for row in rows]
    vec = DictVectorizer()
    x = vec.fit_transform(rows)
    clf = LogisticRegression(C=c, max_iter=5000).fit(x, labels)
    coef, intercept = clf.coef_, clf.intercept_
    classes = [str(c) for c in clf.classes_]
    if len(classes) == 2 and not isinstance(labels[0], int):
        # sklearn keeps one row for two classes (the second's score; the first scores 0).
        coef = np.vstack([np.zeros_like(coef[0]), coef[0]])
        intercept = np.array([0.0, intercept[0]])
    weights = {}
    for j, name in enumerate(vec.get_feature_names_out()):
        pairs = [[i, round(float(c), 3)] for i, c in enumerate(coef[:, j]) if abs(c) >= MIN_WEIGHT]
        if pairs:
            weights[str(name)] = pairs
    out: dict[str, Any] = {
        "weights": weights,
        "intercept": [round(float(b), 4) for b in intercept],
    }
    if not isinstance(labels[0], int):
        out["classes"] = classes
    return out


def fit(drafts: list[Draft]) -> dict[str, Any]:
    suffixes = _suffixes()
    word_rows, word_labels, frame_rows, prefixes, suffix_labels = [], [], [], [], []
    cores = []
    for d in drafts:
        core = title_core(d, suffixes[d.kind])
        cut = list(tm._posseg().cut(core))
        cores.append([(w, p) for w, p in cut if w.strip()])
        in_core = {w for w, _ in cut}
        found = tm.words(_clauses(d), d.kind)
        for w in found:
            word_rows.append(w.features)
            word_labels.append(int(w.text in in_core or (len(w.text) >= 2 and w.text in core)))
        said = official(simplified(d.draft))
        frame_rows.append(tm.frame_features(found, d.kind))
        prefixes.append(_frame(core, said, True))
        suffix_labels.append(_frame(core, said, False))
    for labels in (prefixes, suffix_labels):
        seen = Counter(labels)
        labels[:] = [x if seen[x] >= MIN_FRAME else "" for x in labels]
    return {
        "word": _fit_linear(word_rows, word_labels),
        "prefix": _fit_linear(frame_rows, prefixes),
        "suffix": _fit_linear(frame_rows, suffix_labels),
        "threshold": THRESHOLD,
        "candidates": list(CANDIDATES),
        "pool_thresholds": list(POOL_THRESHOLDS),
        "fluency": tm.Fluency.fit(cores),
    }


def _as_model(data: dict[str, Any]) -> tm.TitleModel:
    return tm.TitleModel(
        Linear(data["word"]),
        Linear(data["prefix"]),
        Linear(data["suffix"]),
        data["threshold"],
        tuple(data.get("candidates", ())),
        Linear(data["ranker"]) if "ranker" in data else None,
        tuple(data.get("pool_thresholds", ())),
        tm.Fluency.read(data["fluency"]) if "fluency" in data else None,
    )


def title_passes(d: Draft, title: str) -> bool:
    """The eval's own title check (`evals/quality/checks.yaml`) for one title."""
    from assistant.engine.checker import default_engine
    from assistant.evaluation import quality

    kind = default_engine().compiled.kinds[d.kind]
    row = d.model_dump(by_alias=True)
    return (
        quality.check(row, title + "\n", title, kind, d.sender or "办公室")["title_names_matter"]
        is True
    )


def _dev_title(model: tm.TitleModel, d: Draft, suffix: str) -> tuple[str, str]:
    """(the learned title at its threshold, the consensus title) for one draft, on its
    annotated clauses: the matter clauses reduced to their words vote with the learned titles."""
    clauses = _clauses(d)
    one = model.matter(clauses, d.kind)
    matters = [text for text, label in clauses if label == "matter"][:3]
    voted = tm.voted_matter(model, clauses, d.kind, matters, suffix)
    return (
        f"关于{one}的{suffix}" if one else "",
        f"关于{voted}的{suffix}" if voted else "",
    )


def _title_checker(d: Draft):
    """The eval's own title check for one draft, for many titles."""
    from assistant.engine.checker import default_engine
    from assistant.evaluation import quality

    suffix = default_engine().compiled.kinds[d.kind].title_suffix
    row, cfg = d.model_dump(by_alias=True), quality.config()
    return lambda title: quality._title_check(row, title, suffix, cfg) is True


def _runtime_inputs(d: Draft) -> tuple[list[tuple[str, str]], list[str]]:
    """The draft's clauses and matter clauses as the writer reads them at run time."""
    from assistant.rewriting.writer.compose import title_inputs
    from assistant.rewriting.writer.labeller import label

    return title_inputs(label(d.draft.replace("\r\n", "\n")))


def _f1(phrase: str, reference: str) -> float:
    """The F1 of a candidate's character pairs against the editor's title."""
    a, b = char_pairs(phrase), char_pairs(reference)
    shared = len(a & b)
    return 2 * shared / (len(a) + len(b)) if shared else 0.0


def train() -> dict[str, Any]:
    drafts = load("train")
    suffixes = _suffixes()
    writers = sorted({d.id.split("-")[0] for d in drafts})
    alone = voted = voted_runtime = 0
    # per writer, for each of the writer's drafts: (its candidates, whether each passes the
    # title check, each one's F1 against the editor's title)
    ranked: dict[str, list[tuple[list[tm.Candidate], list[int], list[float]]]] = {
        w: [] for w in writers
    }
    for writer in writers:
        model = _as_model(fit([d for d in drafts if not d.id.startswith(writer + "-")]))
        for d in (d for d in drafts if d.id.startswith(writer + "-")):
            suffix = suffixes[d.kind]
            one, best = _dev_title(model, d, suffix)
            alone += bool(one) and title_passes(d, one)
            voted += bool(best) and title_passes(d, best)
            passes = _title_checker(d)
            clauses, matters = _runtime_inputs(d)
            before = tm.voted_matter(model, clauses, d.kind, matters, suffix)
            voted_runtime += bool(before) and passes(f"关于{before}的{suffix}")
            found = tm.pool(model, clauses, d.kind, matters, suffix)
            core = title_core(d, suffix)
            ranked[writer].append(
                (
                    found,
                    [int(passes(f"关于{c.phrase}的{suffix}")) for c in found],
                    [_f1(c.phrase, core) for c in found],
                )
            )

    def rows(groups: list[str]) -> tuple[list[dict[str, float]], list[int]]:
        pairs = [
            (c.features, int(f1 >= RANK_F1))
            for w in groups
            for cs, _, f1s in ranked[w]
            for c, f1 in zip(cs, f1s, strict=True)
        ]
        return [f for f, _ in pairs], [y for _, y in pairs]

    picked = reachable = 0
    picked_f1 = 0.0
    for writer in writers:
        ranker = Linear(_fit_linear(*rows([w for w in writers if w != writer]), c=RANK_C))
        for found, ys, f1s in ranked[writer]:
            if found:
                at = tm.pick(ranker, found)
                picked += ys[at]
                picked_f1 += f1s[at]
                reachable += any(ys)
    out = fit(drafts)
    out["ranker"] = _fit_linear(*rows(writers), c=RANK_C)
    n = len(drafts)
    out["trained_on"] = {
        "drafts": n,
        "writers": writers,
        "dev_title_pass_out_of_writer": round(alone / n, 4),
        "dev_consensus_title_pass_out_of_writer": round(voted / n, 4),
        "dev_runtime_consensus_title_pass_out_of_writer": round(voted_runtime / n, 4),
        "dev_runtime_ranked_title_pass_out_of_writer": round(picked / n, 4),
        "dev_runtime_ranked_title_f1_out_of_writer": round(picked_f1 / n, 4),
        "dev_runtime_pool_holds_a_pass": round(reachable / n, 4),
    }
    return out
