"""The `check` and `explain` CLI contract of DESIGN.md, driven as users and other tools drive it:
a subprocess, bytes in, JSON or a report out, and the exit code (0 ok, 1 revise/block, 2 bad input).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FINDING_KEYS = {
    "rule",
    "category",
    "severity",
    "start",
    "end",
    "excerpt",
    "message",
    "suggestion",
    "clause",
}
HEAVY_MODULES = ("langchain", "langchain_core", "langchain_openai", "openai", "streamlit", "jinja2")

DIRTY = "明天投票，大家支持一下老张，群里发个包意思一下"  # block: vote buying
REVISE = "群主发个红包呗"  # revise: red packet
CLEAN = "各位同事：明天下午三点在三楼会议室召开防汛工作会议，请准时参加。"


@pytest.fixture(scope="module")
def cli_env(tmp_path_factory):
    env = dict(os.environ)
    env["ASSISTANT_CACHE_DIR"] = str(tmp_path_factory.mktemp("rules-cache"))
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "ASSISTANT_MODEL"):
        env.pop(var, None)
    env["PYTHONIOENCODING"] = "utf-8"
    return env


@pytest.fixture(scope="module")
def run(cli_env):
    def run(*args: str, stdin: bytes | None = None, flags: tuple[str, ...] = ()):
        proc = subprocess.run(
            [sys.executable, *flags, "-m", "assistant", *args],
            check=False,
            cwd=ROOT,
            env=cli_env,
            input=stdin if stdin is not None else b"",
            capture_output=True,
            timeout=120,
        )
        return proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8")

    return run


def write(tmp_path: Path, content: str | bytes, name: str = "msg.txt") -> str:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_bytes(content.encode("utf-8"))
    else:
        path.write_bytes(content)
    return str(path)


def assert_contract(payload: dict, text: str) -> None:
    """The exact JSON shape, and spans that index the text as decoded from the input."""
    assert set(payload) == {"verdict", "findings"}
    assert payload["verdict"] in {"ok", "revise", "block"}
    for f in payload["findings"]:
        assert set(f) == FINDING_KEYS
        assert f["severity"] in {"info", "revise", "block"}
        assert all(isinstance(f[k], str) for k in FINDING_KEYS - {"start", "end"})
        assert isinstance(f["start"], int) and isinstance(f["end"], int)
        assert 0 <= f["start"] <= f["end"] <= len(text)
        assert text[f["start"] : f["end"]] == f["excerpt"]
    severities = {f["severity"] for f in payload["findings"]}
    expected = "block" if "block" in severities else "revise" if "revise" in severities else "ok"
    assert payload["verdict"] == expected


def check_json(run, tmp_path, text: str, *options: str):
    code, out, err = run("check", write(tmp_path, text), "--json", *options)
    lines = out.splitlines()
    assert len(lines) == 1, (out, err)
    payload = json.loads(lines[0])
    assert_contract(payload, text)
    return code, payload


# --- --json: shape, exit codes, spans -------------------------------------------------------


def test_block_message_json_shape_and_exit_1(run, tmp_path):
    code, payload = check_json(run, tmp_path, DIRTY)
    assert code == 1
    assert payload["verdict"] == "block"
    first = payload["findings"][0]
    assert first["category"] == "vote_buying"
    assert first["clause"]


def test_revise_message_exits_1(run, tmp_path):
    code, payload = check_json(run, tmp_path, REVISE)
    assert (code, payload["verdict"]) == (1, "revise")
    assert [f["category"] for f in payload["findings"]] == ["red_packet"]


def test_clean_message_exits_0_with_no_findings(run, tmp_path):
    code, payload = check_json(run, tmp_path, CLEAN)
    assert code == 0
    assert payload == {"verdict": "ok", "findings": []}


@pytest.mark.parametrize(
    "case",
    [
        ("群主发个红\u200b包呗", "work_group", "red_packet", "红\u200b包"),
        ("\u200b\u200d\ufeff群主发个红包呗", "work_group", "red_packet", "红包"),
        ("群主发个ＨＯＮＧＢＡＯ呗", "work_group", "red_packet", "ＨＯＮＧＢＡＯ"),
        ("网传超市有人抢小孩，快轉！", "friends_group", "rumor", None),
        ("據說張科長有外遇", "friends_group", "gossip", "據說張科長有外遇"),
        ("这个政策 瞎 搞，早晚出事", "work_group", "political_commentary", "这个政策 瞎 搞"),
        ("😂🎉 会议纪要机*密，仅供参考", "private", "secret", "机*密"),
        ("𠀋𠀋身份证：１１０１０５１９４９１２３１００２Ｘ", "moments", "privacy", None),
        ("第一行\r\n报名信息：李四 110105\u200b19491231\u200b002X", "work_group", "privacy", None),
        ("e\u0301e\u0301 你真牛 逼", "work_group", "vulgar", "牛 逼"),
    ],
    ids=[
        "zero-width",
        "leading-invisibles",
        "full-width",
        "traditional",
        "traditional-gossip",
        "spaces",
        "emoji-before",
        "astral-and-full-width-digits",
        "crlf-and-zero-width-digits",
        "combining-marks-before",
    ],
)
def test_spans_index_the_original_text(run, tmp_path, case):
    text, channel, category, excerpt = case
    _, payload = check_json(run, tmp_path, text, "--channel", channel)
    hits = [f for f in payload["findings"] if f["category"] == category]
    assert hits, payload
    if excerpt is not None:
        assert excerpt in [f["excerpt"] for f in hits]


def test_stdin_dash_and_omitted_file_read_standard_input(run):
    for args in (("check", "-", "--json"), ("check", "--json")):
        code, out, _ = run(*args, stdin=REVISE.encode())
        payload = json.loads(out)
        assert_contract(payload, REVISE)
        assert (code, payload["verdict"]) == (1, "revise")


def test_gb18030_file_is_accepted(run, tmp_path):
    text = "群主发个紅包呗，今天生日"
    path = write(tmp_path, text.encode("gb18030"), "legacy.txt")
    code, out, err = run("check", path, "--json")
    assert code == 1, err
    payload = json.loads(out)
    assert_contract(payload, text)
    assert [f["excerpt"] for f in payload["findings"]] == ["紅包"]


def test_utf8_bom_is_not_part_of_the_text(run, tmp_path):
    text = "群主发个红包呗"
    path = write(tmp_path, b"\xef\xbb\xbf" + text.encode("utf-8"), "bom.txt")
    code, out, _ = run("check", path, "--json")
    assert code == 1
    payload = json.loads(out)
    assert_contract(payload, text)
    assert (payload["findings"][0]["start"], payload["findings"][0]["end"]) == (4, 6)


def test_exactly_the_cap_is_accepted(run, tmp_path):
    text = "请" * 20_000
    code, out, err = run("check", write(tmp_path, text), "--json")
    assert code == 0, err
    assert json.loads(out)["verdict"] == "ok"


def test_time_channel_and_kind_options(run, tmp_path):
    text = "请各位明早九点前提交材料。"
    code, payload = check_json(run, tmp_path, text, "--time", "23:10")
    assert code == 1
    assert [f["category"] for f in payload["findings"]] == ["off_hours"]
    assert "23:10" in payload["findings"][0]["message"]
    code, payload = check_json(run, tmp_path, text, "--time", "2026-11-24 21:59")
    assert (code, payload["findings"]) == (0, [])
    # Chatter is only off-topic in a work group.
    code, payload = check_json(
        run, tmp_path, "今晚斗地主三缺一，谁来", "--channel", "friends_group"
    )
    assert (code, payload["verdict"]) == (0, "ok")
    # Format rules apply only to official messages: 「收到」 is fine as a reply.
    code, payload = check_json(run, tmp_path, "收到")
    assert (code, payload["verdict"]) == (0, "ok")
    code, payload = check_json(run, tmp_path, "明天开会", "--kind", "notice")
    assert code == 1
    assert {"missing_salutation", "missing_signature"} <= {
        f["category"] for f in payload["findings"]
    }


# --- bad input: exit 2, a message on stderr, nothing on stdout --------------------------------


def test_a_file_at_the_cap_with_its_final_newline_is_accepted(run, tmp_path):
    code, payload = check_json(run, tmp_path, "好" * 20_000 + "\n")
    assert code == 0 and payload["verdict"] == "ok"


@pytest.mark.parametrize(
    ("content", "options", "stderr_has"),
    [
        (b"", (), "为空"),
        (" \n\t\u3000\n".encode(), (), "为空"),
        (("好" * 20_001).encode(), (), "20,000"),
        (("好" * 19_999 + "\n\n\n").encode(), (), "过长"),
        (b"abc\xff\xfe", (), "UTF-8"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", (), "NUL"),
        ("群主发个红包呗".encode(), ("--time", "25:99"), "发送时间"),
        ("群主发个红包呗".encode(), ("--time", "明早"), "发送时间"),
        ("群主发个红包呗".encode(), ("--time", "2026-13-01 10:00"), "发送时间"),
        ("群主发个红包呗".encode(), ("--channel", "weibo"), "--channel"),
        ("群主发个红包呗".encode(), ("--kind", "poem"), "--kind"),
    ],
    ids=[
        "empty",
        "whitespace",
        "over-cap",
        "over-cap-by-newlines",
        "invalid-utf8",
        "binary-nul",
        "bad-time",
        "bad-time-words",
        "bad-date",
        "bad-channel",
        "bad-kind",
    ],
)
def test_bad_input_exits_2_without_a_verdict(run, tmp_path, content, options, stderr_has):
    code, out, err = run("check", write(tmp_path, content), "--json", *options)
    assert code == 2
    assert out.strip() == ""
    assert "verdict" not in out
    assert stderr_has in err
    assert "Traceback" not in err


def test_over_cap_message_gives_the_numbers(run, tmp_path):
    code, out, err = run("check", write(tmp_path, "好" * 20_001))
    assert code == 2
    assert out == ""
    assert "20,001" in err
    assert "20,000" in err


def test_missing_file_exits_2(run, tmp_path):
    missing = str(tmp_path / "no-such-draft.txt")
    code, out, err = run("check", missing, "--json")
    assert (code, out) == (2, "")
    assert "no-such-draft.txt" in err
    assert "Traceback" not in err


def test_bad_input_from_stdin_exits_2(run):
    code, out, err = run("check", "-", "--json", stdin=b"\x00\x01binary")
    assert (code, out) == (2, "")
    assert "NUL" in err


# --- --jsonl: one result per line, bad lines become error objects ------------------------------


def test_jsonl_one_result_per_line_and_bad_lines_do_not_stop_the_run(run, tmp_path):
    lines = [
        json.dumps({"id": "a", "text": REVISE}, ensure_ascii=False),
        '{"id": "b", "text": "没有结尾的 JSON"',
        json.dumps({"id": "c", "text": "   "}),
        json.dumps(["not", "an", "object"]),
        json.dumps("just a string"),
        json.dumps(
            {"id": "d", "text": "请各位明早九点前提交材料。", "time": "23:10"}, ensure_ascii=False
        ),
        json.dumps({"id": "e", "text": "请提交材料。", "time": "晚上"}, ensure_ascii=False),
        json.dumps({"id": "f", "text": "请提交材料。", "channel": "weibo"}, ensure_ascii=False),
        json.dumps({"id": "g"}),
        json.dumps({"id": "h", "text": 42}),
        json.dumps({"id": "i", "text": "好" * 20_001}, ensure_ascii=False),
        json.dumps(
            {"id": 7, "text": "今晚斗地主三缺一，谁来", "channel": "friends_group"},
            ensure_ascii=False,
        ),
        json.dumps({"id": "k", "text": "群主发个红\u200b包呗"}, ensure_ascii=False),
        json.dumps({"id": "l", "text": CLEAN}, ensure_ascii=False),
    ]
    raw = "\n".join(lines).encode("utf-8") + b'\n{"id": "m", "text": "\xff\xfe"}\n'
    raw += json.dumps({"id": "n", "text": DIRTY}, ensure_ascii=False).encode() + b"\n"
    code, out, err = run("check", "--jsonl", write(tmp_path, raw, "batch.jsonl"))
    results = [json.loads(line) for line in out.splitlines()]
    assert len(results) == 16, (out, err)
    assert code == 2  # some lines were bad input

    texts = {}
    for line in lines:
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        if isinstance(obj, dict) and isinstance(obj.get("text"), str):
            texts[obj["id"]] = obj["text"]
    texts["n"] = DIRTY

    errors = {1: None, 2: "c", 3: None, 4: None, 6: "e", 7: "f", 8: "g", 9: "h", 10: "i", 14: None}
    for n, result in enumerate(results):
        if n in errors:
            assert set(result) == {"id", "line", "error"}, result
            assert result["id"] == errors[n]
            assert result["line"] == n + 1
            assert result["error"]
            continue
        assert set(result) == {"verdict", "findings", "id"}, result
        body = {k: v for k, v in result.items() if k != "id"}
        assert_contract(body, texts[result["id"]])

    by_id = {r["id"]: r for r in results if "verdict" in r}
    assert by_id["a"]["verdict"] == "revise"
    assert [f["category"] for f in by_id["d"]["findings"]] == ["off_hours"]
    assert by_id[7]["verdict"] == "ok"  # per-line channel honoured
    assert by_id["k"]["findings"][0]["excerpt"] == "红\u200b包"
    assert by_id["l"] == {"verdict": "ok", "findings": [], "id": "l"}
    assert by_id["n"]["verdict"] == "block"  # lines after a bad one still run
    assert "20,000" in results[10]["error"]


def test_jsonl_answers_every_line_even_blank_ones_but_not_trailing_ones(run, tmp_path):
    raw = "\n".join(
        [
            json.dumps({"id": 1, "text": CLEAN}, ensure_ascii=False),
            "",
            "   ",
            "{broken",
            json.dumps({"id": 2, "text": CLEAN}, ensure_ascii=False),
            "",
            "",
        ]
    )
    code, out, _ = run("check", "--jsonl", write(tmp_path, raw, "blank.jsonl"))
    results = [json.loads(line) for line in out.splitlines()]
    assert [r.get("id") for r in results] == [1, None, None, None, 2]
    assert [r.get("line") for r in results[1:4]] == [2, 3, 4]
    assert "为空" in results[1]["error"] and "JSON" in results[3]["error"]
    assert code == 2


def test_jsonl_exit_code_follows_the_worst_verdict(run, tmp_path):
    clean = json.dumps({"id": 1, "text": CLEAN}, ensure_ascii=False)
    dirty = json.dumps({"id": 2, "text": DIRTY}, ensure_ascii=False)
    code, out, _ = run("check", "--jsonl", write(tmp_path, clean + "\n" + clean, "ok.jsonl"))
    assert (code, len(out.splitlines())) == (0, 2)
    code, out, _ = run("check", "--jsonl", write(tmp_path, clean + "\n" + dirty, "bad.jsonl"))
    assert (code, len(out.splitlines())) == (1, 2)


def test_jsonl_from_stdin_and_defaults_from_options(run):
    line = json.dumps({"id": "x", "text": "请各位明早九点前提交材料。"}, ensure_ascii=False)
    code, out, _ = run("check", "--jsonl", "-", "--time", "23:10", stdin=line.encode())
    result = json.loads(out)
    assert result["id"] == "x"
    assert [f["category"] for f in result["findings"]] == ["off_hours"]
    assert code == 1


def test_jsonl_missing_file_exits_2(run, tmp_path):
    code, out, err = run("check", "--jsonl", str(tmp_path / "none.jsonl"))
    assert (code, out) == (2, "")
    assert "none.jsonl" in err


# --- the human-readable report -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "label", "code"),
    [(DIRTY, "不要发", 1), (REVISE, "修改后再发", 1), (CLEAN, "可以发", 0)],
    ids=["block", "revise", "ok"],
)
def test_human_report_shows_verdict_span_and_clause(run, tmp_path, text, label, code):
    got, out, err = run("check", write(tmp_path, text))
    assert got == code, err
    assert f"结论：{label}" in out
    if code == 0:
        return
    _, payload = check_json(run, tmp_path, text)
    for f in payload["findings"]:
        assert f["clause"] in out
        assert f["rule"] in out
        assert f["excerpt"] in out
    first = payload["findings"][0]
    # Spans are marked in place (no colour when stdout is not a terminal).
    assert f"【{first['excerpt']}" in out


# --- explain -----------------------------------------------------------------------------------


def test_explain_prints_every_section(run):
    code, out, _ = run("explain", "red-packet")
    assert code == 0
    for section in ("## 查什么", "## 为什么", "## 错误示例", "## 正确示例"):
        assert section in out
    assert out.index("## 查什么") < out.index("## 为什么") < out.index("## 错误示例")
    assert "principle-7" in out


def test_explain_unknown_rule_exits_2(run):
    code, out, err = run("explain", "no-such-rule")
    assert (code, out) == (2, "")
    assert "no-such-rule" in err


def test_explain_lists_rules_without_an_id(run):
    code, out, _ = run("explain")
    assert code == 0
    assert "red-packet" in out and "secret-classified" in out


def test_every_rule_explains_itself():
    from assistant.engine.loader import load_rule_set
    from assistant.explain import explain

    for rule in load_rule_set().rules:
        text = explain(rule.id)
        assert text is not None
        for section in ("## 查什么", "## 为什么", "## 错误示例", "## 正确示例"):
            assert section in text, rule.id
        assert rule.clause in text


# --- start-up: check never pays for the rewrite stack ------------------------------------------


@pytest.mark.parametrize("mode", ["file", "jsonl"])
def test_check_does_not_import_the_model_stack(run, tmp_path, mode):
    if mode == "file":
        args = ("check", write(tmp_path, DIRTY), "--json")
    else:
        line = json.dumps({"id": 1, "text": DIRTY}, ensure_ascii=False)
        args = ("check", "--jsonl", write(tmp_path, line, "one.jsonl"))
    code, out, err = run(*args, flags=("-X", "importtime"))
    assert code == 1
    assert json.loads(out.splitlines()[0])["verdict"] == "block"
    imported = {
        line.rsplit("|", 1)[1].strip()
        for line in err.splitlines()
        if line.startswith("import time:")
    }
    assert "assistant.engine.checker" in imported  # the probe itself works
    heavy = sorted(m for m in imported if m.split(".")[0] in HEAVY_MODULES)
    assert heavy == []


def test_no_rule_explains_itself_with_a_placeholder(run):
    from assistant.engine.loader import load_rule_set
    from assistant.explain import explain

    for rule in load_rule_set().rules:
        text = explain(rule.id)
        assert "{" not in text.replace("{", "", 0) or not __import__("re").search(
            r"\{\w+\}", text
        ), rule.id
