"""The model backend over real HTTP: the real `openai` client (through langchain-openai) talks to
the loopback fake server of tests/fake_openai.py. Nothing is mocked but the endpoint itself.

Covers LLMBackend's failure mapping (malformed, refused, HTTP 500/429, timeout, no connection) and
the client's bounded retries, the second opinion, the CLI end to end, and that the API key never
shows anywhere but the Authorization header.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from pydantic import SecretStr

from assistant.models import Category, Channel, Report, Severity, Verdict
from assistant.rewriting.llm import BackendError, LLMBackend, backend_for
from assistant.rewriting.models import OfficialMessage
from assistant.rewriting.second_opinion import JudgeReply, second_opinion
from assistant.rewriting.settings import Settings, SettingsError, describe_backend, from_env

if TYPE_CHECKING:
    from fake_openai import FakeOpenAI

pytest_plugins = ["fake_openai"]

ROOT = Path(__file__).resolve().parents[1]
KEY = "sk-test-SECRET-1234"
GOOD = {
    "subject": "关于召开防汛工作会议的通知",
    "salutation": "各位同事",
    "points": ["明天26号下午三点在三楼第二会议室召开防汛工作会议，请带材料5份。"],
    "closing": "特此通知。\n收到请回复，谢谢！",
    "signature": "办公室",
    "date": None,
}
DRAFT = "在吗各位，明天26号下午三点三楼第二会议室开防汛会，带材料5份😂😂，别忘了啊"
MESSAGES = [("system", "只输出 JSON。"), ("human", "改写：明天开会")]


def make_settings(server: FakeOpenAI, **over) -> Settings:
    return server.settings(**{"api_key": SecretStr(KEY), **over})


def call(server: FakeOpenAI, schema=OfficialMessage, **over):
    """One structured call through a fresh backend (never the shared cache)."""
    return LLMBackend(make_settings(server, **over)).structured(schema, MESSAGES)


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


# -- LLMBackend: what goes out, what comes back -----------------------------------------------


def test_good_reply_is_parsed_and_the_request_is_strict_structured_output(fake_openai):
    fake_openai.script(("json", GOOD))
    parsed, raw = call(fake_openai)
    assert isinstance(parsed, OfficialMessage)
    assert parsed.signature == "办公室"
    assert json.loads(raw.content) == GOOD
    assert len(fake_openai.requests) == 1
    body = fake_openai.requests[0]
    assert fake_openai.paths == ["/v1/chat/completions"]
    assert body["model"] == "test-model"
    assert body["temperature"] == 0
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["strict"] is True
    assert body["response_format"]["json_schema"]["name"] == "OfficialMessage"
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    # The key goes to the endpoint as the bearer token, and nowhere else.
    assert fake_openai.auth == [f"Bearer {KEY}"]
    assert KEY not in json.dumps(body)


@pytest.mark.parametrize(
    "step",
    [
        ("raw", "not json {"),
        ("raw", "好的，已经改写完毕。"),
        ("json", {**GOOD, "points": "不是列表"}),
        ("json", {k: v for k, v in GOOD.items() if k != "signature"}),
    ],
    ids=["broken-json", "prose", "wrong-type", "missing-field"],
)
def test_a_reply_that_is_not_the_schema_is_malformed(fake_openai, step):
    fake_openai.script(step)
    with pytest.raises(BackendError) as caught:
        call(fake_openai)
    assert caught.value.failure == "malformed"
    assert "JSON" in caught.value.reason
    assert len(fake_openai.requests) == 1  # a bad reply is not retried by the client


def test_a_malformed_reply_is_kept_for_the_repair_round(fake_openai):
    fake_openai.script(("raw", "not json {"))
    with pytest.raises(BackendError) as caught:
        call(fake_openai)
    assert caught.value.raw is not None
    assert caught.value.raw.content == "not json {"


def test_a_refusal_is_refused(fake_openai):
    fake_openai.script(("refusal", "I can't help with that."))
    with pytest.raises(BackendError) as caught:
        call(fake_openai)
    assert caught.value.failure == "refused"
    assert "拒绝" in caught.value.reason


@pytest.mark.parametrize(("code", "words"), [(500, "HTTP 500"), (503, "HTTP 503"), (429, "429")])
@pytest.mark.parametrize("retries", [0, 2])
def test_server_errors_are_unavailable_after_bounded_retries(fake_openai, code, words, retries):
    fake_openai.script(("status", code))
    with pytest.raises(BackendError) as caught:
        call(fake_openai, max_retries=retries)
    assert caught.value.failure == "unavailable"
    assert words in caught.value.reason
    assert len(fake_openai.requests) == 1 + retries


def test_a_client_error_is_not_retried(fake_openai):
    fake_openai.script(("status", 401))
    with pytest.raises(BackendError) as caught:
        call(fake_openai, max_retries=2)
    assert caught.value.failure == "unavailable"
    assert "HTTP 401" in caught.value.reason
    assert len(fake_openai.requests) == 1


def test_the_client_retries_a_500_and_succeeds(fake_openai):
    fake_openai.script(("status", 500), ("json", GOOD))
    parsed, _ = call(fake_openai, max_retries=1)
    assert parsed.subject == GOOD["subject"]
    assert len(fake_openai.requests) == 2
    assert fake_openai.requests[0] == fake_openai.requests[1]  # the same request, again


def test_a_slow_reply_times_out(fake_openai):
    # The server would answer after a minute; the 0.5 s deadline must end the wait long before.
    fake_openai.script(("sleep", 60, ("json", GOOD)))
    with pytest.raises(BackendError) as caught:
        call(fake_openai, timeout=0.5, max_retries=0)
    assert fake_openai.delivered == 0  # the call gave up while the server still slept
    assert caught.value.failure == "unavailable"
    assert "0.5 秒内没有响应" in caught.value.reason
    assert len(fake_openai.requests) == 1


def test_no_server_is_unavailable():
    backend = LLMBackend(
        Settings(api_key=SecretStr(KEY), base_url=closed_port_url(), timeout=2, max_retries=0)
    )
    with pytest.raises(BackendError) as caught:
        backend.structured(OfficialMessage, MESSAGES)
    assert caught.value.failure == "unavailable"
    assert "无法连接" in caught.value.reason


def test_one_backend_per_configuration_is_reused(fake_openai):
    a, b = make_settings(fake_openai), make_settings(fake_openai)
    assert a is not b
    assert backend_for(a) is backend_for(b)
    assert backend_for(a) is not backend_for(make_settings(fake_openai, timeout=7))
    fake_openai.script(("json", GOOD))
    backend = backend_for(a)
    for _ in range(3):
        backend.structured(OfficialMessage, MESSAGES)
    assert backend.runnable(OfficialMessage) is backend.runnable(OfficialMessage)
    assert len(fake_openai.requests) == 3


# -- the key is never shown ---------------------------------------------------------------------


def test_the_key_never_shows_in_settings_or_the_backend_line(fake_openai):
    settings = make_settings(fake_openai)
    env = {
        "OPENAI_API_KEY": KEY,
        "OPENAI_BASE_URL": fake_openai.url,
        "ASSISTANT_MODEL": "test-model",
        "ASSISTANT_TIMEOUT": "7",
    }
    from_environment = from_env(env)
    assert from_environment is not None
    assert from_environment.api_key.get_secret_value() == KEY
    assert from_environment.timeout == 7
    shown = [
        repr(settings),
        str(settings),
        repr(from_environment),
        str(from_environment),
        settings.model_dump_json(),
        json.dumps(settings.model_dump(mode="json")),
        describe_backend(settings),
        describe_backend(from_environment),
        repr(LLMBackend(settings).chat()),
    ]
    for text in shown:
        assert KEY not in text
        assert "SECRET" not in text
    assert "test-model" in describe_backend(settings)
    assert fake_openai.url.split("//")[1].split("/")[0] in describe_backend(settings)


def test_a_bad_setting_names_the_variable_not_the_key(monkeypatch):
    with pytest.raises(SettingsError) as caught:
        from_env({"OPENAI_API_KEY": KEY, "ASSISTANT_TIMEOUT": "soon"})
    assert "ASSISTANT_TIMEOUT" in str(caught.value)
    assert KEY not in str(caught.value)
    with pytest.raises(SettingsError) as caught:
        from_env({"OPENAI_API_KEY": KEY, "ASSISTANT_TIMEOUT": "9999"})
    assert KEY not in str(caught.value)
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("ASSISTANT_TIMEOUT", "soon")
    line = describe_backend()
    assert line.startswith("离线改写（模型配置有误")
    assert KEY not in line
    assert from_env({"OPENAI_API_KEY": "  "}) is None


def test_json_mode_endpoints_are_parsed_too(fake_openai):
    fake_openai.script(("json", GOOD))
    parsed, _ = call(fake_openai, output_mode="json_mode")
    assert parsed.signature == "办公室"
    assert fake_openai.requests[0]["response_format"] == {"type": "json_object"}
    fake_openai.script(("raw", "not json {"))
    with pytest.raises(BackendError) as caught:
        call(fake_openai, output_mode="json_mode")
    assert caught.value.failure == "malformed"
    assert caught.value.raw.content == "not json {"


# -- the second opinion -------------------------------------------------------------------------

PLAIN = "各位同事：\n明天下午三点在三楼会议室召开防汛工作会议，请准时参加。听说下个月要降工资了。\n特此通知。\n办公室"


def issue(category: str, excerpt: str, severity: str = "revise") -> dict:
    return {
        "category": category,
        "excerpt": excerpt,
        "reason": "疑似传播未经证实的消息",
        "severity": severity,
    }


def test_a_verbatim_model_issue_raises_the_verdict(fake_openai, engine):
    report = engine.check(PLAIN, channel=Channel.work_group, kind="notice")
    assert report.verdict == Verdict.ok
    fake_openai.script(("json", {"issues": [issue("rumor", "听说下个月要降工资了")]}))
    opinion = second_opinion(
        PLAIN, report, kind="notice", settings=make_settings(fake_openai), engine=engine
    )
    assert opinion.status == "done"
    assert opinion.backend == "llm:test-model"
    assert opinion.report.verdict == Verdict.revise
    [added] = opinion.added
    assert added.rule == "model/rumor"
    assert added.category is Category.rumor
    assert PLAIN[added.start : added.end] == "听说下个月要降工资了"
    assert added.clause  # cited like any rule
    assert "补充了 1 个问题" in opinion.note
    assert len(fake_openai.requests) == 1
    schema = fake_openai.requests[0]["response_format"]["json_schema"]
    assert schema["name"] == JudgeReply.__name__


def test_an_issue_that_is_not_a_quote_is_dropped(fake_openai, engine):
    report = engine.check(PLAIN, channel=Channel.work_group, kind="notice")
    fake_openai.script(("json", {"issues": [issue("rumor", "工资下个月要降")]}))
    opinion = second_opinion(PLAIN, report, settings=make_settings(fake_openai), engine=engine)
    assert opinion.status == "done"
    assert opinion.added == []
    assert opinion.report.verdict == Verdict.ok
    assert "无法在原文中定位" in opinion.note


def test_a_rule_block_is_never_cleared(fake_openai, engine):
    text = "各位：这是机密文件的内容，大家先看看。\n办公室"
    report = engine.check(text, channel=Channel.work_group)
    assert report.verdict == Verdict.block
    fake_openai.script(("json", {"issues": []}))
    opinion = second_opinion(text, report, settings=make_settings(fake_openai), engine=engine)
    assert opinion.report.verdict == Verdict.block
    assert len(fake_openai.requests) == 0  # and the secret never left

    text = "大家抢红包啦，手气最佳的请客"
    report = engine.check(text, channel=Channel.work_group)
    blocking = Report(
        verdict=Verdict.block,
        findings=[f.model_copy(update={"severity": Severity.block}) for f in report.findings],
    )
    opinion = second_opinion(text, blocking, settings=make_settings(fake_openai), engine=engine)
    assert opinion.status == "done"
    assert len(fake_openai.requests) == 1
    assert opinion.report.verdict == Verdict.block
    assert opinion.report.findings == blocking.findings


def test_offline_the_second_opinion_is_skipped_and_says_so(monkeypatch, engine):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    report = engine.check(PLAIN, channel=Channel.work_group)
    opinion = second_opinion(PLAIN, report, engine=engine)
    assert opinion.status == "skipped"
    assert opinion.backend == "offline"
    assert "未配置模型" in opinion.note
    assert opinion.report is report


def test_a_secret_message_is_not_sent_for_a_second_opinion(fake_openai, engine):
    text = "这是机密文件的内容，大家看看"
    report = engine.check(text, channel=Channel.work_group)
    fake_openai.script(("json", {"issues": []}))
    opinion = second_opinion(text, report, settings=make_settings(fake_openai), engine=engine)
    assert opinion.status == "skipped"
    assert "涉密" in opinion.note
    assert fake_openai.requests == []


def test_the_second_opinion_masks_personal_data_and_maps_it_back(fake_openai, engine):
    text = "各位：有事找老王13912345678，他说领导要被抓了。\n办公室"
    report = engine.check(text, channel=Channel.work_group)
    fake_openai.script(("json", {"issues": [issue("rumor", "[电话1]，他说领导要被抓了")]}))
    opinion = second_opinion(text, report, settings=make_settings(fake_openai), engine=engine)
    sent = "".join(fake_openai.request_texts())
    assert "13912345678" not in sent
    assert "[电话1]" in sent
    [added] = opinion.added
    assert added.excerpt == "13912345678，他说领导要被抓了"
    assert text[added.start : added.end] == added.excerpt


def test_a_failed_second_opinion_keeps_the_rules_verdict(fake_openai, engine):
    report = engine.check(PLAIN, channel=Channel.work_group)
    fake_openai.script(("status", 500))
    opinion = second_opinion(PLAIN, report, settings=make_settings(fake_openai), engine=engine)
    assert opinion.status == "failed"
    assert "HTTP 500" in opinion.note
    assert opinion.report is report


# -- the CLI, end to end, in a subprocess -------------------------------------------------------


def run_cli(server: FakeOpenAI, *args: str, draft: str = DRAFT) -> subprocess.CompletedProcess:
    from fake_openai import cli_env

    env = cli_env(server, key=KEY)
    return subprocess.run(
        [sys.executable, "-m", "assistant", "rewrite", *args],
        input=draft.encode("utf-8"),
        capture_output=True,
        cwd=ROOT,
        env=env,
        timeout=60,
        check=False,
    )


def test_cli_rewrite_json_through_the_model(fake_openai):
    fake_openai.script(("json", GOOD))
    done = run_cli(
        fake_openai, "--json", "--sender", "办公室", "--audience", "各位同事", "--important"
    )
    out, err = done.stdout.decode("utf-8"), done.stderr.decode("utf-8")
    assert done.returncode == 0, err
    result = json.loads(out)
    assert result["backend"] == "llm:test-model"
    assert result["attempts"] == 1
    assert result["report"]["verdict"] == "ok"
    assert result["facts"]["missing"] == [] and result["facts"]["added"] == []
    assert "5份" in result["message"]
    assert set(result) >= {"message", "title", "backend", "attempts", "report", "facts"}
    assert len(fake_openai.requests) == 1
    assert fake_openai.auth == [f"Bearer {KEY}"]
    assert KEY not in out and KEY not in err
    assert "SECRET" not in out + err


def test_cli_rewrite_text_names_the_backend_not_the_key(fake_openai):
    fake_openai.script(("status", 500))
    done = run_cli(fake_openai, "--sender", "办公室", "--audience", "各位同事")
    out, err = done.stdout.decode("utf-8"), done.stderr.decode("utf-8")
    assert "模型 test-model @ 127.0.0.1:" in out
    assert "后端：offline" in out
    assert "HTTP 500" in out
    assert len(fake_openai.requests) == 1  # ASSISTANT_MAX_RETRIES=0, no repair after a 500
    assert KEY not in out and KEY not in err
    assert "SECRET" not in out + err
