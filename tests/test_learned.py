"""The learned parts: the runtime reproduces what training computed, training is deterministic,
the shipped weights are small, and the known-rumor base matches retellings it never indexed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant import check
from assistant.engine.checker import default_engine
from assistant.engine.detectors.judgement import NgramModel
from assistant.engine.document import Document
from assistant.engine.ngrams import model_text
from assistant.vocabulary import Category, Verdict

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "models"


@pytest.fixture(scope="module")
def small_fit():
    """A model trained on a slice of the corpus, small enough to fit in a test."""
    from assistant.evaluation import corpus
    from training import judgement
    from training.features import view

    messages = corpus.load("train")[::12]
    data = judgement.examples(messages)
    views = [view(e.text) for e in data]
    cfg = {**judgement.config(), "vocabulary": 3000, "min_positives": 5}
    labels = ["rumor", "vulgar", "advertising"]
    fitted = judgement.Fitted(data, views, labels, cfg)
    thresholds = {label: {"threshold": 0.0} for label in fitted.models}
    stats = {"vetoes": {}}
    return fitted, judgement.export(fitted, thresholds, cfg, stats), views


def test_runtime_scores_equal_scikit_learn_decision(small_fit):
    fitted, exported, views = small_fit
    runtime = NgramModel(exported)
    expected = fitted.scores(views[:200])
    for i, text in enumerate(views[:200]):
        got = dict(zip(runtime.labels, runtime.scores(text), strict=True))
        for label, scores in expected.items():
            # Weights are rounded to 5 decimals and packed in 1/65536 steps.
            assert got[label] == pytest.approx(scores[i], abs=2e-3), (label, text)


def test_training_is_deterministic(small_fit):
    from assistant.evaluation import corpus
    from training import judgement
    from training.features import view

    fitted, exported, _ = small_fit
    messages = corpus.load("train")[::12]
    data = judgement.examples(messages)
    cfg = {**judgement.config(), "vocabulary": 3000, "min_positives": 5}
    again = judgement.Fitted(data, [view(e.text) for e in data], list(fitted.models), cfg)
    thresholds = {label: {"threshold": 0.0} for label in again.models}
    assert judgement.export(again, thresholds, cfg, {"vetoes": {}}) == exported


def test_shipped_models_are_small_and_well_formed():
    judgement = json.loads((MODELS / "judgement.json").read_text(encoding="utf-8"))
    # What every `check` loads: the judgement model and the known-rumor index.
    total = sum((MODELS / name).stat().st_size for name in ("judgement.json", "known_rumors.json"))
    assert total <= 5_000_000
    assert len(judgement["features"]) == len(judgement["idf_squared"])
    for label, w in judgement["labels"].items():
        assert len(w["coef"]) == len(judgement["features"]), label


def test_a_model_finding_points_at_its_heaviest_clause():
    text = "各位家长好，今天天气不错。内部消息，下个月起退休工资统一下调百分之十，文件已经下来了"
    hits = [f for f in check(text, channel="friends_group").findings if f.rule == "learned-rumor"]
    assert hits
    assert text[hits[0].start : hits[0].end] == hits[0].excerpt
    assert "天气" not in hits[0].excerpt  # the small talk carries no weight
    assert "模型" in hits[0].message and "得分" in hits[0].message


def test_too_short_for_the_model():
    report = check("在嗎？", channel="private")
    assert not [f for f in report.findings if f.rule.startswith("learned-")]


def test_keyword_mention_is_reviewed_but_evasion_is_not():
    returned = "我已将服务对象发来的感谢红包原路退回，并向纪检组登记。"
    assert check(returned).verdict is Verdict.ok
    evasive = check("群主发个ＨＯＮＧＢＡＯ呗")  # 「hongbao」 spelled to hide the word: intent
    assert "red-packet" in [f.rule for f in evasive.findings]


# --- known rumors --------------------------------------------------------------------------


def _base():
    from training.known_rumors import load_base

    return load_base()


def _held_out():
    """Probes of even-numbered entries: never indexed, never used to calibrate."""
    return [r for r in _base() if int(r.id[3:]) % 2 == 0]


def test_runtime_similarity_equals_training_index():
    import yaml

    from assistant.evaluation import corpus
    from training.known_rumors import CONFIG, Index, shingles

    cfg = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    rumors = _base()
    background = [shingles(m.text, *cfg["ngrams"]) for m in corpus.load("train")]
    index = Index(rumors, background, cfg)
    runtime = default_engine().compiled.models["known_rumor"]
    for r in _held_out()[:40]:
        doc = Document(r.probe, default_engine().compiled)
        got, k, _ = runtime.best(model_text(doc.squeezed.text))
        want, rumor = index.best(r.probe)
        assert got == pytest.approx(want, abs=1e-4)
        if want > 0:
            assert runtime.text_rumor[k] == rumor


def test_held_out_retellings_name_their_refutation():
    """Retellings written apart from the indexed texts: most that the checker flags as rumors are
    named with their own entry's refutation, and a wrong entry is rare."""
    named = wrong = 0
    for r in _held_out():
        report = check(r.probe, channel="friends_group")
        for f in report.findings:
            if f.rule == "known-rumor":
                if r.refuted_by in f.suggestion and r.truth in f.suggestion:
                    named += 1
                else:
                    wrong += 1
    held = len(_held_out())
    assert named >= 0.4 * held, (named, held)
    assert wrong <= 0.1 * max(named, 1), (wrong, named)


@pytest.mark.parametrize("n", range(0, 208, 13))
def test_a_refutation_of_a_known_rumor_passes(n):
    r = _base()[n]
    report = check(f"网传「{r.claim}」，经核实系谣言。{r.truth}", channel="friends_group")
    assert not [f for f in report.findings if f.rule == "known-rumor"]


def test_explain_shows_what_the_model_weighs():
    from assistant.explain import explain

    text = explain("learned-rumor")
    assert "最能说明属于此类的字词" in text and "判定线" in text


def test_a_word_a_rewrite_added_is_not_excused_by_the_harmless_rest(engine):
    """The model may read a whole notice as harmless and veto the keyword in it; a keyword the
    rewrite brought in that the draft never had is kept all the same."""
    draft = "单位乒乓球赛12月12日下午开打，地点职工活动中心，每个科室至少报名2人"
    output = (
        "关于举办乒乓球赛的通知\n各位职工：\n1. 单位乒乓球赛定于12月12日下午在职工活动中心举行，"
        "每个科室至少报名2人。\n2. 获奖的同志赛后发红包。\n特此通知。\n工会\n"
    )
    rechecked = engine.check(output, kind="notice", draft=draft)
    assert Category.red_packet in {f.category for f in rechecked.findings}
    said = engine.check(output, kind="notice", draft=draft + "，赛后发红包")
    assert Category.red_packet not in {f.category for f in said.findings}
