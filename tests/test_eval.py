"""The offline eval and its baseline gate: break a copy of the rules, the fact check or a prompt
template, and the gate must report a regression against the committed evals/baseline.json."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from assistant.evaluation import baseline, metrics
from assistant.evaluation.cases import CASES_DIR, CaseError, load_cases
from assistant.evaluation.fixtures import LABEL, RECORDED_DIR, load_manifest
from assistant.evaluation.runner import run

ROOT = Path(__file__).resolve().parents[1]


def gate_of(result, against=None, *, partial=False):
    snap = baseline.snapshot(result, metrics.summarize(result.items))
    old = baseline.load() if against is None else against
    return baseline.compare(old, snap, partial=partial), snap


@pytest.fixture(scope="module")
def clean_run():
    return run()


@pytest.fixture(scope="module")
def committed():
    data = baseline.load()
    assert data is not None, (
        "evals/baseline.json is missing: run `python -m assistant eval --update-baseline`"
    )
    return data


@pytest.fixture(scope="module")
def fresh(clean_run):
    """A baseline of this very checkout, so each break is also shown against an unbroken run."""
    return baseline.snapshot(clean_run, metrics.summarize(clean_run.items))


# ------------------------------------------------------------------------------ the clean state
def test_clean_run_has_no_regression_against_committed_baseline(clean_run, committed):
    gate, _ = gate_of(clean_run, committed)
    assert gate.ok, gate.as_dict()


def test_run_is_deterministic(clean_run, fresh):
    again = run()
    assert baseline.snapshot(again, metrics.summarize(again.items)) == fresh


def test_every_fixture_case_runs_through_replay(clean_run):
    fixtures = {f.case for f in load_manifest()}
    replayed = {i.case for i in clean_run.items if i.group == "rewrite_replay"}
    assert replayed == fixtures and len(fixtures) >= 12
    for item in clean_run.items:
        if item.group == "rewrite_replay":
            assert not any("replay miss" in r for r in item.reasons), (item.id, item.reasons)


def test_fixture_files_are_labelled_hand_written():
    files = list(RECORDED_DIR.glob("*.json"))
    assert files
    for path in files:
        data = json.loads(path.read_text(encoding="utf-8"))
        assert data["label"].startswith(LABEL + ": "), path.name
        assert data["request"]["model"] == "fixture-model"


# ------------------------------------------------------------------------------- (a) rule removed
def test_gate_catches_a_removed_rule(tmp_path, committed, fresh):
    from assistant.engine.checker import Engine
    from assistant.engine.compiled import load_compiled

    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    path = rules / "red_lines.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["rules"] = [r for r in data["rules"] if r["id"] != "red-packet-official"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")

    broken = run(engine=Engine(load_compiled(rules)))
    for against in (committed, fresh):
        gate, _ = gate_of(broken, against)
        assert not gate.ok
        assert any(r.startswith("chk-redpacket") for r in gate.regressions), gate.regressions
        assert any(d["metric"] == "check.category.red_packet.recall" for d in gate.metric_drops)


# ------------------------------------------------------------------------ (b) fact check disabled
def test_gate_catches_a_disabled_fact_check(monkeypatch, committed, fresh):
    from assistant.rewriting import facts, pipeline

    def everything_kept(draft, output):
        return [f.text for f in facts.extract(draft)], [], []

    # The pipeline imported `compare` by name, so it is patched where it is looked up too.
    monkeypatch.setattr(facts, "compare", everything_kept)
    monkeypatch.setattr(pipeline, "compare", everything_kept)
    broken = run(tag="llm")
    for against in (committed, fresh):
        gate, _ = gate_of(broken, against, partial=True)
        assert not gate.ok
        # a dropped fact (rw-002), an invented date (rw-006, rw-054), an obeyed injection
        # (rw-017, rw-009) are no longer caught and repaired
        for case in ("rw-002@replay", "rw-006@replay", "rw-054@replay", "rw-017@replay"):
            assert case in gate.regressions, (case, gate.regressions)
    item = next(i for i in broken.items if i.id == "rw-002@replay")
    assert "attempts: expected 2, got 1" in item.reasons


# ---------------------------------------------------------------- (c) template drops the signature
def test_gate_catches_a_template_without_signature(tmp_path, committed, fresh):
    prompts = tmp_path / "prompts"
    shutil.copytree(ROOT / "prompts", prompts)
    layout = prompts / "message.j2"
    lines = layout.read_text(encoding="utf-8").splitlines(keepends=True)
    layout.write_text("".join(x for x in lines if "m.signature" not in x), encoding="utf-8")

    broken = run(prompts_dir=prompts)
    for against in (committed, fresh):
        gate, _ = gate_of(broken, against)
        assert not gate.ok
        assert "rw-001" in gate.regressions and "rw-001@replay" in gate.regressions
        assert any(d["metric"].endswith("structure_complete_rate") for d in gate.metric_drops)
    item = next(i for i in broken.items if i.id == "rw-001")
    assert any("signature" in r for r in item.reasons), item.reasons
    # the template is restored afterwards
    from assistant.rewriting import prompts as prompt_module

    assert prompt_module.PROMPTS_DIR == ROOT / "prompts"


# ------------------------------------------------------------------------------------- the gate
def _snap(cases, **metrics_):
    return {"version": 1, "cases": cases, "metrics": metrics_}


def test_gate_rules():
    old = _snap({"a": "pass", "b": "fail", "c": "pass"}, **{"check.micro_f1": 0.9})
    same = baseline.compare(
        old, _snap({"a": "pass", "b": "fail", "c": "pass"}, **{"check.micro_f1": 0.891})
    )
    assert same.ok and same.known_failures == ["b"]
    worse = baseline.compare(
        old, _snap({"a": "fail", "b": "pass", "c": "pass"}, **{"check.micro_f1": 0.88})
    )
    assert not worse.ok
    assert worse.regressions == ["a"] and worse.improvements == ["b"]
    assert worse.metric_drops[0]["metric"] == "check.micro_f1"
    better = baseline.compare(
        old, _snap({"a": "pass", "b": "pass", "c": "pass"}, **{"check.micro_f1": 0.95})
    )
    assert better.ok and better.improvements == ["b"]
    new = baseline.compare(
        old, _snap({"a": "pass", "b": "fail", "c": "pass", "d": "fail"}, **{"check.micro_f1": 0.9})
    )
    assert not new.ok and new.new_failures == ["d"]
    live = baseline.compare(
        old, _snap({"a": "pass", "c": "pass", "d@live": "fail"}, **{"check.micro_f1": 0.9})
    )
    assert live.ok
    assert not baseline.compare(None, old).ok


# ------------------------------------------------------------------------------ cases validation
def test_committed_cases_load():
    cases = load_cases()
    assert len({c.id for c in cases}) == len(cases) > 250


def _write(directory: Path, name: str, cases: list[dict]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_text(
        yaml.safe_dump({"version": 1, "cases": cases}, allow_unicode=True), encoding="utf-8"
    )
    return directory


@pytest.mark.parametrize(
    ("name", "case", "words"),
    [
        ("check.yaml", {"id": "chk-x", "text": "你好", "expect": {"verdict": "maybe"}}, "verdict"),
        (
            "check.yaml",
            {"id": "chk-y", "text": "你好", "channel": "weibo", "expect": {"verdict": "ok"}},
            "channel",
        ),
        (
            "check.yaml",
            {"id": "chk-z", "text": "你好", "time": "23:10", "expect": {"verdict": "ok"}},
            "time",
        ),
        (
            "rewrite.yaml",
            {"id": "rw-x", "draft": "明天开会", "sender": "办公室", "facts": ["后天"]},
            "facts",
        ),
        (
            "check.yaml",
            {"id": "chk-w", "text": "你好", "expect": {"verdict": "ok", "categories": ["spam"]}},
            "categories",
        ),
    ],
)
def test_bad_case_names_file_and_id(tmp_path, name, case, words):
    with pytest.raises(CaseError) as err:
        load_cases(_write(tmp_path, name, [case]))
    message = str(err.value)
    assert message.startswith(f"{name}: case {case['id']}:") and words in message


def test_duplicate_ids_are_rejected(tmp_path):
    case = {"id": "chk-x", "text": "你好", "expect": {"verdict": "ok"}}
    _write(tmp_path, "check.yaml", [case])
    _write(tmp_path, "check_more.yaml", [case])
    with pytest.raises(CaseError, match="chk-x"):
        load_cases(tmp_path)


# ----------------------------------------------------------------------------- reports and CLI
def test_reports_are_written_and_junit_parses(tmp_path, capsys):
    from assistant.cli import main

    cases = tmp_path / "cases"
    shutil.copy(CASES_DIR / "rewrite.yaml", cases.mkdir() or cases / "rewrite.yaml")
    _write(
        cases,
        "check.yaml",
        [
            {
                "id": "chk-pass",
                "text": "请大家明天上午9点到三楼会议室开会",
                "expect": {"verdict": "ok"},
            },
            {
                "id": "chk-fail",
                "tags": ["<b>tag</b>"],
                "text": "<script>alert('x')</script> 中央这政策纯属瞎折腾",
                "expect": {"verdict": "ok"},
            },
        ],
    )
    out, base = tmp_path / "report", tmp_path / "baseline.json"
    argv = ["eval", "--cases", str(cases), "--baseline", str(base), "--report", str(out)]
    assert main([*argv, "--update-baseline"]) == 0
    assert main(argv) == 0  # chk-fail fails in the baseline too: a known failure
    assert "结果：通过" in capsys.readouterr().out

    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    # The rewrite cases' own known failures (the real rewrite.yaml) may sit beside it.
    known = data["gate"]["known_failures"]
    assert data["gate"]["ok"] and [k for k in known if k.startswith("chk-")] == ["chk-fail"]
    assert data["summary"]["groups"]["check"]["confusion"]["ok"]["block"] == 1

    suites = ET.parse(out / "junit.xml").getroot()
    cases_xml = suites.findall(".//testcase")
    assert len(cases_xml) == len(data["items"])
    failed = [c for c in cases_xml if c.find("failure") is not None]
    assert sorted(c.get("name") for c in failed) == sorted(known)
    chk_fail = next(c for c in failed if c.get("name") == "chk-fail")
    assert "verdict: expected ok, got block" in chk_fail.find("failure").get("message")

    page = (out / "report.html").read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "&lt;b&gt;tag&lt;/b&gt;" in page
    assert "-verdict: ok" in page and "+verdict: block" in page

    # Now make the passing case fail: a regression, exit 1, marked in the junit message.
    text = (cases / "check.yaml").read_text(encoding="utf-8")
    (cases / "check.yaml").write_text(
        text.replace("verdict: ok", "verdict: block", 1), encoding="utf-8"
    )
    assert main(argv) == 1
    assert "回归：chk-pass" in capsys.readouterr().out
    failure = next(
        c
        for c in ET.parse(out / "junit.xml").getroot().iter("testcase")
        if c.get("name") == "chk-pass"
    ).find("failure")
    assert failure.get("message").startswith("[REGRESSION]")


def test_live_and_record_need_a_key(capsys, monkeypatch):
    from assistant.cli import main

    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    for mode in ("live", "record"):
        assert main(["eval", "--mode", mode]) == 2
        assert "OPENAI_API_KEY" in capsys.readouterr().err


def test_update_baseline_refuses_a_partial_run(tmp_path, capsys):
    from assistant.cli import main

    assert (
        main(
            [
                "eval",
                "--filter",
                "red_packet",
                "--update-baseline",
                "--baseline",
                str(tmp_path / "b.json"),
            ]
        )
        == 2
    )
    assert not (tmp_path / "b.json").exists()


def test_replay_miss_fails_the_case_without_network(tmp_path):
    recorded = tmp_path / "recorded"
    recorded.mkdir()
    shutil.copy(RECORDED_DIR / "fixtures.yaml", recorded)  # the manifest, but no replies
    result = run(tag="rw-001@replay", recorded_dir=recorded)
    (item,) = result.items
    assert not item.passed and "replay miss" in item.reasons[0]
    assert item.got["backend"] == "offline"


def test_repeat_runs_each_case_n_times():
    result = run(tag="rw-002", repeat=3)
    assert {i.id for i in result.items} == {"rw-002", "rw-002@replay"}
    assert all(len(i.latency_ms) == 3 and i.passed for i in result.items)


def test_diff_of_a_blind_rewrite_item_without_facts():
    """Blind rewrite items expect only named checks; a failing one must still render (CI crashed)."""
    from assistant.evaluation.reports import diff
    from assistant.evaluation.runner import Item

    item = Item(
        id="wb-x",
        case="wb-x",
        type="rewrite",
        group="rewrite_blind",
        tags=[],
        expected={"checks": ["facts_kept"]},
        got={"facts_kept": ["明天"], "structure": {"title": True}},
        reasons=["facts_kept: 遗漏"],
    )
    lines = diff(item)
    assert "-facts kept: -" in lines and "+facts kept: 明天" in lines
    assert "+structure: title" in lines
