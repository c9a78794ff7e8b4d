"""The severity policy is DESIGN.md's table, row by row, and every rule takes its severities from
its row. The table below is transcribed from DESIGN.md (a specification, not derived from the
rules): a change to `rules/policy.yaml` that departs from it fails here."""

from __future__ import annotations

import pytest

from assistant import check
from assistant.engine.checker import default_engine
from assistant.engine.loader import load_rule_set
from assistant.vocabulary import Channel, Severity, Verdict

B, R, N = Severity.block, Severity.revise, None  # N: 「—」, does not apply
I = Severity.info  # noqa: E741 - the table reads B / R / I like DESIGN.md
CHANNELS = ["work_group", "moments", "friends_group", "private", "sms"]
DESIGN_TABLE = {
    "political_commentary": [B, B, B, B, B],
    "rumor": [B, B, B, B, B],
    "vote_buying": [B, B, B, B, B],
    "vulgar": [B, B, B, B, B],
    "chain_message": [B, B, B, B, B],
    "secret": [B, B, B, B, B],
    "privacy.personal": [B, B, B, R, B],
    "privacy.photo": [R, R, R, R, R],
    "gossip.fact": [B, B, B, B, B],
    "gossip.question": [R, R, R, R, R],
    "inducement": [B, B, B, R, R],
    "advertising": [B, B, R, R, B],
    "red_packet.official": [B, B, B, B, B],
    "red_packet.casual": [R, N, I, I, N],
    "screenshot.private": [B, B, B, B, B],
    "screenshot.other": [R, R, R, R, R],
    "off_topic": [R, N, N, N, N],
    "emoji_overuse": [R, N, N, N, R],
    "empty_ping": [R, N, N, R, R],
    "off_hours.work": [R, N, N, R, R],
    "off_hours.emergency": [I, I, I, I, I],
    "format": [R, R, R, R, R],
}
RULES = load_rule_set()


@pytest.mark.parametrize("row", list(DESIGN_TABLE))
def test_policy_row_is_the_design_table(row):
    by_channel = RULES.policy.severities(row)
    expected = dict(zip(CHANNELS, DESIGN_TABLE[row], strict=True))
    assert {c.value: by_channel.get(c) for c in Channel} == expected


def test_rows_beyond_the_table_only_note():
    """Rows DESIGN.md's table does not list (a contact number, a day off) never change a verdict:
    DESIGN.md says a contact number in a notice must pass on every channel."""
    extra = set(RULES.policy.rows) - set(DESIGN_TABLE)
    assert extra == {"privacy.contact", "off_hours.day_off", "advertising.link"}
    for row in extra:
        assert set(RULES.policy.severities(row).values()) == {Severity.info}


@pytest.mark.parametrize("rule", RULES.rules, ids=lambda r: r.id)
def test_every_rule_takes_its_severities_from_its_row(rule):
    runtime = default_engine().by_id[rule.id]
    assert runtime.severity_by_channel == RULES.policy.severities(rule.policy)


@pytest.mark.parametrize(
    ("text", "channel", "verdict"),
    [
        # a red packet with official business behind it vs a casual one
        ("王局长，项目批下来了，一点心意，红包您收下", "private", Verdict.block),
        ("群主发个红包呗，热闹一下", "work_group", Verdict.revise),
        ("群主发个红包呗，热闹一下", "friends_group", Verdict.ok),
        ("群主发个红包呗，热闹一下", "moments", Verdict.ok),
        # gossip spread as fact vs an idle question
        ("听说财务科小李出轨了，外面有人", "private", Verdict.block),
        ("听说小周要调走了？", "work_group", Verdict.revise),
        # someone's private words passed on vs other screenshots
        ("他私下跟我说的话，我截图发给领导了", "private", Verdict.block),
        ("隔壁群吵起来了，截图给你们吃瓜", "friends_group", Verdict.revise),
        # a look-alike passes everywhere
        ("我已将服务对象发来的感谢红包原路退回，并向纪检组登记。", "work_group", Verdict.ok),
        ("联系人：王科长 13912345678", "moments", Verdict.ok),
    ],
)
def test_split_rows(text, channel, verdict):
    assert check(text, channel=channel).verdict is verdict


def test_night_emergency_is_only_noted():
    routine = check("请各位明早九点前提交材料。", time="2026-11-24 23:10")
    urgent = check("河水超过警戒水位，防汛队员立即到河堤集合。", time="2026-11-24 23:10")
    assert routine.verdict is Verdict.revise
    assert urgent.verdict is Verdict.ok
    assert [f.rule for f in urgent.findings] == ["off-hours-emergency"]
    assert urgent.findings[0].severity is Severity.info
