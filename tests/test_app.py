"""The page: Streamlit AppTest runs of app.py for each task and each error, and unit tests of the
page's view model (`assistant.page_model`)."""

from __future__ import annotations

import re
from datetime import date, time
from pathlib import Path

import pytest

import assistant
from assistant import page_model as pm
from assistant.inputs import MAX_CHARS
from assistant.models import Category, Channel, Finding, Kind, Report, Severity, Verdict

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
DRAFT = "在吗各位，明天26号下午三点三楼第二会议室开防汛会，带材料5份😂😂😂，别忘了啊"
LABELS = {"可以发", "修改后再发", "不要发"}
_CARD = re.compile(r'class="verdict-card[^"]*"[^>]*>([^<]*)</div>')


# --- AppTest ------------------------------------------------------------------------------------


@pytest.fixture
def at():
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(APP, default_timeout=120)
    app.run()
    assert not app.exception
    # A fixed working-day morning: verdicts must not depend on when the suite runs.
    app.checkbox(key="send_now").uncheck().run()
    app.date_input(key="send_date").set_value(date(2026, 11, 24))
    app.time_input(key="send_time").set_value(time(10, 0)).run()
    assert not app.exception
    return app


def _html(app) -> str:
    return "\n".join(m.value for m in app.markdown)


def _cards(app) -> list[str]:
    return _CARD.findall(_html(app))


def _click(app, key: str):
    app.button(key=key).click().run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def test_page_opens_with_offline_backend_and_force_offline_switch(at):
    assert at.title[0].value == "公务消息助手"
    texts = [t.value for t in at.sidebar.text]
    assert "离线改写（未配置模型）" in texts
    at.toggle(key="force_offline").set_value(True).run()
    assert "离线改写（已强制离线）" in [t.value for t in at.sidebar.text]
    assert [b.label for b in at.button][:2] == ["检查", "改写"]


def test_check_shows_verdict_card_highlight_and_findings(at):
    at.text_area(key="draft").input(DRAFT)
    _click(at, "check_button")
    cards = _cards(at)
    assert len(cards) == 1 and cards[0] in LABELS
    assert cards[0] == "修改后再发"
    html = _html(at)
    assert 'data-verdict="revise"' in html
    assert '<mark class="finding-span severity-revise"' in html  # spans highlighted in the draft
    assert "😂😂😂</mark>" in html
    assert "空泛开场" in html and "依据：" in html and "建议：" in html
    assert not at.error
    # the draft survives the rerun, and the next one
    assert at.text_area(key="draft").value == DRAFT
    at.run()
    assert at.text_area(key="draft").value == DRAFT and _cards(at) == ["修改后再发"]


def test_check_block_and_ok(at):
    at.text_area(key="draft").input("明天投票，大家支持一下老张，群里发个包意思一下")
    _click(at, "check_button")
    assert _cards(at) == ["不要发"]
    at.text_area(key="draft").input("收到")
    at.selectbox(key="kind").set_value(pm.PLAIN_KIND_LABEL)
    _click(at, "check_button")
    assert _cards(at) == ["可以发"]
    assert "没有发现问题" in " ".join(c.value for c in at.caption)


def test_check_never_renders_user_html(at):
    at.text_area(key="draft").input(
        "<script>alert(1)</script><img src=x onerror=alert(2)>\n\n# 标题 **粗** 😂😂😂"
    )
    _click(at, "check_button")
    html = _html(at)
    assert "<script" not in html and "<img" not in html and "onerror=alert" not in html
    assert "&#60;script&#62;" in html
    assert _cards(at)[0] in LABELS


def test_rewrite_shows_message_backend_facts_and_diff(at):
    at.text_area(key="draft").input(DRAFT)
    at.text_input(key="sender").input("办公室 王敏")
    _click(at, "rewrite_button")
    assert not at.error, [e.value for e in at.error]
    message = at.code[0].value
    assert "特此通知" in message and message.rstrip().endswith("办公室 王敏")
    assert "26号" in message and "5份" in message
    texts = " ".join(t.value for t in at.text)
    assert "离线改写（offline）" in texts
    assert _cards(at) and _cards(at)[0] in LABELS  # the re-check verdict
    html = _html(at)
    assert 'class="facts"' in html and "保留" in html
    assert "<del" in html and "<ins" in html  # the inline diff
    assert at.code[1].language == "diff" and "+++ 改写稿" in at.code[1].value
    # the signature is remembered for the session
    at.run()
    assert at.text_input(key="sender").value == "办公室 王敏"


def test_chat_question_gets_verdict_reasons_and_offer_to_rewrite(at):
    at.text_input(key="sender").input("办公室 王敏")
    at.selectbox(key="channel").set_value("私聊")
    at.chat_input(key="chat_question").set_value("这条能发群里吗？「" + DRAFT + "」").run()
    assert not at.exception
    html = _html(at)
    assert "按你问的「工作群」判断" in html
    cards = _cards(at)
    assert cards == ["修改后再发"]
    assert "表情过多" in html
    offer = at.button(key="chat_rewrite_0")
    assert offer.label == "帮我改写这条"
    _click(at, "chat_rewrite_0")
    assert at.text_area(key="draft").value == DRAFT
    assert at.selectbox(key="channel").value == "工作群"  # the channel the question named
    assert "特此通知" in at.code[0].value


def test_chat_question_without_text_asks_about_the_draft(at):
    at.chat_input(key="chat_question").set_value("这条能发群里吗？").run()
    assert at.error[0].value == pm.CHAT_NEEDS_TEXT
    at.text_area(key="draft").input("明天投票，大家支持一下老张，群里发个包意思一下")
    at.chat_input(key="chat_question").set_value("这条能发群里吗？").run()
    assert _cards(at) == ["不要发"]
    assert "拉票贿选" in _html(at) or "收送红包" in _html(at)


def test_empty_draft_gives_chinese_error_not_exception(at):
    _click(at, "check_button")
    assert at.error[0].value.startswith("内容为空")
    _click(at, "rewrite_button")
    assert all(e.value.startswith("内容为空") for e in at.error)
    assert not at.exception


def test_overlong_draft_gives_the_cap_message(at):
    at.text_area(key="draft").input("开" * (MAX_CHARS + 1))
    _click(at, "check_button")
    error = at.error[0].value
    assert error.startswith("内容过长") and f"{MAX_CHARS:,}" in error
    assert not _cards(at)


def test_rewrite_without_signature_says_so(at):
    at.text_area(key="draft").input(DRAFT)
    _click(at, "rewrite_button")
    assert "署名" in at.error[0].value


def test_unexpected_failure_is_a_chinese_message_not_a_trace(at, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(assistant, "rewrite", broken)
    at.text_area(key="draft").input(DRAFT)
    at.text_input(key="sender").input("办公室")
    _click(at, "rewrite_button")
    assert at.error[0].value.startswith("改写时出错了（RuntimeError）")
    assert "Traceback" not in at.error[0].value


# --- page_model ---------------------------------------------------------------------------------


def _finding(start: int, end: int, severity=Severity.revise, category=Category.emoji_overuse):
    return Finding(
        rule="r",
        category=category,
        severity=severity,
        start=start,
        end=end,
        excerpt="",
        message="m",
        suggestion="s",
        clause="guide-6",
    )


def test_verdict_labels_and_colours():
    assert [pm.verdict_label(v) for v in Verdict] == ["可以发", "修改后再发", "不要发"]
    colours = pm.VERDICT_COLOUR_NAMES
    assert [colours[v] for v in Verdict] == ["green", "amber", "red"]
    assert len({p.border for p in pm.VERDICT_PALETTE.values()}) == 3
    for v in Verdict:
        card = pm.verdict_card_html(v)
        assert _CARD.findall(card) == [pm.verdict_label(v)]
        assert pm.VERDICT_PALETTE[v].border in card


def test_options_map_to_library_values():
    assert pm.CHANNEL_OPTIONS == ["工作群", "朋友圈", "私聊", "亲友群", "短信"]
    assert [pm.channel_of(label) for label in pm.CHANNEL_OPTIONS] == list(Channel)
    assert pm.KIND_OPTIONS == ["通知", "请示", "提醒", "回复", "不按公文格式"]
    assert pm.check_kind("不按公文格式") is None and pm.check_kind("请示") is Kind.request
    assert pm.rewrite_kind("不按公文格式") is Kind.notice and pm.rewrite_kind("回复") is Kind.reply


def test_escape_text_makes_html_and_markdown_inert():
    out = pm.escape_text('<b onclick="x">&</b>\n\n# *a* $x$ :red[y] `z`')
    assert (
        "<b " not in out
        and "</b>" not in out
        and '"' not in out
        and "*" not in out
        and "$" not in out
    )
    assert "\n" not in out and out.count("<br>") == 2
    assert "&#60;b onclick&#61;&#34;x&#34;&#62;&#38;" in out


def test_highlight_marks_spans_and_places_markers():
    text = "在吗各位😂😂😂"
    findings = [
        _finding(0, 0, category=Category.missing_salutation),
        _finding(0, 2, category=Category.empty_ping),
        _finding(4, 7, Severity.block),
        _finding(7, 7, category=Category.missing_signature),
    ]
    out = pm.highlight_html(text, findings)
    assert out.index("①") < out.index("在吗")
    assert '<mark class="finding-span severity-revise"' in out and "在吗</mark>" in out
    assert '<mark class="finding-span severity-block"' in out and "😂😂😂</mark>" in out
    visible = re.sub(r"<[^>]*>", "", out)  # the text as shown: markers inline, no tooltips
    assert visible == "①在吗②各位😂😂😂③④"
    assert out.count("<mark") == 2  # 各位 is not marked


def test_highlight_overlap_takes_the_worst_severity_and_escapes():
    text = "<i>坏</i>"
    out = pm.highlight_html(text, [_finding(0, 8), _finding(3, 4, Severity.block)])
    assert "<i>" not in out
    assert '<mark class="finding-span severity-block"' in out
    assert out.count("<mark") == 3  # split at the inner span's edges


def test_where_and_finding_views_use_clauses():
    text = "在吗各位"
    report = Report(
        verdict=Verdict.revise,
        findings=[
            _finding(0, 0).model_copy(update={"category": Category.missing_salutation}),
            _finding(0, 2).model_copy(update={"excerpt": "在吗"}),
            _finding(4, 4),
            _finding(0, 4),
            _finding(1, 1),
        ],
    )
    views = pm.finding_views(report, text, {"guide-6": ("表情", "少用表情。")})
    assert [v.where for v in views] == ["开头", "「在吗」", "结尾", "整条消息", "第 2 字处"]
    assert views[0].category == "缺少称谓" and views[1].severity == "需修改"
    assert views[1].clause_title == "表情" and views[1].clause_text == "少用表情。"
    card = pm.finding_card_html(views[1])
    assert "依据：表情：少用表情。" in card and "建议：s" in card and "问题：m" in card


def test_finding_card_escapes_the_excerpt():
    view = pm.FindingView(1, "提示", "c", "「<script>」", "m", "x", "", "", "s")
    card = pm.finding_card_html(view)
    assert "<script>" not in card and "依据" not in card


def test_verdict_summary():
    report = Report(
        verdict=Verdict.revise, findings=[_finding(0, 1), _finding(0, 1, Severity.info)]
    )
    line = pm.verdict_summary(report, Channel.moments, "11-24 23:10")
    assert line == "1 处需要处理，1 处提示（按发到「朋友圈」、11-24 23:10 发送判断）"
    assert pm.verdict_summary(Report(verdict=Verdict.ok, findings=[])) == "没有发现问题"


def test_diffs():
    lines = pm.diff_lines("甲\n乙", "甲\n丙\n丁")
    assert lines[:2] == ["--- 原稿", "+++ 改写稿"]
    assert "-乙" in lines and "+丙" in lines and "+丁" in lines and " 甲" in lines
    out = pm.inline_diff_html("在吗各位<b>", "各位同事<b>")
    assert "<del" in out and "在吗</del>" in out and "同事</ins>" in out and "<b>" not in out
    assert pm.inline_diff_html("开" * 5000, "会" * 5000) == ""


def test_facts_html_escapes_and_counts():
    from assistant.rewriting.models import Facts

    out = pm.facts_html(Facts(kept=["26号", "<b>5份</b>"], missing=[], added=["13800000000"]))
    assert "保留（2）" in out and "遗漏（0）：</b>无" in out and "新增（1）" in out
    assert "<b>5份" not in out


def test_backend_labels_and_status(monkeypatch):
    assert pm.backend_label("offline") == "离线改写（offline）"
    assert pm.backend_label("llm:qwen-plus") == "模型改写（qwen-plus）"
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    assert pm.backend_status() == "离线改写（未配置模型）"
    assert pm.backend_status(force_offline=True) == "离线改写（已强制离线）"
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret-value")
    assert "sk-secret-value" not in pm.backend_status()


def test_library_rewrite_stays_callable_after_its_package_is_imported():
    import assistant.rewriting.pipeline

    assert callable(assistant.rewrite)
    result = assistant.rewrite("明天下午三点开会", sender="办公室", offline=True)
    assert result.backend == "offline"
    assert callable(assistant.rewrite)


@pytest.mark.parametrize(
    ("question", "message", "channel"),
    [
        ("这条能发群里吗？明天下午三点开会", "明天下午三点开会", Channel.work_group),
        ("这条能发群里吗？「在吗各位，明天开会」", "在吗各位，明天开会", Channel.work_group),
        ("这条能发朋友圈吗：“周末去爬山”", "周末去爬山", Channel.moments),
        ("明天下午三点开会，这样发工作群行吗？", "明天下午三点开会", Channel.work_group),
        ("明天开会 发群里可以吗", "明天开会", Channel.work_group),
        ("这条短信能发吗\n各位业主：明天停水。", "各位业主：明天停水。", Channel.sms),
        ('能不能发到家族群里 "红包拿来"', "红包拿来", Channel.friends_group),
        ("这个可以私聊发给领导吗？老王家的事你听说了吗", "老王家的事你听说了吗", Channel.private),
        ("帮我看看：「各位同事：明天开会。」", "各位同事：明天开会。", None),
        ("这条能发群里吗？", "", Channel.work_group),
        ("这条 能发群里吗", "", Channel.work_group),
        ("各位同事：明天开会，收到请回复。", "各位同事：明天开会，收到请回复。", None),
        ("请学习中央文件精神", "请学习中央文件精神", None),
        ("“群里的红包别抢”", "群里的红包别抢", None),
        ("   ", "", None),
    ],
)
def test_parse_question(question, message, channel):
    parsed = pm.parse_question(question)
    assert parsed.message == message
    assert parsed.channel == channel


def test_channel_comes_from_the_question_words_not_the_message():
    parsed = pm.parse_question("这样说合适吗？「朋友圈里有人在传谣言」")
    assert parsed.message == "朋友圈里有人在传谣言" and parsed.channel is None


def test_channel_in_and_chat_target():
    assert pm.channel_in("发亲友群") is Channel.friends_group
    assert pm.channel_in("发群里") is Channel.work_group
    assert pm.channel_in("发朋友圈") is Channel.moments
    assert pm.channel_in("问一下") is None
    assert pm.chat_target(pm.ChatQuestion("", None), "  草稿 ") == "草稿"
    assert pm.chat_target(pm.ChatQuestion("消息", None), "草稿") == "消息"


def test_chat_html_is_escaped():
    report = Report(verdict=Verdict.ok, findings=[])
    intro = pm.chat_intro_html(Channel.work_group, True, "<img src=x>")
    assert "<img" not in intro and "按你问的「工作群」" in intro
    assert "没有发现问题" in pm.chat_reasons_html(report, "x", {})


def test_chosen_send_time_is_judged(at):
    at.time_input(key="send_time").set_value(time(23, 30))
    at.text_area(key="draft").input("收到")
    at.selectbox(key="kind").set_value(pm.PLAIN_KIND_LABEL)
    _click(at, "check_button")
    assert _cards(at) == ["修改后再发"]
    assert "发送时间" in _html(at)
    assert any("11-24 23:30 发送判断" in c.value for c in at.caption)
