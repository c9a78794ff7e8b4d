"""The Streamlit page: `streamlit run app.py` (see `make run`).

Thin by design (DESIGN.md): widgets, session state and layout only. Checking and rewriting are the
library's (`assistant.check`, `assistant.rewrite`); every decision about what to show — labels,
colours, the highlighted draft, the diff, reading a chat question — is in `assistant.page_model`,
which is unit-tested without a browser. User text reaches HTML only through `page_model`'s
escaping builders; everything else goes through `st.code` / `st.text`.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import streamlit as st

import assistant
from assistant import page_model as pm
from assistant.inputs import InputError, validate_text
from assistant.sendtime import now_local

log = logging.getLogger("assistant.page")

st.set_page_config(page_title="公务消息助手", page_icon="📨", layout="wide")

_DEFAULTS: dict[str, Any] = {
    "draft": "",
    "channel": pm.CHANNEL_OPTIONS[0],
    "kind": pm.KIND_OPTIONS[0],
    "audience": "",
    "sender": "",
    "important": False,
    "send_now": True,
    "force_offline": False,
}
for _key, _value in _DEFAULTS.items():
    st.session_state.setdefault(_key, _value)
st.session_state.setdefault("chat", [])
st.session_state.setdefault("check_result", None)
st.session_state.setdefault("rewrite_result", None)
ss = st.session_state


@st.cache_resource(show_spinner=False)
def _clauses() -> dict[str, tuple[str, str]]:
    from assistant.engine.checker import default_engine

    return default_engine().compiled.clauses


def _html(fragment: str) -> None:
    st.markdown(fragment, unsafe_allow_html=True)


def _when() -> datetime:
    if ss.send_now:
        return now_local()
    return datetime.combine(ss.send_date, ss.send_time)


def _failure(action: str, exc: Exception) -> str:
    if isinstance(exc, InputError):
        return str(exc)
    log.exception("%s failed", action)
    hint = "可以在左侧打开「强制离线」后再试。" if action == "改写" else "请稍后重试。"
    return f"{action}时出错了（{type(exc).__name__}），没有得到结果。{hint}"


def _run_check(text: str, channel_label: str, kind: Any) -> dict[str, Any]:
    try:
        when = _when()
        channel = pm.channel_of(channel_label)
        report = assistant.check(text, channel=channel, time=when, kind=kind)
    except Exception as exc:
        return {"error": _failure("检查", exc)}
    return {"text": text, "report": report, "channel": channel, "when": when}


def _run_rewrite(text: str) -> dict[str, Any]:
    try:
        validate_text(text)
        with st.spinner("正在改写……（使用模型时可能需要十几秒）"):
            result = assistant.rewrite(
                text,
                sender=ss.sender.strip(),
                audience=ss.audience.strip(),
                kind=pm.rewrite_kind(ss.kind),
                important=bool(ss.important),
                offline=bool(ss.force_offline),
            )
    except Exception as exc:
        return {"error": _failure("改写", exc)}
    return {"text": text, "result": result}


def _adopt_from_chat(text: str, channel_label: str | None) -> None:
    """Chat's 「帮我改写这条」: the text goes into the draft and 改写 runs on the next pass."""
    ss.draft = text
    if channel_label:
        ss.channel = channel_label
    ss.pending_rewrite = True


def _answer(question: str) -> dict[str, Any]:
    parsed = pm.parse_question(question)
    text = pm.chat_target(parsed, ss.draft)
    turn: dict[str, Any] = {"question": question}
    if not text:
        turn["error"] = pm.CHAT_NEEDS_TEXT
        return turn
    label = pm.CHANNEL_LABELS[parsed.channel] if parsed.channel else ss.channel
    outcome = _run_check(text, label, None)  # a chat question is about posting, not format
    turn.update(outcome, inferred=parsed.channel is not None, channel_label=label)
    return turn


# --- sidebar -------------------------------------------------------------------------------------

with st.sidebar:
    st.header("设置")
    st.toggle(
        "强制离线", key="force_offline", help="打开后改写只用本机的离线改写器，不连接任何模型。"
    )
    st.caption("改写后端")
    st.text(pm.backend_status(bool(ss.force_offline)))
    st.caption(
        "「检查」总在本机按规则完成，不联网。配置 OPENAI_API_KEY（可选 OPENAI_BASE_URL、"
        "ASSISTANT_MODEL）后「改写」使用模型，结果仍由规则复查；未配置时使用离线改写。"
    )

# --- draft, settings, actions --------------------------------------------------------------------

left, right = st.columns([3, 2], gap="large")

with left:
    st.title("公务消息助手")
    st.caption("粘贴草稿：「检查」看能不能发，「改写」成有称谓、有主题、有尾语、有署名的公务消息。")
    st.text_area(
        "草稿",
        key="draft",
        height=160,
        placeholder="例如：在吗各位，明天26号下午三点三楼第二会议室开防汛会，带材料5份，别忘了啊",
    )
    c1, c2, c3 = st.columns(3)
    c1.selectbox("发到哪里", pm.CHANNEL_OPTIONS, key="channel")
    c2.selectbox("消息类型", pm.KIND_OPTIONS, key="kind", help="「不按公文格式」：只查红线和礼仪。")
    c3.text_input("发给谁（称谓）", key="audience", placeholder="如：各位同事")
    c4, c5, c6 = st.columns(3)
    c4.text_input("署名（单位或姓名）", key="sender", placeholder="如：办公室 王敏")
    c5.checkbox("现在发送", key="send_now", help="按当前北京时间判断；取消后可选发送时间。")
    c6.checkbox("重要事项", key="important", help="改写时要求对方回复确认收到。")
    if ss.send_now or "send_date" not in ss:
        _now = now_local()
        ss.send_date, ss.send_time = _now.date(), _now.time().replace(second=0, microsecond=0)
    c7, c8 = st.columns(2)
    c7.date_input("发送日期", key="send_date", disabled=ss.send_now)
    c8.time_input("发送时间（北京时间）", key="send_time", step=60, disabled=ss.send_now)

    b1, b2, _ = st.columns([1, 1, 4])
    check_clicked = b1.button("检查", key="check_button", type="primary", width="stretch")
    rewrite_clicked = b2.button("改写", key="rewrite_button", width="stretch")

    if check_clicked:
        ss.check_result = _run_check(ss.draft, ss.channel, pm.check_kind(ss.kind))
    if rewrite_clicked or ss.pop("pending_rewrite", False):
        ss.rewrite_result = _run_rewrite(ss.draft)

    # --- check result ----------------------------------------------------------------------------
    checked = ss.check_result
    if checked:
        st.subheader("检查结果")
        if "error" in checked:
            st.error(checked["error"])
        else:
            report, text = checked["report"], checked["text"]
            if text != ss.draft:
                st.caption("草稿已改动，下面是改动前的结果；请重新「检查」。")
            _html(pm.verdict_card_html(report.verdict))
            st.caption(
                pm.verdict_summary(report, checked["channel"], f"{checked['when']:%m-%d %H:%M}")
            )
            _html(pm.highlight_html(text, report.findings))
            if report.findings:
                _html(pm.findings_html(report, text, _clauses()))

    # --- rewrite result --------------------------------------------------------------------------
    rewritten = ss.rewrite_result
    if rewritten:
        st.subheader("改写结果")
        if "error" in rewritten:
            st.error(rewritten["error"])
        else:
            result, draft = rewritten["result"], rewritten["text"]
            st.code(result.message, language=None, wrap_lines=True)
            st.download_button(
                "下载改写稿（.txt）",
                data=result.message,
                file_name="改写稿.txt",
                mime="text/plain",
                key="download_button",
                on_click="ignore",
            )
            st.text(f"改写后端：{pm.backend_label(result.backend)} · 共尝试 {result.attempts} 次")
            for note in result.notes:
                st.text(f"说明：{note}")
            st.markdown("**改写稿复查**")
            _html(pm.verdict_card_html(result.report.verdict))
            st.caption(pm.verdict_summary(result.report))
            if result.report.findings:
                _html(pm.findings_html(result.report, result.message, _clauses()))
            st.markdown("**事实核对**（日期、时间、地点、数量、电话、文件名）")
            _html(pm.facts_html(result.facts))
            st.markdown("**与原稿对比**")
            inline = pm.inline_diff_html(draft, result.message)
            if inline:
                _html(inline)
            with st.expander("逐行对比（diff）", expanded=not inline):
                st.code("\n".join(pm.diff_lines(draft, result.message)), language="diff")

# --- chat ----------------------------------------------------------------------------------------

with right:
    st.subheader("问一问：这条能发吗？")
    st.caption(
        "像平时那样问，例如「这条能发群里吗？明天下午三点开会……」。问答按普通消息判断红线和礼仪，不套公文格式；没写内容时问的是左边的草稿。"
    )
    history = st.container()
    question = st.chat_input("这条能发群里吗？……", key="chat_question")
    if question:
        ss.chat = [*ss.chat, _answer(question)][-20:]
    with history:
        for i, turn in enumerate(ss.chat):
            with st.chat_message("user"):
                _html(f"<div>{pm.escape_text(turn['question'])}</div>")
            with st.chat_message("assistant"):
                if "error" in turn:
                    st.error(turn["error"])
                    continue
                report, text = turn["report"], turn["text"]
                _html(pm.chat_intro_html(turn["channel"], turn["inferred"], text))
                _html(pm.verdict_card_html(report.verdict))
                _html(pm.chat_reasons_html(report, text, _clauses()))
                if report.verdict is not assistant.Verdict.ok:
                    st.button(
                        "帮我改写这条",
                        key=f"chat_rewrite_{i}",
                        on_click=_adopt_from_chat,
                        args=(text, turn["channel_label"] if turn["inferred"] else None),
                    )
