"""Every rule against its own examples, LanguageTool-style: the YAML is the test suite."""

from __future__ import annotations

import pytest

from assistant.engine.loader import load_rule_set
from assistant.engine.spec import Example
from assistant.models import Category

RULE_SET = load_rule_set()
RULES_BY_ID = {r.id: r for r in RULE_SET.rules}
BAD = [(r.id, i, ex) for r in RULE_SET.rules for i, ex in enumerate(r.examples.bad)]
GOOD = [(r.id, i, ex) for r in RULE_SET.rules for i, ex in enumerate(r.examples.good)]
FIXABLE = [(r.id, i, ex) for r in RULE_SET.rules if r.fix for i, ex in enumerate(r.examples.bad)]


def spans_of(engine, rule_id: str, ex: Example, text: str | None = None) -> list[tuple[int, int]]:
    from assistant.engine.document import Document

    doc = Document(
        text if text is not None else ex.plain,
        engine.compiled,
        ex.channel,
        ex.kind,
        ex.time,
        draft=ex.draft,
    )
    return [(h.start, h.end) for h in engine.hits(doc, only=[rule_id])]


@pytest.mark.parametrize(("rule_id", "n", "example"), BAD, ids=[f"{r}-bad{n}" for r, n, _ in BAD])
def test_bad_example_fires_with_marked_span(engine, rule_id, n, example):
    spans = spans_of(engine, rule_id, example)
    if RULES_BY_ID[rule_id].span == "within":
        [(start, end)], (lo, hi) = spans, example.marked_span  # one finding, inside the mark
        assert lo <= start < end <= hi, (spans, example.marked_span)
    else:
        assert spans == [example.marked_span]


@pytest.mark.parametrize(
    ("rule_id", "n", "example"), GOOD, ids=[f"{r}-good{n}" for r, n, _ in GOOD]
)
def test_good_example_stays_silent(engine, rule_id, n, example):
    assert spans_of(engine, rule_id, example) == []


@pytest.mark.parametrize(
    ("rule_id", "n", "example"), FIXABLE, ids=[f"{r}-fix{n}" for r, n, _ in FIXABLE]
)
def test_safe_fix_does_not_fire_again(engine, rule_id, n, example):
    rule = next(r for r in RULE_SET.rules if r.id == rule_id)
    start, end = example.marked_span
    fixed = example.plain[:start] + rule.fix.replace + example.plain[end:]
    assert spans_of(engine, rule_id, example, fixed) == []


def test_rule_ids_are_unique_and_cite_existing_clauses():
    ids = [r.id for r in RULE_SET.rules]
    assert len(ids) == len(set(ids))
    for rule in RULE_SET.rules:
        assert rule.clause in RULE_SET.clauses, rule.id
        # The "why" restates the clause it cites, so a user sees the reason in plain Chinese.
        assert rule.clause in rule.why, rule.id


def test_every_category_has_a_rule():
    covered = {r.category for r in RULE_SET.rules}
    assert covered == set(Category)


def test_required_lookalikes_are_good_examples_somewhere():
    goods = [ex.plain for _, _, ex in GOOD]
    for text in (
        "请认真学习中央文件精神",
        "换届选举工作会议",
        "保密教育培训",
        "警惕红包诈骗",
        "请勿转发未经核实的信息",
        "12345政务服务热线",
    ):
        assert any(text in g for g in goods), text


def test_every_clause_of_the_guideline_is_restated():
    sections = {c.section for c in RULE_SET.clauses.values()}
    assert sections == {"redline", "guide", "basic", "rule", "principle"}
    assert sum(c.section == "principle" for c in RULE_SET.clauses.values()) == 10
    assert sum(c.section == "basic" for c in RULE_SET.clauses.values()) == 5
